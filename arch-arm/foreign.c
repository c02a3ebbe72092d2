// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m ARM: the p2m of an auto-translated ARM guest.
 *
 * Such a guest sees its own memory through stage 2 and never needs its
 * frame numbers: pfn and bus frame are the same. Only frames of other
 * domains it maps (grant mappings, foreign mappings of a toolstack) have a
 * frame number of their own, and they come in runs. So the guest's p2m is
 * a set of disjoint ranges pfn -> mfn, kept in an rbtree by first pfn.
 *
 * Invariants, under t->lock: ranges never overlap, and no two neighbours
 * continue each other in both pfn and mfn (they would be one range). Set
 * and clear cut what they overlap, splitting a range that sticks out on
 * both sides; set merges with its neighbours. Each reserves the nodes it
 * may need before taking the lock, so it fails, if at all, before any
 * change.
 */

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/rbtree.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include <xp2m/entry.h>

#include "internal.h"

struct xp2m_arm_fnode {
	struct rb_node node;
	struct xp2m_arm_range r;
};

static struct xp2m_arm_fnode *xp2m_arm_fnode(struct rb_node *node)
{
	return node ? rb_entry(node, struct xp2m_arm_fnode, node) : NULL;
}

static unsigned long xp2m_arm_fend(const struct xp2m_arm_fnode *n)
{
	return n->r.pfn + n->r.nr;
}

static bool xp2m_arm_fless(struct rb_node *a, const struct rb_node *b)
{
	return xp2m_arm_fnode(a)->r.pfn <
	       rb_entry(b, struct xp2m_arm_fnode, node)->r.pfn;
}

/* The range holding @pfn, or NULL. */
static struct xp2m_arm_fnode *xp2m_arm_fsearch(struct xp2m_arm_foreign *t,
					       unsigned long pfn)
{
	struct rb_node *p = t->root.rb_node;

	while (p) {
		struct xp2m_arm_fnode *n = xp2m_arm_fnode(p);

		if (pfn < n->r.pfn)
			p = p->rb_left;
		else if (pfn >= xp2m_arm_fend(n))
			p = p->rb_right;
		else
			return n;
	}
	return NULL;
}

/* The first range that ends after @pfn, or NULL. */
static struct xp2m_arm_fnode *xp2m_arm_fceil(struct xp2m_arm_foreign *t,
					     unsigned long pfn)
{
	struct rb_node *p = t->root.rb_node;
	struct xp2m_arm_fnode *best = NULL;

	while (p) {
		struct xp2m_arm_fnode *n = xp2m_arm_fnode(p);

		if (pfn < xp2m_arm_fend(n)) {
			best = n;
			p = p->rb_left;
		} else {
			p = p->rb_right;
		}
	}
	return best;
}

static int xp2m_arm_fcheck(unsigned long pfn, unsigned long nr)
{
	if (!nr || pfn > XP2M_ARM_MAX_PFN || nr - 1 > XP2M_ARM_MAX_PFN - pfn)
		return -EINVAL;
	return 0;
}

/* Nodes set aside before taking the lock; what is left is freed after. */
struct xp2m_arm_fspare {
	struct xp2m_arm_fnode *node[2];
	unsigned int nr;
};

static int xp2m_arm_fspare_fill(struct xp2m_arm_fspare *s, unsigned int nr)
{
	s->nr = 0;
	while (s->nr < nr) {
		s->node[s->nr] = kzalloc(sizeof(*s->node[s->nr]), GFP_KERNEL);
		if (!s->node[s->nr]) {
			while (s->nr)
				kfree(s->node[--s->nr]);
			return -ENOMEM;
		}
		s->nr++;
	}
	return 0;
}

static struct xp2m_arm_fnode *xp2m_arm_fspare_take(struct xp2m_arm_fspare *s)
{
	return s->nr ? s->node[--s->nr] : NULL;
}

/* A node left the tree: free it later, or keep it as a spare. */
static void xp2m_arm_fspare_put(struct xp2m_arm_fspare *s,
				struct xp2m_arm_fnode *n)
{
	if (s->nr < ARRAY_SIZE(s->node))
		s->node[s->nr++] = n;
	else
		kfree(n);
}

