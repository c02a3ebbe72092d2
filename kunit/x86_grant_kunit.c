// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of grant mappings over an instance's pages (xp2m_x86 with
 * the m2p override): of a ballooned page and over a frame, twice, with the
 * entry changed underneath, and allocation failures. Run in a Xen PV dom0;
 * the override itself is m2p_kunit.c's, on the simulated machine.
 */

#include <kunit/test.h>
#include <linux/mm.h>

#include <asm/xen/page.h>
#include <xen/balloon.h>
#include <xen/grant_table.h>
#include <xen/xen.h>

#include <xp2m/x86.h>

#include "x86_fixture.h"

/*
 * The m2p override against the real hypervisor: a page of ours granted to
 * ourselves, mapped with the grant-table hypercall at the linear address of
 * another page of ours (@ballooned: one the balloon gave us, with no frame
 * and no mapping; else one with a frame of its own and its PTE), through
 * xp2m_x86_grant_map(). The granted content shows at that address, the
 * instance's entry is foreign, the granted frame's own pfn is marked too
 * (the frame is also local), and mfn_to_pfn() answers through the
 * override. The instance's leaves are the kernel's, so the kernel's p2m
 * says the same: pfn_to_mfn() of the page gives the granted frame, as
 * after the kernel's own set_foreign_p2m_mapping(). Unmapping restores the
 * PTE, the page's content, and both entries, everywhere.
 */
