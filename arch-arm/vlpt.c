// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m ARM: the virtual-linear page table (VLPT).
 *
 * Every third-level table of the p2m is one page of 512 descriptors
 * covering 2 MiB of guest physical space. Mapping the table of
 * [start + i * 2 MiB, start + (i + 1) * 2 MiB) at page i of one virtual
 * area lays the third-level entries of the whole window end to end, so that
 * the entry of any gpa is one load away: base[gpa >> 12], with base biased
 * by start. A hypervisor does this with its own page tables (Xen copies the
 * guest's first-level entries into its second level); a module cannot
 * install page tables, so the area is made with vmap() and its PTEs are
 * rewritten one page at a time (xp2m_kpte_set()), as the linear p2m is.
 *
 * Coherence, under p2m->lock:
 *  - a table linked into the tree is mapped at its slot at once, and the
 *    kernel TLB flushed before the lock is dropped;
 *  - a table taken out of the tree stays mapped (it is all invalid entries
 *    by then) until an RCU grace period has passed, so that a lock-free
 *    reader that loaded the slot never finds the read-only empty page under
 *    its cmpxchg; then the slot gets the empty page back, the TLB is
 *    flushed, and only then is the table freed.
 * Slots with no table map one shared zero-filled read-only page: they read
 * as invalid entries, and a stray write faults rather than corrupting them.
 */

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <xp2m/kpte.h>

#include "internal.h"

static unsigned long xp2m_arm_slot_va(struct xp2m_arm_vlpt *vlpt,
				      unsigned long i)
{
	return (unsigned long)vlpt->area + i * PAGE_SIZE;
}

static void xp2m_arm_span(unsigned long va, unsigned long *lo,
			  unsigned long *hi)
{
	*lo = min(*lo, va);
	*hi = max(*hi, va + PAGE_SIZE);
}

/* Under p2m->lock: third-level table @table now covers @gpa. */
void xp2m_arm_vlpt_install(struct xp2m_arm_p2m *p2m,
			   struct xp2m_arm_vlpt *vlpt, u64 gpa,
			   struct page *table, unsigned long *lo,
			   unsigned long *hi)
{
	unsigned long i, va;

	lockdep_assert_held(&p2m->lock);
	if (gpa < vlpt->start || gpa >= vlpt->end)
		return;
	i = (gpa - vlpt->start) >> XP2M_ARM_SECOND_SHIFT;
	va = xp2m_arm_slot_va(vlpt, i);
	/* Cannot fail: the area is ours, made of 4 KiB PTEs. */
	if (WARN_ON_ONCE(xp2m_kpte_set(va, table, true)))
		return;
	if (!vlpt->slot[i])
		vlpt->mapped++;
	vlpt->slot[i] = table;
	xp2m_arm_span(va, lo, hi);
}

/* Under p2m->lock: @table, which covered @gpa, is gone from the tree. */
void xp2m_arm_vlpt_retire(struct xp2m_arm_p2m *p2m,
			  struct xp2m_arm_vlpt *vlpt, u64 gpa,
			  struct page *table, unsigned long *lo,
			  unsigned long *hi)
{
	unsigned long i, va;

	lockdep_assert_held(&p2m->lock);
	if (gpa < vlpt->start || gpa >= vlpt->end)
		return;
	i = (gpa - vlpt->start) >> XP2M_ARM_SECOND_SHIFT;
	if (vlpt->slot[i] != table)
		return;		/* a new table has the slot already */
	va = xp2m_arm_slot_va(vlpt, i);
	if (WARN_ON_ONCE(xp2m_kpte_set(va, vlpt->empty, false)))
		return;
	vlpt->slot[i] = NULL;
	vlpt->mapped--;
	xp2m_arm_span(va, lo, hi);
}

/* Free a VLPT no reader can reach any more. */
static void xp2m_arm_vlpt_free(struct xp2m_arm_vlpt *vlpt)
{
	if (vlpt->area)
		vunmap(vlpt->area);
	if (vlpt->empty)
		xp2m_arm_free_table(vlpt->empty);
	kvfree(vlpt->slot);
	kfree(vlpt);
}

/* Under p2m->lock: map every third-level table the tree has in the window. */
static void xp2m_arm_vlpt_fill(struct xp2m_arm_p2m *p2m,
			       struct xp2m_arm_vlpt *vlpt)
{
	unsigned long lo = ULONG_MAX, hi = 0;
	u64 gpa = vlpt->start;

	lockdep_assert_held(&p2m->lock);
	while (gpa < vlpt->end) {
		u64 desc = p2m->root[xp2m_arm_first_index(gpa)];
		u64 *second;

		if (!xp2m_lpae_is_table(desc)) {
			gpa = round_down(gpa, XP2M_ARM_FIRST_SIZE) +
			      XP2M_ARM_FIRST_SIZE;
			continue;
		}
		second = xp2m_lpae_next(desc);
		desc = second[xp2m_arm_second_index(gpa)];
		if (xp2m_lpae_is_table(desc))
			xp2m_arm_vlpt_install(p2m, vlpt, gpa,
					      virt_to_page(xp2m_lpae_next(desc)),
					      &lo, &hi);
		gpa += XP2M_ARM_SECOND_SIZE;
	}
	/* The fresh area was never read through: flush it all the same. */
	xp2m_kpte_flush((unsigned long)vlpt->area,
			xp2m_arm_slot_va(vlpt, vlpt->nr_slots));
}

/**
 * xp2m_arm_vlpt_create() - make the VLPT of a p2m
 * @p2m: the p2m
 * @start: first gpa covered, a multiple of 2 MiB
 * @end: end of the window, exclusive, a multiple of 2 MiB
 *
 * Maps every third-level table of [@start, @end) into one virtual area,
 * (@end - @start) / 512 bytes of it; from then on the write-fault handler
 * finds the entry of a gpa in the window at base[gpa >> 12], and tables that
 * come and go are mapped and unmapped there as they do. May sleep.
 *
 * Return: 0; -EOPNOTSUPP when this kernel cannot change single PTEs of a
 * vmap() area (xp2m_kpte_supported()) or does not use 4 KiB pages,
 * -EINVAL for a bad window, -ERANGE when it leaves the IPA space, -EBUSY
 * when @p2m has a VLPT, -ENOMEM. On error nothing changed.
 */
int xp2m_arm_vlpt_create(struct xp2m_arm_p2m *p2m, u64 start, u64 end)
{
	struct xp2m_arm_vlpt *vlpt;
	struct page **pages;
	unsigned long i;
	int err = -ENOMEM;

	if (!xp2m_kpte_supported() || PAGE_SHIFT != XP2M_ARM_THIRD_SHIFT)
		return -EOPNOTSUPP;
	if (start >= end || !IS_ALIGNED(start, XP2M_ARM_SECOND_SIZE) ||
	    !IS_ALIGNED(end, XP2M_ARM_SECOND_SIZE))
		return -EINVAL;
	if (end > p2m->ipa_size)
		return -ERANGE;
	if (rcu_access_pointer(p2m->vlpt))
		return -EBUSY;

	vlpt = kzalloc(sizeof(*vlpt), GFP_KERNEL);
	if (!vlpt)
		return -ENOMEM;
	vlpt->start = start;
	vlpt->end = end;
	vlpt->nr_slots = (end - start) >> XP2M_ARM_SECOND_SHIFT;
	vlpt->slot = kvcalloc(vlpt->nr_slots, sizeof(*vlpt->slot), GFP_KERNEL);
	if (!vlpt->slot)
		goto fail;
	vlpt->empty = xp2m_arm_alloc_table();
	if (!vlpt->empty)
		goto fail;
	pages = kvcalloc(vlpt->nr_slots, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		goto fail;
	for (i = 0; i < vlpt->nr_slots; i++)
		pages[i] = vlpt->empty;
	vlpt->area = vmap(pages, vlpt->nr_slots, VM_MAP, xp2m_kpte_prot(false));
	kvfree(pages);
	if (!vlpt->area)
		goto fail;
	vlpt->base = (u64 *)((unsigned long)vlpt->area -
			     (start >> XP2M_ARM_THIRD_SHIFT) * sizeof(u64));

	spin_lock(&p2m->lock);
	if (xp2m_arm_vlpt_locked(p2m)) {
		spin_unlock(&p2m->lock);
		err = -EBUSY;
		goto fail;
	}
	xp2m_arm_vlpt_fill(p2m, vlpt);
	rcu_assign_pointer(p2m->vlpt, vlpt);
	spin_unlock(&p2m->lock);
	return 0;

fail:
	xp2m_arm_vlpt_free(vlpt);
	return err;
}
EXPORT_SYMBOL_GPL(xp2m_arm_vlpt_create);

/**
 * xp2m_arm_vlpt_destroy() - take the VLPT of a p2m down
 * @p2m: the p2m; without a VLPT this does nothing
 *
 * The write-fault handler walks the tables from then on. May sleep.
 */
void xp2m_arm_vlpt_destroy(struct xp2m_arm_p2m *p2m)
{
	struct xp2m_arm_vlpt *vlpt;

	spin_lock(&p2m->lock);
	vlpt = xp2m_arm_vlpt_locked(p2m);
	RCU_INIT_POINTER(p2m->vlpt, NULL);
	spin_unlock(&p2m->lock);
	if (!vlpt)
		return;
	synchronize_rcu();
	xp2m_arm_vlpt_free(vlpt);
}
EXPORT_SYMBOL_GPL(xp2m_arm_vlpt_destroy);

/**
 * xp2m_arm_vlpt_read() - the third-level descriptor of a gpa, by the VLPT
 * @p2m: the p2m
 * @gpa: guest physical address
 * @desc: the descriptor, 0 where no table covers @gpa
 *
 * One load, base[gpa >> 12]; lock-free.
 *
 * Return: 0; -ENOENT when @p2m has no VLPT, -ERANGE when @gpa is outside
 * its window.
 */
int xp2m_arm_vlpt_read(struct xp2m_arm_p2m *p2m, u64 gpa, u64 *desc)
{
	struct xp2m_arm_vlpt *vlpt;
	int err = 0;
	u64 *slot;

	rcu_read_lock();
	vlpt = rcu_dereference(p2m->vlpt);
	slot = xp2m_arm_vlpt_slot(vlpt, gpa);
	if (slot)
		*desc = READ_ONCE(*slot);
	else
		err = vlpt ? -ERANGE : -ENOENT;
	rcu_read_unlock();
	return err;
}
EXPORT_SYMBOL_GPL(xp2m_arm_vlpt_read);
