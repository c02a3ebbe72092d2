// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m_x86: the core's machine, in a Xen PV domain.
 *
 * Pages the core asks for are ordinary kernel pages: in a PV domain each is
 * backed by a machine frame of the domain, which the running kernel's p2m
 * names. A frame is "mapped" for a reader that knows only frame numbers by
 * going back through the M2P to the pfn, checking that the kernel's p2m
 * names the same frame for it (so the frame is the domain's own, not a
 * foreign or stale one), and using the kernel's direct mapping of that pfn.
 * The core never has the M2P written through this backend: it has no
 * set_m2p, and no domain-building operations. The reservation operations
 * (populate, release) are the hypercalls the balloon uses, each one batch
 * for a list;
 * they act only on pfns and frames the caller owns, as does kmap, which
 * keeps the kernel's linear mapping and p2m of those pages in step.
 *
 * The root of the address space in which a linear view is published is the
 * kernel's own: the p2m_cr3 the kernel published for its own linear p2m in
 * the real shared_info (its swapper page directory), read, never written.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/stddef.h>

#include <asm/e820/types.h>
#include <asm/fixmap.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>
#include <xen/interface/memory.h>
#include <xen/interface/xen.h>
#include <xen/mem-reservation.h>

#include <xp2m/backend.h>
#include <xp2m/entry.h>
#include <xp2m/kpte.h>
#include <xp2m/p2m.h>

#include "internal.h"

/*
 * Hypercalls issued since the module was loaded, by hypercall; but
 * mmuext_op, which only the suite's TLB flush issues (xp2m_kpte_flush()),
 * for this module and for the core alike: that one is counted there, and
 * x86_flushes_at_load is its count when this module was loaded.
 */
static atomic_long_t x86_hypercalls[XP2M_X86_NR_HCALLS];
static unsigned long x86_flushes_at_load;

/* The module issued @n hypercalls @call (or had the kernel issue them). */
void xp2m_x86_issued(enum xp2m_x86_hcall call, unsigned long n)
{
	atomic_long_add(n, &x86_hypercalls[call]);
}

/**
 * xp2m_x86_hypercalls() - hypercalls the module issued, of one kind
 * @call: which hypercall
 *
 * Every hypercall of the module is counted where it is issued, one per
 * call, whatever its outcome; so are those the kernel's helpers issue on
 * the module's behalf, and every TLB flush of the suite's own mappings,
 * the core's for the instances included (see &enum xp2m_x86_hcall). The
 * live instance's debugfs file "backend" shows every count; tests and
 * benchmarks take the difference over an operation.
 *
 * Return: the count since the module was loaded.
 */
unsigned long xp2m_x86_hypercalls(enum xp2m_x86_hcall call)
{
	if (call == XP2M_X86_MMUEXT_OP)
		return xp2m_kpte_flush_hypercalls() - x86_flushes_at_load;
	return call < XP2M_X86_NR_HCALLS ?
	       atomic_long_read(&x86_hypercalls[call]) : 0;
}
EXPORT_SYMBOL_GPL(xp2m_x86_hypercalls);

/**
 * xp2m_x86_hcall_name() - the name of a hypercall the module counts
 * @call: which hypercall
 *
 * Return: Xen's name for it, without the HYPERVISOR_ prefix
 * ("memory_op"...), or "?" for a value that is none.
 */
const char *xp2m_x86_hcall_name(enum xp2m_x86_hcall call)
{
	static const char * const names[XP2M_X86_NR_HCALLS] = {
		[XP2M_X86_MEMORY_OP] = "memory_op",
		[XP2M_X86_UPDATE_VA_MAPPING] = "update_va_mapping",
		[XP2M_X86_MMUEXT_OP] = "mmuext_op",
		[XP2M_X86_GRANT_TABLE_OP] = "grant_table_op",
		[XP2M_X86_MMU_UPDATE] = "mmu_update",
	};

	return call < XP2M_X86_NR_HCALLS ? names[call] : "?";
}
EXPORT_SYMBOL_GPL(xp2m_x86_hcall_name);

/**
 * xp2m_x86_m2p() - the M2P's entry for a machine frame
 * @mfn: the frame
 *
 * A read of Xen's read-only machine_to_phys_mapping that cannot fault:
 * frames past machine_to_phys_nr, and holes in the table, read as ~0.
 *
 * Return: the pfn the frame's owner gave it, or %XP2M_INVALID_ENTRY.
 */
