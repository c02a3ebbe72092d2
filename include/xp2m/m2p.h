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
 * struct xp2m_m2p - the override table of a p2m
 * @p2m: the p2m whose pages are overridden
 * @pfns: foreign mfn -> our pfn (of the latest override), stored as an
 *	XArray value: the lookup path reads nothing else, so a lookup in a
 *	table of a million overrides touches a few compact nodes only
 * @table: foreign mfn -> first override of that mfn
 * @by_pfn: our pfn -> its override, prepared ones included
 * @count: overrides committed
 * @lock: serialises prepares, commits, aborts and removes: @pfns, @table,
 *	@by_pfn, the chains and the p2m entries they change. Lookups take no
 *	lock: xa_load() is RCU-safe and overrides are freed after a grace
 *	period
 */
struct xp2m_m2p {
	struct xp2m *p2m;
	struct xarray pfns;
	struct xarray table;
	struct xarray by_pfn;
	atomic_long_t count;
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
unsigned long xp2m_m2p_find_pfn(struct xp2m_m2p *m2p, unsigned long mfn);
struct page *xp2m_m2p_find_page(struct xp2m_m2p *m2p, unsigned long mfn);
unsigned long xp2m_mfn_to_pfn(struct xp2m_m2p *m2p, unsigned long mfn);

#endif /* _XP2M_M2P_H */
