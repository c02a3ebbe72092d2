// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the m2p override: add, find, mfn_to_pfn and remove; the
 * frame-also-local case; bad input; allocation failures; concurrent adds,
 * removes and lookups; a large table.
 */

#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include <xp2m/m2p.h>

#include "p2m_test.h"

/* A domain of 4096 pages, pfns to 64 MiB; the frames past it are others'. */
#define M_DOM		4096UL
#define M_MAX		16384UL
#define M_GRANTER_PFN	0x4242UL	/* the granting domain's pfn */

struct m_ctx {
	struct xp2m_m2p m2p;
	bool init;
};

static struct xp2m_m2p *m_setup(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	struct m_ctx *m;

	t_machine(test, 65536);
	t_domain(test, M_DOM, XP2M_MFNS_ASCENDING);
	t_p2m(test, M_MAX);
	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	KUNIT_ASSERT_EQ(test, xp2m_m2p_init(&m->m2p, c->p2m), 0);
	m->init = true;
	c->extra = m;
	return &m->m2p;
}

/* A frame of another domain: free on the machine, its M2P the granter's. */
static unsigned long m_foreign(struct kunit *test, unsigned long i)
{
	struct xp2m_backend *be = &t_ctx(test)->sim->be;
	unsigned long mfn = 2 * M_DOM + 100 + i;

	KUNIT_ASSERT_LE(test, mfn, be->max_mfn);
	be->ops->set_m2p(be, mfn, M_GRANTER_PFN + i);
	return mfn;
}

static void m_exit(struct kunit *test)
{
	struct t_ctx *c = test->priv;
	struct m_ctx *m = c ? c->extra : NULL;

	if (m && m->init) {
		KUNIT_EXPECT_EQ(test, atomic_long_read(&m->m2p.count), 0L);
		xp2m_m2p_destroy(&m->m2p);
	}
	t_exit(test);
}

static void m2p_add_find_remove(struct kunit *test)
{
	struct xp2m_m2p *m2p = m_setup(test);
	struct xp2m *p2m = t_ctx(test)->p2m;
	unsigned long f = m_foreign(test, 0), g = m_foreign(test, 1);
	unsigned long own = t_asc_mfn(t_ctx(test), 100);
	struct page *page = (struct page *)0x1000;	/* only compared */
	u64 kmap = 0;

	/* Over a ballooned-out (missing) pfn. */
	KUNIT_ASSERT_EQ(test, xp2m_m2p_add(m2p, 5000, page, f, 0xabc), 0);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, 5000), XP2M_FOREIGN_FRAME(f));
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, f), 5000UL);
	KUNIT_EXPECT_PTR_EQ(test, xp2m_m2p_find_page(m2p, f), page);
	/* The M2P names the granter's pfn, which does not map back here. */
	KUNIT_EXPECT_EQ(test, p2m->be->ops->m2p(p2m->be, f), M_GRANTER_PFN);
	KUNIT_EXPECT_EQ(test, xp2m_mfn_to_pfn(m2p, f), 5000UL);
	/* Our own frames answer from the M2P. */
	KUNIT_EXPECT_EQ(test, xp2m_mfn_to_pfn(m2p, own), 100UL);

	/* Over a populated pfn: its frame is kept and comes back. */
	KUNIT_ASSERT_EQ(test, xp2m_m2p_add(m2p, 100, NULL, g, 0), 0);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, 100), XP2M_FOREIGN_FRAME(g));
	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m2p, 100, NULL), 0);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, 100), own);

	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m2p, 5000, &kmap), 0);
	KUNIT_EXPECT_EQ(test, kmap, (u64)0xabc);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, 5000), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, f), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_NULL(test, xp2m_m2p_find_page(m2p, f));
	KUNIT_EXPECT_EQ(test, xp2m_mfn_to_pfn(m2p, f), XP2M_INVALID_ENTRY);

	/* An identity pfn answers for itself, as the kernel's mfn_to_pfn. */
	KUNIT_ASSERT_EQ(test, xp2m_set_identity(p2m, 9000, 9100), 100L);
	KUNIT_EXPECT_EQ(test, xp2m_mfn_to_pfn(m2p, 9050), 9050UL);
}

/*
 * A frame of ours granted to ourselves and mapped back at another pfn: the
 * pfn it backs is marked foreign while any override of it exists, so that
 * mfn_to_pfn() answers with where it is mapped; the last removal restores it.
 */
