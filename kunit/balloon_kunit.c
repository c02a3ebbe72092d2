// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the balloon hooks: release and populate, the proof that
 * the balloon path never allocates, bad input, allocation failures at set
 * up, and releases and populates racing with lookups.
 */

#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include <xp2m/balloon.h>

#include "p2m_test.h"

/* 4096 pages populated, balloon space [2048, 16384): 12288 pfns missing. */
#define B_DOM		4096UL
#define B_MAX		16384UL
#define B_START		2048UL

struct b_ctx {
	struct xp2m_balloon b;
	bool init;
};

static struct xp2m_balloon *b_setup(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	struct b_ctx *b;

	t_machine(test, 65536);
	t_domain(test, B_DOM, XP2M_MFNS_ASCENDING);
	t_p2m(test, B_MAX);
	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	c->extra = b;
	KUNIT_ASSERT_EQ(test, xp2m_balloon_init(&b->b, c->p2m, B_START, B_MAX),
			0);
	b->init = true;
	return &b->b;
}

static void b_exit(struct kunit *test)
{
	struct t_ctx *c = test->priv;
	struct b_ctx *b = c ? c->extra : NULL;

	if (b && b->init)
		xp2m_balloon_destroy(&b->b);
	t_exit(test);
}

/* A new frame for a populate: free on the machine, past the domain's. */
static unsigned long b_frame(unsigned long i)
{
	return 2 * B_DOM + 100 + i;
}

static void balloon_release_populate(struct kunit *test)
{
	struct xp2m_balloon *b = b_setup(test);
	struct t_ctx *c = t_ctx(test);
	unsigned long *pfns, *mfns, *fresh, i;
	long n;

	pfns = kunit_kcalloc(test, 3 * 64, sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pfns);
	mfns = pfns + 64;
	fresh = mfns + 64;

	/* The space's missing pfns are ballooned out from the start. */
	KUNIT_EXPECT_EQ(test, b->nr_owned, B_MAX - B_DOM);
	KUNIT_EXPECT_FALSE(test, xp2m_balloon_owned(b, B_DOM - 1));
	KUNIT_EXPECT_TRUE(test, xp2m_balloon_owned(b, B_DOM));
	KUNIT_EXPECT_FALSE(test, xp2m_balloon_owned(b, B_START - 1));
	/* Every leaf of the space is a page of its own. */
	for (i = B_START; i < B_MAX; i += XP2M_PER_PAGE)
		KUNIT_EXPECT_NE(test, xp2m_leaf_kind(c->p2m, i),
				XP2M_LEAF_MISSING);

	for (i = 0; i < 64; i++)
		pfns[i] = B_START + 7 * i;
	n = xp2m_balloon_release(b, pfns, 64, mfns);
	KUNIT_ASSERT_EQ(test, n, 64L);
	for (i = 0; i < 64; i++) {
		KUNIT_EXPECT_EQ(test, mfns[i], t_asc_mfn(c, pfns[i]));
		KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, pfns[i]),
				XP2M_INVALID_ENTRY);
		KUNIT_EXPECT_TRUE(test, xp2m_balloon_owned(b, pfns[i]));
		fresh[i] = b_frame(i);
	}
	KUNIT_EXPECT_EQ(test, b->nr_owned, B_MAX - B_DOM + 64);

	n = xp2m_balloon_populate(b, pfns, fresh, 64);
	KUNIT_ASSERT_EQ(test, n, 64L);
	for (i = 0; i < 64; i++) {
		KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, pfns[i]), fresh[i]);
		KUNIT_EXPECT_FALSE(test, xp2m_balloon_owned(b, pfns[i]));
	}
	KUNIT_EXPECT_EQ(test, b->nr_owned, B_MAX - B_DOM);

	/* Populating the space past the boot list, the "extra" memory. */
	pfns[0] = B_MAX - 1;
	KUNIT_EXPECT_EQ(test, xp2m_balloon_populate(b, pfns, fresh, 1), 1L);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, B_MAX - 1), fresh[0]);
}

/*
 * The proof that the balloon path never allocates: with the core's next
 * allocation and the task's next fault-injection point both set to fail,
 * releases and populates all succeed and neither is ever reached.
 */
