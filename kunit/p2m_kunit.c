// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites of the p2m core: construction, entries, identity,
 * the frame list and its reader, the domain builder, and allocation
 * failures. They run on the simulated machine, in UML and in Xen dom0.
 */

#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include <xp2m/e820.h>
#include <xp2m/reader.h>

#include "../p2m/internal.h"
#include "p2m_test.h"

#define GIB_PFNS	XP2M_MID_SPAN
#define MIB_PFNS(m)	((unsigned long)(m) << (20 - PAGE_SHIFT))

/* Every entry below nr_pages is the builder's frame; every other missing. */
static void t_expect_ascending(struct kunit *test, struct t_ctx *c)
{
	unsigned long pfn, bad = 0;

	for (pfn = 0; pfn < c->p2m->max_pfn; pfn++) {
		unsigned long want = pfn < c->spec.nr_pages ?
				     t_asc_mfn(c, pfn) : XP2M_INVALID_ENTRY;

		if (xp2m_lookup(c->p2m, pfn) != want && bad++ < 4)
			KUNIT_FAIL(test, "pfn %#lx: %#lx, want %#lx", pfn,
				   xp2m_lookup(c->p2m, pfn), want);
	}
	KUNIT_EXPECT_EQ(test, bad, 0UL);
}

/* Sizes around the leaf (2 MiB) and mid (1 GiB) boundaries. */
static void p2m_sizes(struct kunit *test)
{
	static const unsigned long sizes[] = {
		1, 511, 512, 513, 1023, 1024, GIB_PFNS - 1, GIB_PFNS,
		GIB_PFNS + 1,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		unsigned long nr = sizes[i];
		struct t_ctx *c = t_ctx(test);
		struct xp2m_counts n;

		kunit_info(test, "%lu pfns\n", nr);
		t_setup(test, nr, nr);
		t_expect_ascending(test, c);
		xp2m_get_counts(c->p2m, &n);
		KUNIT_EXPECT_EQ(test, n.grafted, nr / XP2M_PER_PAGE);
		KUNIT_EXPECT_EQ(test, n.private_leaves,
				nr % XP2M_PER_PAGE ? 1UL : 0UL);
		KUNIT_EXPECT_EQ(test, n.mids, DIV_ROUND_UP(nr, GIB_PFNS));
		KUNIT_EXPECT_EQ(test, n.shared, 4UL);
		KUNIT_EXPECT_EQ(test, n.list_pages,
				DIV_ROUND_UP(nr, XP2M_PER_PAGE));
		KUNIT_EXPECT_EQ(test, n.top_bytes,
				DIV_ROUND_UP(nr, GIB_PFNS) * sizeof(void *));
		KUNIT_EXPECT_EQ(test, xp2m_leaf_kind(c->p2m, nr - 1),
				nr % XP2M_PER_PAGE ? XP2M_LEAF_PRIVATE :
						     XP2M_LEAF_GRAFTED);
		/* Exact page count: list + shared + mids + partial leaf. */
		KUNIT_EXPECT_EQ(test, xp2m_sim_bound(c->sim),
				(long)(n.list_pages + 4 + n.mids +
				       n.private_leaves));
		t_exit(test);
		test->priv = NULL;
	}
}

/*
 * The domU of Launchpad bug 686692: 615 MB (last_pfn 0x26700) plus 8 MB of
 * extra memory. Its last leaf is only half covered by the list; the rest of
 * that page is garbage, and pfn 0x26700 must read missing, not garbage (as
 * xen_build_dynamic_phys_to_machine() in arch/x86/xen/p2m.c made sure once
 * that bug was found).
 */
static void p2m_615mb_domu(struct kunit *test)
{
	const unsigned long nr = 0x26700, max = 0x26700 + MIB_PFNS(8);
	struct t_ctx *c = t_ctx(test);
	struct xp2m_counts n;
	unsigned long pfn;

	t_setup(test, nr, max);
	t_expect_ascending(test, c);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, 0x26700), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, 0x266ff), t_asc_mfn(c, 0x266ff));
	/* The list's own tail is still the builder's garbage. */
	KUNIT_EXPECT_NE(test, c->p2m->list.mfns[0x26700], XP2M_INVALID_ENTRY);
	for (pfn = 0; pfn < 0x26600; pfn += XP2M_PER_PAGE)
		KUNIT_EXPECT_EQ(test, xp2m_leaf_kind(c->p2m, pfn),
				XP2M_LEAF_GRAFTED);
	KUNIT_EXPECT_EQ(test, xp2m_leaf_kind(c->p2m, 0x26600), XP2M_LEAF_PRIVATE);
	for (pfn = 0x26800; pfn < max; pfn += XP2M_PER_PAGE)
		KUNIT_EXPECT_EQ(test, xp2m_leaf_kind(c->p2m, pfn),
				XP2M_LEAF_MISSING);
	xp2m_get_counts(c->p2m, &n);
	KUNIT_EXPECT_EQ(test, n.grafted, 307UL);
	KUNIT_EXPECT_EQ(test, n.private_leaves, 1UL);
	KUNIT_EXPECT_EQ(test, n.mids, 1UL);
}

/* A list with a full leaf of INVALID entries shares the missing leaf. */
static void p2m_missing_leaf_in_list(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	struct xp2m_counts n;
	unsigned long i;

	t_machine(test, 8192);
	t_domain(test, 2048, XP2M_MFNS_ASCENDING);
	for (i = 512; i < 1024; i++)
		c->boot.mfns[i] = XP2M_INVALID_ENTRY;
	t_p2m(test, 2048);
	KUNIT_EXPECT_EQ(test, xp2m_leaf_kind(c->p2m, 600), XP2M_LEAF_MISSING);
	KUNIT_EXPECT_EQ(test, xp2m_leaf_kind(c->p2m, 0), XP2M_LEAF_GRAFTED);
	xp2m_get_counts(c->p2m, &n);
	KUNIT_EXPECT_EQ(test, n.grafted, 3UL);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, 600), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, 1024), t_asc_mfn(c, 1024));
}

