// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m_m2p: the m2p override for grant mappings. See include/xp2m/m2p.h
 * and Documentation/m2p-balloon.rst.
 *
 * Locking: prepares, commits, aborts and removes are serialised by
 * m2p->lock; they may allocate (XArray nodes, a leaf for the p2m entry) and
 * sleep. The lookup path reads @dir alone, two levels of plain pfns. The
 * override is in the table before the p2m entry turns foreign and leaves
 * it after the entry is restored (both entries, for a frame also ours: the
 * pfn it is mapped at and the pfn it backs), so a lock-free lookup in
 * between finds it and answers correctly either way. Lookups take
 * rcu_read_lock() only.
 *
 * An override lives in @by_pfn from xp2m_m2p_prepare() on, its frame still
 * XP2M_INVALID_ENTRY (a claim: lookups by pfn do not see it), and in
 * @table and @dir from xp2m_m2p_commit() until xp2m_m2p_remove(), which
 * takes it out of all three whatever became of the p2m entry: no path
 * leaves an override behind once its mapping is gone.
 *
 * @dir is not an XArray, for speed: a lookup in an XArray of a million
 * frames walks four nodes, and measured 17.6 ns with every node cached
 * against 5.8 ns for a bare load at random from a million words
 * (Documentation/bench.rst); two levels of leaves as large as a page, as
 * the p2m's own, cost one load more than that bare load. Where the kernel's
 * page tables can be changed a PTE at a time (kpte/kpte.c), the leaves are
 * also mapped in pfn order, each at its slot's page of one area of the
 * vmalloc space, as the linear p2m view maps the p2m's: @view[mfn] is then
 * the lookup, one load, as a bare array's.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include <xp2m/kpte.h>
#include <xp2m/m2p.h>

/**
 * struct xp2m_override - one page with a foreign frame mapped over it
 * @mfn: the foreign frame; %XP2M_INVALID_ENTRY while the override is only
 *	prepared (xp2m_m2p_prepare())
 * @pfn: our pfn, whose p2m entry is FOREIGN_FRAME(@mfn) meanwhile
 * @page: our page (its kernel mapping is fixed up), or NULL
 * @orig: the p2m entry of @pfn before, restored on removal
 * @kmap: the page's linear-map PTE before the foreign mapping, restored
 *	on removal (valid when @page is set)
 * @local_pfn: if @mfn is also one of our own frames (granted to ourselves),
 *	the pfn it backs, whose entry is marked FOREIGN_FRAME(@mfn) while an
 *	override for it exists; XP2M_INVALID_ENTRY otherwise
 * @next: other overrides of the same @mfn (one frame mapped twice)
 * @rcu: freed after a grace period: lookups are lock-free
 */
struct xp2m_override {
	unsigned long mfn;
	unsigned long pfn;
	struct page *page;
	unsigned long orig;
	u64 kmap;
	unsigned long local_pfn;
	struct xp2m_override __rcu *next;
	struct rcu_head rcu;
};

/* The leaf of every slot without entries: never written. */
static const unsigned long xp2m_m2p_none[XP2M_PER_PAGE] = {
	[0 ... XP2M_PER_PAGE - 1] = XP2M_INVALID_ENTRY,
};

/* The directory of an empty table: no slots. */
static struct xp2m_m2p_dir xp2m_m2p_dir_empty;

/* Slots point at it as at a leaf of their own; it is never written. */
static unsigned long *xp2m_m2p_none_leaf(void)
{
	return (unsigned long *)xp2m_m2p_none;
}

/* The directory, for a writer. Under m2p->lock. */
static struct xp2m_m2p_dir *xp2m_m2p_dir(struct xp2m_m2p *m2p)
{
	lockdep_assert_held(&m2p->lock);
	return rcu_dereference_protected(m2p->dir, lockdep_is_held(&m2p->lock));
}

/* The entries of slot @i of @dir, for a writer. Under m2p->lock. */
static unsigned long *xp2m_m2p_leaf(struct xp2m_m2p *m2p,
				    struct xp2m_m2p_dir *dir, unsigned long i)
{
	lockdep_assert_held(&m2p->lock);
	return rcu_dereference_protected(dir->leaf[i],
					 lockdep_is_held(&m2p->lock));
}

static void xp2m_m2p_leaf_free(struct rcu_head *head)
{
	__free_page(container_of(head, struct page, rcu_head));
}

