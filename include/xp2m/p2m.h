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
 *    walks to save or migrate the domain (valid up to 512 GiB).
 *
 * All-missing and all-identity leaves (and mids) are one shared page each.
 * A lookup on the shared identity leaf answers IDENTITY_FRAME(pfn); the page
 * itself holds INVALID entries, which is what the toolstack sees.
 *
 * See Documentation/p2m.rst.
 */
#ifndef _XP2M_P2M_H
#define _XP2M_P2M_H

#include <linux/compiler.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include <xp2m/backend.h>
#include <xp2m/entry.h>

struct dentry;
struct page;
struct xp2m_frame_list;

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
 * @mids: mid pages of their own
 * @shared: the shared missing and identity leaf and mid pages
 * @top_bytes: size of the top array
 * @fl_pages: pages of the frame list (machine view), shared ones included
 *
 * "Allocated beyond the boot list" is everything but @list_pages.
 */
struct xp2m_counts {
	unsigned long list_pages;
	unsigned long grafted;
	unsigned long private_leaves;
	unsigned long mids;
	unsigned long shared;
	unsigned long top_bytes;
	unsigned long fl_pages;
};

/**
 * enum xp2m_leaf_kind - what backs the leaf of a pfn
 * @XP2M_LEAF_MISSING: the shared all-missing page
 * @XP2M_LEAF_IDENTITY: the shared all-identity page
 * @XP2M_LEAF_GRAFTED: a page of the boot list
 * @XP2M_LEAF_PRIVATE: a page of its own
 */
enum xp2m_leaf_kind {
	XP2M_LEAF_MISSING,
	XP2M_LEAF_IDENTITY,
	XP2M_LEAF_GRAFTED,
	XP2M_LEAF_PRIVATE,
};

/**
 * struct xp2m - a p2m
 * @name: instance name (debugfs directory, messages)
 * @be: the machine
 * @max_pfn: number of entries; pfns [0, @max_pfn)
 * @nr_pages: entries the boot list provided
 * @nr_mids: entries of @top: DIV_ROUND_UP(@max_pfn, XP2M_MID_SPAN)
 * @top: the tree's root: @nr_mids pointers to mid pages
 * @missing_mid: shared mid page, every slot @missing_leaf
 * @identity_mid: shared mid page, every slot @identity_leaf
 * @missing_leaf: shared leaf, every entry INVALID
 * @identity_leaf: shared leaf for identity ranges, every entry INVALID too
 *	(the toolstack knows no other value); lookups turn it into
 *	IDENTITY_FRAME(pfn)
 * @list: the boot list; grafted leaves are its pages
 * @fl: the machine view, once xp2m_frame_list_build() made it
 * @lock: serialises every change of structure (installing a page in the
 *	tree, building or updating the frame list) and is held while
 *	reserving the pages for it, so it may sleep
 * @counts: page accounting
 * @debugfs: the instance's debugfs directory, if registered
 *
 * Locking: @top, the mid pages and @fl change only under @lock. Readers take
 * no lock: every pointer is published with release semantics after the page
 * behind it is complete, and no page is freed before xp2m_destroy(), so a
 * reader sees either the old shared page or the new one with equal content.
 * An entry of a private or grafted leaf is one word written with a single
 * store (WRITE_ONCE) by xp2m_set() or xp2m_set_noalloc(), without @lock:
 * private and grafted leaves never move. @counts is written under @lock.
 */
struct xp2m {
	const char *name;
	struct xp2m_backend *be;
	unsigned long max_pfn;
	unsigned long nr_pages;
	unsigned long nr_mids;
	unsigned long ***top;
	unsigned long **missing_mid;
	unsigned long **identity_mid;
	unsigned long *missing_leaf;
	unsigned long *identity_leaf;
	struct xp2m_list list;
	struct xp2m_frame_list *fl;
	struct mutex lock;		/* see above */
	struct xp2m_counts counts;
	struct dentry *debugfs;
};

/* The leaf page that holds the entry of @pfn; @pfn must be in range. */
static inline unsigned long *xp2m_leaf_of(const struct xp2m *p2m,
					  unsigned long pfn)
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
 * Return: the entry (IDENTITY_FRAME(@pfn) on an identity range), or
 * %XP2M_INVALID_ENTRY when @pfn is missing or not below @p2m->max_pfn.
 */
