// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the balloon hooks: release and populate, the proof that
 * the balloon path never allocates, bad input, allocation failures at set
 * up, and releases and populates racing with lookups; then the same for
 * increasing and decreasing the reservation, with the ways the machine can
 * do less than asked.
 */

#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include <xp2m/balloon.h>

#include "fixture.h"

/* 4096 pages populated, balloon space [2048, 16384): 12288 pfns missing. */
#define B_DOM		4096UL
#define B_MAX		16384UL
#define B_START		2048UL

struct b_ctx {
	struct xp2m_balloon b;
	bool init;
	struct dentry *dir;
};

static void b_exit(struct kunit *test, struct t_ctx *c)
{
	struct b_ctx *b = c->extra;

	debugfs_remove_recursive(b->dir);
	if (b->init)
		xp2m_balloon_destroy(&b->b);
}

static struct xp2m_balloon *b_setup(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	struct b_ctx *b;

	t_setup_on(test, 65536, B_DOM, B_MAX);
	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	c->extra = b;
	c->extra_exit = b_exit;
	KUNIT_ASSERT_EQ(test, xp2m_balloon_init(&b->b, c->p2m, B_START, B_MAX),
			0);
	b->init = true;
	return &b->b;
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
 * The proof that the balloon path never allocates: with the task's first
 * allocation armed to fail (the kernel's fault injection, every sleeping
 * allocation and single page counting), releases and populates of 512
 * pfns all succeed and reach no allocation at all.
 */
struct b_never {
	unsigned long *pfns, *mfns, *fresh;
	long r[2];
	long bound;
};

static int b_never_run(struct kunit *test, void *arg)
{
	struct xp2m_balloon *b = &((struct b_ctx *)t_ctx(test)->extra)->b;
	struct b_never *w = arg;

	w->r[0] = xp2m_balloon_release(b, w->pfns, 512, w->mfns);
	w->r[1] = xp2m_balloon_populate(b, w->pfns, w->fresh, 512);
	return w->r[0] == 512 && w->r[1] == 512 ? 0 : -EIO;
}

static void b_never_after(struct kunit *test, void *arg, int err)
{
	struct t_ctx *c = t_ctx(test);
	struct b_never *w = arg;
	unsigned long i, bad = 0;

	KUNIT_EXPECT_EQ(test, w->r[0], 512L);
	KUNIT_EXPECT_EQ(test, w->r[1], 512L);
	KUNIT_EXPECT_EQ(test, xp2m_sim_bound(c->sim), w->bound);
	for (i = 0; i < 512; i++)
		bad += w->mfns[i] != t_asc_mfn(c, w->pfns[i]) ||
		       xp2m_lookup(c->p2m, w->pfns[i]) != w->fresh[i];
	KUNIT_EXPECT_EQ(test, bad, 0UL);
}

static void balloon_never_allocates(struct kunit *test)
{
	static const struct xp2m_fault_op op = {
		.name = "xp2m_balloon_release and _populate",
		.run = b_never_run,
		.after = b_never_after,
	};
	struct xp2m_balloon *b = b_setup(test);
	struct t_ctx *c = t_ctx(test);
	struct b_never *w;
	unsigned long i;

	w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	w->pfns = kunit_kcalloc(test, 3 * 512, sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w->pfns);
	w->mfns = w->pfns + 512;
	w->fresh = w->mfns + 512;
	for (i = 0; i < 512; i++) {
		w->pfns[i] = B_START + 3 * i;
		w->fresh[i] = b_frame(i);
	}
	w->bound = xp2m_sim_bound(c->sim);
	KUNIT_EXPECT_EQ(test, xp2m_fault_sweep(test, &op, w), 0U);
	KUNIT_EXPECT_EQ(test, b->nr_owned, B_MAX - B_DOM);
}

static void balloon_bad_input(struct kunit *test)
{
	struct xp2m_balloon *b = b_setup(test);
	struct t_ctx *c = t_ctx(test);
	/* With lockdep, a balloon's locks make it too large for the stack. */
	struct xp2m_balloon *other = kunit_kzalloc(test, sizeof(*other),
						   GFP_KERNEL);
	unsigned long pfns[4], mfns[4], fresh[4] = { 1, 2, 3, 4 };
	struct t_snap s0, s1;

	KUNIT_ASSERT_NOT_NULL(test, other);
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
	KUNIT_EXPECT_EQ(test, xp2m_balloon_init(other, c->p2m, 5, 5), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_balloon_init(other, c->p2m, 5, B_MAX + 1),
			-ERANGE);
}

/*
 * Set-up allocations, every one failed in turn (xp2m_fault_sweep()): the
 * registry (vzalloc()), the batch of frames, the leaves and mids of the
 * space. A failure must give -ENOMEM with the p2m and its pages as they
 * were; a set-up that went through is checked and undone, and the next run
 * takes a space across another missing GiB boundary.
 */
struct b_init {
	struct xp2m_balloon b;
	struct t_sweep w;
	unsigned long start;	/* this run's space: [start, start + 8192) */
};

static void b_init_before(struct kunit *test, void *arg)
{
	struct t_ctx *c = t_ctx(test);
	struct b_init *w = arg;

	w->start = (2 * w->w.k + 1) * XP2M_MID_SPAN - 4096;
	KUNIT_ASSERT_LE(test, w->start + 8192, c->p2m->max_pfn);
	t_sweep_before(test, &w->w);
}

static int b_init_run(struct kunit *test, void *arg)
{
	struct b_init *w = arg;

	return xp2m_balloon_init(&w->b, t_ctx(test)->p2m, w->start,
				 w->start + 8192);
}

static void b_init_after(struct kunit *test, void *arg, int err)
{
	struct t_ctx *c = t_ctx(test);
	struct b_init *w = arg;
	unsigned long pfn;

	if (t_sweep_failed(test, &w->w, err))
		return;
	KUNIT_EXPECT_EQ(test, w->b.nr_owned, 8192UL);
	for (pfn = w->start; pfn < w->start + 8192; pfn += XP2M_PER_PAGE)
		KUNIT_EXPECT_EQ(test, xp2m_leaf_kind(c->p2m, pfn),
				XP2M_LEAF_PRIVATE);
	xp2m_balloon_destroy(&w->b);
}

static void balloon_init_faults(struct kunit *test)
{
	static const struct xp2m_fault_op op = {
		.name = "xp2m_balloon_init",
		.before = b_init_before,
		.run = b_init_run,
		.after = b_init_after,
	};
	struct b_init *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, w);
	t_machine(test, 65536);
	t_domain(test, B_DOM, XP2M_MFNS_ASCENDING);
	t_p2m(test, 32 * XP2M_MID_SPAN);
	/* The registry, the frames, 16 leaves and a mid, at the least. */
	KUNIT_EXPECT_GE(test, xp2m_fault_sweep(test, &op, w), 19U);
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

/*
 * The reservation: xp2m_balloon_increase() and xp2m_balloon_decrease() on
 * the simulated machine, which plays the hypervisor (frames, the domain's
 * maximum, the M2P) and the kernel's own view of its pages.
 */
#define BB	XP2M_BALLOON_BATCH

/* The machine's kmap operation, for setting up the kernel's view. */
static long b_kmap(struct xp2m_sim *sim, const unsigned long *pfns,
		   const unsigned long *mfns, unsigned long n)
{
	long (*op)(struct xp2m_backend *be, const unsigned long *pfns,
		   const unsigned long *mfns, unsigned long nr) =
		sim->be.ops->kmap;

	return op(&sim->be, pfns, mfns, n);
}

/*
 * b_setup(), and the kernel's view of the domain as it starts: its pages
 * mapped at their frames, and page tables for the rest of the balloon
 * space, so that mapping a page never allocates.
 */
static struct xp2m_balloon *b_rsetup(struct kunit *test)
{
	struct xp2m_balloon *b = b_setup(test);
	struct t_ctx *c = t_ctx(test);
	unsigned long *pfns, *mfns, pfn, i;

	pfns = kunit_kcalloc(test, 2 * BB, sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pfns);
	mfns = pfns + BB;
	for (pfn = 0; pfn < B_DOM; pfn += BB) {
		for (i = 0; i < BB; i++) {
			pfns[i] = pfn + i;
			mfns[i] = t_asc_mfn(c, pfn + i);
		}
		KUNIT_ASSERT_EQ(test, b_kmap(c->sim, pfns, mfns, BB), (long)BB);
	}
	KUNIT_ASSERT_EQ(test, xp2m_sim_kmap_reserve(c->sim, B_DOM, B_MAX), 0);
	return b;
}

/* @n pfns from @first up. */
static unsigned long *b_pfns(struct kunit *test, unsigned long first,
			     unsigned long n)
{
	unsigned long *pfns, i;

	pfns = kunit_kcalloc(test, n, sizeof(*pfns), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pfns);
	for (i = 0; i < n; i++)
		pfns[i] = first + i;
	return pfns;
}

static unsigned long b_m2p(struct t_ctx *c, unsigned long mfn)
{
	return c->sim->be.ops->m2p(&c->sim->be, mfn);
}

/*
 * Of pfns @pfns[from, to), how many do not have a frame of their own in
 * every view: the p2m, the M2P (which maps back) and the kernel's.
 */
static unsigned long b_not_in(struct kunit *test, struct xp2m_balloon *b,
			      const unsigned long *pfns, unsigned long from,
			      unsigned long to)
{
	struct t_ctx *c = t_ctx(test);
	unsigned long i, e, bad = 0;

	for (i = from; i < to; i++) {
		e = xp2m_lookup(c->p2m, pfns[i]);
		if (xp2m_entry_type(e) != XP2M_TYPE_PFN ||
		    xp2m_balloon_owned(b, pfns[i]) ||
		    b_m2p(c, e) != pfns[i] ||
		    xp2m_sim_kmap(c->sim, pfns[i]) != e) {
			if (bad++ < 4)
				kunit_info(test,
					   "pfn %#lx: entry %#lx m2p %#lx kmap %#lx owned %d\n",
					   pfns[i], e, b_m2p(c, e),
					   xp2m_sim_kmap(c->sim, pfns[i]),
					   xp2m_balloon_owned(b, pfns[i]));
		}
	}
	return bad;
}

/*
 * Of pfns @pfns[from, to), how many are not ballooned out: missing,
 * balloon-owned and not mapped by the kernel.
 */
static unsigned long b_not_out(struct kunit *test, struct xp2m_balloon *b,
			       const unsigned long *pfns, unsigned long from,
			       unsigned long to)
{
	struct t_ctx *c = t_ctx(test);
	unsigned long i, bad = 0;

	for (i = from; i < to; i++) {
		if (xp2m_lookup(c->p2m, pfns[i]) != XP2M_INVALID_ENTRY ||
		    !xp2m_balloon_owned(b, pfns[i]) ||
		    xp2m_sim_kmap(c->sim, pfns[i]) != XP2M_INVALID_ENTRY) {
			if (bad++ < 4)
				kunit_info(test,
					   "pfn %#lx: entry %#lx kmap %#lx owned %d\n",
					   pfns[i], xp2m_lookup(c->p2m, pfns[i]),
					   xp2m_sim_kmap(c->sim, pfns[i]),
					   xp2m_balloon_owned(b, pfns[i]));
		}
	}
	return bad;
}

/* The frames @pfns[0, n) hold now. */
static unsigned long *b_frames_of(struct kunit *test, const unsigned long *pfns,
				  unsigned long n)
{
	struct t_ctx *c = t_ctx(test);
	unsigned long *mfns, i;

	mfns = kunit_kcalloc(test, n, sizeof(*mfns), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mfns);
	for (i = 0; i < n; i++)
		mfns[i] = xp2m_lookup(c->p2m, pfns[i]);
	return mfns;
}

/* Of frames @mfns[0, n), how many are not free on the machine. */
static unsigned long b_not_free(struct t_ctx *c, const unsigned long *mfns,
				unsigned long n)
{
	unsigned long i, bad = 0;

	for (i = 0; i < n; i++)
		bad += !xp2m_sim_frame_free(c->sim, mfns[i]);
	return bad;
}

/*
 * 3 batches and 7 pfns, in and out again: one hypercall a batch, every
 * view in step, the frames back with the machine and the headroom back.
 */
static void balloon_increase_decrease(struct kunit *test)
{
	struct xp2m_balloon *b = b_rsetup(test);
	struct t_ctx *c = t_ctx(test);
	struct xp2m_backend *be = &c->sim->be;
	unsigned long n = 3 * BB + 7, *pfns, *mfns, i, j, dup = 0;
	const unsigned long owned = B_MAX - B_DOM;

	xp2m_sim_set_headroom(c->sim, 4 * BB);
	pfns = b_pfns(test, B_DOM, n);
	KUNIT_EXPECT_EQ(test, xp2m_balloon_increase(b, pfns, n), (long)n);
	KUNIT_EXPECT_EQ(test, b->hypercalls, 4UL);
	KUNIT_EXPECT_EQ(test, b->extents, n);
	KUNIT_EXPECT_EQ(test, b->nr_owned, owned - n);
	KUNIT_EXPECT_EQ(test, xp2m_sim_headroom(c->sim), 4 * BB - n);
	KUNIT_EXPECT_EQ(test, b_not_in(test, b, pfns, 0, n), 0UL);
	mfns = b_frames_of(test, pfns, n);
	/* New frames, each once: not the domain's first ones. */
	for (i = 0; i < n; i++) {
		dup += mfns[i] <= t_asc_mfn(c, B_DOM - 1);
		for (j = i + 1; j < n && j < i + 8; j++)
			dup += mfns[i] == mfns[j];
	}
	KUNIT_EXPECT_EQ(test, dup, 0UL);

	KUNIT_EXPECT_EQ(test, xp2m_balloon_decrease(b, pfns, n), (long)n);
	KUNIT_EXPECT_EQ(test, b->hypercalls, 8UL);
	KUNIT_EXPECT_EQ(test, b->extents, 2 * n);
	KUNIT_EXPECT_EQ(test, b->nr_owned, owned);
	KUNIT_EXPECT_EQ(test, xp2m_sim_headroom(c->sim), 4 * BB);
	KUNIT_EXPECT_EQ(test, b_not_out(test, b, pfns, 0, n), 0UL);
	KUNIT_EXPECT_EQ(test, b_not_free(c, mfns, n), 0UL);
	/* They are the machine's again: it will not take them twice. */
	KUNIT_EXPECT_EQ(test, be->ops->release(be, mfns, n), 0L);
	KUNIT_EXPECT_EQ(test, be->ops->release(be, mfns + n - 1, 1), 0L);

	/* The domain's first pages go and come back the same way. */
	pfns = b_pfns(test, B_START, BB + 1);
	mfns = b_frames_of(test, pfns, BB + 1);
	KUNIT_EXPECT_EQ(test, b_not_in(test, b, pfns, 0, BB + 1), 0UL);
	KUNIT_EXPECT_EQ(test, xp2m_balloon_decrease(b, pfns, BB + 1),
			(long)BB + 1);
	KUNIT_EXPECT_EQ(test, b_not_out(test, b, pfns, 0, BB + 1), 0UL);
	KUNIT_EXPECT_EQ(test, b_not_free(c, mfns, BB + 1), 0UL);
	KUNIT_EXPECT_EQ(test, xp2m_sim_headroom(c->sim), 5 * BB + 1);
	KUNIT_EXPECT_EQ(test, xp2m_balloon_increase(b, pfns, BB + 1),
			(long)BB + 1);
	KUNIT_EXPECT_EQ(test, b_not_in(test, b, pfns, 0, BB + 1), 0UL);
	KUNIT_EXPECT_EQ(test, b->hypercalls, 12UL);
	KUNIT_EXPECT_EQ(test, b->extents, 2 * n + 2 * (BB + 1));
	KUNIT_EXPECT_EQ(test, b->nr_owned, owned);
}

/*
 * At the domain's maximum: the first pfns get what the hypervisor gives,
 * the call stops there; at no headroom at all, -ENOMEM and nothing changed.
 */
static void balloon_increase_headroom(struct kunit *test)
{
	struct xp2m_balloon *b = b_rsetup(test);
	struct t_ctx *c = t_ctx(test);
	const unsigned long owned = B_MAX - B_DOM, n = 2 * BB;
	struct t_snap s0, s1;
	unsigned long *pfns;

	xp2m_sim_set_headroom(c->sim, BB + 5);
	pfns = b_pfns(test, B_DOM + 100, n);
	KUNIT_EXPECT_EQ(test, xp2m_balloon_increase(b, pfns, n), (long)BB + 5);
	KUNIT_EXPECT_EQ(test, b_not_in(test, b, pfns, 0, BB + 5), 0UL);
	KUNIT_EXPECT_EQ(test, b_not_out(test, b, pfns, BB + 5, n), 0UL);
	KUNIT_EXPECT_EQ(test, b->hypercalls, 2UL);
	KUNIT_EXPECT_EQ(test, b->extents, BB + 5);
	KUNIT_EXPECT_EQ(test, b->nr_owned, owned - BB - 5);
	KUNIT_EXPECT_EQ(test, xp2m_sim_headroom(c->sim), 0UL);

	t_snap(test, c->p2m, c->sim, &s0);
	KUNIT_EXPECT_EQ(test, xp2m_balloon_increase(b, pfns + BB + 5,
						    n - BB - 5), -ENOMEM);
	t_snap(test, c->p2m, c->sim, &s1);
	t_expect_same(test, &s0, &s1);
	KUNIT_EXPECT_EQ(test, b_not_out(test, b, pfns, BB + 5, n), 0UL);
	KUNIT_EXPECT_EQ(test, b->hypercalls, 3UL);
	KUNIT_EXPECT_EQ(test, b->extents, BB + 5);
	KUNIT_EXPECT_EQ(test, b->nr_owned, owned - BB - 5);
}

/* A free frame of the machine, far from any the tests hand out. */
static unsigned long b_free_frame(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	unsigned long mfn;

	for (mfn = c->sim->be.max_mfn; mfn > 0; mfn--)
		if (xp2m_sim_frame_free(c->sim, mfn))
			return mfn;
	KUNIT_FAIL(test, "no free frame");
	return 0;
}

/*
 * A pfn in the middle of a batch whose entry names a frame that is not
 * ours: the hypervisor takes the frames before it and stops there. The pfn
 * stays missing and balloon-owned (the p2m must not name the frame); the
 * pfns after it get their frames back, in the p2m and the kernel's view.
 */
static void balloon_decrease_stale(struct kunit *test)
{
	struct xp2m_balloon *b = b_rsetup(test);
	struct t_ctx *c = t_ctx(test);
	const unsigned long owned = B_MAX - B_DOM, n = BB, bad = 100;
	unsigned long *pfns, *mfns, stale, orig;

	pfns = b_pfns(test, B_DOM, n);
	KUNIT_ASSERT_EQ(test, xp2m_balloon_increase(b, pfns, n), (long)n);
	mfns = b_frames_of(test, pfns, n);
	orig = mfns[bad];
	stale = b_free_frame(test);
	KUNIT_ASSERT_EQ(test, xp2m_set(c->p2m, pfns[bad], stale), 0);

	KUNIT_EXPECT_EQ(test, xp2m_balloon_decrease(b, pfns, n), (long)bad);
	KUNIT_EXPECT_EQ(test, b_not_out(test, b, pfns, 0, bad + 1), 0UL);
	KUNIT_EXPECT_EQ(test, b_not_free(c, mfns, bad), 0UL);
	KUNIT_EXPECT_EQ(test, b_not_in(test, b, pfns, bad + 1, n), 0UL);
	KUNIT_EXPECT_EQ(test, memcmp(b_frames_of(test, pfns + bad + 1,
						 n - bad - 1),
				     mfns + bad + 1,
				     (n - bad - 1) * sizeof(*mfns)), 0);
	/* The machine: the stale frame is still free, the pfn's own is ours. */
	KUNIT_EXPECT_TRUE(test, xp2m_sim_frame_free(c->sim, stale));
	KUNIT_EXPECT_EQ(test, b_m2p(c, orig), pfns[bad]);
	KUNIT_EXPECT_EQ(test, b->hypercalls, 2UL);
	KUNIT_EXPECT_EQ(test, b->extents, n + bad);
	KUNIT_EXPECT_EQ(test, b->nr_owned, owned - n + bad + 1);

	/* The first frame refused: -EINVAL, and the rest as they were. */
	KUNIT_ASSERT_EQ(test, xp2m_set(c->p2m, pfns[bad + 1], stale), 0);
	KUNIT_EXPECT_EQ(test, xp2m_balloon_decrease(b, pfns + bad + 1,
						    n - bad - 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, b_not_out(test, b, pfns, bad + 1, bad + 2), 0UL);
	KUNIT_EXPECT_EQ(test, b_not_in(test, b, pfns, bad + 2, n), 0UL);
	KUNIT_EXPECT_TRUE(test, xp2m_sim_frame_free(c->sim, stale));
	KUNIT_EXPECT_EQ(test, b->hypercalls, 3UL);
	KUNIT_EXPECT_EQ(test, b->extents, n + bad);
	KUNIT_EXPECT_EQ(test, b->nr_owned, owned - n + bad + 2);
}

/* Bad input: the errno, nothing changed; a bad pfn ends the valid prefix. */
static void balloon_resv_bad_input(struct kunit *test)
{
	struct xp2m_balloon *b = b_rsetup(test);
	struct t_ctx *c = t_ctx(test);
	const struct xp2m_backend_ops *real = c->sim->be.ops;
	struct xp2m_backend_ops *none;
	unsigned long pfns[4], *many;
	struct t_snap s0, s1;

	t_snap(test, c->p2m, c->sim, &s0);
	KUNIT_EXPECT_EQ(test, xp2m_balloon_increase(b, pfns, 0), 0L);
	KUNIT_EXPECT_EQ(test, xp2m_balloon_decrease(b, pfns, 0), 0L);
	pfns[0] = B_START - 1;
	KUNIT_EXPECT_EQ(test, xp2m_balloon_increase(b, pfns, 1), -ERANGE);
	KUNIT_EXPECT_EQ(test, xp2m_balloon_decrease(b, pfns, 1), -ERANGE);
	pfns[0] = B_MAX;
	KUNIT_EXPECT_EQ(test, xp2m_balloon_increase(b, pfns, 1), -ERANGE);
	KUNIT_EXPECT_EQ(test, xp2m_balloon_decrease(b, pfns, 1), -ERANGE);
	pfns[0] = B_START;		/* holds a frame */
	KUNIT_EXPECT_EQ(test, xp2m_balloon_increase(b, pfns, 1), -EBUSY);
	pfns[0] = B_DOM + 1;		/* ballooned out */
	KUNIT_EXPECT_EQ(test, xp2m_balloon_decrease(b, pfns, 1), -EBUSY);
	t_snap(test, c->p2m, c->sim, &s1);
	t_expect_same(test, &s0, &s1);

	/* No frame of ours: identity, foreign, missing but not the balloon's. */
	KUNIT_ASSERT_EQ(test, xp2m_set_identity(c->p2m, B_START + 10,
						B_START + 11), 1L);
	KUNIT_ASSERT_EQ(test, xp2m_set(c->p2m, B_START + 11,
				       XP2M_FOREIGN_FRAME(5)), 0);
	KUNIT_ASSERT_EQ(test, xp2m_set(c->p2m, B_START + 12,
				       XP2M_INVALID_ENTRY), 0);
	t_snap(test, c->p2m, c->sim, &s0);
	for (pfns[0] = B_START + 10; pfns[0] < B_START + 13; pfns[0]++) {
		KUNIT_EXPECT_EQ(test, xp2m_balloon_decrease(b, pfns, 1),
				-EINVAL);
		KUNIT_EXPECT_EQ(test, xp2m_balloon_increase(b, pfns, 1),
				-EBUSY);
	}
	t_snap(test, c->p2m, c->sim, &s1);
	t_expect_same(test, &s0, &s1);
	KUNIT_EXPECT_EQ(test, b->hypercalls, 0UL);
	KUNIT_EXPECT_EQ(test, b->nr_owned, B_MAX - B_DOM);

	/* The valid prefix is done, and the call stops. */
	pfns[0] = B_DOM;
	pfns[1] = B_DOM + 1;
	pfns[2] = B_START;		/* not the balloon's */
	pfns[3] = B_DOM + 2;
	KUNIT_EXPECT_EQ(test, xp2m_balloon_increase(b, pfns, 4), 2L);
	KUNIT_EXPECT_EQ(test, b_not_in(test, b, pfns, 0, 2), 0UL);
	KUNIT_EXPECT_EQ(test, b_not_out(test, b, pfns, 3, 4), 0UL);
	pfns[2] = B_DOM + 5;		/* ballooned out */
	pfns[3] = B_START;
	KUNIT_EXPECT_EQ(test, xp2m_balloon_decrease(b, pfns, 4), 2L);
	KUNIT_EXPECT_EQ(test, b_not_out(test, b, pfns, 0, 3), 0UL);
	KUNIT_EXPECT_EQ(test, b_not_in(test, b, pfns, 3, 4), 0UL);
	KUNIT_EXPECT_EQ(test, b->hypercalls, 2UL);
	KUNIT_EXPECT_EQ(test, b->extents, 4UL);

	/* ... in a later batch too: the earlier batches are done. */
	many = b_pfns(test, B_DOM, BB + 10);
	many[BB + 3] = B_START;
	KUNIT_EXPECT_EQ(test, xp2m_balloon_increase(b, many, BB + 10),
			(long)BB + 3);
	KUNIT_EXPECT_EQ(test, b_not_in(test, b, many, 0, BB + 3), 0UL);
	KUNIT_EXPECT_EQ(test, b_not_out(test, b, many, BB + 4, BB + 10), 0UL);
	KUNIT_EXPECT_EQ(test, b->hypercalls, 4UL);
	KUNIT_EXPECT_EQ(test, b->extents, 4 + BB + 3);

	/* A machine with no reservation to change. */
	none = kunit_kzalloc(test, sizeof(*none), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, none);
	*none = *real;
	none->populate = NULL;
	none->release = NULL;
	c->sim->be.ops = none;
	pfns[0] = B_DOM + 20;
	KUNIT_EXPECT_EQ(test, xp2m_balloon_increase(b, pfns, 1), -EOPNOTSUPP);
	pfns[0] = B_START + 20;
	KUNIT_EXPECT_EQ(test, xp2m_balloon_decrease(b, pfns, 1), -EOPNOTSUPP);
	c->sim->be.ops = real;
	KUNIT_EXPECT_EQ(test, b->hypercalls, 4UL);
}

/*
 * The kernel maps fewer pages than asked: on the way in, the others are
 * ballooned out again (entry, then frame); on the way out, the pages it
 * did not unmap keep everything. None: the machine's errno.
 */
static void balloon_kmap_short(struct kunit *test)
{
	struct xp2m_balloon *b = b_rsetup(test);
	struct t_ctx *c = t_ctx(test);
	const unsigned long owned = B_MAX - B_DOM, n = BB;
	struct t_snap s0, s1;
	unsigned long *pfns, *mfns;

	xp2m_sim_set_headroom(c->sim, 2 * BB);
	pfns = b_pfns(test, B_DOM, n);
	xp2m_sim_stop_after(c->sim, XP2M_SIM_KMAP, 10);
	KUNIT_EXPECT_EQ(test, xp2m_balloon_increase(b, pfns, n), 10L);
	KUNIT_EXPECT_EQ(test, b_not_in(test, b, pfns, 0, 10), 0UL);
	KUNIT_EXPECT_EQ(test, b_not_out(test, b, pfns, 10, n), 0UL);
	KUNIT_EXPECT_EQ(test, b->hypercalls, 2UL);
	KUNIT_EXPECT_EQ(test, b->extents, n + n - 10);
	KUNIT_EXPECT_EQ(test, xp2m_sim_headroom(c->sim), 2 * BB - 10);
	KUNIT_EXPECT_EQ(test, b->nr_owned, owned - 10);

	mfns = b_frames_of(test, pfns, 10);
	xp2m_sim_stop_after(c->sim, XP2M_SIM_KMAP, 4);
	KUNIT_EXPECT_EQ(test, xp2m_balloon_decrease(b, pfns, 10), 4L);
	KUNIT_EXPECT_EQ(test, b_not_out(test, b, pfns, 0, 4), 0UL);
	KUNIT_EXPECT_EQ(test, b_not_free(c, mfns, 4), 0UL);
	KUNIT_EXPECT_EQ(test, b_not_in(test, b, pfns, 4, 10), 0UL);
	KUNIT_EXPECT_EQ(test, b->hypercalls, 3UL);
	KUNIT_EXPECT_EQ(test, b->extents, n + n - 10 + 4);
	KUNIT_EXPECT_EQ(test, xp2m_sim_headroom(c->sim), 2 * BB - 6);

	t_snap(test, c->p2m, c->sim, &s0);
	xp2m_sim_stop_after(c->sim, XP2M_SIM_KMAP, 0);
	KUNIT_EXPECT_EQ(test, xp2m_balloon_decrease(b, pfns + 4, 6), -EINVAL);
	xp2m_sim_stop_after(c->sim, XP2M_SIM_KMAP, 0);
	KUNIT_EXPECT_EQ(test, xp2m_balloon_increase(b, pfns + 10, n - 10),
			-EINVAL);
	t_snap(test, c->p2m, c->sim, &s1);
	t_expect_same(test, &s0, &s1);
	KUNIT_EXPECT_EQ(test, b_not_in(test, b, pfns, 4, 10), 0UL);
	KUNIT_EXPECT_EQ(test, b_not_out(test, b, pfns, 10, n), 0UL);
	KUNIT_EXPECT_EQ(test, xp2m_sim_headroom(c->sim), 2 * BB - 6);
	KUNIT_EXPECT_EQ(test, b->nr_owned, owned - 6);
}

/*
 * A pfn twice in a batch: the p2m step stops at the second, which ends
 * the call with every view in step. In, the frames populated for it and
 * after it go back; out, the pfns after it get their mapping again.
 */
static void balloon_resv_duplicates(struct kunit *test)
{
	struct xp2m_balloon *b = b_rsetup(test);
	struct t_ctx *c = t_ctx(test);
	const unsigned long owned = B_MAX - B_DOM;
	unsigned long pfns[3];

	xp2m_sim_set_headroom(c->sim, 10);
	pfns[0] = B_DOM;
	pfns[1] = B_DOM;
	pfns[2] = B_DOM + 1;
	KUNIT_EXPECT_EQ(test, xp2m_balloon_increase(b, pfns, 3), 1L);
	KUNIT_EXPECT_EQ(test, b_not_in(test, b, pfns, 0, 1), 0UL);
	KUNIT_EXPECT_EQ(test, b_not_out(test, b, pfns, 2, 3), 0UL);
	/* populate 3, release 2 */
	KUNIT_EXPECT_EQ(test, b->hypercalls, 2UL);
	KUNIT_EXPECT_EQ(test, b->extents, 5UL);
	KUNIT_EXPECT_EQ(test, xp2m_sim_headroom(c->sim), 9UL);
	KUNIT_EXPECT_EQ(test, b->nr_owned, owned - 1);

	pfns[2] = B_START;
	KUNIT_EXPECT_EQ(test, xp2m_balloon_decrease(b, pfns, 3), 1L);
	KUNIT_EXPECT_EQ(test, b_not_out(test, b, pfns, 0, 1), 0UL);
	KUNIT_EXPECT_EQ(test, b_not_in(test, b, pfns, 2, 3), 0UL);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, B_START),
			t_asc_mfn(c, B_START));
	KUNIT_EXPECT_EQ(test, b->hypercalls, 3UL);
	KUNIT_EXPECT_EQ(test, b->extents, 6UL);
	KUNIT_EXPECT_EQ(test, xp2m_sim_headroom(c->sim), 10UL);
	KUNIT_EXPECT_EQ(test, b->nr_owned, owned);
}

