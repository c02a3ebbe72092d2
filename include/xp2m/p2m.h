/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xp2m: the p2m object (pfn -> mfn) of a Xen PV domain.
 *
 * One set of leaf pages, several views of it:
 *
 *  - the tree: top -> mid -> leaf, XP2M_PER_PAGE entries a leaf, built from
 *    the boot mfn_list by grafting its full pages as leaves;
 *  - the machine view (frame list): the same leaves linked by machine frame
 *    number, top frame -> mid frames -> leaf frames, which Xen's toolstack
 *    walks to save or migrate the domain (valid up to 512 GiB);
 *  - the linear view: a virtually contiguous area whose PTEs map the same
 *    leaves, so that a lookup is one load; published for the toolstack in
 *    the layout of Xen's struct arch_shared_info, with a generation count.
 *
 * All-missing and all-identity leaves (and mids) are one shared page each.
 * A lookup on the shared identity leaf answers IDENTITY_FRAME(pfn); the page
 * itself holds INVALID entries, which is what the toolstack sees.
 *
 * See Documentation/p2m.rst and Documentation/linear.rst.
 */
#ifndef _XP2M_P2M_H
#define _XP2M_P2M_H

#include <linux/compiler.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include <xp2m/backend.h>
#include <xp2m/changes.h>
#include <xp2m/entry.h>

struct dentry;
struct page;
struct xp2m_frame_list;
struct xp2m_linear;

/**
 * struct xp2m_list - a boot mfn_list: virtually contiguous, made of pages
 * @mfns: the entries, @nr of them
 * @nr: number of entries
 * @pages: the @nr_pages pages under @mfns
 * @nr_pages: DIV_ROUND_UP(@nr, XP2M_PER_PAGE)
 * @be: the machine the pages belong to
 *
 * Leaves that lie wholly inside the list are grafted into the tree: they are
 * these pages. The p2m owns the list once created from it.
 */
struct xp2m_list {
	unsigned long *mfns;
	unsigned long nr;
	struct page **pages;
	unsigned long nr_pages;
	struct xp2m_backend *be;
};

/**
 * struct xp2m_counts - the pages a p2m uses, by kind
 * @list_pages: pages of the boot list (grafted leaves are among them)
 * @grafted: leaves that are pages of the boot list
 * @private_leaves: leaves with a page of their own
 * @borrowed: leaves that are pages of the machine's own p2m (see
 *	xp2m_create_borrowed()): neither allocated nor freed by the p2m
 * @mids: mid pages of their own
 * @shared: the shared missing and identity leaf and mid pages the p2m
 *	allocated (a borrowed p2m may use the machine's shared leaves)
 * @top_bytes: size of the top array
 * @fl_pages: pages of the frame list (machine view), shared ones included
 * @linear_slots: pages of the linear view (each maps a leaf; PTEs only)
 * @linear_tables: pages of the linear view's own: its page-table pages
 *	(the shared ones, and one per GiB whose mid is a page of its own)
 *	and the dummy page the padding's table maps
 *
 * "Allocated beyond the boot list" is everything but @list_pages,
 * @borrowed and @linear_slots.
 */
struct xp2m_counts {
	unsigned long list_pages;
	unsigned long grafted;
	unsigned long private_leaves;
	unsigned long borrowed;
	unsigned long mids;
	unsigned long shared;
	unsigned long top_bytes;
	unsigned long fl_pages;
	unsigned long linear_slots;
	unsigned long linear_tables;
};

/**
 * struct xp2m_shared_info - the p2m fields of Xen's x86 struct
 * arch_shared_info, in its layout (64-bit)
 * @max_pfn: entries a reader must read: the end of the last leaf that is
 *	not a shared page (at least one leaf, at most the p2m's size), as
 *	Linux publishes its xen_p2m_last_pfn; it only grows
 * @pfn_to_mfn_frame_list_list: the frame list's top frame; 0 not set up, ~0
 *	invalid (past 512 GiB: use the linear list)
 * @nmi_reason: not used by the p2m (0)
 * @p2m_cr3: root of the address space where @p2m_vaddr is valid, in cr3
 *	format; 0 while the linear list is not published
 * @p2m_vaddr: virtual address of the linear list
 * @p2m_generation: starts at 0, incremented before and after each change of
 *	the linear list's mappings: odd while one is in progress
 *
 * This is the p2m's own copy. Where the fields are also published in a
 * real shared_info (arch-x86/publish.c), a struct xp2m_publisher follows
 * every change of the linear view's mappings.
 */
