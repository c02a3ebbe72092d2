/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xp2m: reading a published p2m as Xen's toolstack reads it, by machine
 * frame only, through the machine's operations: the frame list from
 * pfn_to_mfn_frame_list_list, the linear list from p2m_cr3 and p2m_vaddr.
 * For whoever checks what a p2m publishes (the core's debugfs views, the
 * x86 module's verification, the tests). See p2m/reader.c.
 */
#ifndef _XP2M_READER_H
#define _XP2M_READER_H

#include <linux/types.h>

#include <xp2m/backend.h>
#include <xp2m/p2m.h>

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

/**
 * enum xp2m_lin_error - why a linear-list reader stopped
 * @XP2M_LIN_OK: it read every entry, and the generation did not move
 * @XP2M_LIN_NOT_PUBLISHED: p2m_cr3 is 0: there is no linear list
 * @XP2M_LIN_BAD_CR3: p2m_cr3 names no frame of the machine
 * @XP2M_LIN_BAD_VADDR: the list's range is not canonical, wraps, or
 *	overlaps the hypervisor's area
 * @XP2M_LIN_BAD_PT_ENTRY: a page-table entry on the way names no frame
 * @XP2M_LIN_LEAF_NOT_GUEST: a leaf frame is not in the guest's own
 *	pseudo-physical map
 * @XP2M_LIN_UNMAPPABLE: a frame could not be mapped
 * @XP2M_LIN_GENERATION: the generation moved (or was odd) during the read:
 *	what was read may mix mappings; read again
 * @XP2M_LIN_NOMEM: the reader could not allocate
 */
enum xp2m_lin_error {
	XP2M_LIN_OK,
	XP2M_LIN_NOT_PUBLISHED,
	XP2M_LIN_BAD_CR3,
	XP2M_LIN_BAD_VADDR,
	XP2M_LIN_BAD_PT_ENTRY,
	XP2M_LIN_LEAF_NOT_GUEST,
	XP2M_LIN_UNMAPPABLE,
	XP2M_LIN_GENERATION,
	XP2M_LIN_NOMEM,
};

/**
 * struct xp2m_lin_report - the outcome of a linear-list read
 * @error: why it stopped
 * @level: page-table level of a bad entry (4 to 1)
 * @index: the offending index at that level, or leaf index
 * @mfn: the offending frame, if any
 * @max_pfn: entries read: max_pfn, lowered when trailing level-2 entries
 *	were identical (as the toolstack trims)
 * @leaves: leaf frames read
 * @gen_start: p2m_generation when the read began
 * @gen_end: p2m_generation when it ended
 */
struct xp2m_lin_report {
	enum xp2m_lin_error error;
	unsigned int level;
	unsigned long index;
	unsigned long mfn;
	unsigned long max_pfn;
	unsigned long leaves;
	unsigned long gen_start;
	unsigned long gen_end;
};

int xp2m_linear_read(struct xp2m_backend *be,
		     const struct xp2m_shared_info *si, xp2m_leaf_fn fn,
		     void *ctx, struct xp2m_lin_report *report);
const char *xp2m_lin_error_str(enum xp2m_lin_error error);

#endif /* _XP2M_READER_H */