/*
 * The proof that the reservation path never allocates either, as
 * balloon_never_allocates: pfns in and out, and the domain's own pages out
 * and in, reaching no allocation with the task's first one armed to fail.
 */
struct b_resv_never {
	unsigned long *pfns, *dom, n;
	long r[4];
	long bound;
};

static int b_resv_never_run(struct kunit *test, void *arg)
{
	struct xp2m_balloon *b = &((struct b_ctx *)t_ctx(test)->extra)->b;
	struct b_resv_never *w = arg;

	w->r[0] = xp2m_balloon_increase(b, w->pfns, w->n);
	w->r[1] = xp2m_balloon_decrease(b, w->pfns, w->n);
	w->r[2] = xp2m_balloon_decrease(b, w->dom, w->n);
	w->r[3] = xp2m_balloon_increase(b, w->dom, w->n);
	return 0;
}

static void b_resv_never_after(struct kunit *test, void *arg, int err)
{
	struct xp2m_balloon *b = &((struct b_ctx *)t_ctx(test)->extra)->b;
	struct b_resv_never *w = arg;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(w->r); i++)
		KUNIT_EXPECT_EQ_MSG(test, w->r[i], (long)w->n, "call %u", i);
	KUNIT_EXPECT_EQ(test, xp2m_sim_bound(t_ctx(test)->sim), w->bound);
	KUNIT_EXPECT_EQ(test, b->hypercalls, 12UL);
	KUNIT_EXPECT_EQ(test, b_not_out(test, b, w->pfns, 0, w->n), 0UL);
	KUNIT_EXPECT_EQ(test, b_not_in(test, b, w->dom, 0, w->n), 0UL);
}

