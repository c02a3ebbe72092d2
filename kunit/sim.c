// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m_sim: the simulated machine behind the KUnit suites and benchmarks.
 * See kunit/include/xp2m/sim.h.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <xp2m/entry.h>
#include <xp2m/p2m.h>

#include "sim_internal.h"

static struct xp2m_sim *to_sim(struct xp2m_backend *be)
{
	return container_of(be, struct xp2m_sim, be);
}

/* Record that @page is the memory of frame @mfn. Under sim->lock. */
static void sim_bind(struct xp2m_sim *sim, struct page *page, unsigned long mfn,
		     bool pooled)
{
	lockdep_assert_held(&sim->lock);
	sim->page_of[mfn] = page;
	set_page_private(page, mfn << 1 | pooled);
	atomic_long_inc(&sim->bound);
}

/* Forget @page's frame; give the frame back to where it came from. */
static void sim_unbind(struct xp2m_sim *sim, struct page *page)
{
	unsigned long v = page_private(page), mfn = v >> 1, pfn;

	if (!v)
		return;
	spin_lock(&sim->lock);
	set_page_private(page, 0);
	sim->page_of[mfn] = NULL;
	atomic_long_dec(&sim->bound);
	pfn = sim->m2p[mfn];
	if ((v & 1) && !WARN_ON(sim->pool_nr >= sim->pool_cap)) {
		sim->pool_pfns[sim->pool_nr] = pfn;
		sim->pool_mfns[sim->pool_nr++] = mfn;
	} else if (pfn == XP2M_INVALID_ENTRY) {
		__clear_bit(mfn, sim->used);	/* a lent spare frame */
	}
	spin_unlock(&sim->lock);
}

static struct page *sim_page_alloc(struct xp2m_backend *be)
{
	struct xp2m_sim *sim = to_sim(be);
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	unsigned long mfn;

	if (!page)
		return NULL;
	spin_lock(&sim->lock);
	if (sim->pool_nr) {
		sim->pool_nr--;
		sim_bind(sim, page, sim->pool_mfns[sim->pool_nr], true);
		goto out;
	}
	/* The domain is full: lend a spare frame from outside it. */
	mfn = find_next_zero_bit(sim->used, be->max_mfn + 1, sim->spare);
	if (mfn > be->max_mfn)
		mfn = find_first_zero_bit(sim->used, be->max_mfn + 1);
	if (mfn > be->max_mfn) {
		spin_unlock(&sim->lock);
		__free_page(page);
		return NULL;
	}
	__set_bit(mfn, sim->used);
	sim->spare = mfn + 1;
	sim_bind(sim, page, mfn, false);
out:
	spin_unlock(&sim->lock);
	return page;
}

static void sim_page_free(struct xp2m_backend *be, struct page *page)
{
	sim_unbind(to_sim(be), page);
	__free_page(page);
}

static unsigned long sim_page_to_mfn(struct xp2m_backend *be, struct page *page)
{
	unsigned long v = page_private(page);

	return v ? v >> 1 : XP2M_INVALID_ENTRY;
}

static const void *sim_map_frame(struct xp2m_backend *be, unsigned long mfn)
{
	struct page *page;

	if (mfn > be->max_mfn)
		return NULL;
	page = READ_ONCE(to_sim(be)->page_of[mfn]);
	return page ? page_address(page) : NULL;
}

static void sim_unmap_frame(struct xp2m_backend *be, const void *addr)
{
}

static unsigned long sim_m2p(struct xp2m_backend *be, unsigned long mfn)
{
	return mfn <= be->max_mfn ? READ_ONCE(to_sim(be)->m2p[mfn]) :
				    XP2M_INVALID_ENTRY;
}

static void sim_set_m2p(struct xp2m_backend *be, unsigned long mfn,
			unsigned long pfn)
{
	if (!WARN_ON(mfn > be->max_mfn))
		WRITE_ONCE(to_sim(be)->m2p[mfn], pfn);
}

