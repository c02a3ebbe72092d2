// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m_x86_bench: figures of the live import in a Xen PV domain, printed as
 * "bench <name> <value> <unit>" lines when the module loads (make bench).
 *
 * Under QEMU's TCG nothing is cached and every figure is slow; only ratios
 * of two things measured in the same run mean anything. Every ratio names
 * its baseline:
 *
 *   x86_lookup_vs_pfn_to_mfn_{ram,span}
 *                                     xp2m_lookup() against __pfn_to_mfn(),
 *                                     the kernel's own lookup (inline: one
 *                                     load, calling get_phys_to_machine()
 *                                     for INVALID), for random pfns of the
 *                                     domain's pages (ram) and of the whole
 *                                     list (span, where the kernel takes
 *                                     its slow path on every hole), passes
 *                                     interleaved
 *   x86_linear_lookup_vs_pfn_to_mfn_* xp2m_linear_lookup(), through the
 *                                     instance's linear p2m, against it
 *   x86_tree_loads_vs_pfn_to_mfn_*    the tree's three dependent loads
 *                                     alone (top, mid, leaf: no bound, no
 *                                     test of the entry), against it: the
 *                                     floor of a lookup through the tree
 *   x86_lookup_vs_tree_loads_*        xp2m_lookup() against those loads
 *   x86_list_load_vs_pfn_to_mfn_*     __pfn_to_mfn()'s own load alone, from
 *                                     the kernel's list, against the whole
 *                                     of it: what its bound and its test
 *                                     of the entry cost
 *   x86_linear_build_vs_vmap_pfn      building the linear p2m against the
 *                                     one step of it the kernel's exports
 *                                     leave no way around: reserving its
 *                                     area, vmap_pfn() of a page per slot,
 *                                     alone (where CONFIG_VMAP_PFN is set)
 *   x86_linear_build_vs_vm_map_ram    the same against the reservation
 *                                     where vmap_pfn() is missing:
 *                                     vm_map_ram() of as many pages and the
 *                                     padding to a 1 GiB boundary, alone
 *   x86_aligned_min_vs_import         the smallest area the kernel's
 *                                     exports start on a 1 GiB boundary,
 *                                     vmap_pfn() of 512 MiB and a page,
 *                                     alone, against the import: the least
 *                                     a linear p2m of more than one GiB of
 *                                     pfns can cost, whatever its size
 *                                     (Documentation/linear.rst)
 *   x86_balloon_{increase,decrease}_hypercalls_per_page
 *                                     the balloon's reservation path
 *                                     (xp2m_balloon_increase() and
 *                                     _decrease()) over BAL_PAGES pages the
 *                                     kernel's balloon gave: every hypercall
 *                                     the module made, a page; the baseline
 *                                     is Linux's own balloon driver: one
 *                                     update_va_mapping a page, one
 *                                     memory_op a batch of 512
 *
 * and as plain figures: x86_import_ms, x86_verify_ms, x86_linear_build_ms,
 * x86_vm_map_ram_ms, x86_vmap_pfn_ms and x86_aligned_min_ms (of this run,
 * on one CPU); x86_own_gibs, the GiBs of pfns up to the last whose mid is
 * the instance's own (not a shared one); the
 * balloon path's hypercalls by kind (counts) and its time a page.
 *
 * Times are counted by the TSC of one CPU. Under TCG the vCPUs' TSCs
 * disagree (dom0 logs "Marking TSC unstable due to TSCs unsynchronized"),
 * and the xen clocksource then holds ktime at the highest value any CPU
 * has read (last_value in arch/x86/kernel/pvclock.c) until this CPU's
 * clock catches up: it stood still for up to 20 ms at a time, and a pass
 * of lookups, under a millisecond, could read 0 ns. So a pass runs with
 * preemption off, and what may sleep runs on one CPU (work_on_cpu()).
 */

#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include <asm/msr.h>
#include <asm/tsc.h>
#include <asm/xen/page.h>
#include <xen/balloon.h>

#include <xp2m/balloon.h>
#include <xp2m/x86.h>

#include "bench.h"

#define NR_PFNS		65536
#define ROUNDS		15

/* Every lookup's result is added here, so that none can be left out. */
static unsigned long bench_sink;

enum bench_lookup {
	BENCH_TREE,		/* xp2m_lookup() */
	BENCH_LINEAR,		/* xp2m_linear_lookup() */
	BENCH_KERNEL,		/* __pfn_to_mfn() */
	BENCH_LOADS,		/* the tree's three loads alone */
	BENCH_LIST,		/* __pfn_to_mfn()'s one load alone */
	BENCH_NR,
};