unsigned long xp2m_x86_m2p(unsigned long mfn)
{
	unsigned long pfn;

	if (mfn >= machine_to_phys_nr ||
	    xen_safe_read_ulong(&machine_to_phys_mapping[mfn], &pfn))
		return XP2M_INVALID_ENTRY;
	return pfn;
}

/*
 * Pages handed out by x86_page_alloc() and not yet given back. They carry
 * a mark in page->private, so that pages of a boot list, which come back
 * through x86_page_free() too, are not counted.
 */
#define XP2M_X86_PAGE_MARK	0x78703270UL
static atomic_long_t x86_pages = ATOMIC_LONG_INIT(0);

static struct page *x86_page_alloc(struct xp2m_backend *be)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);

	if (page) {
		set_page_private(page, XP2M_X86_PAGE_MARK);
		atomic_long_inc(&x86_pages);
	}
	return page;
}

static void x86_page_free(struct xp2m_backend *be, struct page *page)
{
	if (page_private(page) == XP2M_X86_PAGE_MARK) {
		set_page_private(page, 0);
		atomic_long_dec(&x86_pages);
	}
	__free_page(page);
}

/**
 * xp2m_x86_backend_pages() - pages the core holds from this machine
 *
 * Leaves, mids and frame-list pages the core allocated through the backend
 * and has not freed (boot-list pages are not counted), all instances
 * together. With no instance left it is 0. Shown as "pages" in the live
 * instance's debugfs file "backend".
 *
 * Return: the count.
 */
long xp2m_x86_backend_pages(void)
{
	return atomic_long_read(&x86_pages);
}
EXPORT_SYMBOL_GPL(xp2m_x86_backend_pages);

/* The frame the kernel's p2m gives @pfn, if it is a frame of this domain. */
static unsigned long x86_own_frame(unsigned long pfn)
{
	unsigned long mfn = __pfn_to_mfn(pfn);

	if (xp2m_entry_type(mfn) != XP2M_TYPE_PFN)
		return XP2M_INVALID_ENTRY;
	return mfn;
}

static unsigned long x86_page_to_mfn(struct xp2m_backend *be,
				     struct page *page)
{
	return x86_own_frame(page_to_pfn(page));
}

static const void *x86_map_frame(struct xp2m_backend *be, unsigned long mfn)
{
	unsigned long pfn;

	if (mfn > be->max_mfn)
		return NULL;
	pfn = xp2m_x86_m2p(mfn);
	if (pfn == XP2M_INVALID_ENTRY || !pfn_valid(pfn) ||
	    x86_own_frame(pfn) != mfn)
		return NULL;
	return page_address(pfn_to_page(pfn));
}

static void x86_unmap_frame(struct xp2m_backend *be, const void *addr)
{
}

static unsigned long x86_m2p(struct xp2m_backend *be, unsigned long mfn)
{
	return xp2m_x86_m2p(mfn);
}

/*
 * The reservation hypercalls are the kernel's helpers for its balloon
 * driver (drivers/xen/mem-reservation.c): one XENMEM_populate_physmap or
 * XENMEM_decrease_reservation of page-sized extents for the domain itself,
 * one hypercall each, counted here. A batch is one page of frames at most
 * (XP2M_BALLOON_BATCH), well within their int count.
 */
static long x86_populate(struct xp2m_backend *be, const unsigned long *pfns,
			 unsigned long *mfns, unsigned long nr)
{
	long done;

	if (!nr)
		return 0;
	/* In: the pfns, for the M2P. Out: the frames. */
	memcpy(mfns, pfns, nr * sizeof(*mfns));
	xp2m_x86_issued(XP2M_X86_MEMORY_OP, 1);
	done = xenmem_reservation_increase(nr, mfns);
	if (done < 0)
		return done;
	memset(mfns + done, 0xff, (nr - done) * sizeof(*mfns));
	return done;
}

/*
 * The pages are not scrubbed here (xenmem_reservation_scrub_page()): a
 * frame Xen refuses stays its pfn's, content and all (see
 * xp2m_balloon_decrease()), and what the pages held is the caller's, who
 * gave them up.
 */
static long x86_release(struct xp2m_backend *be, const unsigned long *mfns,
			unsigned long nr)
{
	if (!nr)
		return 0;
	xp2m_x86_issued(XP2M_X86_MEMORY_OP, 1);
	/* Xen only reads the list; the helper takes it as it is. */
	return xenmem_reservation_decrease(nr, (xen_pfn_t *)mfns);
}

