// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m core: the TLB flush and read-only protection of the kernel's page
 * tables on an architecture with nothing of its own here (arm64 among them;
 * see kpte/init_mm.c for the rest).
 */

#include <linux/mm.h>

#include <asm/tlbflush.h>

#include "kpte.h"

/*
 * Every entry, walk caches included. The core swaps PMD entries (a GiB's
 * table, a stretch of the area given back) as well as PTEs, and
 * flush_tlb_kernel_range() need not drop a cached pointer to a page table
 * that is no longer linked: on arm64 it invalidates the last level only
 * for a short range, where Linux itself uses __flush_tlb_kernel_pgtable()
 * after changing a table entry (arch/arm64/include/asm/tlbflush.h). This
 * file serves kernels that export init_mm (see kpte/init_mm.c), with no
 * figure measured on them: a flush of everything is what is known right.
 */
unsigned int xp2m_kpte_arch_flush(unsigned long start, unsigned long end)
{
	flush_tlb_all();
	return 0;
}

pgprot_t xp2m_kpte_arch_prot_ro(void)
{
	return PAGE_KERNEL_RO;
}