static void t_grant(struct kunit *test, bool ballooned)
{
	struct xp2m_backend *be = xp2m_x86_backend();
	struct xp2m_x86 *x;
	struct xp2m_x86_report *rep;
	unsigned long lmfn, lpfn, tpfn, torig, tmfn = 0;
	struct page *local, *target, *other;
	grant_handle_t handle, h2;
	u64 kmap, mapped;
	void *tva;
	int ref;

	if (!xen_initial_domain())
		kunit_skip(test, "granting to itself needs the domain id: dom0 only");
	local = alloc_page(GFP_KERNEL);
	other = alloc_page(GFP_KERNEL);
	if (ballooned) {
		KUNIT_ASSERT_EQ(test, xen_alloc_ballooned_pages(1, &target), 0);
	} else {
		target = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, target);
		tmfn = pfn_to_mfn(page_to_pfn(target));
		memset(page_address(target), 0x5a, PAGE_SIZE);
	}
	KUNIT_ASSERT_TRUE(test, local && other);
	memset(page_address(local), 0xc3, PAGE_SIZE);
	/* Imported after the balloon took the page's frame. */
	x = t_import(test, 0);
	t_expect_clean(test, t_verify(test, x, 4));
	lpfn = page_to_pfn(local);
	lmfn = pfn_to_mfn(lpfn);
	tpfn = page_to_pfn(target);
	tva = page_address(target);
	torig = xp2m_lookup(x->p2m, tpfn);
	kmap = t_kmap_pte(target);
	if (ballooned) {
		KUNIT_EXPECT_EQ(test, torig, XP2M_INVALID_ENTRY);
		KUNIT_EXPECT_EQ(test, kmap, 0ULL);
	} else {
		KUNIT_EXPECT_EQ(test, torig, tmfn);
		KUNIT_EXPECT_EQ(test, (kmap & PTE_PFN_MASK) >> PAGE_SHIFT,
				(u64)tmfn);
		KUNIT_EXPECT_TRUE(test, kmap & _PAGE_PRESENT);
	}

	ref = gnttab_grant_foreign_access(0, lmfn, 0);
	KUNIT_ASSERT_GE_MSG(test, ref, 0, "grant: %d", ref);
	KUNIT_ASSERT_EQ(test, xp2m_x86_grant_map(&x->m2p, target, 0, ref,
						 &handle), 0);

	/* Xen wrote the PTE: it maps the granted frame, whose bytes show. */
	mapped = t_kmap_pte(target);
	KUNIT_EXPECT_EQ(test, (mapped & PTE_PFN_MASK) >> PAGE_SHIFT, (u64)lmfn);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(tva, 0xc3, PAGE_SIZE), NULL);
	/* Both ways: a write through the mapping lands in the granted page. */
	((u8 *)tva)[7] = 0x3c;
	KUNIT_EXPECT_EQ(test, ((u8 *)page_address(local))[7], 0x3c);
	((u8 *)tva)[7] = 0xc3;

	KUNIT_EXPECT_EQ(test, xp2m_lookup(x->p2m, tpfn),
			XP2M_FOREIGN_FRAME(lmfn));
	KUNIT_EXPECT_EQ(test, xp2m_lookup(x->p2m, lpfn),
			XP2M_FOREIGN_FRAME(lmfn));
	KUNIT_EXPECT_EQ(test, xp2m_mfn_to_pfn(&x->m2p, lmfn), tpfn);
	KUNIT_EXPECT_PTR_EQ(test, xp2m_m2p_find_page(&x->m2p, lmfn), target);
	/* The M2P still names the granted page's own pfn. */
	KUNIT_EXPECT_EQ(test, be->ops->m2p(be, lmfn), lpfn);

	/* One set of leaves: the kernel's p2m says so too. */
	KUNIT_EXPECT_EQ(test, get_phys_to_machine(tpfn),
			XP2M_FOREIGN_FRAME(lmfn));
	KUNIT_EXPECT_EQ(test, get_phys_to_machine(lpfn),
			XP2M_FOREIGN_FRAME(lmfn));
	KUNIT_EXPECT_EQ(test, pfn_to_mfn(tpfn), lmfn);
	rep = t_verify(test, x, 4);
	t_expect_clean(test, rep);
	KUNIT_EXPECT_EQ(test, rep->ours[XP2M_TYPE_FOREIGN], 2UL);
	KUNIT_EXPECT_EQ(test, rep->kernel[XP2M_TYPE_FOREIGN], 2UL);

	/* Bad input changes nothing. */
	KUNIT_EXPECT_EQ(test, xp2m_x86_grant_map(&x->m2p, target, 0, ref, &h2),
			-EEXIST);
	KUNIT_EXPECT_EQ(test, t_kmap_pte(target), mapped);
	KUNIT_EXPECT_EQ(test, xp2m_x86_grant_unmap(&x->m2p, other, handle),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, xp2m_x86_grant_unmap(&x->m2p, target,
						   handle + 1000), -EINVAL);
	KUNIT_EXPECT_EQ(test, t_kmap_pte(target), mapped);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(x->p2m, tpfn),
			XP2M_FOREIGN_FRAME(lmfn));

	KUNIT_EXPECT_EQ(test, xp2m_x86_grant_unmap(&x->m2p, target, handle), 0);
	KUNIT_EXPECT_EQ(test, t_kmap_pte(target), kmap);
	if (!ballooned)
		KUNIT_EXPECT_PTR_EQ(test, memchr_inv(tva, 0x5a, PAGE_SIZE), NULL);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(x->p2m, tpfn), torig);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(x->p2m, lpfn), lmfn);
	KUNIT_EXPECT_EQ(test, get_phys_to_machine(tpfn), torig);
	KUNIT_EXPECT_EQ(test, get_phys_to_machine(lpfn), lmfn);
	KUNIT_EXPECT_EQ(test, xp2m_mfn_to_pfn(&x->m2p, lmfn), lpfn);
	KUNIT_EXPECT_PTR_EQ(test, xp2m_m2p_find_page(&x->m2p, lmfn), NULL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&x->m2p.count), 0L);
	t_expect_clean(test, t_verify(test, x, 4));

	/* Nothing maps the grant any more: access ends at once. */
	KUNIT_EXPECT_TRUE(test, gnttab_try_end_foreign_access(ref));
	__free_page(local);
	__free_page(other);
	if (ballooned)
		xen_free_ballooned_pages(1, &target);
	else
		__free_page(target);
}

static void live_grant_ballooned(struct kunit *test)
{
	t_grant(test, true);
}

static void live_grant_over_frame(struct kunit *test)
{
	t_grant(test, false);
}

