// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m ARM: an LPAE stage-2 p2m, 4 KiB granule.
 *
 *   root[gpa >> 30]                    first level: 1 << root_order pages,
 *    -> second[(gpa >> 21) & 511]      concatenated past 39 IPA bits
 *        -> third[(gpa >> 12) & 511]   page descriptor: frame, S2AP, type
 *
 * Only pages are mapped, no blocks: log-dirty tracking and the VLPT want a
 * third-level entry for every page. A table comes when a mapping first needs
 * it and goes when its last entry is unmapped; the number of valid entries a
 * table holds is kept in its struct page (page_private), and page->index
 * says which 2 MiB (third level) or GiB (second level) it covers.
 *
 * Changes run under p2m->lock, after every table they may need has been
 * allocated: a change either fails before touching anything or succeeds.
 * Readers walk without a lock (see struct xp2m_arm_p2m).
 */

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include <xp2m/kpte.h>

#include "internal.h"

/* 2 MiB chunks (third-level tables' spans) that [@start, @end) touches. */
static unsigned long xp2m_arm_chunks(u64 start, u64 end)
{
	return ((end - 1) >> XP2M_ARM_SECOND_SHIFT) -
	       (start >> XP2M_ARM_SECOND_SHIFT) + 1;
}

static u64 xp2m_arm_next_chunk(u64 gpa, u64 end)
{
	return min(end, round_down(gpa, XP2M_ARM_SECOND_SIZE) +
			XP2M_ARM_SECOND_SIZE);
}

static u64 xp2m_arm_next_gib(u64 gpa, u64 end)
{
	return min(end, round_down(gpa, XP2M_ARM_FIRST_SIZE) +
			XP2M_ARM_FIRST_SIZE);
}

/* The struct page of a table, which keeps its count of valid entries. */
static struct page *xp2m_arm_table_page(u64 *table)
{
	return virt_to_page(table);
}

static void xp2m_arm_table_add(u64 *table, long delta)
{
	struct page *page = xp2m_arm_table_page(table);

	set_page_private(page, page_private(page) + delta);
}

/**
 * xp2m_arm_type_name() - the name of a stage-2 entry type
 * @type: the type
 *
 * Return: "none", "ram_rw", "ram_ro", "mmio", "foreign" or "logdirty".
 */
const char *xp2m_arm_type_name(enum xp2m_arm_type type)
{
	static const char * const names[XP2M_ARM_NR_TYPES] = {
		[XP2M_ARM_NONE] = "none",
		[XP2M_ARM_RAM_RW] = "ram_rw",
		[XP2M_ARM_RAM_RO] = "ram_ro",
		[XP2M_ARM_MMIO] = "mmio",
		[XP2M_ARM_FOREIGN] = "foreign",
		[XP2M_ARM_LOGDIRTY] = "logdirty",
	};

	return type < XP2M_ARM_NR_TYPES ? names[type] : "bad";
}
EXPORT_SYMBOL_GPL(xp2m_arm_type_name);

/* The page descriptor of @mfn, without the frame when @mfn is 0. */
static u64 xp2m_arm_pte(unsigned long mfn, enum xp2m_arm_type type,
			unsigned int perms)
{
	u64 desc = XP2M_LPAE_VALID | XP2M_LPAE_TABLE | XP2M_LPAE_AF |
		   XP2M_LPAE_SH_INNER | ((u64)mfn << XP2M_ARM_THIRD_SHIFT) |
		   ((u64)type << XP2M_LPAE_TYPE_SHIFT);

	desc |= (type == XP2M_ARM_MMIO ? XP2M_LPAE_MEMATTR_DEVICE :
					 XP2M_LPAE_MEMATTR_NORMAL)
		<< XP2M_LPAE_MEMATTR_SHIFT;
	if (perms & XP2M_ARM_R)
		desc |= XP2M_LPAE_S2AP_R;
	if (perms & XP2M_ARM_W)
		desc |= XP2M_LPAE_S2AP_W;
	if (!(perms & XP2M_ARM_X))
		desc |= XP2M_LPAE_XN;
	return desc;
}

