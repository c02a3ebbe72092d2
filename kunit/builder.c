// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m_sim: a domain builder for the simulated machine.
 *
 * As Xen's builder does for a PV guest, it takes machine frames for the
 * domain's pages, writes the boot mfn_list, and places that list inside the
 * domain's own memory, in a region the caller bounds (a real builder puts
 * it in whatever memory the guest can reach early, as the RMA of Xen on
 * PowerPC in Ryan Harper's design on the xen-ppc-devel list, where a 32 MiB
 * region caps the guest). A domain whose list does not fit is refused. The
 * frames of the list's pages are its own entries, so the p2m built on it is
 * self-consistent, as a toolstack expects.
 *
 * Frames come out ascending, descending, or fragmented: short runs taken
 * between other guests' runs, in shuffled order.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/slab.h>

#include "sim_internal.h"

/* Pages the p2m of a built domain may allocate from the domain itself. */
#define XP2M_BUILD_POOL		65536UL
/* What a real builder leaves past the last entry of the list's last page. */
#define XP2M_LIST_POISON	0x5a5a5a5a5a5a5a5aUL
/* Fragmented runs are 1..XP2M_FRAG_RUN frames long, as are the gaps. */
#define XP2M_FRAG_RUN		64

struct xp2m_run {
	unsigned long mfn;
	unsigned long len;
};

/*
 * Lay out the runs of a fragmented domain: @runs NULL counts them; with
 * @runs it records them. The same seed gives the same runs both times.
 */
static long xp2m_frag_runs(const struct xp2m_domain_spec *spec,
			   unsigned long max_mfn, struct xp2m_run *runs,
			   struct rnd_state *rnd)
{
	unsigned long cursor = spec->first_mfn, got = 0, len;
	long n = 0;

	prandom_seed_state(rnd, spec->seed);
	while (got < spec->nr_pages) {
		len = 1 + prandom_u32_state(rnd) % XP2M_FRAG_RUN;
		len = min(len, spec->nr_pages - got);
		if (cursor > max_mfn || len - 1 > max_mfn - cursor)
			return -ENOSPC;
		if (runs) {
			runs[n].mfn = cursor;
			runs[n].len = len;
		}
		n++;
		got += len;
		cursor += len + 1 + prandom_u32_state(rnd) % XP2M_FRAG_RUN;
	}
	return n;
}

/* The frames of a fragmented domain: runs with gaps, then shuffled. */
static int xp2m_fragmented(const struct xp2m_domain_spec *spec,
			   unsigned long max_mfn, unsigned long *mfns)
{
	struct xp2m_run *runs, tmp;
	struct rnd_state rnd;
	unsigned long i, k, got;
	long nr_runs;

	nr_runs = xp2m_frag_runs(spec, max_mfn, NULL, &rnd);
	if (nr_runs < 0)
		return nr_runs;
	runs = kvcalloc(nr_runs, sizeof(*runs), GFP_KERNEL);
	if (!runs)
		return -ENOMEM;
	xp2m_frag_runs(spec, max_mfn, runs, &rnd);
	/* Shuffle with the generator where the layout left it. */
	for (i = nr_runs - 1; i > 0; i--) {
		k = prandom_u32_state(&rnd) % (i + 1);
		tmp = runs[i];
		runs[i] = runs[k];
		runs[k] = tmp;
	}
	for (i = 0, got = 0; i < nr_runs; i++)
		for (k = 0; k < runs[i].len; k++)
			mfns[got++] = runs[i].mfn + k;
	kvfree(runs);
	return 0;
}

static int xp2m_pick_frames(const struct xp2m_domain_spec *spec,
			    unsigned long max_mfn, unsigned long *mfns)
{
	unsigned long i, n = spec->nr_pages;

	switch (spec->pattern) {
	case XP2M_MFNS_ASCENDING:
	case XP2M_MFNS_DESCENDING:
		if (spec->first_mfn > max_mfn || n - 1 > max_mfn - spec->first_mfn)
			return -ENOSPC;
		for (i = 0; i < n; i++)
			mfns[i] = spec->pattern == XP2M_MFNS_ASCENDING ?
				  spec->first_mfn + i :
				  spec->first_mfn + n - 1 - i;
		return 0;
	case XP2M_MFNS_FRAGMENTED:
		return xp2m_fragmented(spec, max_mfn, mfns);
	}
	return -EINVAL;
}

