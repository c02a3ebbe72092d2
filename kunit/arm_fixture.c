// SPDX-License-Identifier: GPL-2.0
/*
 * The fixture of the ARM module's KUnit suites; see arm_fixture.h.
 */

#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "arm_fixture.h"

/*
 * Sizes: GiB-scale in UML (native speed); modest under Xen dom0, which runs
 * under QEMU TCG.
 */
u64 t_scale(u64 uml, u64 other)
{
	return IS_ENABLED(CONFIG_UML) ? uml : other;
}

struct t_arm *t_ctx(struct kunit *test)
{
	if (!test->priv) {
		test->priv = kunit_kzalloc(test, sizeof(struct t_arm),
					   GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, test->priv);
	}
	return test->priv;
}

void t_exit(struct kunit *test)
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

struct xp2m_arm_p2m *t_p2m(struct kunit *test, unsigned int ipa_bits)
{
	struct t_arm *c = t_ctx(test);

	c->p2m = xp2m_arm_p2m_create(NULL, ipa_bits, t_flush_tlb, c);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(c->p2m), "create: %ld",
			       PTR_ERR(c->p2m));
	return c->p2m;
}

void t_map(struct kunit *test, struct xp2m_arm_p2m *p2m, u64 gpa,
	   unsigned long mfn, unsigned long nr, enum xp2m_arm_type type,
	   unsigned int perms)
{
	int err = xp2m_arm_map(p2m, gpa, mfn, nr, type, perms);

	KUNIT_ASSERT_EQ_MSG(test, err, 0, "map %#llx+%lu", gpa, nr);
}

/* Make the VLPT of [@start, @end), or skip where the kernel cannot. */
void t_vlpt(struct kunit *test, struct xp2m_arm_p2m *p2m, u64 start,
	    u64 end)
{
	int err = xp2m_arm_vlpt_create(p2m, start, end);

	if (err == -EOPNOTSUPP)
		kunit_skip(test, T_NO_VLPT);
	KUNIT_ASSERT_EQ(test, err, 0);
}

struct xp2m_arm_stats t_stats(struct xp2m_arm_p2m *p2m)
{
	struct xp2m_arm_stats st;

	xp2m_arm_get_stats(p2m, &st);
	return st;
}

/* Everything about a p2m or a foreign tree an operation could change. */
char *t_state(struct kunit *test, struct xp2m_arm_p2m *p2m,
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

/*
 * Every gpa of [@start, @end): the VLPT's entry equals the walk's.
 * Return: how many of them are mapped.
 */
unsigned long t_expect_vlpt_is_walk(struct kunit *test,
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

void t_fault_before(struct kunit *test, void *arg)
{
	struct t_fault *f = arg;

	f->state = f->p2m || f->ft ? t_state(test, f->p2m, f->ft) : NULL;
	f->pages = xp2m_arm_pages();
}

/* After a run: a failed one changed nothing, and true. */
bool t_fault_failed(struct kunit *test, struct t_fault *f, int err)
{
	if (!err)
		return false;
	KUNIT_EXPECT_EQ(test, xp2m_arm_pages(), f->pages);
	if (f->state)
		KUNIT_EXPECT_STREQ(test, t_state(test, f->p2m, f->ft), f->state);
	return true;
}

MODULE_DESCRIPTION("xp2m: KUnit suites of the ARM module");
MODULE_LICENSE("GPL");
MODULE_VERSION(XP2M_VERSION);