void xp2m_arm_flush_guest_tlb(struct xp2m_arm_p2m *p2m)
{
	atomic_long_inc(&p2m->tlb_flushes);
	if (p2m->flush_tlb)
		p2m->flush_tlb(p2m->flush_data);
}

/* A page-aligned range of @nr pages from @gpa that fits the IPA space. */
static int xp2m_arm_check_range(struct xp2m_arm_p2m *p2m, u64 gpa,
				unsigned long nr)
{
	if (!nr || !IS_ALIGNED(gpa, XP2M_ARM_THIRD_SIZE))
		return -EINVAL;
	if (gpa >= p2m->ipa_size ||
	    nr > (p2m->ipa_size - gpa) >> XP2M_ARM_THIRD_SHIFT)
		return -ERANGE;
	return 0;
}

static int xp2m_arm_check_map(unsigned long mfn, unsigned long nr,
			      enum xp2m_arm_type type, unsigned int perms)
{
	if (mfn > XP2M_ARM_MAX_MFN || nr - 1 > XP2M_ARM_MAX_MFN - mfn)
		return -EINVAL;
	if (!perms || perms & ~XP2M_ARM_RWX)
		return -EINVAL;
	switch (type) {
	case XP2M_ARM_RAM_RW:
	case XP2M_ARM_FOREIGN:
		return 0;
	case XP2M_ARM_RAM_RO:
		return perms & XP2M_ARM_W ? -EINVAL : 0;
	case XP2M_ARM_MMIO:
		return perms & XP2M_ARM_X ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
}

/*
 * Under p2m->lock: how many tables mapping [@gpa, @end) would add, or
 * -EEXIST if any page of it is mapped already.
 */
static long xp2m_arm_map_scan(struct xp2m_arm_p2m *p2m, u64 gpa, u64 end)
{
	long need = 0;

	lockdep_assert_held(&p2m->lock);
	while (gpa < end) {
		u64 gib_end = xp2m_arm_next_gib(gpa, end);
		u64 desc = p2m->root[xp2m_arm_first_index(gpa)];
		u64 *second;

		if (!xp2m_lpae_is_table(desc)) {
			need += 1 + xp2m_arm_chunks(gpa, gib_end);
			gpa = gib_end;
			continue;
		}
		second = xp2m_lpae_next(desc);
		while (gpa < gib_end) {
			u64 chunk_end = xp2m_arm_next_chunk(gpa, gib_end);
			u64 *third;

			desc = second[xp2m_arm_second_index(gpa)];
			if (!xp2m_lpae_is_table(desc)) {
				need++;
				gpa = chunk_end;
				continue;
			}
			third = xp2m_lpae_next(desc);
			for (; gpa < chunk_end; gpa += XP2M_ARM_THIRD_SIZE)
				if (xp2m_lpae_valid(third[xp2m_arm_third_index(gpa)]))
					return -EEXIST;
		}
	}
	return need;
}

/* Pages set aside before a change, so that the change cannot fail. */
struct xp2m_arm_reserve {
	struct list_head pages;
	long nr;
};

static int xp2m_arm_reserve_fill(struct xp2m_arm_reserve *r, long nr)
{
	struct page *page;

	while (r->nr < nr) {
		page = xp2m_arm_alloc_table();
		if (!page)
			return -ENOMEM;
		list_add(&page->lru, &r->pages);
		r->nr++;
	}
	return 0;
}

static struct page *xp2m_arm_reserve_take(struct xp2m_arm_reserve *r)
{
	struct page *page = list_first_entry(&r->pages, struct page, lru);

	list_del(&page->lru);
	r->nr--;
	return page;
}

static void xp2m_arm_free_list(struct list_head *pages)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, pages, lru) {
		list_del(&page->lru);
		xp2m_arm_free_table(page);
	}
}

/*
 * Under p2m->lock: the third-level table of @gpa, linking in a second- and
 * a third-level table from @r where there is none. A new table is zeroed
 * and published with a release store, so a lock-free walker that sees the
 * descriptor sees the zeroes too. The VLPT slot of a new third-level table
 * is mapped at once; the caller flushes [@lo, @hi) before unlocking.
 */