static void xp2m_arm_fspare_drop(struct xp2m_arm_fspare *s)
{
	while (s->nr)
		kfree(s->node[--s->nr]);
}

static void xp2m_arm_ferase(struct xp2m_arm_foreign *t,
			    struct xp2m_arm_fnode *n, struct xp2m_arm_fspare *s)
{
	rb_erase(&n->node, &t->root);
	t->nr_ranges--;
	xp2m_arm_fspare_put(s, n);
}

/*
 * Under t->lock: remove [@pfn, @end) from every range. At most one range
 * sticks out on both sides; its right part takes a spare node.
 *
 * Return: frames removed.
 */
static unsigned long xp2m_arm_fcut(struct xp2m_arm_foreign *t,
				   unsigned long pfn, unsigned long end,
				   struct xp2m_arm_fspare *s)
{
	struct xp2m_arm_fnode *n, *next, *right;
	unsigned long cut = 0;

	lockdep_assert_held_write(&t->lock);
	for (n = xp2m_arm_fceil(t, pfn); n && n->r.pfn < end; n = next) {
		unsigned long first = n->r.pfn, last = xp2m_arm_fend(n);

		next = xp2m_arm_fnode(rb_next(&n->node));
		if (first < pfn && last > end) {
			/* [first, pfn) stays here; [end, last) is new. */
			right = xp2m_arm_fspare_take(s);
			right->r.pfn = end;
			right->r.mfn = n->r.mfn + (end - first);
			right->r.nr = last - end;
			n->r.nr = pfn - first;
			rb_add(&right->node, &t->root, xp2m_arm_fless);
			t->nr_ranges++;
			cut += end - pfn;
			break;
		}
		if (first < pfn) {
			n->r.nr = pfn - first;
			cut += last - pfn;
		} else if (last > end) {
			/* Starts later but keeps its place among the others. */
			n->r.mfn += end - first;
			n->r.pfn = end;
			n->r.nr = last - end;
			cut += end - first;
		} else {
			xp2m_arm_ferase(t, n, s);
			cut += last - first;
		}
	}
	t->nr_pages -= cut;
	return cut;
}

/* Whether @b continues @a, in pfn and in mfn. */
static bool xp2m_arm_fjoins(const struct xp2m_arm_fnode *a,
			    const struct xp2m_arm_fnode *b)
{
	return xp2m_arm_fend(a) == b->r.pfn && a->r.mfn + a->r.nr == b->r.mfn;
}

/**
 * xp2m_arm_foreign_set() - map guest frames to foreign frames
 * @t: the guest's p2m
 * @pfn: first guest frame
 * @mfn: the frame @pfn maps; @pfn + i maps @mfn + i
 * @nr: number of frames
 *
 * Replaces whatever [@pfn, @pfn + @nr) mapped, splitting ranges it cuts
 * through, and merges with neighbours it continues. May sleep.
 *
 * Return: 0; -EINVAL for @nr 0 or frames past %XP2M_ARM_MAX_PFN or
 * %XP2M_ARM_MAX_MFN, -ENOMEM. On error nothing changed.
 */
int xp2m_arm_foreign_set(struct xp2m_arm_foreign *t, unsigned long pfn,
			 unsigned long mfn, unsigned long nr)
{
	struct xp2m_arm_fnode *n, *nb;
	struct xp2m_arm_fspare s;
	unsigned long flags;
	int err;

	err = xp2m_arm_fcheck(pfn, nr);
	if (!err && (mfn > XP2M_ARM_MAX_MFN || nr - 1 > XP2M_ARM_MAX_MFN - mfn))
		err = -EINVAL;
	if (err)
		return err;
	err = xp2m_arm_fspare_fill(&s, 2);
	if (err)
		return err;

	write_lock_irqsave(&t->lock, flags);
	xp2m_arm_fcut(t, pfn, pfn + nr, &s);
	n = xp2m_arm_fspare_take(&s);
	n->r.pfn = pfn;
	n->r.mfn = mfn;
	n->r.nr = nr;
	rb_add(&n->node, &t->root, xp2m_arm_fless);
	t->nr_ranges++;
	t->nr_pages += nr;

	nb = xp2m_arm_fnode(rb_prev(&n->node));
	if (nb && xp2m_arm_fjoins(nb, n)) {
		nb->r.nr += n->r.nr;
		xp2m_arm_ferase(t, n, &s);
		n = nb;
	}
	nb = xp2m_arm_fnode(rb_next(&n->node));
	if (nb && xp2m_arm_fjoins(n, nb)) {
		n->r.nr += nb->r.nr;
		xp2m_arm_ferase(t, nb, &s);
	}
	write_unlock_irqrestore(&t->lock, flags);

	xp2m_arm_fspare_drop(&s);
	return 0;
}
EXPORT_SYMBOL_GPL(xp2m_arm_foreign_set);

