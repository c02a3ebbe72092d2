// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m core: the linear view and its publication.
 *
 * The linear view is the p2m as one array in the kernel's vmalloc space:
 * slot i of the area maps leaf i of the tree, so the entry of a pfn is one
 * load at linear[pfn]. Each GiB of pfns is mapped by one page table: a GiB
 * whose mid is the shared missing (or identity) mid is mapped through one
 * shared table whose 512 entries all map the shared leaf; a GiB with a mid
 * of its own has a table of its own. Giving a leaf a page of its own
 * rewrites one entry of its GiB's table; giving a GiB a mid of its own
 * swaps its PMD entry. Every mapping is read-only: entries are stored
 * through the tree. Every such change is bracketed by increments of
 * p2m_generation, odd while it is under way, and ends with every CPU's TLB
 * flushed.
 *
 * It is published as Xen's struct arch_shared_info describes (max_pfn,
 * pfn_to_mfn_frame_list_list, p2m_cr3, p2m_vaddr, p2m_generation), and read
 * back by xp2m_linear_read() (reader.c) the way Xen's save code reads a
 * guest's list: by machine frame, from p2m_cr3 down four levels of page
 * tables.
 *
 * p2m_generation is the ABI's word in arch_shared_info, read by software
 * outside the kernel, so it is kept with WRITE_ONCE() and barriers in the
 * manner of a seqcount rather than as a seqcount_t.
 */

#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/xarray.h>

#include "internal.h"

/*
 * The list starts on a 1 GiB boundary: the toolstack's walk counts level-2
 * entries from the start of the list's GiB (as the kernel's own list is
 * aligned), and would cut an unaligned list short.
 */
#define XP2M_LINEAR_ALIGN	SZ_1G
#define XP2M_LINEAR_PAD		(XP2M_LINEAR_ALIGN / PAGE_SIZE - 1)

/*
 * Open a change of the linear view's mappings: make the generation odd, here
 * and wherever the p2m is published too. Under p2m->lock.
 */
static void xp2m_gen_begin(struct xp2m *p2m)
{
	unsigned long gen = p2m->si.p2m_generation;

	lockdep_assert_held(&p2m->lock);
	if (gen & 1)
		return;
	if (p2m->pub)
		p2m->pub->ops->open(p2m->pub);
	WRITE_ONCE(p2m->si.p2m_generation, gen + 1);
	/* Readers see the odd generation before any mapping changes. */
	smp_wmb();
}

/*
 * The slots of lv->tables a change reserved and did not use (a GiB counted
 * for a mid it then did not get, or a change that failed) are given back,
 * and a failed reservation forgotten: the change is over.
 */
static void xp2m_linear_unreserve(struct xp2m_linear *lv)
{
	XA_STATE(xas, &lv->tables, 0);
	void *entry;

	lv->reserve_err = 0;
	if (!lv->reserved)
		return;
	lv->reserved = false;
	xas_lock(&xas);
	xas_for_each(&xas, entry, ULONG_MAX)
		if (xa_is_zero(entry))
			xas_store(&xas, NULL);
	xas_unlock(&xas);
}

/*
 * End the change under way (xp2m_unlock()): unused reservations go back;
 * if it remapped part of the view, flush every CPU's TLB, then make the
 * generation even again, here and wherever the p2m is published too.
 */
void xp2m_linear_end(struct xp2m *p2m)
{
	unsigned long gen = p2m->si.p2m_generation;

	lockdep_assert_held(&p2m->lock);
	if (p2m->lv)
		xp2m_linear_unreserve(p2m->lv);
	if (gen & 1) {
		xp2m_kpte_flush(p2m->linear_dirty_start, p2m->linear_dirty_end);
		p2m->linear_dirty_start = ULONG_MAX;
		p2m->linear_dirty_end = 0;
		/* Every mapping change is visible before the even generation. */
		smp_wmb();
		WRITE_ONCE(p2m->si.p2m_generation, gen + 1);
		if (p2m->pub)
			p2m->pub->ops->close(p2m->pub, &p2m->si);
	}
}