/* Slots, of a directory or of the view, that cover every machine frame. */
static unsigned long xp2m_m2p_max_slots(const struct xp2m_m2p *m2p)
{
	return m2p->p2m->be->max_mfn / XP2M_PER_PAGE + 1;
}

/*
 * Slot @i of the view maps @page now: a leaf of its own, or @m2p->none.
 * Every CPU's TLB is flushed before this returns, so that no lookup reads
 * the page the slot mapped before. Under m2p->lock.
 */
static void xp2m_m2p_view_map(struct xp2m_m2p *m2p, unsigned long i,
			      struct page *page)
{
	unsigned long va = (unsigned long)m2p->view + i * PAGE_SIZE;

	lockdep_assert_held(&m2p->lock);
	if (!m2p->view)
		return;
	WARN_ON(xp2m_kpte_set(va, page, false));
	xp2m_kpte_flush(va, va + PAGE_SIZE);
}

/*
 * Make the view: a page of the area for each XP2M_PER_PAGE of the
 * machine's frames, every one mapping @m2p->none read-only. Where it
 * cannot be made (the kernel's page tables out of reach, memory, vmap()
 * refusing an area of more pages than there is RAM), lookups read the
 * directory instead: the table works either way.
 */
static void xp2m_m2p_view_init(struct xp2m_m2p *m2p)
{
	unsigned long nr = xp2m_m2p_max_slots(m2p), i;
	struct page **pages;
	void *view = NULL;

	if (!xp2m_kpte_supported())
		return;
	m2p->none = alloc_page(GFP_KERNEL);
	if (!m2p->none)
		return;
	memset_l(page_address(m2p->none), XP2M_INVALID_ENTRY, XP2M_PER_PAGE);
	pages = kvmalloc_array(nr, sizeof(*pages), GFP_KERNEL);
	if (pages) {
		for (i = 0; i < nr; i++)
			pages[i] = m2p->none;
		view = vmap(pages, nr, VM_MAP, xp2m_kpte_prot(false));
		kvfree(pages);
	}
	if (!view) {
		__free_page(m2p->none);
		m2p->none = NULL;
		return;
	}
	m2p->view_nr = nr * XP2M_PER_PAGE;
	m2p->view = view;
}

/* Undo xp2m_m2p_view_init(), the page tables vmap() made given back. */
static void xp2m_m2p_view_free(struct xp2m_m2p *m2p)
{
	if (!m2p->view)
		return;
	xp2m_kpt_vunmap((void *)m2p->view, m2p->view_nr / XP2M_PER_PAGE);
	__free_page(m2p->none);
	m2p->view = NULL;
	m2p->view_nr = 0;
	m2p->none = NULL;
}

/*
 * Slots for frame @mfn: the directory replaced by one that holds it, twice
 * as large at least, no larger than the machine's frames need. Lookups on
 * the old one meanwhile see the same leaves. Under m2p->lock.
 */
static int xp2m_m2p_dir_grow(struct xp2m_m2p *m2p, unsigned long mfn)
{
	struct xp2m_m2p_dir *old = xp2m_m2p_dir(m2p), *dir;
	unsigned long i = mfn / XP2M_PER_PAGE, nr, k;
	unsigned long limit = xp2m_m2p_max_slots(m2p);

	lockdep_assert_held(&m2p->lock);
	if (i < old->nr)
		return 0;
	nr = min(max(roundup_pow_of_two(i + 1), 2 * old->nr), limit);
	dir = kvmalloc(size_add(struct_size(dir, leaf, nr),
				array_size(nr, sizeof(*dir->used))), GFP_KERNEL);
	if (!dir)
		return -ENOMEM;
	dir->nr = nr;
	dir->used = (u16 *)&dir->leaf[nr];
	for (k = 0; k < nr; k++) {
		dir->used[k] = k < old->nr ? old->used[k] : 0;
		RCU_INIT_POINTER(dir->leaf[k], k < old->nr ?
				 xp2m_m2p_leaf(m2p, old, k) :
				 xp2m_m2p_none_leaf());
	}
	rcu_assign_pointer(m2p->dir, dir);
	if (old != &xp2m_m2p_dir_empty)
		kvfree_rcu(old, rcu);
	return 0;
}

/*
 * Make xp2m_m2p_dir_set() of frame @mfn one that cannot fail: slots that
 * hold it, and a leaf of its own. Undo with xp2m_m2p_dir_set() of
 * XP2M_INVALID_ENTRY, which gives an unused leaf back. Under m2p->lock.
 */
