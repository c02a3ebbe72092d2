// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m core: the linear view and its publication.
 *
 * The linear view is the p2m as one array in the kernel's vmalloc space:
 * slot i of the area is a PTE mapping leaf i of the tree, so the entry of a
 * pfn is one load at linear[pfn]. Holes map the shared missing (or
 * identity) leaf many times over; giving a leaf a page of its own rewrites
 * its one PTE. The area is made with vm_map_ram(): vmap() refuses to map
 * more pages than the machine has, and a sparse space has far more slots.
 * Nothing writes through it (entries are stored through the tree), though
 * vm_map_ram() maps read-write. Every such change is bracketed by increments of
 * p2m_generation, odd while it is under way, and ends with every CPU's TLB
 * flushed; entry writes go through the tree and are single stores.
 *
 * It is published as Xen's struct arch_shared_info describes (max_pfn,
 * pfn_to_mfn_frame_list_list, p2m_cr3, p2m_vaddr, p2m_generation), and read
 * back by xp2m_linear_read() the way Xen's save code reads a guest's list:
 * by machine frame, from p2m_cr3 down four levels of page tables.
 *
 * p2m_generation is the ABI's word in arch_shared_info, read by software
 * outside the kernel, so it is kept with WRITE_ONCE() and barriers in the
 * manner of a seqcount rather than as a seqcount_t.
 */

#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "internal.h"

/*
 * The list starts on a 1 GiB boundary: the toolstack's walk counts level-2
 * entries from the start of the list's GiB (as the kernel's own list is
 * aligned), and would cut an unaligned list short.
 */
#define XP2M_LINEAR_ALIGN	SZ_1G
#define XP2M_LINEAR_PAD		(XP2M_LINEAR_ALIGN / PAGE_SIZE - 1)

/* The hypervisor's area in a 64-bit PV guest's address space. */
#define XP2M_HV_START		0xffff800000000000UL
#define XP2M_HV_END		0xffff880000000000UL

/* Open a change of the linear view's mappings: make the generation odd. */
static void xp2m_gen_begin(struct xp2m *p2m)
{
	unsigned long gen = p2m->si.p2m_generation;

	if (gen & 1)
		return;
	WRITE_ONCE(p2m->si.p2m_generation, gen + 1);
	/* Readers see the odd generation before any mapping changes. */
	smp_wmb();
}

void xp2m_unlock(struct xp2m *p2m)
{
	unsigned long gen = p2m->si.p2m_generation;

	if (gen & 1) {
		xp2m_kpte_flush(p2m->linear_dirty_start, p2m->linear_dirty_end);
		p2m->linear_dirty_start = ULONG_MAX;
		p2m->linear_dirty_end = 0;
		/* Every mapping change is visible before the even generation. */
		smp_wmb();
		WRITE_ONCE(p2m->si.p2m_generation, gen + 1);
	}
	mutex_unlock(&p2m->lock);
}

static unsigned long xp2m_leaf_mfn(struct xp2m *p2m, const unsigned long *leaf)
{
	return xp2m_virt_to_mfn(p2m->be, leaf);
}

/*
 * The tree's slot for leaf @leaf_index now points at another page: map that
 * page in the linear view. Under p2m->lock.
 */
void xp2m_linear_slot(struct xp2m *p2m, unsigned long leaf_index)
{
	struct xp2m_backend *be = p2m->be;
	unsigned long *leaf, va;

	if (!p2m->linear)
		return;
	leaf = xp2m_leaf_of(p2m, leaf_index * XP2M_PER_PAGE);
	va = (unsigned long)p2m->linear + leaf_index * PAGE_SIZE;
	xp2m_gen_begin(p2m);
	/* The leaf's content is complete before the PTE points at it. */
	smp_wmb();
	WARN_ON(xp2m_kpte_set(va, xp2m_virt_to_page(leaf), true));
	if (be->ops->pt_set)
		be->ops->pt_set(be, va, xp2m_leaf_mfn(p2m, leaf));
	p2m->linear_dirty_start = min(p2m->linear_dirty_start, va);
	p2m->linear_dirty_end = max(p2m->linear_dirty_end, va + PAGE_SIZE);
}

void xp2m_linear_free(struct xp2m *p2m)
{
	struct xp2m_backend *be = p2m->be;

	if (!p2m->linear)
		return;
	if (be->ops->pt_unmap)
		be->ops->pt_unmap(be, (unsigned long)p2m->linear,
				  p2m->counts.linear_slots);
	vm_unmap_ram(p2m->linear_area, p2m->counts.linear_slots +
		     XP2M_LINEAR_PAD);
	p2m->linear = NULL;
	p2m->linear_area = NULL;
}

/*
 * Point the @n slots from @base at the leaves that have pages of their own
 * (the area maps the missing leaf everywhere to begin with), then flush.
 */
