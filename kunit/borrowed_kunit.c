// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of borrowed p2ms (xp2m_create_borrowed(), xp2m_adopt()): a p2m
 * that shows the leaves of the machine's own p2m, as xp2m_x86 shows the
 * running kernel's. Here the machine's own p2m is another p2m on the
 * simulated machine (xp2m_sim_set_source()): the source, built by the
 * domain builder with identity ranges and holes, plays the kernel.
 */

#include <kunit/test.h>
#include <linux/mm.h>

#include <xp2m/e820.h>
#include <xp2m/kpte.h>

#include "fixture.h"

#define GIB	XP2M_MID_SPAN

/*
 * A borrowed p2m over the source; the machine's bound pages, and the
 * source's own, when it was made.
 */
struct t_borrowed {
	struct xp2m *b;
	long bound;
	long src;
};

/* Pages the source p2m allocated itself. */
static long t_src_pages(const struct xp2m *src)
{
	const struct xp2m_counts *n = &src->counts;

	return n->private_leaves + n->mids + n->fl_pages + n->linear_tables;
}

static void t_borrowed_exit(struct kunit *test, struct t_ctx *c)
{
	struct t_borrowed *t = c->extra;

	if (t && t->b) {
		xp2m_destroy(t->b);
		/*
		 * Nothing of the source's was freed (what it gave meanwhile
		 * is still bound), all of its own was.
		 */
		KUNIT_EXPECT_EQ(test, xp2m_sim_bound(c->sim),
				t->bound + t_src_pages(c->p2m) - t->src);
	}
	xp2m_sim_set_source(c->sim, NULL);
}

/*
 * The source: 8 GiB of pfns, 1 GiB of them RAM from a boot list, an
 * identity GiB, an identity range ending inside a leaf, holes between.
 */
static struct xp2m *t_source(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);

	t_setup(test, GIB, 8 * GIB);
	KUNIT_ASSERT_EQ(test, xp2m_set_identity(c->p2m, 3 * GIB, 4 * GIB),
			(long)GIB);
	KUNIT_ASSERT_EQ(test, xp2m_set_identity(c->p2m, 5 * GIB + 100,
						5 * GIB + 700), 600L);
	xp2m_sim_set_source(c->sim, c->p2m);
	c->extra_exit = t_borrowed_exit;
	return c->p2m;
}

/* Show every leaf of @src in @b, as the live import does. */
static void t_adopt_all(struct kunit *test, struct xp2m *b, struct xp2m *src)
{
	unsigned long pfn, **mid;
	unsigned long *leaf;

	for (pfn = 0; pfn < src->max_pfn; pfn += XP2M_PER_PAGE) {
		mid = src->top[pfn / GIB];
		if (pfn % GIB == 0 && mid == src->identity_mid) {
			KUNIT_ASSERT_EQ(test, xp2m_adopt(b, pfn, GIB,
							 b->identity_leaf), 1);
			pfn += GIB - XP2M_PER_PAGE;
			continue;
		}
		leaf = xp2m_leaf_of(src, pfn);
		if (leaf == src->missing_leaf)
			continue;
		KUNIT_ASSERT_EQ(test, xp2m_adopt(b, pfn, XP2M_PER_PAGE, leaf), 1);
	}
}

static struct xp2m *t_borrowed(struct kunit *test, struct xp2m *src)
{
	struct t_ctx *c = t_ctx(test);
	struct t_borrowed *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	c->extra = t;
	t->bound = xp2m_sim_bound(c->sim);
	t->src = t_src_pages(src);
	t->b = xp2m_create_borrowed("borrowed", &c->sim->be, src->max_pfn,
				    src->missing_leaf, src->identity_leaf);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->b));
	t_adopt_all(test, t->b, src);
	return t->b;
}

/*
 * Zero copy: every slot is the source's page, every lookup the source's;
 * the borrowed p2m allocated its mids and two shared mids, nothing else.
 */
