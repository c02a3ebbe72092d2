// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m_balloon: balloon hooks. See include/xp2m/balloon.h and
 * Documentation/m2p-balloon.rst.
 *
 * Releasing a pfn to the balloon: its entry becomes missing and the pfn
 * balloon-owned; the frame it had is handed back to the caller, who gives
 * it to the hypervisor. Populating: a new frame is installed in an owned
 * pfn. Neither ever allocates: the space's leaves were given pages of their
 * own by xp2m_balloon_init(), and entries are written with
 * xp2m_set_noalloc().
 *
 * Increasing and decreasing the reservation drive the whole path through
 * the machine's operations (the hypercalls, the kernel's mapping),
 * a batch at a time, with the one batch of frame numbers allocated at set
 * up: they never allocate either.
 *
 * Locking: b->resv_lock (a mutex) serialises increases and decreases, which
 * sleep in hypercalls, and is taken before b->lock (a spinlock), which
 * release and populate hold around their updates of the registry. Lookups
 * of the p2m take neither.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <xp2m/backend.h>
#include <xp2m/balloon.h>

/**
 * xp2m_balloon_init() - set up the balloon space of a p2m
 * @b: the balloon
 * @p2m: the p2m
 * @start: first pfn of the space
 * @end: its end, exclusive, at most max_pfn
 *
 * Gives every leaf of [@start, @end) a page of its own (the only
 * allocations the balloon ever makes), and takes every pfn of the space
 * whose entry is missing as ballooned out already, as a PV kernel does with
 * the memory past its initial allocation.
 *
 * Return: 0; -EINVAL for an empty or inverted range; -ERANGE past max_pfn;
 * -ENOMEM, with nothing changed.
 */
int xp2m_balloon_init(struct xp2m_balloon *b, struct xp2m *p2m,
		      unsigned long start, unsigned long end)
{
	unsigned long pfn;
	int err;

	if (start >= end)
		return -EINVAL;
	if (end > p2m->max_pfn)
		return -ERANGE;
	b->owned = vzalloc(BITS_TO_LONGS(end - start) * sizeof(long));
	if (!b->owned)
		return -ENOMEM;
	b->frames = kmalloc_array(XP2M_BALLOON_BATCH, sizeof(*b->frames),
				  GFP_KERNEL);
	if (!b->frames) {
		err = -ENOMEM;
		goto free_owned;
	}
	err = xp2m_prealloc(p2m, start, end);
	if (err)
		goto free_frames;
	b->p2m = p2m;
	b->start = start;
	b->end = end;
	b->nr_owned = 0;
	b->hypercalls = 0;
	b->extents = 0;
	spin_lock_init(&b->lock);
	mutex_init(&b->resv_lock);
	for (pfn = start; pfn < end; pfn++) {
		if (xp2m_lookup(p2m, pfn) == XP2M_INVALID_ENTRY) {
			__set_bit(pfn - start, b->owned);
			b->nr_owned++;
		}
	}
	return 0;

free_frames:
	kfree(b->frames);
	b->frames = NULL;
free_owned:
	vfree(b->owned);
	b->owned = NULL;
	return err;
}
EXPORT_SYMBOL_GPL(xp2m_balloon_init);

/**
 * xp2m_balloon_destroy() - forget a balloon
 * @b: the balloon
 *
 * The p2m keeps its entries and leaves. No increase or decrease may be
 * under way, and the balloon's debugfs file, if any, must be gone
 * (see xp2m_balloon_debugfs()).
 */
void xp2m_balloon_destroy(struct xp2m_balloon *b)
{
	mutex_destroy(&b->resv_lock);
	kfree(b->frames);
	b->frames = NULL;
	vfree(b->owned);
	b->owned = NULL;
}
EXPORT_SYMBOL_GPL(xp2m_balloon_destroy);

/**
 * xp2m_balloon_owned() - is a pfn ballooned out?
 * @b: the balloon
 * @pfn: the pfn
 *
 * Return: true when @pfn lies in the balloon space and is balloon-owned.
 */
