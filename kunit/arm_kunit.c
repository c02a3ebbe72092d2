// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites of the ARM module: the LPAE stage-2 p2m, the VLPT (checked
 * against a full table walk), log-dirty tracking (exact dirty sets over
 * write patterns, passes, table churn and racing writers), the ARM guest's
 * foreign-range tree, and allocation failures. They run in UML and in Xen
 * dom0; the VLPT cases are skipped, with the reason, on a kernel where
 * single PTEs of a vmap() area cannot be changed.
 */

#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/srcu.h>

#include <xp2m/arm.h>
#include <xp2m/entry.h>
#include <xp2m/kpte.h>

#include "fault.h"

#define PG		XP2M_ARM_THIRD_SIZE
#define MIB		BIT_ULL(20)
#define GIB		BIT_ULL(30)
#define PFN(gpa)	((gpa) >> XP2M_ARM_THIRD_SHIFT)

/* Xen's guest memory map on ARM (public/arch-arm.h). */
#define T_GICD		0x03001000ULL
#define T_GNTTAB	0x38000000ULL
#define T_RAM0		0x40000000ULL
#define T_RAM1		0x200000000ULL

#define T_RW		(XP2M_ARM_R | XP2M_ARM_W)
#define T_NO_VLPT	"no VLPT here: this kernel cannot change single PTEs of a vmap() area"
#define T_RX		(XP2M_ARM_R | XP2M_ARM_X)

/*
 * Sizes: GiB-scale in UML (native speed); modest under Xen dom0, which runs
 * under QEMU TCG.
 */
static u64 t_scale(u64 uml, u64 other)
{
	return IS_ENABLED(CONFIG_UML) ? uml : other;
}

/**
 * struct t_arm - what a test case works on; freed by t_exit()
 * @p2m: the stage-2 p2m
 * @flushes: guest TLB flushes the p2m asked for
 * @ft: a guest's foreign-range tree
 * @ft_live: @ft was initialised
 * @tlb: if set, vCPUs also keep translations inside its read-side
 *	sections, across sleeps (logdirty_race), and a flush waits for them
 */
struct t_arm {
	struct xp2m_arm_p2m *p2m;
	atomic_t flushes;
	struct srcu_struct *tlb;
	struct xp2m_arm_foreign ft;
	bool ft_live;
};

static struct t_arm *t_ctx(struct kunit *test)
{
	if (!test->priv) {
		test->priv = kunit_kzalloc(test, sizeof(struct t_arm),
					   GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, test->priv);
	}
	return test->priv;
}

static void t_exit(struct kunit *test)
{
	struct t_arm *c = test->priv;

	if (!c)
		return;
	xp2m_arm_p2m_destroy(c->p2m);
	if (c->ft_live)
		xp2m_arm_foreign_destroy(&c->ft);
	/*
	 * The context is freed with the case's resources, but KUnit hands the
	 * same struct kunit, priv and all, to the next parameter of a case.
	 */
	test->priv = NULL;
}

/*
 * The simulated guest's TLB: a vCPU holds rcu_read_lock() from its
 * translation to the end of its access (t_write()), so a grace period is a
 * TLB flush.
 */
static void t_flush_tlb(void *data)
{
	struct t_arm *c = data;

	atomic_inc(&c->flushes);
	synchronize_rcu();
	if (c->tlb)
		synchronize_srcu(c->tlb);
}

static struct xp2m_arm_p2m *t_p2m(struct kunit *test, unsigned int ipa_bits)
{
	struct t_arm *c = t_ctx(test);

	c->p2m = xp2m_arm_p2m_create(NULL, ipa_bits, t_flush_tlb, c);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(c->p2m), "create: %ld",
			       PTR_ERR(c->p2m));
	return c->p2m;
}

static void t_map(struct kunit *test, struct xp2m_arm_p2m *p2m, u64 gpa,
		  unsigned long mfn, unsigned long nr, enum xp2m_arm_type type,
		  unsigned int perms)
{
	int err = xp2m_arm_map(p2m, gpa, mfn, nr, type, perms);

	KUNIT_ASSERT_EQ_MSG(test, err, 0, "map %#llx+%lu", gpa, nr);
}

/* Make the VLPT of [@start, @end), or skip where the kernel cannot. */
static void t_vlpt(struct kunit *test, struct xp2m_arm_p2m *p2m, u64 start,
		   u64 end)
{
	int err = xp2m_arm_vlpt_create(p2m, start, end);

	if (err == -EOPNOTSUPP)
		kunit_skip(test, T_NO_VLPT);
	KUNIT_ASSERT_EQ(test, err, 0);
}

static struct xp2m_arm_stats t_stats(struct xp2m_arm_p2m *p2m)
{
	struct xp2m_arm_stats st;

	xp2m_arm_get_stats(p2m, &st);
	return st;
}

/* Everything about a p2m or a foreign tree an operation could change. */
static char *t_state(struct kunit *test, struct xp2m_arm_p2m *p2m,
		     struct xp2m_arm_foreign *ft)
{
	struct seq_file m = { .size = SZ_64K };

	m.buf = kunit_kzalloc(test, m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	if (p2m) {
		struct xp2m_arm_stats st = t_stats(p2m);

		xp2m_arm_p2m_dump(&m, p2m);
		seq_printf(&m, "tables %lu/%lu mapped %lu vlpt %llx-%llx/%lu ld %llx+%lu\n",
			   st.second_tables, st.third_tables, st.mapped,
			   st.vlpt_start, st.vlpt_end, st.vlpt_slots,
			   st.logdirty_start, st.logdirty_pages);
	}
	if (ft) {
		xp2m_arm_foreign_dump(&m, ft);
		seq_printf(&m, "ranges %lu pages %lu\n", ft->nr_ranges,
			   ft->nr_pages);
	}
	KUNIT_ASSERT_FALSE(test, seq_has_overflowed(&m));
	m.buf[m.count] = '\0';
	return m.buf;
}

/* ---------------------------------------------------------------------- */
/* The stage-2 p2m */

/* The descriptors, bit for bit. */
static void lpae_descriptor_format(struct kunit *test)
{
	struct xp2m_arm_p2m *p2m = t_p2m(test, 40);

	t_map(test, p2m, T_RAM0, 0x12345, 1, XP2M_ARM_RAM_RW, T_RW);
	t_map(test, p2m, T_GICD, 0x3001, 1, XP2M_ARM_MMIO, T_RW);
	t_map(test, p2m, T_RAM0 + PG, 1, 1, XP2M_ARM_RAM_RO, T_RX);
	t_map(test, p2m, T_GNTTAB, XP2M_ARM_MAX_MFN, 1, XP2M_ARM_FOREIGN,
	      XP2M_ARM_RWX);

	/*
	 * valid, page, MemAttr normal WB (0xf << 2), S2AP rw, SH inner, AF:
	 * 0x7ff; XN bit 54; type 1 (ram_rw) in bits [58:55].
	 */
	KUNIT_EXPECT_EQ(test, xp2m_arm_walk(p2m, T_RAM0), 0x00c00000123457ffULL);
	/* Device-nGnRE (0x1 << 2), XN, type 3 (mmio). */
	KUNIT_EXPECT_EQ(test, xp2m_arm_walk(p2m, T_GICD), 0x01c00000030017c7ULL);
	/* Read-only, executable, type 2 (ram_ro). */
	KUNIT_EXPECT_EQ(test, xp2m_arm_walk(p2m, T_RAM0 + PG), 0x010000000000177fULL);
	/* The highest 48-bit output address, type 4 (foreign). */
	KUNIT_EXPECT_EQ(test, xp2m_arm_walk(p2m, T_GNTTAB), 0x0200fffffffff7ffULL);
	/* The table descriptors above them: valid, table, a page address. */
	KUNIT_EXPECT_EQ(test, p2m->root[1] & 0xfff, 3ULL);
	KUNIT_EXPECT_EQ(test, p2m->root[1] & ~XP2M_LPAE_ADDR_MASK, 3ULL);
	KUNIT_EXPECT_EQ(test, p2m->root[0] & 0xfff, 3ULL);
	KUNIT_EXPECT_EQ(test, p2m->root[2], 0ULL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_walk(p2m, T_RAM0 + 2 * PG), 0ULL);
}

/* Types and permissions round-trip; the MMU's view of them. */
static void lpae_map_lookup(struct kunit *test)
{
	static const struct {
		enum xp2m_arm_type type;
		unsigned int perms;
	} kinds[] = {
		{ XP2M_ARM_RAM_RW, XP2M_ARM_RWX },
		{ XP2M_ARM_RAM_RW, T_RW },
		{ XP2M_ARM_RAM_RW, XP2M_ARM_R },
		{ XP2M_ARM_RAM_RO, T_RX },
		{ XP2M_ARM_RAM_RO, XP2M_ARM_R },
		{ XP2M_ARM_MMIO, T_RW },
		{ XP2M_ARM_FOREIGN, T_RW },
		{ XP2M_ARM_FOREIGN, XP2M_ARM_W },
	};
	struct xp2m_arm_p2m *p2m = t_p2m(test, 40);
	struct xp2m_arm_mapping map;
	unsigned long mfn;
	unsigned int i, a;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		u64 gpa = T_RAM0 + i * 3 * MIB;

		t_map(test, p2m, gpa, 100 + i, 1, kinds[i].type, kinds[i].perms);
		KUNIT_ASSERT_EQ(test, xp2m_arm_lookup(p2m, gpa, &map), 0);
		KUNIT_EXPECT_EQ(test, map.mfn, 100UL + i);
		KUNIT_EXPECT_EQ(test, map.type, kinds[i].type);
		KUNIT_EXPECT_EQ(test, map.perms, kinds[i].perms);
		KUNIT_EXPECT_EQ(test, xp2m_lpae_perms(xp2m_arm_walk(p2m, gpa)),
				kinds[i].perms);
		/* An offset inside the page finds the same entry. */
		KUNIT_EXPECT_EQ(test, xp2m_arm_lookup(p2m, gpa + 0xabc, &map), 0);
		KUNIT_EXPECT_EQ(test, map.mfn, 100UL + i);
		for (a = XP2M_ARM_R; a <= XP2M_ARM_X; a <<= 1) {
			int want = kinds[i].perms & a ? 0 : -EACCES;

			mfn = 0;
			rcu_read_lock();
			KUNIT_EXPECT_EQ(test, xp2m_arm_translate(p2m, gpa, a, &mfn),
					want);
			rcu_read_unlock();
			KUNIT_EXPECT_EQ(test, mfn, want ? 0UL : 100UL + i);
		}
	}
	KUNIT_EXPECT_EQ(test, xp2m_arm_lookup(p2m, T_RAM0 + PG, &map), -ENOENT);
	KUNIT_EXPECT_EQ(test, xp2m_arm_lookup(p2m, 1ULL << 40, &map), -ERANGE);
	KUNIT_EXPECT_EQ(test, xp2m_arm_lookup(p2m, 0, &map), -ENOENT);
	rcu_read_lock();
	KUNIT_EXPECT_EQ(test, xp2m_arm_translate(p2m, T_RAM0 + PG, XP2M_ARM_R, NULL),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, xp2m_arm_translate(p2m, 1ULL << 40, XP2M_ARM_R, NULL),
			-ERANGE);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, t_stats(p2m).mapped, (unsigned long)ARRAY_SIZE(kinds));
}

