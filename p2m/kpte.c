// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m core: rewrite one PTE of a kernel mapping the suite vmap()ed.
 *
 * The linear p2m and the VLPT are virtually contiguous areas over pages that
 * change: a hole's shared page gives way to a page of its own. 6.1 exports
 * no call that replaces one page of a vmalloc area, so this does it at the
 * PTE:
 *
 *  - x86: lookup_address() finds the PTE; set_pte() goes through paravirt,
 *    so under Xen PV the hypervisor validates the update; every CPU then
 *    flushes its TLB (__flush_tlb_all() by IPI).
 *  - elsewhere the walk starts from init_mm, which only a kernel exporting
 *    it offers (the suite's UML test kernel does; see scripts/patches). It
 *    is looked up at run time: without it, xp2m_kpte_supported() is false
 *    and callers report -EOPNOTSUPP.
 */

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pgtable.h>
#include <linux/smp.h>

#include <asm/tlbflush.h>

#include "internal.h"

/* The kernel's page tables where they are exported (not used on x86). */
static struct mm_struct *xp2m_kernel_mm;

#ifdef CONFIG_X86
static pte_t *xp2m_kpte_find(unsigned long va)
{
	unsigned int level;
	pte_t *pte = lookup_address(va, &level);

	return pte && level == PG_LEVEL_4K ? pte : NULL;
}

static void xp2m_kpte_flush_this_cpu(void *unused)
{
	__flush_tlb_all();
}

static void xp2m_kpte_flush_range(unsigned long start, unsigned long end)
{
	on_each_cpu(xp2m_kpte_flush_this_cpu, NULL, 1);
}
#else
static pte_t *xp2m_kpte_find(unsigned long va)
{
	pgd_t *pgd;
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd;

	pgd = pgd_offset(xp2m_kernel_mm, va);
	if (pgd_none(*pgd) || pgd_bad(*pgd))
		return NULL;
	p4d = p4d_offset(pgd, va);
	if (p4d_none(*p4d) || p4d_bad(*p4d))
		return NULL;
	pud = pud_offset(p4d, va);
	if (pud_none(*pud) || pud_bad(*pud))
		return NULL;
	pmd = pmd_offset(pud, va);
	if (pmd_none(*pmd) || pmd_bad(*pmd))
		return NULL;
	return pte_offset_kernel(pmd, va);
}

static void xp2m_kpte_flush_range(unsigned long start, unsigned long end)
{
#ifdef CONFIG_UML
	/* UML's exported flush: a VMA without an mm means kernel addresses. */
	struct vm_area_struct vma = { .vm_mm = NULL };

	flush_tlb_range(&vma, start, end);
#else
	flush_tlb_kernel_range(start, end);
#endif
}
#endif

void xp2m_kpte_init(void)
{
	if (IS_ENABLED(CONFIG_X86))
		return;
	xp2m_kernel_mm = __symbol_get("init_mm");
	if (!xp2m_kernel_mm)
		pr_info("xp2m: this kernel does not export init_mm: no linear p2m or VLPT here\n");
}

void xp2m_kpte_exit(void)
{
	if (xp2m_kernel_mm)
		__symbol_put("init_mm");
}

/**
 * xp2m_kpte_supported() - can this kernel's mappings be changed a PTE at a time
 *
 * Return: true on x86, and elsewhere when the kernel exports init_mm.
 */
bool xp2m_kpte_supported(void)
{
	return IS_ENABLED(CONFIG_X86) || xp2m_kernel_mm;
}
EXPORT_SYMBOL_GPL(xp2m_kpte_supported);

/* Kernel data, read-write or read-only (UML has no PAGE_KERNEL_RO). */
pgprot_t xp2m_kpte_prot(bool writable)
{
	if (writable)
		return PAGE_KERNEL;
#ifdef PAGE_KERNEL_RO
	return PAGE_KERNEL_RO;
#else
	return __pgprot(pgprot_val(PAGE_KERNEL) & ~_PAGE_RW);
#endif
}

/**
 * xp2m_kpte_set() - map a page at an address of a kernel mapping
 * @va: page-aligned address inside an area the caller vmap()ed
 * @page: the page to map there
 * @writable: map it read-write, else read-only
 *
 * The caller serialises changes to @va and flushes with xp2m_kpte_flush()
 * before relying on the new mapping from another CPU.
 *
 * Return: 0; -EOPNOTSUPP when this kernel gives no access to its page
 * tables; -EFAULT when @va is not mapped by a 4 KiB PTE.
 */
int xp2m_kpte_set(unsigned long va, struct page *page, bool writable)
{
	pte_t *pte;

	if (!xp2m_kpte_supported())
		return -EOPNOTSUPP;
	pte = xp2m_kpte_find(va);
	if (!pte || pte_none(*pte))
		return -EFAULT;
	set_pte(pte, mk_pte(page, xp2m_kpte_prot(writable)));
	return 0;
}
EXPORT_SYMBOL_GPL(xp2m_kpte_set);

/**
 * xp2m_kpte_flush() - make PTE changes visible on every CPU
 * @start: first address changed
 * @end: end of the range, exclusive
 */
void xp2m_kpte_flush(unsigned long start, unsigned long end)
{
	xp2m_kpte_flush_range(start, end);
}
EXPORT_SYMBOL_GPL(xp2m_kpte_flush);