bool xp2m_balloon_owned(struct xp2m_balloon *b, unsigned long pfn)
{
	return pfn >= b->start && pfn < b->end &&
	       test_bit(pfn - b->start, b->owned);
}
EXPORT_SYMBOL_GPL(xp2m_balloon_owned);

/**
 * xp2m_balloon_release() - balloon pfns out
 * @b: the balloon
 * @pfns: pfns of the balloon space holding frames of ours
 * @n: how many
 * @mfns: set to the frames they held, for the caller to give back
 *
 * In order, each entry becomes missing and the pfn balloon-owned; the first
 * pfn that cannot be released stops it. Never allocates, never sleeps.
 *
 * Return: the number released; or, when not even the first could be, -ERANGE
 * for a pfn outside the space, -EBUSY for one already ballooned out,
 * -EINVAL for one that holds no frame of ours (identity, foreign).
 */
long xp2m_balloon_release(struct xp2m_balloon *b, const unsigned long *pfns,
			  unsigned int n, unsigned long *mfns)
{
	unsigned long entry;
	unsigned int i;
	long err = 0;

	spin_lock(&b->lock);
	for (i = 0; i < n; i++) {
		unsigned long pfn = pfns[i];

		if (pfn < b->start || pfn >= b->end) {
			err = -ERANGE;
			break;
		}
		if (test_bit(pfn - b->start, b->owned)) {
			err = -EBUSY;
			break;
		}
		entry = xp2m_lookup(b->p2m, pfn);
		if (xp2m_entry_type(entry) != XP2M_TYPE_PFN) {
			err = -EINVAL;
			break;
		}
		err = xp2m_set_noalloc(b->p2m, pfn, XP2M_INVALID_ENTRY);
		if (WARN_ON(err))
			break;
		mfns[i] = entry;
		__set_bit(pfn - b->start, b->owned);
		b->nr_owned++;
	}
	spin_unlock(&b->lock);
	xp2m_note_pfns(b->p2m, pfns, i, XP2M_WHAT_PFN, XP2M_WHAT_MISSING,
		       XP2M_CAUSE_BALLOON);
	return i ? i : err;
}
EXPORT_SYMBOL_GPL(xp2m_balloon_release);

/**
 * xp2m_balloon_populate() - install frames in ballooned-out pfns
 * @b: the balloon
 * @pfns: balloon-owned pfns
 * @mfns: the frames the hypervisor gave for them
 * @n: how many
 *
 * In order, each owned pfn gets its frame and stops being owned; the first
 * that cannot stops it. Never allocates, never sleeps.
 *
 * Return: the number populated; or, when not even the first could be,
 * -ERANGE for a pfn outside the space, -EBUSY for one not ballooned out,
 * -EINVAL for a frame that does not fit.
 */
long xp2m_balloon_populate(struct xp2m_balloon *b, const unsigned long *pfns,
			   const unsigned long *mfns, unsigned int n)
{
	unsigned int i;
	long err = 0;

	spin_lock(&b->lock);
	for (i = 0; i < n; i++) {
		unsigned long pfn = pfns[i];

		if (pfn < b->start || pfn >= b->end) {
			err = -ERANGE;
			break;
		}
		if (!test_bit(pfn - b->start, b->owned)) {
			err = -EBUSY;
			break;
		}
		if (mfns[i] & ~XP2M_FRAME_MASK) {
			err = -EINVAL;
			break;
		}
		err = xp2m_set_noalloc(b->p2m, pfn, mfns[i]);
		if (err)
			break;
		__clear_bit(pfn - b->start, b->owned);
		b->nr_owned--;
	}
	spin_unlock(&b->lock);
	xp2m_note_pfns(b->p2m, pfns, i, XP2M_WHAT_MISSING, XP2M_WHAT_PFN,
		       XP2M_CAUSE_BALLOON);
	return i ? i : err;
}
EXPORT_SYMBOL_GPL(xp2m_balloon_populate);

/*
 * The reservation: xp2m_balloon_increase() and xp2m_balloon_decrease().
 * Everything below runs under b->resv_lock (asserted where b->frames or
 * the counts are used) and works on one batch at a time in b->frames.
 */