static int xp2m_m2p_dir_reserve(struct xp2m_m2p *m2p, unsigned long mfn)
{
	unsigned long i = mfn / XP2M_PER_PAGE;
	struct xp2m_m2p_dir *dir;
	struct page *page;
	int err;

	lockdep_assert_held(&m2p->lock);
	err = xp2m_m2p_dir_grow(m2p, mfn);
	if (err)
		return err;
	dir = xp2m_m2p_dir(m2p);
	if (xp2m_m2p_leaf(m2p, dir, i) != xp2m_m2p_none_leaf())
		return 0;
	page = alloc_page(GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	memset_l(page_address(page), XP2M_INVALID_ENTRY, XP2M_PER_PAGE);
	/* The entries are in place before a lookup can reach them. */
	rcu_assign_pointer(dir->leaf[i], (unsigned long *)page_address(page));
	xp2m_m2p_view_map(m2p, i, page);
	m2p->leaves++;
	return 0;
}

/*
 * Set the pfn of frame @mfn, XP2M_INVALID_ENTRY to take it out: a leaf
 * left without entries goes back after a grace period, its slot to the
 * shared one. Setting needs xp2m_m2p_dir_reserve() first; taking out never
 * allocates. Under m2p->lock.
 */
static void xp2m_m2p_dir_set(struct xp2m_m2p *m2p, unsigned long mfn,
			     unsigned long pfn)
{
	struct xp2m_m2p_dir *dir = xp2m_m2p_dir(m2p);
	unsigned long i = mfn / XP2M_PER_PAGE, *pfns, was;

	lockdep_assert_held(&m2p->lock);
	if (i >= dir->nr)
		return;
	pfns = xp2m_m2p_leaf(m2p, dir, i);
	if (pfns == xp2m_m2p_none_leaf()) {
		WARN_ON(pfn != XP2M_INVALID_ENTRY);
		return;
	}
	was = pfns[mfn % XP2M_PER_PAGE];
	WRITE_ONCE(pfns[mfn % XP2M_PER_PAGE], pfn);
	if (was == XP2M_INVALID_ENTRY && pfn != XP2M_INVALID_ENTRY)
		dir->used[i]++;
	else if (was != XP2M_INVALID_ENTRY && pfn == XP2M_INVALID_ENTRY)
		dir->used[i]--;
	if (dir->used[i])
		return;
	rcu_assign_pointer(dir->leaf[i], xp2m_m2p_none_leaf());
	xp2m_m2p_view_map(m2p, i, m2p->none);
	call_rcu(&virt_to_page(pfns)->rcu_head, xp2m_m2p_leaf_free);
	m2p->leaves--;
}

/**
 * xp2m_m2p_init() - an empty override table for a p2m
 * @m2p: the table
 * @p2m: the p2m whose pages will be overridden
 *
 * Makes the table's view where it can (struct xp2m_m2p): an area of the
 * vmalloc space of 8 bytes for each of the machine's frames. Without it
 * the table works all the same, its lookups a load slower.
 *
 * Return: 0.
 */
int xp2m_m2p_init(struct xp2m_m2p *m2p, struct xp2m *p2m)
{
	m2p->p2m = p2m;
	mutex_init(&m2p->lock);
	RCU_INIT_POINTER(m2p->dir, &xp2m_m2p_dir_empty);
	xa_init(&m2p->table);
	xa_init(&m2p->by_pfn);
	atomic_long_set(&m2p->count, 0);
	m2p->leaves = 0;
	m2p->view = NULL;
	m2p->view_nr = 0;
	m2p->none = NULL;
	xp2m_m2p_view_init(m2p);
	return 0;
}
EXPORT_SYMBOL_GPL(xp2m_m2p_init);

/**
 * xp2m_m2p_destroy() - free an override table
 * @m2p: the table; it should be empty (every override removed, which is
 *	what restores the p2m)
 *
 * Overrides left (a caller's bug, reported), committed or only prepared,
 * are freed all the same: nothing leaks. Nothing may use the table any
 * more.
 */
void xp2m_m2p_destroy(struct xp2m_m2p *m2p)
{
	struct xp2m_m2p_dir *dir;
	struct xp2m_override *o;
	unsigned long pfn, left = 0, i;

	/* Each override, committed or not, is in @by_pfn exactly once. */
	xa_for_each(&m2p->by_pfn, pfn, o) {
		kfree(o);
		left++;
	}
	WARN(left, pr_fmt("%lu overrides left (%ld committed)\n"), left,
	     atomic_long_read(&m2p->count));
	/* The view first: it maps the leaves freed below. */
	xp2m_m2p_view_free(m2p);
	mutex_lock(&m2p->lock);
	dir = xp2m_m2p_dir(m2p);
	for (i = 0; i < dir->nr; i++)
		if (dir->used[i])
			free_page((unsigned long)xp2m_m2p_leaf(m2p, dir, i));
	if (dir != &xp2m_m2p_dir_empty)
		kvfree(dir);
	RCU_INIT_POINTER(m2p->dir, &xp2m_m2p_dir_empty);
	m2p->leaves = 0;
	mutex_unlock(&m2p->lock);
	xa_destroy(&m2p->table);
	xa_destroy(&m2p->by_pfn);
}
EXPORT_SYMBOL_GPL(xp2m_m2p_destroy);

/* Is @mfn one of our own frames, backing @pfn? (frame-also-local) */
static unsigned long xp2m_m2p_local(struct xp2m_m2p *m2p, unsigned long mfn)
{
	struct xp2m_backend *be = m2p->p2m->be;
	unsigned long pfn = be->ops->m2p(be, mfn);

	if (pfn < m2p->p2m->max_pfn && xp2m_lookup(m2p->p2m, pfn) == mfn)
		return pfn;
	return XP2M_INVALID_ENTRY;
}

/* The override of @pfn, committed; NULL if none. Under m2p->lock. */
static struct xp2m_override *xp2m_m2p_of(struct xp2m_m2p *m2p,
					 unsigned long pfn)
{
	struct xp2m_override *o = xa_load(&m2p->by_pfn, pfn);

	lockdep_assert_held(&m2p->lock);
	return o && o->mfn != XP2M_INVALID_ENTRY ? o : NULL;
}

/**
 * xp2m_m2p_prepare() - claim one of our pages for an override to come
 * @m2p: the table
 * @pfn: our pfn
 * @page: our page, whose linear-map PTE the caller's mapping will replace;
 *	or NULL
 *
 * Everything of an override that does not depend on the foreign frame:
 * the checks that can refuse it and the allocations of the override and of
 * its slot by pfn. From now until xp2m_m2p_commit() or xp2m_m2p_abort(),
 * @pfn is claimed: another prepare, or an add, of it is refused with
 * -EEXIST, and no lookup sees it. A caller whose mapping must not be tried
 * on a page that has one already (a grant mapping replaces the PTE it
 * finds) prepares before it maps.
 *
 * Return: the prepared override; ERR_PTR(-ERANGE) for a pfn out of range,
 * ERR_PTR(-EEXIST) when @pfn has an override or a prepared one,
 * ERR_PTR(-EINVAL) when its entry is foreign already, ERR_PTR(-ENOMEM). On
 * error nothing changed.
 */
struct xp2m_override *xp2m_m2p_prepare(struct xp2m_m2p *m2p,
				       unsigned long pfn, struct page *page)
{
	struct xp2m *p2m = m2p->p2m;
	struct xp2m_override *o;
	int err;

	if (pfn >= p2m->max_pfn)
		return ERR_PTR(-ERANGE);
	o = kzalloc(sizeof(*o), GFP_KERNEL);
	if (!o)
		return ERR_PTR(-ENOMEM);
	o->mfn = XP2M_INVALID_ENTRY;
	o->pfn = pfn;
	o->page = page;
	o->local_pfn = XP2M_INVALID_ENTRY;

	mutex_lock(&m2p->lock);
	if (xa_load(&m2p->by_pfn, pfn))
		err = -EEXIST;
	else if (xp2m_entry_type(xp2m_lookup(p2m, pfn)) == XP2M_TYPE_FOREIGN)
		err = -EINVAL;
	else
		err = xa_insert(&m2p->by_pfn, pfn, o, GFP_KERNEL);
	mutex_unlock(&m2p->lock);
	if (err) {
		kfree(o);
		return ERR_PTR(err);
	}
	return o;
}
EXPORT_SYMBOL_GPL(xp2m_m2p_prepare);

/*
 * Make @first the first override of @mfn in @table and @dir, or, with
 * @first NULL, take @mfn out of both. Where the slots exist already (a head
 * put back, a head that gives way to the next) nothing is allocated and
 * nothing can fail; on failure nothing changed. Under m2p->lock.
 */
static int xp2m_m2p_set_head(struct xp2m_m2p *m2p, unsigned long mfn,
			     struct xp2m_override *first)
{
	int err;

	lockdep_assert_held(&m2p->lock);
	if (!first) {
		xa_erase(&m2p->table, mfn);
		xp2m_m2p_dir_set(m2p, mfn, XP2M_INVALID_ENTRY);
		return 0;
	}
	err = xp2m_m2p_dir_reserve(m2p, mfn);
	if (!err)
		err = xa_err(xa_store(&m2p->table, mfn, first, GFP_KERNEL));
	if (err) {
		/* A leaf just reserved, and still without entries, goes. */
		if (!xa_load(&m2p->table, mfn))
			xp2m_m2p_dir_set(m2p, mfn, XP2M_INVALID_ENTRY);
		return err;
	}
	xp2m_m2p_dir_set(m2p, mfn, first->pfn);
	return 0;
}

/**
 * xp2m_m2p_commit() - a foreign frame is mapped over a prepared page
 * @m2p: the table
 * @o: the override xp2m_m2p_prepare() gave
 * @mfn: the foreign frame
 * @kmap: the page's linear-map PTE before the mapping, to be handed back by
 *	xp2m_m2p_remove() for restoring
 *
 * The p2m entry of the pfn becomes FOREIGN_FRAME(@mfn), the old one kept.
 * If @mfn is also a frame of ours (granted to ourselves), the pfn it backs
 * is marked FOREIGN_FRAME(@mfn) too while any override of @mfn exists, so
 * that mfn_to_pfn() answers with the pfn the frame is mapped at here.
 *
 * Return: 0; -EINVAL for an @mfn with a class bit or past the machine's
 * last frame, or when the pfn's entry turned foreign meanwhile; -ENOMEM
 * (the frame's slots, the entry's leaf). On error nothing changed and @o
 * is still prepared: xp2m_m2p_abort() it.
 */
int xp2m_m2p_commit(struct xp2m_m2p *m2p, struct xp2m_override *o,
		    unsigned long mfn, u64 kmap)
{
	struct xp2m *p2m = m2p->p2m;
	struct xp2m_override *head;
	unsigned long orig;
	int err;

	if (mfn & ~XP2M_FRAME_MASK || mfn > p2m->be->max_mfn)
		return -EINVAL;
	mutex_lock(&m2p->lock);
	orig = xp2m_lookup(p2m, o->pfn);
	if (xp2m_entry_type(orig) == XP2M_TYPE_FOREIGN) {
		err = -EINVAL;
		goto out;
	}
	head = xa_load(&m2p->table, mfn);
	o->mfn = mfn;
	o->orig = orig;
	o->kmap = kmap;
	o->local_pfn = head ? head->local_pfn : xp2m_m2p_local(m2p, mfn);
	RCU_INIT_POINTER(o->next, head);

	err = xp2m_m2p_set_head(m2p, mfn, o);
	if (!err)
		err = xp2m_set(p2m, o->pfn, XP2M_FOREIGN_FRAME(mfn));
	if (err)
		goto out_undo;
	if (!head && o->local_pfn != XP2M_INVALID_ENTRY)
		WARN_ON(xp2m_set_noalloc(p2m, o->local_pfn,
					 XP2M_FOREIGN_FRAME(mfn)));
	atomic_long_inc(&m2p->count);
	mutex_unlock(&m2p->lock);
	xp2m_note_change(p2m, o->pfn, o->pfn + 1, xp2m_what_of(orig),
			 XP2M_WHAT_FOREIGN, XP2M_CAUSE_GRANT);
	return 0;

out_undo:
	/* The old head back, in slots that exist: nothing allocates. */
	xp2m_m2p_set_head(m2p, mfn, head);
	/* Prepared again; a lookup may still reach it until a grace period. */
	o->mfn = XP2M_INVALID_ENTRY;
	o->local_pfn = XP2M_INVALID_ENTRY;
	RCU_INIT_POINTER(o->next, NULL);
out:
	mutex_unlock(&m2p->lock);
	return err;
}
EXPORT_SYMBOL_GPL(xp2m_m2p_commit);

/**
 * xp2m_m2p_abort() - give up an override that was prepared
 * @m2p: the table
 * @o: the override xp2m_m2p_prepare() gave, not committed
 *
 * Its pfn is free again; @o is freed.
 */
void xp2m_m2p_abort(struct xp2m_m2p *m2p, struct xp2m_override *o)
{
	mutex_lock(&m2p->lock);
	if (!WARN_ON(o->mfn != XP2M_INVALID_ENTRY))
		WARN_ON(xa_erase(&m2p->by_pfn, o->pfn) != o);
	mutex_unlock(&m2p->lock);
	/* A failed commit may have shown it to a lookup. */
	kfree_rcu(o, rcu);
}
EXPORT_SYMBOL_GPL(xp2m_m2p_abort);

/**
 * xp2m_m2p_add() - a foreign frame is mapped over one of our pages
 * @m2p: the table
 * @pfn: our pfn
 * @page: our page, whose linear-map PTE the caller's mapping replaced; or
 *	NULL
 * @mfn: the foreign frame
 * @kmap: the page's linear-map PTE before the mapping, to be handed back by
 *	xp2m_m2p_remove() for restoring
 *
 * xp2m_m2p_prepare() and xp2m_m2p_commit() in one, for a caller whose
 * mapping is made already.
 *
 * Return: 0; -ERANGE for a pfn out of range; -EINVAL for an @mfn with a
 * class bit or past the machine's last frame, or a @pfn whose entry is
 * already foreign; -EEXIST when @pfn has an override already (or one
 * prepared); -ENOMEM. On error nothing changed.
 */
int xp2m_m2p_add(struct xp2m_m2p *m2p, unsigned long pfn, struct page *page,
		 unsigned long mfn, u64 kmap)
{
	struct xp2m_override *o;
	int err;

	if (pfn >= m2p->p2m->max_pfn)
		return -ERANGE;
	if (mfn & ~XP2M_FRAME_MASK || mfn > m2p->p2m->be->max_mfn)
		return -EINVAL;
	o = xp2m_m2p_prepare(m2p, pfn, page);
	if (IS_ERR(o))
		return PTR_ERR(o);
	err = xp2m_m2p_commit(m2p, o, mfn, kmap);
	if (err)
		xp2m_m2p_abort(m2p, o);
	return err;
}
EXPORT_SYMBOL_GPL(xp2m_m2p_add);

/**
 * xp2m_m2p_remove() - the foreign frame over one of our pages is gone
 * @m2p: the table
 * @pfn: our pfn
 * @kmap: set to the linear-map PTE saved by xp2m_m2p_commit(), for the
 *	caller to restore now that its mapping is undone; may be NULL
 *
 * The override is removed, whatever became of the p2m entry meanwhile: the
 * mapping it recorded is gone. The p2m entry of @pfn is restored exactly,
 * unless someone else wrote it since (it no longer holds the foreign
 * frame): that value stays. When this was the last override of its frame,
 * a local pfn marked at the first add is restored too. Never allocates.
 *
 * Return: 0; -ENOENT when @pfn has no override (nothing changed); -EINVAL
 * when the override was removed but the p2m entry, written by someone else
 * meanwhile, was left as it was.
 */
int xp2m_m2p_remove(struct xp2m_m2p *m2p, unsigned long pfn, u64 *kmap)
{
	struct xp2m *p2m = m2p->p2m;
	struct xp2m_override *o, *cur, *next;
	int err = 0;

	mutex_lock(&m2p->lock);
	o = xp2m_m2p_of(m2p, pfn);
	if (!o) {
		err = -ENOENT;
		goto out;
	}
	/* The p2m first: the leaf holds an entry of ours, so it is private. */
	if (xp2m_lookup(p2m, pfn) == XP2M_FOREIGN_FRAME(o->mfn)) {
		WARN_ON(xp2m_set_noalloc(p2m, pfn, o->orig));
		xp2m_note_change(p2m, pfn, pfn + 1, XP2M_WHAT_FOREIGN,
				 xp2m_what_of(o->orig), XP2M_CAUSE_GRANT);
	} else {
		err = -EINVAL;
	}
	next = rcu_dereference_protected(o->next, lockdep_is_held(&m2p->lock));
	cur = xa_load(&m2p->table, o->mfn);
	if (cur == o) {
		/*
		 * The local pfn gets its frame back before the frame leaves
		 * the index, as a commit marks it after the frame is in: a
		 * lookup in between finds one or the other. Existing slots:
		 * nothing allocates.
		 */
		if (!next && o->local_pfn != XP2M_INVALID_ENTRY)
			WARN_ON(xp2m_set_noalloc(p2m, o->local_pfn, o->mfn));
		xp2m_m2p_set_head(m2p, o->mfn, next);
	} else {
		while (rcu_dereference_protected(cur->next,
						 lockdep_is_held(&m2p->lock)) != o)
			cur = rcu_dereference_protected(cur->next,
							lockdep_is_held(&m2p->lock));
		rcu_assign_pointer(cur->next, next);
	}
	xa_erase(&m2p->by_pfn, pfn);
	if (kmap)
		*kmap = o->kmap;
	atomic_long_dec(&m2p->count);
	kfree_rcu(o, rcu);
out:
	mutex_unlock(&m2p->lock);
	return err;
}
EXPORT_SYMBOL_GPL(xp2m_m2p_remove);

/**
 * xp2m_m2p_get() - the override of one of our pages
 * @m2p: the table
 * @pfn: our pfn
 * @mfn: set to the foreign frame mapped over it; may be NULL
 * @kmap: set to the linear-map PTE saved when it was added; may be NULL
 *
 * For a caller that must know what it will restore before undoing its
 * mapping (xp2m_m2p_remove() comes after the unmap).
 *
 * Return: 0; -ENOENT when @pfn has no override.
 */
int xp2m_m2p_get(struct xp2m_m2p *m2p, unsigned long pfn, unsigned long *mfn,
		 u64 *kmap)
{
	struct xp2m_override *o;
	int err = 0;

	mutex_lock(&m2p->lock);
	o = xp2m_m2p_of(m2p, pfn);
	if (!o) {
		err = -ENOENT;
	} else {
		if (mfn)
			*mfn = o->mfn;
		if (kmap)
			*kmap = o->kmap;
	}
	mutex_unlock(&m2p->lock);
	return err;
}
EXPORT_SYMBOL_GPL(xp2m_m2p_get);

/**
 * xp2m_m2p_find_page() - our page a foreign frame is mapped over
 * @m2p: the table
 * @mfn: the frame
 *
 * Return: the page given to xp2m_m2p_add(), or NULL.
 */
struct page *xp2m_m2p_find_page(struct xp2m_m2p *m2p, unsigned long mfn)
{
	struct xp2m_override *o;
	struct page *page;

	rcu_read_lock();
	o = xa_load(&m2p->table, mfn);
	page = o ? o->page : NULL;
	rcu_read_unlock();
	return page;
}
EXPORT_SYMBOL_GPL(xp2m_m2p_find_page);

/**
 * xp2m_mfn_to_pfn() - the pfn a machine frame is at, in this domain
 * @m2p: the override table of the domain's p2m
 * @mfn: the frame
 *
 * The M2P's answer when it maps back (p2m[m2p[mfn]] == mfn); else the
 * override's, when a foreign @mfn is mapped here; else the M2P's answer
 * when its entry was FOREIGN_FRAME(@mfn); else @mfn itself if the p2m says
 * that pfn is identity (1-1) there; else XP2M_INVALID_ENTRY.
 *
 * The third answer is for a frame of ours granted to ourselves, whose pfn
 * is marked FOREIGN_FRAME(@mfn) while it is mapped: its last removal may
 * give the pfn its frame back and take the frame out of the index between
 * this lookup's read of the entry and its read of the index. The frame is
 * that pfn's again by then. So, in whatever order this CPU sees the stores
 * of an add or a removal, such a frame answers a pfn it is mapped at or the
 * pfn it backs.
 *
 * Return: the pfn, or XP2M_INVALID_ENTRY.
 */
unsigned long xp2m_mfn_to_pfn(struct xp2m_m2p *m2p, unsigned long mfn)
{
	struct xp2m *p2m = m2p->p2m;
	unsigned long pfn, entry = XP2M_INVALID_ENTRY, over;

	pfn = p2m->be->ops->m2p(p2m->be, mfn);
	if (pfn < p2m->max_pfn) {
		entry = xp2m_lookup(p2m, pfn);
		if (entry == mfn)
			return pfn;
	}
	over = xp2m_m2p_find_pfn(m2p, mfn);
	if (over != XP2M_INVALID_ENTRY)
		return over;
	if (entry == XP2M_FOREIGN_FRAME(mfn))
		return pfn;
	if (xp2m_lookup(p2m, mfn) == XP2M_IDENTITY_FRAME(mfn))
		return mfn;
	return XP2M_INVALID_ENTRY;
}
EXPORT_SYMBOL_GPL(xp2m_mfn_to_pfn);

/*
 * The "overrides" view: a header line, then one line per override in pfn
 * order. The table's lock is held for the length of one read() call (a
 * seq_file buffer), never across calls; a line is found again by pfn.
 */
static void *xp2m_m2p_seq_start(struct seq_file *m, loff_t *pos)
{
	struct xp2m_m2p *m2p = m->private;
	unsigned long pfn;

	mutex_lock(&m2p->lock);
	if (*pos == 0)
		return SEQ_START_TOKEN;
	pfn = *pos - 1;
	return xa_find(&m2p->by_pfn, &pfn, ULONG_MAX, XA_PRESENT);
}

static void *xp2m_m2p_seq_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct xp2m_m2p *m2p = m->private;
	unsigned long pfn = v == SEQ_START_TOKEN ? 0 :
			    ((struct xp2m_override *)v)->pfn + 1;
	struct xp2m_override *o;

	o = xa_find(&m2p->by_pfn, &pfn, ULONG_MAX, XA_PRESENT);
	/* Where a later read() starts again: this line's pfn, plus one. */
	*pos = o ? (loff_t)o->pfn + 1 : LLONG_MAX;
	return o;
}

