/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xp2m core: the page tables of the suite's own kernel mappings, inside
 * xp2m.ko. kpte.c says what a PTE or a page-table page of a vmap()ed area
 * is and how it changes, on every architecture; each architecture's file
 * (kpte/x86.c; kpte/init_mm.c with kpte/um.c or kpte/generic.c elsewhere)
 * says how its kernel finds, writes, registers and flushes them.
 */
#ifndef _XP2M_KPTE_INTERNAL_H
#define _XP2M_KPTE_INTERNAL_H

#include <linux/pgtable.h>
#include <linux/types.h>

#include <xp2m/entry.h>
#include <xp2m/kpte.h>

struct page;

/*
 * Addresses one page-table page maps: XP2M_PER_PAGE pages wherever
 * xp2m_kpte_supported() is true.
 */
#define XP2M_KPT_SPAN		(PTRS_PER_PTE * PAGE_SIZE)

void xp2m_kpte_init(void);
void xp2m_kpte_exit(void);

/*
 * Page-table pages of the suite's own, for the linear p2m: filled while
 * they are ordinary memory, registered, linked under a PMD entry, changed
 * an entry at a time, unlinked, released. See kpte.c.
 */
void xp2m_kpt_fill(void *table, unsigned int i, struct page *page,
		   bool writable);
void xp2m_kpt_register(void *table);
void xp2m_kpt_set(void *table, unsigned int i, struct page *page,
		  bool writable);
int xp2m_kpt_swap(unsigned long va, void *table, void **old);
void xp2m_kpt_batch(bool on);
void xp2m_kpt_release(void *table);
/*
 * kvfree(), and the page tables of the vmalloc space it used given back
 * (xp2m_kpt_vunmap(), the same for vunmap(), is in include/xp2m/kpte.h).
 */
void xp2m_kpt_kvfree(void *addr, size_t size);
/*
 * An array of words all alike, at a page per 512 of them; an area of the
 * vmalloc space reserved without mapping anything. See kpte.c.
 */
void *xp2m_kpt_repeat(unsigned long word, unsigned long nr);
void xp2m_kpt_unrepeat(void *array, unsigned long nr);
void *xp2m_kpt_reserve(unsigned long nr, unsigned long instead);

/*
 * What kpte.c needs of the architecture (kpte/<arch>.c):
 * @xp2m_kpte_arch_init: find the kernel's page tables; false where this
 *	kernel gives no access to them
 * @xp2m_kpte_arch_exit: let go of what init took
 * @xp2m_kpte_arch_pmd: the PMD entry covering @va in the kernel's page
 *	tables, or NULL when no page directory covers it or a large page maps
 *	the level above
 * @xp2m_kpte_arch_pte: the 4 KiB PTE mapping @va, or NULL
 * @xp2m_kpte_arch_link: point @pmd at the page-table page @table
 * @xp2m_kpte_arch_fill: write @pte into a page-table page not registered
 *	yet
 * @xp2m_kpte_arch_register: make a filled page a page-table page of the
 *	kernel (under Xen PV: pinned read-only); _release: undo it
 * @xp2m_kpte_arch_flush: flush [@start, @end) from every CPU's TLB;
 *	returns the hypercalls that took (one in a Xen PV domain), 0 where
 *	the flush is the CPUs' own
 * @xp2m_kpte_arch_prot_ro: the protection of read-only kernel data
 * @xp2m_kpte_arch_absent_pfn: a pfn without memory for PTEs that map
 *	nothing (xp2m_kpt_reserve()), or 0 where the architecture names none
 * @xp2m_kpte_arch_store_cost: what a PTE written by a plain store into a
 *	page-table page of the kernel costs, in halves of a PTE written by
 *	set_pte()
 */
bool xp2m_kpte_arch_init(void);
void xp2m_kpte_arch_exit(void);
pmd_t *xp2m_kpte_arch_pmd(unsigned long va);
pte_t *xp2m_kpte_arch_pte(unsigned long va);
void xp2m_kpte_arch_link(pmd_t *pmd, void *table);
void xp2m_kpte_arch_fill(pte_t *entry, pte_t pte);
void xp2m_kpte_arch_register(void *table);
void xp2m_kpte_arch_release(void *table);
unsigned int xp2m_kpte_arch_flush(unsigned long start, unsigned long end);
pgprot_t xp2m_kpte_arch_prot_ro(void);
unsigned long xp2m_kpte_arch_absent_pfn(void);
unsigned int xp2m_kpte_arch_store_cost(void);

#endif /* _XP2M_KPTE_INTERNAL_H */
