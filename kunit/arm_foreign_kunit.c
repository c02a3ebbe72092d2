// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of an ARM guest's foreign-range tree: set and look up, merge,
 * split, overlaps, bad input, a random sequence checked against a plain
 * array, and allocation failures of setting and clearing.
 */

#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "arm_fixture.h"

static struct xp2m_arm_foreign *t_ft(struct kunit *test)
{
	struct t_arm *c = t_ctx(test);

	if (!c->ft_live) {
		xp2m_arm_foreign_init(&c->ft, NULL);
		c->ft_live = true;
	}
	return &c->ft;
}

static void t_set(struct kunit *test, struct xp2m_arm_foreign *ft,
		  unsigned long pfn, unsigned long mfn, unsigned long nr)
{
	KUNIT_ASSERT_EQ(test, xp2m_arm_foreign_set(ft, pfn, mfn, nr), 0);
}

/* The ranges, exactly, as "pfn+nr=mfn ..." */
static char *t_ranges(struct kunit *test, struct xp2m_arm_foreign *ft)
{
	struct xp2m_arm_range r[16];
	unsigned long i, n = xp2m_arm_foreign_ranges(ft, r, ARRAY_SIZE(r));
	char *s = kunit_kzalloc(test, 1024, GFP_KERNEL);
	int len = 0;

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_LE(test, n, ARRAY_SIZE(r));
	for (i = 0; i < n; i++)
		len += scnprintf(s + len, 1024 - len, "%s%lx+%lx=%lx",
				 i ? " " : "", r[i].pfn, r[i].nr, r[i].mfn);
	return s;
}

static void foreign_set_lookup(struct kunit *test)
{
	struct xp2m_arm_foreign *ft = t_ft(test);
	struct xp2m_arm_range r;
	unsigned long i;

	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_lookup(ft, 0), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_to_bfn(ft, 0x123), 0x123UL);
	t_set(test, ft, 0x100, 0x5000, 16);
	for (i = 0x100; i < 0x110; i++) {
		KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_lookup(ft, i), 0x5000 + i - 0x100);
		KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_to_bfn(ft, i), 0x5000 + i - 0x100);
	}
	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_lookup(ft, 0xff), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_lookup(ft, 0x110), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_to_bfn(ft, 0x110), 0x110UL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_find(ft, 0x10f, &r), 0);
	KUNIT_EXPECT_EQ(test, r.pfn, 0x100UL);
	KUNIT_EXPECT_EQ(test, r.mfn, 0x5000UL);
	KUNIT_EXPECT_EQ(test, r.nr, 16UL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_find(ft, 0x110, &r), -ENOENT);
	/* Many ranges, looked up among each other. */
	for (i = 0; i < 1000; i++)
		t_set(test, ft, 0x10000 + 3 * i, 0x90000 + 7 * i, 2);
	KUNIT_EXPECT_EQ(test, ft->nr_ranges, 1001UL);
	KUNIT_EXPECT_EQ(test, ft->nr_pages, 2016UL);
	for (i = 0; i < 1000; i++) {
		KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_lookup(ft, 0x10001 + 3 * i),
				0x90001 + 7 * i);
		KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_lookup(ft, 0x10002 + 3 * i),
				XP2M_INVALID_ENTRY);
	}
}

