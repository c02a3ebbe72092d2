/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lookup loops xp2m_p2m_bench times, in a file of their own.
 *
 * A static function that the compiler sees called from module init alone
 * (__init is __cold) is compiled as code that runs once: optimised for
 * size and placed in .text.unlikely, with loops that are not rotated and
 * loads that are not hoisted out of them. A caller's loop of lookups is
 * ordinary code; so are these, and the bare loads compared with them.
 *
 * Each times one pass and returns it in ns; every result is added up and
 * kept. One function each, so that each loop is compiled alone and can be
 * read in the module (objdump --disassemble=p2m_bench_linear
 * xp2m_p2m_bench.ko; Documentation/bench.rst shows them).
 */
#ifndef _XP2M_P2M_LOOPS_H
#define _XP2M_P2M_LOOPS_H

#include <linux/types.h>

struct xp2m;

/*
 * Lookups of the @nr pfns @idx or, with @idx NULL, of every pfn of the p2m
 * in order, 0 to max_pfn - 1, as a reader of the whole p2m walks it.
 */
u64 p2m_bench_tree(const struct xp2m *p2m, const u32 *idx, unsigned long nr);
u64 p2m_bench_walk(const struct xp2m *p2m, const u32 *idx, unsigned long nr);
u64 p2m_bench_linear(const struct xp2m *p2m, const u32 *idx,
		     unsigned long nr);
/* Lookups of pfns 0 to @nr - 1, a bound the compiler cannot tie to max_pfn. */
u64 p2m_bench_linear_checked(const struct xp2m *p2m, unsigned long nr);
/* The baseline: bare loads of the words @idx of @a, or of @a[0..@nr - 1]. */
u64 p2m_bench_array(const unsigned long *a, const u32 *idx, unsigned long nr);

#endif /* _XP2M_P2M_LOOPS_H */