/**
 * xp2m_sim_assign_frame() - give a frame to the simulated domain, or back
 * @sim: the machine
 * @mfn: the frame
 * @pfn: the domain's pfn it backs (the M2P learns it), or
 *	%XP2M_INVALID_ENTRY to give the frame back
 *
 * What the domain builder does for each page, and a test does to take a
 * frame away from it.
 *
 * Return: 0; -EBUSY if the frame is not free; -ERANGE if it does not exist.
 */
int xp2m_sim_assign_frame(struct xp2m_sim *sim, unsigned long mfn,
			  unsigned long pfn)
{
	int err = 0;

	if (mfn > sim->be.max_mfn)
		return -ERANGE;
	spin_lock(&sim->lock);
	if (pfn == XP2M_INVALID_ENTRY)
		__clear_bit(mfn, sim->used);
	else if (test_bit(mfn, sim->used))
		err = -EBUSY;
	else
		__set_bit(mfn, sim->used);
	if (!err)
		WRITE_ONCE(sim->m2p[mfn], pfn);
	spin_unlock(&sim->lock);
	return err;
}
EXPORT_SYMBOL_GPL(xp2m_sim_assign_frame);

/* Domain building: @page (of a boot list) is the memory of frame @mfn. */
int xp2m_sim_bind_page(struct xp2m_sim *sim, struct page *page,
		       unsigned long mfn)
{
	int err = 0;

	spin_lock(&sim->lock);
	if (mfn > sim->be.max_mfn || !test_bit(mfn, sim->used) ||
	    sim->page_of[mfn] || page_private(page))
		err = -EINVAL;
	else
		sim_bind(sim, page, mfn, false);
	spin_unlock(&sim->lock);
	return err;
}

/*
 * Domain building: the domain's free pages, @nr pfns and their frames, from
 * which the machine serves page_alloc afterwards. 0 or -ENOMEM.
 */
int xp2m_sim_set_pool(struct xp2m_sim *sim, const unsigned long *pfns,
		      const unsigned long *mfns, unsigned long nr)
{
	unsigned long *p, *m, *old_p, *old_m;

	p = kvmalloc_array(nr ?: 1, sizeof(*p), GFP_KERNEL);
	m = kvmalloc_array(nr ?: 1, sizeof(*m), GFP_KERNEL);
	if (!p || !m) {
		kvfree(p);
		kvfree(m);
		return -ENOMEM;
	}
	memcpy(p, pfns, nr * sizeof(*p));
	memcpy(m, mfns, nr * sizeof(*m));
	spin_lock(&sim->lock);
	old_p = sim->pool_pfns;
	old_m = sim->pool_mfns;
	sim->pool_pfns = p;
	sim->pool_mfns = m;
	sim->pool_nr = nr;
	sim->pool_cap = nr;
	spin_unlock(&sim->lock);
	kvfree(old_p);
	kvfree(old_m);
	return 0;
}

/*
 * Simulated page tables: the x86-64 four-level format, so that a reader
 * walks them from a cr3 value by machine frame exactly as it walks a real
 * guest's. Table pages are pages of the machine like any other.
 */
#define SIM_PTE(mfn)		((mfn) << 12 | 0x63)	/* P, RW, A, D */
#define SIM_PTE_FRAME(pte)	(((pte) & 0x000ffffffffff000UL) >> 12)

static unsigned long *sim_table(struct xp2m_sim *sim, unsigned long mfn)
{
	return (unsigned long *)sim_map_frame(&sim->be, mfn);
}

/*
 * The level-1 table mapping @va; with @create, missing tables on the way
 * are made (NULL when out of memory). Under pt_lock.
 */
static unsigned long *sim_pt_l1(struct xp2m_sim *sim, unsigned long va,
				bool create)
{
	unsigned long *table, mfn = sim->pt_root;
	unsigned int level, idx;
	struct page *page;

	lockdep_assert_held(&sim->pt_lock);
	if (!mfn)
		return NULL;
	for (level = 4; level > 1; level--) {
		table = sim_table(sim, mfn);
		idx = (va >> (level * 9 + 3)) & 511;
		if (!table[idx]) {
			if (!create)
				return NULL;
			page = sim_page_alloc(&sim->be);
			if (!page)
				return NULL;
			sim->pt_pages++;
			table[idx] = SIM_PTE(sim_page_to_mfn(&sim->be, page));
		}
		mfn = SIM_PTE_FRAME(table[idx]);
	}
	return sim_table(sim, mfn);
}

