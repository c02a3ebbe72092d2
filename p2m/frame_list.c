// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m core: the machine view, the toolstack's 3-level frame list.
 *
 *   pfn_to_mfn_frame_list_list = mfn of the top frame
 *   top frame:  512 mfns of frame-list mid frames (one per GiB)
 *   mid frame:  512 mfns of leaf frames (one per 2 MiB)
 *   leaf frame: the p2m leaf itself
 *
 * Missing GiBs point at one shared mid frame whose entries all name the
 * shared missing leaf; identity GiBs likewise. Past 512 GiB one top frame
 * is not enough and the list is not built: pfn_to_mfn_frame_list_list reads
 * ~0 and a toolstack must use the linear list.
 *
 * It is read back by xp2m_frame_list_read() (reader.c) as Xen's save code
 * reads it: by machine frame only.
 */

#include <linux/module.h>
#include <linux/slab.h>

#include "internal.h"

/* Pages a mid of its own costs the frame list: its mid frame. */
unsigned int xp2m_fl_mid_cost(struct xp2m *p2m)
{
	lockdep_assert_held(&p2m->lock);
	return p2m->fl ? 1 : 0;
}

static unsigned long xp2m_fl_leaf_mfn(struct xp2m *p2m, const unsigned long *leaf)
{
	if (leaf == p2m->missing_leaf)
		return p2m->fl->missing_leaf_mfn;
	if (leaf == p2m->identity_leaf)
		return p2m->fl->identity_leaf_mfn;
	return xp2m_virt_to_mfn(p2m->be, leaf);
}

static bool xp2m_fl_mid_is_shared(struct xp2m_frame_list *fl,
				  const unsigned long *mid)
{
	return mid == fl->missing_mid || mid == fl->identity_mid;
}

/*
 * Make the frame-list entry of GiB @g follow the tree: a shared mid frame
 * for a shared mid, else a mid frame of its own (from @r, the first time)
 * naming each leaf's frame.
 */
void xp2m_fl_set_mid(struct xp2m *p2m, unsigned long g, struct xp2m_reserve *r)
{
	struct xp2m_frame_list *fl = p2m->fl;
	unsigned long **mid = p2m->top[g];
	unsigned long *page, mfn;
	unsigned int l;

	lockdep_assert_held(&p2m->lock);
	if (!fl)
		return;
	if (mid == p2m->missing_mid) {
		page = fl->missing_mid;
		mfn = fl->missing_mid_mfn;
	} else if (mid == p2m->identity_mid) {
		page = fl->identity_mid;
		mfn = fl->identity_mid_mfn;
	} else {
		page = fl->mid[g];
		if (xp2m_fl_mid_is_shared(fl, page)) {
			page = xp2m_reserve_take(r);
			p2m->counts.fl_pages++;
		}
		for (l = 0; l < XP2M_PER_PAGE; l++)
			page[l] = xp2m_fl_leaf_mfn(p2m, mid[l]);
		mfn = xp2m_virt_to_mfn(p2m->be, page);
	}
	fl->mid[g] = page;
	WRITE_ONCE(fl->top[g], mfn);
}

/* The tree's slot of leaf @leaf_index changed: follow it. */
void xp2m_fl_set_leaf(struct xp2m *p2m, unsigned long leaf_index)
{
	struct xp2m_frame_list *fl = p2m->fl;
	unsigned long g = leaf_index / XP2M_PER_PAGE;
	unsigned int l = leaf_index % XP2M_PER_PAGE;

	lockdep_assert_held(&p2m->lock);
	if (!fl || WARN_ON(xp2m_fl_mid_is_shared(fl, fl->mid[g])))
		return;
	WRITE_ONCE(fl->mid[g][l], xp2m_fl_leaf_mfn(p2m, p2m->top[g][l]));
}

void xp2m_fl_free(struct xp2m *p2m)
{
	struct xp2m_frame_list *fl = p2m->fl;
	unsigned long g;

	if (!fl)
		return;
	for (g = 0; g < p2m->nr_mids; g++)
		if (!xp2m_fl_mid_is_shared(fl, fl->mid[g]))
			xp2m_free_page(p2m->be, fl->mid[g]);
	xp2m_free_page(p2m->be, fl->top);
	xp2m_free_page(p2m->be, fl->missing_mid);
	xp2m_free_page(p2m->be, fl->identity_mid);
	kvfree(fl->mid);
	kfree(fl);
	p2m->fl = NULL;
}

/*
 * Write every frame number of the machine view, from the pages it names:
 * the shared mid frames, then each GiB's entry (a mid frame of its own from
 * @r where the tree's mid is its own and the list's is not yet), and the
 * top frame's number for the published field. Under p2m->lock.
 */
