// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the ARM module's virtual-linear page table, checked
 * against a full table walk in every layout, its coherence with the tree,
 * and allocation failures of making one. Skipped, with the reason, on a
 * kernel where single PTEs of a vmap() area cannot be changed.
 */

#include <linux/prandom.h>
#include <linux/sched.h>

#include <xp2m/kpte.h>

#include "arm_fixture.h"

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

/*
 * Allocation failures: every allocation of each operation failed in turn
 * (xp2m_fault_sweep()); a failure must give -ENOMEM with the p2m or the tree
 * exactly as before and no page of the module kept (t_fault_failed()).
 */

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

static struct kunit_case vlpt_cases[] = {
	KUNIT_CASE(vlpt_support),
	KUNIT_CASE_PARAM(vlpt_layouts, t_layout_gen_params),
	KUNIT_CASE(vlpt_coherence),
	KUNIT_CASE(faults_vlpt),
	{}
};

static struct kunit_suite vlpt_suite = {
	.name = "xp2m_arm_vlpt",
	.exit = t_exit,
	.test_cases = vlpt_cases,
};

kunit_test_suite(vlpt_suite);
