/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The loops xp2m_m2p_bench times, in a file of their own: a function the
 * compiler sees called from module init alone (__init is __cold) would be
 * compiled as code that runs once, optimised for size. A caller's loop of
 * lookups is ordinary code; so are these, and the bare loads beside them.
 * Read them with objdump --disassemble=m2p_bench_find xp2m_m2p_bench.ko.
 */
#ifndef _XP2M_M2P_LOOPS_H
#define _XP2M_M2P_LOOPS_H

#include <linux/types.h>

struct xp2m_m2p;

/* One pass: xp2m_m2p_find_pfn() of each of the @nr frames @keys. */
u64 m2p_bench_find(struct xp2m_m2p *m2p, const unsigned long *keys,
		   unsigned long nr);
/* The baseline: a bare load of each of the words @idx of @a. */
u64 m2p_bench_array(const unsigned long *a, const unsigned long *idx,
		    unsigned long nr);

/* The words the lookups find, loaded from addresses worked out before. */
u64 m2p_bench_loads(const unsigned long *const *words, unsigned long nr);

#endif /* _XP2M_M2P_LOOPS_H */