static u64 *xp2m_arm_ensure_third(struct xp2m_arm_p2m *p2m, u64 gpa,
				  struct xp2m_arm_reserve *r,
				  struct xp2m_arm_vlpt *vlpt,
				  unsigned long *lo, unsigned long *hi)
{
	u64 *first = &p2m->root[xp2m_arm_first_index(gpa)];
	u64 *second, *slot;
	struct page *page;

	lockdep_assert_held(&p2m->lock);
	if (!xp2m_lpae_is_table(*first)) {
		page = xp2m_arm_reserve_take(r);
		page->index = xp2m_arm_first_index(gpa);
		/* Zeroed before lock-free walkers can see it. */
		smp_store_release(first, xp2m_lpae_table_desc(page));
		p2m->second_tables++;
	}
	second = xp2m_lpae_next(*first);
	slot = &second[xp2m_arm_second_index(gpa)];
	if (!xp2m_lpae_is_table(*slot)) {
		page = xp2m_arm_reserve_take(r);
		page->index = gpa >> XP2M_ARM_SECOND_SHIFT;
		/* Zeroed before lock-free walkers can see it. */
		smp_store_release(slot, xp2m_lpae_table_desc(page));
		xp2m_arm_table_add(second, 1);
		p2m->third_tables++;
		if (vlpt)
			xp2m_arm_vlpt_install(p2m, vlpt, gpa, page, lo, hi);
	}
	return xp2m_lpae_next(*slot);
}

/**
 * xp2m_arm_map() - map guest physical pages
 * @p2m: the p2m
 * @gpa: first guest physical address, page-aligned
 * @mfn: the frame @gpa maps; page i of the range maps @mfn + i
 * @nr: number of pages
 * @type: %XP2M_ARM_RAM_RW, %XP2M_ARM_RAM_RO, %XP2M_ARM_MMIO or
 *	%XP2M_ARM_FOREIGN
 * @perms: access allowed, %XP2M_ARM_R | %XP2M_ARM_W | %XP2M_ARM_X, not
 *	empty; no write to %XP2M_ARM_RAM_RO, no execution of %XP2M_ARM_MMIO
 *
 * Links in the tables the range needs (and maps them in the VLPT). While
 * log-dirty tracks a page, mapping it marks it dirty, and writable RAM is
 * mapped write-protected (%XP2M_ARM_LOGDIRTY) so that its writes are seen.
 * A mapped page is never remapped in place (that would need
 * break-before-make): unmap it first. May sleep.
 *
 * Return: 0; -EINVAL for a bad argument, -ERANGE when the range leaves the
 * IPA space, -EEXIST when a page of it is mapped, -ENOMEM. On error nothing
 * changed.
 */
