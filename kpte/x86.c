// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m core: the kernel's page tables on x86 (kpte.h says what each
 * function does).
 *
 * A PMD entry is found by a walk from the page directory in CR3: every page
 * directory of the kernel maps the vmalloc area alike. A PTE is found by
 * lookup_address(). A page-table page of the suite's own is filled with
 * plain stores while it is still ordinary memory, then registered with
 * paravirt_alloc_pte() (under Xen PV: made read-only and pinned, so that
 * the hypervisor validates its 512 entries in one go), linked with
 * set_pmd(), which Xen validates too, and released with
 * paravirt_release_pte() before it is freed.
 *
 * The TLB flush is the one every x86 part of the suite uses, the x86
 * module's too. flush_tlb_kernel_range() is not exported; in a Xen PV
 * domain, which is what it would do anyway, one extended MMU operation
 * flushes every vCPU (MMUEXT_INVLPG_ALL for a page, MMUEXT_TLB_FLUSH_ALL
 * for more), which kpte.c counts; elsewhere __flush_tlb_all() runs on
 * every CPU.
 */

#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/smp.h>

#include <asm/pgalloc.h>
#include <asm/processor.h>
#include <asm/tlbflush.h>
#include <asm/xen/hypercall.h>
#include <xen/interface/xen.h>
#include <xen/xen.h>

#include "kpte.h"

bool xp2m_kpte_arch_init(void)
{
	return true;
}

void xp2m_kpte_arch_exit(void)
{
}

pmd_t *xp2m_kpte_arch_pmd(unsigned long va)
{
	pgd_t *pgd = (pgd_t *)__va(read_cr3_pa()) + pgd_index(va);
	p4d_t *p4d;
	pud_t *pud;

	if (pgd_none(*pgd))
		return NULL;
	p4d = p4d_offset(pgd, va);
	if (p4d_none(*p4d))
		return NULL;
	pud = pud_offset(p4d, va);
	if (pud_none(*pud) || pud_large(*pud))
		return NULL;
	return pmd_offset(pud, va);
}

pte_t *xp2m_kpte_arch_pte(unsigned long va)
{
	unsigned int level;
	pte_t *pte = lookup_address(va, &level);

	return pte && level == PG_LEVEL_4K ? pte : NULL;
}

void xp2m_kpte_arch_link(pmd_t *pmd, void *table)
{
	set_pmd(pmd, __pmd(__pa(table) | _PAGE_TABLE));
}

/*
 * A plain store: under Xen PV, set_pte() is an mmu_update hypercall, which
 * Xen refuses on a page that is not a page table yet.
 */
void xp2m_kpte_arch_fill(pte_t *entry, pte_t pte)
{
	*entry = pte;
}

void xp2m_kpte_arch_register(void *table)
{
	/*
	 * Under Xen PV only the page directory of the mm is looked at, to
	 * tell whether the new table must be pinned: every mm in use is.
	 */
	paravirt_alloc_pte(current->active_mm, __pa(table) >> PAGE_SHIFT);
}

void xp2m_kpte_arch_release(void *table)
{
	paravirt_release_pte(__pa(table) >> PAGE_SHIFT);
}

static void xp2m_kpte_flush_this_cpu(void *unused)
{
	__flush_tlb_all();
}

/* One hypercall for every vCPU of a PV domain; false elsewhere. */
static bool xp2m_kpte_flush_pv(unsigned long start, unsigned long end)
{
	struct mmuext_op op = { };

	if (!IS_ENABLED(CONFIG_XEN_PV) || !xen_pv_domain())
		return false;
	if (end - start <= PAGE_SIZE) {
		op.cmd = MMUEXT_INVLPG_ALL;
		op.arg1.linear_addr = start;
	} else {
		op.cmd = MMUEXT_TLB_FLUSH_ALL;
	}
	WARN_ON_ONCE(HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF));
	return true;
}

unsigned int xp2m_kpte_arch_flush(unsigned long start, unsigned long end)
{
	if (xp2m_kpte_flush_pv(start, end))
		return 1;
	on_each_cpu(xp2m_kpte_flush_this_cpu, NULL, 1);
	return 0;
}

pgprot_t xp2m_kpte_arch_prot_ro(void)
{
	return PAGE_KERNEL_RO;
}

/*
 * The first frame past the CPU's physical address width: no memory is
 * there, so pfn_valid() refuses it as vmap_pfn() wants. In a PTE without
 * _PAGE_PRESENT (PAGE_NONE's), pfn_pte() stores a pfn inverted (the L1TF
 * mitigation, arch/x86/include/asm/pgtable-invert.h), and this one
 * inverted lies past the width too. Under Xen PV such a PTE is neither
 * translated (pte_pfn_to_mfn() in arch/x86/xen/mmu_pv.c) nor validated by
 * Xen.
 */
unsigned long xp2m_kpte_arch_absent_pfn(void)
{
	return PHYS_PFN(BIT_ULL(boot_cpu_data.x86_phys_bits));
}

/*
 * In a Xen PV domain a page-table page is read-only: Xen traps a plain
 * store into it and emulates the instruction, where set_pte() is one
 * mmu_update hypercall (the comment in __xen_set_pte(),
 * arch/x86/xen/mmu_pv.c, calls the hypercall much cheaper). make bench
 * measured the store at 1.2 to 2.1 times the hypercall, 1.46 in the
 * middle run of seven (Documentation/bench.rst): three halves. Elsewhere
 * both are a store.
 */
unsigned int xp2m_kpte_arch_store_cost(void)
{
	return IS_ENABLED(CONFIG_XEN_PV) && xen_pv_domain() ? 3 : 2;
}