/* Exactly 512 GiB of pfns: the 3-level tree's limit, a frame list works. */
static void p2m_512g_exact(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	struct xp2m_counts n;

	t_setup(test, 4096, XP2M_TREE_SPAN);
	KUNIT_EXPECT_EQ(test, c->p2m->nr_mids, XP2M_PER_PAGE);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, XP2M_TREE_SPAN - 1),
			XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_set(c->p2m, XP2M_TREE_SPAN - 1, 77), 0);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, XP2M_TREE_SPAN - 1), 77UL);
	xp2m_get_counts(c->p2m, &n);
	KUNIT_EXPECT_EQ(test, n.mids, 2UL);
	KUNIT_EXPECT_EQ(test, n.private_leaves, 1UL);
	KUNIT_EXPECT_EQ(test, n.top_bytes, XP2M_PER_PAGE * sizeof(void *));
	KUNIT_EXPECT_EQ(test, xp2m_frame_list_build(c->p2m), 0);
	KUNIT_EXPECT_NE(test, xp2m_frame_list_list(c->p2m), 0UL);
	KUNIT_EXPECT_NE(test, xp2m_frame_list_list(c->p2m), ~0UL);
}

/* One pfn past 512 GiB: the frame list cannot describe it. */
static void p2m_512g_plus_one(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	unsigned long last = XP2M_TREE_SPAN;

	t_setup(test, 4096, XP2M_TREE_SPAN + 1);
	KUNIT_EXPECT_EQ(test, c->p2m->nr_mids, XP2M_PER_PAGE + 1);
	KUNIT_EXPECT_EQ(test, xp2m_frame_list_list(c->p2m), ~0UL);
	KUNIT_EXPECT_EQ(test, xp2m_frame_list_build(c->p2m), -EFBIG);
	KUNIT_EXPECT_EQ(test, xp2m_frame_list_list(c->p2m), ~0UL);
	KUNIT_EXPECT_EQ(test, xp2m_set(c->p2m, last, 99), 0);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, last), 99UL);
	KUNIT_EXPECT_EQ(test, xp2m_set(c->p2m, last + 1, 99), -ERANGE);
}

/* 1 TiB of pfns, sparse: holes cost nothing but the top array. */
static void p2m_1t_sparse(struct kunit *test)
{
	const unsigned long max = 2 * XP2M_TREE_SPAN;
	struct t_ctx *c = t_ctx(test);
	struct xp2m_counts n;
	unsigned long far = max - 12345;

	t_setup(test, 8192, max);
	xp2m_get_counts(c->p2m, &n);
	KUNIT_EXPECT_EQ(test, n.mids, 1UL);
	KUNIT_EXPECT_EQ(test, n.private_leaves, 0UL);
	KUNIT_EXPECT_EQ(test, n.top_bytes, 1024 * sizeof(void *));
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, far), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_set(c->p2m, far, 5), 0);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, far), 5UL);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, far + 1), XP2M_INVALID_ENTRY);
	xp2m_get_counts(c->p2m, &n);
	KUNIT_EXPECT_EQ(test, n.mids, 2UL);
	KUNIT_EXPECT_EQ(test, n.private_leaves, 1UL);
	KUNIT_EXPECT_EQ(test, xp2m_frame_list_list(c->p2m), ~0UL);
}

/* The builder's patterns, and the M2P agreeing with every entry. */
static void p2m_patterns(struct kunit *test)
{
	const unsigned long nr = 3000;
	static const enum xp2m_mfn_pattern patterns[] = {
		XP2M_MFNS_ASCENDING, XP2M_MFNS_DESCENDING, XP2M_MFNS_FRAGMENTED,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(patterns); i++) {
		struct t_ctx *c = t_ctx(test);
		unsigned long pfn, mfn, down = 0, bad = 0, *seen;

		t_machine(test, 4 * nr);
		t_domain(test, nr, patterns[i]);
		t_p2m(test, nr);
		seen = kunit_kcalloc(test, BITS_TO_LONGS(4 * nr),
				     sizeof(long), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, seen);
		for (pfn = 0; pfn < nr; pfn++) {
			mfn = xp2m_lookup(c->p2m, pfn);
			if (mfn < 1 || mfn >= 4 * nr ||
			    test_and_set_bit(mfn, seen) ||
			    c->sim->be.ops->m2p(&c->sim->be, mfn) != pfn)
				bad++;
			if (pfn && mfn < xp2m_lookup(c->p2m, pfn - 1))
				down++;
		}
		KUNIT_EXPECT_EQ(test, bad, 0UL);
		switch (patterns[i]) {
		case XP2M_MFNS_ASCENDING:
			KUNIT_EXPECT_EQ(test, down, 0UL);
			KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, 0), 1UL);
			break;
		case XP2M_MFNS_DESCENDING:
			/* As in arch/x86/xen/p2m.c: [0x290F, 0x290E, ..] */
			KUNIT_EXPECT_EQ(test, down, nr - 1);
			KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, 0), nr);
			KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, 2), nr - 2);
			break;
		case XP2M_MFNS_FRAGMENTED:
			/* Shuffled runs: some steps down, most up. */
			KUNIT_EXPECT_GT(test, down, 10UL);
			KUNIT_EXPECT_LT(test, down, nr / 4);
			/* Other guests' frames lie between the runs. */
			KUNIT_EXPECT_GT(test, find_last_bit(seen, 4 * nr), nr + 100);
			break;
		}
		t_exit(test);
		test->priv = NULL;
	}
}

