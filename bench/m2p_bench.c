// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m_m2p_bench: figures of the m2p override and the balloon hooks, on the
 * simulated machine, without hypercalls: override lookups at 1K, 64K and
 * 1M entries, of consecutive foreign frames (the best case for the table's
 * index by frame, whose leaves are then full) and of frames scattered over
 * 128 GiB of a host's (as the grant mappings of many backends give, a few
 * in each leaf), each against its physical limit, a bare
 * load at random from an array of as many entries, in the same run;
 * add+remove pairs per second, the balloon path's p2m update per page.
 */

#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/vmalloc.h>

#include <xp2m/balloon.h>
#include <xp2m/m2p.h>
#include <xp2m/sim.h>

#include "bench.h"
#include "m2p_loops.h"

#define MAX_OVERRIDES	BIT(20)
#define LOOKUPS		BIT(21)
#define RUNS		5
/* The machine: 256 GiB of frames; scattered frames lie in its upper half. */
#define NR_FRAMES	BIT(26)
#define SCATTER_BASE	BIT(25)
#define SCATTER_SPAN	BIT(25)

struct m2p_bench {
	struct xp2m_sim *sim;
	struct xp2m *p2m;
	struct xp2m_m2p m2p;
	struct xp2m_balloon b;
	unsigned long first;	/* first pfn of the overridden range */
	unsigned long *frames;	/* the foreign frame of override i */
	unsigned long *keys;	/* frames to look up, in order */
	unsigned long *idx;	/* indices of @bare to load, in the same order */
	const unsigned long **words;	/* where the index keeps each key's pfn */
	unsigned long *bare;	/* MAX_OVERRIDES words: the bare loads' array */
};

/* One at a time, and too large for the stack of a benchmark run. */
static struct m2p_bench m2p_bench;

/* A 4 GiB domain with 1M ballooned-out pfns after it, and frames to grant. */
static int m2p_bench_setup(struct m2p_bench *mb)
{
	const unsigned long nr = 1UL << 20;
	struct xp2m_domain_spec spec = {
		.nr_pages = nr, .region_start = 0, .region_end = nr,
		.pattern = XP2M_MFNS_ASCENDING, .first_mfn = 1,
	};
	struct xp2m_list list;
	int err;

	memset(mb, 0, sizeof(*mb));
	mb->sim = xp2m_sim_create("m2p-bench", NR_FRAMES);
	if (!mb->sim)
		return -ENOMEM;
	err = xp2m_build_domain(&mb->sim->be, &spec, &list);
	if (err)
		goto out_sim;
	mb->p2m = xp2m_create("m2p-bench", &list, nr, nr + MAX_OVERRIDES);
	if (IS_ERR(mb->p2m)) {
		err = PTR_ERR(mb->p2m);
		xp2m_list_free(&list);
		goto out_sim;
	}
	err = xp2m_balloon_init(&mb->b, mb->p2m, 0, nr + MAX_OVERRIDES);
	if (err)
		goto out_p2m;
	xp2m_m2p_init(&mb->m2p, mb->p2m);
	mb->first = nr;
	return 0;

out_p2m:
	xp2m_destroy(mb->p2m);
out_sim:
	xp2m_sim_destroy(mb->sim);
	return err;
}

static void m2p_bench_teardown(struct m2p_bench *mb)
{
	xp2m_m2p_destroy(&mb->m2p);
	xp2m_balloon_destroy(&mb->b);
	xp2m_destroy(mb->p2m);
	/* Overrides are freed after a grace period. */
	rcu_barrier();
	xp2m_sim_destroy(mb->sim);
}

/*
 * The foreign frames of the overrides: consecutive from just past the
 * domain's, or scattered over the upper half of the machine's frames
 * (distinct: an odd multiplier is a bijection modulo a power of two).
 */
static void m2p_bench_frames(struct m2p_bench *mb, bool scattered)
{
	unsigned long i;

	for (i = 0; i < MAX_OVERRIDES; i++)
		mb->frames[i] = scattered ?
				SCATTER_BASE + (i * 0x9e3779b1UL) % SCATTER_SPAN :
				2 * mb->first + i;
}

/* Where the table's index by frame keeps the pfn of each of @mb->keys. */
static void m2p_bench_words(struct m2p_bench *mb)
{
	const struct xp2m_m2p_dir *dir = rcu_access_pointer(mb->m2p.dir);
	unsigned long i, mfn;

	for (i = 0; i < LOOKUPS; i++) {
		mfn = mb->keys[i];
		mb->words[i] = rcu_access_pointer(dir->leaf[mfn / XP2M_PER_PAGE]) +
			       mfn % XP2M_PER_PAGE;
	}
}