/* A reservation hypercall was made and did @done extents (or failed). */
static void xp2m_balloon_count(struct xp2m_balloon *b, long done)
{
	lockdep_assert_held(&b->resv_lock);
	b->hypercalls++;
	if (done > 0)
		b->extents += done;
}

/*
 * A step of a batch did @ret of its first @k pfns (a count, or a negative
 * errno when it did none): @undo, if any, puts the pfns it did not do back
 * as they were before the batch, and the batch goes on with the ones it
 * did. Returns how many those are, or what ends the batch: the step's
 * errno, or @none when it did none without one.
 */
static long xp2m_balloon_step(struct xp2m_balloon *b, const unsigned long *pfns,
			      unsigned long *mfns, long k, long ret,
			      void (*undo)(struct xp2m_balloon *b,
					   const unsigned long *pfns,
					   unsigned long *mfns,
					   unsigned long n),
			      long none)
{
	long m = clamp_t(long, ret, 0, k);

	if (undo)
		undo(b, pfns + m, mfns + m, k - m);
	if (!m)
		return ret < 0 ? ret : none;
	return m;
}

/*
 * Hand @n frames the domain holds but no pfn names (populated and then not
 * used) back to the hypervisor. It takes any frame of ours; one it refuses
 * all the same stays the domain's, unused, and is reported.
 */
static void xp2m_balloon_give_back(struct xp2m_balloon *b,
				   const unsigned long *mfns, unsigned long n)
{
	struct xp2m_backend *be = b->p2m->be;
	long done;

	if (!n)
		return;
	done = be->ops->release(be, mfns, n);
	xp2m_balloon_count(b, done);
	if (done < (long)n)
		pr_err("%s: %lu unused frames not taken back (%ld)\n",
		       b->p2m->name, n - max(done, 0L), done);
}

/* The frames of @n pfns were not used after all: give them back. */
static void xp2m_balloon_unused(struct xp2m_balloon *b,
				const unsigned long *pfns, unsigned long *mfns,
				unsigned long n)
{
	xp2m_balloon_give_back(b, mfns, n);
}

/*
 * The machine's kmap operation on @n pages (@mfns NULL clears them); one
 * with no kernel view of its pages has nothing to do.
 */
static long xp2m_balloon_kmap(struct xp2m_balloon *b, const unsigned long *pfns,
			      const unsigned long *mfns, unsigned long n)
{
	struct xp2m_backend *be = b->p2m->be;
	long (*op)(struct xp2m_backend *be, const unsigned long *pfns,
		   const unsigned long *mfns, unsigned long nr) = be->ops->kmap;

	return op ? op(be, pfns, mfns, n) : n;
}

/*
 * @n pfns have their frame in the p2m but no kernel mapping, and are not to
 * get one: balloon them out after all, p2m entry first, then the frames.
 */
static void xp2m_balloon_undo(struct xp2m_balloon *b, const unsigned long *pfns,
			      unsigned long *mfns, unsigned long n)
{
	long r;

	if (!n)
		return;
	r = xp2m_balloon_release(b, pfns, n, mfns);
	if (WARN_ON(r != (long)n))
		r = max(r, 0L);
	xp2m_balloon_give_back(b, mfns, r);
}

/*
 * Map the pages of @n pfns whose kernel mapping was cleared again, each
 * that still has its frame @mfns[i] in the p2m. A page the machine will not
 * map is ballooned out after all: a frame in the p2m is always mapped.
 */
static void xp2m_balloon_remap(struct xp2m_balloon *b,
			       const unsigned long *pfns, unsigned long *mfns,
			       unsigned long n)
{
	unsigned long i, j;
	long m;

	for (i = 0; i < n; i = j) {
		j = i + 1;
		if (xp2m_lookup(b->p2m, pfns[i]) != mfns[i])
			continue;
		while (j < n && xp2m_lookup(b->p2m, pfns[j]) == mfns[j])
			j++;
		m = xp2m_balloon_kmap(b, pfns + i, mfns + i, j - i);
		xp2m_balloon_step(b, pfns + i, mfns + i, j - i, m,
				  xp2m_balloon_undo, 0);
	}
}