struct xp2m_shared_info {
	unsigned long max_pfn;
	unsigned long pfn_to_mfn_frame_list_list;
	unsigned long nmi_reason;
	unsigned long p2m_cr3;
	unsigned long p2m_vaddr;
	unsigned long p2m_generation;
};

/**
 * enum xp2m_leaf_kind - what backs the leaf of a pfn
 * @XP2M_LEAF_MISSING: the shared all-missing page
 * @XP2M_LEAF_IDENTITY: the shared all-identity page
 * @XP2M_LEAF_GRAFTED: a page of the boot list
 * @XP2M_LEAF_PRIVATE: a page of its own
 * @XP2M_LEAF_BORROWED: a page of the machine's own p2m (a running kernel's
 *	leaf), shown by a borrowed p2m; see xp2m_create_borrowed()
 * @XP2M_NR_LEAF_KINDS: number of kinds
 */
enum xp2m_leaf_kind {
	XP2M_LEAF_MISSING,
	XP2M_LEAF_IDENTITY,
	XP2M_LEAF_GRAFTED,
	XP2M_LEAF_PRIVATE,
	XP2M_LEAF_BORROWED,
	XP2M_NR_LEAF_KINDS,
};

struct xp2m_publisher;

/**
 * struct xp2m_publisher_ops - what follows a p2m published a second time
 * @open: a change of the linear view's mappings begins: the published
 *	generation must read odd from now until @close
 * @close: the change is complete (every CPU's TLB flushed); @si holds the
 *	p2m's fields as they are now: publish what changed, then make the
 *	generation even again
 *
 * Both are called under the p2m's lock, in the order of the changes, and
 * must not sleep.
 */
struct xp2m_publisher_ops {
	void (*open)(struct xp2m_publisher *pub);
	void (*close)(struct xp2m_publisher *pub,
		      const struct xp2m_shared_info *si);
};

/**
 * struct xp2m_publisher - a place besides struct xp2m_shared_info where a
 * p2m's fields are published (the real shared_info of a PV guest)
 * @ops: its operations
 */
struct xp2m_publisher {
	const struct xp2m_publisher_ops *ops;
};

/**
 * struct xp2m - a p2m
 * @name: instance name (debugfs directory, messages)
 * @be: the machine
 * @borrowed: the leaves are pages of the machine's own p2m
 *	(xp2m_create_borrowed()): the p2m never writes a shared one, never
 *	frees one, and has the machine give a hole's leaf a page
 * @own_shared: which of @missing_leaf and @identity_leaf are the p2m's own
 *	pages (XP2M_OWN_MISSING, XP2M_OWN_IDENTITY); the others are borrowed
 * @max_pfn: number of entries; pfns [0, @max_pfn), 1 to %XP2M_MAX_PFN
 * @nr_pages: entries the boot list provided
 * @nr_mids: entries of @top: DIV_ROUND_UP(@max_pfn, XP2M_MID_SPAN)
 * @missing_mid: shared mid page, every slot @missing_leaf
 * @identity_mid: shared mid page, every slot @identity_leaf
 * @missing_leaf: shared leaf, every entry INVALID
 * @identity_leaf: shared leaf for identity ranges, every entry INVALID too
 *	(the toolstack knows no other value); lookups turn it into
 *	IDENTITY_FRAME(pfn)
 * @list: the boot list; grafted leaves are its pages
 * @fl: the machine view, once xp2m_frame_list_build() made it
 * @linear: the linear view, once xp2m_linear_build() made it: one page
 *	per leaf, mapped read-only (entries are written through the tree),
 *	starting on a 1 GiB boundary as the toolstack's walk assumes; NULL
 *	before
 * @lv: the linear view's page tables
 * @linear_dirty_start: first address of the linear view remapped by the
 *	change under way, to flush at its end; ULONG_MAX if none
 * @linear_dirty_end: end of that range
 * @si: the published fields (see struct xp2m_shared_info)
 * @pub: where the fields are published besides @si, or NULL
 * @lock: serialises every change of structure (installing a page in the
 *	tree, building or updating the frame list and the linear view) and is
 *	held while reserving the pages for it, so it may sleep
 * @counts: page accounting
 * @changes: the last changes its owners noted (xp2m_note_change())
 * @debugfs: the instance's debugfs directory, if registered
 * @top: the tree's root: @nr_mids pointers to mid pages, part of the
 *	object itself, so that a lookup finds its mid without a load of a
 *	pointer to them first
 *
 * Locking: @top, the mid pages, @fl, @linear, the linear view's mappings,
 * @linear_dirty_start/end, @si and @pub change only under @lock; each change of a
 * mapping of the linear view is bracketed by increments of
 * @si.p2m_generation. Readers take no lock: every pointer is published with
 * release semantics after the page behind it is complete, and no page is
 * freed before xp2m_destroy(), so a reader sees either the old shared page
 * or the new one with equal content.
 * An entry of a private or grafted leaf is one word written with a single
 * store (WRITE_ONCE) by xp2m_set() or xp2m_set_noalloc(), without @lock:
 * private and grafted leaves never move. @counts is written under @lock.
 *
 * Users read @name, @be, @borrowed, @max_pfn, @nr_pages, @missing_leaf,
 * @identity_leaf and @linear, which do not change once the p2m (or its
 * linear view) is made, and look entries up with the functions below; the
 * rest is the core's own (p2m/), read through xp2m_get_counts(),
 * xp2m_shared_info() and xp2m_leaf_kind() where a user needs it.
 */
