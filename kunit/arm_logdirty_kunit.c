// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the ARM module's log-dirty tracking: exact dirty sets over
 * write patterns and passes, with and without the VLPT, table churn, bad
 * input, racing writers, and allocation failures of starting it.
 */

#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include <xp2m/kpte.h>

#include "arm_fixture.h"

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

/*
 * Allocation failures: every allocation of each operation failed in turn
 * (xp2m_fault_sweep()); a failure must give -ENOMEM with the p2m or the tree
 * exactly as before and no page of the module kept (t_fault_failed()).
 */

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

static struct kunit_case logdirty_cases[] = {
	KUNIT_CASE_PARAM(logdirty_start_stop, t_mode_gen_params),
	KUNIT_CASE_PARAM(logdirty_patterns, t_mode_gen_params),
	KUNIT_CASE_PARAM(logdirty_table_churn, t_mode_gen_params),
	KUNIT_CASE_PARAM(logdirty_bad_input, t_mode_gen_params),
	KUNIT_CASE_PARAM(logdirty_race, t_mode_gen_params),
	KUNIT_CASE(faults_logdirty),
	{}
};

static struct kunit_suite logdirty_suite = {
	.name = "xp2m_arm_logdirty",
	.exit = t_exit,
	.test_cases = logdirty_cases,
};

kunit_test_suite(logdirty_suite);