/*
 * Free the tables below @table (level @level) that hold nothing. Under
 * pt_lock.
 */
static bool sim_pt_prune(struct xp2m_sim *sim, unsigned long mfn,
			 unsigned int level)
{
	unsigned long *table = sim_table(sim, mfn);
	unsigned int i;

	lockdep_assert_held(&sim->pt_lock);
	if (level > 1) {
		for (i = 0; i < 512; i++) {
			if (table[i] &&
			    sim_pt_prune(sim, SIM_PTE_FRAME(table[i]), level - 1))
				table[i] = 0;
		}
	}
	if (memchr_inv(table, 0, PAGE_SIZE))
		return false;
	sim_page_free(&sim->be, virt_to_page(table));
	sim->pt_pages--;
	return true;
}

static void sim_pt_clear(struct xp2m_sim *sim, unsigned long va,
			 unsigned long n)
{
	unsigned long k, *l1;

	for (k = 0; k < n; k++) {
		l1 = sim_pt_l1(sim, va + k * PAGE_SIZE, false);
		if (l1)
			l1[((va + k * PAGE_SIZE) >> 12) & 511] = 0;
	}
	if (sim->pt_root && sim_pt_prune(sim, sim->pt_root, 4))
		sim->pt_root = 0;
}

static unsigned long sim_pt_root(struct xp2m_backend *be)
{
	unsigned long root = READ_ONCE(to_sim(be)->pt_root);

	return root ? root << 12 : 0;
}

/*
 * Map [@va, @va + @n pages) to @mfns, making tables where there are none;
 * an entry that mapped a frame already is a remap, counted. On failure
 * what was mapped is unmapped again. Under pt_lock.
 */
static int sim_pt_fill(struct xp2m_sim *sim, unsigned long va,
		       const unsigned long *mfns, unsigned long n)
{
	unsigned long k, *l1, *entry;
	struct page *page;

	lockdep_assert_held(&sim->pt_lock);
	if (!sim->pt_root) {
		page = sim_page_alloc(&sim->be);
		if (!page)
			return -ENOMEM;
		sim->pt_root = sim_page_to_mfn(&sim->be, page);
		sim->pt_pages++;
	}
	for (k = 0; k < n; k++) {
		l1 = sim_pt_l1(sim, va + k * PAGE_SIZE, true);
		if (!l1) {
			sim_pt_clear(sim, va, k);
			return -ENOMEM;
		}
		entry = &l1[((va + k * PAGE_SIZE) >> 12) & 511];
		if (*entry)
			atomic_long_inc(&sim->pt_updates);
		WRITE_ONCE(*entry, SIM_PTE(mfns[k]));
	}
	return 0;
}

static int sim_pt_map(struct xp2m_backend *be, unsigned long va,
		      const unsigned long *mfns, unsigned long n)
{
	struct xp2m_sim *sim = to_sim(be);
	int err = 0;

	mutex_lock(&sim->pt_lock);
	if (mfns)
		err = sim_pt_fill(sim, va, mfns, n);
	else
		sim_pt_clear(sim, va, n);
	mutex_unlock(&sim->pt_lock);
	return err;
}

/*
 * The reservation. A frame is the domain's when it is taken and has an M2P
 * entry; one bound to a page the core allocated (or to a page of the boot
 * list) is in use as such and cannot be given back. Under sim->lock.
 */
static bool sim_domain_frame(struct xp2m_sim *sim, unsigned long mfn)
{
	lockdep_assert_held(&sim->lock);
	return mfn <= sim->be.max_mfn && test_bit(mfn, sim->used) &&
	       sim->m2p[mfn] != XP2M_INVALID_ENTRY;
}

/*
 * How many of @nr entries the next call of @op may do: all of them, or fewer
 * once, as a test armed it with xp2m_sim_stop_after(). The entry it stops at
 * is refused as a frame not the domain's is.
 */
