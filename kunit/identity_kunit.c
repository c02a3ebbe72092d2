// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of 1-1 identity: ranges made identity, the E820 example of
 * arch/x86/xen/p2m.c, identity from a memory map with the frames on
 * non-RAM moved, the worst case of pages a range costs, and allocation
 * failures of both.
 */

#include <linux/sched.h>
#include <linux/slab.h>

#include <xp2m/e820.h>

#include "fixture.h"

static void hole_expect(struct kunit *test, struct t_ctx *c)
{
	const unsigned long g1 = GIB_PFNS;	/* p2m[1] starts here */
	unsigned long pfn, want, bad = 0, l;

	/* The pages that comment names: p2m[1][2] and p2m[1][488], private. */
	KUNIT_EXPECT_EQ(test, xp2m_leaf_kind(c->p2m, g1 + 2 * 512),
			XP2M_LEAF_PRIVATE);
	KUNIT_EXPECT_EQ(test, xp2m_leaf_kind(c->p2m, g1 + 488 * 512),
			XP2M_LEAF_PRIVATE);
	for (l = 0; l < 512; l++) {
		enum xp2m_leaf_kind want_kind = l < 2 || l > 488 ?
			XP2M_LEAF_MISSING : l == 2 || l == 488 ?
			XP2M_LEAF_PRIVATE : XP2M_LEAF_IDENTITY;

		KUNIT_EXPECT_EQ(test, xp2m_leaf_kind(c->p2m, g1 + l * 512),
				want_kind);
	}
	/* p2m[2] was never touched: the shared missing mid. */
	KUNIT_EXPECT_PTR_EQ(test, c->p2m->top[2], c->p2m->missing_mid);

	/* Every pfn's entry. */
	for (pfn = 0; pfn < HOLE_MAX; pfn++) {
		if (pfn < HOLE_NR)
			want = t_asc_mfn(c, pfn);
		else if (pfn >= HOLE_START && pfn < HOLE_END)
			want = XP2M_IDENTITY_FRAME(pfn);
		else
			want = XP2M_INVALID_ENTRY;
		if (xp2m_lookup(c->p2m, pfn) != want && bad++ < 4)
			KUNIT_FAIL(test, "pfn %#lx: %#lx, want %#lx", pfn,
				   xp2m_lookup(c->p2m, pfn), want);
	}
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	/* p2m[1][2][0..255] missing, [256..511] identity; [488] the mirror. */
	KUNIT_EXPECT_EQ(test, xp2m_lookup_raw(c->p2m, g1 + 2 * 512 + 255),
			XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_lookup_raw(c->p2m, g1 + 2 * 512 + 256),
			XP2M_IDENTITY_FRAME(HOLE_START));
	KUNIT_EXPECT_EQ(test, xp2m_lookup_raw(c->p2m, g1 + 488 * 512 + 255),
			XP2M_IDENTITY_FRAME(HOLE_END - 1));
	KUNIT_EXPECT_EQ(test, xp2m_lookup_raw(c->p2m, g1 + 488 * 512 + 256),
			XP2M_INVALID_ENTRY);
}

static void identity_hole(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	struct xp2m_counts before, after;
	long bound;

	t_setup(test, HOLE_NR, HOLE_MAX);
	xp2m_get_counts(c->p2m, &before);
	bound = xp2m_sim_bound(c->sim);
	KUNIT_EXPECT_PTR_EQ(test, c->p2m->top[1], c->p2m->missing_mid);

	KUNIT_EXPECT_EQ(test, xp2m_set_identity(c->p2m, HOLE_START, HOLE_END),
			(long)(HOLE_END - HOLE_START));
	/* Three pages: the mid p2m[1] and the leaves p2m[1][2], p2m[1][488]. */
	xp2m_get_counts(c->p2m, &after);
	KUNIT_EXPECT_EQ(test, xp2m_sim_bound(c->sim), bound + 3);
	KUNIT_EXPECT_EQ(test, after.mids, before.mids + 1);
	KUNIT_EXPECT_EQ(test, after.private_leaves, before.private_leaves + 2);
	hole_expect(test, c);

	/* Doing it again costs nothing and changes nothing. */
	KUNIT_EXPECT_EQ(test, xp2m_set_identity(c->p2m, HOLE_START, HOLE_END),
			(long)(HOLE_END - HOLE_START));
	KUNIT_EXPECT_EQ(test, xp2m_sim_bound(c->sim), bound + 3);
}

