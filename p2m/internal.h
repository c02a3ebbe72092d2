/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xp2m core: what the files of p2m/ share and nobody else sees.
 */
#ifndef _XP2M_INTERNAL_H
#define _XP2M_INTERNAL_H

#include <linux/list.h>
#include <linux/seq_file.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <linux/xarray.h>

#include <xp2m/p2m.h>

#include "../kpte/kpte.h"

/*
 * Every change of structure first reserves all the pages it may need (and
 * the linear view's slots for the tables it may make: xp2m_reserve_change()),
 * then applies itself from the reserve, which cannot fail. So an allocation
 * failure always comes before anything changed.
 */
struct xp2m_reserve {
	struct list_head pages;
	unsigned int nr;
};

void xp2m_reserve_init(struct xp2m_reserve *r);
int xp2m_reserve_pages(struct xp2m_backend *be, struct xp2m_reserve *r,
		       unsigned int nr);
void *xp2m_reserve_take(struct xp2m_reserve *r);
void xp2m_reserve_drop(struct xp2m_backend *be, struct xp2m_reserve *r);
int xp2m_reserve_change(struct xp2m *p2m, struct xp2m_reserve *r,
			unsigned int nr);

void xp2m_changes_init(struct xp2m *p2m);
void xp2m_changes_show(struct seq_file *m, struct xp2m *p2m);

struct page *xp2m_list_page_alloc(void);
void xp2m_list_page_free(struct xp2m_backend *be, struct page *page);
void xp2m_free_page(struct xp2m_backend *be, void *addr);

/* The struct page under a leaf, mid or frame-list page (lowmem or vmalloc). */
static inline struct page *xp2m_virt_to_page(const void *addr)
{
	return is_vmalloc_addr(addr) ? vmalloc_to_page(addr) : virt_to_page(addr);
}

static inline unsigned long xp2m_virt_to_mfn(struct xp2m_backend *be,
					     const void *addr)
{
	return be->ops->page_to_mfn(be, xp2m_virt_to_page(addr));
}

static inline bool xp2m_mid_is_shared(const struct xp2m *p2m,
				      unsigned long **mid)
{
	return mid == p2m->missing_mid || mid == p2m->identity_mid;
}

static inline bool xp2m_leaf_is_shared(const struct xp2m *p2m,
				       unsigned long *leaf)
{
	return leaf == p2m->missing_leaf || leaf == p2m->identity_leaf;
}

/*
 * A change of structure, from xp2m_lock() to xp2m_unlock() (tree.c): the
 * views that changed finish their part before p2m->lock is dropped.
 */
void xp2m_lock(struct xp2m *p2m);
void xp2m_unlock(struct xp2m *p2m);

/*
 * The linear view's state beside p2m->linear (linear.c). One page-table
 * page maps the XP2M_PER_PAGE slots of one GiB of pfns; a GiB whose mid is
 * shared maps through the shared read-only table of the same kind, every
 * other one through a table of its own.
 * @area: the area of the vmalloc space the view lies in, @nr_area pages
 * @pfn_area: @area is xp2m_kpt_reserve()'s (vunmap()), a page per slot;
 *	else vm_map_ram()'s, 1 GiB less a page larger to reach an alignment
 * @base: where the view starts in it (p2m->linear, once published)
 * @dummy: what a vm_map_ram() area maps outside the view
 * @pad: the table of the area's whole 2 MiB stretches outside the view:
 *	@dummy, read-only, XP2M_PER_PAGE times
 * @missing: the table of a GiB of missing leaves
 * @identity: the table of a GiB of identity leaves
 * @tables: the tables of their own, by GiB: only GiBs whose mid is their
 *	own have one. Any other GiB's is @missing or @identity, as its mid
 *	is p2m->missing_mid or p2m->identity_mid (p2m->top[g] says which).
 * @reserved: a change reserved slots of @tables (xp2m_linear_mid_cost())
 * @reserve_err: the error of the first reservation of the change that
 *	failed, or 0
 *
 * Locking: all of it changes only under p2m->lock, and is read under it
 * (no lock-free reader uses it: lookups read the view itself). @tables's
 * own lock is taken inside each XArray call. A change reserves the slots
 * of the tables it may make while it counts its pages, before anything
 * changes, so that storing a table cannot fail; xp2m_unlock() gives back
 * the slots it did not use.
 *
 * Every page here but @area's comes from the p2m's backend, as the tree's
 * pages do: in a PV guest page tables are the domain's memory too.
 */
struct xp2m_linear {
	void *area;
	unsigned long nr_area;
	bool pfn_area;
	unsigned long base;
	void *dummy;
	void *pad;
	void *missing;
	void *identity;
	struct xarray tables;
	bool reserved;
	int reserve_err;
};

/*
 * The linear view's upkeep, under p2m->lock: GiB @g's mid, or the slot of
 * one leaf, changed (tree.c calls these after the frame list's); the change
 * ends (xp2m_unlock()).
 */
unsigned int xp2m_linear_mid_cost(struct xp2m *p2m, unsigned long g);
int xp2m_linear_reserved(struct xp2m *p2m);
void xp2m_linear_set_mid(struct xp2m *p2m, unsigned long g,
			 struct xp2m_reserve *r);
void xp2m_linear_set_leaf(struct xp2m *p2m, unsigned long leaf_index);
void xp2m_linear_end(struct xp2m *p2m);
/* Without the lock: xp2m_destroy(), when no other user is left. */
void xp2m_linear_free(struct xp2m *p2m);

/*
 * Tree changes, under p2m->lock, drawing pages from a reserve: what they
 * cost, the views' pages included, and the changes.
 */
unsigned int xp2m_mid_cost(struct xp2m *p2m, unsigned long g);
unsigned int xp2m_leaf_cost(struct xp2m *p2m, unsigned long pfn);
unsigned int xp2m_private_leaf_cost(struct xp2m *p2m, unsigned long pfn);
unsigned long *xp2m_private_leaf(struct xp2m *p2m, unsigned long pfn,
				 struct xp2m_reserve *r);
unsigned int xp2m_identity_walk(struct xp2m *p2m, unsigned long start,
				unsigned long end, struct xp2m_reserve *r);

/*
 * The machine view. Its pages mirror the tree: one frame-list mid page per
 * private mid, the shared mids' ones shared too.
 */
struct xp2m_frame_list {
	unsigned long *top;
	unsigned long top_mfn;
	unsigned long **mid;
	unsigned long *missing_mid;
	unsigned long *identity_mid;
	unsigned long missing_mid_mfn;
	unsigned long identity_mid_mfn;
	unsigned long missing_leaf_mfn;
	unsigned long identity_leaf_mfn;
};

/*
 * Frame-list upkeep, under p2m->lock (tree.c calls these before the linear
 * view's); no-ops until the list is built.
 */
unsigned int xp2m_fl_mid_cost(struct xp2m *p2m);
void xp2m_fl_set_mid(struct xp2m *p2m, unsigned long g,
		     struct xp2m_reserve *r);
void xp2m_fl_set_leaf(struct xp2m *p2m, unsigned long leaf_index);
/* Without the lock: xp2m_destroy(), when no other user is left. */
void xp2m_fl_free(struct xp2m *p2m);

#endif /* _XP2M_INTERNAL_H */