static unsigned long sim_take_stop(struct xp2m_sim *sim, enum xp2m_sim_op op,
				   unsigned long nr)
{
	unsigned long k;

	spin_lock(&sim->lock);
	k = sim->stop_after[op];
	sim->stop_after[op] = ULONG_MAX;
	spin_unlock(&sim->lock);
	return min(k, nr);
}

/* A free frame, searched from where the last one was found; 0 if none. */
static unsigned long sim_free_frame(struct xp2m_sim *sim)
{
	unsigned long end = sim->be.max_mfn + 1, mfn;

	mfn = find_next_zero_bit(sim->used, end, sim->resv_next);
	if (mfn >= end)
		mfn = find_first_zero_bit(sim->used, end);
	if (mfn >= end)
		return 0;
	sim->resv_next = mfn + 1;
	return mfn;
}

/*
 * The reservation operations may sleep, as hypercalls are preempted: each
 * offers the CPU before and after its work; with xp2m_sim_resv_sleep() on,
 * each sleeps a moment there, so that other threads run between two of them
 * even on one CPU of a kernel that does not preempt.
 */
static void sim_resv_pause(struct xp2m_sim *sim)
{
	if (READ_ONCE(sim->resv_sleep))
		usleep_range(10, 20);
	else
		cond_resched();
}

/* XENMEM_populate_physmap: free frames, as far as the headroom allows. */
static long sim_populate(struct xp2m_backend *be, const unsigned long *pfns,
			 unsigned long *mfns, unsigned long nr)
{
	struct xp2m_sim *sim = to_sim(be);
	unsigned long i, mfn;

	sim_resv_pause(sim);
	spin_lock(&sim->lock);
	for (i = 0; i < nr && sim->headroom; i++) {
		mfn = sim_free_frame(sim);
		if (!mfn)
			break;
		__set_bit(mfn, sim->used);
		WRITE_ONCE(sim->m2p[mfn], pfns[i]);
		mfns[i] = mfn;
		if (sim->headroom != ULONG_MAX)
			sim->headroom--;
	}
	spin_unlock(&sim->lock);
	sim_resv_pause(sim);
	return i;
}

/* XENMEM_decrease_reservation: stops at the first frame not the domain's. */
static long sim_release(struct xp2m_backend *be, const unsigned long *mfns,
			unsigned long nr)
{
	struct xp2m_sim *sim = to_sim(be);
	unsigned long i, mfn;

	sim_resv_pause(sim);
	spin_lock(&sim->lock);
	for (i = 0; i < nr; i++) {
		mfn = mfns[i];
		if (!sim_domain_frame(sim, mfn) || sim->page_of[mfn])
			break;
		WRITE_ONCE(sim->m2p[mfn], XP2M_INVALID_ENTRY);
		__clear_bit(mfn, sim->used);
		if (sim->headroom != ULONG_MAX)
			sim->headroom++;
	}
	spin_unlock(&sim->lock);
	sim_resv_pause(sim);
	return i;
}

/*
 * The kernel's view of its pages: stops at the first frame not the
 * domain's, -EINVAL when that is the first. Clearing a pfn that was never
 * mapped has nothing to do; clearing one that was keeps its slot (as the
 * kernel keeps its page tables), so that mapping it again does not
 * allocate.
 */
static long sim_kmap(struct xp2m_backend *be, const unsigned long *pfns,
		     const unsigned long *mfns, unsigned long nr)
{
	struct xp2m_sim *sim = to_sim(be);
	unsigned long i, k, v;
	int err = 0;
	bool ours;

	k = sim_take_stop(sim, XP2M_SIM_KMAP, nr);
	sim_resv_pause(sim);
	for (i = 0; i < k; i++) {
		if (!mfns) {
			if (!xa_load(&sim->kmap, pfns[i]))
				continue;
			v = XP2M_SIM_KMAP_NONE;
		} else {
			spin_lock(&sim->lock);
			ours = sim_domain_frame(sim, mfns[i]);
			spin_unlock(&sim->lock);
			if (!ours)
				break;
			v = mfns[i];
		}
		err = xa_err(xa_store(&sim->kmap, pfns[i], xa_mk_value(v),
				      GFP_KERNEL));
		if (err)
			break;
	}
	sim_resv_pause(sim);
	if (err && !i)
		return err;
	return i || !nr ? i : -EINVAL;
}