/**
 * xp2m_set_publisher() - follow the p2m's fields in a second place
 * @p2m: the p2m
 * @pub: where, or NULL to stop
 *
 * From then on every change of the linear view's mappings is bracketed by
 * @pub's open and close as well (see struct xp2m_publisher_ops).
 */
void xp2m_set_publisher(struct xp2m *p2m, struct xp2m_publisher *pub)
{
	mutex_lock(&p2m->lock);
	p2m->pub = pub;
	mutex_unlock(&p2m->lock);
}
EXPORT_SYMBOL_GPL(xp2m_set_publisher);

static unsigned long xp2m_linear_va(const struct xp2m *p2m,
				    unsigned long leaf_index)
{
	return p2m->lv->base + leaf_index * PAGE_SIZE;
}

/* Note that [@va, @va + @len) was remapped, to flush when the change ends. */
static void xp2m_linear_dirty(struct xp2m *p2m, unsigned long va,
			      unsigned long len)
{
	p2m->linear_dirty_start = min(p2m->linear_dirty_start, va);
	p2m->linear_dirty_end = max(p2m->linear_dirty_end, va + len);
}

/* What a slot maps: its leaf, or the missing leaf past the list. */
static unsigned long *xp2m_slot_leaf(const struct xp2m *p2m,
				     unsigned long leaf_index)
{
	unsigned long pfn = leaf_index * XP2M_PER_PAGE;

	return pfn < p2m->max_pfn ? xp2m_leaf_of(p2m, pfn) : p2m->missing_leaf;
}

static struct page *xp2m_slot_page(const struct xp2m *p2m,
				   unsigned long leaf_index)
{
	return xp2m_virt_to_page(xp2m_slot_leaf(p2m, leaf_index));
}

/* Fill a page-table page for GiB @g with the slots of its mid. */
static void xp2m_table_fill(const struct xp2m *p2m, void *table,
			    unsigned long g)
{
	unsigned int l;

	for (l = 0; l < XP2M_PER_PAGE; l++)
		xp2m_kpt_fill(table, l,
			      xp2m_slot_page(p2m, g * XP2M_PER_PAGE + l), false);
}

/* A shared page-table page: @leaf, read-only, in every entry. */
static void xp2m_table_uniform(void *table, const void *leaf)
{
	unsigned int l;

	for (l = 0; l < XP2M_PER_PAGE; l++)
		xp2m_kpt_fill(table, l, xp2m_virt_to_page(leaf), false);
	xp2m_kpt_register(table);
}

/*
 * The table GiB @g's slots are mapped through, for its mid as it is now:
 * the shared table of a shared mid's kind, else the GiB's own. Under
 * p2m->lock.
 */
static void *xp2m_table_of(struct xp2m *p2m, unsigned long g)
{
	unsigned long **mid = p2m->top[g];

	lockdep_assert_held(&p2m->lock);
	if (mid == p2m->missing_mid)
		return p2m->lv->missing;
	if (mid == p2m->identity_mid)
		return p2m->lv->identity;
	return xa_load(&p2m->lv->tables, g);
}

/*
 * Give GiB @g, whose mid is its own, a table of its own: a page from @r,
 * filled, registered, and stored in the slot of lv->tables reserved for it
 * (storing there allocates nothing). Under p2m->lock.
 */
static void *xp2m_table_own(struct xp2m *p2m, unsigned long g,
			    struct xp2m_reserve *r)
{
	void *table = xp2m_reserve_take(r);

	lockdep_assert_held(&p2m->lock);
	xp2m_table_fill(p2m, table, g);
	xp2m_kpt_register(table);
	WARN_ON(xa_is_err(xa_store(&p2m->lv->tables, g, table, GFP_NOWAIT)));
	p2m->counts.linear_tables++;
	return table;
}

