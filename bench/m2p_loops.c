// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m_m2p_bench: the timed loops (m2p_loops.h). Each returns its pass's
 * time in ns and keeps what it read (xp2m_bench_done()).
 */

#include <linux/compiler.h>
#include <linux/ktime.h>

#include <xp2m/m2p.h>

#include "bench.h"
#include "m2p_loops.h"

u64 m2p_bench_find(struct xp2m_m2p *m2p, const unsigned long *keys,
		   unsigned long nr)
{
	unsigned long i, sum = 0;
	u64 t = ktime_get_ns();

	for (i = 0; i < nr; i++)
		sum += xp2m_m2p_find_pfn(m2p, keys[i]);
	return xp2m_bench_done(t, sum);
}

u64 m2p_bench_array(const unsigned long *a, const unsigned long *idx,
		    unsigned long nr)
{
	unsigned long i, sum = 0;
	u64 t = ktime_get_ns();

	for (i = 0; i < nr; i++)
		sum += READ_ONCE(a[idx[i]]);
	return xp2m_bench_done(t, sum);
}

u64 m2p_bench_loads(const unsigned long *const *words, unsigned long nr)
{
	unsigned long i, sum = 0;
	u64 t = ktime_get_ns();

	for (i = 0; i < nr; i++)
		sum += READ_ONCE(*words[i]);
	return xp2m_bench_done(t, sum);
}