static void xp2m_fl_name_frames(struct xp2m *p2m, struct xp2m_reserve *r)
{
	struct xp2m_frame_list *fl = p2m->fl;
	struct xp2m_backend *be = p2m->be;
	unsigned long g;

	lockdep_assert_held(&p2m->lock);
	fl->top_mfn = xp2m_virt_to_mfn(be, fl->top);
	fl->missing_mid_mfn = xp2m_virt_to_mfn(be, fl->missing_mid);
	fl->identity_mid_mfn = xp2m_virt_to_mfn(be, fl->identity_mid);
	fl->missing_leaf_mfn = xp2m_virt_to_mfn(be, p2m->missing_leaf);
	fl->identity_leaf_mfn = xp2m_virt_to_mfn(be, p2m->identity_leaf);
	for (g = 0; g < XP2M_PER_PAGE; g++) {
		fl->missing_mid[g] = fl->missing_leaf_mfn;
		fl->identity_mid[g] = fl->identity_leaf_mfn;
		if (g >= p2m->nr_mids)
			fl->top[g] = fl->missing_mid_mfn;
	}
	for (g = 0; g < p2m->nr_mids; g++)
		xp2m_fl_set_mid(p2m, g, r);
	WRITE_ONCE(p2m->si.pfn_to_mfn_frame_list_list, fl->top_mfn);
}

/**
 * xp2m_frame_list_refresh() - name every frame of the machine view again
 * @p2m: the p2m
 *
 * A domain that was saved and restored, or migrated, keeps its pages but
 * has every machine frame renumbered: the frame list, which names frames,
 * must be written anew (as Linux's xen_build_mfn_list_list() does on
 * resume), and pfn_to_mfn_frame_list_list with it. Allocates nothing.
 *
 * Return: 0; -ENODATA when the frame list is not built.
 */
int xp2m_frame_list_refresh(struct xp2m *p2m)
{
	int err = -ENODATA;

	xp2m_lock(p2m);
	if (p2m->fl) {
		xp2m_fl_name_frames(p2m, NULL);
		err = 0;
	}
	xp2m_unlock(p2m);
	return err;
}
EXPORT_SYMBOL_GPL(xp2m_frame_list_refresh);

/**
 * xp2m_frame_list_build() - make the machine view of a p2m
 * @p2m: the p2m
 *
 * Allocates the top frame, the two shared mid frames and one mid frame per
 * mid of the tree; from then on every change of the tree keeps it current.
 * Building it twice is a no-op.
 *
 * Return: 0; -EFBIG when max_pfn is past 512 GiB (the 3-level list cannot
 * describe it; xp2m_frame_list_list() reads ~0); -ENOMEM, with nothing
 * changed.
 */
int xp2m_frame_list_build(struct xp2m *p2m)
{
	struct xp2m_backend *be = p2m->be;
	struct xp2m_frame_list *fl;
	struct xp2m_reserve r;
	unsigned long g;
	int err = -ENOMEM;

	if (p2m->max_pfn > XP2M_TREE_SPAN)
		return -EFBIG;

	xp2m_reserve_init(&r);
	xp2m_lock(p2m);
	if (p2m->fl) {
		err = 0;
		goto out;
	}
	fl = kzalloc(sizeof(*fl), GFP_KERNEL);
	if (!fl)
		goto out;
	fl->mid = kvcalloc(p2m->nr_mids, sizeof(*fl->mid), GFP_KERNEL);
	if (!fl->mid || xp2m_reserve_pages(be, &r, 3 + p2m->counts.mids)) {
		kvfree(fl->mid);
		kfree(fl);
		goto out;
	}

	fl->top = xp2m_reserve_take(&r);
	fl->missing_mid = xp2m_reserve_take(&r);
	fl->identity_mid = xp2m_reserve_take(&r);
	for (g = 0; g < p2m->nr_mids; g++)
		fl->mid[g] = fl->missing_mid;
	p2m->fl = fl;
	p2m->counts.fl_pages = 3;
	xp2m_fl_name_frames(p2m, &r);
	WARN_ON(r.nr);
	err = 0;
out:
	xp2m_unlock(p2m);
	xp2m_reserve_drop(be, &r);
	return err;
}
EXPORT_SYMBOL_GPL(xp2m_frame_list_build);

/**
 * xp2m_frame_list_list() - the value to publish as pfn_to_mfn_frame_list_list
 * @p2m: the p2m
 *
 * Return: the machine frame of the frame list's top page; 0 if the frame
 * list is not built yet ("not set up"); ~0 if max_pfn is past 512 GiB (the
 * toolstack must use the linear list).
 */
unsigned long xp2m_frame_list_list(struct xp2m *p2m)
{
	unsigned long mfn;

	if (p2m->max_pfn > XP2M_TREE_SPAN)
		return ~0UL;
	mutex_lock(&p2m->lock);
	mfn = p2m->fl ? p2m->fl->top_mfn : 0;
	mutex_unlock(&p2m->lock);
	return mfn;
}
EXPORT_SYMBOL_GPL(xp2m_frame_list_list);
