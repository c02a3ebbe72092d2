// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of xp2m_x86's backend, the real machine: frames of pages,
 * mapping a frame, the M2P, and what it refuses. Run in a Xen PV dom0.
 */

#include <kunit/test.h>
#include <linux/mm.h>

#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>
#include <xen/interface/memory.h>
#include <xen/interface/xen.h>
#include <xen/xen.h>

#include <xp2m/sim.h>
#include <xp2m/x86.h>

#include "x86_fixture.h"

static void backend_frames(struct kunit *test)
{
	struct xp2m_backend *be = xp2m_x86_backend();
	long before = xp2m_x86_backend_pages();
	const unsigned long *seen;
	unsigned long pfn, mfn, *va;
	struct page *page;

	page = be->ops->page_alloc(be);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_EXPECT_EQ(test, xp2m_x86_backend_pages(), before + 1);
	pfn = page_to_pfn(page);
	mfn = be->ops->page_to_mfn(be, page);
	va = page_address(page);
	KUNIT_EXPECT_EQ(test, mfn, pfn_to_mfn(pfn));
	KUNIT_EXPECT_LE(test, mfn, be->max_mfn);
	KUNIT_EXPECT_EQ(test, be->ops->m2p(be, mfn), pfn);
	KUNIT_EXPECT_EQ(test, va[0] | va[XP2M_PER_PAGE - 1], 0UL);
	va[7] = 0x1234abcdUL;
	seen = be->ops->map_frame(be, mfn);
	KUNIT_EXPECT_PTR_EQ(test, seen, (const unsigned long *)va);
	if (seen) {
		KUNIT_EXPECT_EQ(test, seen[7], 0x1234abcdUL);
		be->ops->unmap_frame(be, seen);
	}
	be->ops->page_free(be, page);
	KUNIT_EXPECT_EQ(test, xp2m_x86_backend_pages(), before);

	/* A page it did not hand out (a boot list's) is not counted. */
	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	be->ops->page_free(be, page);
	KUNIT_EXPECT_EQ(test, xp2m_x86_backend_pages(), before);
}

/* Frames that are not this domain's own cannot be mapped. */
static void backend_refuses(struct kunit *test)
{
	struct xp2m_backend *be = xp2m_x86_backend();
	unsigned long shinfo = PFN_DOWN(xen_start_info->shared_info);
	struct xp2m_domain_spec spec = {
		.nr_pages = 1, .region_end = 1,
		.pattern = XP2M_MFNS_ASCENDING, .first_mfn = 1,
	};
	struct xp2m_list list;

	KUNIT_EXPECT_NULL(test, be->ops->map_frame(be, be->max_mfn + 1));
	KUNIT_EXPECT_NULL(test, be->ops->map_frame(be, ~0UL));
	/* Xen's own page: shared_info. */
	KUNIT_EXPECT_NULL(test, be->ops->map_frame(be, shinfo));
	KUNIT_EXPECT_EQ(test, be->ops->m2p(be, ~0UL), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, be->ops->m2p(be, machine_to_phys_nr),
			XP2M_INVALID_ENTRY);
	/* The live backend never writes the M2P and builds no domain. */
	KUNIT_EXPECT_TRUE(test, !be->ops->set_m2p);
	KUNIT_EXPECT_EQ(test, xp2m_build_domain(be, &spec, &list), -EOPNOTSUPP);
	/* The kernel's page tables are what a toolstack walks. */
	KUNIT_EXPECT_TRUE(test, !be->ops->pt_map);
	/* Xen's max_page is one past the highest frame. */
	KUNIT_EXPECT_EQ(test, be->max_mfn + 1,
			(unsigned long)HYPERVISOR_memory_op(XENMEM_maximum_ram_page,
							    NULL));
}

static struct kunit_case backend_cases[] = {
	KUNIT_CASE(backend_frames),
	KUNIT_CASE(backend_refuses),
	{}
};

static struct kunit_suite backend_suite = {
	.name = "xp2m_x86_backend",
	.test_cases = backend_cases,
};

kunit_test_suite(backend_suite);