int xp2m_arm_map(struct xp2m_arm_p2m *p2m, u64 gpa, unsigned long mfn,
		 unsigned long nr, enum xp2m_arm_type type, unsigned int perms)
{
	struct xp2m_arm_reserve r = { LIST_HEAD_INIT(r.pages), 0 };
	bool track = type == XP2M_ARM_RAM_RW && (perms & XP2M_ARM_W);
	unsigned long lo = ULONG_MAX, hi = 0;
	struct xp2m_arm_logdirty *ld;
	struct xp2m_arm_vlpt *vlpt;
	u64 end, desc;
	long need;
	int err;

	err = xp2m_arm_check_range(p2m, gpa, nr) ?:
	      xp2m_arm_check_map(mfn, nr, type, perms);
	if (err)
		return err;
	end = gpa + ((u64)nr << XP2M_ARM_THIRD_SHIFT);

	spin_lock(&p2m->lock);
	while ((need = xp2m_arm_map_scan(p2m, gpa, end)) > r.nr) {
		spin_unlock(&p2m->lock);
		err = xp2m_arm_reserve_fill(&r, need);
		if (err)
			goto out;
		spin_lock(&p2m->lock);
	}
	if (need < 0) {
		err = need;
		goto unlock;
	}

	vlpt = xp2m_arm_vlpt_locked(p2m);
	ld = xp2m_arm_ld_locked(p2m);
	desc = xp2m_arm_pte(mfn, type, perms);
	while (gpa < end) {
		u64 chunk_end = xp2m_arm_next_chunk(gpa, end);
		u64 *third = xp2m_arm_ensure_third(p2m, gpa, &r, vlpt, &lo, &hi);

		xp2m_arm_table_add(third, (chunk_end - gpa) >> XP2M_ARM_THIRD_SHIFT);
		for (; gpa < chunk_end; gpa += XP2M_ARM_THIRD_SIZE) {
			u64 d = desc;

			if (ld && gpa >= ld->start && gpa < ld->end) {
				if (track)
					d = (d & ~(XP2M_LPAE_TYPE_MASK |
						   XP2M_LPAE_S2AP_W)) |
					    ((u64)XP2M_ARM_LOGDIRTY
					     << XP2M_LPAE_TYPE_SHIFT);
				xp2m_arm_mark_dirty(ld, gpa);
			}
			WRITE_ONCE(third[xp2m_arm_third_index(gpa)], d);
			desc += XP2M_ARM_THIRD_SIZE;
		}
	}
	p2m->mapped += nr;
	if (lo < hi)
		xp2m_kpte_flush(lo, hi);
unlock:
	spin_unlock(&p2m->lock);
out:
	xp2m_arm_free_list(&r.pages);
	return err;
}
EXPORT_SYMBOL_GPL(xp2m_arm_map);

/*
 * After tables left the tree: once no lock-free reader can still be using
 * them, give their VLPT slots back to the empty page, then free them.
 * Until then a slot keeps mapping its (all-invalid, writable) table, so a
 * reader that found the slot never writes to the read-only empty page.
 */
static void xp2m_arm_retire(struct xp2m_arm_p2m *p2m,
			    struct list_head *third, struct list_head *second)
{
	unsigned long lo = ULONG_MAX, hi = 0;
	struct xp2m_arm_vlpt *vlpt;
	struct page *page;

	synchronize_rcu();
	spin_lock(&p2m->lock);
	vlpt = xp2m_arm_vlpt_locked(p2m);
	if (vlpt) {
		list_for_each_entry(page, third, lru)
			xp2m_arm_vlpt_retire(p2m, vlpt,
					     (u64)page->index <<
					     XP2M_ARM_SECOND_SHIFT,
					     page, &lo, &hi);
		if (lo < hi)
			xp2m_kpte_flush(lo, hi);
	}
	spin_unlock(&p2m->lock);
	xp2m_arm_free_list(third);
	xp2m_arm_free_list(second);
}

/**
 * xp2m_arm_unmap() - unmap guest physical pages
 * @p2m: the p2m
 * @gpa: first guest physical address, page-aligned
 * @nr: number of pages
 *
 * Pages of the range that are not mapped are skipped. Tables left empty
 * leave the tree and are freed (and their VLPT slots read as empty again)
 * after an RCU grace period and a guest TLB flush. While log-dirty tracks a
 * page, unmapping it marks it dirty. May sleep.
 *
 * Return: the number of pages that were mapped; -EINVAL for an unaligned
 * @gpa or @nr 0, -ERANGE when the range leaves the IPA space.
 */