static inline unsigned long xp2m_lookup(const struct xp2m *p2m,
					unsigned long pfn)
{
	unsigned long *leaf, entry;

	if (unlikely(pfn >= p2m->max_pfn))
		return XP2M_INVALID_ENTRY;
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
static inline unsigned long xp2m_lookup_raw(const struct xp2m *p2m,
					    unsigned long pfn)
{
	return READ_ONCE(xp2m_leaf_of(p2m, pfn)[pfn % XP2M_PER_PAGE]);
}

/* Boot lists */
int xp2m_list_alloc(struct xp2m_backend *be, unsigned long nr,
		    struct xp2m_list *list);
void xp2m_list_free(struct xp2m_list *list);

/* Life cycle */
struct xp2m *xp2m_create(const char *name, struct xp2m_list *list,
			 unsigned long nr_pages, unsigned long max_pfn);
void xp2m_destroy(struct xp2m *p2m);

/* Entries */
int xp2m_get(const struct xp2m *p2m, unsigned long pfn, unsigned long *entry);
int xp2m_set(struct xp2m *p2m, unsigned long pfn, unsigned long entry);
int xp2m_set_noalloc(struct xp2m *p2m, unsigned long pfn, unsigned long entry);
enum xp2m_leaf_kind xp2m_leaf_kind(const struct xp2m *p2m, unsigned long pfn);
void xp2m_get_counts(struct xp2m *p2m, struct xp2m_counts *counts);

/* Identity */
long xp2m_set_identity(struct xp2m *p2m, unsigned long start,
		       unsigned long end);

#define XP2M_E820_RAM	1	/* E820 type of usable RAM */

/**
 * struct xp2m_e820_entry - one entry of an E820-style memory map
 * @addr: start, in bytes
 * @size: length, in bytes
 * @type: E820 type; only %XP2M_E820_RAM is RAM
 */
struct xp2m_e820_entry {
	u64 addr;
	u64 size;
	u32 type;
};

/**
 * struct xp2m_e820_result - what xp2m_identity_from_e820() did
 * @identity: pfns now identity
 * @remapped: populated pfns that lay on non-RAM and whose frames moved to
 *	missing RAM pfns at and above the boot list's end
 */
struct xp2m_e820_result {
	unsigned long identity;
	unsigned long remapped;
};

int xp2m_identity_from_e820(struct xp2m *p2m,
			    const struct xp2m_e820_entry *map, unsigned int nr,
			    struct xp2m_e820_result *result);

/* The machine view */
int xp2m_frame_list_build(struct xp2m *p2m);
unsigned long xp2m_frame_list_list(struct xp2m *p2m);

/**
 * enum xp2m_fl_error - why a frame-list reader stopped
 * @XP2M_FL_OK: it read every entry
 * @XP2M_FL_TOO_LARGE: max_pfn needs more than one frame-list-list page
 * @XP2M_FL_NOT_SET_UP: pfn_to_mfn_frame_list_list is 0
 * @XP2M_FL_INVALID: pfn_to_mfn_frame_list_list is ~0: use the linear list
 * @XP2M_FL_BAD_FLL_MFN: the frame-list-list frame does not exist
 * @XP2M_FL_BAD_FLL_ENTRY: a frame-list-list entry names no frame
 * @XP2M_FL_BAD_FL_ENTRY: a frame-list entry names no frame
 * @XP2M_FL_LEAF_NOT_GUEST: a leaf frame is not in the guest's own
 *	pseudo-physical map (its M2P entry does not lead back to it)
 * @XP2M_FL_UNMAPPABLE: a frame could not be mapped
 * @XP2M_FL_NOMEM: the reader could not allocate
 */
enum xp2m_fl_error {
	XP2M_FL_OK,
	XP2M_FL_TOO_LARGE,
	XP2M_FL_NOT_SET_UP,
	XP2M_FL_INVALID,
	XP2M_FL_BAD_FLL_MFN,
	XP2M_FL_BAD_FLL_ENTRY,
	XP2M_FL_BAD_FL_ENTRY,
	XP2M_FL_LEAF_NOT_GUEST,
	XP2M_FL_UNMAPPABLE,
	XP2M_FL_NOMEM,
};

/**
 * struct xp2m_fl_report - the outcome of a frame-list read
 * @error: why it stopped
 * @index: the offending index (in the list it names), if any
 * @mfn: the offending frame, if any
 * @max_pfn: entries read: the published max_pfn, lowered when trailing
 *	frame-list-list entries were identical (as the toolstack trims)
 * @leaves: leaf frames read
 */
struct xp2m_fl_report {
	enum xp2m_fl_error error;
	unsigned long index;
	unsigned long mfn;
	unsigned long max_pfn;
	unsigned long leaves;
};

/**
 * typedef xp2m_leaf_fn - receives one leaf of a frame-list read
 * @ctx: the caller's context
 * @first_pfn: pfn of @entries[0]
 * @leaf_mfn: the frame the leaf was read from
 * @entries: the leaf's entries, @nr of them (the last leaf may be short)
 * @nr: count
 *
 * Return: 0 to go on, or a negative errno to stop the read with it.
 */
typedef int (*xp2m_leaf_fn)(void *ctx, unsigned long first_pfn,
			    unsigned long leaf_mfn,
			    const unsigned long *entries, unsigned int nr);

int xp2m_frame_list_read(struct xp2m_backend *be, unsigned long fll_mfn,
			 unsigned long max_pfn, xp2m_leaf_fn fn, void *ctx,
			 struct xp2m_fl_report *report);
const char *xp2m_fl_error_str(enum xp2m_fl_error error);

/* The domain builder */

/**
 * enum xp2m_mfn_pattern - how the builder hands out machine frames
 * @XP2M_MFNS_ASCENDING: pfn i gets the i-th frame from the first one up
 * @XP2M_MFNS_DESCENDING: the same frames, highest first (seed 001's
 *	[0x290F, 0x290E, 0x290D, ..])
 * @XP2M_MFNS_FRAGMENTED: runs of frames interleaved with other guests'
 *	and shuffled, as after many guests have started and stopped
 */
enum xp2m_mfn_pattern {
	XP2M_MFNS_ASCENDING,
	XP2M_MFNS_DESCENDING,
	XP2M_MFNS_FRAGMENTED,
};

/**
 * struct xp2m_domain_spec - a simulated domain for the builder
 * @nr_pages: pages the domain starts with: the boot list's length
 * @region_start: first pfn of the region the boot list must lie in
 * @region_end: end (exclusive) of that region
 * @pattern: how machine frames are handed out
 * @first_mfn: lowest machine frame to hand out
 * @seed: seed of the fragmented pattern
 */
struct xp2m_domain_spec {
	unsigned long nr_pages;
	unsigned long region_start;
	unsigned long region_end;
	enum xp2m_mfn_pattern pattern;
	unsigned long first_mfn;
	u32 seed;
};

int xp2m_build_domain(struct xp2m_backend *be,
		      const struct xp2m_domain_spec *spec,
		      struct xp2m_list *list);

struct dentry *xp2m_debugfs_root(void);

#endif /* _XP2M_P2M_H */
