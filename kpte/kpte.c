// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m core: the page tables of the suite's own kernel mappings.
 *
 * The linear p2m and the VLPT are virtually contiguous areas over pages that
 * change: a hole's shared page gives way to a page of its own. 6.1 exports
 * no call that replaces one page of a vmalloc area, so this does it at the
 * page-table level, in two sizes:
 *
 *  - one PTE (xp2m_kpte_set());
 *  - one page-table page (xp2m_kpt_*()): a whole PMD entry, XP2M_PER_PAGE
 *    pages of addresses, pointed at a page of PTEs the suite filled itself.
 *    The linear p2m maps every all-missing GiB of pfns through one shared
 *    read-only PTE page, as Linux maps its own list's (p2m_missing_pte in
 *    arch/x86/xen/p2m.c, installed with set_pmd()).
 *
 * This file is the same on every architecture. How the kernel's page
 * tables are found, written, registered and flushed is each architecture's
 * (kpte.h): kpte/x86.c, and kpte/init_mm.c with kpte/um.c or
 * kpte/generic.c elsewhere.
 */

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pgtable.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "kpte.h"

static bool xp2m_kpte_found;

void xp2m_kpte_init(void)
{
	xp2m_kpte_found = xp2m_kpte_arch_init();
}

void xp2m_kpte_exit(void)
{
	xp2m_kpte_arch_exit();
}

/**
 * xp2m_kpte_supported() - can this kernel's mappings be changed a PTE, and
 * a page-table page, at a time
 *
 * Return: true on x86, and elsewhere when the kernel exports init_mm; false
 * where a page-table page does not hold XP2M_PER_PAGE PTEs.
 */
bool xp2m_kpte_supported(void)
{
	if (PTRS_PER_PTE != XP2M_PER_PAGE || PAGE_SIZE != XP2M_PER_PAGE * 8)
		return false;
	return xp2m_kpte_found;
}
EXPORT_SYMBOL_GPL(xp2m_kpte_supported);

/**
 * xp2m_kpte_prot() - the protection of kernel data, read-write or read-only
 * @writable: read-write, else read-only
 *
 * Return: the protection, for vmap() or mk_pte().
 */
pgprot_t xp2m_kpte_prot(bool writable)
{
	return writable ? PAGE_KERNEL : xp2m_kpte_arch_prot_ro();
}
EXPORT_SYMBOL_GPL(xp2m_kpte_prot);

/* A PTE mapping @page as kernel data, with xp2m_kpte_prot()'s protection. */
static pte_t xp2m_kpte_mk(struct page *page, bool writable)
{
	return mk_pte(page, xp2m_kpte_prot(writable));
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
	pte = xp2m_kpte_arch_pte(va);
	if (!pte || pte_none(*pte))
		return -EFAULT;
	set_pte(pte, xp2m_kpte_mk(page, writable));
	return 0;
}
EXPORT_SYMBOL_GPL(xp2m_kpte_set);

/**
 * xp2m_kpte_writable() - is an address of a kernel mapping writable
 * @va: the address
 *
 * The core's debugfs view "shared_info" counts the linear view's writable
 * slots with it.
 *
 * Return: 1 if its PTE maps it read-write, 0 if read-only, -EFAULT if no
 * 4 KiB PTE maps it, -EOPNOTSUPP as for xp2m_kpte_set().
 */
int xp2m_kpte_writable(unsigned long va)
{
	pte_t *pte;

	if (!xp2m_kpte_supported())
		return -EOPNOTSUPP;
	pte = xp2m_kpte_arch_pte(va);
	if (!pte || !pte_present(*pte))
		return -EFAULT;
	return pte_write(*pte) ? 1 : 0;
}
EXPORT_SYMBOL_GPL(xp2m_kpte_writable);

/**
 * xp2m_kpte_flush() - make PTE changes visible on every CPU
 * @start: first address changed
 * @end: end of the range, exclusive
 *
 * The architecture's flush (kpte/<arch>.c); on x86 in a Xen PV domain, one
 * extended MMU operation of the hypervisor's for every vCPU.
 */
void xp2m_kpte_flush(unsigned long start, unsigned long end)
{
	xp2m_kpte_arch_flush(start, end);
}
EXPORT_SYMBOL_GPL(xp2m_kpte_flush);

/**
 * xp2m_kpt_fill() - write entry @i of a page-table page not yet registered
 * @table: a zeroed page of ordinary kernel memory
 * @i: the entry, below XP2M_PER_PAGE
 * @page: the page it maps
 * @writable: read-write, else read-only
 */
void xp2m_kpt_fill(void *table, unsigned int i, struct page *page,
		   bool writable)
{
	xp2m_kpte_arch_fill((pte_t *)table + i, xp2m_kpte_mk(page, writable));
}

/**
 * xp2m_kpt_register() - make a filled page a page-table page of the kernel
 * @table: filled with xp2m_kpt_fill()
 *
 * Undo with xp2m_kpt_release() before the page is freed.
 */
void xp2m_kpt_register(void *table)
{
	xp2m_kpte_arch_register(table);
}

/**
 * xp2m_kpt_set() - change entry @i of a registered page-table page
 * @table: the page-table page
 * @i: the entry
 * @page: the page it maps now
 * @writable: read-write, else read-only
 *
 * Flush with xp2m_kpte_flush() before relying on it from another CPU.
 */
