// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m ARM module: the debugfs directory xp2m/arm that instances hang off,
 * and allocations, each a fault-injection point.
 *
 * With CONFIG_FAULT_INJECTION every allocation of this module first asks
 * should_fail() of its own attribute (debugfs: xp2m/arm/fail_alloc), so the
 * kernel's knobs, and a task's fail-nth, can make any of them fail; and
 * xp2m_arm_fail_nth() makes exactly the n-th of them fail.
 */

#include <linux/debugfs.h>
#include <linux/fault-inject.h>
#include <linux/gfp.h>
#include <linux/module.h>
#include <linux/slab.h>

#include <xp2m/p2m.h>

#include "internal.h"

static struct dentry *xp2m_arm_dir;

#ifdef CONFIG_FAULT_INJECTION
static DECLARE_FAULT_ATTR(xp2m_arm_fail_alloc);
static atomic_t xp2m_arm_countdown = ATOMIC_INIT(0);

bool xp2m_arm_should_fail(size_t size)
{
	if (atomic_read(&xp2m_arm_countdown) > 0 &&
	    atomic_dec_return(&xp2m_arm_countdown) == 0)
		return true;
	return should_fail(&xp2m_arm_fail_alloc, size);
}

/**
 * xp2m_arm_fail_nth() - make the n-th allocation of this module fail
 * @n: the allocation that fails, counting from 1 (the next one); 0 disarms
 *
 * A task's fail-nth counts every fault-injection point the task meets,
 * the allocator's own among them (SLUB tries a large slab without
 * reclaim first, and falls back quietly when that fails), so the failure
 * it injects may land where nothing sees it. This counts only the
 * allocations of this module, whichever task makes them. For tests.
 *
 * Return: how many allocations the previous setting still had to go: 0
 * when it fired (or there was none), else the setting was not reached.
 */
unsigned int xp2m_arm_fail_nth(unsigned int n)
{
	return max(atomic_xchg(&xp2m_arm_countdown, n), 0);
}
EXPORT_SYMBOL_GPL(xp2m_arm_fail_nth);

static void xp2m_arm_fault_init(void)
{
	/* An injected failure is expected; a stack dump for each is noise. */
	xp2m_arm_fail_alloc.verbose = 0;
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
	fault_create_debugfs_attr("fail_alloc", xp2m_arm_dir,
				  &xp2m_arm_fail_alloc);
#endif
}
#else
bool xp2m_arm_should_fail(size_t size)
{
	return false;
}

unsigned int xp2m_arm_fail_nth(unsigned int n)
{
	return 0;
}
EXPORT_SYMBOL_GPL(xp2m_arm_fail_nth);

static void xp2m_arm_fault_init(void)
{
}
#endif

/* A zeroed page for a table, with no valid entry counted yet. */
struct page *xp2m_arm_alloc_table(void)
{
	struct page *page;

	if (xp2m_arm_should_fail(PAGE_SIZE))
		return NULL;
	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (page)
		set_page_private(page, 0);
	return page;
}

void *xp2m_arm_kzalloc(size_t size)
{
	if (xp2m_arm_should_fail(size))
		return NULL;
	return kzalloc(size, GFP_KERNEL);
}

void *xp2m_arm_kvcalloc(size_t n, size_t size)
{
	if (xp2m_arm_should_fail(n * size))
		return NULL;
	return kvcalloc(n, size, GFP_KERNEL);
}

struct dentry *xp2m_arm_debugfs_dir(void)
{
	return xp2m_arm_dir;
}

static int __init xp2m_arm_init(void)
{
	xp2m_arm_dir = debugfs_create_dir("arm", xp2m_debugfs_root());
	xp2m_arm_fault_init();
	return 0;
}

static void __exit xp2m_arm_exit(void)
{
	debugfs_remove_recursive(xp2m_arm_dir);
}

module_init(xp2m_arm_init);
module_exit(xp2m_arm_exit);

MODULE_DESCRIPTION("xp2m: LPAE stage-2 p2m, VLPT and log-dirty; ARM guest p2m");
MODULE_LICENSE("GPL");
MODULE_VERSION(XP2M_VERSION);