/* Setters on shared pages, and the non-allocating setter refusing. */
static void p2m_setters_on_shared(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	unsigned long hole = 2 * GIB_PFNS + 5;	/* a missing GiB */
	struct xp2m_counts n;
	long bound;

	t_setup(test, 4096, 4 * GIB_PFNS);
	bound = xp2m_sim_bound(c->sim);

	/* Writing what a shared page stands for allocates nothing. */
	KUNIT_EXPECT_EQ(test, xp2m_set(c->p2m, hole, XP2M_INVALID_ENTRY), 0);
	KUNIT_EXPECT_EQ(test, xp2m_set_noalloc(c->p2m, hole, XP2M_INVALID_ENTRY), 0);
	KUNIT_EXPECT_EQ(test, xp2m_sim_bound(c->sim), bound);

	/* The balloon path refuses to allocate, and changes nothing. */
	KUNIT_EXPECT_EQ(test, xp2m_set_noalloc(c->p2m, hole, 7), -EAGAIN);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, hole), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_sim_bound(c->sim), bound);

	/* The allocating setter gives the GiB a mid and the pfn a leaf. */
	KUNIT_EXPECT_EQ(test, xp2m_set(c->p2m, hole, 7), 0);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, hole), 7UL);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, hole + 1), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_leaf_kind(c->p2m, hole), XP2M_LEAF_PRIVATE);
	KUNIT_EXPECT_EQ(test, xp2m_sim_bound(c->sim), bound + 2);
	/* Now the leaf is private, the balloon path works there. */
	KUNIT_EXPECT_EQ(test, xp2m_set_noalloc(c->p2m, hole + 1, 8), 0);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, hole + 1), 8UL);

	/* Identity leaf: a private copy keeps identity for the others. */
	KUNIT_EXPECT_EQ(test, xp2m_set_identity(c->p2m, GIB_PFNS, GIB_PFNS + 1024),
			1024L);
	KUNIT_EXPECT_EQ(test, xp2m_leaf_kind(c->p2m, GIB_PFNS), XP2M_LEAF_IDENTITY);
	KUNIT_EXPECT_EQ(test, xp2m_set_noalloc(c->p2m, GIB_PFNS,
					       XP2M_IDENTITY_FRAME(GIB_PFNS)), 0);
	KUNIT_EXPECT_EQ(test, xp2m_set_noalloc(c->p2m, GIB_PFNS, 9), -EAGAIN);
	KUNIT_EXPECT_EQ(test, xp2m_set(c->p2m, GIB_PFNS + 3, 9), 0);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, GIB_PFNS + 3), 9UL);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, GIB_PFNS + 4),
			XP2M_IDENTITY_FRAME(GIB_PFNS + 4));
	KUNIT_EXPECT_EQ(test, xp2m_lookup_raw(c->p2m, GIB_PFNS + 4),
			XP2M_IDENTITY_FRAME(GIB_PFNS + 4));
	KUNIT_EXPECT_EQ(test, xp2m_leaf_kind(c->p2m, GIB_PFNS + 3),
			XP2M_LEAF_PRIVATE);
	/* The next leaf is still the shared identity page. */
	KUNIT_EXPECT_EQ(test, xp2m_leaf_kind(c->p2m, GIB_PFNS + 512),
			XP2M_LEAF_IDENTITY);
	KUNIT_EXPECT_EQ(test, xp2m_lookup_raw(c->p2m, GIB_PFNS + 512),
			XP2M_INVALID_ENTRY);

	/* Grafted leaves: plain stores. */
	KUNIT_EXPECT_EQ(test, xp2m_set_noalloc(c->p2m, 10, XP2M_FOREIGN_FRAME(33)), 0);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, 10), XP2M_FOREIGN_FRAME(33));
	KUNIT_EXPECT_EQ(test, xp2m_entry_type(xp2m_lookup(c->p2m, 10)),
			XP2M_TYPE_FOREIGN);
	KUNIT_EXPECT_EQ(test, xp2m_entry_mfn(xp2m_lookup(c->p2m, 10)), 33UL);
	xp2m_get_counts(c->p2m, &n);
	KUNIT_EXPECT_EQ(test, n.private_leaves, 2UL);
	KUNIT_EXPECT_EQ(test, n.mids, 3UL);
}

/* Out-of-range pfns and values that do not fit. */
/*
 * Past max_pfn a lookup answers 1-1, as Linux's __pfn_to_mfn() does past
 * the end of the kernel's p2m; the range-checked calls still refuse.
 */
static void p2m_past_max_pfn(struct kunit *test)
{
	static const unsigned long past[] = {
		2048, 2049, 4096, 1UL << 30, 1UL << 40,
	};
	struct t_ctx *c = t_ctx(test);
	unsigned long e = 0;
	unsigned int i;

	t_setup(test, 1024, 2048);
	for (i = 0; i < ARRAY_SIZE(past); i++)
		KUNIT_EXPECT_EQ_MSG(test, xp2m_lookup(c->p2m, past[i]),
				    XP2M_IDENTITY_FRAME(past[i]), "pfn %#lx",
				    past[i]);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, 2047), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_get(c->p2m, 2048, &e), -ERANGE);
	KUNIT_EXPECT_EQ(test, xp2m_set(c->p2m, 2048, 1), -ERANGE);
	if (!xp2m_kpte_supported())
		return;
	KUNIT_ASSERT_EQ(test, xp2m_linear_build(c->p2m), 0);
	for (i = 0; i < ARRAY_SIZE(past); i++)
		KUNIT_EXPECT_EQ_MSG(test, xp2m_linear_lookup(c->p2m, past[i]),
				    XP2M_IDENTITY_FRAME(past[i]), "pfn %#lx",
				    past[i]);
	KUNIT_EXPECT_EQ(test, xp2m_linear_lookup(c->p2m, 2047),
			XP2M_INVALID_ENTRY);
}