/*
 * The kernel's own view of pages the caller owns: their linear-map PTEs,
 * and its p2m. A frame is mapped with one update_va_mapping, as Linux's
 * balloon driver maps one (xenmem_reservation_va_mapping_update() in
 * drivers/xen/mem-reservation.c), but made here: that helper takes a
 * refusal by Xen for a kernel bug (BUG_ON), where a frame that is not ours
 * must stop the call with nothing changed for that page. The kernel's p2m
 * entry is the instance's (the instances borrow the kernel's leaves,
 * import.c), which the balloon has written before it maps a page
 * (xp2m_balloon_populate()); a caller that has not gets it recorded by the
 * helper, whose update_va_mapping, the same PTE again, Xen has just taken.
 * Unmapping does not use the helper's counterpart,
 * xenmem_reservation_va_mapping_reset(): it too takes a refusal for a bug,
 * and it clears the kernel's p2m entry, which the caller clears in its own
 * step, after the mapping, reading the frame it held (as
 * xp2m_balloon_decrease() does). So it clears the PTE only, with one
 * update_va_mapping. One flush follows (xp2m_kpte_flush(), the one every
 * part of the suite uses), over the span of the pages that were mapped
 * before: a PTE that was not present is in no TLB (x86 caches no
 * translation that faults), so mapping a ballooned page needs none, as
 * Linux's balloon driver flushes none when it maps its pages
 * (increase_reservation() in drivers/xen/balloon.c).
 */
static long x86_kmap(struct xp2m_backend *be, const unsigned long *pfns,
		     const unsigned long *mfns, unsigned long nr)
{
	unsigned long i, va, lo = ULONG_MAX, hi = 0;
	long err = 0;

	for (i = 0; i < nr; i++) {
		unsigned int level;
		struct page *page;
		pte_t pte, *old;
		xen_pfn_t frame;
		bool was;

		if (!pfn_valid(pfns[i])) {
			err = -EINVAL;
			break;
		}
		page = pfn_to_page(pfns[i]);
		va = (unsigned long)page_address(page);
		old = lookup_address(va, &level);
		was = old && pte_present(*old);
		frame = mfns ? mfns[i] : 0;
		pte = mfns ? mfn_pte(frame, PAGE_KERNEL) : __pte_ma(0);
		xp2m_x86_issued(XP2M_X86_UPDATE_VA_MAPPING, 1);
		err = HYPERVISOR_update_va_mapping(va, pte, 0);
		if (err)
			break;
		if (mfns && __pfn_to_mfn(pfns[i]) != frame) {
			/* The helper makes one update_va_mapping. */
			xp2m_x86_issued(XP2M_X86_UPDATE_VA_MAPPING, 1);
			xenmem_reservation_va_mapping_update(1, &page, &frame);
		}
		if (was) {
			lo = min(lo, va);
			hi = max(hi, va + PAGE_SIZE);
		}
		if (!(i % 32))
			cond_resched();
	}
	if (lo < hi)
		xp2m_kpte_flush(lo, hi);
	return i ?: err;
}

/*
 * The kernel's page-table root, as it published it for its own linear p2m:
 * read from the real shared_info, which a PV kernel keeps mapped at a fixed
 * address. Our linear views live in the vmalloc area, which every page
 * directory of the kernel maps alike.
 */
static unsigned long x86_pt_root(struct xp2m_backend *be)
{
	const struct shared_info *si =
		(const void *)fix_to_virt(FIX_PARAVIRT_BOOTMAP);

	return READ_ONCE(si->arch.p2m_cr3);
}

/*
 * A hole's leaf of the live instance, from the kernel's own allocator: the
 * instance borrows the kernel's leaves (import.c), so the leaf is the page
 * the kernel's list maps now. The probe on xen_alloc_p2m_entry() sees this
 * call as any other (follow.c).
 */
static unsigned long *x86_leaf_alloc(struct xp2m_backend *be,
				     unsigned long pfn)
{
	const unsigned long *words;
	enum xp2m_kv_kind kind;
	struct xp2m_kview kv;
	int err;

	err = xp2m_kv_init(&kv);
	if (err)
		return ERR_PTR(err);
	if (pfn >= kv.size)
		return ERR_PTR(-ERANGE);
	err = xen_alloc_p2m_entry(pfn);
	if (!err)
		err = xp2m_kv_gib(&kv, pfn / XP2M_MID_SPAN);
	if (!err)
		err = xp2m_kv_leaf(&kv, pfn & ~(XP2M_PER_PAGE - 1UL), &kind,
				   &words);
	if (!err && kind != XP2M_KV_WORDS)
		err = -EFAULT;
	return err ? ERR_PTR(err) : kv.leaf;
}