void xp2m_kpt_set(void *table, unsigned int i, struct page *page,
		  bool writable)
{
	set_pte((pte_t *)table + i, xp2m_kpte_mk(page, writable));
}

/**
 * xp2m_kpt_swap() - point the PMD entry of an address at a page-table page
 * @va: an address of an area the caller vmap()ed, XP2M_PER_PAGE pages
 *	aligned; the entry covers [@va, @va + XP2M_PER_PAGE pages), which must
 *	lie wholly inside that area
 * @table: a registered page-table page, or NULL to clear the entry
 * @old: set to the page-table page the entry pointed at, or NULL
 *
 * The caller flushes with xp2m_kpte_flush() before freeing @old or relying
 * on the new mapping from another CPU.
 *
 * Return: 0; -EOPNOTSUPP as for xp2m_kpte_set(); -EFAULT when no page
 * directory covers @va, or a large page maps it.
 */
int xp2m_kpt_swap(unsigned long va, void *table, void **old)
{
	pmd_t *pmd;

	if (!xp2m_kpte_supported())
		return -EOPNOTSUPP;
	pmd = xp2m_kpte_arch_pmd(va);
	if (!pmd || (pmd_present(*pmd) && pmd_leaf(*pmd)))
		return -EFAULT;
	*old = pmd_present(*pmd) ? (void *)pmd_page_vaddr(*pmd) : NULL;
	if (table)
		xp2m_kpte_arch_link(pmd, table);
	else
		pmd_clear(pmd);
	return 0;
}

/**
 * xp2m_kpt_batch() - batch the page-table updates that follow, or stop
 * @on: begin a batch, else issue what was batched
 *
 * Under Xen PV the kernel's lazy MMU mode queues PMD and PTE updates and
 * page-table registrations into multicalls instead of a hypercall each;
 * elsewhere it does nothing. Issue the batch before relying on the updates
 * (a TLB flush, freeing a page-table page).
 */
void xp2m_kpt_batch(bool on)
{
	if (on)
		arch_enter_lazy_mmu_mode();
	else
		arch_leave_lazy_mmu_mode();
}

/* Page-table pages xp2m_kpt_give_back() unlinks before one flush. */
#define XP2M_KPT_GIVE_BACK_BATCH	16

/*
 * The kernel never frees a page-table page of its vmalloc space: vfree()
 * and vunmap() clear the PTEs and keep the pages, one per XP2M_KPT_SPAN of
 * the area, for good. Unlink each one that maps nothing but [@start, @end)
 * of an area the caller is about to free, flush every TLB, release and
 * free it; vfree() and vunmap() then skip the empty PMD entries (where a
 * large page maps a stretch, there is no such page to give back).
 */
static void xp2m_kpt_give_back(unsigned long start, unsigned long end)
{
	void *old[XP2M_KPT_GIVE_BACK_BATCH];
	unsigned long va, first;
	unsigned int n, i;

	end = ALIGN_DOWN(end, XP2M_KPT_SPAN);
	for (va = ALIGN(start, XP2M_KPT_SPAN); va < end;) {
		first = va;
		xp2m_kpt_batch(true);
		for (n = 0; n < ARRAY_SIZE(old) && va < end;
		     va += XP2M_KPT_SPAN)
			if (!xp2m_kpt_swap(va, NULL, &old[n]) && old[n])
				n++;
		xp2m_kpt_batch(false);
		xp2m_kpte_flush(first, va);
		xp2m_kpt_batch(true);
		for (i = 0; i < n; i++)
			xp2m_kpt_release(old[i]);
		xp2m_kpt_batch(false);
		for (i = 0; i < n; i++)
			free_page((unsigned long)old[i]);
	}
}

/**
 * xp2m_kpt_kvfree() - kvfree(), and the page tables vmalloc made given back
 * @addr: memory kvmalloc() gave, or NULL
 * @size: its size
 *
 * A large temporary array from vmalloc would otherwise cost a page-table
 * page per 2 MiB for as long as the kernel runs (xp2m_kpt_give_back()).
 * Memory from kmalloc(), or on a kernel whose page tables cannot be
 * reached, goes to kvfree() alone.
 */
void xp2m_kpt_kvfree(void *addr, size_t size)
{
	if (is_vmalloc_addr(addr) && xp2m_kpte_supported())
		xp2m_kpt_give_back((unsigned long)addr,
				   (unsigned long)addr + PAGE_ALIGN(size));
	kvfree(addr);
}

/**
 * xp2m_kpt_vunmap() - vunmap(), and the page tables vmap made given back
 * @addr: what vmap() returned
 * @nr: the pages it mapped
 *
 * As xp2m_kpt_kvfree(), for an area of vmap().
 */
void xp2m_kpt_vunmap(void *addr, unsigned long nr)
{
	if (xp2m_kpte_supported())
		xp2m_kpt_give_back((unsigned long)addr,
				   (unsigned long)addr + nr * PAGE_SIZE);
	vunmap(addr);
}

/**
 * xp2m_kpt_release() - make a page-table page ordinary memory again
 * @table: a page-table page no entry points at any more, registered by
 *	xp2m_kpt_register() or made by the kernel (a vmap()'s)
 *
 * The caller flushed every TLB since the last entry stopped pointing at it,
 * and frees the page afterwards.
 */
void xp2m_kpt_release(void *table)
{
	xp2m_kpte_arch_release(table);
}