static void p2m_bad_input(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	unsigned long max_mfn, e = 0;
	struct xp2m_list list;
	struct xp2m *p2m;
	long bound;

	t_setup(test, 1024, 2048);
	max_mfn = c->sim->be.max_mfn;
	bound = xp2m_sim_bound(c->sim);

	KUNIT_EXPECT_EQ(test, xp2m_get(c->p2m, 2048, &e), -ERANGE);
	KUNIT_EXPECT_EQ(test, xp2m_get(c->p2m, 2047, &e), 0);
	KUNIT_EXPECT_EQ(test, e, XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_set(c->p2m, 2048, 1), -ERANGE);
	KUNIT_EXPECT_EQ(test, xp2m_set_noalloc(c->p2m, ~0UL, 1), -ERANGE);
	KUNIT_EXPECT_EQ(test, xp2m_set(c->p2m, 5, max_mfn + 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_set(c->p2m, 5, XP2M_FOREIGN_FRAME(max_mfn + 1)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_set(c->p2m, 5, XP2M_IDENTITY_FRAME(6)), -EINVAL);
	e = XP2M_FOREIGN_FRAME(XP2M_IDENTITY_FRAME(5));
	KUNIT_EXPECT_EQ(test, xp2m_set(c->p2m, 5, e), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_set_noalloc(c->p2m, 5, max_mfn + 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, 5), t_asc_mfn(c, 5));
	KUNIT_EXPECT_EQ(test, xp2m_set(c->p2m, 5, max_mfn), 0);

	KUNIT_EXPECT_EQ(test, xp2m_set_identity(c->p2m, 10, 9), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_set_identity(c->p2m, 10, 2049), -ERANGE);
	KUNIT_EXPECT_EQ(test, xp2m_set_identity(c->p2m, 10, 10), 0L);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, 10), t_asc_mfn(c, 10));
	KUNIT_EXPECT_EQ(test, xp2m_sim_bound(c->sim), bound);

	/* Creation: bad sizes, and a list entry past the machine. */
	KUNIT_ASSERT_EQ(test, xp2m_list_alloc(&c->sim->be, 600, &list), 0);
	memset(list.mfns, 0, 600 * sizeof(long));
	p2m = xp2m_create("bad", &list, 600, 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR(p2m), -EINVAL);
	p2m = xp2m_create("bad", &list, 601, 700);
	KUNIT_EXPECT_EQ(test, PTR_ERR(p2m), -EINVAL);
	p2m = xp2m_create("bad", &list, 600, 599);
	KUNIT_EXPECT_EQ(test, PTR_ERR(p2m), -EINVAL);
	list.mfns[550] = max_mfn + 1;
	p2m = xp2m_create("bad", &list, 600, 700);
	KUNIT_EXPECT_EQ(test, PTR_ERR(p2m), -EINVAL);
	list.mfns[550] = 0;
	list.mfns[3] = XP2M_IDENTITY_FRAME(3);
	p2m = xp2m_create("bad", &list, 600, 700);
	KUNIT_EXPECT_EQ(test, PTR_ERR(p2m), -EINVAL);
	/* The caller still owns the list, untouched. */
	KUNIT_EXPECT_NOT_NULL(test, list.mfns);
	KUNIT_EXPECT_EQ(test, list.mfns[3], XP2M_IDENTITY_FRAME(3));
	xp2m_list_free(&list);
	KUNIT_EXPECT_EQ(test, xp2m_sim_bound(c->sim), bound);
}

/* A p2m with no boot list at all: everything missing. */
static void p2m_empty_list(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	struct xp2m *p2m;

	t_machine(test, 64);
	KUNIT_ASSERT_EQ(test, xp2m_list_alloc(&c->sim->be, 0, &c->boot), 0);
	p2m = xp2m_create("empty", &c->boot, 0, 1000);
	KUNIT_ASSERT_FALSE(test, IS_ERR(p2m));
	c->p2m = p2m;
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, 0), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, p2m->counts.mids, 0UL);
	KUNIT_EXPECT_EQ(test, xp2m_set(p2m, 999, 3), 0);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, 999), 3UL);
}

static struct kunit_case p2m_cases[] = {
	KUNIT_CASE(p2m_sizes),
	KUNIT_CASE(p2m_615mb_domu),
	KUNIT_CASE(p2m_missing_leaf_in_list),
	KUNIT_CASE(p2m_512g_exact),
	KUNIT_CASE(p2m_512g_plus_one),
	KUNIT_CASE(p2m_1t_sparse),
	KUNIT_CASE(p2m_patterns),
	KUNIT_CASE(p2m_setters_on_shared),
	KUNIT_CASE(p2m_past_max_pfn),
	KUNIT_CASE(p2m_bad_input),
	KUNIT_CASE(p2m_empty_list),
	{}
};

static struct kunit_suite p2m_suite = {
	.name = "xp2m_p2m",
	.exit = t_exit,
	.test_cases = p2m_cases,
};

/*
 * The E820 example of the header comment of arch/x86/xen/p2m.c (Linux
 * 2.6.39 to 3.18): RAM to 1029 MB, ACPI and reserved, RAM from 2001 MB;
 * dom0_mem=max:3GB,1GB, so pfns past 1 GiB are not populated.
 */
#define HOLE_NR		(GIB_PFNS)		/* 1 GiB populated */
#define HOLE_MAX	(3 * GIB_PFNS)		/* max:3GB */
#define HOLE_START	263424UL		/* 1029 MB = 0x40500 */
#define HOLE_END	512256UL		/* 2001 MB = 0x7D100 */

static const struct xp2m_e820_entry hole_e820[] = {
	{ .addr = 0, .size = 1029ULL << 20, .type = XP2M_E820_RAM },
	{ .addr = 1029ULL << 20, .size = 71ULL << 20,
	  .type = XP2M_E820_ACPI },
	{ .addr = 1500ULL << 20, .size = 300ULL << 20,
	  .type = XP2M_E820_RESERVED },
	{ .addr = 2001ULL << 20, .size = 2000ULL << 20, .type = XP2M_E820_RAM },
};

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

static struct kunit_case identity_cases[] = {
	KUNIT_CASE(identity_hole),
	KUNIT_CASE(identity_hole_e820),
	KUNIT_CASE(identity_over_missing),
	KUNIT_CASE(identity_over_populated),
	KUNIT_CASE(identity_worst_case),
	KUNIT_CASE(identity_e820_remap),
	KUNIT_CASE(identity_e820_nospace),
	{}
};

static struct kunit_suite identity_suite = {
	.name = "xp2m_p2m_identity",
	.exit = t_exit,
	.test_cases = identity_cases,
};

/* Compare what the frame-list reader returns with the p2m, leaf by leaf. */
struct t_read {
	struct kunit *test;
	struct xp2m *p2m;
	unsigned long leaves;
	unsigned long bad;
	unsigned long missing_seen;
};

