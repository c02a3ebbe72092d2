/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture of the ARM module's KUnit suites (xp2m_arm_kunit.ko, a file
 * per feature: arm_lpae_kunit.c, arm_vlpt_kunit.c, arm_logdirty_kunit.c,
 * arm_foreign_kunit.c): a stage-2 p2m with a simulated guest TLB, a guest's
 * foreign-range tree, their state as text, and allocation-failure sweeps.
 */
#ifndef _XP2M_KUNIT_ARM_FIXTURE_H
#define _XP2M_KUNIT_ARM_FIXTURE_H

#include <kunit/test.h>
#include <linux/srcu.h>

#include <xp2m/arm.h>
#include <xp2m/entry.h>

#include "fault.h"

#define PG		XP2M_ARM_THIRD_SIZE
#define MIB		BIT_ULL(20)
#define GIB		BIT_ULL(30)
#define PFN(gpa)	((gpa) >> XP2M_ARM_THIRD_SHIFT)

/* Xen's guest memory map on ARM (public/arch-arm.h). */
#define T_GICD		0x03001000ULL
#define T_GNTTAB	0x38000000ULL
#define T_RAM0		0x40000000ULL
#define T_RAM1		0x200000000ULL

#define T_RW		(XP2M_ARM_R | XP2M_ARM_W)
#define T_NO_VLPT	"no VLPT here: this kernel cannot change single PTEs of a vmap() area"
#define T_RX		(XP2M_ARM_R | XP2M_ARM_X)

/**
 * struct t_arm - what a test case works on; freed by t_exit()
 * @p2m: the stage-2 p2m
 * @flushes: guest TLB flushes the p2m asked for
 * @ft: a guest's foreign-range tree
 * @ft_live: @ft was initialised
 * @tlb: if set, vCPUs also keep translations inside its read-side
 *	sections, across sleeps (logdirty_race), and a flush waits for them
 */
struct t_arm {
	struct xp2m_arm_p2m *p2m;
	atomic_t flushes;
	struct srcu_struct *tlb;
	struct xp2m_arm_foreign ft;
	bool ft_live;
};

/*
 * Allocation failures: every allocation of each operation failed in turn,
 * the kernel's own on its behalf included (xp2m_fault_sweep()). A failure
 * must give -ENOMEM with the p2m or the tree exactly as before (its dump
 * and counts, t_state()) and no page of the module kept (xp2m_arm_pages();
 * slab objects: kmemleak, after the run). A run that went through is
 * checked and undone, so that the next starts where this one did.
 */
struct t_fault {
	struct xp2m_arm_p2m *p2m;	/* what the operation changes, or NULL */
	struct xp2m_arm_foreign *ft;
	char *state;
	long pages;
	const void *arg;		/* the operation's own */
};

u64 t_scale(u64 uml, u64 other);
struct t_arm *t_ctx(struct kunit *test);
void t_exit(struct kunit *test);
struct xp2m_arm_p2m *t_p2m(struct kunit *test, unsigned int ipa_bits);
void t_map(struct kunit *test, struct xp2m_arm_p2m *p2m, u64 gpa,
	   unsigned long mfn, unsigned long nr, enum xp2m_arm_type type,
	   unsigned int perms);
void t_vlpt(struct kunit *test, struct xp2m_arm_p2m *p2m, u64 start, u64 end);
struct xp2m_arm_stats t_stats(struct xp2m_arm_p2m *p2m);
char *t_state(struct kunit *test, struct xp2m_arm_p2m *p2m,
	      struct xp2m_arm_foreign *ft);
unsigned long t_expect_vlpt_is_walk(struct kunit *test,
				    struct xp2m_arm_p2m *p2m, u64 start,
				    u64 end);
void t_fault_before(struct kunit *test, void *arg);
bool t_fault_failed(struct kunit *test, struct t_fault *f, int err);

#endif /* _XP2M_KUNIT_ARM_FIXTURE_H */