/* A page of ours, filled with @byte, granted to ourselves. */
static struct page *t_granted(struct kunit *test, u8 byte, int *ref)
{
	struct page *page = alloc_page(GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, page);
	memset(page_address(page), byte, PAGE_SIZE);
	*ref = gnttab_grant_foreign_access(0, pfn_to_mfn(page_to_pfn(page)), 0);
	if (*ref < 0)
		__free_page(page);
	KUNIT_ASSERT_GE_MSG(test, *ref, 0, "grant: %d", *ref);
	return page;
}

/*
 * For a case of grants in dom0: an instance imported now, and a page of
 * ours with a frame, filled with 0x5a, to map grants over; its linear-map
 * PTE goes to *@kmap.
 */
static struct page *t_grant_target(struct kunit *test, struct xp2m_x86 **x,
				   u64 *kmap)
{
	struct page *target;

	if (!xen_initial_domain())
		kunit_skip(test, "granting to itself needs the domain id: dom0 only");
	*x = t_import(test, 0);
	target = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, target);
	memset(page_address(target), 0x5a, PAGE_SIZE);
	*kmap = t_kmap_pte(target);
	return target;
}

/*
 * A second grant mapping over a page that has one is refused before Xen is
 * asked anything: Xen would replace the live grant PTE (a release build
 * drops the first grant's page reference, a debug build crashes the
 * domain), and putting the old PTE back is refused for a frame of another
 * domain, so the first mapping could never be unmapped. Refused with not
 * one hypercall issued, the first mapping is intact (its bytes show at the
 * page's address), the second grant was never used, and the first unmaps
 * with one unmap and one PTE written back, the page as it was.
 */
static void live_grant_twice(struct kunit *test)
{
	unsigned long before[XP2M_X86_NR_HCALLS], after[XP2M_X86_NR_HCALLS];
	struct page *first, *second, *target;
	grant_handle_t handle, h2;
	int ref1, ref2;
	struct xp2m_x86 *x;
	u64 kmap, mapped;
	unsigned int i;

	target = t_grant_target(test, &x, &kmap);
	first = t_granted(test, 0xa1, &ref1);
	second = t_granted(test, 0xb2, &ref2);
	KUNIT_ASSERT_EQ(test, xp2m_x86_grant_map(&x->m2p, target, 0, ref1,
						 &handle), 0);
	mapped = t_kmap_pte(target);
	KUNIT_EXPECT_NE(test, mapped, kmap);

	t_hypercalls(before);
	KUNIT_EXPECT_EQ(test, xp2m_x86_grant_map(&x->m2p, target, 0, ref2, &h2),
			-EEXIST);
	t_hypercalls(after);
	for (i = 0; i < XP2M_X86_NR_HCALLS; i++)
		KUNIT_EXPECT_EQ_MSG(test, after[i], before[i],
				    "hypercall %u issued for a refused mapping", i);
	KUNIT_EXPECT_EQ(test, t_kmap_pte(target), mapped);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(page_address(target), 0xa1,
					     PAGE_SIZE), NULL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&x->m2p.count), 1L);
	KUNIT_EXPECT_TRUE(test, gnttab_try_end_foreign_access(ref2));

	t_hypercalls(before);
	KUNIT_EXPECT_EQ(test, xp2m_x86_grant_unmap(&x->m2p, target, handle), 0);
	t_hypercalls(after);
	KUNIT_EXPECT_EQ(test, after[XP2M_X86_GRANT_TABLE_OP] -
			before[XP2M_X86_GRANT_TABLE_OP], 1UL);
	KUNIT_EXPECT_EQ(test, after[XP2M_X86_UPDATE_VA_MAPPING] -
			before[XP2M_X86_UPDATE_VA_MAPPING], 1UL);
	KUNIT_EXPECT_EQ(test, t_kmap_pte(target), kmap);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(page_address(target), 0x5a,
					     PAGE_SIZE), NULL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&x->m2p.count), 0L);
	/* Nothing maps the first grant any more either. */
	KUNIT_ASSERT_TRUE(test, gnttab_try_end_foreign_access(ref1));
	__free_page(first);
	__free_page(second);
	__free_page(target);
}