/* Neighbours that continue each other, in pfn and mfn, are one range. */
static void foreign_merge(struct kunit *test)
{
	struct xp2m_arm_foreign *ft = t_ft(test);

	t_set(test, ft, 0x100, 0x5000, 16);
	t_set(test, ft, 0x110, 0x5010, 16);
	KUNIT_EXPECT_STREQ(test, t_ranges(test, ft), "100+20=5000");
	t_set(test, ft, 0xf0, 0x4ff0, 16);
	KUNIT_EXPECT_STREQ(test, t_ranges(test, ft), "f0+30=4ff0");
	/* Next in pfn, not in mfn: two ranges. */
	t_set(test, ft, 0x120, 0x9000, 4);
	KUNIT_EXPECT_STREQ(test, t_ranges(test, ft), "f0+30=4ff0 120+4=9000");
	t_set(test, ft, 0x124, 0x9004, 4);
	KUNIT_EXPECT_STREQ(test, t_ranges(test, ft), "f0+30=4ff0 120+8=9000");
	/* A gap filled so that both sides continue: all one. */
	t_set(test, ft, 0x200, 0x90e0, 8);
	t_set(test, ft, 0x130, 0x9010, 0xd0);
	KUNIT_EXPECT_STREQ(test, t_ranges(test, ft),
			   "f0+30=4ff0 120+8=9000 130+d8=9010");
	t_set(test, ft, 0x128, 0x9008, 8);
	KUNIT_EXPECT_STREQ(test, t_ranges(test, ft), "f0+30=4ff0 120+e8=9000");
	KUNIT_EXPECT_EQ(test, ft->nr_ranges, 2UL);
	KUNIT_EXPECT_EQ(test, ft->nr_pages, 0x30UL + 0xe8);
	KUNIT_EXPECT_STREQ(test, t_state(test, NULL, ft),
			   " [0xf0->0x120] foreign 0x4ff0\n"
			   " [0x120->0x208] foreign 0x9000\n"
			   "ranges 2 pages 280\n");
}

/* Setting or clearing inside a range splits it; the same mapping rejoins. */
static void foreign_split(struct kunit *test)
{
	struct xp2m_arm_foreign *ft = t_ft(test);

	t_set(test, ft, 0x1000, 0x8000, 0x100);
	t_set(test, ft, 0x1040, 0xa000, 0x10);
	KUNIT_EXPECT_STREQ(test, t_ranges(test, ft),
			   "1000+40=8000 1040+10=a000 1050+b0=8050");
	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_lookup(ft, 0x1050), 0x8050UL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_lookup(ft, 0x104f), 0xa00fUL);
	t_set(test, ft, 0x1040, 0x8040, 0x10);
	KUNIT_EXPECT_STREQ(test, t_ranges(test, ft), "1000+100=8000");
	/* Clear inside: split. */
	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_clear(ft, 0x1010, 0x20), 0x20L);
	KUNIT_EXPECT_STREQ(test, t_ranges(test, ft), "1000+10=8000 1030+d0=8030");
	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_lookup(ft, 0x1010), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_to_bfn(ft, 0x1010), 0x1010UL);
	/* At the edges: trims, no split. */
	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_clear(ft, 0x1000, 1), 1L);
	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_clear(ft, 0x10ff, 5), 1L);
	KUNIT_EXPECT_STREQ(test, t_ranges(test, ft), "1001+f=8001 1030+cf=8030");
	/* Filling the hole with the same frames joins them again. */
	t_set(test, ft, 0x1010, 0x8010, 0x20);
	KUNIT_EXPECT_STREQ(test, t_ranges(test, ft), "1001+fe=8001");
	KUNIT_EXPECT_EQ(test, ft->nr_ranges, 1UL);
	KUNIT_EXPECT_EQ(test, ft->nr_pages, 0xfeUL);
}

