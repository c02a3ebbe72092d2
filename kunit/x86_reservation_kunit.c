// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the reservation on the real hypervisor: the backend's
 * populate and release, the balloon's increase and decrease through them on
 * an instance of the running kernel's p2m (a stale entry in a batch
 * included), and the kernel's own balloon seen by an instance. Run in a Xen
 * PV dom0; the balloon hooks themselves are balloon_kunit.c's, on the
 * simulated machine.
 */

#include <kunit/test.h>
#include <linux/mm.h>

#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>
#include <xen/balloon.h>
#include <xen/interface/memory.h>
#include <xen/interface/xen.h>
#include <xen/mem-reservation.h>

#include <xp2m/balloon.h>
#include <xp2m/x86.h>

#include "x86_fixture.h"

#define NR_RES	64

#define NR_KMAP	2

/* The backend's kmap operation on the first NR_KMAP pages. */
static long t_kmap(const unsigned long *pfns, const unsigned long *mfns)
{
	struct xp2m_backend *be = xp2m_x86_backend();
	long (*op)(struct xp2m_backend *be, const unsigned long *pfns,
		   const unsigned long *mfns, unsigned long nr) =
		be->ops->kmap;

	return op(be, pfns, mfns, NR_KMAP);
}

/*
 * The backend's kmap of the first NR_KMAP of @pages, whose new frames
 * @mfns the kernel's p2m does not hold: each page is mapped and its frame
 * recorded, by an update_va_mapping of the module's and the kernel's helper
 * (which makes one more), with no TLB flush; mapped again, the frame
 * recorded already, by the module's alone, and one flush. Then both are
 * undone by the helper's counterpart.
 */
static void t_kmap_unrecorded(struct kunit *test, struct page **pages,
			      const unsigned long *pfns,
			      const unsigned long *mfns)
{
	unsigned long hc0[XP2M_X86_NR_HCALLS], hc1[XP2M_X86_NR_HCALLS];
	unsigned long i, bad = 0;
	u64 pte;

	t_hypercalls(hc0);
	KUNIT_EXPECT_EQ(test, t_kmap(pfns, mfns), (long)NR_KMAP);
	t_hypercalls(hc1);
	KUNIT_EXPECT_EQ(test, hc1[XP2M_X86_UPDATE_VA_MAPPING] -
			hc0[XP2M_X86_UPDATE_VA_MAPPING], 2UL * NR_KMAP);
	/* No TLB held the pages: they were not mapped. */
	KUNIT_EXPECT_EQ(test, hc1[XP2M_X86_MMUEXT_OP] - hc0[XP2M_X86_MMUEXT_OP],
			0UL);
	KUNIT_EXPECT_EQ(test, t_kmap(pfns, mfns), (long)NR_KMAP);
	t_hypercalls(hc0);
	KUNIT_EXPECT_EQ(test, hc0[XP2M_X86_UPDATE_VA_MAPPING] -
			hc1[XP2M_X86_UPDATE_VA_MAPPING], (unsigned long)NR_KMAP);
	/* Mapped before: one flush. */
	KUNIT_EXPECT_EQ(test, hc0[XP2M_X86_MMUEXT_OP] - hc1[XP2M_X86_MMUEXT_OP],
			1UL);
	for (i = 0; i < NR_KMAP; i++) {
		pte = t_kmap_pte(pages[i]);
		bad += get_phys_to_machine(pfns[i]) != mfns[i] ||
		       !(pte & _PAGE_PRESENT) ||
		       (pte & PTE_PFN_MASK) >> PAGE_SHIFT != mfns[i];
	}
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	xenmem_reservation_va_mapping_reset(NR_KMAP, pages);
	for (i = 0; i < NR_KMAP; i++)
		bad += get_phys_to_machine(pfns[i]) != XP2M_INVALID_ENTRY ||
		       t_kmap_pte(pages[i]);
	KUNIT_EXPECT_EQ(test, bad, 0UL);
}

/*
 * The reservation operations, on pages the balloon gave us without frames:
 * populate gives each a new frame the M2P knows (Xen records it: the balloon
 * needs no M2P update of its own), release gives them back and stops at the
 * first frame that is not ours. The kernel's p2m is never told, and stays
 * missing, but where the backend's kmap records a frame it lacks
 * (t_kmap_unrecorded()).
 */