/* Hypercalls of each kind between @before and @after, as @want says. */
static void t_expect_hypercalls(struct kunit *test, const unsigned long *before,
				const unsigned long *after,
				const unsigned long *want)
{
	unsigned int i;

	for (i = 0; i < XP2M_X86_NR_HCALLS; i++)
		KUNIT_EXPECT_EQ_MSG(test, after[i] - before[i], want[i], "%s",
				    xp2m_x86_hcall_name(i));
}

/*
 * Every TLB flush made for a grant mapping is counted, the core's too. On
 * an instance without overrides, the first mapping gives its frame's slot
 * of the override table's view a leaf of its own: the view's PTE changes,
 * one flush (m2p/override.c); the grant replaces the page's PTE, one more.
 * Unmapping gives the leaf back, its slot the shared page again: one
 * flush; the page's old PTE is written back by an update_va_mapping that
 * flushes itself.
 */
static void live_grant_flushes(struct kunit *test)
{
	unsigned long before[XP2M_X86_NR_HCALLS], after[XP2M_X86_NR_HCALLS];
	const unsigned long map[XP2M_X86_NR_HCALLS] = {
		[XP2M_X86_MMUEXT_OP] = 2,
		[XP2M_X86_GRANT_TABLE_OP] = 1,
	};
	const unsigned long unmap[XP2M_X86_NR_HCALLS] = {
		[XP2M_X86_MMUEXT_OP] = 1,
		[XP2M_X86_GRANT_TABLE_OP] = 1,
		[XP2M_X86_UPDATE_VA_MAPPING] = 1,
	};
	struct page *local, *target;
	grant_handle_t handle;
	struct xp2m_x86 *x;
	u64 kmap;
	int ref;

	target = t_grant_target(test, &x, &kmap);
	if (!x->m2p.view) {
		__free_page(target);
		kunit_skip(test, "the override table has no view here: no leaf of it is mapped");
	}
	KUNIT_ASSERT_EQ(test, x->m2p.leaves, 0UL);
	local = t_granted(test, 0xc3, &ref);

	t_hypercalls(before);
	KUNIT_ASSERT_EQ(test, xp2m_x86_grant_map(&x->m2p, target, 0, ref,
						 &handle), 0);
	t_hypercalls(after);
	KUNIT_EXPECT_EQ(test, x->m2p.leaves, 1UL);
	t_expect_hypercalls(test, before, after, map);

	t_hypercalls(before);
	KUNIT_EXPECT_EQ(test, xp2m_x86_grant_unmap(&x->m2p, target, handle), 0);
	t_hypercalls(after);
	KUNIT_EXPECT_EQ(test, x->m2p.leaves, 0UL);
	t_expect_hypercalls(test, before, after, unmap);
	KUNIT_EXPECT_EQ(test, t_kmap_pte(target), kmap);

	KUNIT_ASSERT_TRUE(test, gnttab_try_end_foreign_access(ref));
	__free_page(local);
	__free_page(target);
}

/*
 * The instance's entry of a granted page is rewritten by someone else while
 * the grant is mapped (here by hand; in a kernel, a balloon or another
 * caller of the p2m). Unmapping still unmaps the grant and writes the old
 * PTE back, and the override goes with the mapping, nothing of it left to
 * leak; the entry, which is not the override's any more, stays as it was
 * written.
 */
