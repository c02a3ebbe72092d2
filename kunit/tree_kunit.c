// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the p2m's tree: construction from a boot list (grafted,
 * shared and private leaves, sizes up to past 512 GiB), entries and the
 * setters, bad input, and allocation failures of construction and of a
 * setter. On the simulated machine, in UML and in Xen dom0.
 */

#include <linux/sched.h>
#include <linux/slab.h>

#include <xp2m/kpte.h>

#include "fixture.h"

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

/*
 * The scan of a full leaf tells a leaf of INVALID entries from one that
 * names a single frame, the lowest there is (frame 0, its entry + 1 the
 * smallest maximum the scan keeps) or the highest (max_mfn), and refuses a
 * frame just past the machine's there as anywhere.
 */
static void p2m_scan_leaf_edges(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	unsigned long max_mfn, i;
	struct xp2m_counts n;
	struct xp2m_list list;
	struct xp2m *p2m;

	t_machine(test, 8192);
	max_mfn = c->sim->be.max_mfn;
	t_domain(test, 2048, XP2M_MFNS_ASCENDING);
	for (i = 512; i < 2048; i++)
		c->boot.mfns[i] = XP2M_INVALID_ENTRY;
	c->boot.mfns[700] = 0;
	c->boot.mfns[1535] = max_mfn;
	t_p2m(test, 2048);
	KUNIT_EXPECT_EQ(test, xp2m_leaf_kind(c->p2m, 700), XP2M_LEAF_GRAFTED);
	KUNIT_EXPECT_EQ(test, xp2m_leaf_kind(c->p2m, 1024), XP2M_LEAF_GRAFTED);
	KUNIT_EXPECT_EQ(test, xp2m_leaf_kind(c->p2m, 1536), XP2M_LEAF_MISSING);
	xp2m_get_counts(c->p2m, &n);
	KUNIT_EXPECT_EQ(test, n.grafted, 3UL);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, 700), 0UL);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, 701), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, 1535), max_mfn);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, 1534), XP2M_INVALID_ENTRY);

	/* A frame past the machine in the middle of a full leaf. */
	KUNIT_ASSERT_EQ(test, xp2m_list_alloc(&c->sim->be, 1024, &list), 0);
	for (i = 0; i < 1024; i++)
		list.mfns[i] = XP2M_INVALID_ENTRY;
	list.mfns[300] = max_mfn + 1;
	p2m = xp2m_create("bad", &list, 1024, 1024);
	KUNIT_EXPECT_EQ(test, PTR_ERR(p2m), -EINVAL);
	KUNIT_EXPECT_EQ(test, list.mfns[300], max_mfn + 1);
	xp2m_list_free(&list);
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

/*
 * A pfn space the tree cannot address is refused, by both constructors:
 * past XP2M_MAX_PFN, and, the first size whose top array,
 * DIV_ROUND_UP(max_pfn, XP2M_MID_SPAN) entries, would wrap to none at all.
 * The caller keeps its list, untouched, and nothing is allocated. A p2m
 * made all the same is destroyed, so that a failure here leaks nothing.
 */
static void p2m_max_pfn_limit(struct kunit *test)
{
	static const unsigned long huge[] = {
		ULONG_MAX, ULONG_MAX - XP2M_MID_SPAN + 2, XP2M_MAX_PFN + 1,
	};
	struct t_ctx *c = t_ctx(test);
	struct xp2m *p2m;
	unsigned int i;
	long bound;

	t_machine(test, 4096);
	t_domain(test, 512, XP2M_MFNS_ASCENDING);
	bound = xp2m_sim_bound(c->sim);
	for (i = 0; i < ARRAY_SIZE(huge); i++) {
		p2m = xp2m_create("huge", &c->boot, 512, huge[i]);
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(p2m), -EINVAL,
				    "xp2m_create, max_pfn %#lx", huge[i]);
		if (!IS_ERR(p2m))
			xp2m_destroy(p2m);
		p2m = xp2m_create_borrowed("huge", &c->sim->be, huge[i], NULL,
					   NULL);
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(p2m), -EINVAL,
				    "xp2m_create_borrowed, max_pfn %#lx",
				    huge[i]);
		if (!IS_ERR(p2m))
			xp2m_destroy(p2m);
	}
	KUNIT_ASSERT_EQ(test, c->boot.nr, 512UL);
	KUNIT_EXPECT_EQ(test, c->boot.mfns[511], t_asc_mfn(c, 511));
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

/*
 * Allocation failures (xp2m_fault_sweep(), through the fixture's
 * t_case_snap() and t_case_failed()): a run that failed must give -ENOMEM
 * with the p2m exactly as before, every page back to the machine and every
 * boot-list page freed; one the kernel recovered from must do all the
 * operation does.
 */

/* The domain of faults_create: two GiBs, a partial last leaf. */
#define F_CREATE_NR	(HOLE_NR + 100)

static void f_create_before(struct kunit *test, void *arg)
{
	struct t_ctx *c = t_ctx(test);
	struct t_sweep *f = t_case_sweep(test);

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
	struct t_sweep *f = t_case_sweep(test);
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

static unsigned long f_set_pfn(struct kunit *test)
{
	return (2 + t_case_sweep(test)->k) * GIB_PFNS + 9;
}

static int f_set(struct kunit *test, void *arg)
{
	return xp2m_set(t_ctx(test)->p2m, f_set_pfn(test), 1);
}

static void f_set_after(struct kunit *test, void *arg, int err)
{
	struct xp2m *p2m = t_ctx(test)->p2m;
	unsigned long pfn = f_set_pfn(test);

	if (t_case_failed(test, err))
		return;
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, pfn), 1UL);
	KUNIT_EXPECT_EQ(test, xp2m_leaf_kind(p2m, pfn), XP2M_LEAF_PRIVATE);
}

static void faults_set(struct kunit *test)
{
	static const struct xp2m_fault_op op = {
		.name = "xp2m_set",
		.before = t_case_snap,
		.run = f_set,
		.after = f_set_after,
	};
	struct t_ctx *c = t_ctx(test);

	t_setup(test, 4096, F_SPACE);
	KUNIT_ASSERT_EQ(test, xp2m_frame_list_build(c->p2m), 0);
	KUNIT_EXPECT_GE(test, xp2m_fault_sweep(test, &op, NULL), 3U);
}

static struct kunit_case tree_cases[] = {
	KUNIT_CASE(p2m_sizes),
	KUNIT_CASE(p2m_615mb_domu),
	KUNIT_CASE(p2m_missing_leaf_in_list),
	KUNIT_CASE(p2m_scan_leaf_edges),
	KUNIT_CASE(p2m_512g_exact),
	KUNIT_CASE(p2m_512g_plus_one),
	KUNIT_CASE(p2m_1t_sparse),
	KUNIT_CASE(p2m_patterns),
	KUNIT_CASE(p2m_setters_on_shared),
	KUNIT_CASE(p2m_past_max_pfn),
	KUNIT_CASE(p2m_bad_input),
	KUNIT_CASE(p2m_max_pfn_limit),
	KUNIT_CASE(p2m_empty_list),
	KUNIT_CASE(faults_create),
	KUNIT_CASE(faults_set),
	{}
};

static struct kunit_suite tree_suite = {
	.name = "xp2m_tree",
	.exit = t_exit,
	.test_cases = tree_cases,
};

kunit_test_suite(tree_suite);
