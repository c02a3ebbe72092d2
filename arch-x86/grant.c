// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m_x86: grant mappings over our own pages, with the m2p override.
 *
 * A granted frame is mapped at the kernel's linear address of one of our
 * pages: GNTTABOP_map_grant_ref with GNTMAP_host_map and that address as
 * host_addr, so that Xen itself writes the linear-map PTE (a PV guest may
 * not write a PTE naming a frame it does not own). So Xen replaces whatever
 * PTE it finds there, a live grant PTE too: the page is claimed in the
 * override table before Xen is asked anything, and a page that has a
 * mapping is refused right there. The PTE the grant replaces is read once
 * the page is claimed, and kept in the override; GNTTABOP_unmap_grant_ref
 * clears the PTE again, and the kept one is written back, every CPU's TLB
 * flushed.
 * The override makes the instance's p2m entry of the page
 * FOREIGN_FRAME(mfn) meanwhile, and lets mfn_to_pfn() find the page.
 *
 * The running kernel's own p2m is not told: these mappings are the
 * module's, made with the hypercalls directly rather than through the
 * kernel's grant-table layer, which would record them in its p2m as well.
 * See Documentation/m2p-balloon.rst.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/pgtable.h>

#include <asm/pgtable_types.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>
#include <xen/grant_table.h>
#include <xen/interface/grant_table.h>

#include <xp2m/kpte.h>
#include <xp2m/m2p.h>
#include <xp2m/x86.h>

#include "internal.h"

/* The linear-map PTE of @page: 4 KiB on Xen PV, which maps no large pages. */
static pte_t *xp2m_x86_kpte(struct page *page)
{
	unsigned int level;
	pte_t *pte;

	if (PageHighMem(page))
		return NULL;
	pte = lookup_address((unsigned long)page_address(page), &level);
	return pte && level == PG_LEVEL_4K ? pte : NULL;
}

/* Put a PTE back at the linear address of @page; flush every CPU. */
static int xp2m_x86_kmap_restore(struct page *page, u64 kmap)
{
	xp2m_x86_issued(XP2M_X86_UPDATE_VA_MAPPING, 1);
	return HYPERVISOR_update_va_mapping((unsigned long)page_address(page),
					    __pte_ma(kmap),
					    UVMF_INVLPG | UVMF_ALL);
}

/* GNTTABOP_unmap_grant_ref of the mapping @handle at @va. */
static int xp2m_x86_unmap_grant(unsigned long va, grant_handle_t handle,
				s16 *status)
{
	struct gnttab_unmap_grant_ref unmap;
	int err;

	gnttab_set_unmap_op(&unmap, va, GNTMAP_host_map, handle);
	xp2m_x86_issued(XP2M_X86_GRANT_TABLE_OP, 1);
	err = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &unmap, 1);
	*status = unmap.status;
	return err;
}

/**
 * xp2m_x86_grant_map() - map a granted frame over one of our pages
 * @m2p: the override table of the instance the page belongs to
 * @page: our page, in the linear map; a ballooned page (no frame, no
 *	mapping) or one with a frame of ours, which stays ours, unmapped,
 *	until xp2m_x86_grant_unmap()
 * @domid: the granting domain (our own for a frame granted to ourselves)
 * @ref: the grant reference
 * @handle: set to the grant handle, for xp2m_x86_grant_unmap()
 *
 * The page is claimed in the override table first (xp2m_m2p_prepare()):
 * a page mapped already, or being mapped, is refused before anything is
 * asked of Xen, which would otherwise replace the live grant PTE and
 * leave the first mapping impossible to unmap. Then the page's linear-map
 * PTE is read, the grant mapped at the page's linear address, and the
 * override committed with the old PTE: the instance's entry becomes
 * FOREIGN_FRAME(mfn), the old one kept. Should the commit fail, the grant
 * is unmapped and the PTE, which maps a frame of ours or nothing, put
 * back.
 *
 * Return: 0; -EFAULT for a page outside the linear map; -EACCES when Xen
 * refuses the mapping (the grant status is logged); an error of
 * xp2m_m2p_prepare() (-EEXIST for a page with a grant mapping already) or
 * of xp2m_m2p_commit(), with nothing changed.
 */
