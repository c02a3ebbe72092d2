/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture of the KUnit suites on the simulated machine (xp2m_kunit.ko,
 * a file per feature): a machine, a domain built on it, its p2m, a suite's
 * own state torn down with them, snapshots to prove an operation changed
 * nothing, allocation-failure sweeps, and files read as a user reads them.
 */
#ifndef _XP2M_KUNIT_FIXTURE_H
#define _XP2M_KUNIT_FIXTURE_H

#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>

#include <xp2m/e820.h>
#include <xp2m/p2m.h>
#include <xp2m/sim.h>

#include "fault.h"

/* pfns in a GiB, and in @m MiB. */
#define GIB_PFNS	XP2M_MID_SPAN
#define MIB_PFNS(m)	((unsigned long)(m) << (20 - PAGE_SHIFT))

/*
 * The E820 example of the header comment of arch/x86/xen/p2m.c (Linux
 * 2.6.39 to 3.18): RAM to 1029 MB, ACPI and reserved, RAM from 2001 MB;
 * dom0_mem=max:3GB,1GB, so pfns past 1 GiB are not populated.
 */
#define HOLE_NR		(GIB_PFNS)		/* 1 GiB populated */
#define HOLE_MAX	(3 * GIB_PFNS)		/* max:3GB */
#define HOLE_START	263424UL		/* 1029 MB = 0x40500 */
#define HOLE_END	512256UL		/* 2001 MB = 0x7D100 */
#define HOLE_NR_E820	4

extern const struct xp2m_e820_entry hole_e820[HOLE_NR_E820];

/**
 * struct t_ctx - what a test case works on; freed by t_exit()
 * @sim: the machine
 * @boot: a boot list not yet given to a p2m
 * @p2m: the p2m
 * @spec: the domain built
 * @extra: a suite's own state
 * @extra_exit: tears @extra down, first thing in t_exit(); may be NULL
 */
struct t_ctx {
	struct xp2m_sim *sim;
	struct xp2m_list boot;
	struct xp2m *p2m;
	struct xp2m_domain_spec spec;
	void *extra;
	void (*extra_exit)(struct kunit *test, struct t_ctx *c);
};

/* The frame of a page of the p2m's (lowmem or vmalloc), as its machine says. */
static inline unsigned long t_virt_to_mfn(struct xp2m_backend *be,
					  const void *addr)
{
	return be->ops->page_to_mfn(be, is_vmalloc_addr(addr) ?
				    vmalloc_to_page(addr) : virt_to_page(addr));
}

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
void t_setup_on(struct kunit *test, unsigned long nr_frames,
		unsigned long nr_pages, unsigned long max_pfn);
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

/*
 * A sweep of the case's p2m kept in the case's @extra: its snapshot as the
 * before of a struct xp2m_fault_op, and the check after a run.
 */
struct t_sweep *t_case_sweep(struct kunit *test);
void t_case_snap(struct kunit *test, void *arg);
bool t_case_failed(struct kunit *test, int err);

/* Each run a pfn in a GiB no run touched: a mid, its frame-list page, a leaf. */
#define F_SPACE		(64 * GIB_PFNS)

/* Files read and written as a user does; at most T_UBUF_SIZE bytes. */
#define T_UBUF_SIZE	(4 * PAGE_SIZE)

struct mm_struct;

/*
 * The address space of the task that loaded the suites, taken by a suite's
 * suite_init (t_suite_init()) for its cases to read and write files with,
 * and let go by its suite_exit (t_suite_exit()).
 */
extern struct mm_struct *t_mm;

int t_suite_init(struct kunit_suite *suite);
void t_suite_exit(struct kunit_suite *suite);
ssize_t t_file_io(struct mm_struct *mm, const char *path, bool write,
		  char *kbuf, size_t len, size_t chunk);

#endif /* _XP2M_KUNIT_FIXTURE_H */
