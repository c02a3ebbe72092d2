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

#include <linux/atomic.h>
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

/* The hypercalls xp2m_kpte_flush() took, since xp2m.ko was loaded. */
static atomic_long_t xp2m_kpte_flush_hcalls = ATOMIC_LONG_INIT(0);

/**
 * xp2m_kpte_flush() - make PTE changes visible on every CPU
 * @start: first address changed
 * @end: end of the range, exclusive
 *
 * The architecture's flush (kpte/<arch>.c); on x86 in a Xen PV domain, one
 * extended MMU operation of the hypervisor's for every vCPU, counted (see
 * xp2m_kpte_flush_hypercalls()).
 */
void xp2m_kpte_flush(unsigned long start, unsigned long end)
{
	atomic_long_add(xp2m_kpte_arch_flush(start, end),
			&xp2m_kpte_flush_hcalls);
}
EXPORT_SYMBOL_GPL(xp2m_kpte_flush);

/**
 * xp2m_kpte_flush_hypercalls() - hypercalls the suite's TLB flushes took
 *
 * Every flush of the suite's kernel mappings goes through xp2m_kpte_flush(),
 * whoever makes it: the core's for the linear views and for the page
 * tables it gives back, the m2p override's for its view, the backends' for
 * the pages they map. In a Xen PV domain each is one mmuext_op, counted
 * here whatever its outcome; elsewhere a flush takes none.
 *
 * Return: the count since xp2m.ko was loaded.
 */
unsigned long xp2m_kpte_flush_hypercalls(void)
{
	return atomic_long_read(&xp2m_kpte_flush_hcalls);
}
EXPORT_SYMBOL_GPL(xp2m_kpte_flush_hypercalls);

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
EXPORT_SYMBOL_GPL(xp2m_kpt_vunmap);

/* Words of a page: the entries of one page of an xp2m_kpt_repeat() array. */
#define XP2M_KPT_WORDS	(PAGE_SIZE / sizeof(unsigned long))

/**
 * xp2m_kpt_repeat() - an array of words all alike
 * @word: every entry's value
 * @nr: entries
 *
 * vm_map_ram() and vmap_pfn() want an entry per page of an area even when
 * every entry is the same: for a 16 TiB span of pfns 8.6 million of them,
 * 66 MiB. So the array is one page of @word, mapped read-only as often as
 * it takes (vmap(), with a page pointer per XP2M_KPT_WORDS entries).
 *
 * Return: the array, or NULL; free it with xp2m_kpt_unrepeat().
 */
void *xp2m_kpt_repeat(unsigned long word, unsigned long nr)
{
	unsigned long n = DIV_ROUND_UP(nr, XP2M_KPT_WORDS), i, *words;
	struct page *one, **ones;
	void *array = NULL;

	one = alloc_page(GFP_KERNEL);
	if (!one)
		return NULL;
	ones = kvmalloc_array(n, sizeof(*ones), GFP_KERNEL);
	if (ones) {
		words = page_address(one);
		for (i = 0; i < XP2M_KPT_WORDS; i++)
			words[i] = word;
		for (i = 0; i < n; i++)
			ones[i] = one;
		array = vmap(ones, n, VM_MAP, xp2m_kpte_prot(false));
		xp2m_kpt_kvfree(ones, n * sizeof(*ones));
	}
	if (!array)
		__free_page(one);
	return array;
}

/**
 * xp2m_kpt_unrepeat() - free an array of xp2m_kpt_repeat()
 * @array: the array
 * @nr: its entries
 *
 * The page tables of its mapping, which the kernel would keep, are given
 * back with it (xp2m_kpt_vunmap()).
 */
void xp2m_kpt_unrepeat(void *array, unsigned long nr)
{
	struct page *one = vmalloc_to_page(array);

	xp2m_kpt_vunmap(array, DIV_ROUND_UP(nr, XP2M_KPT_WORDS));
	__free_page(one);
}

/**
 * xp2m_kpt_reserve() - reserve an area of the vmalloc space, mapping nothing
 * @nr: its pages
 * @instead: how many PTEs the caller writes with set_pte() otherwise
 *
 * 6.1 exports no reservation of kernel addresses alone (get_vm_area() is
 * not exported). vmap_pfn() comes closest: it reserves an area as
 * ioremap() does, its start aligned to its size up to IOREMAP_MAX_ORDER (1
 * GiB on x86-64), and writes a PTE per page through apply_to_page_range().
 * Given the architecture's pfn without memory and PAGE_NONE, every PTE it
 * writes maps nothing: the MMU finds no present bit in it, while the
 * kernel's pte_present() holds (on x86 by _PAGE_PROTNONE), as vunmap()
 * wants of every PTE it clears. Undo with vunmap().
 *
 * vmap_pfn() writes its PTEs by plain stores (vmap_pfn_apply()), which
 * may cost more than set_pte()'s (xp2m_kpte_arch_store_cost()): it is
 * used only where its @nr cost no more than @instead written by set_pte().
 *
 * Return: the area; NULL when memory runs out, where it would cost more,
 * or where this kernel has no vmap_pfn() (CONFIG_VMAP_PFN) or the
 * architecture names no such pfn.
 */
void *xp2m_kpt_reserve(unsigned long nr, unsigned long instead)
{
	unsigned long pfn = xp2m_kpte_arch_absent_pfn();
	void *pfns, *area;

	if (!IS_ENABLED(CONFIG_VMAP_PFN) || !pfn || pfn_valid(pfn) ||
	    nr > UINT_MAX || nr * xp2m_kpte_arch_store_cost() > instead * 2)
		return NULL;
	pfns = xp2m_kpt_repeat(pfn, nr);
	if (!pfns)
		return NULL;
	area = vmap_pfn(pfns, nr, PAGE_NONE);
	xp2m_kpt_unrepeat(pfns, nr);
	return area;
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