/* Tables come with the first mapping that needs them, go with the last. */
static void lpae_tables_come_and_go(struct kunit *test)
{
	struct xp2m_arm_p2m *p2m = t_p2m(test, 40);
	struct xp2m_arm_stats st;
	int before;

	t_map(test, p2m, T_RAM0, 1, 1, XP2M_ARM_RAM_RW, T_RW);
	st = t_stats(p2m);
	KUNIT_EXPECT_EQ(test, st.second_tables, 1UL);
	KUNIT_EXPECT_EQ(test, st.third_tables, 1UL);
	KUNIT_EXPECT_EQ(test, st.mapped, 1UL);
	/* Same 2 MiB: nothing new. */
	t_map(test, p2m, T_RAM0 + 511 * PG, 2, 1, XP2M_ARM_RAM_RW, T_RW);
	KUNIT_EXPECT_EQ(test, t_stats(p2m).third_tables, 1UL);
	/* Next 2 MiB: a third-level table. */
	t_map(test, p2m, T_RAM0 + 2 * MIB, 3, 1, XP2M_ARM_RAM_RW, T_RW);
	KUNIT_EXPECT_EQ(test, t_stats(p2m).third_tables, 2UL);
	/* Across a GiB: [2G - 4K, 2G + 4K) takes one of each more. */
	t_map(test, p2m, 2 * GIB - PG, 4, 2, XP2M_ARM_RAM_RW, T_RW);
	st = t_stats(p2m);
	KUNIT_EXPECT_EQ(test, st.second_tables, 2UL);
	KUNIT_EXPECT_EQ(test, st.third_tables, 4UL);
	KUNIT_EXPECT_EQ(test, st.mapped, 5UL);
	KUNIT_EXPECT_EQ(test, xp2m_lpae_mfn(xp2m_arm_walk(p2m, 2 * GIB)), 5UL);

	/* Unmapping part of a table keeps it. */
	KUNIT_EXPECT_EQ(test, xp2m_arm_unmap(p2m, T_RAM0, 1), 1L);
	KUNIT_EXPECT_EQ(test, t_stats(p2m).third_tables, 4UL);
	/* Its last entry takes it. */
	before = atomic_read(&t_ctx(test)->flushes);
	KUNIT_EXPECT_EQ(test, xp2m_arm_unmap(p2m, T_RAM0 + 511 * PG, 1), 1L);
	KUNIT_EXPECT_EQ(test, atomic_read(&t_ctx(test)->flushes), before + 1);
	st = t_stats(p2m);
	KUNIT_EXPECT_EQ(test, st.third_tables, 3UL);
	KUNIT_EXPECT_EQ(test, st.second_tables, 2UL);
	/* Unmapping holes: nothing was mapped, no flush. */
	KUNIT_EXPECT_EQ(test, xp2m_arm_unmap(p2m, T_RAM0, 512), 0L);
	KUNIT_EXPECT_EQ(test, atomic_read(&t_ctx(test)->flushes), before + 1);
	/* One unmap across both GiBs empties everything. */
	KUNIT_EXPECT_EQ(test, xp2m_arm_unmap(p2m, 0, PFN(4 * GIB)), 3L);
	st = t_stats(p2m);
	KUNIT_EXPECT_EQ(test, st.second_tables, 0UL);
	KUNIT_EXPECT_EQ(test, st.third_tables, 0UL);
	KUNIT_EXPECT_EQ(test, st.mapped, 0UL);
	KUNIT_EXPECT_EQ(test, p2m->root[1], 0ULL);
	KUNIT_EXPECT_EQ(test, p2m->root[2], 0ULL);
	/* And the p2m works as new. */
	t_map(test, p2m, 2 * GIB, 9, 1, XP2M_ARM_RAM_RW, T_RW);
	KUNIT_EXPECT_EQ(test, xp2m_lpae_mfn(xp2m_arm_walk(p2m, 2 * GIB)), 9UL);
}

/* A big range: exact counts, contiguous frames, a range unmap. */
static void lpae_big_range(struct kunit *test)
{
	const u64 size = t_scale(GIB, 64 * MIB);
	struct xp2m_arm_p2m *p2m = t_p2m(test, 40);
	unsigned long i, bad = 0, nr = PFN(size);
	struct xp2m_arm_stats st;

	/* Unaligned to 2 MiB on both ends. */
	t_map(test, p2m, T_RAM0 + 3 * PG, 0x100000, nr, XP2M_ARM_RAM_RW, T_RW);
	st = t_stats(p2m);
	KUNIT_EXPECT_EQ(test, st.mapped, nr);
	KUNIT_EXPECT_EQ(test, st.third_tables, PFN(size) / 512 + 1);
	KUNIT_EXPECT_EQ(test, st.second_tables, size == GIB ? 2UL : 1UL);
	for (i = 0; i < nr; i++) {
		u64 d = xp2m_arm_walk(p2m, T_RAM0 + (i + 3) * PG);

		if (xp2m_lpae_mfn(d) != 0x100000 + i ||
		    xp2m_lpae_type(d) != XP2M_ARM_RAM_RW)
			bad++;
	}
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_walk(p2m, T_RAM0 + 2 * PG), 0ULL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_walk(p2m, T_RAM0 + (nr + 3) * PG), 0ULL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_unmap(p2m, T_RAM0, nr + 6), (long)nr);
	st = t_stats(p2m);
	KUNIT_EXPECT_EQ(test, st.mapped + st.third_tables + st.second_tables, 0UL);
}