static void xp2m_m2p_seq_stop(struct seq_file *m, void *v)
{
	struct xp2m_m2p *m2p = m->private;

	mutex_unlock(&m2p->lock);
}

static int xp2m_m2p_seq_show(struct seq_file *m, void *v)
{
	struct xp2m_m2p *m2p = m->private;
	struct xp2m_override *o = v;

	if (v == SEQ_START_TOKEN) {
		seq_printf(m, "overrides %ld\n", atomic_long_read(&m2p->count));
		return 0;
	}
	/* Prepared, not committed: there is no mapping yet. */
	if (o->mfn == XP2M_INVALID_ENTRY)
		return SEQ_SKIP;
	seq_printf(m, "pfn 0x%lx mfn 0x%lx was 0x%lx", o->pfn, o->mfn,
		   o->orig);
	if (o->page)
		seq_printf(m, " kmap 0x%llx", o->kmap);
	if (o->local_pfn != XP2M_INVALID_ENTRY)
		seq_printf(m, " local 0x%lx", o->local_pfn);
	seq_putc(m, '\n');
	return 0;
}

static const struct seq_operations xp2m_m2p_sops = {
	.start = xp2m_m2p_seq_start,
	.next = xp2m_m2p_seq_next,
	.stop = xp2m_m2p_seq_stop,
	.show = xp2m_m2p_seq_show,
};

