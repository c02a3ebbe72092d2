// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the ARM module's LPAE stage-2 p2m: its descriptors bit for
 * bit, mappings and lookups, tables that come and go, large ranges, the
 * concatenated root, bad input, the dump, and allocation failures of
 * creating a p2m and of mapping.
 */

#include <linux/sched.h>
#include <linux/slab.h>

#include <xp2m/kpte.h>

#include "arm_fixture.h"

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

/*
 * Allocation failures: every allocation of each operation failed in turn
 * (xp2m_fault_sweep()); a failure must give -ENOMEM with the p2m or the tree
 * exactly as before and no page of the module kept (t_fault_failed()).
 */

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

static struct kunit_case lpae_cases[] = {
	KUNIT_CASE(lpae_descriptor_format),
	KUNIT_CASE(lpae_map_lookup),
	KUNIT_CASE(lpae_tables_come_and_go),
	KUNIT_CASE(lpae_big_range),
	KUNIT_CASE(lpae_concatenated_root),
	KUNIT_CASE(lpae_bad_input),
	KUNIT_CASE(lpae_dump),
	KUNIT_CASE(faults_create),
	KUNIT_CASE(faults_map),
	{}
};

static struct kunit_suite lpae_suite = {
	.name = "xp2m_arm_lpae",
	.exit = t_exit,
	.test_cases = lpae_cases,
};

kunit_test_suite(lpae_suite);
