// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m core: the tree view. Construction from a boot list, lookups, setters
 * and 1-1 identity ranges.
 *
 * Shape (4 KiB pages, 512 entries a page):
 *
 *   top[g]        one pointer per GiB of pfns (g = pfn / XP2M_MID_SPAN)
 *    -> mid       512 leaf pointers, one per 2 MiB of pfns
 *        -> leaf  512 entries
 *
 * A GiB with no entry of its own points at the shared missing (or identity)
 * mid; a 2 MiB range likewise at the shared missing (or identity) leaf.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "internal.h"

/**
 * xp2m_list_alloc() - a boot list of @nr entries, virtually contiguous
 * @be: the machine its pages belong to
 * @nr: number of entries
 * @list: filled in
 *
 * The entries are left as the allocator gave them; the caller fills them.
 * Pages are plain kernel pages, freed through @be (which may have bound them
 * to machine frames meanwhile).
 *
 * Return: 0 or -ENOMEM, in which case nothing is allocated.
 */
int xp2m_list_alloc(struct xp2m_backend *be, unsigned long nr,
		    struct xp2m_list *list)
{
	unsigned long i, n = DIV_ROUND_UP(nr, XP2M_PER_PAGE);

	memset(list, 0, sizeof(*list));
	list->be = be;
	if (!n)
		return 0;
	list->pages = kvcalloc(n, sizeof(*list->pages), GFP_KERNEL);
	if (!list->pages)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		list->pages[i] = xp2m_list_page_alloc();
		if (!list->pages[i])
			goto fail;
	}
	list->mfns = vmap(list->pages, n, VM_MAP, PAGE_KERNEL);
	if (!list->mfns)
		goto fail;
	list->nr = nr;
	list->nr_pages = n;
	return 0;

fail:
	while (i--)
		xp2m_list_page_free(be, list->pages[i]);
	kvfree(list->pages);
	memset(list, 0, sizeof(*list));
	return -ENOMEM;
}
EXPORT_SYMBOL_GPL(xp2m_list_alloc);

/**
 * xp2m_list_free() - free a boot list the caller still owns
 * @list: the list; emptied
 *
 * A list given to a successful xp2m_create() belongs to the p2m, and this
 * is a no-op on it.
 */
void xp2m_list_free(struct xp2m_list *list)
{
	unsigned long i;

	if (list->mfns)
		vunmap(list->mfns);
	for (i = 0; i < list->nr_pages; i++)
		xp2m_list_page_free(list->be, list->pages[i]);
	kvfree(list->pages);
	list->mfns = NULL;
	list->pages = NULL;
	list->nr = 0;
	list->nr_pages = 0;
}
EXPORT_SYMBOL_GPL(xp2m_list_free);

static bool xp2m_in_list(const struct xp2m *p2m, const unsigned long *leaf)
{
	const unsigned long *start = p2m->list.mfns;

	return start && leaf >= start &&
	       leaf < start + p2m->list.nr_pages * XP2M_PER_PAGE;
}

static void xp2m_fill(unsigned long *page, unsigned long value)
{
	unsigned int i;

	for (i = 0; i < XP2M_PER_PAGE; i++)
		page[i] = value;
}

static void xp2m_fill_identity(unsigned long *leaf, unsigned long first_pfn)
{
	unsigned int i;

	for (i = 0; i < XP2M_PER_PAGE; i++)
		leaf[i] = XP2M_IDENTITY_FRAME(first_pfn + i);
}

/*
 * One read of a full leaf of the boot list: is every entry INVALID, and do
 * all fit the machine? Returns the index of the first entry that does not
 * fit, or XP2M_PER_PAGE.
 */
static unsigned int xp2m_scan_leaf(const unsigned long *leaf,
				   unsigned long max_mfn, bool *all_missing)
{
	unsigned long t0 = 0, t1 = 0, t2 = 0, t3 = 0, top;
	unsigned int i;

	/*
	 * INVALID + 1 is 0 and every other entry + 1 is not: t0..t3 end one
	 * past the largest entry that is not INVALID, 0 where every entry is
	 * INVALID, with no branch on the entries, and four of them so that no
	 * compare waits for the one before (a branch per entry, or one
	 * maximum, made this scan up to 1.5 and 1.6 times one read pass over
	 * the list, and an AND of the entries besides, for the leaves all
	 * INVALID, 1.26 to 1.38 times; make bench). A leaf that may not fit is
	 * looked at again, entry by entry.
	 */
	for (i = 0; i < XP2M_PER_PAGE; i += 4) {
		t0 = max(t0, leaf[i] + 1);
		t1 = max(t1, leaf[i + 1] + 1);
		t2 = max(t2, leaf[i + 2] + 1);
		t3 = max(t3, leaf[i + 3] + 1);
	}
	top = max(max(t0, t1), max(t2, t3));
	*all_missing = !top;
	if (top <= max_mfn + 1)
		return XP2M_PER_PAGE;
	for (i = 0; i < XP2M_PER_PAGE; i++)
		if (leaf[i] != XP2M_INVALID_ENTRY && leaf[i] > max_mfn)
			break;
	return i;
}