/*
 * Pages a mid of its own for GiB @g costs the view: a page-table page. The
 * GiB's slot in lv->tables is reserved as it is counted, so that storing
 * its table later cannot fail; the change learns of a reservation that
 * failed from xp2m_linear_reserved() before it changes anything. Under
 * p2m->lock.
 */
unsigned int xp2m_linear_mid_cost(struct xp2m *p2m, unsigned long g)
{
	struct xp2m_linear *lv = p2m->lv;

	lockdep_assert_held(&p2m->lock);
	if (!p2m->linear)
		return 0;
	if (!lv->reserve_err) {
		lv->reserve_err = xa_reserve(&lv->tables, g, GFP_KERNEL);
		lv->reserved = true;
	}
	return 1;
}

/*
 * Did every reservation of the change so far succeed (0), or -ENOMEM. Under
 * p2m->lock.
 */
int xp2m_linear_reserved(struct xp2m *p2m)
{
	lockdep_assert_held(&p2m->lock);
	return p2m->lv ? p2m->lv->reserve_err : 0;
}

/*
 * Where the page tables a toolstack walks are not the kernel's (a simulated
 * machine's), slot @leaf_index is remapped there too. The machine's tables
 * for the slot exist: nothing is allocated, nothing can fail.
 */
static void xp2m_linear_machine_slot(struct xp2m *p2m,
				     unsigned long leaf_index)
{
	struct xp2m_backend *be = p2m->be;
	unsigned long mfn;

	if (!be->ops->pt_map)
		return;
	mfn = xp2m_virt_to_mfn(be, xp2m_slot_leaf(p2m, leaf_index));
	WARN_ON(be->ops->pt_map(be, xp2m_linear_va(p2m, leaf_index), &mfn, 1));
}

/*
 * GiB @g's mid changed: a mid of its own gets a table of its own (from @r)
 * where it had a shared one; a shared mid is mapped through the shared
 * table of its kind. Under p2m->lock.
 */
void xp2m_linear_set_mid(struct xp2m *p2m, unsigned long g,
			 struct xp2m_reserve *r)
{
	struct xp2m_linear *lv = p2m->lv;
	unsigned long va, first = g * XP2M_PER_PAGE;
	bool remapped = true;
	void *table, *old;
	unsigned int l;

	lockdep_assert_held(&p2m->lock);
	if (!p2m->linear)
		return;
	va = xp2m_linear_va(p2m, first);
	xp2m_gen_begin(p2m);
	/* The leaves' content is complete before a mapping points at it. */
	smp_wmb();
	table = xa_load(&lv->tables, g);
	if (table) {
		/* A GiB keeps its own table: rewrite it entry by entry. */
		for (l = 0; l < XP2M_PER_PAGE; l++)
			xp2m_kpt_set(table, l, xp2m_slot_page(p2m, first + l),
				     false);
	} else {
		remapped = xp2m_mid_is_shared(p2m, p2m->top[g]);
		/* A table of its own starts as a copy: no slot moved yet. */
		table = remapped ? xp2m_table_of(p2m, g) :
				   xp2m_table_own(p2m, g, r);
		WARN_ON(xp2m_kpt_swap(va, table, &old));
	}
	/* The machine maps the view's slots, to max_pfn: a last GiB in part. */
	for (l = 0; remapped && l < XP2M_PER_PAGE &&
	     first + l < p2m->counts.linear_slots; l++)
		xp2m_linear_machine_slot(p2m, first + l);
	xp2m_linear_dirty(p2m, va, XP2M_KPT_SPAN);
}

/*
 * The tree's slot for leaf @leaf_index now points at another page, in a
 * GiB whose mid is its own: map that page in the linear view. Under
 * p2m->lock.
 */
