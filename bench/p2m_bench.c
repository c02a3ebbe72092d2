// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m_p2m_bench: figures of the p2m core, on the simulated machine.
 *
 * Lookups, through the tree and through the linear view, against a bare
 * load of the same words through the same mapping as the linear view
 * reads them (its own area): the physical limit. Construction against one
 * read pass over the boot list. Pages allocated beyond the list, for dense
 * guests and for sparse address spaces. Run it in UML built without debug
 * options (make bench) for native figures; Documentation/bench.rst says
 * what each figure is and shows the code of the loops (p2m_loops.c).
 */

#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/vmalloc.h>

#include <xp2m/kpte.h>
#include <xp2m/p2m.h>
#include <xp2m/sim.h>

#include "bench.h"
#include "p2m_loops.h"

#define GIB_PFNS	XP2M_MID_SPAN
#define RUNS		7
/* Lookups: a 16 GiB guest, 32 MiB of entries. */
#define LOOKUP_PFNS	(16 * GIB_PFNS)

/* Stops the compiler from dropping the loads it cannot see used. */
static unsigned long bench_sink;

struct bench_dom {
	struct xp2m_sim *sim;
	struct xp2m *p2m;
	struct xp2m_list list;
	unsigned long nr;
};

static int bench_build(struct bench_dom *d, unsigned long nr)
{
	struct xp2m_domain_spec spec = {
		.nr_pages = nr,
		.region_start = 0,
		.region_end = nr,
		.pattern = XP2M_MFNS_ASCENDING,
		.first_mfn = 1,
	};
	int err;

	memset(d, 0, sizeof(*d));
	d->nr = nr;
	d->sim = xp2m_sim_create("bench", nr + 65536 + 1024);
	if (!d->sim)
		return -ENOMEM;
	err = xp2m_build_domain(&d->sim->be, &spec, &d->list);
	if (err) {
		xp2m_sim_destroy(d->sim);
		d->sim = NULL;
	}
	return err;
}

static void bench_free(struct bench_dom *d)
{
	xp2m_destroy(d->p2m);
	if (d->list.mfns)
		xp2m_list_free(&d->list);
	xp2m_sim_destroy(d->sim);
	memset(d, 0, sizeof(*d));
}

/* One read pass over the list: what construction is measured against. */
static u64 bench_read_pass(const unsigned long *list, unsigned long nr)
{
	unsigned long i, sum = 0;
	u64 t = ktime_get_ns();

	for (i = 0; i < nr; i++)
		sum += list[i];
	t = ktime_get_ns() - t;
	WRITE_ONCE(bench_sink, bench_sink + sum);
	return t;
}

/*
 * Construction of a dense guest of @gib GiB, @runs times; with the read
 * pass over the same list before each.
 */
static void bench_construct(const char *tag, unsigned long gib, unsigned int runs,
			    unsigned long max_gib)
{
	u64 build[RUNS], read[RUNS], b, r;
	struct xp2m_counts n;
	struct bench_dom d;
	unsigned int i;
	char name[64];

	for (i = 0; i < runs; i++) {
		if (bench_build(&d, gib * GIB_PFNS)) {
			pr_err("xp2m_p2m_bench: cannot build a %lu GiB guest\n",
			       gib);
			return;
		}
		read[i] = bench_read_pass(d.list.mfns, d.nr);
		b = ktime_get_ns();
		d.p2m = xp2m_create("bench", &d.list, d.nr, max_gib * GIB_PFNS);
		build[i] = ktime_get_ns() - b;
		if (IS_ERR(d.p2m)) {
			pr_err("xp2m_p2m_bench: create: %ld\n", PTR_ERR(d.p2m));
			d.p2m = NULL;
			bench_free(&d);
			return;
		}
		if (i == runs - 1)
			xp2m_get_counts(d.p2m, &n);
		bench_free(&d);
		cond_resched();
	}
	b = xp2m_bench_median(build, runs);
	r = xp2m_bench_median(read, runs);
	snprintf(name, sizeof(name), "p2m_construct_%s_ms", tag);
	xp2m_bench_frac(name, b, NSEC_PER_MSEC, "ms");
	snprintf(name, sizeof(name), "p2m_read_pass_%s_ms", tag);
	xp2m_bench_frac(name, r, NSEC_PER_MSEC, "ms");
	snprintf(name, sizeof(name), "p2m_construct_vs_read_%s", tag);
	xp2m_bench_frac(name, b, r, "x");
	snprintf(name, sizeof(name), "p2m_pages_beyond_list_%s", tag);
	xp2m_bench_u64(name, n.private_leaves + n.mids + n.shared +
		       DIV_ROUND_UP(n.top_bytes, PAGE_SIZE), "pages");
	snprintf(name, sizeof(name), "p2m_leaves_per_extra_page_%s", tag);
	xp2m_bench_frac(name, n.grafted, n.private_leaves + n.mids + n.shared +
			DIV_ROUND_UP(n.top_bytes, PAGE_SIZE), "leaves");
}

