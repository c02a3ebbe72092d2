/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture of xp2m_x86's KUnit suites (xp2m_x86_kunit.ko, run in a Xen
 * PV dom0, a file per feature: x86_map_kunit.c, x86_backend_kunit.c,
 * x86_live_kunit.c, x86_grant_kunit.c, x86_reservation_kunit.c): instances
 * imported from the running kernel and freed with every page back, their
 * verification, the kernel's own p2m as the cases look at it, and the
 * module's hypercalls.
 */
#ifndef _XP2M_KUNIT_X86_FIXTURE_H
#define _XP2M_KUNIT_X86_FIXTURE_H

#include <kunit/test.h>

#include <xp2m/x86.h>

#include "fault.h"

/* An E820 entry [start, end), as the tables below write them. */
struct t_e820 {
	u64 start;
	u64 end;
	u32 type;
};

#define E(s, e, t)	{ .start = (s), .end = (e), .type = (t) }
#define R(s, e)		{ .start = (s), .end = (e) }

struct live_ctx {
	struct xp2m_x86 *x[2];
	struct xp2m_x86_report *rep;
};

struct xp2m_e820_entry *t_hv(struct kunit *test, const struct t_e820 *t,
			     unsigned int nr);
struct live_ctx *live_ctx(struct kunit *test);
int live_init(struct kunit *test);
void live_exit(struct kunit *test);
long t_own_pages(const struct xp2m *p2m);
void t_free(struct kunit *test, struct xp2m_x86 *x);
struct xp2m_x86 *t_import(struct kunit *test, unsigned int slot);
struct xp2m_x86_report *t_verify(struct kunit *test, struct xp2m_x86 *x,
				 unsigned int max_listed);
void t_expect_clean(struct kunit *test, const struct xp2m_x86_report *rep);
void t_expect_run(struct kunit *test, const struct xp2m_x86_mismatch *r,
		  unsigned long pfn, unsigned long nr, enum xp2m_x86_kind kind,
		  unsigned long ours, unsigned long kernel, unsigned long m2p);
long t_reservation(void);
u64 t_kmap_pte(struct page *page);
unsigned long *t_kernel_leaf(unsigned long pfn);
int t_store_nofault(unsigned long *dst, unsigned long v);
void t_follow(struct kunit *test, struct xp2m_x86 *x);
bool t_kernel_hole(unsigned long pfn);
unsigned long t_shared_gib(struct kunit *test, const struct xp2m *p2m);
unsigned long t_shared_value(const struct xp2m *p2m, unsigned long pfn);
unsigned long t_other_value(const struct xp2m *p2m, unsigned long pfn);
void t_hypercalls(unsigned long *n);

#endif /* _XP2M_KUNIT_X86_FIXTURE_H */
