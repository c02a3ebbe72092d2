/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xp2m: notes of the changes a p2m's owners make to it (the balloon hooks,
 * the m2p override, the live instance's follower), for its "changes" view.
 * See p2m/changes.c.
 */
#ifndef _XP2M_CHANGES_H
#define _XP2M_CHANGES_H

#include <linux/spinlock.h>
#include <linux/types.h>

struct xp2m;

/**
 * enum xp2m_what - what a range of pfns is, in a change note
 * @XP2M_WHAT_PFN: frames of the domain
 * @XP2M_WHAT_IDENTITY: identity entries
 * @XP2M_WHAT_MISSING: missing entries
 * @XP2M_WHAT_FOREIGN: foreign frames (grant mappings)
 * @XP2M_WHAT_SHARED_MISSING: a leaf on the shared missing page
 * @XP2M_WHAT_SHARED_IDENTITY: a leaf on the shared identity page
 * @XP2M_WHAT_LEAF: a leaf with a page of its own
 * @XP2M_WHAT_FRAMES: frames as the domain knew them
 * @XP2M_WHAT_RENUMBERED: every frame renumbered by the machine (a domain
 *	restored or migrated)
 * @XP2M_NR_WHAT: number of kinds
 */
enum xp2m_what {
	XP2M_WHAT_PFN,
	XP2M_WHAT_IDENTITY,
	XP2M_WHAT_MISSING,
	XP2M_WHAT_FOREIGN,
	XP2M_WHAT_SHARED_MISSING,
	XP2M_WHAT_SHARED_IDENTITY,
	XP2M_WHAT_LEAF,
	XP2M_WHAT_FRAMES,
	XP2M_WHAT_RENUMBERED,
	XP2M_NR_WHAT,
};

/**
 * enum xp2m_cause - what made a change
 * @XP2M_CAUSE_BALLOON: the balloon hooks
 * @XP2M_CAUSE_GRANT: a grant mapping or unmapping (the m2p override)
 * @XP2M_CAUSE_RESUME: the domain resumed after a save or migration
 * @XP2M_CAUSE_NEW_LEAF: the machine's own p2m gave a hole's leaf a page
 * @XP2M_NR_CAUSES: number of causes
 */
enum xp2m_cause {
	XP2M_CAUSE_BALLOON,
	XP2M_CAUSE_GRANT,
	XP2M_CAUSE_RESUME,
	XP2M_CAUSE_NEW_LEAF,
	XP2M_NR_CAUSES,
};

#define XP2M_NR_CHANGES	64

/**
 * struct xp2m_change - one change note
 * @ns: when (ktime_get_ns())
 * @start: first pfn
 * @end: end pfn, exclusive
 * @from: what the pfns were (enum xp2m_what)
 * @to: what they are
 * @cause: why (enum xp2m_cause)
 */
struct xp2m_change {
	u64 ns;
	unsigned long start;
	unsigned long end;
	u8 from;
	u8 to;
	u8 cause;
};

/**
 * struct xp2m_changes - the last changes of a p2m
 * @lock: guards @ring and @seq; taken with interrupts off, from any context
 * @seq: changes noted so far; the newest is @ring[(@seq - 1) %
 *	XP2M_NR_CHANGES]
 * @ring: the last XP2M_NR_CHANGES of them
 */
struct xp2m_changes {
	spinlock_t lock;		/* see above */
	unsigned long seq;
	struct xp2m_change ring[XP2M_NR_CHANGES];
};

void xp2m_note_change(struct xp2m *p2m, unsigned long start,
		      unsigned long end, enum xp2m_what from, enum xp2m_what to,
		      enum xp2m_cause cause);
void xp2m_note_pfns(struct xp2m *p2m, const unsigned long *pfns,
		    unsigned long nr, enum xp2m_what from, enum xp2m_what to,
		    enum xp2m_cause cause);
enum xp2m_what xp2m_what_of(unsigned long entry);

#endif /* _XP2M_CHANGES_H */