/**
 * xp2m_arm_foreign_clear() - unmap guest frames
 * @t: the guest's p2m
 * @pfn: first guest frame
 * @nr: number of frames
 *
 * Frames of the range with no foreign mapping are skipped; a range that
 * sticks out on both sides is split. May sleep.
 *
 * Return: the number of frames that were mapped; -EINVAL for @nr 0 or
 * frames past %XP2M_ARM_MAX_PFN, -ENOMEM. On error nothing changed.
 */
long xp2m_arm_foreign_clear(struct xp2m_arm_foreign *t, unsigned long pfn,
			    unsigned long nr)
{
	struct xp2m_arm_fspare s;
	unsigned long flags, cut;
	int err;

	err = xp2m_arm_fcheck(pfn, nr) ?: xp2m_arm_fspare_fill(&s, 1);
	if (err)
		return err;
	write_lock_irqsave(&t->lock, flags);
	cut = xp2m_arm_fcut(t, pfn, pfn + nr, &s);
	write_unlock_irqrestore(&t->lock, flags);
	xp2m_arm_fspare_drop(&s);
	return cut;
}
EXPORT_SYMBOL_GPL(xp2m_arm_foreign_clear);

/**
 * xp2m_arm_foreign_lookup() - the foreign frame a guest frame maps
 * @t: the guest's p2m
 * @pfn: guest frame
 *
 * Any context.
 *
 * Return: the frame, or %XP2M_INVALID_ENTRY when @pfn maps none.
 */
unsigned long xp2m_arm_foreign_lookup(struct xp2m_arm_foreign *t,
				      unsigned long pfn)
{
	unsigned long flags, mfn = XP2M_INVALID_ENTRY;
	struct xp2m_arm_fnode *n;

	read_lock_irqsave(&t->lock, flags);
	n = xp2m_arm_fsearch(t, pfn);
	if (n)
		mfn = n->r.mfn + (pfn - n->r.pfn);
	read_unlock_irqrestore(&t->lock, flags);
	return mfn;
}
EXPORT_SYMBOL_GPL(xp2m_arm_foreign_lookup);

/**
 * xp2m_arm_foreign_to_bfn() - the bus frame of a guest frame
 * @t: the guest's p2m
 * @pfn: guest frame
 *
 * Any context.
 *
 * Return: the foreign frame @pfn maps, else @pfn itself (the guest's own
 * memory, auto-translated).
 */
unsigned long xp2m_arm_foreign_to_bfn(struct xp2m_arm_foreign *t,
				      unsigned long pfn)
{
	unsigned long mfn;

	/* Most guests map nothing foreign: no lock for them. */
	if (!READ_ONCE(t->root.rb_node))
		return pfn;
	mfn = xp2m_arm_foreign_lookup(t, pfn);
	return mfn == XP2M_INVALID_ENTRY ? pfn : mfn;
}
EXPORT_SYMBOL_GPL(xp2m_arm_foreign_to_bfn);

/**
 * xp2m_arm_foreign_find() - the range holding a guest frame
 * @t: the guest's p2m
 * @pfn: guest frame
 * @range: filled in when found
 *
 * Return: 0, or -ENOENT when @pfn maps no foreign frame.
 */
