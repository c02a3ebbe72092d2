// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m ARM: log-dirty tracking for live migration.
 *
 *  start   every writable RAM entry of the range becomes LOGDIRTY, without
 *          write permission; guest TLB flush.
 *  fault   a guest write to a LOGDIRTY page traps: the handler finds the
 *          entry (VLPT: base[gpa >> 12]; else a table walk), turns it back
 *          into writable RAM with a cmpxchg, and only then sets the page's
 *          bit. No lock.
 *  clean   the save loop, pass by pass: take the bitmap a word at a time
 *          with xchg(), write-protect again every page whose bit it took,
 *          guest TLB flush; the caller then copies those pages.
 *  stop    every LOGDIRTY entry writable again.
 *
 * Why no write is lost. A write needs a writable translation. A fault makes
 * an entry writable before it sets the bit, and the write it serves comes
 * after both; so while an entry is writable with its bit clear, either a
 * fault is about to set the bit (a write in between is covered by it), or a
 * clean took the bit and has not yet write-protected the page and flushed
 * (a write in between precedes the copy that clean's caller makes). A clean
 * that took a bit always finds the entry writable, since the cmpxchg came
 * before the set_bit() it saw, and write-protects it under p2m->lock; the
 * handler's cmpxchg only acts on LOGDIRTY entries, the clean's store only on
 * writable ones, so neither undoes the other. The opposite order in the
 * handler (bit, then cmpxchg) would lose a page: a clean between the two
 * takes the bit, finds the entry still LOGDIRTY, leaves it; then the
 * handler makes it writable with no bit set, and later writes go unseen.
 *
 * Mapping or unmapping a tracked page marks it dirty: the destination must
 * hear of the change.
 */

#include <linux/bitmap.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "internal.h"

static u64 xp2m_arm_to_logdirty(u64 desc)
{
	return (desc & ~(XP2M_LPAE_TYPE_MASK | XP2M_LPAE_S2AP_W)) |
	       ((u64)XP2M_ARM_LOGDIRTY << XP2M_LPAE_TYPE_SHIFT);
}

static u64 xp2m_arm_to_ram_rw(u64 desc)
{
	return (desc & ~XP2M_LPAE_TYPE_MASK) | XP2M_LPAE_S2AP_W |
	       ((u64)XP2M_ARM_RAM_RW << XP2M_LPAE_TYPE_SHIFT);
}

static bool xp2m_arm_writable_ram(u64 desc)
{
	return xp2m_lpae_type(desc) == XP2M_ARM_RAM_RW &&
	       (desc & XP2M_LPAE_S2AP_W);
}

/*
 * Write-protect (@protect) or give write access back to the tracked RAM of
 * [@start, @end), a table at a time under p2m->lock.
 */
static unsigned long xp2m_arm_ld_convert(struct xp2m_arm_p2m *p2m, u64 start,
					 u64 end, bool protect)
{
	unsigned long n = 0;
	u64 gpa = start;

	while (gpa < end) {
		u64 next = min(end, round_down(gpa, XP2M_ARM_SECOND_SIZE) +
				    XP2M_ARM_SECOND_SIZE);
		u64 desc, *second, *third, *e;

		spin_lock(&p2m->lock);
		desc = p2m->root[xp2m_arm_first_index(gpa)];
		if (!xp2m_lpae_is_table(desc)) {
			next = min(end, round_down(gpa, XP2M_ARM_FIRST_SIZE) +
					XP2M_ARM_FIRST_SIZE);
			goto unlock;
		}
		second = xp2m_lpae_next(desc);
		desc = second[xp2m_arm_second_index(gpa)];
		if (!xp2m_lpae_is_table(desc))
			goto unlock;
		third = xp2m_lpae_next(desc);
		for (; gpa < next; gpa += XP2M_ARM_THIRD_SIZE) {
			e = &third[xp2m_arm_third_index(gpa)];
			desc = READ_ONCE(*e);
			if (protect && xp2m_arm_writable_ram(desc)) {
				WRITE_ONCE(*e, xp2m_arm_to_logdirty(desc));
				n++;
			} else if (!protect &&
				   xp2m_lpae_type(desc) == XP2M_ARM_LOGDIRTY) {
				/* The same value a racing fault's cmpxchg stores. */
				WRITE_ONCE(*e, xp2m_arm_to_ram_rw(desc));
				n++;
			}
		}
unlock:
		spin_unlock(&p2m->lock);
		gpa = next;
		cond_resched();
	}
	return n;
}

/**
 * xp2m_arm_logdirty_start() - start tracking the pages a guest writes
 * @p2m: the p2m
 * @start: first gpa tracked, page-aligned
 * @end: end of the range, exclusive, page-aligned
 *
 * Allocates the dirty bitmap (one bit per page), then write-protects every
 * writable RAM page of the range and flushes the guest TLB. Writes before
 * this returns are the first pass's business: the save loop sends every
 * page once after starting. May sleep.
 *
 * Return: 0; -EINVAL for a bad range, -ERANGE when it leaves the IPA space,
 * -EBUSY when already tracking, -ENOMEM. On error nothing changed.
 */
int xp2m_arm_logdirty_start(struct xp2m_arm_p2m *p2m, u64 start, u64 end)
{
	struct xp2m_arm_logdirty *ld;
	int err = 0;

	if (start >= end || !IS_ALIGNED(start, XP2M_ARM_THIRD_SIZE) ||
	    !IS_ALIGNED(end, XP2M_ARM_THIRD_SIZE))
		return -EINVAL;
	if (end > p2m->ipa_size)
		return -ERANGE;

	mutex_lock(&p2m->ld_mutex);
	if (xp2m_arm_ld_locked(p2m)) {
		err = -EBUSY;
		goto out;
	}
	ld = kzalloc(sizeof(*ld), GFP_KERNEL);
	if (!ld) {
		err = -ENOMEM;
		goto out;
	}
	ld->start = start;
	ld->end = end;
	ld->nr = (end - start) >> XP2M_ARM_THIRD_SHIFT;
	ld->bitmap = kvcalloc(BITS_TO_LONGS(ld->nr), sizeof(long), GFP_KERNEL);
	if (!ld->bitmap) {
		kfree(ld);
		err = -ENOMEM;
		goto out;
	}
	/* Published first: what is mapped from now on is mapped tracked. */
	spin_lock(&p2m->lock);
	rcu_assign_pointer(p2m->ld, ld);
	spin_unlock(&p2m->lock);
	if (xp2m_arm_ld_convert(p2m, start, end, true))
		xp2m_arm_flush_guest_tlb(p2m);
out:
	mutex_unlock(&p2m->ld_mutex);
	return err;
}
EXPORT_SYMBOL_GPL(xp2m_arm_logdirty_start);

/**
 * xp2m_arm_logdirty_stop() - stop tracking
 * @p2m: the p2m
 *
 * Every page still write-protected for tracking gets write access back;
 * bits not collected by a clean are dropped (a save loop cleans a last time
 * with the guest paused, before it stops). May sleep.
 *
 * Return: 0, or -EINVAL when not tracking.
 */
int xp2m_arm_logdirty_stop(struct xp2m_arm_p2m *p2m)
{
	struct xp2m_arm_logdirty *ld;

	mutex_lock(&p2m->ld_mutex);
	ld = xp2m_arm_ld_locked(p2m);
	if (!ld) {
		mutex_unlock(&p2m->ld_mutex);
		return -EINVAL;
	}
	/* Unpublished first: nothing is mapped tracked any more. */
	spin_lock(&p2m->lock);
	RCU_INIT_POINTER(p2m->ld, NULL);
	spin_unlock(&p2m->lock);
	xp2m_arm_ld_convert(p2m, ld->start, ld->end, false);
	mutex_unlock(&p2m->ld_mutex);

	/* Faults already past rcu_dereference(p2m->ld) may still set bits. */
	synchronize_rcu();
	kvfree(ld->bitmap);
	kfree(ld);
	return 0;
}
EXPORT_SYMBOL_GPL(xp2m_arm_logdirty_stop);

/*
 * The fault proper, on the entry at @slot, in an RCU read-side critical
 * section with preemption off. 1: a log-dirty fault, resolved; 0: the
 * entry is writable already
 * (another vCPU resolved it); -ENOENT: nothing mapped; -EACCES: a real
 * permission fault.
 */
static __always_inline int xp2m_arm_fault(struct xp2m_arm_p2m *p2m,
					  u64 *slot, u64 gpa)
{
	u64 desc = READ_ONCE(*slot), old;

	for (;;) {
		if (!xp2m_lpae_valid(desc))
			return -ENOENT;
		if (xp2m_lpae_type(desc) != XP2M_ARM_LOGDIRTY) {
			if (!(desc & XP2M_LPAE_S2AP_W))
				return -EACCES;
			__this_cpu_inc(p2m->pcpu->spurious);
			return 0;
		}
		old = cmpxchg64(slot, desc, xp2m_arm_to_ram_rw(desc));
		if (old == desc)
			break;
		desc = old;
	}
	/* After the cmpxchg (fully ordered): see the comment at the top. */
	xp2m_arm_mark_dirty(rcu_dereference(p2m->ld), gpa);
	__this_cpu_inc(p2m->pcpu->faults);
	return 1;
}

/**
 * xp2m_arm_write_fault() - handle a guest's stage-2 write fault
 * @p2m: the p2m
 * @gpa: the address the guest wrote
 *
 * Finds the entry through the VLPT, base[gpa >> 12], when there is one
 * covering @gpa, else by a table walk. A write-protected page that
 * log-dirty tracks is made writable and its bit set in the dirty bitmap.
 * Lock-free; callable from any context.
 *
 * Return: 1 when it was a log-dirty fault, now resolved: retry the access;
 * 0 when the page is writable already (another vCPU got there first):
 * retry; -ENOENT when @gpa is not mapped, -EACCES when it is mapped without
 * write permission (not for log-dirty), -ERANGE past the IPA space: a real
 * fault, for the guest.
 */
int xp2m_arm_write_fault(struct xp2m_arm_p2m *p2m, u64 gpa)
{
	u64 *slot;
	int ret;

	if (gpa >= p2m->ipa_size)
		return -ERANGE;
	/* As in a trap handler; and the per-CPU counters need it. */
	preempt_disable();
	rcu_read_lock();
	slot = xp2m_arm_vlpt_slot(rcu_dereference(p2m->vlpt), gpa);
	if (!slot)
		slot = xp2m_arm_walk_slot(p2m, gpa);
	ret = slot ? xp2m_arm_fault(p2m, slot, gpa) : -ENOENT;
	rcu_read_unlock();
	preempt_enable();
	return ret;
}
EXPORT_SYMBOL_GPL(xp2m_arm_write_fault);

/*
 * Write-protect again the pages of bitmap word @i whose bits a clean took
 * (@bits), if still writable RAM. Under p2m->lock, so the VLPT maps exactly
 * the tree's tables.
 */
static unsigned long xp2m_arm_reprotect(struct xp2m_arm_p2m *p2m,
					struct xp2m_arm_logdirty *ld,
					unsigned long i, unsigned long bits)
{
	struct xp2m_arm_vlpt *vlpt;
	unsigned long b, n = 0;

	spin_lock(&p2m->lock);
	vlpt = xp2m_arm_vlpt_locked(p2m);
	for_each_set_bit(b, &bits, BITS_PER_LONG) {
		u64 gpa = ld->start +
			  ((u64)(i * BITS_PER_LONG + b) << XP2M_ARM_THIRD_SHIFT);
		u64 *slot = xp2m_arm_vlpt_slot(vlpt, gpa), desc;

		if (!slot)
			slot = xp2m_arm_walk_slot(p2m, gpa);
		if (!slot)
			continue;
		desc = READ_ONCE(*slot);
		if (xp2m_arm_writable_ram(desc)) {
			WRITE_ONCE(*slot, xp2m_arm_to_logdirty(desc));
			n++;
		}
	}
	spin_unlock(&p2m->lock);
	return n;
}

static struct xp2m_arm_logdirty *xp2m_arm_ld_get(struct xp2m_arm_p2m *p2m,
						 unsigned long nbits)
{
	struct xp2m_arm_logdirty *ld = xp2m_arm_ld_locked(p2m);

	return ld && ld->nr == nbits ? ld : NULL;
}

/**
 * xp2m_arm_dirty_peek() - read the dirty bitmap, leaving it as it is
 * @p2m: the p2m
 * @dst: BITS_TO_LONGS(@nbits) words, bit i for page start + i * 4 KiB;
 *	may be NULL to count only
 * @nbits: the pages tracked (struct xp2m_arm_stats, @logdirty_pages)
 *
 * May sleep.
 *
 * Return: the number of dirty pages; -EINVAL when not tracking or @nbits is
 * not the number of pages tracked.
 */
long xp2m_arm_dirty_peek(struct xp2m_arm_p2m *p2m, unsigned long *dst,
			 unsigned long nbits)
{
	struct xp2m_arm_logdirty *ld;
	unsigned long i, w;
	long n = 0;

	mutex_lock(&p2m->ld_mutex);
	ld = xp2m_arm_ld_get(p2m, nbits);
	if (!ld) {
		mutex_unlock(&p2m->ld_mutex);
		return -EINVAL;
	}
	for (i = 0; i < BITS_TO_LONGS(ld->nr); i++) {
		w = READ_ONCE(ld->bitmap[i]);
		if (dst)
			dst[i] = w;
		n += hweight_long(w);
	}
	mutex_unlock(&p2m->ld_mutex);
	return n;
}
EXPORT_SYMBOL_GPL(xp2m_arm_dirty_peek);

/**
 * xp2m_arm_dirty_clean() - one pass of a save loop: take the dirty bitmap
 * @p2m: the p2m
 * @dst: BITS_TO_LONGS(@nbits) words, receives the bits taken; may be NULL
 * @nbits: the pages tracked (struct xp2m_arm_stats, @logdirty_pages)
 *
 * Each word is taken with xchg(), so a fault setting a bit meanwhile is
 * either in this pass or the next, never lost. Every page reported is
 * write-protected again, and the guest TLB flushed, before this returns:
 * the caller copies the pages reported after that, and so sees every write
 * made before their next fault. May sleep.
 *
 * Return: the number of pages reported dirty; -EINVAL when not tracking or
 * @nbits is not the number of pages tracked.
 */
long xp2m_arm_dirty_clean(struct xp2m_arm_p2m *p2m, unsigned long *dst,
			  unsigned long nbits)
{
	struct xp2m_arm_logdirty *ld;
	unsigned long i, w, prot = 0;
	long n = 0;

	mutex_lock(&p2m->ld_mutex);
	ld = xp2m_arm_ld_get(p2m, nbits);
	if (!ld) {
		mutex_unlock(&p2m->ld_mutex);
		return -EINVAL;
	}
	for (i = 0; i < BITS_TO_LONGS(ld->nr); i++) {
		w = READ_ONCE(ld->bitmap[i]);
		if (w)
			w = xchg(&ld->bitmap[i], 0);
		if (dst)
			dst[i] = w;
		if (!w)
			continue;
		n += hweight_long(w);
		prot += xp2m_arm_reprotect(p2m, ld, i, w);
	}
	atomic_long_inc(&p2m->passes);
	if (prot)
		xp2m_arm_flush_guest_tlb(p2m);
	mutex_unlock(&p2m->ld_mutex);
	return n;
}
EXPORT_SYMBOL_GPL(xp2m_arm_dirty_clean);