long xp2m_arm_unmap(struct xp2m_arm_p2m *p2m, u64 gpa, unsigned long nr)
{
	LIST_HEAD(dead_third);
	LIST_HEAD(dead_second);
	struct xp2m_arm_logdirty *ld;
	long done = 0;
	u64 end;
	int err;

	err = xp2m_arm_check_range(p2m, gpa, nr);
	if (err)
		return err;
	end = gpa + ((u64)nr << XP2M_ARM_THIRD_SHIFT);

	spin_lock(&p2m->lock);
	ld = xp2m_arm_ld_locked(p2m);
	while (gpa < end) {
		u64 gib_end = xp2m_arm_next_gib(gpa, end);
		u64 *first = &p2m->root[xp2m_arm_first_index(gpa)];
		u64 *second;

		if (!xp2m_lpae_is_table(*first)) {
			gpa = gib_end;
			continue;
		}
		second = xp2m_lpae_next(*first);
		for (; gpa < gib_end; gpa = xp2m_arm_next_chunk(gpa, gib_end)) {
			u64 chunk_end = xp2m_arm_next_chunk(gpa, gib_end);
			u64 *slot = &second[xp2m_arm_second_index(gpa)];
			struct page *page;
			u64 *third, g;
			long n = 0;

			if (!xp2m_lpae_is_table(*slot))
				continue;
			third = xp2m_lpae_next(*slot);
			for (g = gpa; g < chunk_end; g += XP2M_ARM_THIRD_SIZE) {
				u64 *e = &third[xp2m_arm_third_index(g)];

				if (!xp2m_lpae_valid(*e))
					continue;
				WRITE_ONCE(*e, 0);
				xp2m_arm_mark_dirty(ld, g);
				n++;
			}
			xp2m_arm_table_add(third, -n);
			done += n;
			page = xp2m_arm_table_page(third);
			if (page_private(page))
				continue;
			WRITE_ONCE(*slot, 0);
			list_add(&page->lru, &dead_third);
			p2m->third_tables--;
			xp2m_arm_table_add(second, -1);
		}
		if (!page_private(xp2m_arm_table_page(second))) {
			WRITE_ONCE(*first, 0);
			list_add(&xp2m_arm_table_page(second)->lru, &dead_second);
			p2m->second_tables--;
		}
	}
	p2m->mapped -= done;
	spin_unlock(&p2m->lock);

	if (done)
		xp2m_arm_flush_guest_tlb(p2m);
	if (!list_empty(&dead_third) || !list_empty(&dead_second))
		xp2m_arm_retire(p2m, &dead_third, &dead_second);
	return done;
}
EXPORT_SYMBOL_GPL(xp2m_arm_unmap);

/**
 * xp2m_arm_walk() - the third-level descriptor of a gpa, by a table walk
 * @p2m: the p2m
 * @gpa: guest physical address
 *
 * Lock-free; the reference the VLPT is checked against.
 *
 * Return: the descriptor, 0 when no table covers @gpa or @gpa is past the
 * IPA space.
 */
u64 xp2m_arm_walk(struct xp2m_arm_p2m *p2m, u64 gpa)
{
	u64 *slot, desc = 0;

	rcu_read_lock();
	slot = xp2m_arm_walk_slot(p2m, gpa);
	if (slot)
		desc = READ_ONCE(*slot);
	rcu_read_unlock();
	return desc;
}
EXPORT_SYMBOL_GPL(xp2m_arm_walk);

/**
 * xp2m_arm_lookup() - what a gpa maps
 * @p2m: the p2m
 * @gpa: guest physical address
 * @map: filled in when mapped
 *
 * Lock-free.
 *
 * Return: 0; -ENOENT when @gpa is not mapped, -ERANGE when it is past the
 * IPA space.
 */
int xp2m_arm_lookup(struct xp2m_arm_p2m *p2m, u64 gpa,
		    struct xp2m_arm_mapping *map)
{
	u64 desc;

	if (gpa >= p2m->ipa_size)
		return -ERANGE;
	desc = xp2m_arm_walk(p2m, gpa);
	if (!xp2m_lpae_valid(desc))
		return -ENOENT;
	map->mfn = xp2m_lpae_mfn(desc);
	map->type = xp2m_lpae_type(desc);
	map->perms = xp2m_lpae_perms(desc);
	return 0;
}
EXPORT_SYMBOL_GPL(xp2m_arm_lookup);

/**
 * xp2m_arm_translate() - a guest access, as the MMU translates it
 * @p2m: the p2m
 * @gpa: the address accessed
 * @access: what the access needs (%XP2M_ARM_R, %XP2M_ARM_W, %XP2M_ARM_X)
 * @mfn: the frame it reaches, when allowed; may be NULL
 *
 * The caller holds rcu_read_lock() from the translation to the end of the
 * access it makes with the result: that is the lifetime of a TLB entry,
 * and a guest TLB flush (struct xp2m_arm_p2m, @flush_tlb) that waits for an
 * RCU grace period waits for it.
 *
 * Return: 0; -ENOENT on a translation fault, -EACCES on a permission fault
 * (what log-dirty's write-protection gives), -ERANGE past the IPA space.
 */