int xp2m_arm_foreign_find(struct xp2m_arm_foreign *t, unsigned long pfn,
			  struct xp2m_arm_range *range)
{
	struct xp2m_arm_fnode *n;
	unsigned long flags;

	read_lock_irqsave(&t->lock, flags);
	n = xp2m_arm_fsearch(t, pfn);
	if (n)
		*range = n->r;
	read_unlock_irqrestore(&t->lock, flags);
	return n ? 0 : -ENOENT;
}
EXPORT_SYMBOL_GPL(xp2m_arm_foreign_find);

/**
 * xp2m_arm_foreign_ranges() - copy out the ranges, in pfn order
 * @t: the guest's p2m
 * @out: room for @max ranges; may be NULL with @max 0
 * @max: ranges @out holds
 *
 * Return: the number of ranges @t holds (more than @max if @out was short).
 */
unsigned long xp2m_arm_foreign_ranges(struct xp2m_arm_foreign *t,
				      struct xp2m_arm_range *out,
				      unsigned long max)
{
	unsigned long flags, i = 0;
	struct rb_node *p;

	read_lock_irqsave(&t->lock, flags);
	for (p = rb_first(&t->root); p; p = rb_next(p), i++)
		if (i < max)
			out[i] = xp2m_arm_fnode(p)->r;
	read_unlock_irqrestore(&t->lock, flags);
	return i;
}
EXPORT_SYMBOL_GPL(xp2m_arm_foreign_ranges);

/**
 * xp2m_arm_foreign_dump() - print the ranges
 * @m: where to
 * @t: the guest's p2m
 *
 * One line a range, as the kernel's p2m dump prints runs, with the first
 * foreign frame after: " [0x<pfn>->0x<end>] foreign 0x<mfn>" (end
 * exclusive).
 */
void xp2m_arm_foreign_dump(struct seq_file *m, struct xp2m_arm_foreign *t)
{
	unsigned long flags;
	struct rb_node *p;

	read_lock_irqsave(&t->lock, flags);
	for (p = rb_first(&t->root); p; p = rb_next(p)) {
		struct xp2m_arm_fnode *n = xp2m_arm_fnode(p);

		seq_printf(m, " [0x%lx->0x%lx] foreign 0x%lx\n", n->r.pfn,
			   xp2m_arm_fend(n), n->r.mfn);
	}
	read_unlock_irqrestore(&t->lock, flags);
}
EXPORT_SYMBOL_GPL(xp2m_arm_foreign_dump);

static int xp2m_arm_ranges_show(struct seq_file *m, void *v)
{
	xp2m_arm_foreign_dump(m, m->private);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xp2m_arm_ranges);

/**
 * xp2m_arm_foreign_init() - an empty guest p2m
 * @t: to initialise
 * @name: for debugfs (xp2m/arm/<name>/foreign); NULL for none
 */
void xp2m_arm_foreign_init(struct xp2m_arm_foreign *t, const char *name)
{
	t->root = RB_ROOT;
	rwlock_init(&t->lock);
	t->nr_ranges = 0;
	t->nr_pages = 0;
	t->debugfs = NULL;
	if (name) {
		t->debugfs = debugfs_create_dir(name, xp2m_arm_debugfs_dir());
		debugfs_create_file("foreign", 0400, t->debugfs, t,
				    &xp2m_arm_ranges_fops);
	}
}
EXPORT_SYMBOL_GPL(xp2m_arm_foreign_init);

/**
 * xp2m_arm_foreign_destroy() - free every range
 * @t: the guest's p2m; empty afterwards
 */
void xp2m_arm_foreign_destroy(struct xp2m_arm_foreign *t)
{
	struct xp2m_arm_fnode *n, *next;

	debugfs_remove_recursive(t->debugfs);
	t->debugfs = NULL;
	rbtree_postorder_for_each_entry_safe(n, next, &t->root, node)
		kfree(n);
	t->root = RB_ROOT;
	t->nr_ranges = 0;
	t->nr_pages = 0;
}
EXPORT_SYMBOL_GPL(xp2m_arm_foreign_destroy);