static void borrowed_shows_source(struct kunit *test)
{
	struct xp2m *src = t_source(test), *b;
	struct t_ctx *c = t_ctx(test);
	unsigned long pfn, bad = 0, leaves = 0;
	long bound = xp2m_sim_bound(c->sim);

	b = t_borrowed(test, src);
	for (pfn = 0; pfn < src->max_pfn; pfn += XP2M_PER_PAGE) {
		bad += xp2m_leaf_of(b, pfn) != xp2m_leaf_of(src, pfn);
		leaves += xp2m_leaf_kind(b, pfn) == XP2M_LEAF_BORROWED;
	}
	for (pfn = 0; pfn < src->max_pfn; pfn++)
		bad += xp2m_lookup(b, pfn) != xp2m_lookup(src, pfn);
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	KUNIT_EXPECT_EQ(test, leaves, src->counts.grafted +
			src->counts.private_leaves);
	KUNIT_EXPECT_EQ(test, b->counts.borrowed, leaves);
	KUNIT_EXPECT_EQ(test, b->counts.private_leaves, 0UL);
	KUNIT_EXPECT_EQ(test, b->own_shared, 0);
	/* GiB 3 shares the identity mid, as the source's does. */
	KUNIT_EXPECT_PTR_EQ(test, b->top[3], b->identity_mid);
	KUNIT_EXPECT_EQ(test, xp2m_sim_bound(c->sim) - bound,
			(long)(2 + b->counts.mids));
	KUNIT_EXPECT_EQ(test, b->counts.mids, 2UL);
	/* Readers read up to the source's last leaf of its own. */
	KUNIT_EXPECT_EQ(test, b->si.max_pfn, ALIGN(5 * GIB + 700,
						   XP2M_PER_PAGE));
	KUNIT_EXPECT_EQ(test, b->si.max_pfn, src->si.max_pfn);
}

/* One set of leaves: a write through either shows through both. */
static void borrowed_writes_through(struct kunit *test)
{
	struct xp2m *src = t_source(test), *b = t_borrowed(test, src);

	KUNIT_ASSERT_EQ(test, xp2m_set(b, 17, 1234), 0);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(src, 17), 1234UL);
	KUNIT_ASSERT_EQ(test, xp2m_set(src, 18, 4321), 0);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(b, 18), 4321UL);
	KUNIT_ASSERT_EQ(test, xp2m_set_noalloc(b, 19, XP2M_INVALID_ENTRY), 0);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(src, 19), XP2M_INVALID_ENTRY);
	/* A shared leaf is never written: the same value needs no page. */
	KUNIT_EXPECT_EQ(test, xp2m_set_noalloc(b, 6 * GIB, XP2M_INVALID_ENTRY),
			0);
	KUNIT_EXPECT_EQ(test, xp2m_set_noalloc(b, 6 * GIB, 5), -EAGAIN);
	KUNIT_EXPECT_EQ(test, b->missing_leaf[0], XP2M_INVALID_ENTRY);
}

/*
 * A hole's leaf comes from the machine's own p2m: the source gets a leaf
 * of its own (filled as its shared page stood: missing, or identity), and
 * the borrowed p2m shows that page; identity elsewhere in it stays.
 */