/*
 * The hypervisor did not take frames @mfns of @n pfns, whose entries are
 * missing already. A frame the M2P still gives to its pfn is ours: the pfn
 * gets it back, in the p2m and the kernel's mapping. Any other is not ours
 * (the entry was stale): the pfn stays missing and balloon-owned.
 */
static void xp2m_balloon_keep(struct xp2m_balloon *b, const unsigned long *pfns,
			      unsigned long *mfns, unsigned long n)
{
	struct xp2m_backend *be = b->p2m->be;
	unsigned long i, j;
	long p;

	for (i = 0; i < n; i = j) {
		j = i + 1;
		if (be->ops->m2p(be, mfns[i]) != pfns[i])
			continue;
		while (j < n && be->ops->m2p(be, mfns[j]) == pfns[j])
			j++;
		p = xp2m_balloon_populate(b, pfns + i, mfns + i, j - i);
		p = max(p, 0L);
		xp2m_balloon_remap(b, pfns + i, mfns + i, p);
		/* One that cannot be put back (a duplicate) is skipped. */
		if (i + p < j)
			j = i + p + 1;
	}
}

/*
 * The valid prefix of @n pfns for an increase: each in the space and
 * balloon-owned. *@err says why the first one past it is not.
 */
static unsigned int xp2m_balloon_check_in(struct xp2m_balloon *b,
					  const unsigned long *pfns,
					  unsigned int n, long *err)
{
	unsigned int i;

	spin_lock(&b->lock);
	for (i = 0; i < n; i++) {
		if (pfns[i] < b->start || pfns[i] >= b->end) {
			*err = -ERANGE;
			break;
		}
		if (!test_bit(pfns[i] - b->start, b->owned)) {
			*err = -EBUSY;
			break;
		}
	}
	spin_unlock(&b->lock);
	return i;
}

/*
 * The valid prefix of @n pfns for a decrease: each in the space, not
 * balloon-owned, holding a frame of ours, which goes to @mfns[i]. *@err
 * says why the first one past it is not.
 */
static unsigned int xp2m_balloon_check_out(struct xp2m_balloon *b,
					   const unsigned long *pfns,
					   unsigned int n, unsigned long *mfns,
					   long *err)
{
	unsigned long entry;
	unsigned int i;

	spin_lock(&b->lock);
	for (i = 0; i < n; i++) {
		if (pfns[i] < b->start || pfns[i] >= b->end) {
			*err = -ERANGE;
			break;
		}
		if (test_bit(pfns[i] - b->start, b->owned)) {
			*err = -EBUSY;
			break;
		}
		entry = xp2m_lookup(b->p2m, pfns[i]);
		if (xp2m_entry_type(entry) != XP2M_TYPE_PFN) {
			*err = -EINVAL;
			break;
		}
		mfns[i] = entry;
	}
	spin_unlock(&b->lock);
	return i;
}

/*
 * One batch of an increase: @k valid pfns. Returns how many of the first
 * ones now have a frame, in the M2P, the p2m and the kernel's mapping, or a
 * negative errno when none does; in either case nothing else changed.
 */
static long xp2m_balloon_in(struct xp2m_balloon *b, const unsigned long *pfns,
			    unsigned int k)
{
	struct xp2m_backend *be = b->p2m->be;
	const struct xp2m_backend_ops *ops = be->ops;
	unsigned long *mfns = b->frames;
	long ret, got;

	lockdep_assert_held(&b->resv_lock);
	ret = ops->populate(be, pfns, mfns, k);
	xp2m_balloon_count(b, ret);
	got = xp2m_balloon_step(b, pfns, mfns, k, ret, NULL, -ENOMEM);
	if (got <= 0)
		return got;

	/*
	 * The M2P has them: populate_physmap records the pfn of each frame it
	 * gives a PV domain (populate_physmap() in Xen's common/memory.c), so
	 * mfn_to_pfn() of a frame maps back already. Then the p2m:
	 * pfn_to_mfn() gives the frame.
	 */
	ret = xp2m_balloon_populate(b, pfns, mfns, got);
	got = xp2m_balloon_step(b, pfns, mfns, got, ret, xp2m_balloon_unused,
				-EIO);
	if (got <= 0)
		return got;

	/* Last the kernel's mapping: the pages are usable. */
	ret = xp2m_balloon_kmap(b, pfns, mfns, got);
	return xp2m_balloon_step(b, pfns, mfns, got, ret, xp2m_balloon_undo,
				 -EIO);
}