static int t_read_leaf(void *ctx, unsigned long first, unsigned long leaf_mfn,
		       const unsigned long *e, unsigned int nr)
{
	struct t_read *t = ctx;
	struct xp2m *p2m = t->p2m;
	unsigned long *leaf = xp2m_leaf_of(p2m, first);
	unsigned int i;

	t->leaves++;
	if (leaf_mfn != xp2m_virt_to_mfn(p2m->be, leaf))
		t->bad++;
	/* The shared missing leaf is compared once. */
	if (leaf == p2m->missing_leaf && t->missing_seen++)
		return 0;
	for (i = 0; i < nr; i++)
		if (e[i] != xp2m_lookup_raw(p2m, first + i))
			t->bad++;
	return 0;
}

static void t_round_trip(struct kunit *test, struct xp2m *p2m,
			 unsigned long want_max)
{
	struct t_read t = { .test = test, .p2m = p2m };
	struct xp2m_fl_report rep;
	unsigned long pfn;
	int err;

	err = xp2m_frame_list_read(p2m->be, xp2m_frame_list_list(p2m),
				   p2m->max_pfn, t_read_leaf, &t, &rep);
	KUNIT_ASSERT_EQ_MSG(test, err, 0, "%s at %lu (mfn %#lx)",
			    xp2m_fl_error_str(rep.error), rep.index, rep.mfn);
	KUNIT_EXPECT_EQ(test, rep.error, XP2M_FL_OK);
	KUNIT_EXPECT_EQ(test, rep.max_pfn, want_max);
	KUNIT_EXPECT_EQ(test, t.leaves, DIV_ROUND_UP(want_max, XP2M_PER_PAGE));
	KUNIT_EXPECT_EQ(test, t.bad, 0UL);
	/* What the trimming dropped is all missing to the toolstack. */
	for (pfn = want_max; pfn < p2m->max_pfn; pfn += XP2M_PER_PAGE)
		KUNIT_EXPECT_EQ(test, xp2m_lookup_raw(p2m, pfn),
				XP2M_INVALID_ENTRY);
}

static void fl_round_trip_hole(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	long bound;

	t_setup(test, HOLE_NR, HOLE_MAX);
	KUNIT_ASSERT_EQ(test, xp2m_identity_from_e820(c->p2m, hole_e820,
						      ARRAY_SIZE(hole_e820),
						      NULL), 0);
	bound = xp2m_sim_bound(c->sim);
	KUNIT_ASSERT_EQ(test, xp2m_frame_list_build(c->p2m), 0);
	/* top, the two shared mid frames, one frame per private mid (2). */
	KUNIT_EXPECT_EQ(test, xp2m_sim_bound(c->sim), bound + 5);
	KUNIT_EXPECT_EQ(test, c->p2m->counts.fl_pages, 5UL);
	/*
	 * [GiB 0, GiB 1, missing]: the toolstack keeps the first entry of a
	 * trailing run of identical ones, so nothing is trimmed here.
	 */
	t_round_trip(test, c->p2m, HOLE_MAX);
	/* Building again is a no-op. */
	KUNIT_EXPECT_EQ(test, xp2m_frame_list_build(c->p2m), 0);
	KUNIT_EXPECT_EQ(test, xp2m_sim_bound(c->sim), bound + 5);
}

static void fl_round_trip_layouts(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	unsigned long pfn;

	/* 615 MB domU, fragmented frames; then a populated far GiB. */
	t_machine(test, 4 * 0x26700);
	t_domain(test, 0x26700, XP2M_MFNS_FRAGMENTED);
	t_p2m(test, 3 * GIB_PFNS);
	KUNIT_ASSERT_EQ(test, xp2m_frame_list_build(c->p2m), 0);
	/* [GiB 0, missing, missing]: the last one is trimmed. */
	t_round_trip(test, c->p2m, 2 * GIB_PFNS);
	/* The frame list follows every change of the tree. */
	for (pfn = 2 * GIB_PFNS + 1; pfn < 2 * GIB_PFNS + 5000; pfn += 999)
		KUNIT_ASSERT_EQ(test, xp2m_set(c->p2m, pfn, pfn & 0xfff), 0);
	KUNIT_ASSERT_EQ(test, xp2m_set_identity(c->p2m, GIB_PFNS,
						2 * GIB_PFNS), (long)GIB_PFNS);
	t_round_trip(test, c->p2m, 3 * GIB_PFNS);
	KUNIT_EXPECT_EQ(test, c->p2m->fl->top[1], c->p2m->fl->identity_mid_mfn);
}

static void fl_round_trip_512g(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);

	t_setup(test, 4096, XP2M_TREE_SPAN);
	KUNIT_ASSERT_EQ(test, xp2m_frame_list_build(c->p2m), 0);
	/* 510 trailing missing GiBs trimmed, the first of the run kept. */
	t_round_trip(test, c->p2m, 2 * GIB_PFNS);
	/* The last GiB populated: nothing to trim any more. */
	KUNIT_ASSERT_EQ(test, xp2m_set(c->p2m, XP2M_TREE_SPAN - 1, 1), 0);
	t_round_trip(test, c->p2m, XP2M_TREE_SPAN);
}

static int t_read_nothing(void *ctx, unsigned long first, unsigned long mfn,
			  const unsigned long *e, unsigned int nr)
{
	return 0;
}

static int t_read_stop(void *ctx, unsigned long first, unsigned long mfn,
		       const unsigned long *e, unsigned int nr)
{
	return first ? -EINTR : 0;
}

/* Read @p2m with fll @fll; expect @err and @why at @index. */
static void t_reject(struct kunit *test, struct xp2m *p2m, unsigned long fll,
		     unsigned long max, int err, enum xp2m_fl_error why,
		     unsigned long index)
{
	struct xp2m_fl_report rep;

	KUNIT_EXPECT_EQ(test, xp2m_frame_list_read(p2m->be, fll, max,
						   t_read_nothing, NULL, &rep),
			err);
	KUNIT_EXPECT_EQ_MSG(test, rep.error, why, "got: %s",
			    xp2m_fl_error_str(rep.error));
	KUNIT_EXPECT_EQ(test, rep.index, index);
}