static void backend_reservation(struct kunit *test)
{
	struct xp2m_backend *be = xp2m_x86_backend();
	unsigned long *pfns, *mfns, i, j, bad = 0;
	struct page **pages;
	long n;

	pages = kunit_kcalloc(test, NR_RES, sizeof(*pages), GFP_KERNEL);
	pfns = kunit_kcalloc(test, NR_RES, sizeof(*pfns), GFP_KERNEL);
	mfns = kunit_kcalloc(test, NR_RES + 1, sizeof(*mfns), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, pages && pfns && mfns);
	KUNIT_ASSERT_EQ(test, xen_alloc_ballooned_pages(NR_RES, pages), 0);
	for (i = 0; i < NR_RES; i++) {
		pfns[i] = page_to_pfn(pages[i]);
		KUNIT_EXPECT_EQ(test, get_phys_to_machine(pfns[i]),
				XP2M_INVALID_ENTRY);
	}

	n = be->ops->populate(be, pfns, mfns, NR_RES);
	KUNIT_EXPECT_EQ(test, n, (long)NR_RES);
	for (i = 0; i < n; i++) {
		if (mfns[i] > be->max_mfn ||
		    be->ops->m2p(be, mfns[i]) != pfns[i] ||
		    get_phys_to_machine(pfns[i]) != XP2M_INVALID_ENTRY)
			bad++;
		for (j = 0; j < i; j++)
			bad += mfns[j] == mfns[i];
	}
	KUNIT_EXPECT_EQ(test, bad, 0UL);

	if (n == NR_RES)
		t_kmap_unrecorded(test, pages, pfns, mfns);

	if (n == NR_RES) {
		/* The last frame twice: the second time it is not ours. */
		mfns[NR_RES] = mfns[NR_RES - 1];
		KUNIT_EXPECT_EQ(test, be->ops->release(be, mfns, NR_RES + 1),
				(long)NR_RES);
	} else if (n > 0) {
		KUNIT_EXPECT_EQ(test, be->ops->release(be, mfns, n), n);
	}
	for (i = 0; i < NR_RES; i++)
		bad += get_phys_to_machine(pfns[i]) != XP2M_INVALID_ENTRY;
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	KUNIT_EXPECT_EQ(test, be->ops->populate(be, pfns, mfns, 0), 0L);
	KUNIT_EXPECT_EQ(test, be->ops->release(be, mfns, 0), 0L);
	xen_free_ballooned_pages(NR_RES, pages);
}

static long t_max_reservation(void)
{
	domid_t self = DOMID_SELF;

	return HYPERVISOR_memory_op(XENMEM_maximum_reservation, &self);
}

/*
 * Pages the kernel's balloon hands out without frames, and a balloon space
 * over them in an instance imported after (so their entries are missing).
 */
struct t_bal {
	struct page **pages;
	unsigned long *pfns;
	unsigned long nr;
	struct xp2m_balloon b;
	struct xp2m_x86 *x;
};

static void t_bal_setup(struct kunit *test, struct t_bal *t, unsigned long nr)
{
	unsigned long lo = ULONG_MAX, hi = 0, i;

	t->nr = nr;
	t->pages = kunit_kcalloc(test, nr, sizeof(*t->pages), GFP_KERNEL);
	t->pfns = kunit_kcalloc(test, nr, sizeof(*t->pfns), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, t->pages && t->pfns);
	KUNIT_ASSERT_EQ(test, xen_alloc_ballooned_pages(nr, t->pages), 0);
	for (i = 0; i < nr; i++) {
		t->pfns[i] = page_to_pfn(t->pages[i]);
		lo = min(lo, t->pfns[i]);
		hi = max(hi, t->pfns[i] + 1);
	}
	t->x = t_import(test, 0);
	KUNIT_ASSERT_EQ(test, xp2m_balloon_init(&t->b, t->x->p2m, lo, hi), 0);
}

static void t_bal_free(struct t_bal *t)
{
	xp2m_balloon_destroy(&t->b);
	xen_free_ballooned_pages(t->nr, t->pages);
}

/*
 * Page @i is ballooned out everywhere: balloon-owned, missing in the
 * instance and the kernel's p2m, and not mapped.
 */