static void balloon_resv_never_allocates(struct kunit *test)
{
	static const struct xp2m_fault_op op = {
		.name = "xp2m_balloon_increase and _decrease",
		.run = b_resv_never_run,
		.after = b_resv_never_after,
	};
	struct b_resv_never *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, w);
	b_rsetup(test);
	w->n = 2 * BB + 3;
	w->pfns = b_pfns(test, B_DOM, w->n);
	w->dom = b_pfns(test, B_START, w->n);
	w->bound = xp2m_sim_bound(t_ctx(test)->sim);
	KUNIT_EXPECT_EQ(test, xp2m_fault_sweep(test, &op, w), 0U);
}

/*
 * A thread increases and decreases the reservation over and over while
 * others look the pfns up, in the p2m and in the kernel's view, without a
 * lock: a frame they see is the pfn's own (the M2P maps it back), and one
 * the kernel maps is in the p2m, unless it has left the pfn since (a second
 * look no longer sees it).
 */
#define R_PFNS		1024UL
#define R_ROUNDS	100

struct b_resv_race {
	struct xp2m_balloon *b;
	struct t_ctx *c;
	const unsigned long *pfns;
	struct completion done;
	atomic_long_t wrong, lookups, errors;
};

static int b_resv_churn(void *arg)
{
	struct b_resv_race *r = arg;
	unsigned int round;

	for (round = 0; round < R_ROUNDS; round++) {
		if (xp2m_balloon_increase(r->b, r->pfns, R_PFNS) != R_PFNS)
			atomic_long_inc(&r->errors);
		cond_resched();
		if (xp2m_balloon_decrease(r->b, r->pfns, R_PFNS) != R_PFNS)
			atomic_long_inc(&r->errors);
		cond_resched();
	}
	complete(&r->done);
	return 0;
}