void xp2m_linear_set_leaf(struct xp2m *p2m, unsigned long leaf_index)
{
	unsigned long g = leaf_index / XP2M_PER_PAGE, va, *leaf;
	void *table;

	lockdep_assert_held(&p2m->lock);
	if (!p2m->linear)
		return;
	/* Never a shared table: that would remap the slot in every hole. */
	table = xa_load(&p2m->lv->tables, g);
	if (WARN_ON(!table))
		return;
	leaf = xp2m_leaf_of(p2m, leaf_index * XP2M_PER_PAGE);
	va = xp2m_linear_va(p2m, leaf_index);
	xp2m_gen_begin(p2m);
	/* The leaf's content is complete before the PTE points at it. */
	smp_wmb();
	xp2m_kpt_set(table, leaf_index % XP2M_PER_PAGE, xp2m_virt_to_page(leaf),
		     false);
	xp2m_linear_machine_slot(p2m, leaf_index);
	xp2m_linear_dirty(p2m, va, PAGE_SIZE);
}

/* The whole 2 MiB stretches of the area, each mapped by one table. */
static unsigned long xp2m_stretch_first(const struct xp2m_linear *lv)
{
	return ALIGN((unsigned long)lv->area, XP2M_KPT_SPAN);
}

static unsigned long xp2m_stretch_end(const struct xp2m_linear *lv)
{
	return ALIGN_DOWN((unsigned long)lv->area + lv->nr_area * PAGE_SIZE,
			  XP2M_KPT_SPAN);
}

/* The table a stretch of the area maps through: its GiB's, or @pad. */
static void *xp2m_stretch_table(struct xp2m *p2m, unsigned long va)
{
	const struct xp2m_linear *lv = p2m->lv;
	unsigned long g = (va - lv->base) / XP2M_KPT_SPAN;

	return va >= lv->base && g < p2m->nr_mids ? xp2m_table_of(p2m, g) :
						    lv->pad;
}

/*
 * Point every stretch of the area at its table. What each pointed at before
 * (the tables the kernel made for the area) goes to @old, one per stretch, to be
 * freed once every TLB is flushed; on failure the ones swapped already are
 * put back.
 */
static int xp2m_linear_link(struct xp2m *p2m, void **old)
{
	const struct xp2m_linear *lv = p2m->lv;
	unsigned long va, i = 0;
	void *ours;
	int err = 0;

	for (va = xp2m_stretch_first(lv); va < xp2m_stretch_end(lv);
	     va += XP2M_KPT_SPAN, i++) {
		err = xp2m_kpt_swap(va, xp2m_stretch_table(p2m, va), &old[i]);
		if (err)
			break;
	}
	if (!err)
		return 0;
	for (va = xp2m_stretch_first(lv); i--; va += XP2M_KPT_SPAN)
		WARN_ON(xp2m_kpt_swap(va, *old++, &ours));
	return err;
}

/*
 * Unlink every stretch of the area: vunmap() and vm_unmap_ram() clear the
 * entries of every table they find, and must find none of ours.
 */
static void xp2m_linear_unlink(struct xp2m_linear *lv)
{
	unsigned long va;
	void *old;

	xp2m_kpt_batch(true);
	for (va = xp2m_stretch_first(lv); va < xp2m_stretch_end(lv);
	     va += XP2M_KPT_SPAN)
		WARN_ON(xp2m_kpt_swap(va, NULL, &old));
	xp2m_kpt_batch(false);
	xp2m_kpte_flush((unsigned long)lv->area,
			(unsigned long)lv->area + lv->nr_area * PAGE_SIZE);
}

/* Take the view's pages from @r and fill its tables; nothing linked yet. */
static void xp2m_linear_tables(struct xp2m *p2m, struct xp2m_reserve *r)
{
	struct xp2m_linear *lv = p2m->lv;
	unsigned long g;

	lv->dummy = xp2m_reserve_take(r);
	lv->pad = xp2m_reserve_take(r);
	lv->missing = xp2m_reserve_take(r);
	lv->identity = xp2m_reserve_take(r);
	xp2m_kpt_batch(true);
	xp2m_table_uniform(lv->pad, lv->dummy);
	xp2m_table_uniform(lv->missing, p2m->missing_leaf);
	xp2m_table_uniform(lv->identity, p2m->identity_leaf);
	p2m->counts.linear_tables = 4;
	for (g = 0; g < p2m->nr_mids; g++)
		if (!xp2m_mid_is_shared(p2m, p2m->top[g]))
			xp2m_table_own(p2m, g, r);
	xp2m_kpt_batch(false);
}

