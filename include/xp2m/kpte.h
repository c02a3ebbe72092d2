/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xp2m: change the page tables of a kernel mapping made with vmap(), a PTE
 * or a page-table page at a time. See kpte/kpte.c for how, and where it is
 * available.
 */
#ifndef _XP2M_KPTE_H
#define _XP2M_KPTE_H

#include <linux/pgtable.h>
#include <linux/types.h>

struct page;

bool xp2m_kpte_supported(void);
pgprot_t xp2m_kpte_prot(bool writable);
int xp2m_kpte_set(unsigned long va, struct page *page, bool writable);
int xp2m_kpte_writable(unsigned long va);
void xp2m_kpte_flush(unsigned long start, unsigned long end);
unsigned long xp2m_kpte_flush_hypercalls(void);
void xp2m_kpt_vunmap(void *addr, unsigned long nr);

#endif /* _XP2M_KPTE_H */
