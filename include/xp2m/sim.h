/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xp2m_sim: a simulated machine for the core, the tests and the benchmarks.
 *
 * Frames 0..max_mfn, an M2P, and owners: a frame is free, assigned to the
 * simulated domain (it has an M2P entry), or a spare frame lent to back a
 * page when the domain has no free page left. Pages the core allocates are
 * real kernel pages bound to frames, so a reader that knows only frame
 * numbers can map them.
 */
#ifndef _XP2M_SIM_H
#define _XP2M_SIM_H

#include <linux/mutex.h>
#include <linux/spinlock.h>

#include <xp2m/backend.h>

/**
 * struct xp2m_sim - a simulated machine
 * @be: its backend; pass &sim->be to the core
 * @m2p: M2P, one entry per frame; INVALID when no domain's
 * @used: frames that are taken (assigned or lent)
 * @page_of: frame -> struct page bound to it, one entry per frame; a bound
 *	page keeps (frame << 1 | from the pool) in its page->private, so
 *	binding never allocates (and never meets a fault-injection point)
 * @pool_pfns: the domain's free pages (pfns), a stack
 * @pool_mfns: their frames
 * @pool_nr: entries on the stack
 * @pool_cap: size of the stack
 * @spare: where the search for a spare frame starts
 * @bound: pages bound to a frame right now
 * @pt_root: frame of the level-4 table of the simulated page tables (x86-64
 *	format) in which linear views are mapped; 0 when there are none
 * @pt_updates: single-entry updates of those tables, ever
 * @pt_lock: serialises changes of the simulated page tables
 * @lock: protects @used, @page_of, the pool and @spare; @m2p entries are
 *	single words
 */
struct xp2m_sim {
	struct xp2m_backend be;
	unsigned long *m2p;
	unsigned long *used;
	struct page **page_of;
	unsigned long *pool_pfns;
	unsigned long *pool_mfns;
	unsigned long pool_nr;
	unsigned long pool_cap;
	unsigned long spare;
	atomic_long_t bound;
	unsigned long pt_root;
	atomic_long_t pt_updates;
	struct mutex pt_lock;		/* see above */
	spinlock_t lock;		/* see above */
};

struct xp2m_sim *xp2m_sim_create(const char *name, unsigned long nr_frames);
void xp2m_sim_destroy(struct xp2m_sim *sim);
long xp2m_sim_bound(struct xp2m_sim *sim);
unsigned long xp2m_sim_pool_free(struct xp2m_sim *sim);
long xp2m_sim_pt_updates(struct xp2m_sim *sim);

#endif /* _XP2M_SIM_H */
