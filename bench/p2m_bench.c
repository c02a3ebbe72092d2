// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m_p2m_bench: figures of the p2m core, on the simulated machine.
 *
 * Lookups, through the tree and through the linear view, against a bare
 * array load over the same data (the boot list's own pages, which the tree
 * grafts): the physical limit. Construction against one read pass over the
 * boot list. Pages allocated beyond the list, for dense guests and for
 * sparse address spaces. Run it in UML built without debug
 * options (make bench) for native figures.
 */

#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/vmalloc.h>

#include <xp2m/kpte.h>
#include <xp2m/p2m.h>
#include <xp2m/sim.h>

#include "bench.h"

#define GIB_PFNS	XP2M_MID_SPAN
#define RUNS		5

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

/* Lookups of @nr pfns in the order of @idx (NULL: sequential). */
static u64 bench_tree(const struct xp2m *p2m, const u32 *idx, unsigned long nr)
{
	unsigned long i, sum = 0;
	u64 t = ktime_get_ns();

	if (idx)
		for (i = 0; i < nr; i++)
			sum += xp2m_lookup(p2m, idx[i]);
	else
		for (i = 0; i < nr; i++)
			sum += xp2m_lookup(p2m, i);
	t = ktime_get_ns() - t;
	WRITE_ONCE(bench_sink, bench_sink + sum);
	return t;
}

static u64 bench_linear(const struct xp2m *p2m, const u32 *idx,
			unsigned long nr)
{
	unsigned long i, sum = 0;
	u64 t = ktime_get_ns();

	if (idx)
		for (i = 0; i < nr; i++)
			sum += xp2m_linear_lookup(p2m, idx[i]);
	else
		for (i = 0; i < nr; i++)
			sum += xp2m_linear_lookup(p2m, i);
	t = ktime_get_ns() - t;
	WRITE_ONCE(bench_sink, bench_sink + sum);
	return t;
}

static u64 bench_array(const unsigned long *a, const u32 *idx, unsigned long nr)
{
	unsigned long i, sum = 0;
	u64 t = ktime_get_ns();

	if (idx)
		for (i = 0; i < nr; i++)
			sum += READ_ONCE(a[idx[i]]);
	else
		for (i = 0; i < nr; i++)
			sum += READ_ONCE(a[i]);
	t = ktime_get_ns() - t;
	WRITE_ONCE(bench_sink, bench_sink + sum);
	return t;
}

/* A 16 GiB guest: 32 MiB of entries, larger than any cache. */
static void bench_lookup(void)
{
	const unsigned long nr = 16 * GIB_PFNS;
	u64 tree[RUNS], array[RUNS], lin[RUNS], tt, ta, tl;
	struct rnd_state rnd;
	struct bench_dom d;
	unsigned long i;
	const unsigned long *a;
	unsigned int r, pass;
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
	a = d.p2m->list.mfns;	/* the same pages the tree grafted */
	idx = vmalloc_array(nr, sizeof(*idx));
	if (!idx) {
		bench_free(&d);
		return;
	}
	prandom_seed_state(&rnd, 1);
	for (i = 0; i < nr; i++)
		idx[i] = prandom_u32_state(&rnd) % nr;

	for (pass = 0; pass < 2; pass++) {
		const u32 *order = pass ? NULL : idx;
		const char *kind = pass ? "sequential" : "random";
		char name[64];

		for (r = 0; r < RUNS; r++) {
			tree[r] = bench_tree(d.p2m, order, nr);
			array[r] = bench_array(a, order, nr);
			lin[r] = linear ? bench_linear(d.p2m, order, nr) : 0;
			cond_resched();
		}
		tt = xp2m_bench_median(tree, RUNS);
		ta = xp2m_bench_median(array, RUNS);
		tl = xp2m_bench_median(lin, RUNS);
		snprintf(name, sizeof(name), "p2m_lookup_%s_ns", kind);
		xp2m_bench_frac(name, tt, nr, "ns");
		snprintf(name, sizeof(name), "array_load_%s_ns", kind);
		xp2m_bench_frac(name, ta, nr, "ns");
		snprintf(name, sizeof(name), "p2m_lookup_vs_array_%s", kind);
		xp2m_bench_frac(name, tt, ta, "x");
		if (!linear)
			continue;
		snprintf(name, sizeof(name), "linear_lookup_%s_ns", kind);
		xp2m_bench_frac(name, tl, nr, "ns");
		snprintf(name, sizeof(name), "linear_lookup_vs_array_%s", kind);
		xp2m_bench_frac(name, tl, ta, "x");
		snprintf(name, sizeof(name), "linear_lookup_vs_tree_%s", kind);
		xp2m_bench_frac(name, tl, tt, "x");
	}
	vfree(idx);
	bench_free(&d);
}

/*
 * A sparse address space of @tib TiB holding 1 GiB of RAM, with its linear
 * view: every page it costs the kernel (tree, page tables, the vmap area's
 * bookkeeping), measured as free memory before and after, less what the
 * simulated machine keeps for its own copy of the page tables.
 */
static void bench_sparse_linear(unsigned long tib)
{
	unsigned long max = tib * 2 * XP2M_TREE_SPAN;
	long before, after, sim_before, sim_after;
	struct xp2m_counts n;
	struct bench_dom d;
	struct sysinfo si;
	char name[64];

	if (!xp2m_kpte_supported() || bench_build(&d, GIB_PFNS))
		return;
	sim_before = xp2m_sim_bound(d.sim);
	si_meminfo(&si);
	before = si.freeram;
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
	si_meminfo(&si);
	after = si.freeram;
	sim_after = xp2m_sim_bound(d.sim);
	xp2m_get_counts(d.p2m, &n);
	/* Pages the p2m itself allocated are bound on the machine too. */
	snprintf(name, sizeof(name), "linear_sparse_%lut_pages", tib);
	xp2m_bench_u64(name, before - after - (sim_after - sim_before) +
		       (n.private_leaves + n.mids + n.shared), "pages");
	snprintf(name, sizeof(name), "linear_sparse_%lut_tree_pages", tib);
	xp2m_bench_u64(name, n.private_leaves + n.mids + n.shared +
		       DIV_ROUND_UP(n.top_bytes, PAGE_SIZE), "pages");
	snprintf(name, sizeof(name), "linear_sparse_%lut_slots", tib);
	xp2m_bench_u64(name, n.linear_slots, "slots");
	bench_free(&d);
}

static int __init p2m_bench_init(void)
{
	bench_lookup();
	bench_construct("64g", 64, 3, 64);
	bench_construct("512g", 512, 1, 512);
	bench_sparse();
	bench_sparse_linear(16);
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
