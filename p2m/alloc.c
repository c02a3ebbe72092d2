// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m core: the pages the core allocates. Leaf, mid and frame-list pages
 * come from the machine (struct xp2m_backend_ops.page_alloc), reserved for
 * a change before it begins; the pages of boot lists are plain kernel pages,
 * counted while a list holds them.
 *
 * Every allocation is the kernel's own (kzalloc(), kvcalloc(), alloc_page(),
 * vm_map_ram() ...), so the kernel's fault injection (failslab,
 * fail_page_alloc, a task's fail-nth) can fail any of them; the KUnit suites
 * do, one after the other.
 */

#include <linux/gfp.h>
#include <linux/module.h>

#include "internal.h"

static atomic_long_t xp2m_list_pages_held = ATOMIC_LONG_INIT(0);

/* A page for a boot list (xp2m_list_alloc()); NULL when there is none. */
struct page *xp2m_list_page_alloc(void)
{
	struct page *page = alloc_page(GFP_KERNEL);

	if (page)
		atomic_long_inc(&xp2m_list_pages_held);
	return page;
}

/*
 * Give back a page of a boot list, through the machine, which may have
 * bound it to a frame meanwhile.
 */
void xp2m_list_page_free(struct xp2m_backend *be, struct page *page)
{
	be->ops->page_free(be, page);
	atomic_long_dec(&xp2m_list_pages_held);
}

/**
 * xp2m_list_pages() - pages boot lists hold, all machines together
 *
 * A page counts from its allocation by xp2m_list_alloc() until
 * xp2m_list_free() (or xp2m_destroy() of the p2m the list went to) gives it
 * back, whichever machine it was bound to. kmemleak does not see such
 * pages: debugfs shows this count as "pages list" in xp2m/stats, for a leak
 * to be seen, and tests compare it before and after.
 *
 * Return: the count.
 */
long xp2m_list_pages(void)
{
	return atomic_long_read(&xp2m_list_pages_held);
}
EXPORT_SYMBOL_GPL(xp2m_list_pages);

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
		page = be->ops->page_alloc(be);
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