/* The same, from that E820 as a PV kernel sets it up at boot. */
static void identity_hole_e820(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	struct xp2m_e820_result res;
	long bound;

	t_setup(test, HOLE_NR, HOLE_MAX);
	bound = xp2m_sim_bound(c->sim);
	KUNIT_EXPECT_EQ(test, xp2m_identity_from_e820(c->p2m, hole_e820,
						      ARRAY_SIZE(hole_e820),
						      &res), 0);
	KUNIT_EXPECT_EQ(test, res.identity, HOLE_END - HOLE_START);
	KUNIT_EXPECT_EQ(test, res.remapped, 0UL);
	KUNIT_EXPECT_EQ(test, xp2m_sim_bound(c->sim), bound + 3);
	hole_expect(test, c);
}

/* Whole missing GiBs and leaves are swapped, not allocated. */
static void identity_over_missing(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	unsigned long pfn;
	long bound;

	t_setup(test, 4096, 4 * GIB_PFNS);
	bound = xp2m_sim_bound(c->sim);
	KUNIT_EXPECT_EQ(test, xp2m_set_identity(c->p2m, 2 * GIB_PFNS,
						3 * GIB_PFNS), (long)GIB_PFNS);
	KUNIT_EXPECT_PTR_EQ(test, c->p2m->top[2], c->p2m->identity_mid);
	/* Leaves 8..15 of GiB 0 are missing in a private mid. */
	KUNIT_EXPECT_EQ(test, xp2m_set_identity(c->p2m, 8 * 512, 16 * 512),
			8L * 512);
	KUNIT_EXPECT_EQ(test, xp2m_leaf_kind(c->p2m, 8 * 512), XP2M_LEAF_IDENTITY);
	KUNIT_EXPECT_EQ(test, xp2m_sim_bound(c->sim), bound);
	for (pfn = 2 * GIB_PFNS; pfn < 3 * GIB_PFNS; pfn += 4099) {
		KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, pfn),
				XP2M_IDENTITY_FRAME(pfn));
		/* The toolstack sees INVALID there. */
		KUNIT_EXPECT_EQ(test, xp2m_lookup_raw(c->p2m, pfn),
				XP2M_INVALID_ENTRY);
	}
	/* Inside an identity GiB, a partial range needs nothing either. */
	KUNIT_EXPECT_EQ(test, xp2m_set_identity(c->p2m, 2 * GIB_PFNS + 3,
						2 * GIB_PFNS + 9), 6L);
	KUNIT_EXPECT_EQ(test, xp2m_sim_bound(c->sim), bound);
}

/* Identity over populated entries overwrites them, in grafted leaves. */
static void identity_over_populated(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	long bound;

	t_setup(test, 4096, 4096);
	bound = xp2m_sim_bound(c->sim);
	KUNIT_EXPECT_EQ(test, xp2m_set_identity(c->p2m, 100, 1100), 1000L);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, 99), t_asc_mfn(c, 99));
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, 100), XP2M_IDENTITY_FRAME(100));
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, 1099), XP2M_IDENTITY_FRAME(1099));
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, 1100), t_asc_mfn(c, 1100));
	KUNIT_EXPECT_EQ(test, xp2m_leaf_kind(c->p2m, 600), XP2M_LEAF_GRAFTED);
	KUNIT_EXPECT_EQ(test, xp2m_sim_bound(c->sim), bound);
}

/* Both ends unaligned in two different missing GiBs: the worst case. */
static void identity_worst_case(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	long bound;

	t_setup(test, 4096, 8 * GIB_PFNS);
	bound = xp2m_sim_bound(c->sim);
	KUNIT_EXPECT_EQ(test, xp2m_set_identity(c->p2m, GIB_PFNS + 700,
						3 * GIB_PFNS + 900),
			(long)(2 * GIB_PFNS + 200));
	/* Two mids, two leaves; the GiB between is the identity mid. */
	KUNIT_EXPECT_EQ(test, xp2m_sim_bound(c->sim), bound + 4);
	KUNIT_EXPECT_PTR_EQ(test, c->p2m->top[2], c->p2m->identity_mid);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, GIB_PFNS + 699),
			XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, GIB_PFNS + 700),
			XP2M_IDENTITY_FRAME(GIB_PFNS + 700));
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, 3 * GIB_PFNS + 899),
			XP2M_IDENTITY_FRAME(3 * GIB_PFNS + 899));
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, 3 * GIB_PFNS + 900),
			XP2M_INVALID_ENTRY);

	/* With the frame list built, each new mid costs a frame-list page. */
	KUNIT_ASSERT_EQ(test, xp2m_frame_list_build(c->p2m), 0);
	bound = xp2m_sim_bound(c->sim);
	KUNIT_EXPECT_EQ(test, xp2m_set_identity(c->p2m, 5 * GIB_PFNS + 1,
						6 * GIB_PFNS + 1),
			(long)GIB_PFNS);
	KUNIT_EXPECT_EQ(test, xp2m_sim_bound(c->sim), bound + 6);
}