static void fl_rejections(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	struct xp2m_backend *be;
	struct xp2m_fl_report rep;
	unsigned long fll, *top, *mid, saved, leaf_mfn, pfn;

	t_setup(test, 2 * GIB_PFNS, 3 * GIB_PFNS);
	KUNIT_ASSERT_EQ(test, xp2m_frame_list_build(c->p2m), 0);
	be = c->p2m->be;
	fll = xp2m_frame_list_list(c->p2m);

	t_reject(test, c->p2m, fll, XP2M_TREE_SPAN + 1, -EFBIG,
		 XP2M_FL_TOO_LARGE, 0);
	t_reject(test, c->p2m, 0, c->p2m->max_pfn, -ENODATA,
		 XP2M_FL_NOT_SET_UP, 0);
	t_reject(test, c->p2m, ~0UL, c->p2m->max_pfn, -EOPNOTSUPP,
		 XP2M_FL_INVALID, 0);
	t_reject(test, c->p2m, be->max_mfn + 1, c->p2m->max_pfn, -ERANGE,
		 XP2M_FL_BAD_FLL_MFN, 0);
	/* A frame of the domain with no page behind it in the simulation. */
	t_reject(test, c->p2m, t_asc_mfn(c, GIB_PFNS + 3), c->p2m->max_pfn,
		 -EFAULT, XP2M_FL_UNMAPPABLE, 0);

	/* Corrupt the top frame: an entry of 0, then past the machine. */
	top = (unsigned long *)be->ops->map_frame(be, fll);
	KUNIT_ASSERT_NOT_NULL(test, top);
	saved = top[1];
	top[1] = 0;
	t_reject(test, c->p2m, fll, c->p2m->max_pfn, -ERANGE,
		 XP2M_FL_BAD_FLL_ENTRY, 1);
	top[1] = be->max_mfn + 1;
	t_reject(test, c->p2m, fll, c->p2m->max_pfn, -ERANGE,
		 XP2M_FL_BAD_FLL_ENTRY, 1);
	top[1] = saved;

	/* Corrupt a mid frame: a leaf entry past the machine. */
	mid = (unsigned long *)be->ops->map_frame(be, top[1]);
	KUNIT_ASSERT_NOT_NULL(test, mid);
	saved = mid[7];
	mid[7] = be->max_mfn + 1;
	t_reject(test, c->p2m, fll, c->p2m->max_pfn, -ERANGE,
		 XP2M_FL_BAD_FL_ENTRY, 512 + 7);
	mid[7] = saved;

	/* A leaf frame whose M2P entry leads elsewhere is not the guest's. */
	leaf_mfn = mid[9];
	pfn = be->ops->m2p(be, leaf_mfn);
	be->ops->set_m2p(be, leaf_mfn, pfn + 1);
	t_reject(test, c->p2m, fll, c->p2m->max_pfn, -ERANGE,
		 XP2M_FL_LEAF_NOT_GUEST, 512 + 9);
	be->ops->set_m2p(be, leaf_mfn, pfn);

	/* The callback can stop the read. */
	KUNIT_EXPECT_EQ(test, xp2m_frame_list_read(be, fll, c->p2m->max_pfn,
						   t_read_stop, NULL, &rep),
			-EINTR);
	/* All restored: a clean read. */
	t_round_trip(test, c->p2m, 3 * GIB_PFNS);
}

/*
 * A one-page domain is all boot list: its p2m's own pages are lent frames
 * from outside it, and the toolstack rejects them.
 */
static void fl_rejects_foreign_leaves(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);

	t_setup(test, 1, 1);
	KUNIT_EXPECT_EQ(test, xp2m_sim_pool_free(c->sim), 0UL);
	KUNIT_ASSERT_EQ(test, xp2m_frame_list_build(c->p2m), 0);
	/* Its only leaf, the partial one, is a lent page. */
	t_reject(test, c->p2m, xp2m_frame_list_list(c->p2m), 1, -ERANGE,
		 XP2M_FL_LEAF_NOT_GUEST, 0);
}

static struct kunit_case fl_cases[] = {
	KUNIT_CASE(fl_round_trip_hole),
	KUNIT_CASE(fl_round_trip_layouts),
	KUNIT_CASE(fl_round_trip_512g),
	KUNIT_CASE(fl_rejections),
	KUNIT_CASE(fl_rejects_foreign_leaves),
	{}
};

static struct kunit_suite fl_suite = {
	.name = "xp2m_p2m_frame_list",
	.exit = t_exit,
	.test_cases = fl_cases,
};

/*
 * A list placed in a bounded region limits the guest's size. A region of
 * 4 pages at 1 MiB holds 2048 entries: a 2048-page domain fits, one page
 * more does not.
 */
static void builder_region_limit(struct kunit *test)
{
	struct xp2m_domain_spec spec = {
		.region_start = 0x100,
		.region_end = 0x104,
		.pattern = XP2M_MFNS_ASCENDING,
		.first_mfn = 1,
	};
	struct t_ctx *c = t_ctx(test);
	struct xp2m_list list;
	unsigned long i;

	t_machine(test, 8192);
	spec.nr_pages = 4 * XP2M_PER_PAGE + 1;
	KUNIT_EXPECT_EQ(test, xp2m_build_domain(&c->sim->be, &spec, &list),
			-E2BIG);
	KUNIT_EXPECT_EQ(test, xp2m_sim_bound(c->sim), 0L);
	spec.nr_pages = 4 * XP2M_PER_PAGE;
	KUNIT_ASSERT_EQ(test, xp2m_build_domain(&c->sim->be, &spec, &list), 0);
	KUNIT_EXPECT_EQ(test, list.nr_pages, 4UL);
	/* Each list page is the memory of the frame its own entry names. */
	for (i = 0; i < list.nr_pages; i++) {
		unsigned long mfn = c->sim->be.ops->page_to_mfn(&c->sim->be,
								list.pages[i]);

		KUNIT_EXPECT_EQ(test, mfn, list.mfns[spec.region_start + i]);
		KUNIT_EXPECT_EQ(test, c->sim->be.ops->m2p(&c->sim->be, mfn),
				spec.region_start + i);
	}
	xp2m_list_free(&list);
}