/* Give the view's pages back, the tables released first. */
static void xp2m_linear_put(struct xp2m *p2m)
{
	struct xp2m_linear *lv = p2m->lv;
	void *shared[] = { lv->pad, lv->missing, lv->identity }, *table;
	unsigned long g;
	unsigned int i;

	xp2m_kpt_batch(true);
	xa_for_each(&lv->tables, g, table)
		xp2m_kpt_release(table);
	for (i = 0; i < ARRAY_SIZE(shared); i++)
		xp2m_kpt_release(shared[i]);
	xp2m_kpt_batch(false);
	xa_for_each(&lv->tables, g, table)
		xp2m_free_page(p2m->be, table);
	xa_destroy(&lv->tables);
	for (i = 0; i < ARRAY_SIZE(shared); i++)
		xp2m_free_page(p2m->be, shared[i]);
	xp2m_free_page(p2m->be, lv->dummy);
	p2m->counts.linear_tables = 0;
	p2m->counts.linear_slots = 0;
}

/*
 * Make the area the view lies in, @lv->nr_area pages at @lv->area, with
 * @lv->base on a 1 GiB boundary inside it; false when that fails. Either
 * xp2m_kpt_reserve() reserves a page per slot, aligned already, its PTEs
 * mapping nothing, where it can and costs less: it aligns an area to its
 * size up to 1 GiB, so a smaller one is asked for as 1 GiB. Or vm_map_ram()
 * maps a page per slot over the dummy page, and 1 GiB less one page more,
 * as it aligns to no more than a page; its array of page pointers is an
 * xp2m_kpt_repeat() one.
 */
static bool xp2m_linear_area(struct xp2m *p2m)
{
	unsigned long nr = p2m->nr_mids * XP2M_PER_PAGE;
	struct xp2m_linear *lv = p2m->lv;
	struct page *dummy, **pages;

	lv->nr_area = max(nr, XP2M_LINEAR_ALIGN / PAGE_SIZE);
	lv->area = xp2m_kpt_reserve(lv->nr_area, nr + XP2M_LINEAR_PAD);
	/* Aligned as an ioremap() is: IOREMAP_MAX_ORDER may be less. */
	if (lv->area && !IS_ALIGNED((unsigned long)lv->area,
				    XP2M_LINEAR_ALIGN)) {
		vunmap(lv->area);
		lv->area = NULL;
	}
	lv->pfn_area = !!lv->area;
	if (!lv->area) {
		lv->nr_area = nr + XP2M_LINEAR_PAD;
		dummy = xp2m_virt_to_page(lv->dummy);
		pages = xp2m_kpt_repeat((unsigned long)dummy, lv->nr_area);
		if (!pages)
			return false;
		lv->area = vm_map_ram(pages, lv->nr_area, NUMA_NO_NODE);
		xp2m_kpt_unrepeat(pages, lv->nr_area);
	}
	lv->base = ALIGN((unsigned long)lv->area, XP2M_LINEAR_ALIGN);
	return lv->area;
}

/* Undo xp2m_linear_area(), the way the area was made. */
static void xp2m_linear_area_free(struct xp2m_linear *lv)
{
	if (lv->pfn_area)
		vunmap(lv->area);
	else
		vm_unmap_ram(lv->area, lv->nr_area);
}