/*
 * A dom0-like map: RAM, the legacy hole below 1 MiB, RAM to 2 GiB. The
 * domain's frames on the hole move to the first missing RAM pfns past its
 * end, and the M2P follows.
 */
static void identity_e820_remap(struct kunit *test)
{
	static const struct xp2m_e820_entry map[] = {
		/* Out of order, and overlapping, on purpose. */
		{ .addr = 0x100000, .size = (2ULL << 30) - 0x100000,
		  .type = XP2M_E820_RAM },
		{ .addr = 0x9f000, .size = 0x61000, .type = XP2M_E820_RESERVED },
		{ .addr = 0, .size = 0x9f000, .type = XP2M_E820_RAM },
		{ .addr = 0x1000, .size = 0x2000, .type = XP2M_E820_RAM },
	};
	const unsigned long nr = GIB_PFNS, max = 3 * GIB_PFNS;
	struct t_ctx *c = t_ctx(test);
	struct xp2m_backend *be;
	struct xp2m_e820_result res;
	unsigned long pfn, i;

	t_setup(test, nr, max);
	be = &c->sim->be;
	KUNIT_ASSERT_EQ(test, xp2m_identity_from_e820(c->p2m, map,
						      ARRAY_SIZE(map), &res), 0);
	KUNIT_EXPECT_EQ(test, res.remapped, 97UL);
	KUNIT_EXPECT_EQ(test, res.identity, 97UL + GIB_PFNS);
	for (pfn = 0x9f; pfn < 0x100; pfn++)
		KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, pfn),
				XP2M_IDENTITY_FRAME(pfn));
	for (i = 0; i < 97; i++) {
		unsigned long mfn = t_asc_mfn(c, 0x9f + i);

		KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, nr + i), mfn);
		KUNIT_EXPECT_EQ(test, be->ops->m2p(be, mfn), nr + i);
	}
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, nr + 97), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, 0x9e), t_asc_mfn(c, 0x9e));
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, 2 * GIB_PFNS),
			XP2M_IDENTITY_FRAME(2 * GIB_PFNS));
	KUNIT_EXPECT_PTR_EQ(test, c->p2m->top[2], c->p2m->identity_mid);
}

/* No missing RAM to move displaced frames to: refused, nothing changed. */
static void identity_e820_nospace(struct kunit *test)
{
	static const struct xp2m_e820_entry map[] = {
		{ .addr = 0, .size = 0x9f000, .type = XP2M_E820_RAM },
		{ .addr = 0x100000, .size = (4ULL << 20) - 0x100000,
		  .type = XP2M_E820_RAM },
	};
	struct t_ctx *c = t_ctx(test);
	struct t_snap a, b;

	t_setup(test, MIB_PFNS(4), 2 * MIB_PFNS(4));
	t_snap(test, c->p2m, c->sim, &a);
	KUNIT_EXPECT_EQ(test, xp2m_identity_from_e820(c->p2m, map,
						      ARRAY_SIZE(map), NULL),
			-ENOSPC);
	t_snap(test, c->p2m, c->sim, &b);
	t_expect_same(test, &a, &b);
}

/*
 * The E820 cases below: a domain of @nr pages, @max pfns; after the map,
 * @ram pfns (ascending, a whole leaf at most) are RAM and all others of
 * the leaf identity, as is everything past it. Every entry must be the
 * domain's frame below @nr, missing past it, identity off RAM; except @moved
 * (or ~0UL: none), whose frame moved to @moved_to, the first missing RAM pfn,
 * with the M2P.
 */
struct t_e820_want {
	unsigned long nr;
	unsigned long max;
	const unsigned long *ram;
	unsigned int nr_ram;
	unsigned long moved;
	unsigned long moved_to;
};