int xp2m_x86_grant_map(struct xp2m_m2p *m2p, struct page *page, domid_t domid,
		       grant_ref_t ref, grant_handle_t *handle)
{
	unsigned long va = (unsigned long)page_address(page);
	struct gnttab_map_grant_ref map;
	pte_t *pte = xp2m_x86_kpte(page);
	struct xp2m_override *o;
	s16 status;
	u64 kmap;
	int err;

	if (!pte)
		return -EFAULT;
	o = xp2m_m2p_prepare(m2p, page_to_pfn(page), page);
	if (IS_ERR(o))
		return PTR_ERR(o);
	/* Claimed: no other mapping of ours changes the PTE now. */
	kmap = pte_val_ma(READ_ONCE(*pte));
	gnttab_set_map_op(&map, va, GNTMAP_host_map, ref, domid);
	xp2m_x86_issued(XP2M_X86_GRANT_TABLE_OP, 1);
	err = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &map, 1);
	if (!err && map.status != GNTST_okay) {
		pr_info("mapping grant %u of domain %u: status %d\n",
			ref, domid, map.status);
		err = -EACCES;
	}
	if (err)
		goto abort;
	/* The old mapping may be cached on any CPU. */
	xp2m_kpte_flush(va, va + PAGE_SIZE);
	err = xp2m_m2p_commit(m2p, o, PFN_DOWN(map.dev_bus_addr), kmap);
	if (err) {
		WARN_ON(xp2m_x86_unmap_grant(va, map.handle, &status) ||
			status != GNTST_okay);
		WARN_ON(xp2m_x86_kmap_restore(page, kmap));
		goto abort;
	}
	*handle = map.handle;
	return 0;

abort:
	xp2m_m2p_abort(m2p, o);
	return err;
}
EXPORT_SYMBOL_GPL(xp2m_x86_grant_map);

/**
 * xp2m_x86_grant_unmap() - undo xp2m_x86_grant_map()
 * @m2p: the override table
 * @page: the page
 * @handle: the handle xp2m_x86_grant_map() gave
 *
 * The grant is unmapped, the override removed (the instance's entry
 * restored exactly, unless someone else wrote it meanwhile: it stays as
 * written) and the page's old linear-map PTE written back, every CPU's TLB
 * flushed.
 *
 * Return: 0; -ENOENT when @page has no override; -EINVAL when Xen refuses
 * the unmapping (a wrong handle: the status is logged); nothing changed on
 * error.
 */
int xp2m_x86_grant_unmap(struct xp2m_m2p *m2p, struct page *page,
			 grant_handle_t handle)
{
	unsigned long va = (unsigned long)page_address(page);
	unsigned long pfn = page_to_pfn(page);
	s16 status;
	u64 kmap;
	int err;

	err = xp2m_m2p_get(m2p, pfn, NULL, &kmap);
	if (err)
		return err;
	err = xp2m_x86_unmap_grant(va, handle, &status);
	if (err)
		return err;
	if (status != GNTST_okay) {
		pr_info("unmapping grant handle %u: status %d\n",
			handle, status);
		return -EINVAL;
	}
	/*
	 * The mapping is gone, and its override goes with it whatever became
	 * of the entry meanwhile (-EINVAL: someone else wrote it, and it stays
	 * as they did).
	 */
	WARN_ON(xp2m_m2p_remove(m2p, pfn, NULL) == -ENOENT);
	return xp2m_x86_kmap_restore(page, kmap);
}
EXPORT_SYMBOL_GPL(xp2m_x86_grant_unmap);