static int xp2m_linear_fill(struct xp2m *p2m, unsigned long *base,
			    unsigned long n, unsigned long *mfns)
{
	unsigned long i;
	int err = 0;

	for (i = 0; i < n && !err; i++) {
		unsigned long *leaf = xp2m_leaf_of(p2m, i * XP2M_PER_PAGE);

		if (mfns)
			mfns[i] = xp2m_leaf_mfn(p2m, leaf);
		if (leaf != p2m->missing_leaf)
			err = xp2m_kpte_set((unsigned long)(base + i * XP2M_PER_PAGE),
					    xp2m_virt_to_page(leaf), true);
	}
	/* vm_map_ram() maps with 4 KiB PTEs, the only kind rewritten here. */
	WARN_ON_ONCE(err);
	xp2m_kpte_flush((unsigned long)base,
			(unsigned long)(base + n * XP2M_PER_PAGE));
	return err;
}

/**
 * xp2m_linear_build() - make the linear view of a p2m and publish it
 * @p2m: the p2m
 *
 * Maps every leaf, in pfn order, into one area of the vmalloc space
 * starting on a 1 GiB boundary, and publishes p2m_cr3 (the backend's
 * page-table root) and p2m_vaddr in xp2m_shared_info(). From then on every
 * change of the tree keeps it current. Building it twice is a no-op.
 *
 * The area costs page tables: a PTE per leaf and a PTE page per 512 leaves,
 * holes included (the kernel gives modules no way to share a page-table page
 * among uniform GiBs), plus the padding that reaches the alignment.
 *
 * Return: 0; -EOPNOTSUPP when this kernel gives no access to its page tables
 * (see xp2m_kpte_supported()); -ENOMEM, with nothing changed; the error of
 * the backend's pt_map; -EFAULT (with a warning) should the area's mapping
 * not be made of PTEs.
 */
int xp2m_linear_build(struct xp2m *p2m)
{
	unsigned long n = DIV_ROUND_UP(p2m->max_pfn, XP2M_PER_PAGE);
	unsigned long total = n + XP2M_LINEAR_PAD, i;
	struct xp2m_backend *be = p2m->be;
	unsigned long *mfns = NULL, *base;
	struct page **pages = NULL, *missing;
	void *area = NULL;
	int err = -ENOMEM;

	if (!xp2m_kpte_supported())
		return -EOPNOTSUPP;
	xp2m_lock(p2m);
	if (p2m->linear) {
		err = 0;
		goto out;
	}
	pages = kvcalloc(total, sizeof(*pages), GFP_KERNEL);
	if (be->ops->pt_map)
		mfns = kvcalloc(n, sizeof(*mfns), GFP_KERNEL);
	if (!pages || (be->ops->pt_map && !mfns))
		goto out;

	/*
	 * Map the missing leaf over the whole area, which is a GiB longer
	 * than the list so that a GiB boundary falls inside it; the list
	 * starts there. Then only the slots of leaves that are not the
	 * missing leaf need their PTE rewritten.
	 */
	missing = xp2m_virt_to_page(p2m->missing_leaf);
	for (i = 0; i < total; i++)
		pages[i] = missing;
	area = vm_map_ram(pages, total, NUMA_NO_NODE);
	if (!area)
		goto out;
	base = PTR_ALIGN(area, XP2M_LINEAR_ALIGN);
	err = xp2m_linear_fill(p2m, base, n, mfns);
	if (!err && mfns)
		err = be->ops->pt_map(be, (unsigned long)base, mfns, n);
	if (err) {
		vm_unmap_ram(area, total);
		goto out;
	}

	p2m->linear_area = area;
	p2m->linear_dirty_start = ULONG_MAX;
	p2m->linear_dirty_end = 0;
	p2m->counts.linear_slots = n;
	WRITE_ONCE(p2m->si.p2m_vaddr, (unsigned long)base);
	WRITE_ONCE(p2m->si.p2m_cr3, be->ops->pt_root ? be->ops->pt_root(be) : 0);
	/* Lookups may use the view once it is complete. */
	smp_store_release(&p2m->linear, base);
	err = 0;
out:
	xp2m_unlock(p2m);
	kvfree(mfns);
	kvfree(pages);
	return err;
}
EXPORT_SYMBOL_GPL(xp2m_linear_build);

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