/* A set or clear across several ranges, cutting the ones at its ends. */
static void foreign_overlaps(struct kunit *test)
{
	struct xp2m_arm_foreign *ft = t_ft(test);

	t_set(test, ft, 0x10, 0x100, 0x10);
	t_set(test, ft, 0x30, 0x300, 0x10);
	t_set(test, ft, 0x50, 0x500, 0x10);
	t_set(test, ft, 0x70, 0x700, 0x10);
	t_set(test, ft, 0x18, 0x900, 0x60);
	KUNIT_EXPECT_STREQ(test, t_ranges(test, ft),
			   "10+8=100 18+60=900 78+8=708");
	KUNIT_EXPECT_EQ(test, ft->nr_pages, 0x70UL);
	/* Exactly over one range. */
	t_set(test, ft, 0x18, 0xa00, 0x60);
	KUNIT_EXPECT_STREQ(test, t_ranges(test, ft),
			   "10+8=100 18+60=a00 78+8=708");
	/* Clear across all, with holes on both sides. */
	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_clear(ft, 0x14, 0x66), 0x66L);
	KUNIT_EXPECT_STREQ(test, t_ranges(test, ft), "10+4=100 7a+6=70a");
	/* Clear of nothing. */
	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_clear(ft, 0x20, 0x40), 0L);
	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_clear(ft, 0, 0x10), 0L);
	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_clear(ft, 0, ~0UL >> 30), 0xaL);
	KUNIT_EXPECT_STREQ(test, t_ranges(test, ft), "");
	KUNIT_EXPECT_EQ(test, ft->nr_ranges, 0UL);
	KUNIT_EXPECT_EQ(test, ft->nr_pages, 0UL);
	/* The very last frames. */
	t_set(test, ft, XP2M_ARM_MAX_PFN, XP2M_ARM_MAX_MFN, 1);
	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_lookup(ft, XP2M_ARM_MAX_PFN),
			XP2M_ARM_MAX_MFN);
}