static void borrowed_leaf_from_machine(struct kunit *test)
{
	struct xp2m *src = t_source(test), *b = t_borrowed(test, src);
	unsigned long src_leaves = src->counts.private_leaves;
	unsigned long mids = b->counts.mids;

	KUNIT_ASSERT_EQ(test, xp2m_set(b, 6 * GIB + 3, 77), 0);
	KUNIT_EXPECT_EQ(test, src->counts.private_leaves, src_leaves + 1);
	KUNIT_EXPECT_EQ(test, b->counts.borrowed,
			src->counts.grafted + src->counts.private_leaves);
	KUNIT_EXPECT_EQ(test, b->counts.mids, mids + 1);
	KUNIT_EXPECT_PTR_EQ(test, xp2m_leaf_of(b, 6 * GIB),
			    xp2m_leaf_of(src, 6 * GIB));
	KUNIT_EXPECT_EQ(test, xp2m_lookup(b, 6 * GIB + 3), 77UL);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(src, 6 * GIB + 3), 77UL);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(b, 6 * GIB + 4), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, b->si.max_pfn, 6 * GIB + XP2M_PER_PAGE);

	/* In the identity GiB: a leaf of identity entries, one changed. */
	KUNIT_ASSERT_EQ(test, xp2m_set(b, 3 * GIB + 9, XP2M_INVALID_ENTRY), 0);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(b, 3 * GIB + 9), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(b, 3 * GIB + 10),
			XP2M_IDENTITY_FRAME(3 * GIB + 10));
	KUNIT_EXPECT_EQ(test, xp2m_lookup(src, 3 * GIB + 10),
			XP2M_IDENTITY_FRAME(3 * GIB + 10));
	KUNIT_EXPECT_EQ(test, xp2m_lookup(b, 3 * GIB + XP2M_PER_PAGE),
			XP2M_IDENTITY_FRAME(3 * GIB + XP2M_PER_PAGE));
	/* The same through xp2m_prealloc(). */
	KUNIT_ASSERT_EQ(test, xp2m_prealloc(b, 7 * GIB, 7 * GIB + 1024), 0);
	KUNIT_EXPECT_EQ(test, xp2m_leaf_kind(b, 7 * GIB + 512),
			XP2M_LEAF_BORROWED);
	KUNIT_EXPECT_PTR_EQ(test, xp2m_leaf_of(b, 7 * GIB + 512),
			    xp2m_leaf_of(src, 7 * GIB + 512));
}

/* What a borrowed p2m refuses, each with nothing changed. */
static void borrowed_refuses(struct kunit *test)
{
	struct xp2m *src = t_source(test), *b = t_borrowed(test, src);
	struct t_ctx *c = t_ctx(test);
	struct xp2m_e820_entry ram = { .addr = 0, .size = PAGE_SIZE,
				       .type = XP2M_E820_RAM };
	unsigned long *other = xp2m_leaf_of(src, 2 * XP2M_PER_PAGE);
	struct t_snap before, after;

	t_snap(test, b, c->sim, &before);
	/* Identity ranges are the machine's to make. */
	KUNIT_EXPECT_EQ(test, xp2m_set_identity(b, 6 * GIB, 6 * GIB + 10),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, xp2m_identity_from_e820(b, &ram, 1, NULL),
			-EOPNOTSUPP);
	/* A slot that has a page keeps it; a GiB with leaves keeps its mid. */
	KUNIT_EXPECT_EQ(test, xp2m_adopt(b, 0, XP2M_PER_PAGE, other), -EBUSY);
	KUNIT_EXPECT_EQ(test, xp2m_adopt(b, 0, GIB, b->identity_leaf), -EBUSY);
	KUNIT_EXPECT_EQ(test, xp2m_adopt(b, 0, XP2M_PER_PAGE,
					 xp2m_leaf_of(src, 0)), 0);
	KUNIT_EXPECT_EQ(test, xp2m_adopt(b, 3, XP2M_PER_PAGE, other), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_adopt(b, 0, 2, other), -EINVAL);
	/* No span at all: refused before any division by it. */
	KUNIT_EXPECT_EQ(test, xp2m_adopt(b, 0, 0, other), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_adopt(b, 6 * GIB, 0, b->missing_leaf),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_adopt(b, 6 * GIB, GIB, other), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_adopt(b, 8 * GIB, XP2M_PER_PAGE, other),
			-ERANGE);
	/* A p2m that is not borrowed adopts nothing. */
	KUNIT_EXPECT_EQ(test, xp2m_adopt(src, 6 * GIB, XP2M_PER_PAGE, other),
			-EINVAL);
	/* The machine cannot give a leaf: nothing changes. */
	xp2m_sim_set_source(c->sim, NULL);
	KUNIT_EXPECT_EQ(test, xp2m_set(b, 6 * GIB + 3, 77), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, xp2m_prealloc(b, 6 * GIB, 6 * GIB + 1),
			-EOPNOTSUPP);
	t_snap(test, b, c->sim, &after);
	t_expect_same(test, &before, &after);
	/* Arguments a borrowed p2m needs. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(xp2m_create_borrowed("x", &c->sim->be, 0,
							   NULL, NULL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(xp2m_create_borrowed("x", &c->sim->be, 1,
							   other, other)),
			-EINVAL);
}

/*
 * Its own shared leaves, where the machine has none to lend: the p2m
 * allocates them, and frees them with itself.
 */
static void borrowed_own_shared(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	long bound;
	struct xp2m *b;

	t_machine(test, 4096);
	bound = xp2m_sim_bound(c->sim);
	b = xp2m_create_borrowed("own", &c->sim->be, 4 * GIB, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(b));
	KUNIT_EXPECT_EQ(test, b->own_shared,
			XP2M_OWN_MISSING | XP2M_OWN_IDENTITY);
	KUNIT_EXPECT_EQ(test, b->counts.shared, 4UL);
	KUNIT_EXPECT_EQ(test, xp2m_sim_bound(c->sim) - bound, 4L);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(b, 5), XP2M_INVALID_ENTRY);
	xp2m_destroy(b);
	KUNIT_EXPECT_EQ(test, xp2m_sim_bound(c->sim), bound);
}