static void builder_bad_input(struct kunit *test)
{
	struct xp2m_domain_spec spec = {
		.nr_pages = 1000, .region_start = 0, .region_end = 1000,
		.pattern = XP2M_MFNS_ASCENDING, .first_mfn = 1,
	};
	struct t_ctx *c = t_ctx(test);
	struct xp2m_list list;

	t_machine(test, 1500);
	spec.region_end = 1001;
	KUNIT_EXPECT_EQ(test, xp2m_build_domain(&c->sim->be, &spec, &list),
			-EINVAL);
	spec.region_end = 1000;
	spec.nr_pages = 0;
	KUNIT_EXPECT_EQ(test, xp2m_build_domain(&c->sim->be, &spec, &list),
			-EINVAL);
	/* The machine has not the frames. */
	spec.nr_pages = 1000;
	spec.first_mfn = 600;
	KUNIT_EXPECT_EQ(test, xp2m_build_domain(&c->sim->be, &spec, &list),
			-ENOSPC);
	spec.pattern = XP2M_MFNS_FRAGMENTED;
	spec.first_mfn = 1;
	KUNIT_EXPECT_EQ(test, xp2m_build_domain(&c->sim->be, &spec, &list),
			-ENOSPC);
	/* A frame already taken: refused, and every frame given back. */
	KUNIT_ASSERT_EQ(test, xp2m_sim_assign_frame(c->sim, 500, 0), 0);
	spec.pattern = XP2M_MFNS_ASCENDING;
	KUNIT_EXPECT_EQ(test, xp2m_build_domain(&c->sim->be, &spec, &list),
			-EBUSY);
	KUNIT_ASSERT_EQ(test, xp2m_sim_assign_frame(c->sim, 500,
						    XP2M_INVALID_ENTRY), 0);
	KUNIT_EXPECT_EQ(test, xp2m_build_domain(&c->sim->be, &spec, &list), 0);
	KUNIT_EXPECT_EQ(test, xp2m_sim_bound(c->sim), 2L);
	xp2m_list_free(&list);
}

static struct kunit_case builder_cases[] = {
	KUNIT_CASE(builder_region_limit),
	KUNIT_CASE(builder_bad_input),
	{}
};

static struct kunit_suite builder_suite = {
	.name = "xp2m_p2m_builder",
	.exit = t_exit,
	.test_cases = builder_cases,
};

/*
 * Allocation failures: every allocation of each operation failed in turn,
 * the kernel's own on its behalf included (xp2m_fault_sweep()). A failure
 * must give -ENOMEM with the p2m exactly as before, every page back to the
 * machine and every boot-list page freed (t_snap() counts both). A run the
 * kernel recovered from by itself must do all the operation does; the next
 * run then works on a part of the p2m the last did not touch (@k), or on a
 * p2m made afresh.
 */
static struct t_sweep *f_sweep(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);

	if (!c->extra) {
		c->extra = kunit_kzalloc(test, sizeof(struct t_sweep),
					 GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, c->extra);
	}
	return c->extra;
}

static void f_snap(struct kunit *test, void *arg)
{
	t_sweep_before(test, f_sweep(test));
}

static bool f_failed(struct kunit *test, int err)
{
	return t_sweep_failed(test, f_sweep(test), err);
}

/* The domain of faults_create: two GiBs, a partial last leaf. */
#define F_CREATE_NR	(HOLE_NR + 100)

static void f_create_before(struct kunit *test, void *arg)
{
	struct t_ctx *c = t_ctx(test);
	struct t_sweep *f = f_sweep(test);

	if (!c->sim) {
		t_machine(test, 2 * F_CREATE_NR + 4096);
		t_domain(test, F_CREATE_NR, XP2M_MFNS_ASCENDING);
	}
	f->before.bound = xp2m_sim_bound(c->sim);
	f->before.list_pages = xp2m_list_pages();
}

static int f_create(struct kunit *test, void *arg)
{
	struct t_ctx *c = t_ctx(test);
	struct xp2m *p2m;

	p2m = xp2m_create("faults", &c->boot, c->spec.nr_pages, HOLE_MAX);
	if (IS_ERR(p2m))
		return PTR_ERR(p2m);
	c->p2m = p2m;
	return 0;
}

static void f_create_after(struct kunit *test, void *arg, int err)
{
	const long list = DIV_ROUND_UP(F_CREATE_NR, XP2M_PER_PAGE);
	struct t_ctx *c = t_ctx(test);
	struct t_sweep *f = f_sweep(test);
	struct xp2m_counts n;

	if (err) {
		/* The caller still owns the list, untouched. */
		KUNIT_EXPECT_EQ(test, xp2m_sim_bound(c->sim), f->before.bound);
		KUNIT_EXPECT_EQ(test, xp2m_list_pages(), f->before.list_pages);
		KUNIT_EXPECT_NOT_NULL(test, c->boot.mfns);
		return;
	}
	xp2m_get_counts(c->p2m, &n);
	KUNIT_EXPECT_EQ(test, n.grafted, F_CREATE_NR / XP2M_PER_PAGE);
	KUNIT_EXPECT_EQ(test, n.private_leaves, 1UL);
	KUNIT_EXPECT_EQ(test, n.mids, 2UL);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, F_CREATE_NR - 1),
			t_asc_mfn(c, F_CREATE_NR - 1));
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, F_CREATE_NR),
			XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_NULL(test, c->boot.mfns);
	/* The list went to the p2m, and goes with it (t_exit() counts pages). */
	t_exit(test);
	KUNIT_EXPECT_EQ(test, xp2m_list_pages(), f->before.list_pages - list);
}

static void faults_create(struct kunit *test)
{
	static const struct xp2m_fault_op op = {
		.name = "xp2m_create",
		.before = f_create_before,
		.run = f_create,
		.after = f_create_after,
	};

	/* The bitmap, the p2m, its name, top, 4 shared pages, 2 mids, a leaf. */
	KUNIT_EXPECT_GE(test, xp2m_fault_sweep(test, &op, NULL), 11U);
}