struct xp2m {
	const char *name;
	struct xp2m_backend *be;
	bool borrowed;
	u8 own_shared;
	unsigned long max_pfn;
	unsigned long nr_pages;
	unsigned long nr_mids;
	unsigned long **missing_mid;
	unsigned long **identity_mid;
	unsigned long *missing_leaf;
	unsigned long *identity_leaf;
	struct xp2m_list list;
	struct xp2m_frame_list *fl;
	unsigned long *linear;
	struct xp2m_linear *lv;
	unsigned long linear_dirty_start;
	unsigned long linear_dirty_end;
	struct xp2m_shared_info si;
	struct xp2m_publisher *pub;
	struct mutex lock;		/* see above */
	struct xp2m_counts counts;
	struct xp2m_changes changes;
	struct dentry *debugfs;
	unsigned long **top[];
};

#define XP2M_OWN_MISSING	BIT(0)
#define XP2M_OWN_IDENTITY	BIT(1)

/* The leaf page that holds the entry of @pfn; @pfn must be in range. */
static __always_inline unsigned long *
xp2m_leaf_of(const struct xp2m *p2m, unsigned long pfn)
{
	unsigned long **mid = READ_ONCE(p2m->top[pfn / XP2M_MID_SPAN]);

	return READ_ONCE(mid[(pfn / XP2M_PER_PAGE) % XP2M_PER_PAGE]);
}

/**
 * xp2m_lookup() - the entry of a pfn, lock-free
 * @p2m: the p2m
 * @pfn: the pfn
 *
 * Three dependent loads. Safe against concurrent setters.
 *
 * A pfn at or past @p2m->max_pfn is 1-1, as Linux's __pfn_to_mfn() and
 * get_phys_to_machine() answer past the end of the kernel's p2m
 * (arch/x86/include/asm/xen/page.h, arch/x86/xen/p2m.c): what lies beyond
 * the guest's pseudo-physical space is MMIO, mapped 1-1; so mfn_to_pfn()
 * of a frame there is the frame itself.
 *
 * Return: the entry (IDENTITY_FRAME(@pfn) on an identity range and at or
 * past @p2m->max_pfn), or %XP2M_INVALID_ENTRY when @pfn is missing.
 */
static __always_inline unsigned long
xp2m_lookup(const struct xp2m *p2m, unsigned long pfn)
{
	unsigned long *leaf, entry;

	if (unlikely(pfn >= p2m->max_pfn))
		return XP2M_IDENTITY_FRAME(pfn);
	leaf = xp2m_leaf_of(p2m, pfn);
	entry = READ_ONCE(leaf[pfn % XP2M_PER_PAGE]);
	if (unlikely(entry == XP2M_INVALID_ENTRY) && leaf == p2m->identity_leaf)
		return XP2M_IDENTITY_FRAME(pfn);
	return entry;
}