/* The domain's free pages: from the top of its memory down, not the list. */
static int xp2m_give_pool(struct xp2m_sim *sim,
			  const struct xp2m_domain_spec *spec,
			  const unsigned long *mfns, unsigned long list_end)
{
	unsigned long free = spec->nr_pages - (list_end - spec->region_start);
	unsigned long n = min(free, XP2M_BUILD_POOL), i = 0, pfn;
	unsigned long *pfns, *frames;
	int err = -ENOMEM;

	pfns = kvcalloc(n ?: 1, sizeof(*pfns), GFP_KERNEL);
	frames = kvcalloc(n ?: 1, sizeof(*frames), GFP_KERNEL);
	if (!pfns || !frames)
		goto out;
	for (pfn = spec->nr_pages; pfn-- > 0 && i < n;) {
		if (pfn >= spec->region_start && pfn < list_end)
			continue;
		pfns[i] = pfn;
		frames[i++] = mfns[pfn];
	}
	err = xp2m_sim_set_pool(sim, pfns, frames, i);
out:
	kvfree(frames);
	kvfree(pfns);
	return err;
}

/**
 * xp2m_build_domain() - build the boot mfn_list of a simulated domain
 * @be: a simulated machine (xp2m_sim_create()'s @be)
 * @spec: the domain
 * @list: the boot list, filled in; the caller owns it (xp2m_create() takes
 *	it, or xp2m_list_free() frees it)
 *
 * Takes @spec->nr_pages frames of the machine in the pattern asked for,
 * assigns them to pfns [0, nr_pages) (the M2P learns them), writes the list
 * and places it at pfns [region_start, region_start + list pages): each of
 * the list's pages is the memory of the frame its own entry names. Entries
 * past nr_pages on the last page are garbage, as a real builder leaves them.
 * The domain's remaining pages (up to 65536, from the top) are what its p2m
 * may allocate from.
 *
 * Return: 0; -E2BIG when the list does not fit in the region (a message
 * names the limit); -EINVAL for a region outside the domain or an empty
 * domain; -ENOSPC when the machine has not the frames; -EBUSY when a frame
 * is taken; -EOPNOTSUPP on another machine; -ENOMEM. On error every frame
 * taken is given back.
 */
int xp2m_build_domain(struct xp2m_backend *be,
		      const struct xp2m_domain_spec *spec,
		      struct xp2m_list *list)
{
	struct xp2m_sim *sim = xp2m_sim_of(be);
	unsigned long nr = spec->nr_pages, list_pages, region, pfn, i;
	int err;

	if (!sim)
		return -EOPNOTSUPP;
	if (!nr || spec->region_start >= spec->region_end ||
	    spec->region_end > nr) {
		pr_err("build: the list region [%#lx, %#lx) must lie in the domain's %lu pages\n",
		       spec->region_start, spec->region_end, nr);
		return -EINVAL;
	}
	list_pages = DIV_ROUND_UP(nr, XP2M_PER_PAGE);
	region = spec->region_end - spec->region_start;
	if (list_pages > region) {
		pr_err("build: a domain of %lu pages needs a %lu-page p2m list, but the region [%#lx, %#lx) holds %lu pages: the limit is %lu pages (%lu MiB)\n",
		       nr, list_pages, spec->region_start, spec->region_end,
		       region, region * XP2M_PER_PAGE,
		       (region * XP2M_PER_PAGE) >> (20 - PAGE_SHIFT));
		return -E2BIG;
	}

	err = xp2m_list_alloc(be, nr, list);
	if (err)
		return err;
	err = xp2m_pick_frames(spec, be->max_mfn, list->mfns);
	if (err)
		goto free_list;
	for (pfn = 0; pfn < nr; pfn++) {
		err = xp2m_sim_assign_frame(sim, list->mfns[pfn], pfn);
		if (err)
			goto give_back;
	}
	for (i = nr; i < list_pages * XP2M_PER_PAGE; i++)
		list->mfns[i] = XP2M_LIST_POISON;
	for (i = 0; i < list_pages; i++) {
		err = xp2m_sim_bind_page(sim, list->pages[i],
					 list->mfns[spec->region_start + i]);
		if (err)
			goto give_back;
	}
	err = xp2m_give_pool(sim, spec, list->mfns,
			     spec->region_start + list_pages);
	if (err)
		goto give_back;
	return 0;

give_back:
	while (pfn--)
		xp2m_sim_assign_frame(sim, list->mfns[pfn], XP2M_INVALID_ENTRY);
free_list:
	xp2m_list_free(list);
	return err;
}
EXPORT_SYMBOL_GPL(xp2m_build_domain);