/*
 * The loops timed: a lookup of each of @pfns, the results added up. One
 * function each, not inlined, so that each is compiled alone and can be
 * read in the module (objdump --disassemble=bench_linear
 * xp2m_x86_bench.ko; Documentation/bench.rst shows them).
 */
static noinline unsigned long bench_tree(const struct xp2m *p2m,
					 const unsigned long *pfns)
{
	unsigned long sum = 0;
	unsigned int i;

	for (i = 0; i < NR_PFNS; i++)
		sum += xp2m_lookup(p2m, pfns[i]);
	return sum;
}

static noinline unsigned long bench_linear(const struct xp2m *p2m,
					   const unsigned long *pfns)
{
	unsigned long sum = 0;
	unsigned int i;

	for (i = 0; i < NR_PFNS; i++)
		sum += xp2m_linear_lookup(p2m, pfns[i]);
	return sum;
}

/*
 * What xp2m_lookup() cannot do without: its three dependent loads, top,
 * mid and leaf, with no bound and no test of the entry (xp2m_lookup_raw()).
 */
static noinline unsigned long bench_loads(const struct xp2m *p2m,
					  const unsigned long *pfns)
{
	unsigned long sum = 0;
	unsigned int i;

	for (i = 0; i < NR_PFNS; i++)
		sum += xp2m_lookup_raw(p2m, pfns[i]);
	return sum;
}

/* What __pfn_to_mfn() cannot do without: its load from the kernel's list. */
static noinline unsigned long bench_list(const unsigned long *pfns)
{
	unsigned long sum = 0;
	unsigned int i;

	for (i = 0; i < NR_PFNS; i++)
		sum += READ_ONCE(xen_p2m_addr[pfns[i]]);
	return sum;
}

static noinline unsigned long bench_kernel(const unsigned long *pfns)
{
	unsigned long sum = 0;
	unsigned int i;

	for (i = 0; i < NR_PFNS; i++)
		sum += __pfn_to_mfn(pfns[i]);
	return sum;
}

/* One pass of @which over @pfns, on this CPU: the TSC cycles it took. */
static u64 bench_pass(const struct xp2m *p2m, const unsigned long *pfns,
		      enum bench_lookup which)
{
	unsigned long sum;
	u64 t0;

	preempt_disable();
	t0 = rdtsc_ordered();
	if (which == BENCH_TREE)
		sum = bench_tree(p2m, pfns);
	else if (which == BENCH_LINEAR)
		sum = bench_linear(p2m, pfns);
	else if (which == BENCH_LOADS)
		sum = bench_loads(p2m, pfns);
	else if (which == BENCH_LIST)
		sum = bench_list(pfns);
	else
		sum = bench_kernel(pfns);
	t0 = rdtsc_ordered() - t0;
	preempt_enable();
	WRITE_ONCE(bench_sink, bench_sink + sum);
	return t0;
}

/*
 * The median time of a pass of each lookup over @pfns, the passes of the
 * five interleaved round by round, so that a change of the emulator's
 * speed during the run weighs on all five alike; in TSC cycles.
 */
static void bench_lookups(const struct xp2m *p2m, const unsigned long *pfns,
			  u64 *median)
{
	u64 samples[BENCH_NR][ROUNDS];
	unsigned int r, w;

	for (r = 0; r < ROUNDS; r++) {
		for (w = 0; w < BENCH_NR; w++)
			samples[w][r] = bench_pass(p2m, pfns, w);
		cond_resched();
	}
	for (w = 0; w < BENCH_NR; w++)
		median[w] = xp2m_bench_median(samples[w], ROUNDS);
}

static void bench_ratio(const char *name, u64 ours, u64 theirs)
{
	xp2m_bench_frac(name, ours, theirs, "x");
}

/*
 * Our lookups of @pfns, through the tree and the linear view, against the
 * kernel's inline __pfn_to_mfn(), its own lookup (one load, calling
 * get_phys_to_machine() only for INVALID), all in one run; the ratios'
 * names end in _@set.
 */
