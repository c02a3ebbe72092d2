/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xp2m ARM, a model of Xen's ARM stage-2 p2m built on every architecture
 * (see include/xp2m/arm.h): what the files of arch-arm/ share and nobody
 * else sees.
 */
#ifndef _XP2M_ARM_INTERNAL_H
#define _XP2M_ARM_INTERNAL_H

#include <linux/io.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>

#include <xp2m/arm.h>

/* Index of @gpa in the (concatenated) root, a second and a third table. */
static inline unsigned long xp2m_arm_first_index(u64 gpa)
{
	return gpa >> XP2M_ARM_FIRST_SHIFT;
}

static inline unsigned int xp2m_arm_second_index(u64 gpa)
{
	return (gpa >> XP2M_ARM_SECOND_SHIFT) & (XP2M_ARM_ENTRIES - 1);
}

static inline unsigned int xp2m_arm_third_index(u64 gpa)
{
	return (gpa >> XP2M_ARM_THIRD_SHIFT) & (XP2M_ARM_ENTRIES - 1);
}

/* A table descriptor at the first or second level. */
static inline bool xp2m_lpae_is_table(u64 desc)
{
	return (desc & (XP2M_LPAE_VALID | XP2M_LPAE_TABLE)) ==
	       (XP2M_LPAE_VALID | XP2M_LPAE_TABLE);
}

/*
 * Tables are kernel pages; a table descriptor holds the page's physical
 * address, as the hardware's does, and the walk goes back through the
 * kernel's direct map.
 */
static inline u64 *xp2m_lpae_next(u64 desc)
{
	return phys_to_virt(desc & XP2M_LPAE_ADDR_MASK);
}

static inline u64 xp2m_lpae_table_desc(struct page *table)
{
	return page_to_phys(table) | XP2M_LPAE_VALID | XP2M_LPAE_TABLE;
}

/*
 * The third-level entry of @gpa, found by walking the tree; NULL when no
 * third-level table covers it. Lock-free under rcu_read_lock(), or under
 * p2m->lock.
 */
static inline u64 *xp2m_arm_walk_slot(struct xp2m_arm_p2m *p2m, u64 gpa)
{
	u64 desc, *table;

	if (gpa >= p2m->ipa_size)
		return NULL;
	desc = READ_ONCE(p2m->root[xp2m_arm_first_index(gpa)]);
	if (!xp2m_lpae_is_table(desc))
		return NULL;
	table = xp2m_lpae_next(desc);
	desc = READ_ONCE(table[xp2m_arm_second_index(gpa)]);
	if (!xp2m_lpae_is_table(desc))
		return NULL;
	table = xp2m_lpae_next(desc);
	return &table[xp2m_arm_third_index(gpa)];
}

/*
 * The VLPT: third-level tables mapped side by side in one vmap() area, the
 * shared read-only empty page wherever the tree has no table.
 * @start, @end: the gpa window it covers, multiples of 2 MiB
 * @base: biased so that base[gpa >> 12] is the entry of @gpa
 * @area: the vmap() area; slot i maps the table of @start + i * 2 MiB
 * @nr_slots: pages of @area
 * @slot: the table page each slot maps, NULL for the empty page (p2m->lock)
 * @empty: the empty page
 * @mapped: slots that map a table (p2m->lock)
 */
struct xp2m_arm_vlpt {
	u64 start;
	u64 end;
	u64 *base;
	void *area;
	unsigned long nr_slots;
	struct page **slot;
	struct page *empty;
	unsigned long mapped;
};

/* The VLPT entry of @gpa, or NULL when @vlpt does not cover it. */
static inline u64 *xp2m_arm_vlpt_slot(struct xp2m_arm_vlpt *vlpt, u64 gpa)
{
	/* One compare: below the start wraps around to a huge offset. */
	if (!vlpt || gpa - vlpt->start >= vlpt->end - vlpt->start)
		return NULL;
	return &vlpt->base[gpa >> XP2M_ARM_THIRD_SHIFT];
}

/*
 * Log-dirty state.
 * @start, @end: gpa range tracked, page-aligned
 * @nr: pages in it, bits of @bitmap
 * @bitmap: bit i set: page @start + i * 4 KiB written (or remapped) since
 *	the bit was last cleaned; set_bit() by faults, xchg() by cleans
 */
struct xp2m_arm_logdirty {
	u64 start;
	u64 end;
	unsigned long nr;
	unsigned long *bitmap;
};

static inline void xp2m_arm_mark_dirty(struct xp2m_arm_logdirty *ld, u64 gpa)
{
	if (ld && gpa >= ld->start && gpa < ld->end)
		set_bit((gpa - ld->start) >> XP2M_ARM_THIRD_SHIFT, ld->bitmap);
}

/* Per-CPU counters of the write-fault handler. */
struct xp2m_arm_pcpu {
	unsigned long faults;
	unsigned long spurious;
};

/* The tree, under p2m->lock (lpae.c). */
static inline struct xp2m_arm_vlpt *xp2m_arm_vlpt_locked(struct xp2m_arm_p2m *p2m)
{
	return rcu_dereference_protected(p2m->vlpt, lockdep_is_held(&p2m->lock));
}

static inline struct xp2m_arm_logdirty *
xp2m_arm_ld_locked(struct xp2m_arm_p2m *p2m)
{
	return rcu_dereference_protected(p2m->ld,
					 lockdep_is_held(&p2m->lock) ||
					 lockdep_is_held(&p2m->ld_mutex));
}

void xp2m_arm_flush_guest_tlb(struct xp2m_arm_p2m *p2m);

/* VLPT upkeep under p2m->lock (vlpt.c). */
void xp2m_arm_vlpt_install(struct xp2m_arm_p2m *p2m,
			   struct xp2m_arm_vlpt *vlpt, u64 gpa,
			   struct page *table, unsigned long *lo,
			   unsigned long *hi);
void xp2m_arm_vlpt_retire(struct xp2m_arm_p2m *p2m,
			  struct xp2m_arm_vlpt *vlpt, u64 gpa,
			  struct page *table, unsigned long *lo,
			  unsigned long *hi);

/* Pages, counted (main.c). */
struct page *xp2m_arm_alloc_pages(unsigned int order);
void xp2m_arm_free_pages(struct page *page, unsigned int order);
struct page *xp2m_arm_alloc_table(void);
void xp2m_arm_free_table(struct page *page);
struct dentry *xp2m_arm_debugfs_dir(void);

#endif /* _XP2M_ARM_INTERNAL_H */