static int b_resv_look(void *arg)
{
	struct b_resv_race *r = arg;
	struct t_ctx *c = r->c;
	struct rnd_state rnd;
	unsigned long i, pfn, e;

	prandom_seed_state(&rnd, current->pid);
	while (!kthread_should_stop()) {
		i = prandom_u32_state(&rnd) % R_PFNS;
		pfn = r->pfns[i];
		e = xp2m_lookup(c->p2m, pfn);
		if (e != XP2M_INVALID_ENTRY && b_m2p(c, e) != pfn &&
		    xp2m_lookup(c->p2m, pfn) == e)
			atomic_long_inc(&r->wrong);
		/* A page the kernel maps has its frame in the p2m too. */
		e = xp2m_sim_kmap(c->sim, pfn);
		if (e != XP2M_INVALID_ENTRY &&
		    (b_m2p(c, e) != pfn || xp2m_lookup(c->p2m, pfn) != e) &&
		    xp2m_sim_kmap(c->sim, pfn) == e)
			atomic_long_inc(&r->wrong);
		atomic_long_inc(&r->lookups);
		if (!(i & 63))
			cond_resched();
	}
	return 0;
}

static void balloon_resv_concurrency(struct kunit *test)
{
	struct xp2m_balloon *b = b_rsetup(test);
	struct t_ctx *c = t_ctx(test);
	struct task_struct *readers[2];
	struct b_resv_race *r;
	unsigned long i;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	*r = (struct b_resv_race) {
		.b = b, .c = c, .pfns = b_pfns(test, B_DOM, R_PFNS),
	};
	init_completion(&r->done);
	/* Readers run between any two steps, even on one CPU. */
	xp2m_sim_resv_sleep(c->sim, true);
	for (i = 0; i < ARRAY_SIZE(readers); i++) {
		readers[i] = kthread_run(b_resv_look, r, "xp2m-bl-look%lu", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(readers[i]));
	}
	KUNIT_ASSERT_FALSE(test, IS_ERR(kthread_run(b_resv_churn, r,
						    "xp2m-bl-resv")));
	wait_for_completion(&r->done);
	for (i = 0; i < ARRAY_SIZE(readers); i++)
		kthread_stop(readers[i]);
	kunit_info(test, "%lu pages in and out, %ld lookups\n",
		   R_ROUNDS * R_PFNS, atomic_long_read(&r->lookups));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&r->errors), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&r->wrong), 0L);
	KUNIT_EXPECT_EQ(test, b_not_out(test, b, r->pfns, 0, R_PFNS), 0UL);
	KUNIT_EXPECT_EQ(test, b->hypercalls, 2 * R_ROUNDS * R_PFNS / BB);
	KUNIT_EXPECT_EQ(test, b->extents, 2 * R_ROUNDS * R_PFNS);
	KUNIT_EXPECT_EQ(test, b->nr_owned, B_MAX - B_DOM);
}