/*
 * One batch of a decrease: @k valid pfns, their frames in b->frames.
 * Returns how many of the first ones gave their frame back, or a negative
 * errno when none did; every other pfn has its frame, p2m entry and
 * mapping as before, or (its entry named a frame not ours) is missing and
 * balloon-owned.
 */
static long xp2m_balloon_out(struct xp2m_balloon *b, const unsigned long *pfns,
			     unsigned int k)
{
	struct xp2m_backend *be = b->p2m->be;
	const struct xp2m_backend_ops *ops = be->ops;
	unsigned long *mfns = b->frames;
	long ret, got;

	lockdep_assert_held(&b->resv_lock);
	/* The kernel's mapping first: no CPU reaches the pages any more. */
	ret = xp2m_balloon_kmap(b, pfns, NULL, k);
	got = xp2m_balloon_step(b, pfns, mfns, k, ret, NULL, -EIO);
	if (got <= 0)
		return got;

	/* Then the p2m: the pfns are missing and balloon-owned. */
	ret = xp2m_balloon_release(b, pfns, got, mfns);
	got = xp2m_balloon_step(b, pfns, mfns, got, ret, xp2m_balloon_remap,
				-EIO);
	if (got <= 0)
		return got;

	/* Last the frames: the hypervisor stops at one it cannot take. */
	ret = ops->release(be, mfns, got);
	xp2m_balloon_count(b, ret);
	return xp2m_balloon_step(b, pfns, mfns, got, ret, xp2m_balloon_keep,
				 -EINVAL);
}

/*
 * The batch loop of both directions: check a batch, act on its valid
 * prefix, and stop at the first batch that ends short.
 */
static long xp2m_balloon_batches(struct xp2m_balloon *b,
				 const unsigned long *pfns, unsigned long n,
				 bool out)
{
	const struct xp2m_backend_ops *ops = b->p2m->be->ops;
	unsigned long done = 0;
	unsigned int nr, k;
	long err = 0, got;

	if (!n)
		return 0;
	if (!ops->populate || !ops->release)
		return -EOPNOTSUPP;
	mutex_lock(&b->resv_lock);
	while (done < n) {
		nr = min_t(unsigned long, n - done, XP2M_BALLOON_BATCH);
		k = out ? xp2m_balloon_check_out(b, pfns + done, nr, b->frames,
						 &err) :
			  xp2m_balloon_check_in(b, pfns + done, nr, &err);
		if (!k)
			break;
		got = out ? xp2m_balloon_out(b, pfns + done, k) :
			    xp2m_balloon_in(b, pfns + done, k);
		if (got < 0) {
			err = got;
			break;
		}
		done += got;
		if (got < nr)
			break;
		cond_resched();
	}
	mutex_unlock(&b->resv_lock);
	return done ? done : err;
}

/**
 * xp2m_balloon_increase() - give ballooned-out pfns frames again
 * @b: the balloon
 * @pfns: balloon-owned pfns of the space, whose pages the caller owns
 * @n: how many
 *
 * In batches of at most %XP2M_BALLOON_BATCH pfns, each batch:
 *
 * 1. is checked first, and only its valid prefix goes on (a pfn outside
 *    the space, or one not ballooned out, stops the whole call);
 * 2. the hypervisor gives a frame for each of the first k pfns
 *    (``populate``, XENMEM_populate_physmap: one hypercall), and records
 *    each in its M2P;
 * 3. the p2m entries are written (xp2m_balloon_populate()): the pfns stop
 *    being balloon-owned;
 * 4. the kernel maps the pages and its p2m learns the frames (``kmap``);
 *    pages it did not map are ballooned out again (entry missing and
 *    balloon-owned, then the frame given back).
 *
 * Each pfn is thus in the M2P before the p2m names its frame, and in the
 * p2m before its page can be touched; a lock-free lookup sees missing or
 * the new frame. A batch that ends short, at any step, ends the call: the
 * pfns that got frames are the first ones of @pfns, in order, and every
 * other is still missing and balloon-owned, its frame (if any) back with
 * the hypervisor. Every populate and release hypercall is counted in
 * @b->hypercalls, the extents they did in @b->extents.
 *
 * Never allocates: the frames of a batch go to @b->frames, and the p2m
 * entries are written with xp2m_set_noalloc(). Sleeps (in the hypercalls);
 * serialised with other increases and decreases by @b->resv_lock.
 *
 * Return: the number of pfns (the first ones of @pfns) that now have
 * frames; when none does, -ERANGE or -EBUSY for the first pfn as above,
 * -EOPNOTSUPP when the machine has no reservation to change, -ENOMEM when
 * the hypervisor gave no frame (the domain is at its maximum or the machine
 * is full), or the machine's negative errno. 0 when @n is 0.
 */