static void live_grant_entry_changed(struct kunit *test)
{
	struct page *local, *target;
	unsigned long tpfn, entry;
	grant_handle_t handle;
	struct xp2m_x86 *x;
	u64 kmap;
	int ref;

	target = t_grant_target(test, &x, &kmap);
	tpfn = page_to_pfn(target);
	entry = xp2m_lookup(x->p2m, tpfn);
	local = t_granted(test, 0xc3, &ref);
	KUNIT_ASSERT_EQ(test, xp2m_x86_grant_map(&x->m2p, target, 0, ref,
						 &handle), 0);
	KUNIT_ASSERT_EQ(test, xp2m_set(x->p2m, tpfn, XP2M_INVALID_ENTRY), 0);

	KUNIT_EXPECT_EQ(test, xp2m_x86_grant_unmap(&x->m2p, target, handle), 0);
	KUNIT_EXPECT_EQ(test, t_kmap_pte(target), kmap);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(page_address(target), 0x5a,
					     PAGE_SIZE), NULL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&x->m2p.count), 0L);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_get(&x->m2p, tpfn, NULL, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(x->p2m, tpfn), XP2M_INVALID_ENTRY);
	/* The granted frame's own pfn has its frame back. */
	KUNIT_EXPECT_EQ(test, xp2m_lookup(x->p2m, page_to_pfn(local)),
			pfn_to_mfn(page_to_pfn(local)));
	KUNIT_ASSERT_TRUE(test, gnttab_try_end_foreign_access(ref));
	__free_page(local);
	/*
	 * The entry written is the kernel's too (zero copy): the page goes
	 * back to the allocator with its frame named again, or the kernel's
	 * balloon would later give Xen a frame it does not have.
	 */
	KUNIT_EXPECT_EQ(test, xp2m_set(x->p2m, tpfn, entry), 0);
	KUNIT_EXPECT_EQ(test, get_phys_to_machine(tpfn), entry);
	__free_page(target);
}

/*
 * Every allocation of a grant mapping failed in turn (xp2m_fault_sweep()):
 * the claim's (before Xen is asked) and the commit's (after the grant is
 * mapped, which is then unmapped and the PTE put back). A failure must
 * give -ENOMEM with the page's PTE, content and entry as they were and no
 * override; a mapping that went through is unmapped again.
 */
struct t_grant_sweep {
	struct xp2m_x86 *x;
	struct page *target;
	int ref;
	grant_handle_t handle;
	u64 kmap;
	unsigned long entry;
};

static int t_grant_run(struct kunit *test, void *arg)
{
	struct t_grant_sweep *w = arg;

	return xp2m_x86_grant_map(&w->x->m2p, w->target, 0, w->ref, &w->handle);
}

static void t_grant_after(struct kunit *test, void *arg, int err)
{
	struct t_grant_sweep *w = arg;
	unsigned long pfn = page_to_pfn(w->target);

	if (!err)
		KUNIT_EXPECT_EQ(test, xp2m_x86_grant_unmap(&w->x->m2p, w->target,
							   w->handle), 0);
	KUNIT_EXPECT_EQ(test, t_kmap_pte(w->target), w->kmap);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(w->x->p2m, pfn), w->entry);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_get(&w->x->m2p, pfn, NULL, NULL),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&w->x->m2p.count), 0L);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(page_address(w->target), 0x5a,
					     PAGE_SIZE), NULL);
}

static void live_grant_faults(struct kunit *test)
{
	static const struct xp2m_fault_op op = {
		.name = "xp2m_x86_grant_map",
		.run = t_grant_run,
		.after = t_grant_after,
	};
	struct t_grant_sweep w = { };
	struct page *local;

	w.target = t_grant_target(test, &w.x, &w.kmap);
	w.entry = xp2m_lookup(w.x->p2m, page_to_pfn(w.target));
	local = t_granted(test, 0xc3, &w.ref);
	/* The override, its slot by pfn; the frame's two slots. */
	KUNIT_EXPECT_GE(test, xp2m_fault_sweep(test, &op, &w), 4U);
	KUNIT_ASSERT_TRUE(test, gnttab_try_end_foreign_access(w.ref));
	__free_page(local);
	__free_page(w.target);
}

static struct kunit_case grant_cases[] = {
	KUNIT_CASE(live_grant_ballooned),
	KUNIT_CASE(live_grant_over_frame),
	KUNIT_CASE(live_grant_twice),
	KUNIT_CASE(live_grant_flushes),
	KUNIT_CASE(live_grant_entry_changed),
	KUNIT_CASE(live_grant_faults),
	{}
};

static struct kunit_suite grant_suite = {
	.name = "xp2m_x86_grant",
	.init = live_init,
	.exit = live_exit,
	.test_cases = grant_cases,
};

kunit_test_suite(grant_suite);
