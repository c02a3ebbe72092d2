// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the frame list (the machine view) and its reader: round
 * trips through machine frames only, as Xen's toolstack reads it, in every
 * layout; what the reader rejects; allocation failures of the build.
 */

#include <linux/sched.h>
#include <linux/slab.h>

#include <xp2m/e820.h>
#include <xp2m/reader.h>

#include "fixture.h"

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
	if (leaf_mfn != t_virt_to_mfn(p2m->be, leaf))
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

/*
 * Entries of GiB @g's mid frame, as a toolstack reads them by frame, that
 * do not name the frame of @leaf; ULONG_MAX when a frame cannot be mapped.
 */
static unsigned long t_fl_gib_names(struct xp2m *p2m, unsigned long g,
				    const unsigned long *leaf)
{
	struct xp2m_backend *be = p2m->be;
	unsigned long want = be->ops->page_to_mfn(be, virt_to_page(leaf));
	const unsigned long *top, *mid;
	unsigned long l, bad = 0;

	top = be->ops->map_frame(be, xp2m_frame_list_list(p2m));
	if (!top)
		return ULONG_MAX;
	mid = be->ops->map_frame(be, top[g]);
	be->ops->unmap_frame(be, top);
	if (!mid)
		return ULONG_MAX;
	for (l = 0; l < XP2M_PER_PAGE; l++)
		bad += mid[l] != want;
	be->ops->unmap_frame(be, mid);
	return bad;
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
	/* GiB 1 is identity: every entry of its mid frame, the identity leaf. */
	KUNIT_EXPECT_EQ(test, t_fl_gib_names(c->p2m, 1, c->p2m->identity_leaf),
			0UL);
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

/*
 * Allocation failures (xp2m_fault_sweep(), through the fixture's
 * t_case_snap() and t_case_failed()): a run that failed must give -ENOMEM
 * with the p2m exactly as before, every page back to the machine and every
 * boot-list page freed; one the kernel recovered from must do all the
 * operation does.
 */

static void f_fl_before(struct kunit *test, void *arg)
{
	struct t_ctx *c = t_ctx(test);

	if (!c->p2m) {
		t_setup(test, 4096, HOLE_MAX);
		KUNIT_ASSERT_EQ(test, xp2m_set_identity(c->p2m, HOLE_START,
							HOLE_END),
				(long)(HOLE_END - HOLE_START));
	}
	t_case_snap(test, arg);
}

static int f_fl_build(struct kunit *test, void *arg)
{
	return xp2m_frame_list_build(t_ctx(test)->p2m);
}

static void f_fl_after(struct kunit *test, void *arg, int err)
{
	struct t_ctx *c = t_ctx(test);

	if (t_case_failed(test, err)) {
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

static struct kunit_case fl_cases[] = {
	KUNIT_CASE(fl_round_trip_hole),
	KUNIT_CASE(fl_round_trip_layouts),
	KUNIT_CASE(fl_round_trip_512g),
	KUNIT_CASE(fl_rejections),
	KUNIT_CASE(fl_rejects_foreign_leaves),
	KUNIT_CASE(faults_frame_list),
	{}
};

static struct kunit_suite fl_suite = {
	.name = "xp2m_frame_list",
	.exit = t_exit,
	.test_cases = fl_cases,
};

kunit_test_suite(fl_suite);