/**
 * xp2m_lookup_raw() - the word stored for a pfn, as the toolstack reads it
 * @p2m: the p2m
 * @pfn: the pfn, below @p2m->max_pfn
 *
 * Unlike xp2m_lookup(), a pfn of the shared identity leaf reads INVALID.
 *
 * Return: the stored entry.
 */
static __always_inline unsigned long
xp2m_lookup_raw(const struct xp2m *p2m, unsigned long pfn)
{
	return READ_ONCE(xp2m_leaf_of(p2m, pfn)[pfn % XP2M_PER_PAGE]);
}

/**
 * xp2m_linear_lookup() - the entry of a pfn through the linear view
 * @p2m: the p2m, its linear view built
 * @pfn: the pfn
 *
 * One load on the linear area. Only an INVALID word takes the slow path,
 * the tree's answer: it tells an identity leaf (which holds INVALID) from a
 * missing one, and while the shared identity leaf gives way to a page of
 * its own, the tree names the new page before the view's slot does (and
 * a TLB may keep the old mapping until the change ends), so the word read
 * there may be the shared page's INVALID for a pfn that is identity both
 * before and after.
 *
 * Return: as xp2m_lookup().
 */
static __always_inline unsigned long
xp2m_linear_lookup(const struct xp2m *p2m, unsigned long pfn)
{
	/*
	 * Read on every call, not only below max_pfn: the compiler may then
	 * keep it in a register across a loop of lookups, as it does max_pfn.
	 */
	const unsigned long *linear = p2m->linear;
	unsigned long entry;

	if (unlikely(pfn >= p2m->max_pfn))
		return XP2M_IDENTITY_FRAME(pfn);
	entry = READ_ONCE(linear[pfn]);
	if (unlikely(entry == XP2M_INVALID_ENTRY))
		return xp2m_lookup(p2m, pfn);
	return entry;
}

/* Boot lists */
int xp2m_list_alloc(struct xp2m_backend *be, unsigned long nr,
		    struct xp2m_list *list);
void xp2m_list_free(struct xp2m_list *list);
long xp2m_list_pages(void);

/* Life cycle */
struct xp2m *xp2m_create(const char *name, struct xp2m_list *list,
			 unsigned long nr_pages, unsigned long max_pfn);
struct xp2m *xp2m_create_borrowed(const char *name, struct xp2m_backend *be,
				  unsigned long max_pfn,
				  unsigned long *missing_leaf,
				  unsigned long *identity_leaf);
int xp2m_adopt(struct xp2m *p2m, unsigned long pfn, unsigned long nr,
	       unsigned long *leaf);
void xp2m_destroy(struct xp2m *p2m);

/* Entries */
int xp2m_get(const struct xp2m *p2m, unsigned long pfn, unsigned long *entry);
int xp2m_set(struct xp2m *p2m, unsigned long pfn, unsigned long entry);
int xp2m_set_noalloc(struct xp2m *p2m, unsigned long pfn, unsigned long entry);
int xp2m_prealloc(struct xp2m *p2m, unsigned long start, unsigned long end);
enum xp2m_leaf_kind xp2m_leaf_kind(const struct xp2m *p2m, unsigned long pfn);
void xp2m_get_counts(struct xp2m *p2m, struct xp2m_counts *counts);

/* Identity */
long xp2m_set_identity(struct xp2m *p2m, unsigned long start,
		       unsigned long end);

/* The machine view */
int xp2m_frame_list_build(struct xp2m *p2m);
unsigned long xp2m_frame_list_list(struct xp2m *p2m);

/* The linear view and its publication */
int xp2m_linear_build(struct xp2m *p2m);
const struct xp2m_shared_info *xp2m_shared_info(struct xp2m *p2m);
void xp2m_set_publisher(struct xp2m *p2m, struct xp2m_publisher *pub);
void xp2m_linear_refresh(struct xp2m *p2m);
int xp2m_frame_list_refresh(struct xp2m *p2m);

#endif /* _XP2M_P2M_H */
