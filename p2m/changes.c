// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m core: the last changes of a p2m, for its "changes" view.
 *
 * The p2m bugs users meet when memory is adjusted (a balloon that leaves a
 * leaf behind, a grant mapping that outlives its page, a resume that misses
 * a leaf) are easiest to see as a history: which pfns changed, from what to
 * what, and why. The owners of an instance say so as they change it (the
 * balloon hooks, the m2p override, the live instance's follower); the core
 * keeps the last XP2M_NR_CHANGES in a ring, under a spinlock, so that any
 * context may note one, the balloon's included, which must not allocate.
 */

#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>

#include "internal.h"

static const char * const xp2m_what_names[XP2M_NR_WHAT] = {
	[XP2M_WHAT_PFN] = "pfn",
	[XP2M_WHAT_IDENTITY] = "identity",
	[XP2M_WHAT_MISSING] = "missing",
	[XP2M_WHAT_FOREIGN] = "foreign",
	[XP2M_WHAT_SHARED_MISSING] = "shared-missing-leaf",
	[XP2M_WHAT_SHARED_IDENTITY] = "shared-identity-leaf",
	[XP2M_WHAT_LEAF] = "leaf",
	[XP2M_WHAT_FRAMES] = "frames",
	[XP2M_WHAT_RENUMBERED] = "renumbered-frames",
};

static const char * const xp2m_cause_names[XP2M_NR_CAUSES] = {
	[XP2M_CAUSE_BALLOON] = "balloon",
	[XP2M_CAUSE_GRANT] = "grant",
	[XP2M_CAUSE_RESUME] = "resume",
	[XP2M_CAUSE_NEW_LEAF] = "new leaf",
};

/**
 * xp2m_note_change() - remember a change of a p2m for its "changes" view
 * @p2m: the p2m
 * @start: first pfn changed
 * @end: end of the range, exclusive
 * @from: what the pfns were
 * @to: what they are now
 * @cause: what changed them
 *
 * Any context; never sleeps, never allocates.
 */
void xp2m_note_change(struct xp2m *p2m, unsigned long start,
		      unsigned long end, enum xp2m_what from, enum xp2m_what to,
		      enum xp2m_cause cause)
{
	struct xp2m_changes *c = &p2m->changes;
	struct xp2m_change *e;
	unsigned long flags;

	if (start >= end || from >= XP2M_NR_WHAT || to >= XP2M_NR_WHAT ||
	    cause >= XP2M_NR_CAUSES)
		return;
	spin_lock_irqsave(&c->lock, flags);
	e = &c->ring[c->seq % XP2M_NR_CHANGES];
	e->ns = ktime_get_ns();
	e->start = start;
	e->end = end;
	e->from = from;
	e->to = to;
	e->cause = cause;
	c->seq++;
	spin_unlock_irqrestore(&c->lock, flags);
}
EXPORT_SYMBOL_GPL(xp2m_note_change);

/**
 * xp2m_note_pfns() - remember changes of a list of pfns, by run
 * @p2m: the p2m
 * @pfns: the pfns, @nr of them; consecutive ones are noted as one run
 * @nr: count
 * @from: what they were
 * @to: what they are now
 * @cause: what changed them
 *
 * Any context; never sleeps, never allocates.
 */
void xp2m_note_pfns(struct xp2m *p2m, const unsigned long *pfns,
		    unsigned long nr, enum xp2m_what from, enum xp2m_what to,
		    enum xp2m_cause cause)
{
	unsigned long i, start;

	for (i = 0; i < nr; ) {
		start = i++;
		while (i < nr && pfns[i] == pfns[i - 1] + 1)
			i++;
		xp2m_note_change(p2m, pfns[start], pfns[i - 1] + 1, from, to,
				 cause);
	}
}
EXPORT_SYMBOL_GPL(xp2m_note_pfns);

/**
 * xp2m_what_of() - what an entry is, for a change note
 * @entry: a p2m entry
 *
 * Return: the entry's class.
 */
enum xp2m_what xp2m_what_of(unsigned long entry)
{
	static const enum xp2m_what what[XP2M_NR_TYPES] = {
		[XP2M_TYPE_PFN] = XP2M_WHAT_PFN,
		[XP2M_TYPE_IDENTITY] = XP2M_WHAT_IDENTITY,
		[XP2M_TYPE_MISSING] = XP2M_WHAT_MISSING,
		[XP2M_TYPE_FOREIGN] = XP2M_WHAT_FOREIGN,
	};

	return what[xp2m_entry_type(entry)];
}
EXPORT_SYMBOL_GPL(xp2m_what_of);

void xp2m_changes_init(struct xp2m *p2m)
{
	spin_lock_init(&p2m->changes.lock);
}

/*
 * The "changes" view, oldest first: " [0x<first>->0x<end>] <from> -> <to>
 * (<cause>) <seconds since boot>", end exclusive as in the ranges view.
 */
void xp2m_changes_show(struct seq_file *m, struct xp2m *p2m)
{
	struct xp2m_changes *c = &p2m->changes;
	unsigned long flags, first, i;
	const struct xp2m_change *e;
	u32 rem;
	u64 s;

	/* A seq_file line is never more than its buffer: no sleep in here. */
	spin_lock_irqsave(&c->lock, flags);
	first = c->seq > XP2M_NR_CHANGES ? c->seq - XP2M_NR_CHANGES : 0;
	seq_printf(m, "changes %lu, last %lu shown\n", c->seq, c->seq - first);
	for (i = first; i < c->seq; i++) {
		e = &c->ring[i % XP2M_NR_CHANGES];
		s = div_u64_rem(e->ns, NSEC_PER_SEC, &rem);
		seq_printf(m, " [0x%lx->0x%lx] %s -> %s (%s) %llu.%06u\n",
			   e->start, e->end, xp2m_what_names[e->from],
			   xp2m_what_names[e->to], xp2m_cause_names[e->cause],
			   s, (u32)(rem / NSEC_PER_USEC));
	}
	spin_unlock_irqrestore(&c->lock, flags);
}