/* The debugfs view of a known layout, as a user reads it. */
#define B_DIR	"xp2m_balloon_kunit"

static const char b_want_view[] =
	"space [0x800->0x4000]\n"
	"owned 12289\n"
	"hypercalls 2\n"
	"extents 33\n"
	" [0x800->0x810] balloon\n"
	" [0x900->0x901] balloon\n"
	" [0x1010->0x4000] balloon\n";

static char *b_read_view(struct kunit *test, size_t chunk)
{
	char *buf = kunit_kzalloc(test, T_UBUF_SIZE, GFP_KERNEL);
	ssize_t n;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	n = t_file_io(t_mm, "/sys/kernel/debug/" B_DIR "/balloon", false, buf,
		      T_UBUF_SIZE, chunk);
	KUNIT_ASSERT_GE(test, n, 0L);
	return buf;
}

static void balloon_debugfs_view(struct kunit *test)
{
	struct xp2m_balloon *b = b_rsetup(test);
	struct b_ctx *bc = t_ctx(test)->extra;
	unsigned long pfns[17], i;
	struct file *f;

	/* Out: the space's first 16 pfns and one more; in: 16 of the rest. */
	for (i = 0; i < 16; i++)
		pfns[i] = B_START + i;
	pfns[16] = B_START + 0x100;
	KUNIT_ASSERT_EQ(test, xp2m_balloon_decrease(b, pfns, 17), 17L);
	for (i = 0; i < 16; i++)
		pfns[i] = B_DOM + i;
	KUNIT_ASSERT_EQ(test, xp2m_balloon_increase(b, pfns, 16), 16L);

	bc->dir = debugfs_create_dir(B_DIR, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(bc->dir));
	xp2m_balloon_debugfs(b, bc->dir);
	if (!t_mm)
		kunit_skip(test, "no user memory to read files into");
	f = filp_open("/sys/kernel/debug/" B_DIR "/balloon", O_RDONLY, 0);
	if (IS_ERR(f))
		kunit_skip(test, "debugfs is not mounted at /sys/kernel/debug");
	KUNIT_EXPECT_EQ(test, file_inode(f)->i_mode & 0777, 0400);
	__fput_sync(f);

	KUNIT_EXPECT_STREQ(test, b_read_view(test, 4096), b_want_view);
	/* Resumed reads, a few bytes at a time, give the same text. */
	KUNIT_EXPECT_STREQ(test, b_read_view(test, 5), b_want_view);
	KUNIT_EXPECT_STREQ(test, b_read_view(test, 1), b_want_view);

	/* Removing the directory removes the file. */
	debugfs_remove_recursive(bc->dir);
	bc->dir = NULL;
	f = filp_open("/sys/kernel/debug/" B_DIR "/balloon", O_RDONLY, 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(f), -ENOENT);
	if (!IS_ERR(f))
		__fput_sync(f);
}

static struct kunit_case balloon_cases[] = {
	KUNIT_CASE(balloon_release_populate),
	KUNIT_CASE(balloon_never_allocates),
	KUNIT_CASE(balloon_bad_input),
	KUNIT_CASE(balloon_init_faults),
	KUNIT_CASE(balloon_concurrency),
	KUNIT_CASE(balloon_increase_decrease),
	KUNIT_CASE(balloon_increase_headroom),
	KUNIT_CASE(balloon_decrease_stale),
	KUNIT_CASE(balloon_resv_bad_input),
	KUNIT_CASE(balloon_kmap_short),
	KUNIT_CASE(balloon_resv_duplicates),
	KUNIT_CASE(balloon_resv_never_allocates),
	KUNIT_CASE(balloon_resv_concurrency),
	KUNIT_CASE(balloon_debugfs_view),
	{}
};

static struct kunit_suite balloon_suite = {
	.name = "xp2m_balloon",
	.suite_init = t_suite_init,
	.suite_exit = t_suite_exit,
	.exit = t_exit,
	.test_cases = balloon_cases,
};

kunit_test_suite(balloon_suite);