int xp2m_arm_translate(struct xp2m_arm_p2m *p2m, u64 gpa,
		       unsigned int access, unsigned long *mfn)
{
	u64 *slot, desc;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(),
			 "a translation outside rcu_read_lock()");
	if (gpa >= p2m->ipa_size)
		return -ERANGE;
	slot = xp2m_arm_walk_slot(p2m, gpa);
	desc = slot ? READ_ONCE(*slot) : 0;
	if (!xp2m_lpae_valid(desc))
		return -ENOENT;
	if (access & ~xp2m_lpae_perms(desc))
		return -EACCES;
	if (mfn)
		*mfn = xp2m_lpae_mfn(desc);
	return 0;
}
EXPORT_SYMBOL_GPL(xp2m_arm_translate);

/**
 * xp2m_arm_get_stats() - a snapshot of a p2m's counts
 * @p2m: the p2m
 * @st: filled in
 */
void xp2m_arm_get_stats(struct xp2m_arm_p2m *p2m, struct xp2m_arm_stats *st)
{
	struct xp2m_arm_logdirty *ld;
	struct xp2m_arm_vlpt *vlpt;
	int cpu;

	memset(st, 0, sizeof(*st));
	spin_lock(&p2m->lock);
	st->second_tables = p2m->second_tables;
	st->third_tables = p2m->third_tables;
	st->mapped = p2m->mapped;
	vlpt = xp2m_arm_vlpt_locked(p2m);
	if (vlpt) {
		st->vlpt_slots = vlpt->mapped;
		st->vlpt_start = vlpt->start;
		st->vlpt_end = vlpt->end;
	}
	ld = xp2m_arm_ld_locked(p2m);
	if (ld) {
		st->logdirty_pages = ld->nr;
		st->logdirty_start = ld->start;
	}
	spin_unlock(&p2m->lock);
	st->passes = atomic_long_read(&p2m->passes);
	st->tlb_flushes = atomic_long_read(&p2m->tlb_flushes);
	for_each_possible_cpu(cpu) {
		st->faults += per_cpu_ptr(p2m->pcpu, cpu)->faults;
		st->spurious += per_cpu_ptr(p2m->pcpu, cpu)->spurious;
	}
}
EXPORT_SYMBOL_GPL(xp2m_arm_get_stats);

/* A run of guest frames the dump prints as one line. */
struct xp2m_arm_run {
	u64 start;
	u64 end;
	u64 desc;	/* of the first frame; 0 for a hole */
};

static void xp2m_arm_run_print(struct seq_file *m, const struct xp2m_arm_run *r)
{
	unsigned int perms = xp2m_lpae_perms(r->desc);

	if (r->start == r->end)
		return;
	if (!xp2m_lpae_valid(r->desc)) {
		seq_printf(m, " [0x%llx->0x%llx] missing\n", r->start, r->end);
		return;
	}
	seq_printf(m, " [0x%llx->0x%llx] %s %c%c%c 0x%lx\n", r->start, r->end,
		   xp2m_arm_type_name(xp2m_lpae_type(r->desc)),
		   perms & XP2M_ARM_R ? 'r' : '-',
		   perms & XP2M_ARM_W ? 'w' : '-',
		   perms & XP2M_ARM_X ? 'x' : '-', xp2m_lpae_mfn(r->desc));
}

/* Add @nr frames from @gfn, described by @desc (0: a hole), to run @r. */
static void xp2m_arm_run_add(struct seq_file *m, struct xp2m_arm_run *r,
			     u64 gfn, u64 nr, u64 desc)
{
	const u64 same = ~XP2M_LPAE_ADDR_MASK;
	bool joins;

	if (!xp2m_lpae_valid(desc))
		joins = !xp2m_lpae_valid(r->desc);
	else
		joins = xp2m_lpae_valid(r->desc) &&
			(desc & same) == (r->desc & same) &&
			xp2m_lpae_mfn(desc) == xp2m_lpae_mfn(r->desc) +
					       (gfn - r->start);
	if (!joins || r->end != gfn) {
		xp2m_arm_run_print(m, r);
		r->start = gfn;
		r->desc = xp2m_lpae_valid(desc) ? desc : 0;
	}
	r->end = gfn + nr;
}