/*
 * The views over borrowed leaves: the linear view and the frame list map
 * the source's pages, read-only, and read back as the tree.
 */
static void borrowed_views(struct kunit *test)
{
	struct xp2m *src = t_source(test), *b = t_borrowed(test, src);
	const struct xp2m_shared_info *si = xp2m_shared_info(b);
	unsigned long pfn, bad = 0;

	if (!xp2m_kpte_supported())
		kunit_skip(test, "this kernel gives no access to its page tables");
	KUNIT_ASSERT_EQ(test, xp2m_linear_build(b), 0);
	KUNIT_ASSERT_EQ(test, xp2m_frame_list_build(b), 0);
	for (pfn = 0; pfn < b->max_pfn; pfn++)
		bad += xp2m_linear_lookup(b, pfn) != xp2m_lookup(src, pfn);
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	KUNIT_EXPECT_EQ(test, xp2m_kpte_writable((unsigned long)
						 &b->linear[XP2M_PER_PAGE]), 0);
	KUNIT_EXPECT_EQ(test, si->p2m_vaddr, (unsigned long)b->linear);
	/* The machine's new leaf shows in the views at once. */
	KUNIT_ASSERT_EQ(test, xp2m_set(b, 6 * GIB + 3, 77), 0);
	KUNIT_EXPECT_EQ(test, xp2m_linear_lookup(b, 6 * GIB + 3), 77UL);
	KUNIT_EXPECT_EQ(test, si->p2m_generation, 2UL);
}

/*
 * A partial last GiB shown whole through the shared identity leaf: the
 * machine's tables map the linear view's slots up to max_pfn only, and
 * are all gone with the view.
 */
static void borrowed_partial_gib(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	struct xp2m *b;

	t_machine(test, 4096);
	b = xp2m_create_borrowed("part", &c->sim->be, GIB + XP2M_PER_PAGE,
				 NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(b));
	if (!xp2m_kpte_supported()) {
		xp2m_destroy(b);
		kunit_skip(test, "this kernel gives no access to its page tables");
		return;
	}
	KUNIT_EXPECT_EQ(test, xp2m_linear_build(b), 0);
	KUNIT_EXPECT_EQ(test, xp2m_adopt(b, GIB, GIB, b->identity_leaf), 1);
	KUNIT_EXPECT_EQ(test, xp2m_linear_lookup(b, GIB + 7),
			XP2M_IDENTITY_FRAME(GIB + 7));
	xp2m_destroy(b);
	KUNIT_EXPECT_EQ(test, xp2m_sim_pt_pages(c->sim), 0UL);
}

static struct kunit_case borrowed_cases[] = {
	KUNIT_CASE(borrowed_shows_source),
	KUNIT_CASE(borrowed_writes_through),
	KUNIT_CASE(borrowed_leaf_from_machine),
	KUNIT_CASE(borrowed_refuses),
	KUNIT_CASE(borrowed_own_shared),
	KUNIT_CASE(borrowed_views),
	KUNIT_CASE(borrowed_partial_gib),
	{}
};

static struct kunit_suite borrowed_suite = {
	.name = "xp2m_borrowed",
	.exit = t_exit,
	.test_cases = borrowed_cases,
};

kunit_test_suite(borrowed_suite);