/* Past 39 bits the root is concatenated first-level pages. */
static void lpae_concatenated_root(struct kunit *test)
{
	static const unsigned int bits[] = { 32, 39, 40, 41, 43 };
	struct t_arm *c = t_ctx(test);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bits); i++) {
		struct xp2m_arm_p2m *p2m = t_p2m(test, bits[i]);
		u64 top = (1ULL << bits[i]) - PG;
		struct xp2m_arm_mapping map;

		KUNIT_EXPECT_EQ(test, p2m->root_order,
				bits[i] > 39 ? bits[i] - 39 : 0U);
		t_map(test, p2m, top, 77, 1, XP2M_ARM_RAM_RW, T_RW);
		t_map(test, p2m, 0, 78, 1, XP2M_ARM_RAM_RW, T_RW);
		KUNIT_EXPECT_EQ(test, xp2m_arm_lookup(p2m, top, &map), 0);
		KUNIT_EXPECT_EQ(test, map.mfn, 77UL);
		KUNIT_EXPECT_EQ(test, xp2m_arm_lookup(p2m, 0, &map), 0);
		KUNIT_EXPECT_EQ(test, map.mfn, 78UL);
		KUNIT_EXPECT_TRUE(test, xp2m_lpae_valid(p2m->root[top >> 30]));
		KUNIT_EXPECT_EQ(test, xp2m_arm_map(p2m, top + PG, 1, 1,
						   XP2M_ARM_RAM_RW, T_RW), -ERANGE);
		KUNIT_EXPECT_EQ(test, xp2m_arm_map(p2m, top, 1, 2,
						   XP2M_ARM_RAM_RW, T_RW), -ERANGE);
		KUNIT_EXPECT_EQ(test, t_stats(p2m).second_tables, 2UL);
		xp2m_arm_p2m_destroy(p2m);
		c->p2m = NULL;
	}
	KUNIT_EXPECT_EQ(test, PTR_ERR(xp2m_arm_p2m_create(NULL, 31, NULL, NULL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(xp2m_arm_p2m_create(NULL, 44, NULL, NULL)),
			-EINVAL);
}

/* Bad input: a clear errno, and nothing changed. */
static void lpae_bad_input(struct kunit *test)
{
	struct xp2m_arm_p2m *p2m = t_p2m(test, 40);
	const u64 top = 1ULL << 40;
	char *before;

	t_map(test, p2m, T_RAM0, 10, 16, XP2M_ARM_RAM_RW, T_RW);
	before = t_state(test, p2m, NULL);

	KUNIT_EXPECT_EQ(test, xp2m_arm_map(p2m, T_RAM0 + 1, 1, 1, XP2M_ARM_RAM_RW, T_RW), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_map(p2m, T_RAM1, 1, 0, XP2M_ARM_RAM_RW, T_RW), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_map(p2m, top, 1, 1, XP2M_ARM_RAM_RW, T_RW), -ERANGE);
	KUNIT_EXPECT_EQ(test, xp2m_arm_map(p2m, top - PG, 1, 2, XP2M_ARM_RAM_RW, T_RW), -ERANGE);
	KUNIT_EXPECT_EQ(test, xp2m_arm_map(p2m, 0, 1, ULONG_MAX, XP2M_ARM_RAM_RW, T_RW), -ERANGE);
	KUNIT_EXPECT_EQ(test, xp2m_arm_map(p2m, T_RAM1, 1, 1, XP2M_ARM_NONE, T_RW), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_map(p2m, T_RAM1, 1, 1, XP2M_ARM_LOGDIRTY, T_RW), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_map(p2m, T_RAM1, 1, 1, XP2M_ARM_NR_TYPES, T_RW), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_map(p2m, T_RAM1, 1, 1, XP2M_ARM_RAM_RW, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_map(p2m, T_RAM1, 1, 1, XP2M_ARM_RAM_RW, 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_map(p2m, T_RAM1, 1, 1, XP2M_ARM_RAM_RO, T_RW), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_map(p2m, T_RAM1, 1, 1, XP2M_ARM_MMIO,
					   XP2M_ARM_RWX), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_map(p2m, T_RAM1, XP2M_ARM_MAX_MFN + 1, 1,
					   XP2M_ARM_RAM_RW, T_RW), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_map(p2m, T_RAM1, XP2M_ARM_MAX_MFN, 2,
					   XP2M_ARM_RAM_RW, T_RW), -EINVAL);
	/* Overlapping what is mapped, by one page at either end. */
	KUNIT_EXPECT_EQ(test, xp2m_arm_map(p2m, T_RAM0 - 4 * PG, 1, 5,
					   XP2M_ARM_RAM_RW, T_RW), -EEXIST);
	KUNIT_EXPECT_EQ(test, xp2m_arm_map(p2m, T_RAM0 + 15 * PG, 1, 4096,
					   XP2M_ARM_RAM_RW, T_RW), -EEXIST);
	KUNIT_EXPECT_EQ(test, xp2m_arm_unmap(p2m, T_RAM0 + 8, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_unmap(p2m, T_RAM0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_unmap(p2m, top, 1), -ERANGE);
	KUNIT_EXPECT_EQ(test, xp2m_arm_unmap(p2m, T_RAM0, ULONG_MAX), -ERANGE);
	KUNIT_EXPECT_EQ(test, xp2m_arm_write_fault(p2m, top), -ERANGE);
	KUNIT_EXPECT_STREQ(test, t_state(test, p2m, NULL), before);

	/* The largest frame, exactly, is fine. */
	KUNIT_EXPECT_EQ(test, xp2m_arm_map(p2m, T_RAM1, XP2M_ARM_MAX_MFN, 1,
					   XP2M_ARM_RAM_RW, T_RW), 0);
}

/* The debugfs view: runs, in the kernel's p2m dump format. */
static void lpae_dump(struct kunit *test)
{
	struct xp2m_arm_p2m *p2m = t_p2m(test, 34);

	t_map(test, p2m, T_GICD, 0x8000, 2, XP2M_ARM_MMIO, T_RW);
	t_map(test, p2m, T_RAM0, 0x1000, 512, XP2M_ARM_RAM_RW, XP2M_ARM_RWX);
	/* Continues the frames, crossing into the next table: one run. */
	t_map(test, p2m, T_RAM0 + 512 * PG, 0x1200, 4, XP2M_ARM_RAM_RW,
	      XP2M_ARM_RWX);
	/* Next page, next frame, other permissions: a run of its own. */
	t_map(test, p2m, T_RAM0 + 516 * PG, 0x1204, 1, XP2M_ARM_RAM_RW, T_RW);
	/* Same permissions, frames not continued: a run of its own. */
	t_map(test, p2m, T_RAM0 + 517 * PG, 0x9999, 1, XP2M_ARM_RAM_RW, T_RW);
	KUNIT_EXPECT_STREQ(test, t_state(test, p2m, NULL),
			   " [0x0->0x3001] missing\n"
			   " [0x3001->0x3003] mmio rw- 0x8000\n"
			   " [0x3003->0x40000] missing\n"
			   " [0x40000->0x40204] ram_rw rwx 0x1000\n"
			   " [0x40204->0x40205] ram_rw rw- 0x1204\n"
			   " [0x40205->0x40206] ram_rw rw- 0x9999\n"
			   " [0x40206->0x400000] missing\n"
			   "tables 2/3 mapped 520 vlpt 0-0/0 ld 0+0\n");
}

static struct kunit_case lpae_cases[] = {
	KUNIT_CASE(lpae_descriptor_format),
	KUNIT_CASE(lpae_map_lookup),
	KUNIT_CASE(lpae_tables_come_and_go),
	KUNIT_CASE(lpae_big_range),
	KUNIT_CASE(lpae_concatenated_root),
	KUNIT_CASE(lpae_bad_input),
	KUNIT_CASE(lpae_dump),
	{}
};

static struct kunit_suite lpae_suite = {
	.name = "xp2m_arm_lpae",
	.exit = t_exit,
	.test_cases = lpae_cases,
};

/* ---------------------------------------------------------------------- */
/* The VLPT */

/*
 * Every gpa of [@start, @end): the VLPT's entry equals the walk's.
 * Return: how many of them are mapped.
 */
static unsigned long t_expect_vlpt_is_walk(struct kunit *test,
					   struct xp2m_arm_p2m *p2m,
					   u64 start, u64 end)
{
	unsigned long bad = 0, mapped = 0;
	u64 gpa, v, w;
	int err;

	for (gpa = start; gpa < end; gpa += PG) {
		w = xp2m_arm_walk(p2m, gpa);
		v = ~w;
		err = xp2m_arm_vlpt_read(p2m, gpa, &v);
		if ((err || v != w) && bad++ < 4)
			KUNIT_FAIL(test, "gpa %#llx: vlpt %#llx (%d), walk %#llx",
				   gpa, v, err, w);
		mapped += xp2m_lpae_valid(w);
		if (!(gpa & (GIB - 1)))
			cond_resched();
	}
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	return mapped;
}

/* A layout: regions mapped before the VLPT is made, then others after. */
struct t_region {
	u64 gpa;
	unsigned long mfn;
	unsigned long nr;
	enum xp2m_arm_type type;
	unsigned int perms;
	bool after;
};

static void t_map_regions(struct kunit *test, struct xp2m_arm_p2m *p2m,
			  const struct t_region *r, unsigned int n, bool after)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (r[i].after == after)
			t_map(test, p2m, r[i].gpa, r[i].mfn, r[i].nr, r[i].type,
			      r[i].perms);
}

/* Each page of each region reads back exactly, through the VLPT too. */
static unsigned long t_expect_regions(struct kunit *test,
				      struct xp2m_arm_p2m *p2m,
				      const struct t_region *r, unsigned int n)
{
	unsigned long i, bad = 0, total = 0;
	unsigned int k;

	for (k = 0; k < n; k++) {
		for (i = 0; i < r[k].nr; i++) {
			u64 gpa = r[k].gpa + i * PG, v = 0;

			xp2m_arm_vlpt_read(p2m, gpa, &v);
			if (xp2m_lpae_mfn(v) != r[k].mfn + i ||
			    xp2m_lpae_type(v) != r[k].type ||
			    xp2m_lpae_perms(v) != r[k].perms)
				bad++;
		}
		total += r[k].nr;
	}
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	return total;
}

struct t_layout {
	const char *name;
	unsigned int ipa_bits;
	u64 start;
	u64 end;
	void (*make)(struct kunit *test, struct t_region *r, unsigned int *n);
};

/* Xen's guest map: GIC, grant table, RAM0 below 4G, RAM1 at 8G. */
static void t_layout_xen(struct kunit *test, struct t_region *r,
			 unsigned int *n)
{
	u64 ram0 = t_scale(GIB, 16 * MIB), ram1 = t_scale(GIB / 4, 4 * MIB);

	r[0] = (struct t_region){ T_GICD, 0x8001, 1, XP2M_ARM_MMIO, T_RW };
	r[1] = (struct t_region){ T_GICD + PG, 0x8002, 2, XP2M_ARM_MMIO, T_RW, true };
	r[2] = (struct t_region){ T_GNTTAB, 0x70000, 32, XP2M_ARM_FOREIGN, T_RW, true };
	r[3] = (struct t_region){ T_RAM0, 0x100000, PFN(ram0) / 2,
				  XP2M_ARM_RAM_RW, XP2M_ARM_RWX };
	r[4] = (struct t_region){ T_RAM0 + ram0 / 2, 0x180000, PFN(ram0) / 2,
				  XP2M_ARM_RAM_RW, XP2M_ARM_RWX, true };
	r[5] = (struct t_region){ T_RAM1, 0x300000, PFN(ram1),
				  XP2M_ARM_RAM_RW, XP2M_ARM_RWX };
	*n = 6;
}

/* Pages on both sides of 2 MiB and 1 GiB boundaries and the window's ends. */
static void t_layout_edges(struct kunit *test, struct t_region *r,
			   unsigned int *n)
{
	unsigned int i = 0, g;

	for (g = 1; g < 4; g++) {
		r[i++] = (struct t_region){ g * GIB - PG, 10 * g, 2,
					    XP2M_ARM_RAM_RW, T_RW, g & 1 };
		r[i++] = (struct t_region){ g * GIB + 2 * MIB - PG, 20 * g, 1,
					    XP2M_ARM_RAM_RO, XP2M_ARM_R, !(g & 1) };
	}
	r[i++] = (struct t_region){ 0, 1, 1, XP2M_ARM_RAM_RW, T_RW };
	r[i++] = (struct t_region){ 4 * GIB - PG, 2, 1, XP2M_ARM_RAM_RW, T_RW, true };
	*n = i;
}

/* 40-bit IPA: the window crosses from the first root page to the second. */
static void t_layout_root(struct kunit *test, struct t_region *r,
			  unsigned int *n)
{
	r[0] = (struct t_region){ 511 * GIB, 0x1000, 600, XP2M_ARM_RAM_RW, T_RW };
	r[1] = (struct t_region){ 512 * GIB - 2 * PG, 0x2000, 4,
				  XP2M_ARM_RAM_RW, T_RW, true };
	r[2] = (struct t_region){ 513 * GIB - PG, 0x3000, 1, XP2M_ARM_MMIO,
				  XP2M_ARM_R };
	*n = 3;
}

/* Random pages, types and frames over 4 GiB. */
static void t_layout_random(struct kunit *test, struct t_region *r,
			    unsigned int *n)
{
	static const struct {
		enum xp2m_arm_type type;
		unsigned int perms;
	} kinds[] = {
		{ XP2M_ARM_RAM_RW, XP2M_ARM_RWX }, { XP2M_ARM_RAM_RO, T_RX },
		{ XP2M_ARM_MMIO, T_RW }, { XP2M_ARM_FOREIGN, T_RW },
	};
	struct rnd_state rs;
	unsigned int i, k;

	prandom_seed_state(&rs, 2013);
	*n = 0;
	for (i = 0; i < 200; i++) {
		u64 gpa = (u64)(prandom_u32_state(&rs) % PFN(4 * GIB)) * PG;
		unsigned long nr = 1 + prandom_u32_state(&rs) % 40;

		if (gpa + nr * PG > 4 * GIB)
			continue;
		/* Skip what overlaps an earlier region. */
		for (k = 0; k < *n; k++)
			if (gpa < r[k].gpa + r[k].nr * PG &&
			    r[k].gpa < gpa + nr * PG)
				break;
		if (k < *n)
			continue;
		k = prandom_u32_state(&rs) % ARRAY_SIZE(kinds);
		r[(*n)++] = (struct t_region){ gpa,
					       prandom_u32_state(&rs) & 0xffffff,
					       nr, kinds[k].type, kinds[k].perms,
					       i & 1 };
	}
}

static const struct t_layout t_layouts[] = {
	{ "xen-guest", 40, 0, T_RAM1 + GIB, t_layout_xen },
	{ "edges", 40, 0, 4 * GIB, t_layout_edges },
	{ "root-pages", 40, 511 * GIB, 513 * GIB, t_layout_root },
	{ "random", 40, 0, 4 * GIB, t_layout_random },
};

static void t_layout_desc(const struct t_layout *l, char *desc)
{
	strscpy(desc, l->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(t_layout, t_layouts, t_layout_desc);

/* The VLPT equals a full table walk, for every gpa of each layout. */
static void vlpt_layouts(struct kunit *test)
{
	const struct t_layout *l = test->param_value;
	struct xp2m_arm_p2m *p2m = t_p2m(test, l->ipa_bits);
	struct t_region *r;
	struct xp2m_arm_stats st;
	unsigned long mapped;
	unsigned int n;

	r = kunit_kcalloc(test, 256, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	l->make(test, r, &n);
	t_map_regions(test, p2m, r, n, false);
	t_vlpt(test, p2m, l->start, l->end);
	t_map_regions(test, p2m, r, n, true);

	st = t_stats(p2m);
	KUNIT_EXPECT_EQ(test, st.vlpt_start, l->start);
	KUNIT_EXPECT_EQ(test, st.vlpt_end, l->end);
	/* Every table of the window is in the VLPT (they all are inside). */
	KUNIT_EXPECT_EQ(test, st.vlpt_slots, st.third_tables);
	mapped = t_expect_vlpt_is_walk(test, p2m, l->start, l->end);
	KUNIT_EXPECT_EQ(test, mapped, st.mapped);
	KUNIT_EXPECT_EQ(test, t_expect_regions(test, p2m, r, n), st.mapped);
	kunit_info(test, "%u regions, %lu pages, %lu tables\n", n, mapped,
		   st.third_tables);
}

/* Available exactly where single kernel PTEs can be changed. */
static void vlpt_support(struct kunit *test)
{
	struct xp2m_arm_p2m *p2m = t_p2m(test, 40);
	int err = xp2m_arm_vlpt_create(p2m, 0, 4 * GIB);
	u64 d;

	if (xp2m_kpte_supported() && PAGE_SIZE == SZ_4K) {
		KUNIT_EXPECT_EQ(test, err, 0);
		KUNIT_EXPECT_EQ(test, t_stats(p2m).vlpt_end, 4 * GIB);
	} else {
		KUNIT_EXPECT_EQ(test, err, -EOPNOTSUPP);
		KUNIT_EXPECT_EQ(test, t_stats(p2m).vlpt_end, 0ULL);
		KUNIT_EXPECT_EQ(test, xp2m_arm_vlpt_read(p2m, 0, &d), -ENOENT);
	}
}

/* Tables added and removed under a live VLPT; its window and errors. */
static void vlpt_coherence(struct kunit *test)
{
	struct xp2m_arm_p2m *p2m = t_p2m(test, 40);
	const u64 start = T_RAM0, end = T_RAM0 + 64 * MIB;
	struct xp2m_arm_stats st;
	u64 d;

	t_map(test, p2m, start - PG, 1, 2, XP2M_ARM_RAM_RW, T_RW);
	t_vlpt(test, p2m, start, end);
	KUNIT_EXPECT_EQ(test, xp2m_arm_vlpt_create(p2m, start, end), -EBUSY);
	/* Only the table inside the window has a slot. */
	st = t_stats(p2m);
	KUNIT_EXPECT_EQ(test, st.third_tables, 2UL);
	KUNIT_EXPECT_EQ(test, st.vlpt_slots, 1UL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_vlpt_read(p2m, start - PG, &d), -ERANGE);
	KUNIT_EXPECT_EQ(test, xp2m_arm_vlpt_read(p2m, end, &d), -ERANGE);
	KUNIT_EXPECT_EQ(test, xp2m_arm_vlpt_read(p2m, start, &d), 0);
	KUNIT_EXPECT_EQ(test, xp2m_lpae_mfn(d), 2UL);
	/* Empty slots read as invalid entries. */
	KUNIT_EXPECT_EQ(test, xp2m_arm_vlpt_read(p2m, end - PG, &d), 0);
	KUNIT_EXPECT_EQ(test, d, 0ULL);

	/* A new table appears in its slot at once. */
	t_map(test, p2m, start + 10 * MIB, 50, 3, XP2M_ARM_RAM_RW, T_RW);
	KUNIT_EXPECT_EQ(test, t_stats(p2m).vlpt_slots, 2UL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_vlpt_read(p2m, start + 10 * MIB + 2 * PG, &d), 0);
	KUNIT_EXPECT_EQ(test, xp2m_lpae_mfn(d), 52UL);
	/* Part of it unmapped: the table stays. */
	KUNIT_EXPECT_EQ(test, xp2m_arm_unmap(p2m, start + 10 * MIB, 1), 1L);
	KUNIT_EXPECT_EQ(test, t_stats(p2m).vlpt_slots, 2UL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_vlpt_read(p2m, start + 10 * MIB, &d), 0);
	KUNIT_EXPECT_EQ(test, d, 0ULL);
	/* All of it unmapped: the slot is the empty page again. */
	KUNIT_EXPECT_EQ(test, xp2m_arm_unmap(p2m, start + 10 * MIB, 512), 2L);
	st = t_stats(p2m);
	KUNIT_EXPECT_EQ(test, st.vlpt_slots, 1UL);
	KUNIT_EXPECT_EQ(test, st.third_tables, 2UL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_vlpt_read(p2m, start + 10 * MIB + PG, &d), 0);
	KUNIT_EXPECT_EQ(test, d, 0ULL);
	/* And another table in the same slot later. */
	t_map(test, p2m, start + 10 * MIB + PG, 60, 1, XP2M_ARM_RAM_RO, XP2M_ARM_R);
	KUNIT_EXPECT_EQ(test, xp2m_arm_vlpt_read(p2m, start + 10 * MIB + PG, &d), 0);
	KUNIT_EXPECT_EQ(test, xp2m_lpae_mfn(d), 60UL);
	KUNIT_EXPECT_EQ(test, t_expect_vlpt_is_walk(test, p2m, start, end), 2UL);

	/* Gone: the fault handler walks instead, reads say so. */
	xp2m_arm_vlpt_destroy(p2m);
	KUNIT_EXPECT_EQ(test, xp2m_arm_vlpt_read(p2m, start, &d), -ENOENT);
	KUNIT_EXPECT_EQ(test, t_stats(p2m).vlpt_end, 0ULL);
	xp2m_arm_vlpt_destroy(p2m);

	/* Bad windows. */
	KUNIT_EXPECT_EQ(test, xp2m_arm_vlpt_create(p2m, start, start), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_vlpt_create(p2m, end, start), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_vlpt_create(p2m, start + PG, end), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_vlpt_create(p2m, start, end - PG), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_vlpt_create(p2m, 0, (1ULL << 40) + 2 * MIB),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, t_stats(p2m).vlpt_end, 0ULL);
	/* A window made over existing tables maps them. */
	KUNIT_EXPECT_EQ(test, xp2m_arm_vlpt_create(p2m, 0, 2 * GIB), 0);
	KUNIT_EXPECT_EQ(test, t_stats(p2m).vlpt_slots, 3UL);
	KUNIT_EXPECT_EQ(test, t_expect_vlpt_is_walk(test, p2m, 0, 2 * GIB), 3UL);
}

static struct kunit_case vlpt_cases[] = {
	KUNIT_CASE(vlpt_support),
	KUNIT_CASE_PARAM(vlpt_layouts, t_layout_gen_params),
	KUNIT_CASE(vlpt_coherence),
	{}
};

static struct kunit_suite vlpt_suite = {
	.name = "xp2m_arm_vlpt",
	.exit = t_exit,
	.test_cases = vlpt_cases,
};

/* ---------------------------------------------------------------------- */
/* Log-dirty */

/* How the write-fault handler finds entries in a case. */
struct t_mode {
	const char *name;
	bool vlpt;
};

static const struct t_mode t_modes[] = {
	{ "vlpt", true },
	{ "walk", false },
};

static void t_mode_desc(const struct t_mode *m, char *desc)
{
	strscpy(desc, m->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(t_mode, t_modes, t_mode_desc);

static bool t_mode_vlpt(struct kunit *test)
{
	const struct t_mode *m = test->param_value;

	return m->vlpt;
}

/*
 * A guest write, as a vCPU makes it: translate, and on a permission fault
 * let the handler resolve it and retry. @ver, if given, is bumped inside
 * the RCU read-side section (the TLB entry's lifetime).
 *
 * Return: the log-dirty faults the write took, or the real fault.
 */
static int t_write(struct xp2m_arm_p2m *p2m, u64 gpa, atomic_t *ver)
{
	int ret, faults = 0, tries;

	for (tries = 0; tries < 1000; tries++) {
		rcu_read_lock();
		ret = xp2m_arm_translate(p2m, gpa, XP2M_ARM_W, NULL);
		if (!ret && ver)
			atomic_inc(ver);
		rcu_read_unlock();
		if (!ret)
			return faults;
		if (ret != -EACCES)
			return ret;
		ret = xp2m_arm_write_fault(p2m, gpa);
		if (ret < 0)
			return ret;
		faults += ret;
	}
	return -ELOOP;
}

/* Entries of [@start, @end) by type. */
static void t_count_types(struct xp2m_arm_p2m *p2m, u64 start, u64 end,
			  unsigned long *count)
{
	u64 gpa;

	memset(count, 0, XP2M_ARM_NR_TYPES * sizeof(*count));
	for (gpa = start; gpa < end; gpa += PG)
		count[xp2m_lpae_type(xp2m_arm_walk(p2m, gpa))]++;
}

/* The layout the log-dirty cases track: RAM, and things not tracked. */
struct t_ld {
	struct xp2m_arm_p2m *p2m;
	u64 start;
	u64 end;
	unsigned long nr;	/* pages tracked */
	unsigned long ram;	/* RAM pages, from start */
	unsigned long *want;	/* expected dirty bitmap */
	unsigned long *got;
};

static void t_ld_setup(struct kunit *test, struct t_ld *t, u64 ram_size)
{
	t->p2m = t_p2m(test, 40);
	t->start = T_RAM0;
	t->ram = PFN(ram_size);
	/* RAM, then 2 MiB with a read-only, an MMIO and a foreign page. */
	t->nr = t->ram + 512;
	t->end = t->start + t->nr * PG;
	t_map(test, t->p2m, t->start, 0x100000, t->ram, XP2M_ARM_RAM_RW,
	      XP2M_ARM_RWX);
	t_map(test, t->p2m, t->start + ram_size, 0x90000, 1, XP2M_ARM_RAM_RO,
	      XP2M_ARM_R);
	t_map(test, t->p2m, t->start + ram_size + PG, 0x90001, 1, XP2M_ARM_MMIO,
	      T_RW);
	t_map(test, t->p2m, t->start + ram_size + 2 * PG, 0x90002, 1,
	      XP2M_ARM_FOREIGN, T_RW);
	if (t_mode_vlpt(test))
		t_vlpt(test, t->p2m, t->start, t->end);
	t->want = kunit_kcalloc(test, BITS_TO_LONGS(t->nr), sizeof(long),
				GFP_KERNEL);
	t->got = kunit_kcalloc(test, BITS_TO_LONGS(t->nr), sizeof(long),
			       GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->want);
	KUNIT_ASSERT_NOT_NULL(test, t->got);
}

/* Write page @i of the range; expect @faults log-dirty faults. */
static void t_ld_write(struct kunit *test, struct t_ld *t, unsigned long i,
		       int faults)
{
	int ret = t_write(t->p2m, t->start + i * PG, NULL);

	KUNIT_EXPECT_EQ_MSG(test, ret, faults, "page %lu", i);
	set_bit(i, t->want);
}

/* A pass: peek (twice: it clears nothing), then clean; exact sets. */
static void t_ld_pass(struct kunit *test, struct t_ld *t)
{
	unsigned long n = bitmap_weight(t->want, t->nr), count[XP2M_ARM_NR_TYPES];
	unsigned long faults = t_stats(t->p2m).faults;
	unsigned long words = BITS_TO_LONGS(t->nr);
	long passes = t_stats(t->p2m).passes;

	KUNIT_EXPECT_EQ(test, xp2m_arm_dirty_peek(t->p2m, t->got, t->nr), (long)n);
	KUNIT_EXPECT_TRUE(test, bitmap_equal(t->got, t->want, t->nr));
	KUNIT_EXPECT_EQ(test, xp2m_arm_dirty_peek(t->p2m, NULL, t->nr), (long)n);
	memset(t->got, 0xff, words * sizeof(long));
	KUNIT_EXPECT_EQ(test, xp2m_arm_dirty_clean(t->p2m, t->got, t->nr), (long)n);
	KUNIT_EXPECT_TRUE(test, bitmap_equal(t->got, t->want, t->nr));
	KUNIT_EXPECT_EQ(test, t_stats(t->p2m).passes, passes + 1UL);
	KUNIT_EXPECT_EQ(test, t_stats(t->p2m).faults, faults);
	/* Cleaned, and every RAM page is write-protected again. */
	KUNIT_EXPECT_EQ(test, xp2m_arm_dirty_peek(t->p2m, NULL, t->nr), 0L);
	t_count_types(t->p2m, t->start, t->end, count);
	KUNIT_EXPECT_EQ(test, count[XP2M_ARM_RAM_RW], 0UL);
	bitmap_zero(t->want, t->nr);
}

/* Start and stop: exactly the writable RAM is protected, and given back. */
static void logdirty_start_stop(struct kunit *test)
{
	struct t_arm *c = t_ctx(test);
	unsigned long count[XP2M_ARM_NR_TYPES];
	struct xp2m_arm_stats st;
	struct t_ld t;
	int flushes;

	t_ld_setup(test, &t, 4 * MIB);
	/* RAM outside the range stays writable. */
	t_map(test, t.p2m, t.end, 1, 1, XP2M_ARM_RAM_RW, T_RW);
	flushes = atomic_read(&c->flushes);
	KUNIT_ASSERT_EQ(test, xp2m_arm_logdirty_start(t.p2m, t.start, t.end), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->flushes), flushes + 1);
	st = t_stats(t.p2m);
	KUNIT_EXPECT_EQ(test, st.logdirty_pages, t.nr);
	KUNIT_EXPECT_EQ(test, st.logdirty_start, t.start);
	t_count_types(t.p2m, t.start, t.end, count);
	KUNIT_EXPECT_EQ(test, count[XP2M_ARM_LOGDIRTY], t.ram);
	KUNIT_EXPECT_EQ(test, count[XP2M_ARM_RAM_RW], 0UL);
	KUNIT_EXPECT_EQ(test, count[XP2M_ARM_RAM_RO], 1UL);
	KUNIT_EXPECT_EQ(test, count[XP2M_ARM_MMIO], 1UL);
	KUNIT_EXPECT_EQ(test, count[XP2M_ARM_FOREIGN], 1UL);
	KUNIT_EXPECT_EQ(test, xp2m_lpae_perms(xp2m_arm_walk(t.p2m, t.start)),
			T_RX);
	KUNIT_EXPECT_EQ(test, xp2m_lpae_type(xp2m_arm_walk(t.p2m, t.end)),
			XP2M_ARM_RAM_RW);
	/* Nothing written yet. */
	KUNIT_EXPECT_EQ(test, xp2m_arm_dirty_peek(t.p2m, NULL, t.nr), 0L);

	/* Not log-dirty faults: real ones, for the guest. */
	KUNIT_EXPECT_EQ(test, t_write(t.p2m, t.start + t.ram * PG, NULL), -EACCES);
	KUNIT_EXPECT_EQ(test, xp2m_arm_write_fault(t.p2m, t.start + t.ram * PG),
			-EACCES);
	KUNIT_EXPECT_EQ(test, xp2m_arm_write_fault(t.p2m, t.end - PG), -ENOENT);
	KUNIT_EXPECT_EQ(test, xp2m_arm_write_fault(t.p2m, 0), -ENOENT);
	/* MMIO and foreign pages are written without a fault. */
	KUNIT_EXPECT_EQ(test, t_write(t.p2m, t.start + (t.ram + 1) * PG, NULL), 0);
	KUNIT_EXPECT_EQ(test, t_write(t.p2m, t.start + (t.ram + 2) * PG, NULL), 0);
	/* A fault on a page already writable is spurious. */
	KUNIT_EXPECT_EQ(test, xp2m_arm_write_fault(t.p2m, t.start + PG), 1);
	KUNIT_EXPECT_EQ(test, xp2m_arm_write_fault(t.p2m, t.start + PG), 0);
	st = t_stats(t.p2m);
	KUNIT_EXPECT_EQ(test, st.faults, 1UL);
	KUNIT_EXPECT_EQ(test, st.spurious, 1UL);
	KUNIT_EXPECT_EQ(test, xp2m_lpae_perms(xp2m_arm_walk(t.p2m, t.start + PG)),
			XP2M_ARM_RWX);

	KUNIT_ASSERT_EQ(test, xp2m_arm_logdirty_stop(t.p2m), 0);
	t_count_types(t.p2m, t.start, t.end, count);
	KUNIT_EXPECT_EQ(test, count[XP2M_ARM_LOGDIRTY], 0UL);
	KUNIT_EXPECT_EQ(test, count[XP2M_ARM_RAM_RW], t.ram);
	KUNIT_EXPECT_EQ(test, xp2m_lpae_perms(xp2m_arm_walk(t.p2m, t.start)),
			XP2M_ARM_RWX);
	KUNIT_EXPECT_EQ(test, t_stats(t.p2m).logdirty_pages, 0UL);
	KUNIT_EXPECT_EQ(test, t_write(t.p2m, t.start, NULL), 0);

	/* And again: a second session works as the first. */
	KUNIT_ASSERT_EQ(test, xp2m_arm_logdirty_start(t.p2m, t.start, t.end), 0);
	KUNIT_EXPECT_EQ(test, t_write(t.p2m, t.start, NULL), 1);
	KUNIT_EXPECT_EQ(test, xp2m_arm_dirty_peek(t.p2m, NULL, t.nr), 1L);
}

/* Write patterns over passes: the pages reported are the pages written. */
static void logdirty_patterns(struct kunit *test)
{
	struct t_ld t;
	struct rnd_state rs;
	unsigned long i, j;

	t_ld_setup(test, &t, t_scale(256 * MIB, 8 * MIB));
	KUNIT_ASSERT_EQ(test, xp2m_arm_logdirty_start(t.p2m, t.start, t.end), 0);

	/* Pass 1: nothing. */
	t_ld_pass(test, &t);
	/* Pass 2: the first 100 pages, each twice; one fault each. */
	for (i = 0; i < 100; i++)
		t_ld_write(test, &t, i, 1);
	for (i = 0; i < 100; i++)
		t_ld_write(test, &t, i, 0);
	t_ld_pass(test, &t);
	/* Pass 3: the same pages again: they fault again after the clean. */
	for (i = 0; i < 100; i++)
		t_ld_write(test, &t, i, 1);
	t_ld_pass(test, &t);
	/* Pass 4: every 7th page, backwards. */
	for (i = t.ram; i-- > 0;)
		if (!(i % 7))
			t_ld_write(test, &t, i, 1);
	t_ld_pass(test, &t);
	/* Pass 5: random pages, with repeats. */
	prandom_seed_state(&rs, 42);
	for (j = 0; j < t.ram / 3; j++) {
		i = prandom_u32_state(&rs) % t.ram;
		t_ld_write(test, &t, i, test_bit(i, t.want) ? 0 : 1);
	}
	t_ld_pass(test, &t);
	/* Pass 6: all of it. */
	for (i = 0; i < t.ram; i++)
		t_ld_write(test, &t, i, 1);
	t_ld_pass(test, &t);
	/* Pass 7: the last page and the first, only. */
	t_ld_write(test, &t, t.ram - 1, 1);
	t_ld_write(test, &t, 0, 1);
	t_ld_pass(test, &t);
	KUNIT_EXPECT_EQ(test, xp2m_arm_logdirty_stop(t.p2m), 0);
}

/* Tables added and removed while tracking. */
static void logdirty_table_churn(struct kunit *test)
{
	const u64 region = 16 * MIB;	/* offset of the churned 2 MiB */
	struct xp2m_arm_stats st;
	struct t_ld t;
	unsigned long i, r = PFN(region), tables;
	u64 d;

	t_ld_setup(test, &t, 32 * MIB);
	/* Make a hole of one table in the RAM. */
	KUNIT_ASSERT_EQ(test, xp2m_arm_unmap(t.p2m, t.start + region, 512), 512L);
	tables = t_stats(t.p2m).third_tables;
	KUNIT_ASSERT_EQ(test, xp2m_arm_logdirty_start(t.p2m, t.start, t.end), 0);
	t_ld_pass(test, &t);

	/* Mapped while tracking: dirty, and write-protected. */
	t_map(test, t.p2m, t.start + region, 0x500000, 512, XP2M_ARM_RAM_RW, T_RW);
	st = t_stats(t.p2m);
	KUNIT_EXPECT_EQ(test, st.third_tables, tables + 1);
	if (t_mode_vlpt(test))
		KUNIT_EXPECT_EQ(test, st.vlpt_slots, tables + 1);
	KUNIT_EXPECT_EQ(test, xp2m_lpae_type(xp2m_arm_walk(t.p2m, t.start + region)),
			XP2M_ARM_LOGDIRTY);
	bitmap_set(t.want, r, 512);
	t_ld_pass(test, &t);
	/* Written through the new table: found, logged. */
	for (i = 0; i < 512; i += 5)
		t_ld_write(test, &t, r + i, 1);
	t_ld_pass(test, &t);

	/* Written, then the whole table unmapped: it goes, pages dirty. */
	t_ld_write(test, &t, r + 3, 1);
	KUNIT_EXPECT_EQ(test, xp2m_arm_unmap(t.p2m, t.start + region, 512), 512L);
	st = t_stats(t.p2m);
	KUNIT_EXPECT_EQ(test, st.third_tables, tables);
	if (t_mode_vlpt(test)) {
		KUNIT_EXPECT_EQ(test, st.vlpt_slots, tables);
		KUNIT_EXPECT_EQ(test, xp2m_arm_vlpt_read(t.p2m, t.start + region, &d), 0);
		KUNIT_EXPECT_EQ(test, d, 0ULL);
	}
	KUNIT_EXPECT_EQ(test, xp2m_arm_write_fault(t.p2m, t.start + region), -ENOENT);
	bitmap_set(t.want, r, 512);
	t_ld_pass(test, &t);

	/* Half unmapped: the table stays, half dirty; writes to the rest log. */
	KUNIT_EXPECT_EQ(test, xp2m_arm_unmap(t.p2m, t.start, 256), 256L);
	bitmap_set(t.want, 0, 256);
	t_ld_write(test, &t, 300, 1);
	t_ld_pass(test, &t);
	KUNIT_EXPECT_EQ(test, t_stats(t.p2m).third_tables, tables);

	/* Remapped elsewhere in frames: a new table, faults work there. */
	t_map(test, t.p2m, t.start + region, 0x600000, 4, XP2M_ARM_RAM_RW, T_RW);
	bitmap_set(t.want, r, 4);
	t_ld_write(test, &t, r + 1, 1);
	t_ld_pass(test, &t);
	KUNIT_EXPECT_EQ(test, xp2m_lpae_mfn(xp2m_arm_walk(t.p2m, t.start + region + PG)),
			0x600001UL);
	if (t_mode_vlpt(test))
		t_expect_vlpt_is_walk(test, t.p2m, t.start, t.end);
	KUNIT_EXPECT_EQ(test, xp2m_arm_logdirty_stop(t.p2m), 0);
}

/* Bad input and misuse: clear errnos, nothing changed. */
static void logdirty_bad_input(struct kunit *test)
{
	struct t_ld t;
	char *before;

	t_ld_setup(test, &t, 2 * MIB);
	before = t_state(test, t.p2m, NULL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_logdirty_stop(t.p2m), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_dirty_peek(t.p2m, NULL, t.nr), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_dirty_clean(t.p2m, t.got, t.nr), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_logdirty_start(t.p2m, t.start + 1, t.end), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_logdirty_start(t.p2m, t.start, t.end - 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_logdirty_start(t.p2m, t.end, t.start), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_logdirty_start(t.p2m, t.start, t.start), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_logdirty_start(t.p2m, t.start, (1ULL << 40) + PG),
			-ERANGE);
	KUNIT_EXPECT_STREQ(test, t_state(test, t.p2m, NULL), before);

	KUNIT_ASSERT_EQ(test, xp2m_arm_logdirty_start(t.p2m, t.start, t.end), 0);
	before = t_state(test, t.p2m, NULL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_logdirty_start(t.p2m, t.start, t.end), -EBUSY);
	KUNIT_EXPECT_EQ(test, xp2m_arm_dirty_peek(t.p2m, NULL, t.nr - 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_arm_dirty_clean(t.p2m, NULL, t.nr + 1), -EINVAL);
	KUNIT_EXPECT_STREQ(test, t_state(test, t.p2m, NULL), before);
	KUNIT_EXPECT_EQ(test, xp2m_arm_logdirty_stop(t.p2m), 0);
	KUNIT_EXPECT_EQ(test, xp2m_arm_logdirty_stop(t.p2m), -EINVAL);
}

/* Racing vCPUs, a save loop, and a table coming and going. */
struct t_race {
	struct xp2m_arm_p2m *p2m;
	u64 start;
	unsigned long nr;	/* stable RAM pages, from start */
	u64 churn;		/* the 2 MiB mapped and unmapped meanwhile */
	atomic_t *ver;		/* writes per page */
	atomic_t running;
	atomic_t errors;
	unsigned long writes;
	struct srcu_struct tlb;	/* translations kept across a sleep */
};

/*
 * A write whose translation stays in the vCPU's TLB for a while before the
 * store: the window in which a clean that forgot its TLB flush would copy
 * the page too early. Return: as t_write().
 */
static int t_write_slow(struct t_race *r, u64 gpa, atomic_t *ver)
{
	int ret, idx, faults = 0, tries;

	for (tries = 0; tries < 1000; tries++) {
		idx = srcu_read_lock(&r->tlb);
		rcu_read_lock();
		ret = xp2m_arm_translate(r->p2m, gpa, XP2M_ARM_W, NULL);
		rcu_read_unlock();
		if (!ret) {
			usleep_range(20, 60);
			atomic_inc(ver);
		}
		srcu_read_unlock(&r->tlb, idx);
		if (!ret)
			return faults;
		if (ret != -EACCES)
			return ret;
		ret = xp2m_arm_write_fault(r->p2m, gpa);
		if (ret < 0)
			return ret;
		faults += ret;
	}
	return -ELOOP;
}

struct t_writer {
	struct t_race *r;
	struct task_struct *task;
	struct completion done;
	unsigned int seed;
};

static int t_writer_fn(void *arg)
{
	struct t_writer *w = arg;
	struct t_race *r = w->r;
	struct rnd_state rs;
	unsigned long i;
	int ret;

	prandom_seed_state(&rs, w->seed);
	for (i = 0; i < r->writes; i++) {
		unsigned long p = prandom_u32_state(&rs) % r->nr;

		/* Runs of neighbours, as a guest writes. */
		if (i & 1)
			p = (p & ~63UL) | (i & 63);
		p %= r->nr;
		if (i % 32)
			ret = t_write(r->p2m, r->start + p * PG, &r->ver[p]);
		else
			ret = t_write_slow(r, r->start + p * PG, &r->ver[p]);
		if (ret < 0)
			atomic_inc(&r->errors);
		/* The churned table: mapped or not, both are fine. */
		ret = t_write(r->p2m, r->churn + (i % 512) * PG, NULL);
		if (ret < 0 && ret != -ENOENT)
			atomic_inc(&r->errors);
		if (!(i % 64))
			usleep_range(10, 30);
	}
	atomic_dec(&r->running);
	complete(&w->done);
	return 0;
}

static void logdirty_race(struct kunit *test)
{
	const unsigned int nr_writers = 2;
	struct t_writer *w;
	struct t_race r = { };
	unsigned long *got, *seen, i, lost = 0, extra = 0, written = 0;
	unsigned int k, passes = 0;
	int *sent;
	struct t_ld t;

	t_ld_setup(test, &t, t_scale(64 * MIB, 8 * MIB));
	r.p2m = t.p2m;
	r.start = t.start;
	r.nr = t.ram - 512;
	r.churn = t.start + r.nr * PG;
	r.writes = t_scale(200000, 20000);
	r.ver = kunit_kcalloc(test, r.nr, sizeof(*r.ver), GFP_KERNEL);
	sent = kunit_kcalloc(test, r.nr, sizeof(*sent), GFP_KERNEL);
	seen = kunit_kcalloc(test, BITS_TO_LONGS(t.nr), sizeof(long), GFP_KERNEL);
	w = kunit_kcalloc(test, nr_writers, sizeof(*w), GFP_KERNEL);
	got = t.got;
	KUNIT_ASSERT_NOT_NULL(test, r.ver);
	KUNIT_ASSERT_NOT_NULL(test, sent);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_EQ(test, xp2m_arm_logdirty_start(t.p2m, t.start, t.end), 0);
	/* The first pass sends everything: versions 0 are what it copied. */

	KUNIT_ASSERT_EQ(test, init_srcu_struct(&r.tlb), 0);
	t_ctx(test)->tlb = &r.tlb;

	/* No assertion from here until the writers are gone: they use r. */
	atomic_set(&r.running, nr_writers);
	for (k = 0; k < nr_writers; k++) {
		w[k].r = &r;
		w[k].seed = 1000 + k;
		init_completion(&w[k].done);
		w[k].task = kthread_run(t_writer_fn, &w[k], "xp2m-arm-w%u", k);
		if (IS_ERR(w[k].task)) {
			KUNIT_FAIL(test, "kthread_run: %ld", PTR_ERR(w[k].task));
			atomic_dec(&r.running);
			complete(&w[k].done);
		}
	}

	/* The save loop: clean, copy what it reported; churn a table. */
	do {
		bool last = !atomic_read(&r.running);
		long n = xp2m_arm_dirty_clean(t.p2m, got, t.nr), ret;

		KUNIT_EXPECT_GE(test, n, 0L);
		for_each_set_bit(i, got, r.nr)
			sent[i] = atomic_read(&r.ver[i]);
		bitmap_or(seen, seen, got, t.nr);
		if (passes & 1)
			ret = xp2m_arm_map(t.p2m, r.churn, 0x700000, 512,
					   XP2M_ARM_RAM_RW, T_RW);
		else
			ret = xp2m_arm_unmap(t.p2m, r.churn, 512) - 512;
		KUNIT_EXPECT_EQ(test, ret, 0L);
		passes++;
		if (last)
			break;
		usleep_range(50, 200);
	} while (true);
	for (k = 0; k < nr_writers; k++)
		wait_for_completion(&w[k].done);
	t_ctx(test)->tlb = NULL;
	cleanup_srcu_struct(&r.tlb);
	/* The pass after the guest stopped. */
	KUNIT_EXPECT_GE(test, xp2m_arm_dirty_clean(t.p2m, got, t.nr), 0L);
	for_each_set_bit(i, got, r.nr)
		sent[i] = atomic_read(&r.ver[i]);
	bitmap_or(seen, seen, got, t.nr);

	for (i = 0; i < r.nr; i++) {
		int v = atomic_read(&r.ver[i]);

		written += v > 0;
		if (sent[i] != v && lost++ < 4)
			KUNIT_FAIL(test, "page %lu: written %d times, sent at %d",
				   i, v, sent[i]);
		/* Never reported unless written. */
		if (test_bit(i, seen) && !v)
			extra++;
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&r.errors), 0);
	KUNIT_EXPECT_EQ(test, lost, 0UL);
	KUNIT_EXPECT_EQ(test, extra, 0UL);
	KUNIT_EXPECT_EQ(test, bitmap_weight(seen, r.nr), written);
	KUNIT_EXPECT_GT(test, passes, 2U);
	kunit_info(test, "%u passes, %lu pages written, %lu faults\n", passes,
		   written, t_stats(t.p2m).faults);
	KUNIT_EXPECT_EQ(test, xp2m_arm_logdirty_stop(t.p2m), 0);
}

static struct kunit_case logdirty_cases[] = {
	KUNIT_CASE_PARAM(logdirty_start_stop, t_mode_gen_params),
	KUNIT_CASE_PARAM(logdirty_patterns, t_mode_gen_params),
	KUNIT_CASE_PARAM(logdirty_table_churn, t_mode_gen_params),
	KUNIT_CASE_PARAM(logdirty_bad_input, t_mode_gen_params),
	KUNIT_CASE_PARAM(logdirty_race, t_mode_gen_params),
	{}
};

static struct kunit_suite logdirty_suite = {
	.name = "xp2m_arm_logdirty",
	.exit = t_exit,
	.test_cases = logdirty_cases,
};

/* ---------------------------------------------------------------------- */
/* The ARM guest's foreign ranges */

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

static struct kunit_case foreign_cases[] = {
	KUNIT_CASE(foreign_set_lookup),
	KUNIT_CASE(foreign_merge),
	KUNIT_CASE(foreign_split),
	KUNIT_CASE(foreign_overlaps),
	KUNIT_CASE(foreign_bad_input),
	KUNIT_CASE(foreign_random),
	{}
};

static struct kunit_suite foreign_suite = {
	.name = "xp2m_arm_foreign",
	.exit = t_exit,
	.test_cases = foreign_cases,
};

/* ---------------------------------------------------------------------- */
/*
 * Allocation failures: every allocation of each operation failed in turn,
 * the kernel's own on its behalf included (xp2m_fault_sweep()). A failure
 * must give -ENOMEM with the p2m or the tree exactly as before (its dump
 * and counts, t_state()) and no page of the module kept (xp2m_arm_pages();
 * slab objects: kmemleak, after the run). A run that went through is
 * checked and undone, so that the next starts where this one did.
 */
struct t_fault {
	struct xp2m_arm_p2m *p2m;	/* what the operation changes, or NULL */
	struct xp2m_arm_foreign *ft;
	char *state;
	long pages;
	const void *arg;		/* the operation's own */
};

static void t_fault_before(struct kunit *test, void *arg)
{
	struct t_fault *f = arg;

	f->state = f->p2m || f->ft ? t_state(test, f->p2m, f->ft) : NULL;
	f->pages = xp2m_arm_pages();
}

/* After a run: a failed one changed nothing, and true. */
static bool t_fault_failed(struct kunit *test, struct t_fault *f, int err)
{
	if (!err)
		return false;
	KUNIT_EXPECT_EQ(test, xp2m_arm_pages(), f->pages);
	if (f->state)
		KUNIT_EXPECT_STREQ(test, t_state(test, f->p2m, f->ft), f->state);
	return true;
}

static int op_create(struct kunit *test, void *arg)
{
	struct xp2m_arm_p2m *p2m = xp2m_arm_p2m_create(NULL, 40, NULL, NULL);

	if (IS_ERR(p2m))
		return PTR_ERR(p2m);
	t_ctx(test)->p2m = p2m;
	return 0;
}

static void op_create_after(struct kunit *test, void *arg, int err)
{
	struct t_arm *c = t_ctx(test);
	struct t_fault *f = arg;

	if (t_fault_failed(test, f, err))
		return;
	KUNIT_EXPECT_EQ(test, c->p2m->root_order, 1U);
	/* The root: 2 concatenated pages for 40 bits. */
	KUNIT_EXPECT_EQ(test, xp2m_arm_pages(), f->pages + 2);
	xp2m_arm_p2m_destroy(c->p2m);
	c->p2m = NULL;
	KUNIT_EXPECT_EQ(test, xp2m_arm_pages(), f->pages);
}

static void faults_create(struct kunit *test)
{
	static const struct xp2m_fault_op op = {
		.name = "xp2m_arm_p2m_create",
		.before = t_fault_before,
		.run = op_create,
		.after = op_create_after,
	};
	struct t_fault f = { };

	/* The p2m, its root (the per-CPU counters may come from a chunk). */
	KUNIT_EXPECT_GE(test, xp2m_fault_sweep(test, &op, &f), 2U);
}

/* [1G - 4K, 1G + 4M + 4K): a second-level and four third-level tables. */
#define T_FMAP_GPA	(GIB - PG)
#define T_FMAP_NR	1026UL

static int op_map(struct kunit *test, void *arg)
{
	return xp2m_arm_map(t_ctx(test)->p2m, T_FMAP_GPA, 0x100, T_FMAP_NR,
			    XP2M_ARM_RAM_RW, T_RW);
}

static void op_map_after(struct kunit *test, void *arg, int err)
{
	struct t_arm *c = t_ctx(test);
	struct t_fault *f = arg;

	if (t_fault_failed(test, f, err))
		return;
	KUNIT_EXPECT_EQ(test, xp2m_lpae_mfn(xp2m_arm_walk(c->p2m, GIB + 4 * MIB)),
			0x100UL + 1025);
	KUNIT_EXPECT_EQ(test, t_stats(c->p2m).third_tables, 4UL);
	if (xp2m_kpte_supported())
		t_expect_vlpt_is_walk(test, c->p2m, 0, 2 * GIB);
	/* Unmapped, the new tables go: as before the run. */
	KUNIT_EXPECT_EQ(test, xp2m_arm_unmap(c->p2m, T_FMAP_GPA, T_FMAP_NR),
			(long)T_FMAP_NR);
	KUNIT_EXPECT_STREQ(test, t_state(test, c->p2m, NULL), f->state);
	KUNIT_EXPECT_EQ(test, xp2m_arm_pages(), f->pages);
}

static void faults_map(struct kunit *test)
{
	static const struct xp2m_fault_op op = {
		.name = "xp2m_arm_map",
		.before = t_fault_before,
		.run = op_map,
		.after = op_map_after,
	};
	struct t_fault f = { .p2m = t_p2m(test, 40) };

	t_map(test, f.p2m, GIB - 2 * PG, 1, 1, XP2M_ARM_RAM_RW, T_RW);
	if (xp2m_kpte_supported())
		t_vlpt(test, f.p2m, 0, 2 * GIB);
	KUNIT_EXPECT_GE(test, xp2m_fault_sweep(test, &op, &f), 4U);
}

static int op_vlpt(struct kunit *test, void *arg)
{
	return xp2m_arm_vlpt_create(t_ctx(test)->p2m, T_RAM0, T_RAM0 + GIB);
}

static void op_vlpt_after(struct kunit *test, void *arg, int err)
{
	struct t_arm *c = t_ctx(test);
	struct t_fault *f = arg;

	if (t_fault_failed(test, f, err))
		return;
	KUNIT_EXPECT_EQ(test, t_stats(c->p2m).vlpt_slots, 2UL);
	KUNIT_EXPECT_EQ(test, t_expect_vlpt_is_walk(test, c->p2m, T_RAM0,
						    T_RAM0 + 4 * MIB), 700UL);
	xp2m_arm_vlpt_destroy(c->p2m);
	KUNIT_EXPECT_STREQ(test, t_state(test, c->p2m, NULL), f->state);
	KUNIT_EXPECT_EQ(test, xp2m_arm_pages(), f->pages);
}

static void faults_vlpt(struct kunit *test)
{
	static const struct xp2m_fault_op op = {
		.name = "xp2m_arm_vlpt_create",
		.before = t_fault_before,
		.run = op_vlpt,
		.after = op_vlpt_after,
	};
	struct t_fault f = { .p2m = t_p2m(test, 40) };

	if (!xp2m_kpte_supported())
		kunit_skip(test, T_NO_VLPT);
	t_map(test, f.p2m, T_RAM0, 1, 700, XP2M_ARM_RAM_RW, T_RW);
	/* The VLPT, its slot array, the empty page, the page array, vmap(). */
	KUNIT_EXPECT_GE(test, xp2m_fault_sweep(test, &op, &f), 5U);
}

static int op_logdirty(struct kunit *test, void *arg)
{
	return xp2m_arm_logdirty_start(t_ctx(test)->p2m, T_RAM0, T_RAM0 + GIB);
}

static void op_logdirty_after(struct kunit *test, void *arg, int err)
{
	struct t_arm *c = t_ctx(test);
	struct t_fault *f = arg;

	if (t_fault_failed(test, f, err))
		return;
	KUNIT_EXPECT_EQ(test, xp2m_lpae_type(xp2m_arm_walk(c->p2m, T_RAM0)),
			XP2M_ARM_LOGDIRTY);
	KUNIT_EXPECT_EQ(test, xp2m_arm_logdirty_stop(c->p2m), 0);
	KUNIT_EXPECT_STREQ(test, t_state(test, c->p2m, NULL), f->state);
}

static void faults_logdirty(struct kunit *test)
{
	static const struct xp2m_fault_op op = {
		.name = "xp2m_arm_logdirty_start",
		.before = t_fault_before,
		.run = op_logdirty,
		.after = op_logdirty_after,
	};
	struct t_fault f = { .p2m = t_p2m(test, 40) };

	t_map(test, f.p2m, T_RAM0, 1, 700, XP2M_ARM_RAM_RW, T_RW);
	/* The state and its bitmap. */
	KUNIT_EXPECT_GE(test, xp2m_fault_sweep(test, &op, &f), 2U);
}

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

static struct kunit_case faults_cases[] = {
	KUNIT_CASE(faults_create),
	KUNIT_CASE(faults_map),
	KUNIT_CASE(faults_vlpt),
	KUNIT_CASE(faults_logdirty),
	KUNIT_CASE(faults_foreign),
	{}
};

static struct kunit_suite faults_suite = {
	.name = "xp2m_arm_faults",
	.exit = t_exit,
	.test_cases = faults_cases,
};

kunit_test_suites(&lpae_suite, &vlpt_suite, &logdirty_suite, &foreign_suite,
		  &faults_suite);

MODULE_DESCRIPTION("xp2m: KUnit suites of the ARM module");
MODULE_LICENSE("GPL");
MODULE_VERSION(XP2M_VERSION);
