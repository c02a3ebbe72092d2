// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmarks of the ARM module, run by `make bench` in UML (native speed):
 *
 *  - the log-dirty write-fault handler finding entries through the VLPT
 *    against the same handler walking the three levels (the guest's VLPT
 *    taken down, untimed, and made again after), on a 64 GiB guest
 *    (128 MiB of third-level tables: more than the caches), in random and
 *    in sequential order; and, to show what the VLPT changes by itself,
 *    the lookup alone (xp2m_arm_vlpt_read() against xp2m_arm_walk());
 *  - peek and clean of the dirty bitmap of a 4 GiB guest, with no page,
 *    1% of the pages and every page dirty (clean write-protects what it
 *    reports, through the VLPT), as the passes of a save loop.
 *
 * Medians of several runs; figures as "bench <name> <value> <unit>".
 */

#include <linux/bitmap.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <xp2m/arm.h>

#include "bench.h"

#define B_RUNS		9
#define B_FAULTS	BIT(21)		/* per run, on distinct pages */
#define B_REPS		16
#define B_RAM		0x40000000ULL	/* Xen's GUEST_RAM0_BASE */
#define B_GIB		BIT_ULL(30)
/* Odd: i * B_STRIDE visits every page of a power-of-two range once. */
#define B_STRIDE	0x9e3779b1UL

struct b_guest {
	struct xp2m_arm_p2m *p2m;
	unsigned long nr;	/* pages of RAM, a power of two */
	bool vlpt;
};

static int b_guest(struct b_guest *g, const char *name, u64 size)
{
	int err;

	g->nr = size >> XP2M_ARM_THIRD_SHIFT;
	g->p2m = xp2m_arm_p2m_create(name, 40, NULL, NULL);
	if (IS_ERR(g->p2m))
		return PTR_ERR(g->p2m);
	err = xp2m_arm_map(g->p2m, B_RAM, 0x100000, g->nr, XP2M_ARM_RAM_RW,
			   XP2M_ARM_R | XP2M_ARM_W);
	if (!err) {
		err = xp2m_arm_vlpt_create(g->p2m, B_RAM, B_RAM + size);
		g->vlpt = !err;
		if (err == -EOPNOTSUPP) {
			pr_info("xp2m_arm_bench: no VLPT on this kernel\n");
			err = 0;
		}
	}
	if (!err)
		err = xp2m_arm_logdirty_start(g->p2m, B_RAM, B_RAM + size);
	if (err)
		xp2m_arm_p2m_destroy(g->p2m);
	return err;
}

/* The guest's RAM in bytes. */
static u64 b_size(const struct b_guest *g)
{
	return (u64)g->nr << XP2M_ARM_THIRD_SHIFT;
}

static u64 b_gpa(const struct b_guest *g, unsigned long i, bool random)
{
	if (random)
		i = (i * B_STRIDE) & (g->nr - 1);
	return B_RAM + ((u64)i << XP2M_ARM_THIRD_SHIFT);
}

/*
 * @m write faults on distinct pages, each a log-dirty fault to resolve;
 * then an (untimed) clean protects them again. The handler is the same
 * both ways, xp2m_arm_write_fault(): for a walk, the VLPT is taken down
 * before the faults and made again after them, neither timed, and the
 * handler finds no VLPT and walks the three levels. Return: ns, 0 on an
 * error.
 */
static u64 b_faults(struct b_guest *g, unsigned long m, bool vlpt, bool random)
{
	unsigned long i, bad = 0;
	u64 t0, t;

	if (!vlpt && g->vlpt)
		xp2m_arm_vlpt_destroy(g->p2m);
	t0 = ktime_get_ns();
	for (i = 0; i < m; i++)
		bad += xp2m_arm_write_fault(g->p2m, b_gpa(g, i, random)) != 1;
	t = ktime_get_ns() - t0;
	if (!vlpt && g->vlpt &&
	    xp2m_arm_vlpt_create(g->p2m, B_RAM, B_RAM + b_size(g))) {
		pr_err("xp2m_arm_bench: the VLPT could not be made again\n");
		return 0;
	}
	if (xp2m_arm_dirty_clean(g->p2m, NULL, g->nr) != m || bad) {
		pr_err("xp2m_arm_bench: %lu faults not resolved\n", bad);
		return 0;
	}
	cond_resched();
	return t;
}

/* @m lookups of distinct pages, by the VLPT or by a walk. Return: ns. */
static u64 b_lookups(struct b_guest *g, unsigned long m, bool vlpt,
		     bool random)
{
	u64 t0, t, d, sum = 0;
	unsigned long i;

	t0 = ktime_get_ns();
	if (vlpt) {
		for (i = 0; i < m; i++) {
			xp2m_arm_vlpt_read(g->p2m, b_gpa(g, i, random), &d);
			sum += d;
		}
	} else {
		for (i = 0; i < m; i++)
			sum += xp2m_arm_walk(g->p2m, b_gpa(g, i, random));
	}
	t = ktime_get_ns() - t0;
	/* Every entry read is a valid one: their sum is odd iff m is. */
	return (sum & 1) == (m & 1) ? t : 0;
}