static void balloon_never_allocates(struct kunit *test)
{
#ifdef CONFIG_FAULT_INJECTION
	struct xp2m_balloon *b = b_setup(test);
	struct t_ctx *c = t_ctx(test);
	unsigned long *pfns, *mfns, *fresh, i;
	long bound, n, m;

	pfns = kunit_kcalloc(test, 3 * 512, sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pfns);
	mfns = pfns + 512;
	fresh = mfns + 512;
	bound = xp2m_sim_bound(c->sim);
	for (i = 0; i < 512; i++) {
		pfns[i] = B_START + 3 * i;
		fresh[i] = b_frame(i);
	}
	xp2m_fail_nth(1);
	current->fail_nth = 1;
	n = xp2m_balloon_release(b, pfns, 512, mfns);
	m = xp2m_balloon_populate(b, pfns, fresh, 512);
	i = current->fail_nth;
	current->fail_nth = 0;
	KUNIT_EXPECT_FALSE(test, xp2m_failed());
	xp2m_fail_nth(0);
	KUNIT_EXPECT_EQ(test, i, 1UL);		/* no fault point was reached */
	KUNIT_EXPECT_EQ(test, n, 512L);
	KUNIT_EXPECT_EQ(test, m, 512L);
	KUNIT_EXPECT_EQ(test, xp2m_sim_bound(c->sim), bound);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, B_START + 3 * 511), fresh[511]);
#else
	kunit_skip(test, "kernel built without CONFIG_FAULT_INJECTION");
#endif
}

static void balloon_bad_input(struct kunit *test)
{
	struct xp2m_balloon *b = b_setup(test);
	struct t_ctx *c = t_ctx(test);
	struct xp2m_balloon other;
	unsigned long pfns[4], mfns[4], fresh[4] = { 1, 2, 3, 4 };
	struct t_snap s0, s1;

	t_snap(test, c->p2m, c->sim, &s0);
	pfns[0] = B_START - 1;
	KUNIT_EXPECT_EQ(test, xp2m_balloon_release(b, pfns, 1, mfns), -ERANGE);
	pfns[0] = B_MAX;
	KUNIT_EXPECT_EQ(test, xp2m_balloon_release(b, pfns, 1, mfns), -ERANGE);
	pfns[0] = B_DOM + 1;		/* ballooned out already */
	KUNIT_EXPECT_EQ(test, xp2m_balloon_release(b, pfns, 1, mfns), -EBUSY);
	pfns[0] = B_START;		/* populated: not the balloon's */
	KUNIT_EXPECT_EQ(test, xp2m_balloon_populate(b, pfns, fresh, 1), -EBUSY);
	pfns[0] = B_DOM + 1;
	fresh[0] = XP2M_FOREIGN_FRAME(5);
	KUNIT_EXPECT_EQ(test, xp2m_balloon_populate(b, pfns, fresh, 1), -EINVAL);
	fresh[0] = c->p2m->be->max_mfn + 1;
	KUNIT_EXPECT_EQ(test, xp2m_balloon_populate(b, pfns, fresh, 1), -EINVAL);
	t_snap(test, c->p2m, c->sim, &s1);
	t_expect_same(test, &s0, &s1);

	/* A batch stops at its first bad pfn and says how far it got. */
	pfns[0] = B_START;
	pfns[1] = B_START + 1;
	pfns[2] = B_DOM + 5;		/* owned */
	pfns[3] = B_START + 2;
	KUNIT_EXPECT_EQ(test, xp2m_balloon_release(b, pfns, 4, mfns), 2L);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, B_START + 2),
			t_asc_mfn(c, B_START + 2));
	KUNIT_EXPECT_TRUE(test, xp2m_balloon_owned(b, B_START + 1));

	/* Identity holds no frame of ours. */
	KUNIT_ASSERT_EQ(test, xp2m_set_identity(c->p2m, B_START + 10,
						B_START + 11), 1L);
	pfns[0] = B_START + 10;
	KUNIT_EXPECT_EQ(test, xp2m_balloon_release(b, pfns, 1, mfns), -EINVAL);

	/* Set-up errors. */
	KUNIT_EXPECT_EQ(test, xp2m_balloon_init(&other, c->p2m, 5, 5), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_balloon_init(&other, c->p2m, 5, B_MAX + 1),
			-ERANGE);
}

/* Set-up allocations failed in turn: -ENOMEM and the p2m as it was. */
static void balloon_init_faults(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	struct xp2m_balloon b;
	struct t_snap s0, s1;
	unsigned int n;
	bool failed;
	int err;

	t_machine(test, 65536);
	t_domain(test, B_DOM, XP2M_MFNS_ASCENDING);
	t_p2m(test, 4 * XP2M_MID_SPAN);
	if (xp2m_fail_nth(0)) {
		kunit_skip(test, "kernel built without CONFIG_FAULT_INJECTION");
		return;
	}
	for (n = 1; n < 100; n++) {
		t_snap(test, c->p2m, c->sim, &s0);
		xp2m_fail_nth(n);
		/* Across a missing GiB boundary: mids and leaves. */
		err = xp2m_balloon_init(&b, c->p2m, XP2M_MID_SPAN - 4096,
					XP2M_MID_SPAN + 4096);
		failed = xp2m_failed();
		xp2m_fail_nth(0);
		if (!failed)
			break;
		KUNIT_EXPECT_EQ(test, err, -ENOMEM);
		t_snap(test, c->p2m, c->sim, &s1);
		t_expect_same(test, &s0, &s1);
	}
	KUNIT_ASSERT_EQ(test, err, 0);
	kunit_info(test, "%u failure points\n", n - 1);
	KUNIT_EXPECT_EQ(test, n - 1, 17U);	/* 16 leaves and a mid */
	xp2m_balloon_destroy(&b);
}

