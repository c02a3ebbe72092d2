// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m_x86: faults in the published view, for tests of its readers.
 *
 * Proof that Xen's toolstack reads the module's view, not the kernel's,
 * needs a fault in the module's view alone. Two are offered, through the
 * root-only debugfs file "fault" of the published instance, off until
 * written:
 *
 *  - "leaf N": the linear view's slot of leaf N maps a copy of the leaf on
 *    a page whose M2P entry names no pfn, so the toolstack's check that a
 *    leaf frame is in the guest's pseudo-physical map fails there ("Bad mfn
 *    in p2m_frame_list[N]" from tools/libs/guest/xg_sr_save_x86_pv.c). The
 *    kernel's list, the tree and the frame list are untouched.
 *  - "vaddr": the published p2m_vaddr is made non-canonical ("Bad virtual
 *    p2m address range" from save, dump-core and xen-mfndump).
 *
 * "off" puts everything back. Each change of the published view is
 * bracketed by the generation, as any other. The real p2m_vaddr is written
 * only while the instance is published, checked and written under the
 * publication's lock (xp2m_x86_pub_vaddr()): a withdrawal or a resume gives
 * the kernel's fields back, and a fault written after it would stay in them.
 * The M2P entry of the copy's own frame is the only write the module makes
 * to the M2P, and it is undone.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/mutex.h>

#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>
#include <xen/interface/xen.h>

#include <xp2m/kpte.h>

#include "internal.h"

/* A canonical address has bits 63..47 equal: this one has not. */
#define XP2M_FAULT_VADDR	0x0000800000000000UL

/*
 * The fault in place, under @lock: @x the instance it is in; for a leaf,
 * @leaf its index and @copy the page mapped there; for the address, @vaddr
 * the published value it replaced.
 */
static struct {
	struct mutex lock;		/* see above */
	enum xp2m_x86_fault kind;
	struct xp2m_x86 *x;
	unsigned long leaf;
	struct page *copy;
	unsigned long vaddr;
} xp2m_fault = {
	.lock = __MUTEX_INITIALIZER(xp2m_fault.lock),
};

/* Record in the M2P that the frame of @page backs @pfn. */
static int xp2m_fault_m2p(struct page *page, unsigned long pfn)
{
	struct mmu_update req = {
		.ptr = PFN_PHYS((u64)pfn_to_mfn(page_to_pfn(page))) |
		       MMU_MACHPHYS_UPDATE,
		.val = pfn,
	};

	xp2m_x86_issued(XP2M_X86_MMU_UPDATE, 1);
	return HYPERVISOR_mmu_update(&req, 1, NULL, DOMID_SELF);
}

/* Map @page at slot @leaf of @x's linear view, bracketed, flushed. */
static void xp2m_fault_map(struct xp2m_x86 *x, unsigned long leaf,
			   struct page *page)
{
	struct xp2m *p2m = x->p2m;
	unsigned long va = (unsigned long)p2m->linear + leaf * PAGE_SIZE;

	mutex_lock(&p2m->lock);
	xp2m_x86_gen_open();
	WARN_ON(xp2m_kpte_set(va, page, false));
	xp2m_kpte_flush(va, va + PAGE_SIZE);
	xp2m_x86_gen_close(1);
	mutex_unlock(&p2m->lock);
}

/* Put the fault in leaf @leaf of @x. Under xp2m_fault.lock. */
static int xp2m_fault_leaf(struct xp2m_x86 *x, unsigned long leaf)
{
	struct xp2m *p2m = x->p2m;
	unsigned long *words;
	struct page *copy;
	int err;

	lockdep_assert_held(&xp2m_fault.lock);
	if (leaf >= DIV_ROUND_UP(READ_ONCE(p2m->si.max_pfn), XP2M_PER_PAGE))
		return -ERANGE;
	/* A shared page-table page would carry the fault to every hole. */
	if (xp2m_leaf_kind(p2m, leaf * XP2M_PER_PAGE) != XP2M_LEAF_BORROWED)
		return -EINVAL;
	copy = alloc_page(GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	words = xp2m_leaf_of(p2m, leaf * XP2M_PER_PAGE);
	memcpy(page_address(copy), words, PAGE_SIZE);
	err = xp2m_fault_m2p(copy, XP2M_INVALID_ENTRY);
	if (err) {
		__free_page(copy);
		return err;
	}
	xp2m_fault_map(x, leaf, copy);
	xp2m_fault.leaf = leaf;
	xp2m_fault.copy = copy;
	return 0;
}

/* Undo the fault in place. Under xp2m_fault.lock. */
static void xp2m_fault_undo(void)
{
	struct xp2m_x86 *x = xp2m_fault.x;
	struct xp2m *p2m;

	lockdep_assert_held(&xp2m_fault.lock);
	if (xp2m_fault.kind == XP2M_X86_FAULT_LEAF) {
		p2m = x->p2m;
		xp2m_fault_map(x, xp2m_fault.leaf,
			       virt_to_page(xp2m_leaf_of(p2m, xp2m_fault.leaf *
							 XP2M_PER_PAGE)));
		WARN_ON(xp2m_fault_m2p(xp2m_fault.copy,
				       page_to_pfn(xp2m_fault.copy)));
		__free_page(xp2m_fault.copy);
		xp2m_fault.copy = NULL;
	} else if (xp2m_fault.kind == XP2M_X86_FAULT_VADDR) {
		/* -ENOENT: withdrawn, or resumed, the kernel's fields back. */
		xp2m_x86_pub_vaddr(x, xp2m_fault.vaddr);
	}
	xp2m_fault.kind = XP2M_X86_FAULT_NONE;
	xp2m_fault.x = NULL;
}

/**
 * xp2m_x86_fault() - put a fault in the published view, or take it out
 * @x: the published instance
 * @kind: what (see the top of fault.c); %XP2M_X86_FAULT_NONE undoes
 * @leaf: the leaf, for %XP2M_X86_FAULT_LEAF
 *
 * Return: 0; -ENOENT when @x is not published; -EBUSY while another fault
 * is in place; -ERANGE for a leaf past max_pfn; -EINVAL for a leaf of a
 * hole (its page-table page is shared); -ENOMEM; the hypercall's error.
 */
int xp2m_x86_fault(struct xp2m_x86 *x, enum xp2m_x86_fault kind,
		   unsigned long leaf)
{
	int err = 0;

	mutex_lock(&xp2m_fault.lock);
	if (kind == XP2M_X86_FAULT_NONE) {
		if (xp2m_fault.x == x)
			xp2m_fault_undo();
		goto out;
	}
	if (xp2m_x86_published() != x) {
		err = -ENOENT;
		goto out;
	}
	if (xp2m_fault.kind != XP2M_X86_FAULT_NONE) {
		err = -EBUSY;
		goto out;
	}
	if (kind == XP2M_X86_FAULT_LEAF) {
		err = xp2m_fault_leaf(x, leaf);
	} else {
		xp2m_fault.vaddr = READ_ONCE(x->p2m->si.p2m_vaddr);
		err = xp2m_x86_pub_vaddr(x, XP2M_FAULT_VADDR);
	}
	if (!err) {
		xp2m_fault.kind = kind;
		xp2m_fault.x = x;
	}
out:
	mutex_unlock(&xp2m_fault.lock);
	return err;
}

/**
 * xp2m_x86_fault_show() - the fault in place
 * @leaf: set to its leaf, for %XP2M_X86_FAULT_LEAF
 *
 * Return: its kind.
 */
enum xp2m_x86_fault xp2m_x86_fault_show(unsigned long *leaf)
{
	enum xp2m_x86_fault kind;

	mutex_lock(&xp2m_fault.lock);
	kind = xp2m_fault.kind;
	*leaf = xp2m_fault.leaf;
	mutex_unlock(&xp2m_fault.lock);
	return kind;
}