/*
 * A borrowed p2m's hole gets its leaf from the machine's own p2m: here the
 * p2m the machine was told is its own (xp2m_sim_set_source()), which gives
 * the leaf a page of its own as a kernel's xen_alloc_p2m_entry() does.
 */
static unsigned long *sim_leaf_alloc(struct xp2m_backend *be,
				     unsigned long pfn)
{
	struct xp2m *src = READ_ONCE(to_sim(be)->source);
	int err;

	if (!src)
		return ERR_PTR(-EOPNOTSUPP);
	err = xp2m_prealloc(src, pfn, pfn + 1);
	return err ? ERR_PTR(err) : xp2m_leaf_of(src, pfn);
}

static const struct xp2m_backend_ops sim_ops = {
	.page_alloc = sim_page_alloc,
	.page_free = sim_page_free,
	.page_to_mfn = sim_page_to_mfn,
	.map_frame = sim_map_frame,
	.unmap_frame = sim_unmap_frame,
	.m2p = sim_m2p,
	.set_m2p = sim_set_m2p,
	.pt_root = sim_pt_root,
	.pt_map = sim_pt_map,
	.populate = sim_populate,
	.release = sim_release,
	.kmap = sim_kmap,
	.leaf_alloc = sim_leaf_alloc,
};

/* The simulated machine @be is, or NULL when it is another. */
struct xp2m_sim *xp2m_sim_of(struct xp2m_backend *be)
{
	return be->ops == &sim_ops ? to_sim(be) : NULL;
}

/**
 * xp2m_sim_create() - a simulated machine
 * @name: its name
 * @nr_frames: frames 0 .. @nr_frames - 1; frame 0 is never handed out
 *	(0 means "none" to the toolstack)
 *
 * Return: the machine, or NULL when out of memory.
 */
struct xp2m_sim *xp2m_sim_create(const char *name, unsigned long nr_frames)
{
	struct xp2m_sim *sim;
	unsigned long i;

	if (nr_frames < 2)
		return NULL;
	sim = kzalloc(sizeof(*sim), GFP_KERNEL);
	if (!sim)
		return NULL;
	sim->m2p = vmalloc_array(nr_frames, sizeof(*sim->m2p));
	sim->page_of = vzalloc(array_size(nr_frames, sizeof(*sim->page_of)));
	sim->used = vzalloc(BITS_TO_LONGS(nr_frames) * sizeof(long));
	if (!sim->m2p || !sim->page_of || !sim->used) {
		vfree(sim->page_of);
		vfree(sim->m2p);
		vfree(sim->used);
		kfree(sim);
		return NULL;
	}
	for (i = 0; i < nr_frames; i++)
		sim->m2p[i] = XP2M_INVALID_ENTRY;
	__set_bit(0, sim->used);
	sim->spare = 1;
	sim->resv_next = 1;
	sim->headroom = ULONG_MAX;
	for (i = 0; i < XP2M_SIM_NR_OPS; i++)
		sim->stop_after[i] = ULONG_MAX;
	xa_init(&sim->kmap);
	sim->be.ops = &sim_ops;
	sim->be.name = name;
	sim->be.max_mfn = nr_frames - 1;
	spin_lock_init(&sim->lock);
	mutex_init(&sim->pt_lock);
	return sim;
}
EXPORT_SYMBOL_GPL(xp2m_sim_create);

/**
 * xp2m_sim_set_source() - the machine's own p2m, which borrowed p2ms borrow
 * @sim: the machine
 * @p2m: a p2m on it (or NULL): the one whose leaves a borrowed p2m on this
 *	machine shows, as a live instance shows its kernel's
 */
void xp2m_sim_set_source(struct xp2m_sim *sim, struct xp2m *p2m)
{
	WRITE_ONCE(sim->source, p2m);
}
EXPORT_SYMBOL_GPL(xp2m_sim_set_source);