static void m2p_local_frame(struct kunit *test)
{
	struct xp2m_m2p *m2p = m_setup(test);
	struct xp2m *p2m = t_ctx(test)->p2m;
	unsigned long ml = t_asc_mfn(t_ctx(test), 200);

	KUNIT_EXPECT_EQ(test, xp2m_mfn_to_pfn(m2p, ml), 200UL);
	KUNIT_ASSERT_EQ(test, xp2m_m2p_add(m2p, 5000, NULL, ml, 0), 0);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, 200), XP2M_FOREIGN_FRAME(ml));
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, 5000), XP2M_FOREIGN_FRAME(ml));
	KUNIT_EXPECT_EQ(test, xp2m_mfn_to_pfn(m2p, ml), 5000UL);

	/* Mapped twice: the latest answers; the mark stays until the last. */
	KUNIT_ASSERT_EQ(test, xp2m_m2p_add(m2p, 5001, NULL, ml, 0), 0);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, ml), 5001UL);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m2p, 5001, NULL), 0);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, ml), 5000UL);
	KUNIT_ASSERT_EQ(test, xp2m_m2p_add(m2p, 5001, NULL, ml, 0), 0);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m2p, 5000, NULL), 0);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, 200), XP2M_FOREIGN_FRAME(ml));
	KUNIT_EXPECT_EQ(test, xp2m_mfn_to_pfn(m2p, ml), 5001UL);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m2p, 5001, NULL), 0);

	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, 200), ml);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, 5000), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, 5001), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_mfn_to_pfn(m2p, ml), 200UL);
}

static void m2p_bad_input(struct kunit *test)
{
	struct xp2m_m2p *m2p = m_setup(test);
	struct t_ctx *c = t_ctx(test);
	struct xp2m *p2m = c->p2m;
	unsigned long f = m_foreign(test, 0), max_mfn = p2m->be->max_mfn;
	struct t_snap a, b;

	KUNIT_ASSERT_EQ(test, xp2m_m2p_add(m2p, 5000, NULL, f, 0), 0);
	t_snap(test, p2m, c->sim, &a);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_add(m2p, 5000, NULL, f, 0), -EEXIST);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_add(m2p, 5001, NULL,
					   XP2M_FOREIGN_FRAME(f), 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_add(m2p, 5001, NULL,
					   XP2M_IDENTITY_FRAME(f), 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_add(m2p, 5001, NULL, max_mfn + 1, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_add(m2p, M_MAX, NULL, f, 0), -ERANGE);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m2p, 5001, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m2p, ~0UL, NULL), -ENOENT);
	t_snap(test, p2m, c->sim, &b);
	t_expect_same(test, &a, &b);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&m2p->count), 1L);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, f), 5000UL);

	/* An entry foreign already, not by an override of ours. */
	KUNIT_ASSERT_EQ(test, xp2m_set(p2m, 6000, XP2M_FOREIGN_FRAME(f + 1)), 0);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_add(m2p, 6000, NULL, f, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, 6000), XP2M_FOREIGN_FRAME(f + 1));

	/* Someone else rewrote our entry: the override stays, undone nothing. */
	KUNIT_ASSERT_EQ(test, xp2m_set(p2m, 5000, 7), 0);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m2p, 5000, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, f), 5000UL);
	KUNIT_ASSERT_EQ(test, xp2m_set(p2m, 5000, XP2M_FOREIGN_FRAME(f)), 0);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m2p, 5000, NULL), 0);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, 5000), XP2M_INVALID_ENTRY);
}

/* The p2m's allocations failed in turn: -ENOMEM and nothing changed. */
static void m2p_add_faults(struct kunit *test)
{
	struct xp2m_m2p *m2p = m_setup(test);
	struct t_ctx *c = t_ctx(test);
	unsigned long f = m_foreign(test, 0);
	struct t_snap a, b;
	unsigned int n;
	bool failed;
	int err;

	if (xp2m_fail_nth(0)) {
		kunit_skip(test, "kernel built without CONFIG_FAULT_INJECTION");
		return;
	}
	for (n = 1; n < 20; n++) {
		t_snap(test, c->p2m, c->sim, &a);
		xp2m_fail_nth(n);
		/* A pfn on the shared missing leaf: a leaf is needed. */
		err = xp2m_m2p_add(m2p, 3 * XP2M_MID_SPAN / 64 + 9, NULL, f, 0);
		failed = xp2m_failed();
		xp2m_fail_nth(0);
		if (!failed)
			break;
		KUNIT_EXPECT_EQ(test, err, -ENOMEM);
		t_snap(test, c->p2m, c->sim, &b);
		t_expect_same(test, &a, &b);
		KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, f), XP2M_INVALID_ENTRY);
		KUNIT_EXPECT_EQ(test, atomic_long_read(&m2p->count), 0L);
	}
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_GT(test, n, 1U);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m2p, 3 * XP2M_MID_SPAN / 64 + 9,
					      NULL), 0);
}

/* Many overrides: each found, each removed, the p2m as it was. */
static void m2p_large_table(struct kunit *test)
{
	const unsigned long n = 8192;
	struct xp2m_m2p *m2p = m_setup(test);
	struct t_ctx *c = t_ctx(test);
	struct t_snap a, b;
	unsigned long i, bad = 0;

	KUNIT_ASSERT_EQ(test, xp2m_prealloc(c->p2m, M_DOM, M_DOM + n), 0);
	t_snap(test, c->p2m, c->sim, &a);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, xp2m_m2p_add(m2p, M_DOM + i, NULL,
						   2 * M_DOM + 100 + i, 0), 0);
	for (i = 0; i < n; i++)
		if (xp2m_mfn_to_pfn(m2p, 2 * M_DOM + 100 + i) != M_DOM + i)
			bad++;
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&m2p->count), (long)n);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, xp2m_m2p_remove(m2p, M_DOM + i, NULL), 0);
	t_snap(test, c->p2m, c->sim, &b);
	t_expect_same(test, &a, &b);
}