static bool t_bal_out(struct t_bal *t, unsigned long i)
{
	unsigned long pfn = t->pfns[i];

	return xp2m_balloon_owned(&t->b, pfn) &&
	       xp2m_lookup(t->x->p2m, pfn) == XP2M_INVALID_ENTRY &&
	       get_phys_to_machine(pfn) == XP2M_INVALID_ENTRY &&
	       !t_kmap_pte(t->pages[i]);
}

/*
 * Page @i has a frame of its own, known alike to the instance, the kernel's
 * p2m, the M2P and the page's mapping.
 */
static bool t_bal_in(struct t_bal *t, unsigned long i)
{
	struct xp2m_backend *be = xp2m_x86_backend();
	unsigned long pfn = t->pfns[i], mfn = xp2m_lookup(t->x->p2m, pfn);
	u64 pte = t_kmap_pte(t->pages[i]);

	return !xp2m_balloon_owned(&t->b, pfn) &&
	       xp2m_entry_type(mfn) == XP2M_TYPE_PFN &&
	       get_phys_to_machine(pfn) == mfn &&
	       be->ops->m2p(be, mfn) == pfn && (pte & _PAGE_PRESENT) &&
	       (pte & PTE_PFN_MASK) >> PAGE_SHIFT == mfn;
}

#define NR_BAL		(2 * XP2M_BALLOON_BATCH)
#define BAL_SHORT	100
/* Frames we take to bring the domain near its maximum: no more than this. */
#define BAL_MAX_EXTRA	65536L

/*
 * The balloon's reservation path against the real hypervisor, on pages the
 * kernel's balloon gave us (it took their frames). xp2m_balloon_increase()
 * gives them frames, XP2M_BALLOON_BATCH extents a hypercall, the M2P is
 * written for them, and the kernel's linear map and p2m follow, so that the
 * instance and the kernel agree at every step. With the domain brought to
 * BAL_SHORT pages below its maximum first, the second batch falls short:
 * exactly the pfns that got frames have them, the rest stay ballooned out,
 * and verification stays clean. Then everything goes back.
 */
