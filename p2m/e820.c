// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m core: 1-1 identity from an E820-style memory map, the way a PV kernel
 * sets it up at boot.
 *
 * Every pfn that is not wholly RAM (reserved, ACPI, gaps, and everything past
 * the last entry up to max_pfn) becomes identity, the map read as Linux
 * reads it: overlapping and adjacent entries of a type merged first, any
 * other type winning over RAM where the two overlap. A PV domain is handed
 * pfns [0, nr_pages) regardless of the map, so some of its frames may sit
 * on non-RAM (the legacy hole below 1 MiB, say); as Linux does, those
 * frames are not lost but moved to the lowest missing RAM pfns from
 * nr_pages up, and the M2P is told.
 */

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include <xp2m/e820.h>

#include "internal.h"

struct xp2m_range {
	unsigned long start;
	unsigned long end;
};

/* Bytes [start, end) of a memory map. */
struct xp2m_span {
	u64 start;
	u64 end;
};

static int xp2m_span_cmp(const void *a, const void *b)
{
	const struct xp2m_span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Sort @n spans, merging those that overlap or touch; returns how many. */
static unsigned int xp2m_spans_merge(struct xp2m_span *span, unsigned int n)
{
	unsigned int i, m = 0;

	sort(span, n, sizeof(*span), xp2m_span_cmp, NULL);
	for (i = 0; i < n; i++) {
		if (m && span[i].start <= span[m - 1].end)
			span[m - 1].end = max(span[m - 1].end, span[i].end);
		else
			span[m++] = span[i];
	}
	return m;
}

/*
 * The first pfn whose page starts at or above byte @addr. PFN_UP() would
 * wrap to 0 for an address in the last page of the 64-bit space, making an
 * entry that holds no whole page start at pfn 0.
 */
static u64 xp2m_pfn_up(u64 addr)
{
	return PFN_DOWN(addr) + !!(addr & (PAGE_SIZE - 1));
}

/* Append the whole pages of bytes [@start, @end) below @max_pfn, if any. */
static void xp2m_ram_add(struct xp2m_range *ram, unsigned int *nr_ram,
			 u64 start, u64 end, unsigned long max_pfn)
{
	unsigned long s = min_t(u64, xp2m_pfn_up(start), max_pfn);
	unsigned long e = min_t(u64, PFN_DOWN(end), max_pfn);

	if (s < e) {
		ram[*nr_ram].start = s;
		ram[(*nr_ram)++].end = e;
	}
}

/*
 * The RAM of @n_ram spans that none of @n_other spans covers (both sorted
 * and merged), as whole pages below @max_pfn, into @ram; returns how many
 * ranges. Each span of the others cuts one RAM span at most in two.
 */
static unsigned int xp2m_ram_less(const struct xp2m_span *ram_spans,
				  unsigned int n_ram,
				  const struct xp2m_span *other,
				  unsigned int n_other, unsigned long max_pfn,
				  struct xp2m_range *ram)
{
	unsigned int i, j = 0, k, n = 0;
	u64 cur;

	for (i = 0; i < n_ram; i++) {
		cur = ram_spans[i].start;
		while (j < n_other && other[j].end <= cur)
			j++;
		for (k = j; k < n_other && other[k].start < ram_spans[i].end;
		     k++) {
			xp2m_ram_add(ram, &n, cur, other[k].start, max_pfn);
			cur = max(cur, other[k].end);
		}
		xp2m_ram_add(ram, &n, cur, ram_spans[i].end, max_pfn);
	}
	return n;
}

/*
 * The whole pages of RAM of @map below @max_pfn, in order and apart, as a
 * PV Linux finds them at boot (xen_memory_setup(), arch/x86/xen/setup.c).
 * It sanitizes the map first (e820__update_table()): entries of a type that
 * overlap or touch become one, and where types overlap the larger one wins,
 * so RAM is what no other type covers (type 0, no type, never wins). Then
 * it makes the non-RAM between the RAM entries identity, rounded outwards
 * to whole pages (xen_foreach_remap_area()): here, RAM rounded inwards. An
 * entry whose end wraps past 2^64 counts for nothing.
 */
static struct xp2m_range *xp2m_ram_ranges(const struct xp2m_e820_entry *map,
					  unsigned int nr, unsigned long max_pfn,
					  unsigned int *nr_ram)
{
	unsigned int i, n_ram = 0, n_other = 0;
	struct xp2m_span *span, *other;
	struct xp2m_range *ram;

	span = kvcalloc(nr + 1, sizeof(*span), GFP_KERNEL);
	ram = kvcalloc(nr + 1, sizeof(*ram), GFP_KERNEL);
	if (!span || !ram) {
		kvfree(span);
		kvfree(ram);
		return NULL;
	}
	/* RAM from the front of @span, the types that beat it from the end. */
	for (i = 0; i < nr; i++) {
		struct xp2m_span e = { map[i].addr, map[i].addr + map[i].size };

		if (e.end <= e.start || map[i].type < XP2M_E820_RAM)
			continue;
		if (map[i].type == XP2M_E820_RAM)
			span[n_ram++] = e;
		else
			span[nr - ++n_other] = e;
	}
	other = span + nr - n_other;
	n_ram = xp2m_spans_merge(span, n_ram);
	n_other = xp2m_spans_merge(other, n_other);
	*nr_ram = xp2m_ram_less(span, n_ram, other, n_other, max_pfn, ram);
	kvfree(span);
	return ram;
}

/*
 * The i-th gap between RAM ranges, up to max_pfn: the identity ranges.
 * Returns false when there are no more.
 */
static bool xp2m_gap(const struct xp2m_range *ram, unsigned int nr_ram,
		     unsigned long max_pfn, unsigned int i,
		     struct xp2m_range *gap)
{
	if (i > nr_ram)
		return false;
	gap->start = i ? ram[i - 1].end : 0;
	gap->end = i < nr_ram ? ram[i].start : max_pfn;
	return true;
}

static bool xp2m_displaced(unsigned long entry)
{
	enum xp2m_type t = xp2m_entry_type(entry);

	return t == XP2M_TYPE_PFN || t == XP2M_TYPE_FOREIGN;
}

/* Populated entries in [start, end): shared leaves hold none. */
static unsigned long xp2m_count_displaced(struct xp2m *p2m, unsigned long start,
					  unsigned long end)
{
	unsigned long pfn, stop, n = 0;

	for (pfn = start; pfn < end; pfn = stop) {
		if (xp2m_mid_is_shared(p2m, p2m->top[pfn / XP2M_MID_SPAN])) {
			stop = min(end, (pfn | (XP2M_MID_SPAN - 1)) + 1);
			continue;
		}
		stop = min(end, (pfn | (XP2M_PER_PAGE - 1)) + 1);
		if (xp2m_leaf_is_shared(p2m, xp2m_leaf_of(p2m, pfn)))
			continue;
		for (; pfn < stop; pfn++)
			n += xp2m_displaced(xp2m_lookup_raw(p2m, pfn));
	}
	return n;
}

/*
 * Calls @fn for each missing RAM pfn from nr_pages up, in order, until it
 * returns false; returns how many it was called for.
 */
static unsigned long xp2m_for_targets(struct xp2m *p2m,
				      const struct xp2m_range *ram,
				      unsigned int nr_ram,
				      bool (*fn)(struct xp2m *p2m,
						 unsigned long pfn, void *ctx),
				      void *ctx)
{
	unsigned long pfn, n = 0;
	unsigned int i;

	for (i = 0; i < nr_ram; i++) {
		for (pfn = max(ram[i].start, p2m->nr_pages); pfn < ram[i].end;
		     pfn++) {
			if (xp2m_lookup_raw(p2m, pfn) != XP2M_INVALID_ENTRY ||
			    xp2m_leaf_of(p2m, pfn) == p2m->identity_leaf)
				continue;
			n++;
			if (!fn(p2m, pfn, ctx))
				return n;
		}
	}
	return n;
}

struct xp2m_remap {
	unsigned long want;	/* targets still to find */
	unsigned long cost;	/* pages the targets' leaves need */
	unsigned long last_leaf;
	unsigned long last_mid;
	struct xp2m_reserve *r;
	/* Applying: the next displaced pfn to move, and the moves made. */
	const struct xp2m_range *ram;
	unsigned int nr_ram;
	unsigned int gap;
	unsigned long src;
	struct xp2m_range cur;
};

static bool xp2m_plan_target(struct xp2m *p2m, unsigned long pfn, void *ctx)
{
	struct xp2m_remap *m = ctx;
	unsigned long leaf = pfn / XP2M_PER_PAGE, mid = pfn / XP2M_MID_SPAN;

	/* An upper bound: a new mid (and its views' pages) per GiB. */
	if (mid != m->last_mid)
		m->cost += xp2m_mid_cost(p2m, mid);
	if (leaf != m->last_leaf)
		m->cost += xp2m_leaf_cost(p2m, pfn);
	m->last_leaf = leaf;
	m->last_mid = mid;
	return --m->want > 0;
}

/* The next populated pfn on non-RAM, in pfn order. */
static unsigned long xp2m_next_displaced(struct xp2m *p2m, struct xp2m_remap *m)
{
	for (;;) {
		if (m->src >= m->cur.end) {
			if (!xp2m_gap(m->ram, m->nr_ram, p2m->max_pfn, m->gap++,
				      &m->cur))
				return XP2M_INVALID_ENTRY;
			m->src = m->cur.start;
			continue;
		}
		if (xp2m_mid_is_shared(p2m, p2m->top[m->src / XP2M_MID_SPAN])) {
			m->src = (m->src | (XP2M_MID_SPAN - 1)) + 1;
			continue;
		}
		if (xp2m_leaf_is_shared(p2m, xp2m_leaf_of(p2m, m->src))) {
			m->src = (m->src | (XP2M_PER_PAGE - 1)) + 1;
			continue;
		}
		if (xp2m_displaced(xp2m_lookup_raw(p2m, m->src)))
			return m->src++;
		m->src++;
	}
}

static bool xp2m_move_one(struct xp2m *p2m, unsigned long pfn, void *ctx)
{
	struct xp2m_remap *m = ctx;
	unsigned long src = xp2m_next_displaced(p2m, m);
	unsigned long entry = xp2m_lookup_raw(p2m, src);
	unsigned long *leaf = xp2m_private_leaf(p2m, pfn, m->r);

	WRITE_ONCE(leaf[pfn % XP2M_PER_PAGE], entry);
	if (p2m->be->ops->set_m2p && xp2m_entry_type(entry) == XP2M_TYPE_PFN)
		p2m->be->ops->set_m2p(p2m->be, entry, pfn);
	return --m->want > 0;
}

/**
 * xp2m_identity_from_e820() - set up identity from a memory map
 * @p2m: the p2m
 * @map: E820-style entries, in any order, overlaps allowed
 * @nr: number of entries
 * @result: what was done; may be NULL
 *
 * Makes every pfn below max_pfn that does not lie wholly in RAM identity
 * (see xp2m_set_identity()). The map is read as a PV Linux reads it at
 * boot, sanitized first (e820__update_table()): RAM entries that overlap
 * or touch are one range before it is cut to whole pages, and RAM that
 * another type overlaps is that type (the larger type wins). An entry whose
 * end wraps past 2^64 counts for nothing. Populated pfns on non-RAM have
 * their frames moved, in order, to the lowest missing RAM pfns at or above
 * nr_pages, and the M2P updated through the backend. All pages are
 * reserved first.
 *
 * Return: 0; -ENOSPC when there is not enough missing RAM to move the
 * displaced frames to; -ENOMEM; -EOPNOTSUPP on a borrowed p2m, whose
 * identity is its machine's (see xp2m_set_identity()). Every error leaves
 * @p2m as it was.
 */
int xp2m_identity_from_e820(struct xp2m *p2m,
			    const struct xp2m_e820_entry *map, unsigned int nr,
			    struct xp2m_e820_result *result)
{
	struct xp2m_remap m = { .last_leaf = ~0UL, .last_mid = ~0UL };
	unsigned long displaced = 0, identity = 0, cost = 0;
	struct xp2m_range *ram, gap;
	struct xp2m_reserve r;
	unsigned int nr_ram, i;
	int err = 0;

	if (p2m->borrowed)
		return -EOPNOTSUPP;
	ram = xp2m_ram_ranges(map, nr, p2m->max_pfn, &nr_ram);
	if (!ram)
		return -ENOMEM;

	xp2m_reserve_init(&r);
	xp2m_lock(p2m);
	for (i = 0; xp2m_gap(ram, nr_ram, p2m->max_pfn, i, &gap); i++) {
		if (gap.start >= gap.end)
			continue;
		identity += gap.end - gap.start;
		displaced += xp2m_count_displaced(p2m, gap.start, gap.end);
		cost += xp2m_identity_walk(p2m, gap.start, gap.end, NULL);
	}
	if (displaced) {
		m.want = displaced;
		if (xp2m_for_targets(p2m, ram, nr_ram, xp2m_plan_target, &m) <
		    displaced) {
			err = -ENOSPC;
			goto out;
		}
		cost += m.cost;
	}
	err = xp2m_reserve_change(p2m, &r, cost);
	if (err)
		goto out;

	if (displaced) {
		m.want = displaced;
		m.r = &r;
		m.ram = ram;
		m.nr_ram = nr_ram;
		xp2m_for_targets(p2m, ram, nr_ram, xp2m_move_one, &m);
	}
	for (i = 0; xp2m_gap(ram, nr_ram, p2m->max_pfn, i, &gap); i++)
		if (gap.start < gap.end)
			xp2m_identity_walk(p2m, gap.start, gap.end, &r);
	if (result) {
		result->identity = identity;
		result->remapped = displaced;
	}
out:
	xp2m_unlock(p2m);
	xp2m_reserve_drop(p2m->be, &r);
	kvfree(ram);
	return err;
}
EXPORT_SYMBOL_GPL(xp2m_identity_from_e820);