void xp2m_linear_free(struct xp2m *p2m)
{
	struct xp2m_backend *be = p2m->be;
	struct xp2m_linear *lv = p2m->lv;

	if (!lv)
		return;
	if (be->ops->pt_map)
		be->ops->pt_map(be, lv->base, NULL, p2m->counts.linear_slots);
	xp2m_linear_unlink(lv);
	/* The area's unaligned ends may map the dummy page until then. */
	xp2m_linear_area_free(lv);
	xp2m_linear_put(p2m);
	kfree(lv);
	p2m->lv = NULL;
	p2m->linear = NULL;
}

/* The machine's page tables for a simulated reader (pt_map), if it has any. */
static int xp2m_linear_pt_map(struct xp2m *p2m)
{
	struct xp2m_backend *be = p2m->be;
	unsigned long n = p2m->counts.linear_slots, i, *mfns;
	int err;

	if (!be->ops->pt_map)
		return 0;
	mfns = kvcalloc(n, sizeof(*mfns), GFP_KERNEL);
	if (!mfns)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		mfns[i] = xp2m_virt_to_mfn(be, xp2m_leaf_of(p2m,
							    i * XP2M_PER_PAGE));
	err = be->ops->pt_map(be, p2m->lv->base, mfns, n);
	xp2m_kpt_kvfree(mfns, n * sizeof(*mfns));
	return err;
}

/*
 * Build the view, its pages in @r, under p2m->lock: the tables, the area,
 * a PMD entry per stretch; the tables the kernel made for the area freed
 * once every TLB is flushed. On failure nothing is left but @lv itself.
 */
static int xp2m_linear_make(struct xp2m *p2m, struct xp2m_reserve *r)
{
	struct xp2m_linear *lv = p2m->lv;
	unsigned long nr_old, i;
	void **old;
	int err = -ENOMEM;

	lockdep_assert_held(&p2m->lock);
	xp2m_linear_tables(p2m, r);
	if (!xp2m_linear_area(p2m))
		goto out_put;
	nr_old = lv->nr_area / XP2M_PER_PAGE;
	old = kvcalloc(nr_old, sizeof(*old), GFP_KERNEL);
	if (!old)
		goto out_unmap;
	p2m->counts.linear_slots = DIV_ROUND_UP(p2m->max_pfn, XP2M_PER_PAGE);
	/* The area is mapped with 4 KiB pages, the only kind swapped here. */
	xp2m_kpt_batch(true);
	err = xp2m_linear_link(p2m, old);
	xp2m_kpt_batch(false);
	xp2m_kpte_flush((unsigned long)lv->area,
			(unsigned long)lv->area + lv->nr_area * PAGE_SIZE);
	if (WARN_ON_ONCE(err))
		goto out_free;
	xp2m_kpt_batch(true);
	for (i = 0; i < nr_old; i++)
		if (old[i])
			xp2m_kpt_release(old[i]);
	xp2m_kpt_batch(false);
	for (i = 0; i < nr_old; i++)
		if (old[i])
			free_page((unsigned long)old[i]);
	err = xp2m_linear_pt_map(p2m);
	if (err)
		xp2m_linear_unlink(lv);
out_free:
	xp2m_kpt_kvfree(old, nr_old * sizeof(*old));
	if (!err)
		return 0;
out_unmap:
	xp2m_linear_area_free(lv);
out_put:
	xp2m_linear_put(p2m);
	return err;
}

/* A slot of @lv->tables for each GiB whose mid is its own. */
static int xp2m_linear_reserve_own(struct xp2m *p2m, struct xp2m_linear *lv)
{
	unsigned long g;

	lockdep_assert_held(&p2m->lock);
	for (g = 0; g < p2m->nr_mids; g++)
		if (!xp2m_mid_is_shared(p2m, p2m->top[g]) &&
		    xa_reserve(&lv->tables, g, GFP_KERNEL))
			return -ENOMEM;
	return 0;
}

