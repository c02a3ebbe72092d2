// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m core: the kernel's page tables where they are found from init_mm,
 * on every architecture but x86 (kpte.h says what each function does; the
 * TLB flush is the architecture's own, in kpte/um.c or kpte/generic.c).
 *
 * init_mm is exported only by a kernel patched to (the suite's UML test
 * kernel is; see scripts/patches). It is looked up at run time: without
 * it, xp2m_kpte_supported() is false and callers report -EOPNOTSUPP.
 *
 * A page-table page of the suite's own needs no registration; it is filled
 * through set_pte(): UML maps a kernel page in the host at a TLB flush only
 * when its PTE is marked new, which set_pte() does and a plain store does
 * not (flush_tlb_kernel_range_common() in arch/um/kernel/tlb.c), so that the
 * host would go on mapping what the area mapped before.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pgtable.h>

#include <asm/pgalloc.h>

#include "kpte.h"

static struct mm_struct *xp2m_kernel_mm;

bool xp2m_kpte_arch_init(void)
{
	xp2m_kernel_mm = __symbol_get("init_mm");
	if (!xp2m_kernel_mm)
		pr_info("this kernel does not export init_mm: no linear p2m or VLPT here\n");
	return xp2m_kernel_mm;
}

void xp2m_kpte_arch_exit(void)
{
	if (xp2m_kernel_mm)
		__symbol_put("init_mm");
}

pmd_t *xp2m_kpte_arch_pmd(unsigned long va)
{
	pgd_t *pgd;
	p4d_t *p4d;
	pud_t *pud;

	pgd = pgd_offset(xp2m_kernel_mm, va);
	if (pgd_none(*pgd) || pgd_bad(*pgd))
		return NULL;
	p4d = p4d_offset(pgd, va);
	if (p4d_none(*p4d) || p4d_bad(*p4d))
		return NULL;
	pud = pud_offset(p4d, va);
	if (pud_none(*pud) || pud_bad(*pud))
		return NULL;
	return pmd_offset(pud, va);
}

pte_t *xp2m_kpte_arch_pte(unsigned long va)
{
	pmd_t *pmd = xp2m_kpte_arch_pmd(va);

	if (!pmd || pmd_none(*pmd) || pmd_bad(*pmd))
		return NULL;
	return pte_offset_kernel(pmd, va);
}

void xp2m_kpte_arch_link(pmd_t *pmd, void *table)
{
	pmd_populate_kernel(xp2m_kernel_mm, pmd, table);
}

void xp2m_kpte_arch_fill(pte_t *entry, pte_t pte)
{
	set_pte(entry, pte);
}

void xp2m_kpte_arch_register(void *table)
{
}

void xp2m_kpte_arch_release(void *table)
{
}

/* vmap_pfn() is x86's alone here: the linear p2m uses vm_map_ram(). */
unsigned long xp2m_kpte_arch_absent_pfn(void)
{
	return 0;
}

unsigned int xp2m_kpte_arch_store_cost(void)
{
	return 2;
}
