// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the simulated machine's domain builder: the region a boot
 * list must fit in, bad input, and allocation failures.
 */

#include <linux/sched.h>
#include <linux/slab.h>

#include "fixture.h"

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

/*
 * Allocation failures (xp2m_fault_sweep(), through the fixture's
 * t_case_snap() and t_case_failed()): a run that failed must give -ENOMEM
 * with the p2m exactly as before, every page back to the machine and every
 * boot-list page freed; one the kernel recovered from must do all the
 * operation does.
 */

static const struct xp2m_domain_spec f_build_spec = {
	.nr_pages = 5000, .region_start = 10, .region_end = 40,
	.pattern = XP2M_MFNS_FRAGMENTED, .first_mfn = 1, .seed = 7,
};

static void f_build_before(struct kunit *test, void *arg)
{
	struct t_ctx *c = t_ctx(test);
	struct t_sweep *f = t_case_sweep(test);

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
	struct t_sweep *f = t_case_sweep(test);

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

static struct kunit_case builder_cases[] = {
	KUNIT_CASE(builder_region_limit),
	KUNIT_CASE(builder_bad_input),
	KUNIT_CASE(faults_build),
	{}
};

static struct kunit_suite builder_suite = {
	.name = "xp2m_builder",
	.exit = t_exit,
	.test_cases = builder_cases,
};

kunit_test_suite(builder_suite);