static void live_reservation(struct kunit *test)
{
	unsigned long hc0[XP2M_X86_NR_HCALLS], hc1[XP2M_X86_NR_HCALLS];
	unsigned long *extra, owned, i, bad = 0, total = 0;
	long cur, headroom, nr_extra, n;
	struct t_bal t;

	t_bal_setup(test, &t, NR_BAL);
	for (i = 0; i < NR_BAL; i++)
		bad += !xp2m_balloon_owned(&t.b, t.pfns[i]);
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	/* Ours, and any other page of the span the kernel's balloon has. */
	owned = t.b.nr_owned;
	KUNIT_EXPECT_GE(test, owned, NR_BAL);

	/*
	 * The short batch needs the domain BAL_SHORT pages short of its
	 * maximum when the second batch comes; the frames to take for that
	 * are bounded. A domain further from its maximum cannot be made to
	 * cut a batch short here: the case is skipped, saying so.
	 */
	cur = t_reservation();
	headroom = t_max_reservation() - cur;
	KUNIT_EXPECT_GE(test, headroom, (long)NR_BAL);
	nr_extra = headroom - (NR_BAL - BAL_SHORT);
	if (nr_extra < 0 || nr_extra > BAL_MAX_EXTRA) {
		t_bal_free(&t);
		kunit_skip(test,
			   "the domain is %ld pages below its maximum: no short batch without taking more than %ld frames first",
			   headroom, BAL_MAX_EXTRA);
	}
	extra = kunit_kcalloc(test, nr_extra ?: 1, sizeof(*extra), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, extra);
	KUNIT_ASSERT_EQ(test, xenmem_reservation_increase(nr_extra, extra),
			nr_extra);

	t_hypercalls(hc0);
	n = xp2m_balloon_increase(&t.b, t.pfns, NR_BAL);
	if (n == NR_BAL) {
		/* Xen gave all: the domain's maximum moved meanwhile. */
		KUNIT_EXPECT_EQ(test, xp2m_balloon_decrease(&t.b, t.pfns, n), n);
		KUNIT_EXPECT_EQ(test, xenmem_reservation_decrease(nr_extra,
								  extra),
				nr_extra);
		t_bal_free(&t);
		kunit_skip(test,
			   "Xen gave the second batch whole: the domain's maximum moved while the case ran");
	}
	/* The first batch whole, the second short by BAL_SHORT. */
	KUNIT_EXPECT_EQ(test, n, (long)(NR_BAL - BAL_SHORT));
	KUNIT_EXPECT_EQ(test, t.b.hypercalls, 2UL);
	KUNIT_EXPECT_EQ(test, t.b.extents, NR_BAL - BAL_SHORT);
	for (i = n; i < NR_BAL; i++)
		bad += !t_bal_out(&t, i);
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	t_expect_clean(test, t_verify(test, t.x, 4));
	KUNIT_EXPECT_EQ(test, xenmem_reservation_decrease(nr_extra, extra),
			nr_extra);
	if (n > 0)
		n += xp2m_balloon_increase(&t.b, t.pfns + n, NR_BAL - n);
	KUNIT_EXPECT_EQ(test, n, (long)NR_BAL);
	KUNIT_EXPECT_EQ(test, t.b.nr_owned, owned - NR_BAL);
	KUNIT_EXPECT_EQ(test, t_reservation(), cur + NR_BAL);

	/* Each page has its own frame, known to all: ours, kernel, M2P, PTE. */
	for (i = 0; i < n; i++) {
		bad += !t_bal_in(&t, i);
		memset(page_address(t.pages[i]), i & 0xff, PAGE_SIZE);
	}
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	for (i = 0; i < n; i++)
		bad += !!memchr_inv(page_address(t.pages[i]), i & 0xff,
				    PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	t_expect_clean(test, t_verify(test, t.x, 4));

	/* And back: no frame, no mapping, the reservation as it was. */
	KUNIT_EXPECT_EQ(test, xp2m_balloon_decrease(&t.b, t.pfns, n), n);
	for (i = 0; i < NR_BAL; i++)
		bad += !t_bal_out(&t, i);
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	KUNIT_EXPECT_EQ(test, t.b.nr_owned, owned);
	KUNIT_EXPECT_EQ(test, t_reservation(), cur);
	/* 2 + 1 hypercalls in, 2 out, each batch at most a page. */
	KUNIT_EXPECT_EQ(test, t.b.hypercalls, 5UL);
	KUNIT_EXPECT_EQ(test, t.b.extents, 2 * NR_BAL);
	/*
	 * All the module asked of Xen: a reservation call a batch, and a TLB
	 * flush a batch out; an update_va_mapping a page in, which maps it
	 * (the kernel's p2m has the frame already: the instance's entry is
	 * its word), and one a page out, which unmaps it. No flush in: the
	 * pages were not mapped. Nothing for the M2P: populate_physmap wrote
	 * it.
	 */
	t_hypercalls(hc1);
	for (i = 0; i < XP2M_X86_NR_HCALLS; i++)
		total += hc1[i] - hc0[i];
	KUNIT_EXPECT_EQ(test, hc1[XP2M_X86_MEMORY_OP] - hc0[XP2M_X86_MEMORY_OP],
			t.b.hypercalls);
	KUNIT_EXPECT_EQ(test, hc1[XP2M_X86_MMUEXT_OP] - hc0[XP2M_X86_MMUEXT_OP],
			2UL);
	KUNIT_EXPECT_EQ(test, hc1[XP2M_X86_UPDATE_VA_MAPPING] -
			hc0[XP2M_X86_UPDATE_VA_MAPPING], 2UL * NR_BAL);
	KUNIT_EXPECT_EQ(test, total, 5 + 2 + 2UL * NR_BAL);
	t_expect_clean(test, t_verify(test, t.x, 4));
	t_bal_free(&t);
}

#define NR_STALE	600
#define STALE_AT	100

/*
 * A decrease that Xen stops in the middle of a batch. The instance's entry
 * of one pfn is made stale: it names a frame the domain gave back already
 * (populated for a spare pfn and released at once). XENMEM_decrease_
 * reservation gives back the frames before it and refuses that one: the
 * call returns exactly STALE_AT; that pfn stays ballooned out (its frame is
 * not ours, so no entry may name it), and every pfn after it keeps its
 * frame, its mapping and its content, in the instance and in the kernel
 * alike. The frame the stale entry hid is then given back by hand, and the
 * rest goes out normally: the reservation is where it was.
 */
static void live_reservation_stale(struct kunit *test)
{
	struct xp2m_backend *be = xp2m_x86_backend();
	unsigned long stale, hidden, spare, i, bad = 0;
	struct t_bal t;
	long cur;

	/* The last page is the spare, never in the balloon's calls. */
	t_bal_setup(test, &t, NR_STALE + 1);
	spare = t.pfns[NR_STALE];
	cur = t_reservation();
	KUNIT_ASSERT_EQ(test, xp2m_balloon_increase(&t.b, t.pfns, NR_STALE),
			(long)NR_STALE);
	for (i = 0; i < NR_STALE; i++)
		memset(page_address(t.pages[i]), i & 0xff, PAGE_SIZE);

	/* A frame that was ours a moment ago. */
	KUNIT_ASSERT_EQ(test, be->ops->populate(be, &spare, &stale, 1), 1L);
	KUNIT_ASSERT_EQ(test, be->ops->release(be, &stale, 1), 1L);
	hidden = xp2m_lookup(t.x->p2m, t.pfns[STALE_AT]);
	KUNIT_ASSERT_EQ(test, xp2m_set(t.x->p2m, t.pfns[STALE_AT], stale), 0);

	KUNIT_EXPECT_EQ(test, xp2m_balloon_decrease(&t.b, t.pfns, NR_STALE),
			(long)STALE_AT);
	/* One populate hypercall of 512 and one of 88; one decrease of 100. */
	KUNIT_EXPECT_EQ(test, t.b.hypercalls, 3UL);
	KUNIT_EXPECT_EQ(test, t.b.extents, (unsigned long)NR_STALE + STALE_AT);
	for (i = 0; i <= STALE_AT; i++)
		bad += !t_bal_out(&t, i);
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	for (i = STALE_AT + 1; i < NR_STALE; i++)
		bad += !t_bal_in(&t, i) ||
		       !!memchr_inv(page_address(t.pages[i]), i & 0xff,
				    PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	t_expect_clean(test, t_verify(test, t.x, 4));
	/* Given back: the frames before the stale entry, no more. */
	KUNIT_EXPECT_EQ(test, t_reservation(), cur + NR_STALE - STALE_AT);

	/* The frame the stale entry hid is still ours: give it back too. */
	KUNIT_EXPECT_EQ(test, be->ops->m2p(be, hidden), t.pfns[STALE_AT]);
	KUNIT_EXPECT_EQ(test, be->ops->release(be, &hidden, 1), 1L);
	KUNIT_EXPECT_EQ(test, xp2m_balloon_decrease(&t.b, t.pfns + STALE_AT + 1,
						    NR_STALE - STALE_AT - 1),
			(long)(NR_STALE - STALE_AT - 1));
	KUNIT_EXPECT_EQ(test, t_reservation(), cur);
	t_expect_clean(test, t_verify(test, t.x, 4));
	t_bal_free(&t);
}

/*
 * A page the kernel's balloon gives back to Xen: an instance imported
 * before shows it missing at once (the kernel wrote its own leaf, which is
 * the instance's), and verifies clean with one balloon page more.
 */
static void live_balloon(struct kunit *test)
{
	struct xp2m_x86_report before, *rep;
	struct xp2m_x86 *x;
	struct page *page;
	unsigned long pfn, was;

	x = t_import(test, 0);
	before = *t_verify(test, x, 4);
	KUNIT_ASSERT_EQ(test, xen_alloc_ballooned_pages(1, &page), 0);
	pfn = page_to_pfn(page);
	KUNIT_EXPECT_EQ(test, get_phys_to_machine(pfn), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(x->p2m, pfn), XP2M_INVALID_ENTRY);
	rep = t_verify(test, x, 4);
	t_expect_clean(test, rep);
	was = before.ours[XP2M_TYPE_PFN] - rep->ours[XP2M_TYPE_PFN];
	/* A page the kernel had a frame for, or one its balloon had already. */
	KUNIT_EXPECT_TRUE_MSG(test, was <= 1, "%lu frames fewer", was);
	KUNIT_EXPECT_EQ(test, rep->balloon, before.balloon + was);
	xen_free_ballooned_pages(1, &page);
}

static struct kunit_case resv_cases[] = {
	KUNIT_CASE(backend_reservation),
	KUNIT_CASE(live_reservation),
	KUNIT_CASE(live_reservation_stale),
	KUNIT_CASE(live_balloon),
	{}
};

static struct kunit_suite resv_suite = {
	.name = "xp2m_x86_reservation",
	.init = live_init,
	.exit = live_exit,
	.test_cases = resv_cases,
};

kunit_test_suite(resv_suite);