/**
 * xp2m_sim_destroy() - free a simulated machine
 * @sim: the machine, or NULL
 *
 * Pages still bound (a leak of whoever allocated them) are reported and
 * left alone.
 */
void xp2m_sim_destroy(struct xp2m_sim *sim)
{
	if (!sim)
		return;
	WARN(sim->pt_root, pr_fmt("%s destroyed with page tables left\n"),
	     sim->be.name);
	WARN(atomic_long_read(&sim->bound),
	     pr_fmt("%s destroyed with %ld pages still bound\n"),
	     sim->be.name, atomic_long_read(&sim->bound));
	xa_destroy(&sim->kmap);
	vfree(sim->page_of);
	kvfree(sim->pool_pfns);
	kvfree(sim->pool_mfns);
	vfree(sim->used);
	vfree(sim->m2p);
	kfree(sim);
}
EXPORT_SYMBOL_GPL(xp2m_sim_destroy);

/**
 * xp2m_sim_bound() - pages bound to frames of a machine right now
 * @sim: the machine
 *
 * Every page the core allocated and every page of a boot list built on
 * @sim counts until it is freed: after the last p2m on @sim is destroyed it
 * must be 0.
 *
 * Return: the count.
 */
long xp2m_sim_bound(struct xp2m_sim *sim)
{
	return atomic_long_read(&sim->bound);
}
EXPORT_SYMBOL_GPL(xp2m_sim_bound);

/**
 * xp2m_sim_pool_free() - free pages left to the built domain
 * @sim: the machine
 *
 * Return: pages in the pool.
 */
unsigned long xp2m_sim_pool_free(struct xp2m_sim *sim)
{
	unsigned long n;

	spin_lock(&sim->lock);
	n = sim->pool_nr;
	spin_unlock(&sim->lock);
	return n;
}
EXPORT_SYMBOL_GPL(xp2m_sim_pool_free);

/**
 * xp2m_sim_pt_updates() - single-entry updates of the simulated page tables
 * @sim: the machine
 *
 * A witness independent of the p2m: each remap of a linear view's slot is
 * one update.
 *
 * Return: updates so far.
 */
long xp2m_sim_pt_updates(struct xp2m_sim *sim)
{
	return atomic_long_read(&sim->pt_updates);
}
EXPORT_SYMBOL_GPL(xp2m_sim_pt_updates);

/**
 * xp2m_sim_pt_pages() - pages of the simulated page tables
 * @sim: the machine
 *
 * The machine's page tables, which the simulation keeps beside the
 * kernel's (see the backend's pt_map): pages bound to frames, but not the
 * p2m's. A test of what a p2m costs takes them off xp2m_sim_bound().
 *
 * Return: the pages they occupy right now.
 */
unsigned long xp2m_sim_pt_pages(struct xp2m_sim *sim)
{
	unsigned long n;

	mutex_lock(&sim->pt_lock);
	n = sim->pt_pages;
	mutex_unlock(&sim->pt_lock);
	return n;
}
EXPORT_SYMBOL_GPL(xp2m_sim_pt_pages);

/**
 * xp2m_sim_set_headroom() - set how far the domain's reservation may grow
 * @sim: the machine
 * @n: frames populate may still give the domain; ULONG_MAX for no limit
 *	(the default)
 *
 * The domain's maximum, as Xen enforces it: each frame populate gives takes
 * one off, each frame released adds one (a limit of ULONG_MAX stays).
 */
void xp2m_sim_set_headroom(struct xp2m_sim *sim, unsigned long n)
{
	spin_lock(&sim->lock);
	sim->headroom = n;
	spin_unlock(&sim->lock);
}
EXPORT_SYMBOL_GPL(xp2m_sim_set_headroom);

/**
 * xp2m_sim_headroom() - how far the domain's reservation may still grow
 * @sim: the machine
 *
 * Return: frames populate may still give; ULONG_MAX for no limit.
 */
unsigned long xp2m_sim_headroom(struct xp2m_sim *sim)
{
	unsigned long n;

	spin_lock(&sim->lock);
	n = sim->headroom;
	spin_unlock(&sim->lock);
	return n;
}
EXPORT_SYMBOL_GPL(xp2m_sim_headroom);

