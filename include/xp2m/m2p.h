/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xp2m_m2p: the m2p override for grant mappings.
 *
 * A page of ours over which a frame of another domain is mapped (a grant
 * mapping) shows FOREIGN_FRAME(mfn) in the p2m. The M2P entry of that mfn
 * belongs to the granting domain and names its pfn, not ours, so the mfn
 * is also recorded here: find(mfn) gives our page, and mfn_to_pfn() falls
 * back on it when the M2P's answer does not map back.
 *
 * See Documentation/m2p-balloon.rst.
 */
#ifndef _XP2M_M2P_H
#define _XP2M_M2P_H

#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include <xp2m/p2m.h>

struct dentry;
struct page;

/*
 * One page with a foreign frame mapped over it, or prepared for one: the
 * table's own (m2p/override.c); its users hold it between
 * xp2m_m2p_prepare() and xp2m_m2p_commit() or xp2m_m2p_abort().
 */
struct xp2m_override;

/**
 * struct xp2m_m2p_dir - foreign mfn -> our pfn, in two levels
 * @nr: slots: it answers the frames below @nr * XP2M_PER_PAGE
 * @used: for each slot, the entries of its leaf that are not
 *	XP2M_INVALID_ENTRY (in the same allocation, after @leaf)
 * @rcu: a directory outgrown is freed after a grace period
 * @leaf: XP2M_PER_PAGE entries for each slot, the pfn of frame i at
 *	[i % XP2M_PER_PAGE], XP2M_INVALID_ENTRY where there is none; a slot
 *	without entries points at one shared read-only leaf of
 *	XP2M_INVALID_ENTRY
 *
 * A lookup is two loads, as the p2m's is (struct xp2m): the slot, then the
 * entry. Where frames are consecutive the leaves are full, 8 bytes a frame;
 * a directory is replaced by one twice as large when a frame past it comes,
 * never beyond the machine's last frame.
 */
struct xp2m_m2p_dir {
	unsigned long nr;
	u16 *used;
	struct rcu_head rcu;
	unsigned long __rcu *leaf[];
};

/**
 * struct xp2m_m2p - the override table of a p2m
 * @p2m: the p2m whose pages are overridden
 * @dir: foreign mfn -> our pfn (of the latest override): the lookup path
 *	reads nothing else
 * @table: foreign mfn -> first override of that mfn
 * @by_pfn: our pfn -> its override, prepared ones included
 * @count: overrides committed
 * @leaves: leaves of @dir of their own (pages)
 * @view: @dir as one array, @view[mfn]: an area of the vmalloc space whose
 *	page i maps leaf i of @dir read-only, or @none; a lookup is one load.
 *	Set at init, NULL where the kernel's page tables cannot be changed a
 *	PTE at a time (xp2m_kpte_supported()) or the area could not be made:
 *	lookups then read @dir
 * @view_nr: the frames @view covers, the machine's; 0 without a view
 * @none: the page of XP2M_INVALID_ENTRY @view maps where @dir has no leaf
 * @lock: serialises prepares, commits, aborts and removes: @dir (and its
 *	leaves' entries and counts), @leaves, @table, @by_pfn, the chains and
 *	the p2m entries they change. Lookups take no lock: they read under
 *	rcu_read_lock(), and directories, leaves and overrides are freed after
 *	a grace period
 */
struct xp2m_m2p {
	struct xp2m *p2m;
	struct xp2m_m2p_dir __rcu *dir;
	struct xarray table;
	struct xarray by_pfn;
	atomic_long_t count;
	unsigned long leaves;
	const unsigned long *view;
	unsigned long view_nr;
	struct page *none;
	struct mutex lock;		/* see above */
};

int xp2m_m2p_init(struct xp2m_m2p *m2p, struct xp2m *p2m);
void xp2m_m2p_destroy(struct xp2m_m2p *m2p);
struct xp2m_override *xp2m_m2p_prepare(struct xp2m_m2p *m2p,
				       unsigned long pfn, struct page *page);
int xp2m_m2p_commit(struct xp2m_m2p *m2p, struct xp2m_override *o,
		    unsigned long mfn, u64 kmap);
void xp2m_m2p_abort(struct xp2m_m2p *m2p, struct xp2m_override *o);
int xp2m_m2p_add(struct xp2m_m2p *m2p, unsigned long pfn, struct page *page,
		 unsigned long mfn, u64 kmap);
int xp2m_m2p_remove(struct xp2m_m2p *m2p, unsigned long pfn,
		    u64 *kmap);
int xp2m_m2p_get(struct xp2m_m2p *m2p, unsigned long pfn, unsigned long *mfn,
		 u64 *kmap);
void xp2m_m2p_debugfs(struct xp2m_m2p *m2p, struct dentry *dir);
struct page *xp2m_m2p_find_page(struct xp2m_m2p *m2p, unsigned long mfn);
unsigned long xp2m_mfn_to_pfn(struct xp2m_m2p *m2p, unsigned long mfn);

/* xp2m_m2p_find_pfn() without the view: the directory's two loads. */
static __always_inline unsigned long
xp2m_m2p_dir_find(struct xp2m_m2p *m2p, unsigned long mfn)
{
	const unsigned long i = mfn / XP2M_PER_PAGE;
	const struct xp2m_m2p_dir *dir;
	unsigned long pfn = XP2M_INVALID_ENTRY;

	rcu_read_lock();
	dir = rcu_dereference(m2p->dir);
	if (likely(i < dir->nr))
		pfn = READ_ONCE(rcu_dereference(dir->leaf[i])
					[mfn % XP2M_PER_PAGE]);
	rcu_read_unlock();
	return pfn;
}

/**
 * xp2m_m2p_find_pfn() - our pfn a foreign frame is mapped at
 * @m2p: the table
 * @mfn: the frame
 *
 * Lock-free and inline, as xp2m_lookup(): a bound check and one load
 * through the table's view, or two through its directory where it has no
 * view (or past the machine's frames, where the directory answers that
 * there is none). With the frame mapped at several pfns, the latest.
 *
 * Return: the pfn, or XP2M_INVALID_ENTRY when @mfn has no override.
 */
static __always_inline unsigned long
xp2m_m2p_find_pfn(struct xp2m_m2p *m2p, unsigned long mfn)
{
	/* A table without a view covers no frame with it. */
	if (likely(mfn < m2p->view_nr))
		return READ_ONCE(m2p->view[mfn]);
	return xp2m_m2p_dir_find(m2p, mfn);
}

#endif /* _XP2M_M2P_H */
