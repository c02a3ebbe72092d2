// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m core: the TLB flush of the kernel's page tables in User-mode Linux,
 * and its read-only protection (see kpte/init_mm.c for the rest).
 */

#include <linux/mm.h>

#include <asm/tlbflush.h>

#include "kpte.h"

/*
 * UML exports no flush of kernel addresses by name; its flush_tlb_range()
 * takes a VMA without an mm for them (arch/um/kernel/tlb.c).
 */
unsigned int xp2m_kpte_arch_flush(unsigned long start, unsigned long end)
{
	struct vm_area_struct vma = { .vm_mm = NULL };

	flush_tlb_range(&vma, start, end);
	return 0;
}

/*
 * UML has no PAGE_KERNEL_RO of its own, and include/linux/pgtable.h then
 * defines it as PAGE_KERNEL, writable: take the RW bit off by hand.
 */
pgprot_t xp2m_kpte_arch_prot_ro(void)
{
	return __pgprot(pgprot_val(PAGE_KERNEL) & ~_PAGE_RW);
}