static void bench_vs_kernel(const struct xp2m *p2m, const unsigned long *pfns,
			    const char *set)
{
	u64 ns[BENCH_NR];
	char name[64];

	bench_lookups(p2m, pfns, ns);
	snprintf(name, sizeof(name), "x86_lookup_vs_pfn_to_mfn_%s", set);
	bench_ratio(name, ns[BENCH_TREE], ns[BENCH_KERNEL]);
	snprintf(name, sizeof(name), "x86_linear_lookup_vs_pfn_to_mfn_%s", set);
	bench_ratio(name, ns[BENCH_LINEAR], ns[BENCH_KERNEL]);
	snprintf(name, sizeof(name), "x86_tree_loads_vs_pfn_to_mfn_%s", set);
	bench_ratio(name, ns[BENCH_LOADS], ns[BENCH_KERNEL]);
	snprintf(name, sizeof(name), "x86_lookup_vs_tree_loads_%s", set);
	bench_ratio(name, ns[BENCH_TREE], ns[BENCH_LOADS]);
	snprintf(name, sizeof(name), "x86_list_load_vs_pfn_to_mfn_%s", set);
	bench_ratio(name, ns[BENCH_LIST], ns[BENCH_KERNEL]);
}

#define BAL_PAGES	8192

/*
 * The module's hypercalls from @from to @to over @pages pages: by kind
 * (counts), and all of them a page.
 */
static void bench_hypercalls(const char *dir, const unsigned long *from,
			     const unsigned long *to, unsigned long pages)
{
	unsigned long total = 0, n;
	unsigned int i;
	char name[80];

	for (i = 0; i < XP2M_X86_NR_HCALLS; i++) {
		n = to[i] - from[i];
		total += n;
		/* Grants and M2P writes are no part of the reservation. */
		if (i == XP2M_X86_GRANT_TABLE_OP || i == XP2M_X86_MMU_UPDATE)
			continue;
		snprintf(name, sizeof(name), "x86_balloon_%s_%s", dir,
			 xp2m_x86_hcall_name(i));
		xp2m_bench_u64(name, n, "hypercalls");
	}
	snprintf(name, sizeof(name), "x86_balloon_%s_hypercalls_per_page", dir);
	xp2m_bench_frac(name, total, pages, "hypercalls");
}

static void bench_hypercalls_now(unsigned long *n)
{
	unsigned int i;

	for (i = 0; i < XP2M_X86_NR_HCALLS; i++)
		n[i] = xp2m_x86_hypercalls(i);
}

/*
 * The reservation path on pages the kernel's balloon gives us without
 * frames: in, then out again, timed, with the hypercalls counted.
 */
static int bench_balloon(void)
{
	unsigned long *pfns, lo = ULONG_MAX, hi = 0, i;
	unsigned long hc[3][XP2M_X86_NR_HCALLS];
	struct page **pages;
	struct xp2m_balloon b;
	struct xp2m_x86 *x = NULL;
	u64 t, tin = 0, tout = 0;
	long in = 0, out = 0;
	int err;

	pages = kvcalloc(BAL_PAGES, sizeof(*pages), GFP_KERNEL);
	pfns = kvcalloc(BAL_PAGES, sizeof(*pfns), GFP_KERNEL);
	err = pages && pfns ? xen_alloc_ballooned_pages(BAL_PAGES, pages) :
			      -ENOMEM;
	if (err)
		goto out_free;
	for (i = 0; i < BAL_PAGES; i++) {
		pfns[i] = page_to_pfn(pages[i]);
		lo = min(lo, pfns[i]);
		hi = max(hi, pfns[i] + 1);
	}
	/* Imported now, with those pages missing. */
	x = xp2m_x86_import("bench-balloon");
	if (IS_ERR(x)) {
		err = PTR_ERR(x);
		x = NULL;
		goto out_pages;
	}
	err = xp2m_balloon_init(&b, x->p2m, lo, hi);
	if (err)
		goto out_pages;
	bench_hypercalls_now(hc[0]);
	t = ktime_get_ns();
	in = xp2m_balloon_increase(&b, pfns, BAL_PAGES);
	tin = ktime_get_ns() - t;
	bench_hypercalls_now(hc[1]);
	if (in > 0) {
		t = ktime_get_ns();
		out = xp2m_balloon_decrease(&b, pfns, in);
		tout = ktime_get_ns() - t;
	}
	bench_hypercalls_now(hc[2]);
	if (in != BAL_PAGES || out != in) {
		pr_warn("x86_bench: balloon: %ld pages in, %ld out, of %d\n",
			in, out, BAL_PAGES);
		err = -EIO;
	} else {
		xp2m_bench_u64("x86_balloon_pages", BAL_PAGES, "pages");
		bench_hypercalls("increase", hc[0], hc[1], BAL_PAGES);
		bench_hypercalls("decrease", hc[1], hc[2], BAL_PAGES);
		xp2m_bench_frac("x86_balloon_increase_us_per_page", tin,
				BAL_PAGES * NSEC_PER_USEC, "us");
		xp2m_bench_frac("x86_balloon_decrease_us_per_page", tout,
				BAL_PAGES * NSEC_PER_USEC, "us");
	}
	xp2m_balloon_destroy(&b);
out_pages:
	/* Any page still with a frame would leak it into the balloon's list. */
	if (in <= 0 || out == in)
		xen_free_ballooned_pages(BAL_PAGES, pages);
	xp2m_x86_free(x);
out_free:
	kvfree(pages);
	kvfree(pfns);
	return err;
}

