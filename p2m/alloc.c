// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m core: allocations, each one a fault-injection point.
 *
 * With CONFIG_FAULT_INJECTION every allocation of the core first asks
 * should_fail() of the "fail_alloc" attribute (debugfs: xp2m/fail_alloc), so
 * the kernel's knobs, a task's fail-nth, and xp2m_fail_nth() (for tests) can
 * make any of them fail.
 */

#include <linux/gfp.h>
#include <linux/fault-inject.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "internal.h"

#ifdef CONFIG_FAULT_INJECTION
static DECLARE_FAULT_ATTR(xp2m_fail_alloc);

bool xp2m_should_fail(size_t size)
{
	return should_fail(&xp2m_fail_alloc, size);
}

void xp2m_fault_init(struct dentry *root)
{
	/* An injected failure is expected; a stack dump for each is noise. */
	xp2m_fail_alloc.verbose = 0;
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
	fault_create_debugfs_attr("fail_alloc", root, &xp2m_fail_alloc);
#endif
}

/**
 * xp2m_fail_nth() - make the core's n-th allocation from now fail, in this
 * task only
 * @n: 1 for the next one; 0 to disarm
 *
 * For tests: the core's own fault attribute is armed for the calling task
 * (task filter and make-it-fail), so only the core's allocation points
 * count, not the kernel's own, which may recover from a failure by
 * themselves. One failure at most.
 *
 * Return: 0, or -EOPNOTSUPP without CONFIG_FAULT_INJECTION.
 */
int xp2m_fail_nth(unsigned int n)
{
	struct fault_attr *a = &xp2m_fail_alloc;

	if (!n) {
		a->probability = 0;
		a->task_filter = false;
		current->make_it_fail = 0;
		return 0;
	}
	a->task_filter = true;
	a->interval = n;
	a->count = 0;
	atomic_set(&a->times, 1);
	a->probability = 100;
	current->make_it_fail = 1;
	return 0;
}
EXPORT_SYMBOL_GPL(xp2m_fail_nth);

/**
 * xp2m_failed() - did the failure xp2m_fail_nth() armed happen?
 *
 * Return: true once it has.
 */
bool xp2m_failed(void)
{
	return !atomic_read(&xp2m_fail_alloc.times);
}
EXPORT_SYMBOL_GPL(xp2m_failed);
#else
int xp2m_fail_nth(unsigned int n)
{
	return -EOPNOTSUPP;
}
EXPORT_SYMBOL_GPL(xp2m_fail_nth);

bool xp2m_failed(void)
{
	return false;
}
EXPORT_SYMBOL_GPL(xp2m_failed);
bool xp2m_should_fail(size_t size)
{
	return false;
}

void xp2m_fault_init(struct dentry *root)
{
}
#endif

void *xp2m_kzalloc(size_t size)
{
	if (xp2m_should_fail(size))
		return NULL;
	return kzalloc(size, GFP_KERNEL);
}

void *xp2m_kvcalloc(size_t n, size_t size)
{
	if (xp2m_should_fail(n * size))
		return NULL;
	return kvcalloc(n, size, GFP_KERNEL);
}

void xp2m_free_page(struct xp2m_backend *be, void *addr)
{
	be->ops->page_free(be, xp2m_virt_to_page(addr));
}

void xp2m_reserve_init(struct xp2m_reserve *r)
{
	INIT_LIST_HEAD(&r->pages);
	r->nr = 0;
}

/* Add @nr pages to @r: all of them, or none and -ENOMEM. */
int xp2m_reserve_pages(struct xp2m_backend *be, struct xp2m_reserve *r,
		       unsigned int nr)
{
	struct xp2m_reserve got;
	struct page *page;

	xp2m_reserve_init(&got);
	while (got.nr < nr) {
		page = xp2m_should_fail(PAGE_SIZE) ? NULL : be->ops->page_alloc(be);
		if (!page) {
			xp2m_reserve_drop(be, &got);
			return -ENOMEM;
		}
		list_add(&page->lru, &got.pages);
		got.nr++;
	}
	list_splice(&got.pages, &r->pages);
	r->nr += got.nr;
	return 0;
}

/* A page from @r; the caller reserved enough, so there is one. */
void *xp2m_reserve_take(struct xp2m_reserve *r)
{
	struct page *page;

	page = list_first_entry_or_null(&r->pages, struct page, lru);
	if (WARN_ON(!page))
		return NULL;
	list_del(&page->lru);
	r->nr--;
	return page_address(page);
}

/* Give back what was reserved and not taken. */
void xp2m_reserve_drop(struct xp2m_backend *be, struct xp2m_reserve *r)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, &r->pages, lru) {
		list_del(&page->lru);
		be->ops->page_free(be, page);
	}
	r->nr = 0;
}