long xp2m_balloon_increase(struct xp2m_balloon *b, const unsigned long *pfns,
			   unsigned long n)
{
	return xp2m_balloon_batches(b, pfns, n, false);
}
EXPORT_SYMBOL_GPL(xp2m_balloon_increase);

/**
 * xp2m_balloon_decrease() - give frames of pfns back to the hypervisor
 * @b: the balloon
 * @pfns: pfns of the space holding frames of ours, whose pages the caller
 *	owns and no longer uses
 * @n: how many
 *
 * In batches of at most %XP2M_BALLOON_BATCH pfns, each batch:
 *
 * 1. is checked first, and only its valid prefix goes on (a pfn outside
 *    the space, one ballooned out already, or one whose entry is not a
 *    frame of ours stops the whole call);
 * 2. the kernel's mapping of the k pages is cleared, and the TLBs flushed
 *    (``kmap`` with no frames);
 * 3. the p2m entries become missing and the pfns balloon-owned
 *    (xp2m_balloon_release()), which collects the frames;
 * 4. the frames go back to the hypervisor (``release``,
 *    XENMEM_decrease_reservation: one hypercall), which takes r of them.
 *
 * No CPU can reach a frame through the kernel's mapping, nor find it in
 * the p2m, once it is no longer the domain's: the hypervisor may give it to
 * another domain at once. The hypervisor stops at the first frame it cannot
 * take (not the domain's, or still in use). If r < k, frames r..k-1 were
 * not given back: each that the M2P still gives to its pfn is ours, and
 * the pfn gets it back (p2m entry and mapping); any other is not ours (the
 * p2m entry was stale), and its pfn stays missing and balloon-owned, as the
 * p2m must not name a frame the domain does not own. If ``kmap`` clears
 * fewer than k mappings, only those pfns go on and the others keep
 * everything; should it refuse to map a page it unmapped back, that pfn is
 * ballooned out after all (not counted). A batch that ends short, at any
 * step, ends the call. Every release hypercall is counted in
 * @b->hypercalls, the extents it did in @b->extents.
 *
 * Never allocates: the frames of a batch go to @b->frames, and the p2m
 * entries are written with xp2m_set_noalloc(). Sleeps (in the hypercalls);
 * serialised with other increases and decreases by @b->resv_lock.
 *
 * Return: the number of pfns (the first ones of @pfns) whose frames went
 * back; when none did, -ERANGE, -EBUSY or -EINVAL for the first pfn as
 * above, -EOPNOTSUPP when the machine has no reservation to change,
 * -EINVAL when the hypervisor refused the first frame, or the machine's
 * negative errno. 0 when @n is 0.
 */
long xp2m_balloon_decrease(struct xp2m_balloon *b, const unsigned long *pfns,
			   unsigned long n)
{
	return xp2m_balloon_batches(b, pfns, n, true);
}
EXPORT_SYMBOL_GPL(xp2m_balloon_decrease);

/*
 * The debugfs view: a seq_file whose position is 0 for the header, then
 * 1 + the offset in the space where the next run of owned pfns is looked
 * for, so a read resumes where the last one stopped.
 */
