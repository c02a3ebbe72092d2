/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xp2m_balloon: balloon hooks for a p2m.
 *
 * A balloon space is a pfn range whose leaves get pages of their own when
 * it is set up, so that releasing frames to the hypervisor (entries become
 * missing and balloon-owned) and populating them again never allocates.
 * xp2m_balloon_increase() and xp2m_balloon_decrease() drive the whole
 * exchange with the hypervisor through the machine's operations.
 *
 * See Documentation/m2p-balloon.rst.
 */
#ifndef _XP2M_BALLOON_H
#define _XP2M_BALLOON_H

#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include <xp2m/p2m.h>

struct dentry;

/*
 * Extents a reservation hypercall takes at most: one page of frame
 * numbers, as Linux's balloon driver batches them.
 */
#define XP2M_BALLOON_BATCH	(PAGE_SIZE / sizeof(unsigned long))

/**
 * struct xp2m_balloon - the balloon of a p2m
 * @p2m: the p2m
 * @start: first pfn of the balloon space
 * @end: its end, exclusive
 * @owned: one bit per pfn of the space: ballooned out, owned by the balloon
 * @nr_owned: bits set in @owned
 * @lock: serialises release and populate, and protects @owned and
 *	@nr_owned; the p2m entries they write are single stores into private
 *	leaves, so lookups need no lock
 * @resv_lock: serialises xp2m_balloon_increase() and
 *	xp2m_balloon_decrease() (which sleep in hypercalls), and protects
 *	@frames, @hypercalls and @extents
 * @frames: one batch of frame numbers, allocated with the balloon so that
 *	the reservation path allocates nothing
 * @hypercalls: reservation hypercalls made (populate and decrease)
 * @extents: extents those hypercalls completed
 */
struct xp2m_balloon {
	struct xp2m *p2m;
	unsigned long start;
	unsigned long end;
	unsigned long *owned;
	unsigned long nr_owned;
	spinlock_t lock;		/* see above */
	struct mutex resv_lock;		/* see above */
	unsigned long *frames;
	unsigned long hypercalls;
	unsigned long extents;
};

int xp2m_balloon_init(struct xp2m_balloon *b, struct xp2m *p2m,
		      unsigned long start, unsigned long end);
void xp2m_balloon_destroy(struct xp2m_balloon *b);
long xp2m_balloon_release(struct xp2m_balloon *b, const unsigned long *pfns,
			  unsigned int n, unsigned long *mfns);
long xp2m_balloon_populate(struct xp2m_balloon *b, const unsigned long *pfns,
			   const unsigned long *mfns, unsigned int n);
bool xp2m_balloon_owned(struct xp2m_balloon *b, unsigned long pfn);
long xp2m_balloon_increase(struct xp2m_balloon *b, const unsigned long *pfns,
			   unsigned long n);
long xp2m_balloon_decrease(struct xp2m_balloon *b, const unsigned long *pfns,
			   unsigned long n);
void xp2m_balloon_debugfs(struct xp2m_balloon *b, struct dentry *dir);

#endif /* _XP2M_BALLOON_H */