/* Each run a pfn in a GiB no run touched: a mid, its frame-list page, a leaf. */
#define F_SPACE		(64 * GIB_PFNS)

static unsigned long f_set_pfn(struct kunit *test)
{
	return (2 + f_sweep(test)->k) * GIB_PFNS + 9;
}

static int f_set(struct kunit *test, void *arg)
{
	return xp2m_set(t_ctx(test)->p2m, f_set_pfn(test), 1);
}

static void f_set_after(struct kunit *test, void *arg, int err)
{
	struct xp2m *p2m = t_ctx(test)->p2m;
	unsigned long pfn = f_set_pfn(test);

	if (f_failed(test, err))
		return;
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, pfn), 1UL);
	KUNIT_EXPECT_EQ(test, xp2m_leaf_kind(p2m, pfn), XP2M_LEAF_PRIVATE);
}

static void faults_set(struct kunit *test)
{
	static const struct xp2m_fault_op op = {
		.name = "xp2m_set",
		.before = f_snap,
		.run = f_set,
		.after = f_set_after,
	};
	struct t_ctx *c = t_ctx(test);

	t_setup(test, 4096, F_SPACE);
	KUNIT_ASSERT_EQ(test, xp2m_frame_list_build(c->p2m), 0);
	KUNIT_EXPECT_GE(test, xp2m_fault_sweep(test, &op, NULL), 3U);
}

/* Each run [(2k + 1) GiB + 700, (2k + 2) GiB + 900): both ends in a hole. */
static unsigned long f_identity_start(struct kunit *test)
{
	return (2 * f_sweep(test)->k + 1) * GIB_PFNS + 700;
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

	if (f_failed(test, err))
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
		.before = f_snap,
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
	f_snap(test, arg);
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

	if (f_failed(test, err))
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

static void f_fl_before(struct kunit *test, void *arg)
{
	struct t_ctx *c = t_ctx(test);

	if (!c->p2m) {
		t_setup(test, 4096, HOLE_MAX);
		KUNIT_ASSERT_EQ(test, xp2m_set_identity(c->p2m, HOLE_START,
							HOLE_END),
				(long)(HOLE_END - HOLE_START));
	}
	f_snap(test, arg);
}

static int f_fl_build(struct kunit *test, void *arg)
{
	return xp2m_frame_list_build(t_ctx(test)->p2m);
}

static void f_fl_after(struct kunit *test, void *arg, int err)
{
	struct t_ctx *c = t_ctx(test);

	if (f_failed(test, err)) {
		KUNIT_EXPECT_EQ(test, xp2m_frame_list_list(c->p2m), 0UL);
		return;
	}
	t_round_trip(test, c->p2m, HOLE_MAX);
	t_exit(test);
}

static void faults_frame_list(struct kunit *test)
{
	static const struct xp2m_fault_op op = {
		.name = "xp2m_frame_list_build",
		.before = f_fl_before,
		.run = f_fl_build,
		.after = f_fl_after,
	};

	/* The list, its mid array, the top page, 2 shared mids, 2 mids. */
	KUNIT_EXPECT_GE(test, xp2m_fault_sweep(test, &op, NULL), 7U);
}

static const struct xp2m_domain_spec f_build_spec = {
	.nr_pages = 5000, .region_start = 10, .region_end = 40,
	.pattern = XP2M_MFNS_FRAGMENTED, .first_mfn = 1, .seed = 7,
};

static void f_build_before(struct kunit *test, void *arg)
{
	struct t_ctx *c = t_ctx(test);
	struct t_sweep *f = f_sweep(test);

	if (!c->sim)
		t_machine(test, 4 * 5000);
	c->spec = f_build_spec;
	f->before.bound = xp2m_sim_bound(c->sim);
	f->before.list_pages = xp2m_list_pages();
}

static int f_build(struct kunit *test, void *arg)
{
	struct t_ctx *c = t_ctx(test);

	return xp2m_build_domain(&c->sim->be, &c->spec, &c->boot);
}

static void f_build_after(struct kunit *test, void *arg, int err)
{
	struct t_ctx *c = t_ctx(test);
	struct t_sweep *f = f_sweep(test);

	if (err) {
		KUNIT_EXPECT_EQ(test, xp2m_sim_bound(c->sim), f->before.bound);
		KUNIT_EXPECT_EQ(test, xp2m_list_pages(), f->before.list_pages);
		KUNIT_EXPECT_NULL(test, c->boot.mfns);
		KUNIT_EXPECT_EQ(test, xp2m_sim_pool_free(c->sim), 0UL);
		return;
	}
	KUNIT_EXPECT_EQ(test, xp2m_list_pages(), f->before.list_pages + 10);
	t_p2m(test, 5000);
	KUNIT_EXPECT_EQ(test, xp2m_leaf_kind(c->p2m, 0), XP2M_LEAF_GRAFTED);
	t_exit(test);
}

static void faults_build(struct kunit *test)
{
	static const struct xp2m_fault_op op = {
		.name = "xp2m_build_domain",
		.before = f_build_before,
		.run = f_build,
		.after = f_build_after,
	};

	/* The page array, 10 list pages, the runs, the pool's two arrays. */
	KUNIT_EXPECT_GE(test, xp2m_fault_sweep(test, &op, NULL), 14U);
}

static struct kunit_case faults_cases[] = {
	KUNIT_CASE(faults_create),
	KUNIT_CASE(faults_set),
	KUNIT_CASE(faults_identity),
	KUNIT_CASE(faults_e820),
	KUNIT_CASE(faults_frame_list),
	KUNIT_CASE(faults_build),
	{}
};

static struct kunit_suite faults_suite = {
	.name = "xp2m_p2m_faults",
	.exit = t_exit,
	.test_cases = faults_cases,
};

kunit_test_suites(&p2m_suite, &identity_suite, &fl_suite, &builder_suite,
		  &faults_suite);

MODULE_DESCRIPTION("xp2m: KUnit suites of the p2m core");
MODULE_LICENSE("GPL");
MODULE_VERSION(XP2M_VERSION);