static void xp2m_free_tree(struct xp2m *p2m)
{
	unsigned long g, l;

	for (g = 0; g < p2m->nr_mids; g++) {
		unsigned long **mid = p2m->top[g];

		if (xp2m_mid_is_shared(p2m, mid))
			continue;
		for (l = 0; l < XP2M_PER_PAGE && !p2m->borrowed; l++) {
			unsigned long *leaf = mid[l];

			if (!xp2m_leaf_is_shared(p2m, leaf) &&
			    !xp2m_in_list(p2m, leaf))
				xp2m_free_page(p2m->be, leaf);
		}
		xp2m_free_page(p2m->be, mid);
	}
	if (p2m->own_shared & XP2M_OWN_MISSING)
		xp2m_free_page(p2m->be, p2m->missing_leaf);
	if (p2m->own_shared & XP2M_OWN_IDENTITY)
		xp2m_free_page(p2m->be, p2m->identity_leaf);
	xp2m_free_page(p2m->be, p2m->missing_mid);
	xp2m_free_page(p2m->be, p2m->identity_mid);
}

/*
 * The object with its top array, zeroed. Past a page it gets exactly the
 * pages it needs, as kvzalloc() would but for kmalloc()'s rounding up to a
 * power of two, which for a large space is close to twice its top (128 KiB
 * of top for 16 TiB of pfns, in 256 KiB); like kvzalloc(), it falls back
 * on vmalloc() rather than reclaim hard for contiguous pages.
 */
static struct xp2m *xp2m_alloc(unsigned long nr_mids)
{
	struct xp2m *p2m;
	size_t size = struct_size(p2m, top, nr_mids);

	if (size <= PAGE_SIZE)
		return kzalloc(size, GFP_KERNEL);
	p2m = alloc_pages_exact(size, GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN |
				__GFP_NORETRY);
	return p2m ?: vzalloc(size);
}

static void xp2m_free(struct xp2m *p2m)
{
	size_t size = struct_size(p2m, top, p2m->nr_mids);

	if (is_vmalloc_addr(p2m))
		vfree(p2m);
	else if (size <= PAGE_SIZE)
		kfree(p2m);
	else
		free_pages_exact(p2m, size);
}

/*
 * May a p2m have @max_pfn entries? At least one, and no more than it can
 * address (XP2M_MAX_PFN). Within ULONG_MAX alone the top array's size,
 * DIV_ROUND_UP(max_pfn, XP2M_MID_SPAN), wraps to 0 for the largest sizes,
 * which would leave the p2m no top[] entry at all to graft into.
 */
static bool xp2m_max_pfn_ok(unsigned long max_pfn)
{
	return max_pfn && max_pfn <= XP2M_MAX_PFN;
}

/*
 * A p2m of @max_pfn entries (xp2m_max_pfn_ok()), every GiB on the shared
 * missing mid. Its shared leaves are @missing and @identity where given,
 * else pages of its own. The caller reserves @extra more pages for itself
 * in @r.
 */
static struct xp2m *xp2m_new(const char *name, struct xp2m_backend *be,
			     unsigned long max_pfn, unsigned long *missing,
			     unsigned long *identity, struct xp2m_reserve *r,
			     unsigned int extra)
{
	unsigned long nr_mids = DIV_ROUND_UP(max_pfn, XP2M_MID_SPAN), g;
	unsigned int own = 2 + !missing + !identity;
	struct xp2m *p2m;

	xp2m_reserve_init(r);
	p2m = xp2m_alloc(nr_mids);
	if (!p2m)
		return NULL;
	p2m->nr_mids = nr_mids;
	p2m->name = kstrdup(name, GFP_KERNEL);
	if (!p2m->name || xp2m_reserve_pages(be, r, own + extra)) {
		xp2m_reserve_drop(be, r);
		kfree(p2m->name);
		xp2m_free(p2m);
		return NULL;
	}

	p2m->be = be;
	p2m->max_pfn = max_pfn;
	mutex_init(&p2m->lock);
	xp2m_changes_init(p2m);
	if (!missing) {
		missing = xp2m_reserve_take(r);
		xp2m_fill(missing, XP2M_INVALID_ENTRY);
		p2m->own_shared |= XP2M_OWN_MISSING;
	}
	if (!identity) {
		identity = xp2m_reserve_take(r);
		xp2m_fill(identity, XP2M_INVALID_ENTRY);
		p2m->own_shared |= XP2M_OWN_IDENTITY;
	}
	p2m->missing_leaf = missing;
	p2m->identity_leaf = identity;
	p2m->missing_mid = xp2m_reserve_take(r);
	p2m->identity_mid = xp2m_reserve_take(r);
	xp2m_fill((unsigned long *)p2m->missing_mid, (unsigned long)missing);
	xp2m_fill((unsigned long *)p2m->identity_mid, (unsigned long)identity);
	for (g = 0; g < nr_mids; g++)
		p2m->top[g] = p2m->missing_mid;
	p2m->counts.shared = own;
	p2m->counts.top_bytes = nr_mids * sizeof(*p2m->top);
	p2m->si.max_pfn = min_t(unsigned long, max_pfn, XP2M_PER_PAGE);
	p2m->si.pfn_to_mfn_frame_list_list = max_pfn > XP2M_TREE_SPAN ? ~0UL : 0;
	return p2m;
}

/*
 * Leaf @leaf_index no longer is a shared page: a reader of the published
 * fields must read up to its end.
 */
static void xp2m_raise_bound(struct xp2m *p2m, unsigned long leaf_index)
{
	unsigned long end = min(p2m->max_pfn, (leaf_index + 1) * XP2M_PER_PAGE);

	if (end > p2m->si.max_pfn)
		WRITE_ONCE(p2m->si.max_pfn, end);
}

/*
 * The one read pass over the boot list: mark in @missing the full leaves of
 * [0, @nr_pages) that are all INVALID, and tell whether the partial last
 * leaf holds anything. An entry that names no frame of the machine stops it.
 */