struct xp2m_balloon_iter {
	struct xp2m_balloon *b;
	unsigned long first;
	unsigned long end;
};

static void *xp2m_balloon_run(struct xp2m_balloon_iter *it, loff_t pos)
{
	struct xp2m_balloon *b = it->b;
	unsigned long size = b->end - b->start, first;

	if (pos < 1 || pos - 1 >= size)
		return NULL;
	spin_lock(&b->lock);
	first = find_next_bit(b->owned, size, pos - 1);
	if (first < size)
		it->end = find_next_zero_bit(b->owned, size, first);
	spin_unlock(&b->lock);
	if (first >= size)
		return NULL;
	it->first = first;
	return it;
}

static void *xp2m_balloon_seq_start(struct seq_file *m, loff_t *pos)
{
	return *pos ? xp2m_balloon_run(m->private, *pos) : SEQ_START_TOKEN;
}

static void *xp2m_balloon_seq_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct xp2m_balloon_iter *it = m->private;

	*pos = v == SEQ_START_TOKEN ? 1 : it->end + 1;
	return xp2m_balloon_run(it, *pos);
}

static void xp2m_balloon_seq_stop(struct seq_file *m, void *v)
{
}

static int xp2m_balloon_seq_show(struct seq_file *m, void *v)
{
	struct xp2m_balloon_iter *it = m->private;
	struct xp2m_balloon *b = it->b;
	unsigned long owned, hypercalls, extents;

	if (v != SEQ_START_TOKEN) {
		/* The format of the core's "ranges": end exclusive. */
		seq_printf(m, " [0x%lx->0x%lx] balloon\n", b->start + it->first,
			   b->start + it->end);
		return 0;
	}
	mutex_lock(&b->resv_lock);
	hypercalls = b->hypercalls;
	extents = b->extents;
	mutex_unlock(&b->resv_lock);
	spin_lock(&b->lock);
	owned = b->nr_owned;
	spin_unlock(&b->lock);
	seq_printf(m, "space [0x%lx->0x%lx]\n", b->start, b->end);
	seq_printf(m, "owned %lu\n", owned);
	seq_printf(m, "hypercalls %lu\n", hypercalls);
	seq_printf(m, "extents %lu\n", extents);
	return 0;
}

static const struct seq_operations xp2m_balloon_sops = {
	.start = xp2m_balloon_seq_start,
	.next = xp2m_balloon_seq_next,
	.stop = xp2m_balloon_seq_stop,
	.show = xp2m_balloon_seq_show,
};

static int xp2m_balloon_open(struct inode *inode, struct file *file)
{
	struct xp2m_balloon_iter *it;

	it = __seq_open_private(file, &xp2m_balloon_sops, sizeof(*it));
	if (!it)
		return -ENOMEM;
	it->b = inode->i_private;
	return 0;
}

static const struct file_operations xp2m_balloon_fops = {
	.owner = THIS_MODULE,
	.open = xp2m_balloon_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release_private,
};

/**
 * xp2m_balloon_debugfs() - show a balloon in debugfs
 * @b: the balloon
 * @dir: the debugfs directory to put the file in
 *
 * Creates the root-only file ``balloon`` in @dir: the space, the pfns
 * ballooned out, the reservation hypercalls made and the extents they did,
 * then one line per run of balloon-owned pfns in the format of the core's
 * ``ranges`` view (`` [0x<first>->0x<end>] balloon``, end exclusive). See
 * Documentation/m2p-balloon.rst for an example.
 *
 * The caller removes the file with its directory (debugfs_remove_recursive()
 * of @dir), before xp2m_balloon_destroy(): debugfs then waits for readers
 * of the file to leave it. As debugfs files go, a failure to create it is
 * not reported.
 */
void xp2m_balloon_debugfs(struct xp2m_balloon *b, struct dentry *dir)
{
	debugfs_create_file("balloon", 0400, dir, b, &xp2m_balloon_fops);
}
EXPORT_SYMBOL_GPL(xp2m_balloon_debugfs);

MODULE_DESCRIPTION("xp2m: balloon hooks");
MODULE_LICENSE("GPL");
MODULE_VERSION(XP2M_VERSION);