/* What bench_make() did, on one CPU: the instance and what each step took. */
struct bench_make {
	struct xp2m_x86 *x;
	struct xp2m_x86_report *rep;
	u64 import;		/* TSC cycles of each step */
	u64 verify;
	u64 vmap;
	u64 vmap_pfn;
	u64 aligned;
	u64 build;
};

/*
 * vm_map_ram() of as many pages as the linear view's area takes, over one
 * page, alone: the PTE it writes for each (one hypercall each under Xen
 * PV, 6.1 batching none of them) is what building the view cannot avoid
 * where the kernel has no vmap_pfn() (Documentation/bench.rst). The area:
 * a page of addresses per slot, and up to 1 GiB more to reach an aligned
 * start (Documentation/linear.rst).
 */
static int bench_vm_map_ram(struct bench_make *b)
{
	unsigned long n = b->x->p2m->nr_mids * XP2M_PER_PAGE +
			  SZ_1G / PAGE_SIZE - 1, i;
	struct page *dummy = alloc_page(GFP_KERNEL), **pages;
	void *area = NULL;
	u64 t;

	pages = kvmalloc_array(n, sizeof(*pages), GFP_KERNEL);
	if (pages && dummy) {
		for (i = 0; i < n; i++)
			pages[i] = dummy;
		t = rdtsc_ordered();
		area = vm_map_ram(pages, n, NUMA_NO_NODE);
		b->vmap = rdtsc_ordered() - t;
	}
	if (area)
		vm_unmap_ram(area, n);
	kvfree(pages);
	if (dummy)
		__free_page(dummy);
	return area ? 0 : -ENOMEM;
}

/*
 * vmap_pfn() of @n pages alone, its PTEs mapping nothing (a pfn past the
 * CPU's physical address width, PAGE_NONE), written by plain stores that
 * Xen traps and emulates (vmap_pfn_apply() in mm/vmalloc.c); the TSC
 * cycles in @cycles. The area must start on a 1 GiB boundary: -EXDEV if it
 * does not.
 */
static int bench_vmap_pfn_of(unsigned long n, u64 *cycles)
{
	unsigned long i, *pfns;
	void *area = NULL;
	u64 t;

	pfns = kvmalloc_array(n, sizeof(*pfns), GFP_KERNEL);
	if (pfns) {
		for (i = 0; i < n; i++)
			pfns[i] = PHYS_PFN(BIT_ULL(boot_cpu_data.x86_phys_bits));
		t = rdtsc_ordered();
		area = vmap_pfn(pfns, n, PAGE_NONE);
		*cycles = rdtsc_ordered() - t;
	}
	kvfree(pfns);
	if (!area)
		return -ENOMEM;
	vunmap(area);
	return IS_ALIGNED((unsigned long)area, SZ_1G) ? 0 : -EXDEV;
}

/*
 * The reservation the build makes where the kernel has vmap_pfn()
 * (CONFIG_VMAP_PFN): a page per slot, 1 GiB at least, aligned already and
 * so with no padding. And the smallest area it aligns to 1 GiB: an area's
 * start is aligned to its size rounded up to a power of two, up to
 * IOREMAP_MAX_ORDER (get_vm_area_caller() with VM_IOREMAP), so 512 MiB
 * and a page. The toolstack's walk wants that alignment of every list of
 * more than one page-table page of leaves (Documentation/linear.rst).
 */
static int bench_vmap_pfn(struct bench_make *b)
{
	unsigned long n = max(b->x->p2m->nr_mids * XP2M_PER_PAGE,
			      SZ_1G / PAGE_SIZE);
	int err;

	err = bench_vmap_pfn_of(n, &b->vmap_pfn);
	if (!err)
		err = bench_vmap_pfn_of(SZ_512M / PAGE_SIZE + 1, &b->aligned);
	return err;
}

