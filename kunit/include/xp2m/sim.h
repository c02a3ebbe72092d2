/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xp2m_sim: a simulated machine for the core, the tests and the benchmarks.
 *
 * Frames 0..max_mfn, an M2P, and owners: a frame is free, assigned to the
 * simulated domain (it has an M2P entry), or a spare frame lent to back a
 * page when the domain has no free page left. Pages the core allocates are
 * real kernel pages bound to frames, so a reader that knows only frame
 * numbers can map them.
 *
 * The domain's reservation changes as Xen's does: populate takes free frames
 * up to the domain's maximum (the headroom), release gives frames of the
 * domain back. The kernel's own view of its pages (linear map and kernel
 * p2m) is modelled by a table from pfn to frame.
 *
 * A domain builder (builder.c) makes a simulated domain's boot list, as
 * Xen's does for a PV guest.
 *
 * This header is the simulator's, for the tests and the benchmarks: Kbuild
 * gives its directory to them only, and nothing that users run sees it.
 */
#ifndef _XP2M_SIM_H
#define _XP2M_SIM_H

#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>

#include <xp2m/backend.h>
#include <xp2m/p2m.h>

struct xp2m;

/*
 * The value a slot of &xp2m_sim.kmap holds when it maps nothing; an XArray
 * value is at most LONG_MAX, and no frame number comes close.
 */
#define XP2M_SIM_KMAP_NONE	LONG_MAX

/**
 * enum xp2m_sim_op - operations a test can make stop short
 * @XP2M_SIM_KMAP: the kmap operation
 * @XP2M_SIM_NR_OPS: their number
 */
enum xp2m_sim_op {
	XP2M_SIM_KMAP,
	XP2M_SIM_NR_OPS,
};

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
 * @pt_pages: pages those tables occupy right now (counted in @bound too);
 *	under @pt_lock
 * @pt_lock: serialises changes of the simulated page tables
 * @resv_next: where the search for a free frame to populate starts
 * @headroom: frames the domain may still be given before it reaches its
 *	maximum; ULONG_MAX for no maximum
 * @stop_after: per &enum xp2m_sim_op, how many entries the next call of
 *	that operation does at most; ULONG_MAX when not armed
 * @resv_sleep: the reservation operations sleep before and after their
 *	work (one word, read and written once; no lock)
 * @kmap: the kernel's view of its pages: pfn -> xa_mk_value(frame), or
 *	xa_mk_value(%XP2M_SIM_KMAP_NONE) where a slot exists but maps nothing
 *	(the kernel's page tables are there, the PTE is empty). Has its own
 *	lock; its entries are written by the kmap operation only.
 * @lock: protects @used, @page_of, the pool, @spare, @resv_next,
 *	@headroom and @stop_after; @m2p entries are single words
 * @source: the machine's own p2m, which borrowed p2ms show (see
 *	xp2m_sim_set_source()); one word, no lock
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
	unsigned long pt_pages;
	struct mutex pt_lock;		/* see above */
	unsigned long resv_next;
	unsigned long headroom;
	unsigned long stop_after[XP2M_SIM_NR_OPS];
	bool resv_sleep;
	struct xarray kmap;
	spinlock_t lock;		/* see above */
	struct xp2m *source;
};

struct xp2m_sim *xp2m_sim_create(const char *name, unsigned long nr_frames);
void xp2m_sim_destroy(struct xp2m_sim *sim);
long xp2m_sim_bound(struct xp2m_sim *sim);
unsigned long xp2m_sim_pool_free(struct xp2m_sim *sim);
long xp2m_sim_pt_updates(struct xp2m_sim *sim);
unsigned long xp2m_sim_pt_pages(struct xp2m_sim *sim);
void xp2m_sim_set_headroom(struct xp2m_sim *sim, unsigned long n);
unsigned long xp2m_sim_headroom(struct xp2m_sim *sim);
bool xp2m_sim_frame_free(struct xp2m_sim *sim, unsigned long mfn);
unsigned long xp2m_sim_kmap(struct xp2m_sim *sim, unsigned long pfn);
int xp2m_sim_kmap_reserve(struct xp2m_sim *sim, unsigned long start,
			  unsigned long end);
void xp2m_sim_stop_after(struct xp2m_sim *sim, enum xp2m_sim_op op,
			 unsigned long k);
void xp2m_sim_resv_sleep(struct xp2m_sim *sim, bool on);
void xp2m_sim_set_source(struct xp2m_sim *sim, struct xp2m *p2m);
int xp2m_sim_assign_frame(struct xp2m_sim *sim, unsigned long mfn,
			  unsigned long pfn);

/* The domain builder (builder.c) */

/**
 * enum xp2m_mfn_pattern - how the builder hands out machine frames
 * @XP2M_MFNS_ASCENDING: pfn i gets the i-th frame from the first one up
 * @XP2M_MFNS_DESCENDING: the same frames, highest first, as Xen's builder
 *	gives them ([0x290F, 0x290E, 0x290D, ..] in the header comment of
 *	arch/x86/xen/p2m.c, Linux 2.6.39 to 3.18)
 * @XP2M_MFNS_FRAGMENTED: runs of frames interleaved with other guests'
 *	and shuffled, as after many guests have started and stopped
 */
enum xp2m_mfn_pattern {
	XP2M_MFNS_ASCENDING,
	XP2M_MFNS_DESCENDING,
	XP2M_MFNS_FRAGMENTED,
};

/**
 * struct xp2m_domain_spec - a simulated domain for the builder
 * @nr_pages: pages the domain starts with: the boot list's length
 * @region_start: first pfn of the region the boot list must lie in
 * @region_end: end (exclusive) of that region
 * @pattern: how machine frames are handed out
 * @first_mfn: lowest machine frame to hand out
 * @seed: seed of the fragmented pattern
 */
struct xp2m_domain_spec {
	unsigned long nr_pages;
	unsigned long region_start;
	unsigned long region_end;
	enum xp2m_mfn_pattern pattern;
	unsigned long first_mfn;
	u32 seed;
};

int xp2m_build_domain(struct xp2m_backend *be,
		      const struct xp2m_domain_spec *spec,
		      struct xp2m_list *list);

#endif /* _XP2M_SIM_H */
