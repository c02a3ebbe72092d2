/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixtures shared by the core's KUnit suites: a simulated machine, a domain
 * built on it, its p2m, and snapshots to prove an operation changed nothing.
 */
#ifndef _XP2M_P2M_TEST_H
#define _XP2M_P2M_TEST_H

#include <kunit/test.h>

#include <xp2m/p2m.h>
#include <xp2m/sim.h>

#include "fault.h"

/**
 * struct t_ctx - what a test case works on; freed by t_exit()
 * @sim: the machine
 * @boot: a boot list not yet given to a p2m
 * @p2m: the p2m
 * @spec: the domain built
 * @extra: a suite's own state, torn down by its exit before t_exit()
 */
struct t_ctx {
	struct xp2m_sim *sim;
	struct xp2m_list boot;
	struct xp2m *p2m;
	struct xp2m_domain_spec spec;
	void *extra;
};

/* The frame the builder gave @pfn in an ascending domain. */
static inline unsigned long t_asc_mfn(const struct t_ctx *c, unsigned long pfn)
{
	return c->spec.first_mfn + pfn;
}

struct t_ctx *t_ctx(struct kunit *test);
void t_machine(struct kunit *test, unsigned long nr_frames);
void t_domain(struct kunit *test, unsigned long nr_pages,
	      enum xp2m_mfn_pattern pattern);
void t_p2m(struct kunit *test, unsigned long max_pfn);
void t_setup(struct kunit *test, unsigned long nr_pages, unsigned long max_pfn);
void t_exit(struct kunit *test);

/**
 * struct t_snap - all of a p2m's state an operation could change
 * @counts: page counts
 * @fll: published pfn_to_mfn_frame_list_list
 * @bound: pages bound on the machine
 * @leaf: per leaf: the page's address
 * @hash: per leaf: a hash of its entries
 * @fl_hash: hash over the frame list's pages, if built
 * @nr_leaves: leaves recorded
 * @list_pages: pages boot lists hold (xp2m_list_pages())
 */
struct t_snap {
	struct xp2m_counts counts;
	unsigned long fll;
	long bound;
	long list_pages;
	unsigned long *leaf;
	u32 *hash;
	u32 fl_hash;
	unsigned long nr_leaves;
};

void t_snap(struct kunit *test, struct xp2m *p2m, struct xp2m_sim *sim,
	    struct t_snap *s);
void t_snap_into(struct kunit *test, struct xp2m *p2m, struct xp2m_sim *sim,
		 struct t_snap *s);
void t_expect_same(struct kunit *test, const struct t_snap *a,
		   const struct t_snap *b);

/**
 * struct t_sweep - what an allocation-failure sweep (xp2m_fault_sweep()) of
 * an operation on the case's p2m compares
 * @before: the p2m before the run
 * @now: after it
 * @k: runs that went through: an operation that changes the p2m for good
 *	moves on to fresh ground with each
 */
struct t_sweep {
	struct t_snap before;
	struct t_snap now;
	unsigned long k;
};

void t_sweep_before(struct kunit *test, struct t_sweep *w);
bool t_sweep_failed(struct kunit *test, struct t_sweep *w, int err);

/* Files read and written as a user does; at most T_UBUF_SIZE bytes. */
#define T_UBUF_SIZE	(4 * PAGE_SIZE)

struct mm_struct;

struct mm_struct *t_user_mm_get(void);
void t_user_mm_put(struct mm_struct *mm);
ssize_t t_file_io(struct mm_struct *mm, const char *path, bool write,
		  char *kbuf, size_t len, size_t chunk);

#endif /* _XP2M_P2M_TEST_H */