/*
 * Grow the table to @n overrides; look up random ones among the first
 * @among (all of them: memory-bound once the table outgrows the caches; a
 * fixed hot set: the structure's own cost), and load as many words at
 * random from an array of @among, the physical limit, in the same order;
 * and load the words the lookups find, from addresses worked out before,
 * which is what is left of a lookup without its index. RUNS passes of
 * each, interleaved, so that all see the machine alike. The medians, in
 * @t[0] (lookups), @t[1] (bare loads) and @t[2] (the words); false if the
 * table could not grow.
 */
static bool m2p_bench_lookup(struct m2p_bench *mb, unsigned long *have,
			     unsigned long n, unsigned long among,
			     const u32 *order, u64 *t)
{
	u64 pass[3][RUNS];
	unsigned long i;
	unsigned int r;

	for (; *have < n; (*have)++)
		if (xp2m_m2p_add(&mb->m2p, mb->first + *have, NULL,
				 mb->frames[*have], 0))
			return false;
	for (i = 0; i < LOOKUPS; i++) {
		mb->idx[i] = order[i] % among;
		mb->keys[i] = mb->frames[mb->idx[i]];
	}
	m2p_bench_words(mb);
	for (r = 0; r < RUNS; r++) {
		pass[0][r] = m2p_bench_find(&mb->m2p, mb->keys, LOOKUPS);
		pass[1][r] = m2p_bench_array(mb->bare, mb->idx, LOOKUPS);
		pass[2][r] = m2p_bench_loads(mb->words, LOOKUPS);
		cond_resched();
	}
	for (i = 0; i < ARRAY_SIZE(pass); i++)
		t[i] = xp2m_bench_median(pass[i], RUNS);
	return true;
}

/*
 * Pages the table takes: slab memory (the overrides, the XArrays' nodes,
 * the directory of the index by frame, a kmalloc()) and the index's leaves.
 */
static unsigned long m2p_bench_pages(struct m2p_bench *mb)
{
	return global_node_page_state_pages(NR_SLAB_RECLAIMABLE_B) +
	       global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B) +
	       mb->m2p.leaves;
}

/*
 * Lookups at 1K, 64K and 1M overrides of the frames @mb->frames, over the
 * whole table and over a hot set of 1K, each against bare loads from an
 * array of as many words; the memory a million take; the table emptied
 * again. @kind goes into the figures' names.
 */
static void m2p_bench_sizes(struct m2p_bench *mb, const char *kind,
			    const u32 *order)
{
	static const unsigned long sizes[] = { 1UL << 10, 1UL << 16, 1UL << 20 };
	u64 all[ARRAY_SIZE(sizes)][3], hot[ARRAY_SIZE(sizes)][3];
	unsigned long have = 0, i, pages = m2p_bench_pages(mb);
	unsigned int s;
	char name[64];

	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		if (!m2p_bench_lookup(mb, &have, sizes[s], sizes[s], order,
				      all[s]) ||
		    !m2p_bench_lookup(mb, &have, sizes[s], sizes[0], order,
				      hot[s]))
			goto out;
		snprintf(name, sizeof(name), "m2p_lookup%s_%luk_ns", kind,
			 sizes[s] >> 10);
		xp2m_bench_frac(name, all[s][0], LOOKUPS, "ns");
		snprintf(name, sizeof(name), "m2p_lookup%s_hot1k_in_%luk_ns",
			 kind, sizes[s] >> 10);
		xp2m_bench_frac(name, hot[s][0], LOOKUPS, "ns");
		snprintf(name, sizeof(name), "array_load%s_%luk_ns", kind,
			 sizes[s] >> 10);
		xp2m_bench_frac(name, all[s][1], LOOKUPS, "ns");
	}
	snprintf(name, sizeof(name), "m2p_bytes_per_override%s", kind);
	xp2m_bench_frac(name, (u64)(m2p_bench_pages(mb) - pages) * PAGE_SIZE,
			have, "bytes");
	snprintf(name, sizeof(name), "m2p_lookup%s_1m_vs_array", kind);
	xp2m_bench_frac(name, all[2][0], all[2][1], "x");
	snprintf(name, sizeof(name), "m2p_words%s_1m_vs_array", kind);
	xp2m_bench_frac(name, all[2][2], all[2][1], "x");
	snprintf(name, sizeof(name), "m2p_lookup%s_1m_vs_words", kind);
	xp2m_bench_frac(name, all[2][0], all[2][2], "x");
	snprintf(name, sizeof(name), "m2p_lookup%s_hot1k_in_1m_vs_array", kind);
	xp2m_bench_frac(name, hot[2][0], hot[2][1], "x");