static int xp2m_m2p_open(struct inode *inode, struct file *file)
{
	int err = seq_open(file, &xp2m_m2p_sops);

	if (!err)
		((struct seq_file *)file->private_data)->private =
			inode->i_private;
	return err;
}

static const struct file_operations xp2m_m2p_fops = {
	.owner = THIS_MODULE,
	.open = xp2m_m2p_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release,
};

/**
 * xp2m_m2p_debugfs() - show an override table in debugfs
 * @m2p: the table
 * @dir: a debugfs directory (an instance's, see xp2m_debugfs_dir())
 *
 * Creates the root-only file "overrides" in @dir: the line
 * ``overrides <count>``, then one line per override in pfn order,
 * ``pfn 0x<pfn> mfn 0x<foreign frame> was 0x<entry before>``, followed by
 * `` kmap 0x<saved PTE>`` when a page was given and `` local 0x<pfn>`` when
 * the frame is also one of ours. The file goes with @dir: remove @dir
 * (debugfs_remove_recursive()) before destroying @m2p.
 */
void xp2m_m2p_debugfs(struct xp2m_m2p *m2p, struct dentry *dir)
{
	debugfs_create_file("overrides", 0400, dir, m2p, &xp2m_m2p_fops);
}
EXPORT_SYMBOL_GPL(xp2m_m2p_debugfs);

/* Leaves are freed by RCU callbacks in this module: they run before it goes. */
static void __exit xp2m_m2p_exit(void)
{
	rcu_barrier();
}
module_exit(xp2m_m2p_exit);

MODULE_DESCRIPTION("xp2m: m2p override for grant mappings");
MODULE_LICENSE("GPL");
MODULE_VERSION(XP2M_VERSION);