/*
 * Threads add and remove overrides of their own pfns and frames while
 * others look frames up: a lookup finds the frame's pfn or nothing, never
 * another's; at the end every entry is as it was.
 */
#define M_THREADS	4
#define M_ROUNDS	20000
#define M_PER_THREAD	64

struct m_race {
	struct xp2m_m2p *m2p;
	atomic_t running;
	struct completion done;
	atomic_long_t wrong, found, errors;
};

struct m_worker {
	struct m_race *r;
	unsigned int id;
};

static unsigned long m_pfn(unsigned int id, unsigned int k)
{
	return M_DOM + id * M_PER_THREAD + k;
}

static unsigned long m_mfn(unsigned int id, unsigned int k)
{
	return 2 * M_DOM + 100 + id * M_PER_THREAD + k;
}

static int m_writer(void *arg)
{
	struct m_worker *w = arg;
	struct m_race *r = w->r;
	unsigned int round, k;

	for (round = 0; round < M_ROUNDS / M_PER_THREAD; round++) {
		for (k = 0; k < M_PER_THREAD; k++)
			if (xp2m_m2p_add(r->m2p, m_pfn(w->id, k), NULL,
					 m_mfn(w->id, k), k))
				atomic_long_inc(&r->errors);
		cond_resched();
		for (k = 0; k < M_PER_THREAD; k++)
			if (xp2m_m2p_remove(r->m2p, m_pfn(w->id, k), NULL))
				atomic_long_inc(&r->errors);
		cond_resched();
	}
	if (atomic_dec_and_test(&r->running))
		complete(&r->done);
	return 0;
}

static int m_reader(void *arg)
{
	struct m_race *r = arg;
	struct rnd_state rnd;
	unsigned int id, k;
	unsigned long pfn;

	prandom_seed_state(&rnd, current->pid);
	while (!kthread_should_stop()) {
		id = prandom_u32_state(&rnd) % M_THREADS;
		k = prandom_u32_state(&rnd) % M_PER_THREAD;
		pfn = xp2m_mfn_to_pfn(r->m2p, m_mfn(id, k));
		if (pfn == m_pfn(id, k))
			atomic_long_inc(&r->found);
		else if (pfn != XP2M_INVALID_ENTRY)
			atomic_long_inc(&r->wrong);
		cond_resched();
	}
	return 0;
}

static void m2p_concurrency(struct kunit *test)
{
	struct xp2m_m2p *m2p = m_setup(test);
	struct t_ctx *c = t_ctx(test);
	struct m_worker workers[M_THREADS];
	struct task_struct *readers[2];
	struct t_snap a, b;
	struct m_race *r;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, xp2m_prealloc(c->p2m, M_DOM,
					    M_DOM + M_THREADS * M_PER_THREAD), 0);
	t_snap(test, c->p2m, c->sim, &a);
	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->m2p = m2p;
	init_completion(&r->done);
	atomic_set(&r->running, M_THREADS);
	for (i = 0; i < ARRAY_SIZE(readers); i++) {
		readers[i] = kthread_run(m_reader, r, "xp2m-m2p-rd%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(readers[i]));
	}
	for (i = 0; i < M_THREADS; i++) {
		workers[i] = (struct m_worker) { .r = r, .id = i };
		KUNIT_ASSERT_FALSE(test, IS_ERR(kthread_run(m_writer, &workers[i],
							    "xp2m-m2p-wr%u", i)));
	}
	wait_for_completion(&r->done);
	for (i = 0; i < ARRAY_SIZE(readers); i++)
		kthread_stop(readers[i]);

	kunit_info(test, "%d adds and removes, %ld lookups found their pfn\n",
		   2 * M_THREADS * (M_ROUNDS / M_PER_THREAD) * M_PER_THREAD,
		   atomic_long_read(&r->found));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&r->errors), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&r->wrong), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&m2p->count), 0L);
	t_snap(test, c->p2m, c->sim, &b);
	t_expect_same(test, &a, &b);
}

static struct kunit_case m2p_cases[] = {
	KUNIT_CASE(m2p_add_find_remove),
	KUNIT_CASE(m2p_local_frame),
	KUNIT_CASE(m2p_bad_input),
	KUNIT_CASE(m2p_add_faults),
	KUNIT_CASE(m2p_large_table),
	KUNIT_CASE(m2p_concurrency),
	{}
};

static struct kunit_suite m2p_suite = {
	.name = "xp2m_m2p",
	.exit = m_exit,
	.test_cases = m2p_cases,
};

kunit_test_suite(m2p_suite);