/*
 * A thread releases and populates pfns over and over while others look
 * them up: a lookup sees the old frame, the new one or INVALID, nothing
 * else.
 */
#define B_PFNS	1024
#define B_ROUNDS 400

struct b_race {
	struct xp2m_balloon *b;
	struct xp2m *p2m;
	const unsigned long *orig;
	struct completion done;
	atomic_long_t wrong, lookups, errors;
};

static int b_churn(void *arg)
{
	struct b_race *r = arg;
	unsigned long *pfns, *mfns, *fresh, i;
	unsigned int round;

	pfns = kcalloc(3 * B_PFNS, sizeof(long), GFP_KERNEL);
	if (!pfns) {
		atomic_long_inc(&r->errors);
		complete(&r->done);
		return -ENOMEM;
	}
	mfns = pfns + B_PFNS;
	fresh = mfns + B_PFNS;
	for (i = 0; i < B_PFNS; i++)
		pfns[i] = B_START + i;
	for (round = 0; round < B_ROUNDS; round++) {
		if (xp2m_balloon_release(r->b, pfns, B_PFNS, mfns) != B_PFNS)
			atomic_long_inc(&r->errors);
		for (i = 0; i < B_PFNS; i++)
			fresh[i] = round & 1 ? r->orig[i] : b_frame(i);
		cond_resched();
		if (xp2m_balloon_populate(r->b, pfns, fresh, B_PFNS) != B_PFNS)
			atomic_long_inc(&r->errors);
		cond_resched();
	}
	kfree(pfns);
	complete(&r->done);
	return 0;
}

static int b_look(void *arg)
{
	struct b_race *r = arg;
	struct rnd_state rnd;
	unsigned long i, e;

	prandom_seed_state(&rnd, current->pid);
	while (!kthread_should_stop()) {
		i = prandom_u32_state(&rnd) % B_PFNS;
		e = xp2m_lookup(r->p2m, B_START + i);
		if (e != XP2M_INVALID_ENTRY && e != r->orig[i] && e != b_frame(i))
			atomic_long_inc(&r->wrong);
		atomic_long_inc(&r->lookups);
		if (!(i & 63))
			cond_resched();
	}
	return 0;
}

static void balloon_concurrency(struct kunit *test)
{
	struct xp2m_balloon *b = b_setup(test);
	struct t_ctx *c = t_ctx(test);
	struct task_struct *readers[2];
	unsigned long *orig, i;
	struct b_race *r;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	orig = kunit_kcalloc(test, B_PFNS, sizeof(*orig), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_NOT_NULL(test, orig);
	for (i = 0; i < B_PFNS; i++)
		orig[i] = xp2m_lookup(c->p2m, B_START + i);
	*r = (struct b_race) { .b = b, .p2m = c->p2m, .orig = orig };
	init_completion(&r->done);
	for (i = 0; i < ARRAY_SIZE(readers); i++) {
		readers[i] = kthread_run(b_look, r, "xp2m-bl-rd%lu", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(readers[i]));
	}
	KUNIT_ASSERT_FALSE(test, IS_ERR(kthread_run(b_churn, r, "xp2m-bl-wr")));
	wait_for_completion(&r->done);
	for (i = 0; i < ARRAY_SIZE(readers); i++)
		kthread_stop(readers[i]);
	kunit_info(test, "%d pages released and populated, %ld lookups\n",
		   2 * B_ROUNDS * B_PFNS, atomic_long_read(&r->lookups));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&r->errors), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&r->wrong), 0L);
	for (i = 0; i < B_PFNS; i++)
		KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, B_START + i), orig[i]);
}

static struct kunit_case balloon_cases[] = {
	KUNIT_CASE(balloon_release_populate),
	KUNIT_CASE(balloon_never_allocates),
	KUNIT_CASE(balloon_bad_input),
	KUNIT_CASE(balloon_init_faults),
	KUNIT_CASE(balloon_concurrency),
	{}
};

static struct kunit_suite balloon_suite = {
	.name = "xp2m_balloon",
	.exit = b_exit,
	.test_cases = balloon_cases,
};

kunit_test_suite(balloon_suite);