/**
 * xp2m_arm_p2m_dump() - print a p2m as runs of guest frames
 * @m: where to
 * @p2m: the p2m
 *
 * One line per run of frames with the same type and permissions mapping
 * consecutive frames, in the format of the kernel's p2m dump, with the type,
 * permissions and first frame after it: " [0x<gfn>->0x<end>] <type> rwx
 * 0x<mfn>" (end exclusive), or " [0x<gfn>->0x<end>] missing" for a hole.
 */
void xp2m_arm_p2m_dump(struct seq_file *m, struct xp2m_arm_p2m *p2m)
{
	const u64 chunk = XP2M_ARM_SECOND_SIZE >> XP2M_ARM_THIRD_SHIFT;
	const u64 gib = XP2M_ARM_FIRST_SIZE >> XP2M_ARM_THIRD_SHIFT;
	u64 i, j, k, nr_root = p2m->ipa_size >> XP2M_ARM_FIRST_SHIFT;
	struct xp2m_arm_run r = { };

	spin_lock(&p2m->lock);
	for (i = 0; i < nr_root; i++) {
		u64 *second;

		if (!xp2m_lpae_is_table(p2m->root[i])) {
			xp2m_arm_run_add(m, &r, i * gib, gib, 0);
			continue;
		}
		second = xp2m_lpae_next(p2m->root[i]);
		for (j = 0; j < XP2M_ARM_ENTRIES; j++) {
			u64 gfn = i * gib + j * chunk, *third;

			if (!xp2m_lpae_is_table(second[j])) {
				xp2m_arm_run_add(m, &r, gfn, chunk, 0);
				continue;
			}
			third = xp2m_lpae_next(second[j]);
			for (k = 0; k < XP2M_ARM_ENTRIES; k++)
				xp2m_arm_run_add(m, &r, gfn + k, 1, third[k]);
		}
	}
	xp2m_arm_run_print(m, &r);
	spin_unlock(&p2m->lock);
}
EXPORT_SYMBOL_GPL(xp2m_arm_p2m_dump);

static int xp2m_arm_mappings_show(struct seq_file *m, void *v)
{
	xp2m_arm_p2m_dump(m, m->private);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xp2m_arm_mappings);

static int xp2m_arm_stats_show(struct seq_file *m, void *v)
{
	struct xp2m_arm_p2m *p2m = m->private;
	struct xp2m_arm_stats st;

	xp2m_arm_get_stats(p2m, &st);
	seq_printf(m, "ipa_bits %u\n", p2m->ipa_bits);
	seq_printf(m, "root_pages %u\n", 1U << p2m->root_order);
	seq_printf(m, "second_tables %lu\n", st.second_tables);
	seq_printf(m, "third_tables %lu\n", st.third_tables);
	seq_printf(m, "mapped %lu\n", st.mapped);
	seq_printf(m, "vlpt 0x%llx-0x%llx\n", st.vlpt_start, st.vlpt_end);
	seq_printf(m, "vlpt_slots %lu\n", st.vlpt_slots);
	seq_printf(m, "logdirty 0x%llx+%lu\n", st.logdirty_start,
		   st.logdirty_pages);
	seq_printf(m, "faults %lu\n", st.faults);
	seq_printf(m, "spurious %lu\n", st.spurious);
	seq_printf(m, "passes %lu\n", st.passes);
	seq_printf(m, "tlb_flushes %lu\n", st.tlb_flushes);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xp2m_arm_stats);