/**
 * xp2m_linear_build() - make the linear view of a p2m and publish it
 * @p2m: the p2m
 *
 * Maps every leaf, in pfn order, read-only, into one area of the vmalloc
 * space starting on a 1 GiB boundary, and publishes p2m_cr3 (the backend's
 * page-table root) and p2m_vaddr in xp2m_shared_info(). From then on every
 * change of the tree keeps it current. Building it twice is a no-op.
 *
 * The area costs page tables as Linux's own list does: a GiB of pfns whose
 * mid is shared maps through one shared page-table page of its kind, every
 * other GiB through one of its own; the padding that reaches the alignment
 * maps through one more. Making the area writes a PTE per page first, as
 * the kernel exports no way to reserve addresses without writing them: one
 * that maps nothing, in an area aligned already, where vmap_pfn() exists;
 * else vm_map_ram()'s over a dummy page, with the padding. The tables the
 * kernel made for the area are freed at once.
 *
 * Return: 0; -EOPNOTSUPP when this kernel gives no access to its page
 * tables (see xp2m_kpte_supported()); -ENOMEM, with nothing changed; the
 * error of the backend's pt_map; -EFAULT (with a warning) should the area's
 * mapping not be made of page-table pages.
 */
int xp2m_linear_build(struct xp2m *p2m)
{
	struct xp2m_reserve r;
	struct xp2m_linear *lv;
	int err = -ENOMEM;

	if (!xp2m_kpte_supported())
		return -EOPNOTSUPP;
	xp2m_reserve_init(&r);
	xp2m_lock(p2m);
	if (p2m->linear) {
		err = 0;
		goto out;
	}
	lv = kzalloc(sizeof(*lv), GFP_KERNEL);
	if (!lv)
		goto out;
	xa_init(&lv->tables);
	if (!xp2m_linear_reserve_own(p2m, lv) &&
	    !xp2m_reserve_pages(p2m->be, &r, 4 + p2m->counts.mids)) {
		p2m->lv = lv;
		err = xp2m_linear_make(p2m, &r);
	}
	if (err) {
		p2m->lv = NULL;
		xa_destroy(&lv->tables);
		kfree(lv);
		goto out;
	}
	WARN_ON(r.nr);
	p2m->linear_dirty_start = ULONG_MAX;
	p2m->linear_dirty_end = 0;
	WRITE_ONCE(p2m->si.p2m_vaddr, lv->base);
	WRITE_ONCE(p2m->si.p2m_cr3, p2m->be->ops->pt_root ?
		   p2m->be->ops->pt_root(p2m->be) : 0);
	/* Lookups may use the view once it is complete. */
	smp_store_release(&p2m->linear, (unsigned long *)lv->base);
out:
	xp2m_unlock(p2m);
	xp2m_reserve_drop(p2m->be, &r);
	return err;
}
EXPORT_SYMBOL_GPL(xp2m_linear_build);

/**
 * xp2m_linear_refresh() - name the linear view's page-table root again
 * @p2m: the p2m
 *
 * A domain that was saved and restored, or migrated, keeps its page tables
 * (the toolstack rewrote the frames in them) but has every machine frame
 * renumbered, the root's too: p2m_cr3 is read anew from the backend. A p2m
 * without a linear view is left alone.
 */
void xp2m_linear_refresh(struct xp2m *p2m)
{
	struct xp2m_backend *be = p2m->be;

	xp2m_lock(p2m);
	if (p2m->linear && be->ops->pt_root)
		WRITE_ONCE(p2m->si.p2m_cr3, be->ops->pt_root(be));
	xp2m_unlock(p2m);
}
EXPORT_SYMBOL_GPL(xp2m_linear_refresh);

/**
 * xp2m_shared_info() - the fields a p2m publishes
 * @p2m: the p2m
 *
 * The object stays current as the p2m changes: readers load its fields with
 * READ_ONCE() and check p2m_generation before and after.
 *
 * Return: the published object, in the layout of Xen's arch_shared_info.
 */
const struct xp2m_shared_info *xp2m_shared_info(struct xp2m *p2m)
{
	return &p2m->si;
}
EXPORT_SYMBOL_GPL(xp2m_shared_info);
