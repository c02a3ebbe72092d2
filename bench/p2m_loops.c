// SPDX-License-Identifier: GPL-2.0
/*
 * The lookup loops xp2m_p2m_bench times: see p2m_loops.h.
 */

#include <linux/compiler.h>
#include <linux/ktime.h>

#include <xp2m/p2m.h>

#include "bench.h"
#include "p2m_loops.h"

u64 p2m_bench_tree(const struct xp2m *p2m, const u32 *idx, unsigned long nr)
{
	unsigned long i, sum = 0;
	u64 t = ktime_get_ns();

	if (idx)
		for (i = 0; i < nr; i++)
			sum += xp2m_lookup(p2m, idx[i]);
	else
		for (i = 0; i < p2m->max_pfn; i++)
			sum += xp2m_lookup(p2m, i);
	return xp2m_bench_done(t, sum);
}

/* The tree's walk alone: the leaf each pfn is in, not its entry. */
u64 p2m_bench_walk(const struct xp2m *p2m, const u32 *idx, unsigned long nr)
{
	unsigned long i, sum = 0;
	u64 t = ktime_get_ns();

	if (idx)
		for (i = 0; i < nr; i++)
			sum += (unsigned long)xp2m_leaf_of(p2m, idx[i]);
	else
		for (i = 0; i < p2m->max_pfn; i++)
			sum += (unsigned long)xp2m_leaf_of(p2m, i);
	return xp2m_bench_done(t, sum);
}

/*
 * The walk to max_pfn tells the compiler that every pfn is in range: it
 * drops the lookup's bounds check from the loop.
 */
u64 p2m_bench_linear(const struct xp2m *p2m, const u32 *idx,
		     unsigned long nr)
{
	unsigned long i, sum = 0;
	u64 t = ktime_get_ns();

	if (idx)
		for (i = 0; i < nr; i++)
			sum += xp2m_linear_lookup(p2m, idx[i]);
	else
		for (i = 0; i < p2m->max_pfn; i++)
			sum += xp2m_linear_lookup(p2m, i);
	return xp2m_bench_done(t, sum);
}

/* The same pfns in order, as a range a caller was given: each is checked. */
u64 p2m_bench_linear_checked(const struct xp2m *p2m, unsigned long nr)
{
	unsigned long i, sum = 0;
	u64 t = ktime_get_ns();

	for (i = 0; i < nr; i++)
		sum += xp2m_linear_lookup(p2m, i);
	return xp2m_bench_done(t, sum);
}

u64 p2m_bench_array(const unsigned long *a, const u32 *idx, unsigned long nr)
{
	unsigned long i, sum = 0;
	u64 t = ktime_get_ns();

	if (idx)
		for (i = 0; i < nr; i++)
			sum += READ_ONCE(a[idx[i]]);
	else
		for (i = 0; i < nr; i++)
			sum += READ_ONCE(a[i]);
	return xp2m_bench_done(t, sum);
}