/* A sparse space: 1 GiB of RAM in 1 TiB of pfns. Holes cost no leaves. */
static void bench_sparse(void)
{
	struct xp2m_counts n;
	struct bench_dom d;
	u64 t;

	if (bench_build(&d, GIB_PFNS))
		return;
	t = ktime_get_ns();
	d.p2m = xp2m_create("bench", &d.list, d.nr, 2 * XP2M_TREE_SPAN);
	t = ktime_get_ns() - t;
	if (IS_ERR(d.p2m)) {
		d.p2m = NULL;
		bench_free(&d);
		return;
	}
	xp2m_get_counts(d.p2m, &n);
	xp2m_bench_frac("p2m_construct_sparse_1t_ms", t, NSEC_PER_MSEC, "ms");
	xp2m_bench_u64("p2m_hole_leaf_pages_sparse_1t", n.private_leaves,
		       "pages");
	xp2m_bench_u64("p2m_pages_beyond_list_sparse_1t",
		       n.private_leaves + n.mids + n.shared +
		       DIV_ROUND_UP(n.top_bytes, PAGE_SIZE), "pages");
	bench_free(&d);
}

enum bench_loop {
	BENCH_ARRAY,
	BENCH_TREE,
	BENCH_WALK,
	BENCH_LINEAR,
	BENCH_CHECKED,
	BENCH_NR_LOOPS,
};

static const char * const bench_loop_name[BENCH_NR_LOOPS] = {
	[BENCH_ARRAY] = "array_load",
	[BENCH_TREE] = "p2m_lookup",
	[BENCH_WALK] = "p2m_walk",
	[BENCH_LINEAR] = "linear_lookup",
	[BENCH_CHECKED] = "linear_lookup_checked",
};

/* Whether loop @l runs: the linear ones need the view, checked is in order. */
static bool bench_loop_runs(unsigned int l, bool linear, const u32 *order)
{
	if (l == BENCH_LINEAR)
		return linear;
	if (l == BENCH_CHECKED)
		return linear && !order;
	return true;
}

/*
 * Each loop RUNS times over @order, the runs interleaved; the medians, in
 * ns. The bare loads go through the linear view's area where there is one
 * (the same pages as the boot list, which they read as fast through its
 * own mapping), so that a linear lookup and its baseline differ in nothing
 * but the lookup's own instructions.
 */
static void bench_loops(const struct bench_dom *d, bool linear,
			const u32 *order, u64 *median)
{
	const unsigned long *a = linear ? d->p2m->linear : d->p2m->list.mfns;
	u64 t[BENCH_NR_LOOPS][RUNS] = {};
	unsigned int r, l;

	for (r = 0; r < RUNS; r++) {
		t[BENCH_ARRAY][r] = p2m_bench_array(a, order, d->nr);
		t[BENCH_TREE][r] = p2m_bench_tree(d->p2m, order, d->nr);
		t[BENCH_WALK][r] = p2m_bench_walk(d->p2m, order, d->nr);
		if (bench_loop_runs(BENCH_LINEAR, linear, order))
			t[BENCH_LINEAR][r] = p2m_bench_linear(d->p2m, order,
							      d->nr);
		if (bench_loop_runs(BENCH_CHECKED, linear, order))
			t[BENCH_CHECKED][r] = p2m_bench_linear_checked(d->p2m,
								       d->nr);
		cond_resched();
	}
	for (l = 0; l < BENCH_NR_LOOPS; l++)
		median[l] = xp2m_bench_median(t[l], RUNS);
}

/*
 * Lookups in a guest of LOOKUP_PFNS pages: more entries than the L2 caches
 * of the test machine hold (its 480 MiB L3 holds them).
 */
static void bench_lookup(void)
{
	const unsigned long nr = LOOKUP_PFNS;
	u64 ns[BENCH_NR_LOOPS];
	struct rnd_state rnd;
	struct bench_dom d;
	unsigned int pass, l;
	unsigned long i;
	char name[64];
	bool linear;
	u32 *idx;

	if (bench_build(&d, nr))
		return;
	d.p2m = xp2m_create("bench", &d.list, d.nr, d.nr);
	if (IS_ERR(d.p2m)) {
		d.p2m = NULL;
		bench_free(&d);
		return;
	}
	linear = !xp2m_linear_build(d.p2m);
	idx = vmalloc_array(nr, sizeof(*idx));
	if (!idx) {
		bench_free(&d);
		return;
	}
	prandom_seed_state(&rnd, 1);
	for (i = 0; i < nr; i++)
		idx[i] = prandom_u32_state(&rnd) % nr;

	for (pass = 0; pass < 2; pass++) {
		const char *kind = pass ? "sequential" : "random";
		const u32 *order = pass ? NULL : idx;

		bench_loops(&d, linear, order, ns);
		for (l = 0; l < BENCH_NR_LOOPS; l++) {
			if (!bench_loop_runs(l, linear, order))
				continue;
			snprintf(name, sizeof(name), "%s_%s_ns",
				 bench_loop_name[l], kind);
			xp2m_bench_frac(name, ns[l], nr, "ns");
		}
		snprintf(name, sizeof(name), "p2m_lookup_vs_array_%s", kind);
		xp2m_bench_frac(name, ns[BENCH_TREE], ns[BENCH_ARRAY], "x");
		if (!linear)
			continue;
		snprintf(name, sizeof(name), "linear_lookup_vs_array_%s", kind);
		xp2m_bench_frac(name, ns[BENCH_LINEAR], ns[BENCH_ARRAY], "x");
		if (order)
			continue;
		xp2m_bench_frac("linear_lookup_checked_vs_array_sequential",
				ns[BENCH_CHECKED], ns[BENCH_ARRAY], "x");
	}
	vfree(idx);
	bench_free(&d);
}