/* GiBs of pfns up to the last whose mid is the instance's own. */
static unsigned long bench_own_gibs(const struct xp2m *p2m)
{
	unsigned long g = p2m->nr_mids;

	while (g && (p2m->top[g - 1] == p2m->missing_mid ||
		     p2m->top[g - 1] == p2m->identity_mid))
		g--;
	return g;
}

/* Import the running kernel's p2m, verify it, build its linear view. */
static long bench_make(void *arg)
{
	struct bench_make *b = arg;
	int err;
	u64 t;

	t = rdtsc_ordered();
	b->x = xp2m_x86_import("bench");
	b->import = rdtsc_ordered() - t;
	if (IS_ERR(b->x))
		return PTR_ERR(b->x);
	t = rdtsc_ordered();
	err = xp2m_x86_verify(b->x, b->rep);
	b->verify = rdtsc_ordered() - t;
	if (!err)
		err = bench_vm_map_ram(b);
	if (!err && IS_ENABLED(CONFIG_VMAP_PFN))
		err = bench_vmap_pfn(b);
	if (err)
		return err;
	t = rdtsc_ordered();
	err = xp2m_linear_build(b->x->p2m);
	b->build = rdtsc_ordered() - t;
	return err;
}

/* @cycles of the TSC in milliseconds. */
static void bench_ms(const char *name, u64 cycles)
{
	xp2m_bench_frac(name, cycles, tsc_khz, "ms");
}

static int __init x86_bench_init(void)
{
	struct bench_make b = {};
	unsigned long *pfns, i;
	struct rnd_state rnd;
	struct xp2m_x86 *x;
	long err;

	b.rep = xp2m_x86_report_alloc(4);
	pfns = kvmalloc_array(NR_PFNS, sizeof(*pfns), GFP_KERNEL);
	err = b.rep && pfns ? 0 : -ENOMEM;
	if (!err)
		err = work_on_cpu(raw_smp_processor_id(), bench_make, &b);
	x = IS_ERR(b.x) ? NULL : b.x;
	if (err)
		goto out;
	if (b.rep->mismatched)
		pr_warn("x86_bench: %lu pfns disagree\n", b.rep->mismatched);

	xp2m_bench_u64("x86_span_pfns", x->p2m->max_pfn, "pfns");
	xp2m_bench_u64("x86_ram_pfns", b.rep->ours[XP2M_TYPE_PFN], "pfns");
	bench_ms("x86_import_ms", b.import);
	bench_ms("x86_verify_ms", b.verify);
	bench_ms("x86_linear_build_ms", b.build);
	bench_ms("x86_vm_map_ram_ms", b.vmap);
	bench_ratio("x86_linear_build_vs_vm_map_ram", b.build, b.vmap);
	if (IS_ENABLED(CONFIG_VMAP_PFN)) {
		bench_ms("x86_vmap_pfn_ms", b.vmap_pfn);
		bench_ratio("x86_linear_build_vs_vmap_pfn", b.build,
			    b.vmap_pfn);
		bench_ms("x86_aligned_min_ms", b.aligned);
		bench_ratio("x86_aligned_min_vs_import", b.aligned, b.import);
	}
	xp2m_bench_u64("x86_own_gibs", bench_own_gibs(x->p2m), "GiBs");

	prandom_seed_state(&rnd, 42);
	for (i = 0; i < NR_PFNS; i++)
		pfns[i] = prandom_u32_state(&rnd) % x->p2m->nr_pages;
	bench_vs_kernel(x->p2m, pfns, "ram");

	for (i = 0; i < NR_PFNS; i++)
		pfns[i] = ((u64)prandom_u32_state(&rnd) << 32 |
			   prandom_u32_state(&rnd)) % x->p2m->max_pfn;
	bench_vs_kernel(x->p2m, pfns, "span");
	err = bench_balloon();
out:
	kvfree(pfns);
	kvfree(b.rep);
	xp2m_x86_free(x);
	return err;
}

static void __exit x86_bench_exit(void)
{
}

module_init(x86_bench_init);
module_exit(x86_bench_exit);

MODULE_DESCRIPTION("xp2m: benchmark of the live import in a Xen PV domain");
MODULE_LICENSE("GPL");
MODULE_VERSION(XP2M_VERSION);