static const struct xp2m_backend_ops x86_ops = {
	.page_alloc = x86_page_alloc,
	.page_free = x86_page_free,
	.page_to_mfn = x86_page_to_mfn,
	.map_frame = x86_map_frame,
	.unmap_frame = x86_unmap_frame,
	.m2p = x86_m2p,
	/* Never write the M2P for frames the module does not own. */
	.set_m2p = NULL,
	.populate = x86_populate,
	.release = x86_release,
	.kmap = x86_kmap,
	/* The kernel's page tables are what a toolstack walks: no pt_map. */
	.pt_root = x86_pt_root,
	.leaf_alloc = x86_leaf_alloc,
};

static struct xp2m_backend x86_backend = {
	.ops = &x86_ops,
	.name = "xen-pv",
};

/**
 * xp2m_x86_backend() - the machine this PV domain runs on
 *
 * Return: the backend, valid once xp2m_x86 is loaded (which needs a Xen PV
 * domain), for the life of the module.
 */
struct xp2m_backend *xp2m_x86_backend(void)
{
	return &x86_backend;
}
EXPORT_SYMBOL_GPL(xp2m_x86_backend);

int xp2m_x86_backend_init(void)
{
	/* The core states the PV ABI itself; it must be the kernel's. */
	BUILD_BUG_ON(XP2M_INVALID_ENTRY != INVALID_P2M_ENTRY);
	BUILD_BUG_ON(XP2M_IDENTITY_BIT != IDENTITY_FRAME_BIT);
	BUILD_BUG_ON(XP2M_FOREIGN_BIT != FOREIGN_FRAME_BIT);
	BUILD_BUG_ON(XP2M_PER_PAGE != P2M_PER_PAGE);
	/* So does it the E820 types. */
	BUILD_BUG_ON(XP2M_E820_RAM != E820_TYPE_RAM);
	BUILD_BUG_ON(XP2M_E820_RESERVED != E820_TYPE_RESERVED);
	BUILD_BUG_ON(XP2M_E820_ACPI != E820_TYPE_ACPI);
	BUILD_BUG_ON(XP2M_E820_NVS != E820_TYPE_NVS);
	BUILD_BUG_ON(XP2M_E820_UNUSABLE != E820_TYPE_UNUSABLE);
	/* What the core publishes is arch_shared_info's layout. */
	BUILD_BUG_ON(offsetof(struct xp2m_shared_info, max_pfn) !=
		     offsetof(struct arch_shared_info, max_pfn));
	BUILD_BUG_ON(offsetof(struct xp2m_shared_info,
			      pfn_to_mfn_frame_list_list) !=
		     offsetof(struct arch_shared_info,
			      pfn_to_mfn_frame_list_list));
	BUILD_BUG_ON(offsetof(struct xp2m_shared_info, nmi_reason) !=
		     offsetof(struct arch_shared_info, nmi_reason));
	BUILD_BUG_ON(offsetof(struct xp2m_shared_info, p2m_cr3) !=
		     offsetof(struct arch_shared_info, p2m_cr3));
	BUILD_BUG_ON(offsetof(struct xp2m_shared_info, p2m_vaddr) !=
		     offsetof(struct arch_shared_info, p2m_vaddr));
	BUILD_BUG_ON(offsetof(struct xp2m_shared_info, p2m_generation) !=
		     offsetof(struct arch_shared_info, p2m_generation));

	x86_flushes_at_load = xp2m_kpte_flush_hypercalls();
	return xp2m_x86_backend_refresh();
}

/*
 * The machine's last frame, again: a restored or migrated domain may run on
 * a host with more or less memory.
 */
int xp2m_x86_backend_refresh(void)
{
	long max;

	/* Xen's max_page: one past the highest frame of RAM. */
	xp2m_x86_issued(XP2M_X86_MEMORY_OP, 1);
	max = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
	if (max <= 0) {
		pr_err("XENMEM_maximum_ram_page failed: %ld\n", max);
		return max ? (int)max : -ENODEV;
	}
	WRITE_ONCE(x86_backend.max_mfn, max - 1);
	return 0;
}