/*
 * Free pages, those on the per-CPU lists included: a page freed goes there
 * first, where si_meminfo() does not count it, and building a linear view
 * frees thousands (the page-table pages vm_map_ram() made).
 */
static long bench_free_pages(void)
{
	long n = global_zone_page_state(NR_FREE_PAGES);
	struct zone *zone;
	unsigned int z;
	int nid, cpu;

	for_each_online_node(nid) {
		for (z = 0; z < MAX_NR_ZONES; z++) {
			zone = &NODE_DATA(nid)->node_zones[z];
			if (!populated_zone(zone))
				continue;
			for_each_online_cpu(cpu)
				n += per_cpu_ptr(zone->per_cpu_pageset,
						 cpu)->count;
		}
	}
	return n;
}

/*
 * A sparse address space of @tib TiB holding 1 GiB of RAM, with its linear
 * view: every page it costs the kernel (tree, page tables, the vmap area's
 * bookkeeping), measured as free memory before and after; then what of it
 * the kernel keeps once the p2m is destroyed (page tables of the vmalloc
 * space: the kernel never frees those). The simulated machine's own copy
 * of the view's page tables (what a toolstack walks in the tests) is left
 * out: the pages it binds to frames are counted apart, and those of them
 * the p2m allocated (tree and linear tables) are added back.
 */
static void bench_sparse_linear(unsigned long tib)
{
	unsigned long max = tib * 2 * XP2M_TREE_SPAN, p2m_bound;
	long before, after, sim_before, sim_after;
	struct xp2m_counts n;
	struct bench_dom d;
	char name[64];

	if (!xp2m_kpte_supported() || bench_build(&d, GIB_PFNS))
		return;
	sim_before = xp2m_sim_bound(d.sim);
	before = bench_free_pages();
	d.p2m = xp2m_create("bench", &d.list, d.nr, max);
	if (IS_ERR(d.p2m)) {
		d.p2m = NULL;
		bench_free(&d);
		return;
	}
	if (xp2m_linear_build(d.p2m)) {
		bench_free(&d);
		return;
	}
	after = bench_free_pages();
	sim_after = xp2m_sim_bound(d.sim);
	xp2m_get_counts(d.p2m, &n);
	p2m_bound = n.private_leaves + n.mids + n.shared + n.linear_tables;
	snprintf(name, sizeof(name), "linear_sparse_%lut_pages", tib);
	xp2m_bench_u64(name, before - after - (sim_after - sim_before) +
		       p2m_bound, "pages");
	snprintf(name, sizeof(name), "linear_sparse_%lut_tree_pages", tib);
	xp2m_bench_u64(name, n.private_leaves + n.mids + n.shared +
		       DIV_ROUND_UP(n.top_bytes, PAGE_SIZE), "pages");
	snprintf(name, sizeof(name), "linear_sparse_%lut_tables", tib);
	xp2m_bench_u64(name, n.linear_tables, "pages");
	snprintf(name, sizeof(name), "linear_sparse_%lut_slots", tib);
	xp2m_bench_u64(name, n.linear_slots, "slots");

	/* The boot list goes with the p2m: bound to the machine, counted so. */
	xp2m_destroy(d.p2m);
	d.p2m = NULL;
	after = bench_free_pages();
	sim_after = xp2m_sim_bound(d.sim);
	snprintf(name, sizeof(name), "linear_sparse_%lut_kept_pages", tib);
	xp2m_bench_u64(name, before - after - (sim_after - sim_before),
		       "pages");
	bench_free(&d);
}

static int __init p2m_bench_init(void)
{
	/*
	 * First, in a vmalloc space others have used least: page tables its
	 * area finds already there are not counted, and freeing them with
	 * the tables vm_map_ram() made counts as memory given back.
	 */
	bench_sparse_linear(16);
	bench_lookup();
	bench_construct("64g", 64, 3, 64);
	bench_construct("512g", 512, 1, 512);
	bench_sparse();
	return 0;
}

static void __exit p2m_bench_exit(void)
{
}

module_init(p2m_bench_init);
module_exit(p2m_bench_exit);

MODULE_DESCRIPTION("xp2m: benchmarks of the p2m core");
MODULE_LICENSE("GPL");
MODULE_VERSION(XP2M_VERSION);