out:
	for (i = 0; i < have; i++)
		xp2m_m2p_remove(&mb->m2p, mb->first + i, NULL);
	/* Overrides are freed after a grace period: gone before the next. */
	rcu_barrier();
}

static void m2p_bench_run(void)
{
	unsigned long i, pairs = 1UL << 16;
	struct m2p_bench *mb = &m2p_bench;
	struct rnd_state rnd;
	u32 *order;
	u64 t;

	if (m2p_bench_setup(mb)) {
		pr_err("xp2m_m2p_bench: cannot set up\n");
		return;
	}
	order = vmalloc_array(LOOKUPS, sizeof(*order));
	mb->keys = vmalloc_array(LOOKUPS, sizeof(*mb->keys));
	mb->idx = vmalloc_array(LOOKUPS, sizeof(*mb->idx));
	mb->words = vmalloc_array(LOOKUPS, sizeof(*mb->words));
	mb->frames = vmalloc_array(MAX_OVERRIDES, sizeof(*mb->frames));
	mb->bare = vmalloc_array(MAX_OVERRIDES, sizeof(*mb->bare));
	if (!order || !mb->keys || !mb->idx || !mb->words || !mb->frames ||
	    !mb->bare)
		goto out;
	prandom_seed_state(&rnd, 3);
	for (i = 0; i < LOOKUPS; i++)
		order[i] = prandom_u32_state(&rnd);
	for (i = 0; i < MAX_OVERRIDES; i++)
		mb->bare[i] = mb->first + i;

	m2p_bench_frames(mb, false);
	m2p_bench_sizes(mb, "", order);
	m2p_bench_frames(mb, true);
	m2p_bench_sizes(mb, "_scattered", order);

	/* Add and remove pairs, the table otherwise empty. */
	m2p_bench_frames(mb, false);
	t = ktime_get_ns();
	for (i = 0; i < pairs; i++) {
		xp2m_m2p_add(&mb->m2p, mb->first + i, NULL, mb->frames[i], 0);
		xp2m_m2p_remove(&mb->m2p, mb->first + i, NULL);
	}
	t = ktime_get_ns() - t;
	xp2m_bench_frac("m2p_add_remove_pairs_per_s", pairs * NSEC_PER_SEC, t,
			"pairs/s");
out:
	vfree(mb->bare);
	vfree(mb->frames);
	vfree(mb->words);
	vfree(mb->idx);
	vfree(mb->keys);
	vfree(order);
	m2p_bench_teardown(mb);
}

/* Release and populate 1M pages in batches of 512: p2m work alone. */
static void balloon_bench_run(void)
{
	const unsigned long total = 1UL << 20, batch = 512;
	unsigned long *pfns, *mfns, i, k;
	u64 samples[RUNS], t;
	struct m2p_bench *mb = &m2p_bench;
	unsigned int r;

	if (m2p_bench_setup(mb))
		return;
	pfns = vmalloc_array(2 * batch, sizeof(*pfns));
	if (!pfns)
		goto out;
	mfns = pfns + batch;
	for (r = 0; r < RUNS; r++) {
		t = ktime_get_ns();
		for (i = 0; i < total; i += batch) {
			for (k = 0; k < batch; k++)
				pfns[k] = i + k;
			xp2m_balloon_release(&mb->b, pfns, batch, mfns);
			xp2m_balloon_populate(&mb->b, pfns, mfns, batch);
		}
		samples[r] = ktime_get_ns() - t;
		cond_resched();
	}
	xp2m_bench_frac("balloon_p2m_update_ns_per_page",
			xp2m_bench_median(samples, RUNS), 2 * total, "ns");
	vfree(pfns);
out:
	m2p_bench_teardown(mb);
}

static int __init m2p_bench_init(void)
{
	m2p_bench_run();
	balloon_bench_run();
	return 0;
}

static void __exit m2p_bench_exit(void)
{
}

module_init(m2p_bench_init);
module_exit(m2p_bench_exit);

MODULE_DESCRIPTION("xp2m: benchmarks of the m2p override and balloon hooks");
MODULE_LICENSE("GPL");
MODULE_VERSION(XP2M_VERSION);