static int xp2m_scan_list(const char *name, const struct xp2m_list *list,
			  unsigned long nr_pages, unsigned long *missing,
			  bool *part_used)
{
	unsigned long full = nr_pages / XP2M_PER_PAGE, leaf, pfn = 0, e = 0;
	unsigned long max_mfn = list->be->max_mfn;
	unsigned int part = nr_pages % XP2M_PER_PAGE, bad, l;
	bool all_missing;

	*part_used = false;
	for (leaf = 0; leaf < full; leaf++) {
		bad = xp2m_scan_leaf(list->mfns + leaf * XP2M_PER_PAGE,
				     max_mfn, &all_missing);
		if (bad < XP2M_PER_PAGE) {
			pfn = leaf * XP2M_PER_PAGE + bad;
			goto bad;
		}
		if (all_missing)
			__set_bit(leaf, missing);
	}
	for (l = 0; l < part; l++) {
		pfn = full * XP2M_PER_PAGE + l;
		e = list->mfns[pfn];
		if (e == XP2M_INVALID_ENTRY)
			continue;
		if (e > max_mfn)
			goto bad;
		*part_used = true;
	}
	return 0;

bad:
	pr_err("%s: boot list entry of pfn %#lx is %#lx, past the machine's last frame %#lx\n",
	       name, pfn, list->mfns[pfn], max_mfn);
	return -EINVAL;
}

/* Mids the grafted tree needs: one per GiB with a leaf that is not missing. */
static unsigned long xp2m_graft_mids(const unsigned long *missing,
				     unsigned long leaves, bool part_used)
{
	unsigned long full = leaves - part_used, first, last, n = 0;

	for (first = 0; first < leaves; first += XP2M_PER_PAGE) {
		last = min(first + XP2M_PER_PAGE, leaves);
		if (find_next_zero_bit(missing, last, first) < last ||
		    (part_used && full < last))
			n++;
	}
	return n;
}

/*
 * Graft the boot list's full leaves that are not all missing, and copy the
 * partial last one into a page of its own, taking mids and that page from
 * @r.
 */
static void xp2m_graft(struct xp2m *p2m, const struct xp2m_list *list,
		       const unsigned long *missing, unsigned long leaves,
		       bool part_used, struct xp2m_reserve *r)
{
	unsigned long full = leaves - part_used, leaf, g;
	unsigned int part = p2m->nr_pages % XP2M_PER_PAGE, l;
	unsigned long **mid, *page;

	for (leaf = 0; leaf < leaves; leaf++) {
		if (leaf < full && test_bit(leaf, missing))
			continue;
		g = leaf / XP2M_PER_PAGE;
		if (p2m->top[g] == p2m->missing_mid) {
			mid = xp2m_reserve_take(r);
			xp2m_fill((unsigned long *)mid,
				  (unsigned long)p2m->missing_leaf);
			p2m->top[g] = mid;
			p2m->counts.mids++;
		}
		if (leaf < full) {
			page = list->mfns + leaf * XP2M_PER_PAGE;
			p2m->counts.grafted++;
		} else {
			page = xp2m_reserve_take(r);
			memcpy(page, list->mfns + leaf * XP2M_PER_PAGE,
			       part * sizeof(*page));
			for (l = part; l < XP2M_PER_PAGE; l++)
				page[l] = XP2M_INVALID_ENTRY;
			p2m->counts.private_leaves++;
		}
		p2m->top[g][leaf % XP2M_PER_PAGE] = page;
		xp2m_raise_bound(p2m, leaf);
	}
}

/**
 * xp2m_create() - build a p2m from a boot list
 * @name: instance name
 * @list: the boot list; on success the p2m owns it and @list is emptied
 * @nr_pages: entries of @list that are the domain's memory (pfns
 *	[0, @nr_pages)); entries past it are ignored
 * @max_pfn: size of the pfn space: at least @nr_pages and at least 1, at
 *	most %XP2M_MAX_PFN (2^52 - 1 on 64-bit with 4 KiB pages)
 *
 * Reads the list once. Full leaves inside [0, @nr_pages) are grafted (the
 * list's own pages become leaves) unless every entry is INVALID, in which
 * case they share the missing leaf. A last leaf only partly covered gets a
 * page of its own, its tail missing. Everything past @nr_pages is missing.
 * Pages are allocated only for mids that hold a non-missing leaf, the
 * partial leaf, and the four shared pages.
 *
 * Return: the p2m, or ERR_PTR(-EINVAL) for bad arguments (a @max_pfn past
 * %XP2M_MAX_PFN among them) or a list entry that names no frame of the
 * machine, ERR_PTR(-ENOMEM); on error the caller still owns @list,
 * untouched.
 */