static void t_e820_expect(struct kunit *test, const struct t_e820_want *w,
			  const struct xp2m_e820_result *res)
{
	struct t_ctx *c = t_ctx(test);
	struct xp2m_backend *be = &c->sim->be;
	unsigned long pfn, want, bad = 0;
	unsigned int i = 0;

	KUNIT_EXPECT_EQ(test, res->identity, w->max - w->nr_ram);
	KUNIT_EXPECT_EQ(test, res->remapped, w->moved == ~0UL ? 0UL : 1UL);
	for (pfn = 0; pfn < w->max; pfn++) {
		if (i < w->nr_ram && w->ram[i] == pfn) {
			i++;
			if (pfn == w->moved_to && w->moved != ~0UL)
				want = t_asc_mfn(c, w->moved);
			else
				want = pfn < w->nr ? t_asc_mfn(c, pfn) :
						     XP2M_INVALID_ENTRY;
		} else {
			want = XP2M_IDENTITY_FRAME(pfn);
		}
		if (xp2m_lookup(c->p2m, pfn) != want && bad++ < 4)
			KUNIT_FAIL(test, "pfn %#lx: %#lx, want %#lx", pfn,
				   xp2m_lookup(c->p2m, pfn), want);
	}
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	if (w->moved != ~0UL)
		KUNIT_EXPECT_EQ(test, be->ops->m2p(be, t_asc_mfn(c, w->moved)),
				w->moved_to);
}

static void t_e820_case(struct kunit *test, const struct xp2m_e820_entry *map,
			unsigned int nr_map, const struct t_e820_want *w)
{
	struct t_ctx *c = t_ctx(test);
	struct xp2m_e820_result res = { };

	t_setup(test, w->nr, w->max);
	KUNIT_ASSERT_EQ(test, xp2m_identity_from_e820(c->p2m, map, nr_map,
						      &res), 0);
	t_e820_expect(test, w, &res);
}

/*
 * A RAM entry inside the last page of the 64-bit space holds no whole
 * page: it is RAM for no pfn, and the map's other RAM stays what it is
 * (rounding its start up to a page must not wrap to pfn 0).
 */
static void identity_e820_last_page(struct kunit *test)
{
	static const struct xp2m_e820_entry map[] = {
		{ .addr = 0, .size = 3 * PAGE_SIZE, .type = XP2M_E820_RAM },
		{ .addr = U64_MAX - PAGE_SIZE + 2, .size = PAGE_SIZE / 2,
		  .type = XP2M_E820_RAM },
	};
	static const unsigned long ram[] = { 0, 1, 2 };
	const struct t_e820_want w = {
		.nr = 3, .max = 1024, .ram = ram, .nr_ram = ARRAY_SIZE(ram),
		.moved = ~0UL,
	};

	t_e820_case(test, map, ARRAY_SIZE(map), &w);
}

/*
 * Adjacent RAM entries are one range before it is cut to whole pages, as
 * Linux merges them (e820__update_table()) before its identity pass
 * (xen_foreach_remap_area(), arch/x86/xen/setup.c): pfn 1, wholly RAM
 * across the boundary of two entries, is RAM.
 */
static void identity_e820_adjacent(struct kunit *test)
{
	static const struct xp2m_e820_entry map[] = {
		{ .addr = 0x1800, .size = 0x1800, .type = XP2M_E820_RAM },
		{ .addr = 0, .size = 0x1800, .type = XP2M_E820_RAM },
	};
	static const unsigned long ram[] = { 0, 1, 2 };
	const struct t_e820_want w = {
		.nr = 2, .max = 1024, .ram = ram, .nr_ram = ARRAY_SIZE(ram),
		.moved = ~0UL,
	};

	t_e820_case(test, map, ARRAY_SIZE(map), &w);
}

/*
 * Where RAM and another type overlap, the other type wins, as in
 * e820__update_table() (the larger type takes precedence): pfn 1, part
 * of it reserved inside RAM, is identity, and its frame moves to the
 * first missing RAM pfn, 2.
 */
static void identity_e820_overlap(struct kunit *test)
{
	static const struct xp2m_e820_entry map[] = {
		{ .addr = 0, .size = 0x4000, .type = XP2M_E820_RAM },
		{ .addr = 0x1800, .size = 0x400, .type = XP2M_E820_RESERVED },
	};
	static const unsigned long ram[] = { 0, 2, 3 };
	const struct t_e820_want w = {
		.nr = 2, .max = 1024, .ram = ram, .nr_ram = ARRAY_SIZE(ram),
		.moved = 1, .moved_to = 2,
	};

	t_e820_case(test, map, ARRAY_SIZE(map), &w);
}

/*
 * Allocation failures (xp2m_fault_sweep(), through the fixture's
 * t_case_snap() and t_case_failed()): a run that failed must give -ENOMEM
 * with the p2m exactly as before, every page back to the machine and every
 * boot-list page freed; one the kernel recovered from must do all the
 * operation does.
 */

