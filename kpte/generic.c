// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m core: the TLB flush and read-only protection of the kernel's page
 * tables on an architecture with nothing of its own here (arm64 among them;
 * see kpte/init_mm.c for the rest).
 */

#include <linux/mm.h>

#include <asm/tlbflush.h>

#include "kpte.h"

unsigned int xp2m_kpte_arch_flush(unsigned long start, unsigned long end)
{
	flush_tlb_kernel_range(start, end);
	return 0;
}

pgprot_t xp2m_kpte_arch_prot_ro(void)
{
	return PAGE_KERNEL_RO;
}