struct xp2m *xp2m_create(const char *name, struct xp2m_list *list,
			 unsigned long nr_pages, unsigned long max_pfn)
{
	struct xp2m_backend *be = list->be;
	unsigned long full = nr_pages / XP2M_PER_PAGE, mids, *missing;
	struct xp2m_reserve r;
	struct xp2m *p2m;
	bool part_used;
	int err;

	if (!be || !xp2m_max_pfn_ok(max_pfn) || nr_pages > max_pfn ||
	    nr_pages > list->nr)
		return ERR_PTR(-EINVAL);
	missing = bitmap_zalloc(full + 1, GFP_KERNEL);
	if (!missing) {
		bitmap_free(missing);
		return ERR_PTR(-ENOMEM);
	}
	err = xp2m_scan_list(name, list, nr_pages, missing, &part_used);
	if (err)
		goto out;
	mids = xp2m_graft_mids(missing, full + part_used, part_used);
	err = -ENOMEM;
	p2m = xp2m_new(name, be, max_pfn, NULL, NULL, &r, mids + part_used);
	if (!p2m)
		goto out;
	p2m->nr_pages = nr_pages;
	p2m->counts.list_pages = list->nr_pages;
	xp2m_graft(p2m, list, missing, full + part_used, part_used, &r);
	WARN_ON(p2m->counts.mids != mids || r.nr);

	p2m->list = *list;
	memset(list, 0, sizeof(*list));
	list->be = be;
	bitmap_free(missing);
	return p2m;

out:
	bitmap_free(missing);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_GPL(xp2m_create);

static struct lock_class_key xp2m_borrowed_lock;

/**
 * xp2m_create_borrowed() - a p2m over the leaves of the machine's own p2m
 * @name: instance name
 * @be: the machine; it must have a @leaf_alloc operation
 * @max_pfn: size of the pfn space, 1 to %XP2M_MAX_PFN
 * @missing_leaf: the machine's all-missing leaf page, or NULL for a page of
 *	the p2m's own
 * @identity_leaf: likewise, the machine's all-identity leaf page
 *
 * Zero copy: the p2m holds no entry of its own. It starts all missing; the
 * owner then shows each of the machine's leaves in it with xp2m_adopt(),
 * and the views (tree, frame list, linear) map the machine's pages. Entries
 * written through the p2m land in the machine's leaves, and the machine's
 * own writes show in every view at once. A leaf a hole needs comes from the
 * machine (@be->ops->leaf_alloc). The p2m never writes a shared leaf and
 * never frees a borrowed page; identity ranges are the machine's.
 *
 * Return: the p2m; ERR_PTR(-EINVAL) for bad arguments (a @max_pfn past
 * %XP2M_MAX_PFN among them); ERR_PTR(-ENOMEM).
 */
struct xp2m *xp2m_create_borrowed(const char *name, struct xp2m_backend *be,
				  unsigned long max_pfn,
				  unsigned long *missing_leaf,
				  unsigned long *identity_leaf)
{
	struct xp2m_reserve r;
	struct xp2m *p2m;

	if (!be || !be->ops->leaf_alloc || !xp2m_max_pfn_ok(max_pfn) ||
	    (missing_leaf && missing_leaf == identity_leaf))
		return ERR_PTR(-EINVAL);
	p2m = xp2m_new(name, be, max_pfn, missing_leaf, identity_leaf, &r, 0);
	if (!p2m)
		return ERR_PTR(-ENOMEM);
	p2m->borrowed = true;
	/*
	 * Its lock is taken before whatever the machine's leaf_alloc takes,
	 * which may be the lock of the machine's own p2m (a simulation's).
	 */
	lockdep_set_class(&p2m->lock, &xp2m_borrowed_lock);
	return p2m;
}
EXPORT_SYMBOL_GPL(xp2m_create_borrowed);

/**
 * xp2m_destroy() - free a p2m and every page it owns
 * @p2m: the p2m, or NULL
 *
 * No other user may be left.
 */
void xp2m_destroy(struct xp2m *p2m)
{
	if (!p2m)
		return;
	xp2m_linear_free(p2m);
	xp2m_fl_free(p2m);
	xp2m_free_tree(p2m);
	xp2m_list_free(&p2m->list);
	kfree(p2m->name);
	xp2m_free(p2m);
}
EXPORT_SYMBOL_GPL(xp2m_destroy);

/**
 * xp2m_get() - the entry of a pfn, range-checked
 * @p2m: the p2m
 * @pfn: the pfn
 * @entry: set to the entry, as xp2m_lookup() gives it
 *
 * Return: 0, or -ERANGE if @pfn is not below max_pfn.
 */
int xp2m_get(const struct xp2m *p2m, unsigned long pfn, unsigned long *entry)
{
	if (pfn >= p2m->max_pfn)
		return -ERANGE;
	*entry = xp2m_lookup(p2m, pfn);
	return 0;
}
EXPORT_SYMBOL_GPL(xp2m_get);

/**
 * xp2m_leaf_kind() - what backs the leaf of a pfn
 * @p2m: the p2m
 * @pfn: a pfn below max_pfn
 *
 * Return: the kind of the leaf page.
 */
enum xp2m_leaf_kind xp2m_leaf_kind(const struct xp2m *p2m, unsigned long pfn)
{
	unsigned long *leaf = xp2m_leaf_of(p2m, pfn);

	if (leaf == p2m->missing_leaf)
		return XP2M_LEAF_MISSING;
	if (leaf == p2m->identity_leaf)
		return XP2M_LEAF_IDENTITY;
	if (p2m->borrowed)
		return XP2M_LEAF_BORROWED;
	return xp2m_in_list(p2m, leaf) ? XP2M_LEAF_GRAFTED : XP2M_LEAF_PRIVATE;
}
EXPORT_SYMBOL_GPL(xp2m_leaf_kind);

/**
 * xp2m_get_counts() - the pages a p2m uses
 * @p2m: the p2m
 * @counts: filled in, consistent with itself
 */
void xp2m_get_counts(struct xp2m *p2m, struct xp2m_counts *counts)
{
	mutex_lock(&p2m->lock);
	*counts = p2m->counts;
	mutex_unlock(&p2m->lock);
}
EXPORT_SYMBOL_GPL(xp2m_get_counts);

/*
 * May @entry be stored for @pfn? INVALID; IDENTITY_FRAME(@pfn) and no other
 * identity; a frame of the machine, foreign or not.
 */
static int xp2m_check(const struct xp2m *p2m, unsigned long pfn,
		      unsigned long entry)
{
	if (pfn >= p2m->max_pfn)
		return -ERANGE;
	if (entry == XP2M_INVALID_ENTRY)
		return 0;
	if (entry & XP2M_IDENTITY_BIT)
		return entry == XP2M_IDENTITY_FRAME(pfn) ? 0 : -EINVAL;
	return (entry & XP2M_FRAME_MASK) <= p2m->be->max_mfn ? 0 : -EINVAL;
}

/* The value every entry of a shared leaf stands for. */
static unsigned long xp2m_shared_value(const struct xp2m *p2m,
				       const unsigned long *leaf,
				       unsigned long pfn)
{
	return leaf == p2m->identity_leaf ? XP2M_IDENTITY_FRAME(pfn) :
					    XP2M_INVALID_ENTRY;
}

/*
 * A change of structure runs from xp2m_lock() to xp2m_unlock(), under
 * p2m->lock. The views that changed finish their part before the lock is
 * dropped: the linear view gives back the slots it reserved and did not
 * use, and, if it remapped anything, flushes every CPU's TLB and makes the
 * generation even again (xp2m_linear_end()).
 */
void xp2m_lock(struct xp2m *p2m)
{
	mutex_lock(&p2m->lock);
}

void xp2m_unlock(struct xp2m *p2m)
{
	xp2m_linear_end(p2m);
	mutex_unlock(&p2m->lock);
}

/*
 * Pages giving GiB @g a mid of its own costs, the views' included: none
 * when it has one.
 */
unsigned int xp2m_mid_cost(struct xp2m *p2m, unsigned long g)
{
	lockdep_assert_held(&p2m->lock);
	if (!xp2m_mid_is_shared(p2m, p2m->top[g]))
		return 0;
	return 1 + xp2m_fl_mid_cost(p2m) + xp2m_linear_mid_cost(p2m, g);
}

/*
 * Reserve what a change counted, under p2m->lock: the linear view's slots
 * (reserved as they were counted) must all have been had; then @nr pages.
 * What the change does not use goes back in xp2m_unlock().
 */
int xp2m_reserve_change(struct xp2m *p2m, struct xp2m_reserve *r,
			unsigned int nr)
{
	lockdep_assert_held(&p2m->lock);
	return xp2m_linear_reserved(p2m) ?: xp2m_reserve_pages(p2m->be, r, nr);
}

/*
 * Pages giving the leaf of @pfn a page of its own costs, beyond its mid's
 * (a borrowed p2m has the machine give the leaf its page).
 */
unsigned int xp2m_leaf_cost(struct xp2m *p2m, unsigned long pfn)
{
	lockdep_assert_held(&p2m->lock);
	return xp2m_leaf_is_shared(p2m, xp2m_leaf_of(p2m, pfn)) &&
	       !p2m->borrowed;
}

/* Pages xp2m_private_leaf() may take for @pfn. */
unsigned int xp2m_private_leaf_cost(struct xp2m *p2m, unsigned long pfn)
{
	return xp2m_mid_cost(p2m, pfn / XP2M_MID_SPAN) +
	       xp2m_leaf_cost(p2m, pfn);
}

/*
 * Once a p2m is built, its structure changes in two steps only, each the
 * same fixed order under p2m->lock: the tree's pointer first, published
 * with release semantics (lock-free readers may follow it at once, and what
 * it points at is complete), then the frame list, then the linear view.
 * Each view's file owns its own update.
 */

/*
 * GiB @g's mid is now @mid: a page of its own (the views' pages from @r),
 * or a shared one (@r NULL).
 */
static void xp2m_install_mid(struct xp2m *p2m, unsigned long g,
			     unsigned long **mid, struct xp2m_reserve *r)
{
	lockdep_assert_held(&p2m->lock);
	/* Pairs with READ_ONCE() in lookups. */
	smp_store_release(&p2m->top[g], mid);
	xp2m_fl_set_mid(p2m, g, r);
	xp2m_linear_set_mid(p2m, g, r);
}

/* The slot of @pfn's leaf, in a mid of its own, points at @leaf now. */
static void xp2m_install_leaf(struct xp2m *p2m, unsigned long pfn,
			      unsigned long *leaf)
{
	unsigned long **mid = p2m->top[pfn / XP2M_MID_SPAN];
	unsigned long leaf_index = pfn / XP2M_PER_PAGE;

	lockdep_assert_held(&p2m->lock);
	/* @leaf is complete; lock-free readers may follow the slot at once. */
	smp_store_release(&mid[leaf_index % XP2M_PER_PAGE], leaf);
	xp2m_fl_set_leaf(p2m, leaf_index);
	xp2m_linear_set_leaf(p2m, leaf_index);
	if (!xp2m_leaf_is_shared(p2m, leaf))
		xp2m_raise_bound(p2m, leaf_index);
}

/* Give GiB @g a mid page of its own, from @r, a copy of the shared one. */
static void xp2m_own_mid(struct xp2m *p2m, unsigned long g,
			 struct xp2m_reserve *r)
{
	unsigned long **mid = xp2m_reserve_take(r);

	memcpy(mid, p2m->top[g], PAGE_SIZE);
	p2m->counts.mids++;
	xp2m_install_mid(p2m, g, mid, r);
}

/*
 * The leaf of @pfn, given a page of its own first if it was shared; the
 * copy keeps what the shared page stood for. A borrowed p2m has the machine
 * give the leaf its page, first, so that its failure changes nothing.
 * Under p2m->lock; @r holds xp2m_private_leaf_cost() pages.
 *
 * Return: the leaf, or an ERR_PTR() of the machine's (borrowed p2m only).
 */
unsigned long *xp2m_private_leaf(struct xp2m *p2m, unsigned long pfn,
				 struct xp2m_reserve *r)
{
	unsigned long g = pfn / XP2M_MID_SPAN;
	unsigned long *old, *leaf = NULL;

	lockdep_assert_held(&p2m->lock);
	old = xp2m_leaf_of(p2m, pfn);
	if (!xp2m_leaf_is_shared(p2m, old))
		return old;
	if (p2m->borrowed) {
		leaf = p2m->be->ops->leaf_alloc(p2m->be, pfn);
		if (IS_ERR(leaf))
			return leaf;
	}
	if (xp2m_mid_is_shared(p2m, p2m->top[g]))
		xp2m_own_mid(p2m, g, r);
	if (p2m->borrowed) {
		p2m->counts.borrowed++;
	} else {
		leaf = xp2m_reserve_take(r);
		if (old == p2m->identity_leaf)
			xp2m_fill_identity(leaf, pfn & ~(XP2M_PER_PAGE - 1));
		else
			xp2m_fill(leaf, XP2M_INVALID_ENTRY);
		p2m->counts.private_leaves++;
	}
	xp2m_install_leaf(p2m, pfn, leaf);
	return leaf;
}

/*
 * The leaf of @pfn, given a page of its own as one change: its pages
 * reserved first, so that a failure changes nothing.
 */
static unsigned long *xp2m_private_leaf_alone(struct xp2m *p2m,
					      unsigned long pfn)
{
	struct xp2m_reserve r;
	unsigned long *leaf;
	int err;

	xp2m_reserve_init(&r);
	xp2m_lock(p2m);
	err = xp2m_reserve_change(p2m, &r, xp2m_private_leaf_cost(p2m, pfn));
	leaf = err ? ERR_PTR(err) : xp2m_private_leaf(p2m, pfn, &r);
	xp2m_unlock(p2m);
	xp2m_reserve_drop(p2m->be, &r);
	return leaf;
}

/*
 * What xp2m_set() and xp2m_set_noalloc() do without the lock: check @entry,
 * and store it in a leaf with a page of its own. Returns -EAGAIN when the
 * leaf is a shared page that does not stand for @entry already.
 */
static int xp2m_set_unlocked(struct xp2m *p2m, unsigned long pfn,
			     unsigned long entry)
{
	unsigned long *leaf;
	int err;

	err = xp2m_check(p2m, pfn, entry);
	if (err)
		return err;
	leaf = xp2m_leaf_of(p2m, pfn);
	if (!xp2m_leaf_is_shared(p2m, leaf)) {
		WRITE_ONCE(leaf[pfn % XP2M_PER_PAGE], entry);
		return 0;
	}
	return entry == xp2m_shared_value(p2m, leaf, pfn) ? 0 : -EAGAIN;
}

/**
 * xp2m_set() - set the entry of a pfn, allocating if it must
 * @p2m: the p2m
 * @pfn: the pfn
 * @entry: a frame of the machine, FOREIGN_FRAME() of one,
 *	IDENTITY_FRAME(@pfn), or %XP2M_INVALID_ENTRY
 *
 * If the entry lies on a shared page and differs from what that page stands
 * for, the leaf (and its mid) get pages of their own first; on a borrowed
 * p2m the machine gives the leaf its page (see xp2m_create_borrowed()). The
 * entry itself is one atomic store. May sleep.
 *
 * Return: 0; -ERANGE for a pfn out of range; -EINVAL for an entry that does
 * not fit (a frame past the machine's last, identity of another pfn);
 * -ENOMEM, or the machine's error on a borrowed p2m, with nothing changed.
 */
int xp2m_set(struct xp2m *p2m, unsigned long pfn, unsigned long entry)
{
	unsigned long *leaf;
	int err;

	err = xp2m_set_unlocked(p2m, pfn, entry);
	if (err != -EAGAIN)
		return err;
	leaf = xp2m_private_leaf_alone(p2m, pfn);
	if (IS_ERR(leaf))
		return PTR_ERR(leaf);
	WRITE_ONCE(leaf[pfn % XP2M_PER_PAGE], entry);
	return 0;
}
EXPORT_SYMBOL_GPL(xp2m_set);

/**
 * xp2m_set_noalloc() - set the entry of a pfn without ever allocating
 * @p2m: the p2m
 * @pfn: the pfn
 * @entry: as for xp2m_set()
 *
 * The balloon path: takes no lock, never sleeps, never allocates. On a shared
 * page it succeeds only when @entry is what the page already stands for.
 *
 * Return: 0; -ERANGE; -EINVAL; -EAGAIN when the entry lies on a shared page
 * and would need a page of its own (use xp2m_set()), with nothing changed.
 */
int xp2m_set_noalloc(struct xp2m *p2m, unsigned long pfn, unsigned long entry)
{
	return xp2m_set_unlocked(p2m, pfn, entry);
}
EXPORT_SYMBOL_GPL(xp2m_set_noalloc);

/* Make the leaves of [start, end), all inside one GiB, identity. */
static unsigned int xp2m_identity_leaves(struct xp2m *p2m, unsigned long start,
					 unsigned long end,
					 struct xp2m_reserve *r)
{
	unsigned long pfn, base, stop, *leaf;
	unsigned int cost = 0;

	for (pfn = start; pfn < end; pfn = stop) {
		base = pfn & ~(XP2M_PER_PAGE - 1);
		stop = min(end, base + XP2M_PER_PAGE);
		leaf = xp2m_leaf_of(p2m, pfn);
		if (leaf == p2m->identity_leaf)
			continue;
		if (leaf == p2m->missing_leaf) {
			if (pfn == base && stop == base + XP2M_PER_PAGE) {
				if (r)
					xp2m_install_leaf(p2m, pfn,
							  p2m->identity_leaf);
				continue;
			}
			cost++;
			if (!r)
				continue;
			leaf = xp2m_private_leaf(p2m, pfn, r);
		} else if (!r) {
			continue;
		}
		for (; pfn < stop; pfn++)
			WRITE_ONCE(leaf[pfn % XP2M_PER_PAGE],
				   XP2M_IDENTITY_FRAME(pfn));
	}
	return cost;
}

/*
 * Walk [start, end) a GiB at a time. With @r NULL, only count the pages the
 * change needs; with @r, make it, drawing pages from @r. Under p2m->lock.
 *
 * A GiB wholly inside the range whose mid is missing becomes the identity
 * mid, a wholly covered missing leaf the identity leaf; only a GiB or leaf
 * the range covers in part needs a page of its own: at most one mid at each
 * end and one leaf at each end.
 */
unsigned int xp2m_identity_walk(struct xp2m *p2m, unsigned long start,
				unsigned long end, struct xp2m_reserve *r)
{
	unsigned long pfn, g, base, stop, **mid;
	unsigned int cost = 0;

	lockdep_assert_held(&p2m->lock);
	for (pfn = start; pfn < end; pfn = stop) {
		g = pfn / XP2M_MID_SPAN;
		base = g * XP2M_MID_SPAN;
		stop = min(end, base + XP2M_MID_SPAN);
		mid = p2m->top[g];
		if (mid == p2m->identity_mid)
			continue;
		if (mid == p2m->missing_mid) {
			if (pfn == base && stop == base + XP2M_MID_SPAN) {
				if (r)
					xp2m_install_mid(p2m, g,
							 p2m->identity_mid,
							 NULL);
				continue;
			}
			cost += xp2m_mid_cost(p2m, g);
			if (r)
				xp2m_own_mid(p2m, g, r);
		}
		cost += xp2m_identity_leaves(p2m, pfn, stop, r);
	}
	return cost;
}

/*
 * Change [start, end) with @walk, the way every change of structure goes:
 * counted first (@walk given no reserve), the pages reserved, then applied
 * from the reserve under the same lock, so that an allocation failure comes
 * before anything changed.
 */
static int xp2m_change_range(struct xp2m *p2m, unsigned long start,
			     unsigned long end,
			     unsigned int (*walk)(struct xp2m *p2m,
						  unsigned long start,
						  unsigned long end,
						  struct xp2m_reserve *r))
{
	struct xp2m_reserve r;
	int err;

	if (start > end)
		return -EINVAL;
	if (end > p2m->max_pfn)
		return -ERANGE;
	if (start == end)
		return 0;
	xp2m_reserve_init(&r);
	xp2m_lock(p2m);
	err = xp2m_reserve_change(p2m, &r, walk(p2m, start, end, NULL));
	if (!err)
		walk(p2m, start, end, &r);
	xp2m_unlock(p2m);
	WARN_ON(!err && r.nr);
	xp2m_reserve_drop(p2m->be, &r);
	return err;
}

/**
 * xp2m_set_identity() - make a pfn range 1-1
 * @p2m: the p2m
 * @start: first pfn
 * @end: end pfn, exclusive, at most max_pfn
 *
 * Every pfn in [@start, @end) reads IDENTITY_FRAME(pfn) afterwards. Missing
 * GiBs and leaves wholly inside the range are swapped to the shared identity
 * mid and leaf; pages are allocated only where the range ends inside a
 * missing GiB (a mid) or inside a missing leaf (a leaf): three when both
 * ends fall in one missing GiB, four at worst, plus one frame-list page per
 * new mid once the frame list exists. Populated entries in the range are
 * overwritten: their frames are the caller's business (see
 * xp2m_identity_from_e820()).
 *
 * A borrowed p2m's identity ranges are its machine's, set when the machine
 * built its p2m (Linux sets them only at boot): it refuses.
 *
 * Return: the number of pfns set (@end - @start); -EINVAL if @start > @end;
 * -ERANGE if @end > max_pfn; -EOPNOTSUPP on a borrowed p2m; -ENOMEM, with
 * nothing changed.
 */
long xp2m_set_identity(struct xp2m *p2m, unsigned long start,
		       unsigned long end)
{
	int err;

	if (p2m->borrowed)
		return -EOPNOTSUPP;
	err = xp2m_change_range(p2m, start, end, xp2m_identity_walk);

	return err ?: (long)(end - start);
}
EXPORT_SYMBOL_GPL(xp2m_set_identity);

/*
 * Pages needed to give every leaf of [start, end) a page of its own; with
 * @r, do it. Under p2m->lock.
 */
static unsigned int xp2m_prealloc_walk(struct xp2m *p2m, unsigned long start,
				       unsigned long end, struct xp2m_reserve *r)
{
	unsigned long pfn, g = ~0UL;
	unsigned int cost = 0;

	lockdep_assert_held(&p2m->lock);
	for (pfn = start & ~(XP2M_PER_PAGE - 1); pfn < end;
	     pfn += XP2M_PER_PAGE) {
		if (r) {
			xp2m_private_leaf(p2m, pfn, r);
			continue;
		}
		if (pfn / XP2M_MID_SPAN != g) {
			g = pfn / XP2M_MID_SPAN;
			cost += xp2m_mid_cost(p2m, g);
		}
		cost += xp2m_leaf_cost(p2m, pfn);
	}
	return cost;
}

/*
 * A borrowed p2m, a leaf at a time: each is the machine's to give, and may
 * fail on its own. A leaf the machine gave reads as its shared page did, so
 * stopping half way changes no entry.
 */
static int xp2m_prealloc_borrowed(struct xp2m *p2m, unsigned long start,
				  unsigned long end)
{
	unsigned long pfn;
	int err = 0;

	for (pfn = start & ~(XP2M_PER_PAGE - 1); pfn < end && !err;
	     pfn += XP2M_PER_PAGE)
		err = PTR_ERR_OR_ZERO(xp2m_private_leaf_alone(p2m, pfn));
	return err;
}

/**
 * xp2m_prealloc() - give every leaf of a range a page of its own now
 * @p2m: the p2m
 * @start: first pfn
 * @end: end pfn, exclusive, at most max_pfn
 *
 * Afterwards xp2m_set_noalloc() succeeds on every pfn of the range: the
 * balloon path relies on it to never allocate. Leaves already private or
 * grafted are left alone; shared ones get a copy of what they stood for (on
 * a borrowed p2m, the machine gives them their pages).
 *
 * Return: 0; -EINVAL if @start > @end; -ERANGE if @end > max_pfn; -ENOMEM,
 * with nothing changed (on a borrowed p2m, the machine's error, the leaves
 * it gave before reading as they did).
 */
int xp2m_prealloc(struct xp2m *p2m, unsigned long start, unsigned long end)
{
	if (!p2m->borrowed)
		return xp2m_change_range(p2m, start, end, xp2m_prealloc_walk);
	if (start > end)
		return -EINVAL;
	if (end > p2m->max_pfn)
		return -ERANGE;
	return xp2m_prealloc_borrowed(p2m, start, end);
}
EXPORT_SYMBOL_GPL(xp2m_prealloc);

/* Adopt a whole GiB of a shared leaf: its mid becomes the shared one. */
static int xp2m_adopt_gib(struct xp2m *p2m, unsigned long g,
			  unsigned long *leaf)
{
	unsigned long **mid = leaf == p2m->identity_leaf ? p2m->identity_mid :
							  p2m->missing_mid;

	lockdep_assert_held(&p2m->lock);
	if (p2m->top[g] == mid)
		return 0;
	if (p2m->top[g] != p2m->missing_mid)
		return -EBUSY;
	xp2m_install_mid(p2m, g, mid, NULL);
	return 1;
}

/* Adopt one leaf: its slot points at @leaf, a mid given first if shared. */
static int xp2m_adopt_slot(struct xp2m *p2m, unsigned long pfn,
			   unsigned long *leaf)
{
	unsigned long *old = xp2m_leaf_of(p2m, pfn), g = pfn / XP2M_MID_SPAN;
	struct xp2m_reserve r;
	int err;

	lockdep_assert_held(&p2m->lock);
	if (old == leaf)
		return 0;
	if (!xp2m_leaf_is_shared(p2m, old))
		return -EBUSY;
	xp2m_reserve_init(&r);
	err = xp2m_reserve_change(p2m, &r, xp2m_mid_cost(p2m, g));
	if (err)
		return err;
	if (xp2m_mid_is_shared(p2m, p2m->top[g]))
		xp2m_own_mid(p2m, g, &r);
	xp2m_install_leaf(p2m, pfn, leaf);
	if (!xp2m_leaf_is_shared(p2m, leaf))
		p2m->counts.borrowed++;
	WARN_ON(r.nr);
	xp2m_reserve_drop(p2m->be, &r);
	return 1;
}

/**
 * xp2m_adopt() - show a leaf of the machine's own p2m in a borrowed p2m
 * @p2m: a p2m made by xp2m_create_borrowed()
 * @pfn: first pfn of the leaf (a multiple of XP2M_PER_PAGE), or of the GiB
 * @nr: %XP2M_PER_PAGE for one leaf; %XP2M_MID_SPAN for a whole GiB (@pfn a
 *	multiple of it), which only a shared leaf may fill
 * @leaf: the machine's page holding the entries of those pfns (its kernel
 *	address), or @p2m->missing_leaf or @p2m->identity_leaf
 *
 * Every view follows: the tree's slot, the frame list's entry and the
 * linear view's mapping (under the generation count). Used to build the p2m
 * and to follow the machine when it gives a hole's leaf a page. A slot that
 * holds a page already is left alone: the machine never replaces a leaf.
 *
 * Return: 1 when the views changed, 0 when they showed @leaf already;
 * -EINVAL for a p2m that is not borrowed, a bad @nr (any but the two, 0
 * among them) or a @pfn not a multiple of it;
 * -ERANGE past max_pfn; -EBUSY when the slot (or GiB) holds another page;
 * -ENOMEM, with nothing changed.
 */
int xp2m_adopt(struct xp2m *p2m, unsigned long pfn, unsigned long nr,
	       unsigned long *leaf)
{
	bool gib = nr == XP2M_MID_SPAN;
	int err;

	if (!p2m->borrowed)
		return -EINVAL;
	/* @nr is one of the two spans (so not 0) before it divides @pfn. */
	if (nr != XP2M_PER_PAGE && (!gib || !xp2m_leaf_is_shared(p2m, leaf)))
		return -EINVAL;
	if (pfn % nr)
		return -EINVAL;
	if (pfn >= p2m->max_pfn)
		return -ERANGE;
	xp2m_lock(p2m);
	if (gib)
		err = xp2m_adopt_gib(p2m, pfn / XP2M_MID_SPAN, leaf);
	else
		err = xp2m_adopt_slot(p2m, pfn, leaf);
	xp2m_unlock(p2m);
	return err;
}
EXPORT_SYMBOL_GPL(xp2m_adopt);
