/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Benchmark modules print their figures as "bench <name> <value> <unit>"
 * lines, which `make bench` collects. Values are plain decimals.
 */
#ifndef _XP2M_BENCH_H
#define _XP2M_BENCH_H

#include <linux/compiler.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/printk.h>
#include <linux/sort.h>
#include <linux/types.h>

/* An integer figure. */
static inline void xp2m_bench_u64(const char *name, u64 value, const char *unit)
{
	pr_info("bench %s %llu %s\n", name, value, unit);
}

/*
 * @num / @den, with three decimals. A baseline measured as 0 gives no
 * figure, and says so: a ratio of 0.000 would pass for one.
 */
static inline void xp2m_bench_frac(const char *name, u64 num, u64 den,
				   const char *unit)
{
	u64 milli;

	if (!den) {
		pr_warn("xp2m bench: %s: its baseline measured 0, no figure\n",
			name);
		return;
	}
	milli = div64_u64(num * 1000, den);
	pr_info("bench %s %llu.%03llu %s\n", name, div_u64(milli, 1000),
		milli % 1000, unit);
}

static inline int xp2m_bench_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* The median of @n samples (sorts them). */
static inline u64 xp2m_bench_median(u64 *samples, unsigned int n)
{
	sort(samples, n, sizeof(*samples), xp2m_bench_cmp_u64, NULL);
	return samples[n / 2];
}

/*
 * The end of a timed pass that began at @start: its time in ns. What the
 * pass read, @sum, is kept, so that the compiler drops none of its loads.
 */
static inline u64 xp2m_bench_done(u64 start, unsigned long sum)
{
	static unsigned long sink;
	u64 t = ktime_get_ns() - start;

	WRITE_ONCE(sink, sink + sum);
	return t;
}

#endif /* _XP2M_BENCH_H */