/* The frame a page-table entry names. */
static unsigned long xp2m_pte_frame(unsigned long pte)
{
	return (pte & 0x000ffffffffff000UL) >> 12;
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
		if (idx / 512 != page) {
			if (table)
				be->ops->unmap_frame(be, table);
			page = idx / 512;
			table = be->ops->map_frame(be, tables[page]);
			if (!table)
				return xp2m_lin_stop(rep, XP2M_LIN_UNMAPPABLE,
						     -EFAULT, level, idx,
						     tables[page]);
		}
		mfn = xp2m_pte_frame(READ_ONCE(table[idx % 512]));
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

/* Is leaf frame @mfn a page of the guest, whose entry is itself? */
static int xp2m_lin_check_leaf(struct xp2m_backend *be,
			       const unsigned long *leaves, unsigned long max,
			       unsigned long mfn)
{
	unsigned long pfn = be->ops->m2p(be, mfn), entry;
	const unsigned long *leaf;

	if (pfn > max)
		return -ERANGE;
	leaf = be->ops->map_frame(be, leaves[pfn / XP2M_PER_PAGE]);
	if (!leaf)
		return -EFAULT;
	entry = READ_ONCE(leaf[pfn % XP2M_PER_PAGE]);
	be->ops->unmap_frame(be, leaf);
	return entry == mfn ? 0 : -ERANGE;
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
	const unsigned long mask = 0x0000ffffffffffffUL, fpp = XP2M_PER_PAGE;
	unsigned long cr3, root, vaddr, end, max, frames, off = 0, x, n;
	unsigned long first = 0, last = 0, saved_mfn = 0, saved_idx = 0;
	unsigned long *tables, *next = NULL, prev = 0;
	const unsigned long *leaf;
	unsigned int level, shift;
	int err;

	memset(report, 0, sizeof(*report));
	report->gen_start = READ_ONCE(si->p2m_generation);
	/* The fields and tables are read after the generation. */
	smp_rmb();
	cr3 = READ_ONCE(si->p2m_cr3);
	if (!cr3)
		return xp2m_lin_stop(report, XP2M_LIN_NOT_PUBLISHED, -ENODATA,
				     0, 0, 0);
	root = cr3 >> 12;
	if (root == 0 || root > be->max_mfn)
		return xp2m_lin_stop(report, XP2M_LIN_BAD_CR3, -ERANGE, 0, 0,
				     root);

	max = READ_ONCE(si->max_pfn) - 1;
	vaddr = READ_ONCE(si->p2m_vaddr);
	frames = max / fpp + 1;
	end = vaddr + frames * PAGE_SIZE - 1;
	if (!xp2m_canonical(vaddr) || !xp2m_canonical(end) || end < vaddr ||
	    (vaddr <= XP2M_HV_END && end > XP2M_HV_START))
		return xp2m_lin_stop(report, XP2M_LIN_BAD_VADDR, -ERANGE, 0, 0,
				     vaddr);

	tables = kmalloc(sizeof(*tables), GFP_KERNEL);
	if (!tables)
		return xp2m_lin_stop(report, XP2M_LIN_NOMEM, -ENOMEM, 0, 0, 0);
	tables[0] = root;
	for (level = 4; level > 0; level--) {
		shift = level * 9 + 3;
		first = ((vaddr - off) & mask) >> shift;
		last = ((end - off) & mask) >> shift;
		next = kvmalloc_array(last - first + 1, sizeof(*next),
				      GFP_KERNEL);
		if (!next) {
			err = xp2m_lin_stop(report, XP2M_LIN_NOMEM, -ENOMEM,
					    level, 0, 0);
			goto out;
		}
		err = xp2m_lin_level(be, tables, first, last, next, level,
				     report);
		if (err)
			goto out;
		if (level == 2) {
			for (x = first; x <= last; x++) {
				if (next[x - first] != saved_mfn) {
					saved_mfn = next[x - first];
					saved_idx = x - first;
				}
			}
			/* As the save code does, relative and absolute mixed. */
			if (saved_idx == last)
				saved_idx++;
			if ((saved_idx << 9) * fpp - 1 < max) {
				max = (saved_idx << 9) * fpp - 1;
				frames = max / fpp + 1;
				end = vaddr + frames * PAGE_SIZE - 1;
				last = first + saved_idx;
			}
		}
		kvfree(tables);
		tables = next;
		next = NULL;
		off = vaddr & ((mask >> shift) << shift);
	}

	/* tables[] now holds the leaf frames. */
	for (x = 0; x < frames; x++) {
		if (tables[x] == prev)
			continue;
		prev = tables[x];
		err = xp2m_lin_check_leaf(be, tables, max, tables[x]);
		if (err) {
			err = xp2m_lin_stop(report, err == -EFAULT ?
					    XP2M_LIN_UNMAPPABLE :
					    XP2M_LIN_LEAF_NOT_GUEST, err, 1, x,
					    tables[x]);
			goto out;
		}
	}
	report->max_pfn = max + 1;
	report->leaves = frames;
	for (x = 0, err = 0; x < frames && !err; x++) {
		leaf = be->ops->map_frame(be, tables[x]);
		if (!leaf) {
			err = xp2m_lin_stop(report, XP2M_LIN_UNMAPPABLE, -EFAULT,
					    1, x, tables[x]);
			break;
		}
		n = x == frames - 1 ? max % fpp + 1 : fpp;
		err = fn(ctx, x * fpp, tables[x], leaf, n);
		be->ops->unmap_frame(be, leaf);
	}
	/* Everything read before the generation is looked at again. */
	smp_rmb();
	report->gen_end = READ_ONCE(si->p2m_generation);
	if (!err && ((report->gen_start & 1) ||
		     report->gen_start != report->gen_end))
		err = xp2m_lin_stop(report, XP2M_LIN_GENERATION, -EAGAIN, 0, 0,
				    0);
out:
	kvfree(next);
	kvfree(tables);
	return err;
}
EXPORT_SYMBOL_GPL(xp2m_linear_read);