/**
 * xp2m_arm_p2m_create() - an empty stage-2 p2m
 * @name: instance name, for debugfs (xp2m/arm/<name>/); NULL for none. The
 *	string must outlive the p2m.
 * @ipa_bits: guest physical address bits, %XP2M_ARM_IPA_MIN to
 *	%XP2M_ARM_IPA_MAX; from 40 bits up the root is 2, 4, 8 or 16
 *	concatenated first-level pages, as the architecture allows
 * @flush_tlb: invalidates the guest's stage-2 TLB entries (see struct
 *	xp2m_arm_p2m); NULL when nothing caches translations
 * @flush_data: its argument
 *
 * Return: the p2m, or ERR_PTR(-EINVAL) for a bad @ipa_bits,
 * ERR_PTR(-ENOMEM).
 */
struct xp2m_arm_p2m *xp2m_arm_p2m_create(const char *name,
					 unsigned int ipa_bits,
					 void (*flush_tlb)(void *data),
					 void *flush_data)
{
	struct xp2m_arm_p2m *p2m;
	unsigned long root_bytes;
	struct page *root;

	if (ipa_bits < XP2M_ARM_IPA_MIN || ipa_bits > XP2M_ARM_IPA_MAX)
		return ERR_PTR(-EINVAL);
	p2m = kzalloc(sizeof(*p2m), GFP_KERNEL);
	if (!p2m)
		return ERR_PTR(-ENOMEM);
	p2m->name = name;
	p2m->ipa_bits = ipa_bits;
	p2m->ipa_size = 1ULL << ipa_bits;
	root_bytes = (p2m->ipa_size >> XP2M_ARM_FIRST_SHIFT) * sizeof(u64);
	p2m->root_order = get_order(root_bytes);
	root = xp2m_arm_alloc_pages(p2m->root_order);
	if (!root)
		goto fail;
	p2m->root = page_address(root);
	p2m->pcpu = alloc_percpu(struct xp2m_arm_pcpu);
	if (!p2m->pcpu)
		goto fail;
	spin_lock_init(&p2m->lock);
	mutex_init(&p2m->ld_mutex);
	p2m->flush_tlb = flush_tlb;
	p2m->flush_data = flush_data;
	atomic_long_set(&p2m->passes, 0);
	atomic_long_set(&p2m->tlb_flushes, 0);
	if (name) {
		p2m->debugfs = debugfs_create_dir(name, xp2m_arm_debugfs_dir());
		debugfs_create_file("mappings", 0400, p2m->debugfs, p2m,
				    &xp2m_arm_mappings_fops);
		debugfs_create_file("stats", 0400, p2m->debugfs, p2m,
				    &xp2m_arm_stats_fops);
	}
	return p2m;

fail:
	if (p2m->root)
		xp2m_arm_free_pages(virt_to_page(p2m->root), p2m->root_order);
	kfree(p2m);
	return ERR_PTR(-ENOMEM);
}
EXPORT_SYMBOL_GPL(xp2m_arm_p2m_create);

/**
 * xp2m_arm_p2m_destroy() - free a p2m, its tables, VLPT and log-dirty state
 * @p2m: the p2m; NULL or an ERR_PTR is ignored
 *
 * Nothing may use @p2m any more. May sleep.
 */
void xp2m_arm_p2m_destroy(struct xp2m_arm_p2m *p2m)
{
	u64 i, j, nr_root;

	if (IS_ERR_OR_NULL(p2m))
		return;
	debugfs_remove_recursive(p2m->debugfs);
	xp2m_arm_vlpt_destroy(p2m);
	xp2m_arm_logdirty_stop(p2m);
	nr_root = p2m->ipa_size >> XP2M_ARM_FIRST_SHIFT;
	for (i = 0; i < nr_root; i++) {
		u64 *second;

		if (!xp2m_lpae_is_table(p2m->root[i]))
			continue;
		second = xp2m_lpae_next(p2m->root[i]);
		for (j = 0; j < XP2M_ARM_ENTRIES; j++)
			if (xp2m_lpae_is_table(second[j]))
				xp2m_arm_free_table(xp2m_arm_table_page(xp2m_lpae_next(second[j])));
		xp2m_arm_free_table(xp2m_arm_table_page(second));
	}
	xp2m_arm_free_pages(virt_to_page(p2m->root), p2m->root_order);
	free_percpu(p2m->pcpu);
	kfree(p2m);
}
EXPORT_SYMBOL_GPL(xp2m_arm_p2m_destroy);
