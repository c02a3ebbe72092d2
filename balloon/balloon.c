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
 */

#include <linux/bitmap.h>
#include <linux/module.h>
#include <linux/vmalloc.h>

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
	err = xp2m_prealloc(p2m, start, end);
	if (err) {
		vfree(b->owned);
		return err;
	}
	b->p2m = p2m;
	b->start = start;
	b->end = end;
	b->nr_owned = 0;
	spin_lock_init(&b->lock);
	for (pfn = start; pfn < end; pfn++) {
		if (xp2m_lookup(p2m, pfn) == XP2M_INVALID_ENTRY) {
			__set_bit(pfn - start, b->owned);
			b->nr_owned++;
		}
	}
	return 0;
}
EXPORT_SYMBOL_GPL(xp2m_balloon_init);

/**
 * xp2m_balloon_destroy() - forget a balloon
 * @b: the balloon
 *
 * The p2m keeps its entries and leaves.
 */
void xp2m_balloon_destroy(struct xp2m_balloon *b)
{
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
	return i ? i : err;
}
EXPORT_SYMBOL_GPL(xp2m_balloon_populate);

MODULE_DESCRIPTION("xp2m: balloon hooks");
MODULE_LICENSE("GPL");