/* Each run [(2k + 1) GiB + 700, (2k + 2) GiB + 900): both ends in a hole. */
static unsigned long f_identity_start(struct kunit *test)
{
	return (2 * t_case_sweep(test)->k + 1) * GIB_PFNS + 700;
}

static int f_identity(struct kunit *test, void *arg)
{
	unsigned long start = f_identity_start(test);
	long n = xp2m_set_identity(t_ctx(test)->p2m, start,
				   start + GIB_PFNS + 200);

	return n < 0 ? n : 0;
}

static void f_identity_after(struct kunit *test, void *arg, int err)
{
	struct xp2m *p2m = t_ctx(test)->p2m;
	unsigned long start = f_identity_start(test);

	if (t_case_failed(test, err))
		return;
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, start - 1), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, start),
			XP2M_IDENTITY_FRAME(start));
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, start + GIB_PFNS + 199),
			XP2M_IDENTITY_FRAME(start + GIB_PFNS + 199));
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, start + GIB_PFNS + 200),
			XP2M_INVALID_ENTRY);
}

static void faults_identity(struct kunit *test)
{
	static const struct xp2m_fault_op op = {
		.name = "xp2m_set_identity",
		.before = t_case_snap,
		.run = f_identity,
		.after = f_identity_after,
	};
	struct t_ctx *c = t_ctx(test);

	t_setup(test, 4096, F_SPACE);
	KUNIT_ASSERT_EQ(test, xp2m_frame_list_build(c->p2m), 0);
	/* Two mids, their frame-list pages, two leaves. */
	KUNIT_EXPECT_GE(test, xp2m_fault_sweep(test, &op, NULL), 6U);
}

/* A domain of 64 MiB; the map ends RAM at 2 GiB, of HOLE_MAX. */
#define F_E820_NR	16384UL

static void f_fresh_before(struct kunit *test, void *arg)
{
	struct t_ctx *c = t_ctx(test);

	if (!c->p2m) {
		t_setup(test, F_E820_NR, HOLE_MAX);
		KUNIT_ASSERT_EQ(test, xp2m_frame_list_build(c->p2m), 0);
	}
	t_case_snap(test, arg);
}

static int f_e820(struct kunit *test, void *arg)
{
	static const struct xp2m_e820_entry map[] = {
		{ .addr = 0, .size = 0x9f000, .type = XP2M_E820_RAM },
		{ .addr = 0x100000, .size = (2ULL << 30) - 0x100000,
		  .type = XP2M_E820_RAM },
	};

	return xp2m_identity_from_e820(t_ctx(test)->p2m, map, ARRAY_SIZE(map),
				       NULL);
}

static void f_e820_after(struct kunit *test, void *arg, int err)
{
	struct t_ctx *c = t_ctx(test);

	if (t_case_failed(test, err))
		return;
	/* The frames on the hole below 1 MiB moved past the domain's pages. */
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, 0x9f),
			XP2M_IDENTITY_FRAME(0x9f));
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, F_E820_NR),
			t_asc_mfn(c, 0x9f));
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, 2 * GIB_PFNS),
			XP2M_IDENTITY_FRAME(2 * GIB_PFNS));
	t_exit(test);
}

static void faults_e820(struct kunit *test)
{
	static const struct xp2m_fault_op op = {
		.name = "xp2m_identity_from_e820",
		.before = f_fresh_before,
		.run = f_e820,
		.after = f_e820_after,
	};

	KUNIT_EXPECT_GE(test, xp2m_fault_sweep(test, &op, NULL), 2U);
}

static struct kunit_case identity_cases[] = {
	KUNIT_CASE(identity_hole),
	KUNIT_CASE(identity_hole_e820),
	KUNIT_CASE(identity_over_missing),
	KUNIT_CASE(identity_over_populated),
	KUNIT_CASE(identity_worst_case),
	KUNIT_CASE(identity_e820_remap),
	KUNIT_CASE(identity_e820_nospace),
	KUNIT_CASE(identity_e820_last_page),
	KUNIT_CASE(identity_e820_adjacent),
	KUNIT_CASE(identity_e820_overlap),
	KUNIT_CASE(faults_identity),
	KUNIT_CASE(faults_e820),
	{}
};

static struct kunit_suite identity_suite = {
	.name = "xp2m_identity",
	.exit = t_exit,
	.test_cases = identity_cases,
};

kunit_test_suite(identity_suite);
