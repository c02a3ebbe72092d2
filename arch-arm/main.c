// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m ARM module: a model of Xen's ARM stage-2 p2m, its VLPT and
 * log-dirty tracking, and of an ARM guest's foreign mappings, in portable C
 * built on every architecture (see include/xp2m/arm.h). This file: the
 * debugfs directory xp2m/arm that instances hang off, and the pages of
 * tables, counted and shown there (xp2m/arm/stats).
 *
 * Every allocation of the module is the kernel's own, so the kernel's fault
 * injection (failslab, fail_page_alloc, a task's fail-nth) can fail any of
 * them; the KUnit suite does, one after the other.
 */

#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/module.h>
#include <linux/seq_file.h>

#include <xp2m/debugfs.h>

#include "internal.h"

static struct dentry *xp2m_arm_dir;

/* Pages the module holds: tables, roots, the VLPT's empty page. */
static atomic_long_t xp2m_arm_pages_held = ATOMIC_LONG_INIT(0);

/* 2^@order zeroed pages, counted until xp2m_arm_free_pages(). */
struct page *xp2m_arm_alloc_pages(unsigned int order)
{
	struct page *page = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);

	if (page)
		atomic_long_add(1L << order, &xp2m_arm_pages_held);
	return page;
}

void xp2m_arm_free_pages(struct page *page, unsigned int order)
{
	__free_pages(page, order);
	atomic_long_sub(1L << order, &xp2m_arm_pages_held);
}

/* A zeroed page for a table, with no valid entry counted yet. */
struct page *xp2m_arm_alloc_table(void)
{
	struct page *page = xp2m_arm_alloc_pages(0);

	if (page)
		set_page_private(page, 0);
	return page;
}

void xp2m_arm_free_table(struct page *page)
{
	xp2m_arm_free_pages(page, 0);
}

/**
 * xp2m_arm_pages() - pages the ARM module holds
 *
 * Every table of every p2m, their roots and each VLPT's empty page, from
 * allocation until freed. kmemleak does not see pages: debugfs shows this
 * count as "pages" in xp2m/arm/stats, for a leak to be seen, and tests
 * compare it before and after.
 *
 * Return: the count.
 */
long xp2m_arm_pages(void)
{
	return atomic_long_read(&xp2m_arm_pages_held);
}
EXPORT_SYMBOL_GPL(xp2m_arm_pages);

struct dentry *xp2m_arm_debugfs_dir(void)
{
	return xp2m_arm_dir;
}

/* xp2m/arm/stats: the module's pages, all p2ms together. */
static int xp2m_arm_stats_show(struct seq_file *m, void *v)
{
	seq_printf(m, "pages %ld\n", xp2m_arm_pages());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xp2m_arm_stats);

static int __init xp2m_arm_init(void)
{
	xp2m_arm_dir = debugfs_create_dir("arm", xp2m_debugfs_root());
	debugfs_create_file("stats", 0400, xp2m_arm_dir, NULL,
			    &xp2m_arm_stats_fops);
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
