/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xp2m: the machine behind a p2m.
 *
 * The arch-neutral core never touches the hypervisor. What it needs of the
 * machine (the frame number of a page, a read-only view of a frame, the M2P)
 * goes through these operations. Two implementations exist: the real Xen PV
 * one (arch-x86/) and a simulated machine (kunit/) with frames, owners and an
 * M2P, on which the KUnit suites and benchmarks run anywhere. What only the
 * simulation needs (building a domain on it, its frames' owners) is its own
 * business, in kunit/; the one operation here that only it implements is
 * @pt_map, for its page tables.
 */
#ifndef _XP2M_BACKEND_H
#define _XP2M_BACKEND_H

#include <linux/types.h>

struct page;
struct xp2m_backend;

/**
 * struct xp2m_backend_ops - what the core needs of a machine
 * @page_alloc: a zeroed page for the p2m's own use (leaf, mid, frame-list
 *	page). The page is memory of the domain the p2m describes, so it has a
 *	machine frame. Returns NULL when none is left. Called in process
 *	context; may sleep.
 * @page_free: give back a page from @page_alloc, or a page of a boot list
 *	(xp2m_list_alloc()).
 * @page_to_mfn: the machine frame backing @page; %XP2M_INVALID_ENTRY if the
 *	machine cannot tell.
 * @map_frame: map machine frame @mfn read-only for a reader that knows only
 *	frame numbers (as Xen's toolstack does); NULL if the frame cannot be
 *	mapped.
 * @unmap_frame: undo @map_frame.
 * @m2p: the machine-to-phys table: the pfn the owner of @mfn gave it, or
 *	%XP2M_INVALID_ENTRY.
 * @set_m2p: record that @mfn now backs @pfn of this domain (as
 *	MMU_MACHPHYS_UPDATE does). May be NULL where the core must not touch
 *	the M2P.
 * @pt_root: the root of the address space in which the kernel's vmalloc
 *	area (where the linear view lives) is mapped, in cr3 format, as a
 *	toolstack would be given it; 0 if there is none.
 * @pt_map: where the page tables a toolstack walks from @pt_root are not
 *	the kernel's own (a simulated machine, whose frames the kernel's page
 *	tables do not name, keeps tables of its own, in the x86-64 format
 *	xp2m_linear_read() walks): map [@va, @va + @n pages) to the frames
 *	@mfns[0 .. @n) in them, making tables where there are none; with @mfns
 *	NULL, unmap the range and free the tables left empty. The linear view
 *	calls it for all its slots when it is built, for one slot each time it
 *	remaps one, and with NULL when it is freed. Returns 0, or -ENOMEM with
 *	nothing changed (never where the tables exist). NULL where the
 *	kernel's page tables are what a toolstack walks.
 * @populate: reservation: a new machine frame for each of the @nr missing
 *	pfns of @pfns, which the caller owns (XENMEM_populate_physmap: one
 *	extent list, in order); the frames go to @mfns, the M2P learns them.
 *	The caller tells the p2m. Returns how many of the first pfns got a
 *	frame (fewer when the domain reached its maximum or the machine is
 *	full), or a negative errno when none was tried. May sleep. NULL where
 *	the machine has no reservation to change.
 * @release: reservation: give the @nr frames of @mfns, which the caller
 *	owns and no longer maps, back to the machine
 *	(XENMEM_decrease_reservation). Returns how many of the first ones, or
 *	a negative errno when none was tried. May sleep. NULL as @populate.
 * @kmap: the kernel's own view of @nr pages the caller owns: point the
 *	linear-map PTE of pfn @pfns[i] at frame @mfns[i] and record the frame
 *	in the kernel's p2m; with @mfns NULL, clear the PTE (the pages have
 *	no frame; where the kernel keeps a p2m apart from the instance's, its
 *	entry too). When it returns no TLB holds a mapping it changed.
 *	Returns how many of the first pages were done (a frame the machine
 *	refuses to map stops it, that page unchanged), or a negative errno
 *	when none was. May sleep. NULL where the kernel keeps no such view
 *	(nothing to do).
 * @leaf_alloc: for a borrowed p2m (xp2m_create_borrowed()), whose leaves
 *	are the machine's own: have the machine's p2m give the leaf of @pfn
 *	a page of its own, filled with what its shared page stood for, and
 *	return that page's kernel address (the same page if it has one
 *	already); an ERR_PTR() when it cannot. May sleep. NULL where the
 *	machine keeps no p2m of its own.
 */
struct xp2m_backend_ops {
	struct page *(*page_alloc)(struct xp2m_backend *be);
	void (*page_free)(struct xp2m_backend *be, struct page *page);
	unsigned long (*page_to_mfn)(struct xp2m_backend *be, struct page *page);
	const void *(*map_frame)(struct xp2m_backend *be, unsigned long mfn);
	void (*unmap_frame)(struct xp2m_backend *be, const void *addr);
	unsigned long (*m2p)(struct xp2m_backend *be, unsigned long mfn);
	void (*set_m2p)(struct xp2m_backend *be, unsigned long mfn,
			unsigned long pfn);
	unsigned long (*pt_root)(struct xp2m_backend *be);
	int (*pt_map)(struct xp2m_backend *be, unsigned long va,
		      const unsigned long *mfns, unsigned long n);
	long (*populate)(struct xp2m_backend *be, const unsigned long *pfns,
			 unsigned long *mfns, unsigned long nr);
	long (*release)(struct xp2m_backend *be, const unsigned long *mfns,
			unsigned long nr);
	long (*kmap)(struct xp2m_backend *be, const unsigned long *pfns,
		     const unsigned long *mfns, unsigned long nr);
	unsigned long *(*leaf_alloc)(struct xp2m_backend *be,
				     unsigned long pfn);
};

/**
 * struct xp2m_backend - a machine
 * @ops: its operations
 * @name: for messages and debugfs
 * @max_mfn: the highest machine frame that exists; an entry naming a higher
 *	one does not fit, and Xen's toolstack rejects it in a frame list
 */
struct xp2m_backend {
	const struct xp2m_backend_ops *ops;
	const char *name;
	unsigned long max_mfn;
};

#endif /* _XP2M_BACKEND_H */
