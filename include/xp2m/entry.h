/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xp2m: p2m entry encoding, shared by every part of the suite.
 *
 * The values are the Xen PV ABI as Linux defines it (INVALID_P2M_ENTRY,
 * IDENTITY_FRAME_BIT, FOREIGN_FRAME_BIT in asm/xen/page.h). The arch-neutral
 * core cannot include that header, so it states them here; the x86 module
 * checks at build time that both agree.
 */
#ifndef _XP2M_ENTRY_H
#define _XP2M_ENTRY_H

#include <linux/bits.h>
#include <linux/mm.h>
#include <linux/types.h>

/* Entries in one leaf page; also mid and top fan-out (512 with 4 KiB pages). */
#define XP2M_PER_PAGE		(PAGE_SIZE / sizeof(unsigned long))
/* pfns covered by one mid page (1 GiB of 4 KiB pages). */
#define XP2M_MID_SPAN		(XP2M_PER_PAGE * XP2M_PER_PAGE)
/* pfns a 3-level tree with one top page covers (512 GiB): the frame list's limit. */
#define XP2M_TREE_SPAN		(XP2M_MID_SPAN * XP2M_PER_PAGE)

#define XP2M_INVALID_ENTRY	(~0UL)
#define XP2M_IDENTITY_BIT	BIT(BITS_PER_LONG - 2)
#define XP2M_FOREIGN_BIT	BIT(BITS_PER_LONG - 1)
#define XP2M_FRAME_MASK		(~(XP2M_IDENTITY_BIT | XP2M_FOREIGN_BIT))
#define XP2M_IDENTITY_FRAME(pfn)	((pfn) | XP2M_IDENTITY_BIT)
#define XP2M_FOREIGN_FRAME(mfn)	((mfn) | XP2M_FOREIGN_BIT)

/*
 * The largest pfn space (max_pfn) a p2m addresses. Its end as a byte
 * address, PFN_PHYS(max_pfn), fits 64 bits, as every address of an E820
 * map does; and each of its pfns has an identity entry, IDENTITY_FRAME(pfn),
 * with no class bit of the pfn's own. The first bounds a 64-bit p2m
 * (2^52 - 1 pfns with 4 KiB pages), the second a 32-bit one (2^30). Within
 * it the tree's arithmetic (a top array of DIV_ROUND_UP(max_pfn,
 * XP2M_MID_SPAN) mids, a pfn rounded up to the end of its GiB) never wraps.
 */
#if BITS_PER_LONG == 64
#define XP2M_MAX_PFN		((unsigned long)(U64_MAX >> PAGE_SHIFT))
#else
#define XP2M_MAX_PFN		XP2M_IDENTITY_BIT
#endif

/**
 * enum xp2m_type - the class of a p2m entry
 * @XP2M_TYPE_PFN: a machine frame of this domain
 * @XP2M_TYPE_IDENTITY: 1-1 mapped (non-RAM): the "mfn" is the pfn
 * @XP2M_TYPE_MISSING: no frame (a hole, or ballooned out)
 * @XP2M_TYPE_FOREIGN: a frame of another domain (a grant mapping)
 * @XP2M_NR_TYPES: number of classes
 */
enum xp2m_type {
	XP2M_TYPE_PFN,
	XP2M_TYPE_IDENTITY,
	XP2M_TYPE_MISSING,
	XP2M_TYPE_FOREIGN,
	XP2M_NR_TYPES,
};

/**
 * xp2m_entry_type() - classify an entry
 * @entry: a p2m entry
 *
 * Return: the class of @entry.
 */
static inline enum xp2m_type xp2m_entry_type(unsigned long entry)
{
	if (entry == XP2M_INVALID_ENTRY)
		return XP2M_TYPE_MISSING;
	if (entry & XP2M_FOREIGN_BIT)
		return XP2M_TYPE_FOREIGN;
	if (entry & XP2M_IDENTITY_BIT)
		return XP2M_TYPE_IDENTITY;
	return XP2M_TYPE_PFN;
}

/**
 * xp2m_entry_mfn() - the machine frame an entry stands for
 * @entry: a p2m entry
 *
 * Return: the frame with the class bits masked off (for identity entries the
 * pfn itself), or %XP2M_INVALID_ENTRY for a missing entry.
 */
static inline unsigned long xp2m_entry_mfn(unsigned long entry)
{
	if (entry == XP2M_INVALID_ENTRY)
		return XP2M_INVALID_ENTRY;
	return entry & XP2M_FRAME_MASK;
}

const char *xp2m_type_name(enum xp2m_type type);

#endif /* _XP2M_ENTRY_H */