/**
 * xp2m_sim_frame_free() - is a frame free?
 * @sim: the machine
 * @mfn: the frame
 *
 * Return: true when @mfn exists, is neither assigned nor lent, and has no
 * M2P entry.
 */
bool xp2m_sim_frame_free(struct xp2m_sim *sim, unsigned long mfn)
{
	bool free;

	if (mfn > sim->be.max_mfn)
		return false;
	spin_lock(&sim->lock);
	free = !test_bit(mfn, sim->used) &&
	       sim->m2p[mfn] == XP2M_INVALID_ENTRY;
	spin_unlock(&sim->lock);
	return free;
}
EXPORT_SYMBOL_GPL(xp2m_sim_frame_free);

/**
 * xp2m_sim_kmap() - the frame the kernel's view maps at a pfn
 * @sim: the machine
 * @pfn: the pfn
 *
 * Return: the frame the kmap operation last mapped at @pfn, or
 * %XP2M_INVALID_ENTRY when it maps none.
 */
unsigned long xp2m_sim_kmap(struct xp2m_sim *sim, unsigned long pfn)
{
	void *entry = xa_load(&sim->kmap, pfn);
	unsigned long v = entry ? xa_to_value(entry) : XP2M_SIM_KMAP_NONE;

	return v == XP2M_SIM_KMAP_NONE ? XP2M_INVALID_ENTRY : v;
}
EXPORT_SYMBOL_GPL(xp2m_sim_kmap);

/**
 * xp2m_sim_kmap_reserve() - the kernel's page tables for some pfns exist
 * @sim: the machine
 * @start: first pfn
 * @end: end, exclusive
 *
 * Makes a slot, mapping nothing, for each pfn of [@start, @end) that has
 * none, so that the kmap operation never allocates on them, as a kernel
 * never allocates to map a page of its linear map. Slots that map a frame
 * are left alone.
 *
 * Return: 0, or -ENOMEM (the slots made so far stay).
 */
int xp2m_sim_kmap_reserve(struct xp2m_sim *sim, unsigned long start,
			  unsigned long end)
{
	unsigned long pfn;
	int err;

	for (pfn = start; pfn < end; pfn++) {
		err = xa_insert(&sim->kmap, pfn,
				xa_mk_value(XP2M_SIM_KMAP_NONE), GFP_KERNEL);
		if (err && err != -EBUSY)
			return err;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(xp2m_sim_kmap_reserve);

/**
 * xp2m_sim_stop_after() - make an operation stop short, once
 * @sim: the machine
 * @op: the operation
 * @k: the next call of @op does at most @k entries and refuses entry @k
 *	as it refuses a frame that is not the domain's (with @k 0, the call
 *	fails with -EINVAL); ULONG_MAX disarms
 *
 * For tests of what a caller does when the machine does less than asked.
 */
void xp2m_sim_stop_after(struct xp2m_sim *sim, enum xp2m_sim_op op,
			 unsigned long k)
{
	if (WARN_ON(op >= XP2M_SIM_NR_OPS))
		return;
	spin_lock(&sim->lock);
	sim->stop_after[op] = k;
	spin_unlock(&sim->lock);
}
EXPORT_SYMBOL_GPL(xp2m_sim_stop_after);

/**
 * xp2m_sim_resv_sleep() - make the reservation operations sleep
 * @sim: the machine
 * @on: whether populate, release and kmap sleep a moment
 *	before and after their work (off by default)
 *
 * For tests of concurrency: other threads then run between two steps of a
 * caller of those operations, even on one CPU of a kernel that does not
 * preempt, as they would when a hypercall is preempted.
 */
void xp2m_sim_resv_sleep(struct xp2m_sim *sim, bool on)
{
	WRITE_ONCE(sim->resv_sleep, on);
}
EXPORT_SYMBOL_GPL(xp2m_sim_resv_sleep);

MODULE_DESCRIPTION("xp2m: simulated machine for tests and benchmarks");
MODULE_LICENSE("GPL");
MODULE_VERSION(XP2M_VERSION);