/* Medians of @f by the VLPT and by a walk, runs interleaved. */
static int b_compare(struct b_guest *g, const char *what, const char *order,
		     u64 (*f)(struct b_guest *g, unsigned long m, bool vlpt,
			      bool random),
		     bool random)
{
	u64 vlpt[B_RUNS], walk[B_RUNS], v, w;
	const unsigned long m = B_FAULTS;
	char name[48];
	unsigned int r;

	/* Warm up, then interleave the two, run by run. */
	f(g, m, false, random);
	for (r = 0; r < B_RUNS; r++) {
		vlpt[r] = g->vlpt ? f(g, m, true, random) : 1;
		walk[r] = f(g, m, false, random);
		if (!vlpt[r] || !walk[r])
			return -EIO;
	}
	w = xp2m_bench_median(walk, B_RUNS);
	snprintf(name, sizeof(name), "arm_%s%s_walk_ns", what, order);
	xp2m_bench_frac(name, w, m, "ns");
	if (!g->vlpt)
		return 0;
	v = xp2m_bench_median(vlpt, B_RUNS);
	snprintf(name, sizeof(name), "arm_%s%s_vlpt_ns", what, order);
	xp2m_bench_frac(name, v, m, "ns");
	snprintf(name, sizeof(name), "arm_%s%s_speedup", what, order);
	xp2m_bench_frac(name, w, v, "x");
	return 0;
}

static int b_fault_bench(void)
{
	static const char * const order[] = { "", "_seq" };
	struct b_guest g;
	unsigned int o;
	int err;

	err = b_guest(&g, "bench-fault", 64 * B_GIB);
	if (err)
		return err;
	for (o = 0; o < ARRAY_SIZE(order) && !err; o++)
		err = b_compare(&g, "fault", order[o], b_faults, o == 0);
	for (o = 0; o < ARRAY_SIZE(order) && !err; o++)
		err = b_compare(&g, "lookup", order[o], b_lookups, o == 0);
	if (err)
		pr_err("xp2m_arm_bench: faults: error %d\n", err);
	xp2m_arm_p2m_destroy(g.p2m);
	return err;
}

/* Make every @every-th page of the guest dirty (untimed). */
static int b_dirty(struct b_guest *g, unsigned long every)
{
	unsigned long i;

	if (!every)
		return 0;
	for (i = 0; i < g->nr; i += every)
		if (xp2m_arm_write_fault(g->p2m, b_gpa(g, i, true)) != 1)
			return -EIO;
	return 0;
}

/*
 * One pass over the bitmap of a guest with every @every-th page dirty
 * (none for 0): a peek, or a clean (which write-protects what it reports).
 * Passes that leave the bitmap as it was are repeated and averaged, for
 * the clock's resolution. Return: ns a pass, 0 on an error.
 */
static u64 b_pass(struct b_guest *g, unsigned long *dst, unsigned long every,
		  bool peek, long *n)
{
	unsigned int i, reps = peek || !every ? B_REPS : 1;
	long want = every ? DIV_ROUND_UP(g->nr, every) : 0;
	u64 t0, t;

	if (b_dirty(g, every))
		return 0;
	t0 = ktime_get_ns();
	for (i = 0; i < reps; i++)
		*n = peek ? xp2m_arm_dirty_peek(g->p2m, dst, g->nr) :
			    xp2m_arm_dirty_clean(g->p2m, dst, g->nr);
	t = div_u64(ktime_get_ns() - t0, reps);
	if (peek && xp2m_arm_dirty_clean(g->p2m, NULL, g->nr) != want)
		return 0;
	cond_resched();
	return *n == want ? t : 0;
}

static int b_clean_bench(void)
{
	static const struct {
		const char *name;
		unsigned long every;
		bool peek;
	} loads[] = {
		{ "peek_4g_1pct", 100, true },
		{ "clean_4g_none", 0, false },
		{ "clean_4g_1pct", 100, false },
		{ "clean_4g_all", 1, false },
	};
	u64 t[B_RUNS], med;
	unsigned long *dst;
	struct b_guest g;
	unsigned int l, r;
	char name[48];
	long n = 0;
	int err;

	err = b_guest(&g, "bench-clean", 4 * B_GIB);
	if (err)
		return err;
	dst = vmalloc(BITS_TO_LONGS(g.nr) * sizeof(long));
	if (!dst) {
		err = -ENOMEM;
		goto out;
	}
	for (l = 0; l < ARRAY_SIZE(loads); l++) {
		for (r = 0; r < B_RUNS; r++) {
			t[r] = b_pass(&g, dst, loads[l].every, loads[l].peek, &n);
			if (!t[r]) {
				err = -EIO;
				goto out;
			}
		}
		med = xp2m_bench_median(t, B_RUNS);
		snprintf(name, sizeof(name), "arm_%s_us", loads[l].name);
		xp2m_bench_frac(name, med, 1000, "us");
		/* Guest memory a pass covers per second. */
		snprintf(name, sizeof(name), "arm_%s_gib_per_s", loads[l].name);
		xp2m_bench_frac(name, 4 * NSEC_PER_SEC, med, "GiB/s");
		if (!n)
			continue;
		/* Dirty pages reported (and, by a clean, protected again). */
		snprintf(name, sizeof(name), "arm_%s_mpages_per_s",
			 loads[l].name);
		xp2m_bench_frac(name, (u64)n * 1000, med, "Mpages/s");
	}
out:
	if (err)
		pr_err("xp2m_arm_bench: clean: error %d\n", err);
	vfree(dst);
	xp2m_arm_p2m_destroy(g.p2m);
	return err;
}

static int __init xp2m_arm_bench_init(void)
{
	int err = b_fault_bench();

	if (!err)
		err = b_clean_bench();
	return err;
}

static void __exit xp2m_arm_bench_exit(void)
{
}

module_init(xp2m_arm_bench_init);
module_exit(xp2m_arm_bench_exit);

MODULE_DESCRIPTION("xp2m: benchmarks of the ARM module");
MODULE_LICENSE("GPL");
MODULE_VERSION(XP2M_VERSION);
