// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m core: the toolstack's two ways of reading a PV guest's p2m, by
 * machine frame only, with the checks Xen's save code makes
 * (tools/libs/guest/xg_sr_save_x86_pv.c: map_p2m_tree() for the frame
 * list, map_p2m_list() for the linear list), and the same trimming of an
 * all-missing tail:
 *
 *  - xp2m_frame_list_read(): pfn_to_mfn_frame_list_list names the top
 *    frame, whose entries name the mid frames, whose entries name the
 *    leaves;
 *  - xp2m_linear_read(): p2m_cr3 names the root of the page tables that map
 *    the list at p2m_vaddr; four levels of them lead to the leaves.
 *
 * Both then check that every leaf frame is a page of the guest and hand the
 * leaves, in pfn order, to a callback. The published list is the x86-64 PV
 * ABI (struct arch_shared_info is x86's), so the linear reader walks
 * x86-64's page tables whatever the architecture it runs on, as a
 * toolstack does.
 */

#include <linux/module.h>
#include <linux/slab.h>

#include <xp2m/reader.h>

#include "internal.h"

/*
 * The x86-64 page tables the linear list is read through: four levels of
 * 512 entries, 48-bit canonical virtual addresses, the frame of an entry in
 * its bits 12 to 51; and the part of a 64-bit PV guest's address space that
 * is the hypervisor's (xen/include/public/arch-x86/xen-x86_64.h).
 */
#define XP2M_PT_LEVELS		4
#define XP2M_PT_ENTRIES		512
#define XP2M_PT_SHIFT(level)	((level) * 9 + 3)
#define XP2M_PT_FRAME_MASK	0x000ffffffffff000UL
#define XP2M_VA_MASK		0x0000ffffffffffffUL
#define XP2M_HV_START		0xffff800000000000UL
#define XP2M_HV_END		0xffff880000000000UL

/*
 * Is each leaf frame of @leaves (@n of them, a list of @max + 1 entries) a
 * page of the guest, as the toolstack requires: its M2P entry gives a pfn
 * within the list, whose entry is that frame again? A frame that repeats
 * the one before it (a shared leaf) is checked once.
 *
 * Return: 0; -ERANGE for a frame that is not the guest's, -EFAULT for one
 * that cannot be mapped, with *@bad its index.
 */
static int xp2m_read_check_leaves(struct xp2m_backend *be,
				  const unsigned long *leaves, unsigned long n,
				  unsigned long max, unsigned long *bad)
{
	unsigned long x, pfn, prev = 0;
	const unsigned long *leaf;
	bool same;

	for (x = 0; x < n; x++) {
		if (leaves[x] == prev)
			continue;
		prev = leaves[x];
		*bad = x;
		pfn = be->ops->m2p(be, leaves[x]);
		if (pfn > max)
			return -ERANGE;
		leaf = be->ops->map_frame(be, leaves[pfn / XP2M_PER_PAGE]);
		if (!leaf)
			return -EFAULT;
		same = READ_ONCE(leaf[pfn % XP2M_PER_PAGE]) == leaves[x];
		be->ops->unmap_frame(be, leaf);
		if (!same)
			return -ERANGE;
	}
	return 0;
}

/*
 * Hand each of the @n leaves of @leaves (a list of @max + 1 entries) to
 * @fn, in pfn order. *@unmapped is set to the index of a leaf that could
 * not be mapped, which stops the read with -EFAULT, or to @n.
 *
 * Return: 0, -EFAULT, or what @fn returned.
 */
static int xp2m_read_leaves(struct xp2m_backend *be,
			    const unsigned long *leaves, unsigned long n,
			    unsigned long max, xp2m_leaf_fn fn, void *ctx,
			    unsigned long *unmapped)
{
	const unsigned long *leaf;
	unsigned long x;
	unsigned int nr;
	int err = 0;

	*unmapped = n;
	for (x = 0; x < n && !err; x++) {
		leaf = be->ops->map_frame(be, leaves[x]);
		if (!leaf) {
			*unmapped = x;
			return -EFAULT;
		}
		nr = x == n - 1 ? max % XP2M_PER_PAGE + 1 : XP2M_PER_PAGE;
		err = fn(ctx, x * XP2M_PER_PAGE, leaves[x], leaf, nr);
		be->ops->unmap_frame(be, leaf);
	}
	return err;
}

/* The frame list */

/**
 * xp2m_fl_error_str() - what a frame-list reader's error means
 * @error: the error
 *
 * Return: a sentence, in the words of Xen's save code where it has them.
 */
const char *xp2m_fl_error_str(enum xp2m_fl_error error)
{
	static const char * const msg[] = {
		[XP2M_FL_OK] = "read",
		[XP2M_FL_TOO_LARGE] = "max_pfn too large for p2m tree",
		[XP2M_FL_NOT_SET_UP] = "pfn_to_mfn_frame_list_list not set up (0)",
		[XP2M_FL_INVALID] = "pfn_to_mfn_frame_list_list is ~0: use the linear p2m list",
		[XP2M_FL_BAD_FLL_MFN] = "bad mfn for pfn_to_mfn_frame_list_list",
		[XP2M_FL_BAD_FLL_ENTRY] = "bad mfn in the frame list's top frame",
		[XP2M_FL_BAD_FL_ENTRY] = "bad mfn in p2m frame list",
		[XP2M_FL_LEAF_NOT_GUEST] = "leaf frame not in the guest's pseudo-physmap",
		[XP2M_FL_UNMAPPABLE] = "failed to map a p2m frame",
		[XP2M_FL_NOMEM] = "out of memory",
	};

	return error < ARRAY_SIZE(msg) ? msg[error] : "unknown";
}
EXPORT_SYMBOL_GPL(xp2m_fl_error_str);

static int xp2m_fl_stop(struct xp2m_fl_report *rep, enum xp2m_fl_error error,
			int err, unsigned long index, unsigned long mfn)
{
	rep->error = error;
	rep->index = index;
	rep->mfn = mfn;
	return err;
}

static bool xp2m_fl_bad_mfn(struct xp2m_backend *be, unsigned long mfn)
{
	return mfn == 0 || mfn > be->max_mfn;
}

/* Copy @n entries of frame @mfn to @dst; false if it cannot be mapped. */
static bool xp2m_fl_copy(struct xp2m_backend *be, unsigned long mfn,
			 unsigned long *dst, unsigned long n)
{
	const unsigned long *src = be->ops->map_frame(be, mfn);

	if (!src)
		return false;
	memcpy(dst, src, n * sizeof(*dst));
	be->ops->unmap_frame(be, src);
	return true;
}

/* The published fields, before any frame is read. */
static int xp2m_fl_check_fll(struct xp2m_backend *be, unsigned long fll_mfn,
			     unsigned long max, struct xp2m_fl_report *rep)
{
	if (max / (XP2M_PER_PAGE * XP2M_PER_PAGE) + 1 > XP2M_PER_PAGE)
		return xp2m_fl_stop(rep, XP2M_FL_TOO_LARGE, -EFBIG, 0, 0);
	if (fll_mfn == 0)
		return xp2m_fl_stop(rep, XP2M_FL_NOT_SET_UP, -ENODATA, 0, 0);
	if (fll_mfn == ~0UL)
		return xp2m_fl_stop(rep, XP2M_FL_INVALID, -EOPNOTSUPP, 0,
				    fll_mfn);
	if (fll_mfn > be->max_mfn)
		return xp2m_fl_stop(rep, XP2M_FL_BAD_FLL_MFN, -ERANGE, 0,
				    fll_mfn);
	return 0;
}

/*
 * The top frame's entries that cover [0, *@max] into @fll, each checked.
 * A trailing run of identical entries is taken as an all-missing tail:
 * *@max is lowered to keep only the first of them.
 */
static int xp2m_fl_read_top(struct xp2m_backend *be, unsigned long fll_mfn,
			    unsigned long *fll, unsigned long *max,
			    struct xp2m_fl_report *rep)
{
	const unsigned long span = XP2M_MID_SPAN;
	unsigned long n = *max / span + 1, x, saved = 0, saved_x = 0;

	if (!xp2m_fl_copy(be, fll_mfn, fll, n))
		return xp2m_fl_stop(rep, XP2M_FL_UNMAPPABLE, -EFAULT, 0,
				    fll_mfn);
	for (x = 0; x < n; x++) {
		if (xp2m_fl_bad_mfn(be, fll[x]))
			return xp2m_fl_stop(rep, XP2M_FL_BAD_FLL_ENTRY, -ERANGE,
					    x, fll[x]);
		if (fll[x] != saved) {
			saved = fll[x];
			saved_x = x;
		}
	}
	if ((saved_x + 1) * span - 1 < *max)
		*max = (saved_x + 1) * span - 1;
	return 0;
}

/* The mid frames' entries, the leaf frames of [0, @max], into @fl. */
static int xp2m_fl_read_mids(struct xp2m_backend *be, const unsigned long *fll,
			     unsigned long *fl, unsigned long max,
			     struct xp2m_fl_report *rep)
{
	unsigned long nr = max / XP2M_PER_PAGE + 1, x, n;

	for (x = 0; x * XP2M_PER_PAGE < nr; x++) {
		n = min(XP2M_PER_PAGE, nr - x * XP2M_PER_PAGE);
		if (!xp2m_fl_copy(be, fll[x], fl + x * XP2M_PER_PAGE, n))
			return xp2m_fl_stop(rep, XP2M_FL_UNMAPPABLE, -EFAULT,
					    x, fll[x]);
	}
	for (x = 0; x < nr; x++)
		if (xp2m_fl_bad_mfn(be, fl[x]))
			return xp2m_fl_stop(rep, XP2M_FL_BAD_FL_ENTRY, -ERANGE,
					    x, fl[x]);
	return 0;
}

/* Check the leaves of @fl (a list of @max + 1 entries), then read them. */
static int xp2m_fl_leaves(struct xp2m_backend *be, const unsigned long *fl,
			  unsigned long max, xp2m_leaf_fn fn, void *ctx,
			  struct xp2m_fl_report *rep)
{
	unsigned long nr = max / XP2M_PER_PAGE + 1, x;
	int err;

	err = xp2m_read_check_leaves(be, fl, nr, max, &x);
	if (err)
		return xp2m_fl_stop(rep, err == -EFAULT ? XP2M_FL_UNMAPPABLE :
				    XP2M_FL_LEAF_NOT_GUEST, err, x, fl[x]);
	rep->max_pfn = max + 1;
	rep->leaves = nr;
	err = xp2m_read_leaves(be, fl, nr, max, fn, ctx, &x);
	if (x < nr)
		return xp2m_fl_stop(rep, XP2M_FL_UNMAPPABLE, -EFAULT, x, fl[x]);
	return err;
}

/**
 * xp2m_frame_list_read() - read a p2m through its frame list, as Xen's
 * toolstack does
 * @be: the machine (frames are mapped through it)
 * @fll_mfn: the published pfn_to_mfn_frame_list_list
 * @max_pfn: the published max_pfn (number of entries)
 * @fn: called for every leaf, in pfn order
 * @ctx: passed to @fn
 * @report: what happened; on error, which check failed, where
 *
 * The checks, in order: max_pfn fits one frame-list-list page; the
 * frame-list-list frame is set up, not ~0, and exists; each of its entries
 * names an existing frame. Trailing identical frame-list-list entries are
 * taken to describe an all-missing tail, and max_pfn is lowered to keep only
 * the first of them. Then each frame-list entry names an existing frame, and
 * each leaf frame is a page of the guest: its M2P entry gives a pfn within
 * max_pfn whose entry is that frame again.
 *
 * Return: 0 when every leaf was read; -EFBIG, -ENODATA, -EOPNOTSUPP, -ERANGE,
 * -EFAULT or -ENOMEM per @report->error; or what @fn returned.
 */
int xp2m_frame_list_read(struct xp2m_backend *be, unsigned long fll_mfn,
			 unsigned long max_pfn, xp2m_leaf_fn fn, void *ctx,
			 struct xp2m_fl_report *report)
{
	unsigned long max = max_pfn - 1, *fll, *fl = NULL;
	int err;

	memset(report, 0, sizeof(*report));
	err = xp2m_fl_check_fll(be, fll_mfn, max, report);
	if (err)
		return err;
	fll = kmalloc_array(max / XP2M_MID_SPAN + 1, sizeof(*fll), GFP_KERNEL);
	if (!fll)
		return xp2m_fl_stop(report, XP2M_FL_NOMEM, -ENOMEM, 0, 0);
	err = xp2m_fl_read_top(be, fll_mfn, fll, &max, report);
	if (err)
		goto out;
	fl = kvmalloc_array(max / XP2M_PER_PAGE + 1, sizeof(*fl), GFP_KERNEL);
	if (!fl) {
		err = xp2m_fl_stop(report, XP2M_FL_NOMEM, -ENOMEM, 0, 0);
		goto out;
	}
	err = xp2m_fl_read_mids(be, fll, fl, max, report);
	if (!err)
		err = xp2m_fl_leaves(be, fl, max, fn, ctx, report);
out:
	kvfree(fl);
	kfree(fll);
	return err;
}
EXPORT_SYMBOL_GPL(xp2m_frame_list_read);

/* The linear list */

/**
 * xp2m_lin_error_str() - what a linear-list reader's error means
 * @error: the error
 *
 * Return: a sentence, in the words of Xen's save code where it has them.
 */
const char *xp2m_lin_error_str(enum xp2m_lin_error error)
{
	static const char * const msg[] = {
		[XP2M_LIN_OK] = "read",
		[XP2M_LIN_NOT_PUBLISHED] = "p2m_cr3 is 0: no linear p2m list",
		[XP2M_LIN_BAD_CR3] = "bad p2m_cr3 value",
		[XP2M_LIN_BAD_VADDR] = "bad virtual p2m address range",
		[XP2M_LIN_BAD_PT_ENTRY] = "bad mfn during page table walk",
		[XP2M_LIN_LEAF_NOT_GUEST] = "leaf frame not in the guest's pseudo-physmap",
		[XP2M_LIN_UNMAPPABLE] = "failed to map a page table or leaf frame",
		[XP2M_LIN_GENERATION] = "p2m generation count changed",
		[XP2M_LIN_NOMEM] = "out of memory",
	};

	return error < ARRAY_SIZE(msg) ? msg[error] : "unknown";
}
EXPORT_SYMBOL_GPL(xp2m_lin_error_str);

static bool xp2m_canonical(unsigned long va)
{
	return ((long)va >> 47) == ((long)va >> 63);
}

static int xp2m_lin_stop(struct xp2m_lin_report *rep, enum xp2m_lin_error e,
			 int err, unsigned int level, unsigned long index,
			 unsigned long mfn)
{
	rep->error = e;
	rep->level = level;
	rep->index = index;
	rep->mfn = mfn;
	return err;
}

/*
 * A walk of the page tables mapping the list, level by level.
 * @vaddr: the list's first address
 * @end: its last address
 * @max: its last pfn
 * @frames: its leaves
 * @off: what the indices of the next level count from
 * @tables: the frames of the tables of the next level to read, or (after
 *	the last) of the leaves
 */
struct xp2m_lin_walk {
	unsigned long vaddr;
	unsigned long end;
	unsigned long max;
	unsigned long frames;
	unsigned long off;
	unsigned long *tables;
};

/* The frame a page-table entry names. */
static unsigned long xp2m_pte_frame(unsigned long pte)
{
	return (pte & XP2M_PT_FRAME_MASK) >> PAGE_SHIFT;
}

/*
 * Entries @first..@last (indices counted across @tables, consecutive table
 * frames) into @out; the first bad frame stops it.
 */
static int xp2m_lin_level(struct xp2m_backend *be, const unsigned long *tables,
			  unsigned long first, unsigned long last,
			  unsigned long *out, unsigned int level,
			  struct xp2m_lin_report *rep)
{
	const unsigned long *table = NULL;
	unsigned long idx, page = ~0UL, mfn;

	for (idx = first; idx <= last; idx++) {
		if (idx / XP2M_PT_ENTRIES != page) {
			if (table)
				be->ops->unmap_frame(be, table);
			page = idx / XP2M_PT_ENTRIES;
			table = be->ops->map_frame(be, tables[page]);
			if (!table)
				return xp2m_lin_stop(rep, XP2M_LIN_UNMAPPABLE,
						     -EFAULT, level, idx,
						     tables[page]);
		}
		mfn = xp2m_pte_frame(READ_ONCE(table[idx % XP2M_PT_ENTRIES]));
		if (mfn == 0 || mfn > be->max_mfn) {
			be->ops->unmap_frame(be, table);
			return xp2m_lin_stop(rep, XP2M_LIN_BAD_PT_ENTRY, -ERANGE,
					     level, idx, mfn);
		}
		out[idx - first] = mfn;
	}
	if (table)
		be->ops->unmap_frame(be, table);
	return 0;
}

/*
 * The level-2 entries @l2 (@n of them, from index @first): a trailing run
 * of identical ones is an all-missing tail, and the list is cut after the
 * first of them, as the save code cuts it.
 */
static void xp2m_lin_trim(struct xp2m_lin_walk *w, const unsigned long *l2,
			  unsigned long first, unsigned long n)
{
	const unsigned long span = XP2M_PT_ENTRIES * XP2M_PER_PAGE;
	unsigned long x, saved_mfn = 0, saved_idx = 0;

	for (x = 0; x < n; x++) {
		if (l2[x] != saved_mfn) {
			saved_mfn = l2[x];
			saved_idx = x;
		}
	}
	/* As the save code does, relative and absolute mixed. */
	if (saved_idx == first + n - 1)
		saved_idx++;
	if (saved_idx * span - 1 < w->max) {
		w->max = saved_idx * span - 1;
		w->frames = w->max / XP2M_PER_PAGE + 1;
		w->end = w->vaddr + w->frames * PAGE_SIZE - 1;
	}
}

/* Read one level of the walk: the tables of the next, or the leaves. */
static int xp2m_lin_step(struct xp2m_backend *be, struct xp2m_lin_walk *w,
			 unsigned int level, struct xp2m_lin_report *rep)
{
	unsigned int shift = XP2M_PT_SHIFT(level);
	unsigned long first, last, *next;
	int err;

	first = ((w->vaddr - w->off) & XP2M_VA_MASK) >> shift;
	last = ((w->end - w->off) & XP2M_VA_MASK) >> shift;
	next = kvmalloc_array(last - first + 1, sizeof(*next), GFP_KERNEL);
	if (!next)
		return xp2m_lin_stop(rep, XP2M_LIN_NOMEM, -ENOMEM, level, 0, 0);
	err = xp2m_lin_level(be, w->tables, first, last, next, level, rep);
	if (err) {
		kvfree(next);
		return err;
	}
	if (level == 2)
		xp2m_lin_trim(w, next, first, last - first + 1);
	kvfree(w->tables);
	w->tables = next;
	w->off = w->vaddr & ((XP2M_VA_MASK >> shift) << shift);
	return 0;
}

/*
 * The published fields, before any frame is read: p2m_cr3 names a frame;
 * the list's range is canonical, does not wrap and stays clear of the
 * hypervisor's area. Sets up @w at its root.
 */
static int xp2m_lin_start(struct xp2m_backend *be,
			  const struct xp2m_shared_info *si,
			  struct xp2m_lin_walk *w, struct xp2m_lin_report *rep)
{
	unsigned long cr3 = READ_ONCE(si->p2m_cr3), root = cr3 >> PAGE_SHIFT;

	if (!cr3)
		return xp2m_lin_stop(rep, XP2M_LIN_NOT_PUBLISHED, -ENODATA,
				     0, 0, 0);
	if (root == 0 || root > be->max_mfn)
		return xp2m_lin_stop(rep, XP2M_LIN_BAD_CR3, -ERANGE, 0, 0,
				     root);
	w->max = READ_ONCE(si->max_pfn) - 1;
	w->vaddr = READ_ONCE(si->p2m_vaddr);
	w->frames = w->max / XP2M_PER_PAGE + 1;
	w->end = w->vaddr + w->frames * PAGE_SIZE - 1;
	if (!xp2m_canonical(w->vaddr) || !xp2m_canonical(w->end) ||
	    w->end < w->vaddr ||
	    (w->vaddr <= XP2M_HV_END && w->end > XP2M_HV_START))
		return xp2m_lin_stop(rep, XP2M_LIN_BAD_VADDR, -ERANGE, 0, 0,
				     w->vaddr);
	w->tables = kmalloc(sizeof(*w->tables), GFP_KERNEL);
	if (!w->tables)
		return xp2m_lin_stop(rep, XP2M_LIN_NOMEM, -ENOMEM, 0, 0, 0);
	w->tables[0] = root;
	return 0;
}

/* Check the leaves the walk found, then read them. */
static int xp2m_lin_leaves(struct xp2m_backend *be,
			   const struct xp2m_lin_walk *w, xp2m_leaf_fn fn,
			   void *ctx, struct xp2m_lin_report *rep)
{
	const unsigned long *leaves = w->tables;
	unsigned long x;
	int err;

	err = xp2m_read_check_leaves(be, leaves, w->frames, w->max, &x);
	if (err)
		return xp2m_lin_stop(rep, err == -EFAULT ? XP2M_LIN_UNMAPPABLE :
				     XP2M_LIN_LEAF_NOT_GUEST, err, 1, x,
				     leaves[x]);
	rep->max_pfn = w->max + 1;
	rep->leaves = w->frames;
	err = xp2m_read_leaves(be, leaves, w->frames, w->max, fn, ctx, &x);
	if (x < w->frames)
		return xp2m_lin_stop(rep, XP2M_LIN_UNMAPPABLE, -EFAULT, 1, x,
				     leaves[x]);
	return err;
}

/**
 * xp2m_linear_read() - read a p2m through its published linear list, as
 * Xen's toolstack does
 * @be: the machine (frames are mapped through it)
 * @si: the published fields
 * @fn: called for every leaf, in pfn order
 * @ctx: passed to @fn
 * @report: what happened; on error, which check failed, where
 *
 * From p2m_cr3 it walks four levels of page tables by machine frame over
 * [p2m_vaddr, p2m_vaddr + the list's size), with the checks of Xen's save
 * code: p2m_cr3 names a frame; the range is canonical, does not wrap and
 * stays clear of the hypervisor's area; every entry on the way names an
 * existing frame. Trailing identical level-2 entries are taken as an
 * all-missing tail and max_pfn lowered, as the save code does. Every leaf
 * frame must be a page of the guest (its M2P entry leads back to it). The
 * generation is read before and after: a read during which it moved, or
 * began odd, is reported as %XP2M_LIN_GENERATION after all leaves went to
 * @fn.
 *
 * Return: 0 when every leaf was read with the generation even and still;
 * -EAGAIN for a generation change; -ENODATA, -ERANGE, -EFAULT or -ENOMEM per
 * @report->error; or what @fn returned.
 */
int xp2m_linear_read(struct xp2m_backend *be,
		     const struct xp2m_shared_info *si, xp2m_leaf_fn fn,
		     void *ctx, struct xp2m_lin_report *report)
{
	struct xp2m_lin_walk w = { };
	unsigned int level;
	int err;

	memset(report, 0, sizeof(*report));
	report->gen_start = READ_ONCE(si->p2m_generation);
	/* The fields and tables are read after the generation. */
	smp_rmb();
	err = xp2m_lin_start(be, si, &w, report);
	if (err)
		return err;
	for (level = XP2M_PT_LEVELS; level > 0 && !err; level--)
		err = xp2m_lin_step(be, &w, level, report);
	if (err)
		goto out;
	err = xp2m_lin_leaves(be, &w, fn, ctx, report);
	/* Everything read before the generation is looked at again. */
	smp_rmb();
	report->gen_end = READ_ONCE(si->p2m_generation);
	if (!err && ((report->gen_start & 1) ||
		     report->gen_start != report->gen_end))
		err = xp2m_lin_stop(report, XP2M_LIN_GENERATION, -EAGAIN, 0, 0,
				    0);
out:
	kvfree(w.tables);
	return err;
}
EXPORT_SYMBOL_GPL(xp2m_linear_read);