static void foreign_bad_input(struct kunit *test)
{
	struct xp2m_arm_foreign *ft = t_ft(test);
	char *before;

	t_set(test, ft, 0x100, 0x5000, 16);
	before = t_state(test, NULL, ft);
	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_set(ft, 0x100, 0x6000, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_set(ft, XP2M_ARM_MAX_PFN + 1, 1, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_set(ft, XP2M_ARM_MAX_PFN, 1, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_set(ft, 0x100, 1, ULONG_MAX), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_set(ft, 0x100, XP2M_ARM_MAX_MFN, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_set(ft, 0x100, XP2M_INVALID_ENTRY, 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_set(ft, ULONG_MAX, 1, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_clear(ft, 0x100, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_clear(ft, ULONG_MAX, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_clear(ft, 0x100, ULONG_MAX), -EINVAL);
	KUNIT_EXPECT_STREQ(test, t_state(test, NULL, ft), before);
}

/* Random sets and clears against a plain array: same mapping, canonical. */
static void foreign_random(struct kunit *test)
{
	const unsigned long span = 2048;
	struct xp2m_arm_foreign *ft = t_ft(test);
	struct xp2m_arm_range *r;
	unsigned long *ref, op, i, bad = 0;
	struct rnd_state rs;

	ref = kunit_kcalloc(test, span, sizeof(*ref), GFP_KERNEL);
	r = kunit_kcalloc(test, span, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ref);
	KUNIT_ASSERT_NOT_NULL(test, r);
	for (i = 0; i < span; i++)
		ref[i] = XP2M_INVALID_ENTRY;
	prandom_seed_state(&rs, 7);
	for (op = 0; op < t_scale(3000, 500); op++) {
		unsigned long pfn = prandom_u32_state(&rs) % span;
		unsigned long nr = 1 + prandom_u32_state(&rs) % 64;
		/* Two frame offsets only, so neighbours often continue. */
		unsigned long mfn = pfn + (prandom_u32_state(&rs) & 1 ? 0x10000 : 0x30000);
		unsigned long runs = 0, pages = 0, n;

		nr = min(nr, span - pfn);
		if (prandom_u32_state(&rs) % 3) {
			KUNIT_ASSERT_EQ(test, xp2m_arm_foreign_set(ft, pfn, mfn, nr), 0);
			for (i = 0; i < nr; i++)
				ref[pfn + i] = mfn + i;
		} else {
			for (i = 0, n = 0; i < nr; i++)
				n += ref[pfn + i] != XP2M_INVALID_ENTRY;
			KUNIT_ASSERT_EQ(test, xp2m_arm_foreign_clear(ft, pfn, nr), (long)n);
			for (i = 0; i < nr; i++)
				ref[pfn + i] = XP2M_INVALID_ENTRY;
		}
		/* The same mapping... */
		for (i = 0; i < span; i++) {
			if (xp2m_arm_foreign_lookup(ft, i) != ref[i])
				bad++;
			if (ref[i] == XP2M_INVALID_ENTRY)
				continue;
			pages++;
			runs += !i || ref[i - 1] != ref[i] - 1;
		}
		/* ...as its maximal runs: no two ranges that could be one. */
		n = xp2m_arm_foreign_ranges(ft, r, span);
		KUNIT_ASSERT_EQ(test, n, runs);
		KUNIT_ASSERT_EQ(test, ft->nr_ranges, runs);
		KUNIT_ASSERT_EQ(test, ft->nr_pages, pages);
		for (i = 1; i < n; i++)
			if (r[i - 1].pfn + r[i - 1].nr > r[i].pfn)
				bad++;
		if (bad) {
			KUNIT_FAIL(test, "op %lu: %lu mismatches", op, bad);
			break;
		}
	}
}

/*
 * Allocation failures: every allocation of each operation failed in turn
 * (xp2m_fault_sweep()); a failure must give -ENOMEM with the p2m or the tree
 * exactly as before and no page of the module kept (t_fault_failed()).
 */

struct t_fop {
	unsigned long pfn, mfn, nr;
	bool clear;
};

static int op_foreign(struct kunit *test, void *arg)
{
	const struct t_fop *op = ((struct t_fault *)arg)->arg;
	long ret;

	if (!op->clear)
		return xp2m_arm_foreign_set(t_ft(test), op->pfn, op->mfn, op->nr);
	ret = xp2m_arm_foreign_clear(t_ft(test), op->pfn, op->nr);
	return ret < 0 ? ret : 0;
}

/* A change that went through is undone: the range set back merges again. */
static void op_foreign_after(struct kunit *test, void *arg, int err)
{
	struct t_fault *f = arg;
	const struct t_fop *op = f->arg;

	if (t_fault_failed(test, f, err))
		return;
	KUNIT_EXPECT_EQ(test, xp2m_arm_foreign_lookup(f->ft, op->pfn),
			op->clear ? XP2M_INVALID_ENTRY : op->mfn);
	t_set(test, f->ft, op->pfn, 0x8000 + op->pfn - 0x1000, op->nr);
	KUNIT_EXPECT_STREQ(test, t_state(test, NULL, f->ft), f->state);
}

static void faults_foreign(struct kunit *test)
{
	static const struct xp2m_fault_op op = {
		.name = "xp2m_arm_foreign_set and _clear",
		.before = t_fault_before,
		.run = op_foreign,
		.after = op_foreign_after,
	};
	static const struct t_fop split = { 0x1040, 0xa000, 0x10, false };
	static const struct t_fop cut = { 0x1080, 0, 0x10, true };
	struct t_fault f = { .ft = t_ft(test), .arg = &split };

	t_set(test, f.ft, 0x1000, 0x8000, 0x100);
	/* Splitting a range in three takes two nodes; cutting one out, one. */
	KUNIT_EXPECT_GE(test, xp2m_fault_sweep(test, &op, &f), 2U);
	f.arg = &cut;
	KUNIT_EXPECT_GE(test, xp2m_fault_sweep(test, &op, &f), 1U);
	KUNIT_EXPECT_STREQ(test, t_ranges(test, f.ft), "1000+100=8000");
}

static struct kunit_case foreign_cases[] = {
	KUNIT_CASE(foreign_set_lookup),
	KUNIT_CASE(foreign_merge),
	KUNIT_CASE(foreign_split),
	KUNIT_CASE(foreign_overlaps),
	KUNIT_CASE(foreign_bad_input),
	KUNIT_CASE(foreign_random),
	KUNIT_CASE(faults_foreign),
	{}
};

static struct kunit_suite foreign_suite = {
	.name = "xp2m_arm_foreign",
	.exit = t_exit,
	.test_cases = foreign_cases,
};

kunit_test_suite(foreign_suite);
