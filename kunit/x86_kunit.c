// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites of xp2m_x86, run in a Xen PV dom0:
 *
 *   xp2m_x86_map      the memory-map rule (which pfns are RAM as the kernel
 *                     keeps it) on the maps of known machines
 *   xp2m_x86_backend  the real backend: frames of pages, mapping a frame,
 *                     the M2P
 *   xp2m_x86_live     import from the running kernel, verification, and
 *                     what it reports when our instance, the memory map or
 *                     the kernel's p2m (through grant mappings and the
 *                     balloon) changes
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <asm/e820/types.h>
#include <asm/fixmap.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>
#include <xen/balloon.h>
#include <xen/grant_table.h>
#include <xen/interface/memory.h>
#include <xen/interface/xen.h>
#include <xen/mem-reservation.h>
#include <xen/xen.h>

#include <xp2m/balloon.h>
#include <xp2m/kpte.h>
#include <xp2m/reader.h>
#include <xp2m/sim.h>
#include <xp2m/x86.h>

#include "fault.h"

/* An E820 entry [start, end), as the tables below write them. */
struct t_e820 {
	u64 start;
	u64 end;
	u32 type;
};

#define E(s, e, t)	{ .start = (s), .end = (e), .type = (t) }
#define R(s, e)		{ .start = (s), .end = (e) }

/* The entries of @t as the hypervisor gives them. */
static struct xp2m_e820_entry *t_hv(struct kunit *test, const struct t_e820 *t,
				    unsigned int nr)
{
	struct xp2m_e820_entry *hv;
	unsigned int i;

	hv = kunit_kcalloc(test, nr, sizeof(*hv), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, hv);
	for (i = 0; i < nr; i++) {
		hv[i].addr = t[i].start;
		hv[i].size = t[i].end - t[i].start;
		hv[i].type = t[i].type;
	}
	return hv;
}

/* The host map Xen gives dom0 under QEMU -m 1024 (q35). */
static const struct t_e820 map_1g[] = {
	E(0x0, 0x9fc00, E820_TYPE_RAM),
	E(0x9fc00, 0xa0000, E820_TYPE_RESERVED),
	E(0xf0000, 0x100000, E820_TYPE_RESERVED),
	E(0x100000, 0x3ffdf000, E820_TYPE_RAM),
	E(0x3ffdf000, 0x40000000, E820_TYPE_RESERVED),
	E(0xb0000000, 0xc0000000, E820_TYPE_RESERVED),
	E(0xfec00000, 0xfec01000, E820_TYPE_RESERVED),
	E(0xfed1c000, 0xfed20000, E820_TYPE_RESERVED),
	E(0xfee00000, 0xfef00000, E820_TYPE_RESERVED),
	E(0xfffc0000, 0x100000000ULL, E820_TYPE_RESERVED),
	E(0xfd00000000ULL, 0x10000000000ULL, E820_TYPE_RESERVED),
};

/* Under QEMU -m 6G: RAM to 2 GiB, the PCI hole, RAM from 4 to 8 GiB. */
static const struct t_e820 map_6g[] = {
	E(0x0, 0x9fc00, E820_TYPE_RAM),
	E(0x9fc00, 0xa0000, E820_TYPE_RESERVED),
	E(0xf0000, 0x100000, E820_TYPE_RESERVED),
	E(0x100000, 0x7ffdf000, E820_TYPE_RAM),
	E(0x7ffdf000, 0x80000000, E820_TYPE_RESERVED),
	E(0xb0000000, 0xc0000000, E820_TYPE_RESERVED),
	E(0xfed1c000, 0xfed20000, E820_TYPE_RESERVED),
	E(0xfffc0000, 0x100000000ULL, E820_TYPE_RESERVED),
	E(0x100000000ULL, 0x200000000ULL, E820_TYPE_RAM),
	E(0xfd00000000ULL, 0x10000000000ULL, E820_TYPE_RESERVED),
};

#define P2M_512G	0x8000000UL

static void t_map(struct kunit *test, struct xp2m_x86_map *map,
		  const struct t_e820 *hv, unsigned int nr_hv,
		  bool dom0, unsigned long nr_pages, unsigned long max_pfn,
		  const struct xp2m_x86_range *kram, unsigned int nr_kram,
		  const struct xp2m_x86_range *want, unsigned int nr_want)
{
	unsigned int i;

	KUNIT_ASSERT_EQ(test, xp2m_x86_map_build(map, t_hv(test, hv, nr_hv),
						 nr_hv, dom0, nr_pages, max_pfn,
						 kram, nr_kram), 0);
	KUNIT_EXPECT_EQ(test, map->nr_ram, nr_want);
	for (i = 0; i < min(map->nr_ram, nr_want); i++) {
		KUNIT_EXPECT_EQ_MSG(test, map->ram[i].start, want[i].start,
				    "range %u", i);
		KUNIT_EXPECT_EQ_MSG(test, map->ram[i].end, want[i].end,
				    "range %u", i);
	}
	KUNIT_EXPECT_EQ(test, map->nr_hv, nr_hv);
	xp2m_x86_map_free(map);
}

/*
 * dom0_mem=512M: 97 pages of the hole below 1 MiB were moved to
 * [0x20000, 0x20061), the extra memory the kernel took; the rest of the
 * host's RAM is dropped.
 */
static void map_dom0_512m(struct kunit *test)
{
	static const struct xp2m_x86_range kram[] = { R(0x20000, 0x20061) };
	static const struct xp2m_x86_range want[] = {
		R(0x0, 0x9f), R(0x100, 0x20061),
	};
	static const struct xp2m_x86_range want_none[] = {
		R(0x0, 0x9f), R(0x100, 0x20000),
	};
	struct xp2m_x86_map map;

	t_map(test, &map, map_1g, ARRAY_SIZE(map_1g), true, 0x20000, P2M_512G,
	      kram, ARRAY_SIZE(kram), want, ARRAY_SIZE(want));
	/* A kernel that took no extra memory keeps no RAM past its pages. */
	t_map(test, &map, map_1g, ARRAY_SIZE(map_1g), true, 0x20000, P2M_512G,
	      NULL, 0, want_none, ARRAY_SIZE(want_none));
}

/* dom0_mem=5G: all host RAM past the 5 GiB allocation is extra memory. */
static void map_dom0_6g(struct kunit *test)
{
	static const struct xp2m_x86_range kram[] = { R(0x140000, 0x200000) };
	static const struct xp2m_x86_range want[] = {
		R(0x0, 0x9f), R(0x100, 0x7ffdf), R(0x100000, 0x200000),
	};
	struct xp2m_x86_map map;

	t_map(test, &map, map_6g, ARRAY_SIZE(map_6g), true, 0x140000,
	      P2M_512G, kram, ARRAY_SIZE(kram), want, ARRAY_SIZE(want));
}

/*
 * A domU's own map is RAM from 0: the ISA range is RAM and populated (its
 * kernel reserves it in its E820, which is why the rule does not use that
 * E820 below nr_pages).
 */
static void map_domu(struct kunit *test)
{
	static const struct t_e820 hv[] = {
		E(0x0, 0x40000000, E820_TYPE_RAM),
	};
	static const struct xp2m_x86_range kram[] = { R(0x3f800, 0x40000) };
	static const struct xp2m_x86_range want[] = { R(0x0, 0x40000) };
	static const struct xp2m_x86_range want_nokram[] = { R(0x0, 0x3f800) };
	struct xp2m_x86_map map;

	t_map(test, &map, hv, ARRAY_SIZE(hv), false, 0x3f800, 0x40000,
	      kram, ARRAY_SIZE(kram), want, ARRAY_SIZE(want));
	t_map(test, &map, hv, ARRAY_SIZE(hv), false, 0x3f800, 0x40000,
	      NULL, 0, want_nokram, ARRAY_SIZE(want_nokram));
}

/* UNUSABLE is RAM in dom0 (Xen refuses to map it 1-1), a hole in a domU. */
static void map_unusable(struct kunit *test)
{
	static const struct t_e820 hv[] = {
		E(0x0, 0x1000000, E820_TYPE_RAM),
		E(0x1000000, 0x2000000, E820_TYPE_UNUSABLE),
		E(0x2000000, 0x3000000, E820_TYPE_RAM),
	};
	static const struct xp2m_x86_range want_dom0[] = { R(0x0, 0x3000) };
	static const struct xp2m_x86_range want_domu[] = {
		R(0x0, 0x1000), R(0x2000, 0x3000),
	};
	struct xp2m_x86_map map;

	t_map(test, &map, hv, ARRAY_SIZE(hv), true, 0x3000, 0x4000, NULL, 0,
	      want_dom0, ARRAY_SIZE(want_dom0));
	t_map(test, &map, hv, ARRAY_SIZE(hv), false, 0x3000, 0x4000, NULL, 0,
	      want_domu, ARRAY_SIZE(want_domu));
}

/*
 * Pages only partly RAM are holes (the kernel rounds non-RAM outward);
 * overlaps go to the non-RAM type; adjacent RAM entries merge first.
 */
static void map_edges(struct kunit *test)
{
	static const struct t_e820 overlap[] = {
		E(0x0, 0x1000000, E820_TYPE_RAM),
		E(0x400800, 0x500000, E820_TYPE_RESERVED),
	};
	static const struct xp2m_x86_range want_overlap[] = {
		R(0x0, 0x400), R(0x500, 0x1000),
	};
	static const struct t_e820 unaligned[] = {
		E(0x1800, 0x5800, E820_TYPE_RAM),
	};
	static const struct xp2m_x86_range want_unaligned[] = { R(0x2, 0x5) };
	static const struct t_e820 adjacent[] = {
		E(0x1800, 0x3000, E820_TYPE_RAM),	/* out of order on purpose */
		E(0x0, 0x1800, E820_TYPE_RAM),
	};
	static const struct xp2m_x86_range want_adjacent[] = { R(0x0, 0x3) };
	struct xp2m_x86_map map;

	t_map(test, &map, overlap, ARRAY_SIZE(overlap), true, 0x1000, 0x1000,
	      NULL, 0, want_overlap, ARRAY_SIZE(want_overlap));
	t_map(test, &map, unaligned, ARRAY_SIZE(unaligned), false, 0x10, 0x10,
	      NULL, 0, want_unaligned, ARRAY_SIZE(want_unaligned));
	t_map(test, &map, adjacent, ARRAY_SIZE(adjacent), false, 0x10, 0x10,
	      NULL, 0, want_adjacent, ARRAY_SIZE(want_adjacent));
}

/*
 * Memory hot-added above the map is RAM; the kernel's RAM never covers a
 * non-RAM entry of the hypervisor's map; nothing is RAM past max_pfn.
 */
static void map_hotplug(struct kunit *test)
{
	static const struct xp2m_x86_range kram[] = {
		R(0x20000, 0x20061),
		R(0x100000, 0x108000),		/* hot-added at 4 GiB */
		R(0xfcffff0, 0xfd00010),	/* across a reserved entry */
		R(0x10000000, 0x10000100),	/* past max_pfn */
	};
	static const struct xp2m_x86_range want[] = {
		R(0x0, 0x9f), R(0x100, 0x20061), R(0x100000, 0x108000),
		R(0xfcffff0, 0xfd00000),
	};
	struct xp2m_x86_map map;

	t_map(test, &map, map_1g, ARRAY_SIZE(map_1g), true, 0x20000,
	      0x10000000, kram, ARRAY_SIZE(kram), want, ARRAY_SIZE(want));
}

static void map_lookup(struct kunit *test)
{
	static const struct xp2m_x86_range kram[] = { R(0x20000, 0x20061) };
	static const struct {
		unsigned long pfn;
		bool ram;
		unsigned long end;
	} cases[] = {
		{ 0x0, true, 0x9f },
		{ 0x9e, true, 0x9f },
		{ 0x9f, false, 0x100 },
		{ 0xff, false, 0x100 },
		{ 0x100, true, 0x20061 },
		{ 0x20060, true, 0x20061 },
		{ 0x20061, false, P2M_512G },
		{ P2M_512G - 1, false, P2M_512G },
		{ P2M_512G, false, P2M_512G + 1 },
	};
	struct xp2m_x86_map map;
	unsigned long end;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, xp2m_x86_map_build(&map,
						 t_hv(test, map_1g,
						      ARRAY_SIZE(map_1g)),
						 ARRAY_SIZE(map_1g), true,
						 0x20000, P2M_512G, kram,
						 ARRAY_SIZE(kram)), 0);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		end = 0;
		KUNIT_EXPECT_EQ_MSG(test, xp2m_x86_ram(&map, cases[i].pfn, &end),
				    cases[i].ram, "pfn %#lx", cases[i].pfn);
		KUNIT_EXPECT_EQ_MSG(test, end, cases[i].end, "pfn %#lx",
				    cases[i].pfn);
	}
	xp2m_x86_map_free(&map);
}

/*
 * Every allocation of xp2m_x86_map_build() failed in turn: -ENOMEM and the
 * map left empty; a build that went through gives the ranges of
 * map_dom0_512m and is freed again (its buffers: kmemleak, after the run).
 */
struct t_map_sweep {
	struct xp2m_x86_map map;
	const struct xp2m_e820_entry *hv;
};

static int t_map_run(struct kunit *test, void *arg)
{
	static const struct xp2m_x86_range kram[] = { R(0x20000, 0x20061) };
	struct t_map_sweep *w = arg;

	return xp2m_x86_map_build(&w->map, w->hv, ARRAY_SIZE(map_1g), true,
				  0x20000, P2M_512G, kram, ARRAY_SIZE(kram));
}

static void t_map_after(struct kunit *test, void *arg, int err)
{
	struct t_map_sweep *w = arg;

	if (err) {
		KUNIT_EXPECT_NULL(test, w->map.hv);
		KUNIT_EXPECT_NULL(test, w->map.ram);
		KUNIT_EXPECT_EQ(test, w->map.nr_ram, 0U);
		return;
	}
	KUNIT_EXPECT_EQ(test, w->map.nr_ram, 2U);
	KUNIT_EXPECT_EQ(test, w->map.ram[1].start, 0x100UL);
	KUNIT_EXPECT_EQ(test, w->map.ram[1].end, 0x20061UL);
	xp2m_x86_map_free(&w->map);
}

static void map_faults(struct kunit *test)
{
	static const struct xp2m_fault_op op = {
		.name = "xp2m_x86_map_build",
		.run = t_map_run,
		.after = t_map_after,
	};
	struct t_map_sweep w = { .hv = t_hv(test, map_1g, ARRAY_SIZE(map_1g)) };

	/* Five arrays. */
	KUNIT_EXPECT_GE(test, xp2m_fault_sweep(test, &op, &w), 5U);
}

static struct kunit_case map_cases[] = {
	KUNIT_CASE(map_dom0_512m),
	KUNIT_CASE(map_dom0_6g),
	KUNIT_CASE(map_domu),
	KUNIT_CASE(map_unusable),
	KUNIT_CASE(map_edges),
	KUNIT_CASE(map_hotplug),
	KUNIT_CASE(map_lookup),
	KUNIT_CASE(map_faults),
	{}
};

static struct kunit_suite map_suite = {
	.name = "xp2m_x86_map",
	.test_cases = map_cases,
};

/* The backend */

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

#define NR_RES	64

/*
 * The reservation operations, on pages the balloon gave us without frames:
 * populate gives each a new frame the M2P knows (Xen records it: the balloon
 * needs no M2P update of its own), release gives them back and stops at the
 * first frame that is not ours. The kernel's p2m is never told, and stays
 * missing.
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

static struct kunit_case backend_cases[] = {
	KUNIT_CASE(backend_frames),
	KUNIT_CASE(backend_refuses),
	KUNIT_CASE(backend_reservation),
	{}
};

static struct kunit_suite backend_suite = {
	.name = "xp2m_x86_backend",
	.test_cases = backend_cases,
};

/* Import and verification */

struct live_ctx {
	struct xp2m_x86 *x[2];
	struct xp2m_x86_report *rep;
};

static struct live_ctx *live_ctx(struct kunit *test)
{
	struct live_ctx *c = test->priv;

	if (!c) {
		c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, c);
		test->priv = c;
	}
	return c;
}

/*
 * Pages given back to the kernel's balloon with xen_free_ballooned_pages()
 * are populated again by its thread, soon but not at once. Each case starts
 * once that is done, so that no import races it.
 */
static int live_init(struct kunit *test)
{
	unsigned int ms;

	for (ms = 0; ms < 30000; ms += 20) {
		if (READ_ONCE(balloon_stats.current_pages) ==
		    READ_ONCE(balloon_stats.target_pages))
			return 0;
		msleep(20);
	}
	kunit_err(test, "the kernel's balloon is %ld pages from its target\n",
		  (long)(balloon_stats.target_pages -
			 balloon_stats.current_pages));
	return -ETIMEDOUT;
}

/* Pages an instance allocated itself: its leaves are the kernel's. */
static long t_own_pages(const struct xp2m *p2m)
{
	const struct xp2m_counts *n = &p2m->counts;

	return n->shared + n->private_leaves + n->mids + n->fl_pages +
	       n->linear_tables;
}

/*
 * Every page an instance allocated comes back when it is freed. (The
 * module's own instance, "live", follows the kernel too: a case that makes
 * the kernel grow its p2m makes that one grow as well.)
 */
static void t_free(struct kunit *test, struct xp2m_x86 *x)
{
	long before = xp2m_x86_backend_pages(), own;

	if (!x)
		return;
	xp2m_x86_unfollow(x);
	own = t_own_pages(x->p2m);
	xp2m_x86_free(x);
	KUNIT_EXPECT_EQ(test, before - xp2m_x86_backend_pages(), own);
}

static void live_exit(struct kunit *test)
{
	struct live_ctx *c = test->priv;

	if (!c)
		return;
	t_free(test, c->x[0]);
	t_free(test, c->x[1]);
	kvfree(c->rep);
}

static struct xp2m_x86 *t_import(struct kunit *test, unsigned int slot)
{
	struct live_ctx *c = live_ctx(test);
	struct xp2m_x86 *x;

	x = xp2m_x86_import(slot ? "kunit1" : "kunit0");
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(x), "import: %ld", PTR_ERR(x));
	c->x[slot] = x;
	return x;
}

/* Verify @x, listing up to @max_listed runs; the report lives in ctx. */
static struct xp2m_x86_report *t_verify(struct kunit *test, struct xp2m_x86 *x,
					unsigned int max_listed)
{
	struct live_ctx *c = live_ctx(test);

	kvfree(c->rep);
	c->rep = xp2m_x86_report_alloc(max_listed);
	KUNIT_ASSERT_NOT_NULL(test, c->rep);
	KUNIT_ASSERT_EQ(test, xp2m_x86_verify(x, c->rep), 0);
	KUNIT_EXPECT_EQ(test, c->rep->pfns, x->p2m->max_pfn);
	return c->rep;
}

static void t_expect_clean(struct kunit *test,
			   const struct xp2m_x86_report *rep)
{
	unsigned int i;

	KUNIT_EXPECT_EQ(test, rep->mismatched, 0UL);
	for (i = 0; i < XP2M_X86_NR_KINDS; i++)
		KUNIT_EXPECT_EQ_MSG(test, rep->kinds[i], 0UL, "%s",
				    xp2m_x86_kind_name(i));
	KUNIT_EXPECT_EQ(test, rep->nr_listed, 0U);
	for (i = 0; i < XP2M_NR_TYPES; i++)
		KUNIT_EXPECT_EQ_MSG(test, rep->ours[i], rep->kernel[i], "%s",
				    xp2m_type_name(i));
}

static void t_expect_run(struct kunit *test, const struct xp2m_x86_mismatch *r,
			 unsigned long pfn, unsigned long nr,
			 enum xp2m_x86_kind kind, unsigned long ours,
			 unsigned long kernel, unsigned long m2p)
{
	KUNIT_EXPECT_EQ(test, r->pfn, pfn);
	KUNIT_EXPECT_EQ(test, r->nr, nr);
	KUNIT_EXPECT_EQ(test, r->kind, kind);
	KUNIT_EXPECT_EQ(test, r->ours, ours);
	KUNIT_EXPECT_EQ(test, r->kernel, kernel);
	KUNIT_EXPECT_EQ(test, r->m2p, m2p);
}

static long t_reservation(void)
{
	domid_t self = DOMID_SELF;

	return HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
}

/* The page behind the kernel's leaf of @pfn, by its direct-map address. */
static unsigned long *t_kernel_leaf(unsigned long pfn)
{
	unsigned int level;
	pte_t *pte;

	pte = lookup_address((unsigned long)(xen_p2m_addr + pfn), &level);
	if (!pte || level != PG_LEVEL_4K || !pte_present(*pte))
		return NULL;
	return pfn_to_kaddr(pte_pfn(*pte));
}

/*
 * Store @v at @dst, a fault caught (copy_to_kernel_nofault() is not
 * exported; its building block is).
 */
static int t_store_nofault(unsigned long *dst, unsigned long v)
{
	int err = 0;

	pagefault_disable();
	__put_kernel_nofault(dst, &v, unsigned long, fault);
	goto out;
fault:
	err = -EFAULT;
out:
	pagefault_enable();
	return err;
}

/* Follow @x, or skip: a kernel without kprobes follows nothing. */
static void t_follow(struct kunit *test, struct xp2m_x86 *x)
{
	int err = xp2m_x86_follow(x);

	if (err == -EOPNOTSUPP)
		kunit_skip(test, "this kernel has no kprobes: nothing is followed");
	KUNIT_ASSERT_EQ(test, err, 0);
}

/* Is the kernel's leaf of @pfn one of its shared, read-only pages? */
static bool t_kernel_hole(unsigned long pfn)
{
	unsigned int level;
	pte_t *pte;

	pte = lookup_address((unsigned long)(xen_p2m_addr + pfn), &level);
	return pte && level == PG_LEVEL_4K && !pte_write(*pte);
}

/*
 * A GiB of pfns the kernel's list keeps wholly on one shared page, past the
 * domain's memory (in a dom0 every hole is identity; a domU has missing
 * ones): a leaf the kernel makes there is a new page-table page, a new
 * frame-list mid and a new leaf. Searched from the top, where nothing of the
 * domain's lies.
 */
static unsigned long t_shared_gib(struct kunit *test, const struct xp2m *p2m)
{
	unsigned long g, **mid;

	for (g = p2m->nr_mids - 1; g > 0; g--) {
		mid = READ_ONCE(p2m->top[g]);
		if ((mid == p2m->missing_mid || mid == p2m->identity_mid) &&
		    t_kernel_hole(g * XP2M_MID_SPAN))
			return g * XP2M_MID_SPAN;
	}
	KUNIT_FAIL(test, "no shared GiB in the kernel's p2m");
	return 0;
}

/* What every pfn of @pfn's shared leaf stands for, and what it does not. */
static unsigned long t_shared_value(const struct xp2m *p2m, unsigned long pfn)
{
	return xp2m_leaf_kind(p2m, pfn) == XP2M_LEAF_IDENTITY ?
	       XP2M_IDENTITY_FRAME(pfn) : XP2M_INVALID_ENTRY;
}

static unsigned long t_other_value(const struct xp2m *p2m, unsigned long pfn)
{
	return xp2m_leaf_kind(p2m, pfn) == XP2M_LEAF_IDENTITY ?
	       XP2M_INVALID_ENTRY : XP2M_IDENTITY_FRAME(pfn);
}

/*
 * Zero copy: the instance shows the kernel's own leaf pages, every one, and
 * its two shared pages; it allocated no leaf, only mids and the frame list.
 * Lookups through it are the kernel's, and it verifies clean.
 */
static void live_import(struct kunit *test)
{
	long pages = xp2m_x86_backend_pages();
	struct xp2m_x86 *x = t_import(test, 0);
	const struct xp2m *p2m = x->p2m;
	unsigned long pfn, *ours, *theirs, leaves = 0, bad = 0;
	struct xp2m_x86_report *rep;

	KUNIT_EXPECT_EQ(test, p2m->max_pfn, xen_p2m_size);
	KUNIT_EXPECT_TRUE(test, p2m->borrowed);
	KUNIT_EXPECT_EQ(test, p2m->counts.private_leaves, 0UL);
	KUNIT_EXPECT_EQ(test, p2m->counts.grafted, 0UL);
	/*
	 * The kernel's shared pages, where its list has them (a dom0 may have
	 * no missing leaf at all: every hole identity); only a page of a kind
	 * the kernel does not map is the instance's own.
	 */
	KUNIT_EXPECT_EQ(test, p2m->counts.shared,
			2UL + hweight8(p2m->own_shared));
	for (pfn = 0; pfn < p2m->max_pfn; pfn += XP2M_PER_PAGE) {
		ours = xp2m_leaf_of(p2m, pfn);
		theirs = t_kernel_leaf(pfn);
		if (ours != theirs && bad++ < 4)
			KUNIT_FAIL(test, "leaf of pfn %#lx: %p, kernel's %p",
				   pfn, ours, theirs);
		leaves += xp2m_leaf_kind(p2m, pfn) == XP2M_LEAF_BORROWED;
		if (pfn % XP2M_MID_SPAN == 0)
			cond_resched();
	}
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	KUNIT_EXPECT_EQ(test, leaves, p2m->counts.borrowed);
	KUNIT_EXPECT_GT(test, leaves, 0UL);
	/* Pages of its own: the shared pages, its mids, the frame list. */
	KUNIT_EXPECT_EQ(test, xp2m_x86_backend_pages() - pages,
			(long)(p2m->counts.shared + p2m->counts.mids +
			       p2m->counts.fl_pages));

	for (pfn = 0; pfn < p2m->nr_pages; pfn++)
		if (xp2m_lookup(p2m, pfn) != get_phys_to_machine(pfn) &&
		    bad++ < 4)
			KUNIT_FAIL(test, "pfn %#lx: ours %#lx, kernel %#lx", pfn,
				   xp2m_lookup(p2m, pfn),
				   get_phys_to_machine(pfn));
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	rep = t_verify(test, x, 16);
	t_expect_clean(test, rep);
	/* Every page the domain owns, exactly once. */
	KUNIT_EXPECT_EQ(test, rep->ours[XP2M_TYPE_PFN],
			(unsigned long)t_reservation());
	/* A reader needs no more than the populated leaves. */
	KUNIT_EXPECT_LT(test, p2m->si.max_pfn, p2m->max_pfn);
	KUNIT_EXPECT_GE(test, p2m->si.max_pfn, p2m->nr_pages);

	/*
	 * Past the end of the list, the kernel's lookups answer 1-1, and so
	 * do ours, and mfn_to_pfn() of a frame there is the frame.
	 */
	for (pfn = max(xen_p2m_size, xen_max_p2m_pfn);
	     pfn < max(xen_p2m_size, xen_max_p2m_pfn) + 3 * XP2M_MID_SPAN;
	     pfn += XP2M_MID_SPAN - 1) {
		KUNIT_EXPECT_EQ_MSG(test, xp2m_lookup(p2m, pfn),
				    __pfn_to_mfn(pfn), "pfn %#lx", pfn);
		KUNIT_EXPECT_EQ_MSG(test, xp2m_lookup(p2m, pfn),
				    XP2M_IDENTITY_FRAME(pfn), "pfn %#lx", pfn);
		KUNIT_EXPECT_EQ_MSG(test, xp2m_mfn_to_pfn(&x->m2p, pfn),
				    mfn_to_pfn(pfn), "mfn %#lx", pfn);
	}
}

/* Compare the leaves a toolstack reader hands over with the tree. */
struct t_lin_cmp {
	const struct xp2m *p2m;
	unsigned long leaves;
	unsigned long differ;
};

static int t_lin_cmp_leaf(void *ctx, unsigned long first, unsigned long mfn,
			  const unsigned long *e, unsigned int nr)
{
	struct t_lin_cmp *c = ctx;
	unsigned int i;

	c->leaves++;
	for (i = 0; i < nr; i++)
		if (e[i] != xp2m_lookup_raw(c->p2m, first + i))
			c->differ++;
	if (!(c->leaves & 511))
		cond_resched();
	return 0;
}

/* Read @p2m through the fields @si, as a toolstack would: every leaf. */
static void t_lin_read(struct kunit *test, struct xp2m *p2m,
		       const struct xp2m_shared_info *si)
{
	struct t_lin_cmp c = { .p2m = p2m };
	struct xp2m_lin_report rep;
	int err;

	err = xp2m_linear_read(xp2m_x86_backend(), si, t_lin_cmp_leaf, &c,
			       &rep);
	KUNIT_ASSERT_EQ_MSG(test, err, 0, "%s at level %u index %#lx (mfn %#lx)",
			    xp2m_lin_error_str(rep.error), rep.level, rep.index,
			    rep.mfn);
	KUNIT_EXPECT_EQ(test, rep.max_pfn, si->max_pfn);
	KUNIT_EXPECT_EQ(test, c.leaves, DIV_ROUND_UP(si->max_pfn,
						     XP2M_PER_PAGE));
	KUNIT_EXPECT_EQ(test, c.differ, 0UL);
}

/*
 * The live instance's linear view, under the kernel's own page directory:
 * every slot maps the instance's leaf (the kernel's page), read-only, so a
 * stray store through it faults and changes nothing; a toolstack reader
 * reads it back by machine frame. Page tables: one of its own per GiB with
 * a mid of its own, four more, nothing else left behind.
 */
static void live_linear(struct kunit *test)
{
	const struct shared_info *real =
		(const void *)fix_to_virt(FIX_PARAVIRT_BOOTMAP);
	struct xp2m_x86 *x = t_import(test, 0);
	struct xp2m *p2m = x->p2m;
	const struct xp2m_shared_info *si = xp2m_shared_info(p2m);
	unsigned long pfn, bad = 0, hole, word = 0x5a5a, before;
	long pages = xp2m_x86_backend_pages();

	KUNIT_ASSERT_EQ(test, xp2m_linear_build(p2m), 0);
	KUNIT_EXPECT_EQ(test, si->p2m_cr3, READ_ONCE(real->arch.p2m_cr3));
	KUNIT_EXPECT_EQ(test, si->p2m_vaddr, (unsigned long)p2m->linear);
	KUNIT_EXPECT_EQ(test, si->p2m_vaddr & (SZ_1G - 1), 0UL);
	KUNIT_EXPECT_EQ(test, p2m->counts.linear_tables, 4 + p2m->counts.mids);
	KUNIT_EXPECT_EQ(test, xp2m_x86_backend_pages() - pages,
			(long)p2m->counts.linear_tables);
	for (pfn = 0; pfn < p2m->max_pfn; pfn += pfn < p2m->nr_pages ? 1 : 509)
		if (xp2m_linear_lookup(p2m, pfn) != xp2m_lookup(p2m, pfn))
			bad++;
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	t_lin_read(test, p2m, si);

	/* Read-only everywhere: a hole's slot and a RAM slot alike. */
	hole = t_shared_gib(test, p2m);
	KUNIT_EXPECT_EQ(test, xp2m_kpte_writable((unsigned long)
						 &p2m->linear[hole]), 0);
	KUNIT_EXPECT_EQ(test, xp2m_kpte_writable((unsigned long)
						 &p2m->linear[0]), 0);
	before = xp2m_lookup_raw(p2m, hole);
	KUNIT_EXPECT_EQ(test, t_store_nofault(&p2m->linear[hole], word),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, xp2m_lookup_raw(p2m, hole), before);
	/* Both of the kernel's shared pages hold invalid words only. */
	KUNIT_EXPECT_EQ(test, READ_ONCE(xen_p2m_addr[hole]),
			XP2M_INVALID_ENTRY);

	/* Teardown gives back every page-table page it took (live_exit). */
}

/* The real shared_info's p2m fields, in the layout the core publishes. */
static struct xp2m_shared_info *t_real(void)
{
	struct shared_info *si = (void *)fix_to_virt(FIX_PARAVIRT_BOOTMAP);

	return (struct xp2m_shared_info *)&si->arch;
}

static void t_frame_list_read(struct kunit *test, struct xp2m *p2m,
			      const struct xp2m_shared_info *si)
{
	struct t_lin_cmp c = { .p2m = p2m };
	struct xp2m_fl_report rep;

	KUNIT_EXPECT_EQ(test, xp2m_frame_list_read(xp2m_x86_backend(),
						   si->pfn_to_mfn_frame_list_list,
						   si->max_pfn, t_lin_cmp_leaf,
						   &c, &rep), 0);
	KUNIT_EXPECT_EQ(test, c.differ, 0UL);
	KUNIT_EXPECT_EQ(test, c.leaves, DIV_ROUND_UP(si->max_pfn,
						     XP2M_PER_PAGE));
}

/*
 * Publication in the domain's real shared_info: the instance's fields
 * replace the kernel's, which come back on withdrawal; the generation only
 * moves forward, by two around each change. A new leaf of the kernel's while
 * published moves it by four (the kernel's two, and the bracket that stays
 * open until the instance shows the leaf), and the kernel's raise of
 * max_pfn meanwhile is what withdrawal gives back.
 */
static void live_publish(struct kunit *test)
{
	struct xp2m_shared_info *real = t_real(), kernel = *real;
	struct xp2m_x86 *x = t_import(test, 0), *other = t_import(test, 1);
	unsigned long gen, pfn, kmax;

	t_follow(test, x);
	t_follow(test, other);
	KUNIT_ASSERT_EQ(test, xp2m_linear_build(x->p2m), 0);
	KUNIT_ASSERT_EQ(test, xp2m_linear_build(other->p2m), 0);
	KUNIT_ASSERT_PTR_EQ(test, xp2m_x86_published(), NULL);
	gen = READ_ONCE(real->p2m_generation);
	KUNIT_EXPECT_EQ(test, gen & 1, 0UL);

	KUNIT_ASSERT_EQ(test, xp2m_x86_publish(x), 0);
	KUNIT_EXPECT_PTR_EQ(test, xp2m_x86_published(), x);
	KUNIT_EXPECT_EQ(test, real->p2m_generation, gen + 2);
	KUNIT_EXPECT_EQ(test, real->p2m_vaddr, x->p2m->si.p2m_vaddr);
	KUNIT_EXPECT_EQ(test, real->p2m_cr3, x->p2m->si.p2m_cr3);
	KUNIT_EXPECT_EQ(test, real->pfn_to_mfn_frame_list_list,
			x->p2m->si.pfn_to_mfn_frame_list_list);
	KUNIT_EXPECT_EQ(test, real->max_pfn, x->p2m->si.max_pfn);
	KUNIT_EXPECT_NE(test, real->p2m_vaddr, kernel.p2m_vaddr);
	t_lin_read(test, x->p2m, real);
	t_frame_list_read(test, x->p2m, real);
	/* Again: nothing changes. Another instance: refused. */
	KUNIT_EXPECT_EQ(test, xp2m_x86_publish(x), 0);
	KUNIT_EXPECT_EQ(test, real->p2m_generation, gen + 2);
	KUNIT_EXPECT_EQ(test, xp2m_x86_publish(other), -EEXIST);
	KUNIT_EXPECT_EQ(test, real->p2m_generation, gen + 2);

	/*
	 * The kernel makes a leaf past everything it had: a page-table page
	 * and a leaf, each moving the generation by two, inside the bracket
	 * that opens as it is called and closes once the leaf is shown.
	 */
	pfn = t_shared_gib(test, x->p2m) + XP2M_MID_SPAN - XP2M_PER_PAGE;
	kmax = max(kernel.max_pfn, pfn + XP2M_PER_PAGE);
	KUNIT_ASSERT_EQ(test, xen_alloc_p2m_entry(pfn), 0);
	xp2m_x86_follow_flush();
	KUNIT_EXPECT_EQ(test, real->p2m_generation, gen + 8);
	KUNIT_EXPECT_EQ(test, real->max_pfn, x->p2m->si.max_pfn);
	KUNIT_EXPECT_EQ(test, x->p2m->si.max_pfn, pfn + XP2M_PER_PAGE);
	KUNIT_EXPECT_PTR_EQ(test, xp2m_leaf_of(x->p2m, pfn),
			    t_kernel_leaf(pfn));
	t_lin_read(test, x->p2m, real);
	t_frame_list_read(test, x->p2m, real);

	KUNIT_EXPECT_EQ(test, xp2m_x86_withdraw(x), 0);
	KUNIT_EXPECT_PTR_EQ(test, xp2m_x86_published(), NULL);
	KUNIT_EXPECT_EQ(test, real->p2m_generation, gen + 10);
	KUNIT_EXPECT_EQ(test, real->p2m_vaddr, kernel.p2m_vaddr);
	KUNIT_EXPECT_EQ(test, real->p2m_cr3, kernel.p2m_cr3);
	KUNIT_EXPECT_EQ(test, real->pfn_to_mfn_frame_list_list,
			kernel.pfn_to_mfn_frame_list_list);
	KUNIT_EXPECT_EQ(test, real->max_pfn, kmax);
	/* Withdrawn twice: nothing more moves. */
	KUNIT_EXPECT_EQ(test, xp2m_x86_withdraw(x), 0);
	KUNIT_EXPECT_EQ(test, real->p2m_generation, gen + 10);
	xp2m_x86_unfollow(other);
	xp2m_x86_unfollow(x);
}

/*
 * The kernel gives a missing GiB a leaf (as the balloon or a grant mapping
 * would, through xen_alloc_p2m_entry()): a followed instance shows the new
 * leaf at once, in every view, and notes it; one imported before and not
 * followed still shows the hole, and verification reports exactly that
 * leaf. An entry written through the followed one is the kernel's.
 */
static void live_follow(struct kunit *test)
{
	struct xp2m_x86 *still = t_import(test, 0), *x = t_import(test, 1);
	unsigned long pfn, *leaf, mids, tables, seq, was, other, bound;
	enum xp2m_what from;
	const struct xp2m_change *note;
	struct xp2m_x86_report *rep;
	long missed = xp2m_x86_follow_missed();

	t_follow(test, x);
	KUNIT_ASSERT_EQ(test, xp2m_linear_build(x->p2m), 0);
	pfn = t_shared_gib(test, x->p2m) + 3 * XP2M_PER_PAGE;
	was = t_shared_value(x->p2m, pfn + 1);
	other = t_other_value(x->p2m, pfn + 1);
	from = xp2m_leaf_kind(x->p2m, pfn) == XP2M_LEAF_IDENTITY ?
	       XP2M_WHAT_SHARED_IDENTITY : XP2M_WHAT_SHARED_MISSING;
	mids = x->p2m->counts.mids;
	tables = x->p2m->counts.linear_tables;
	bound = max(x->p2m->si.max_pfn, pfn + XP2M_PER_PAGE);

	seq = x->p2m->changes.seq;
	KUNIT_ASSERT_EQ(test, xen_alloc_p2m_entry(pfn), 0);
	xp2m_x86_follow_flush();
	leaf = t_kernel_leaf(pfn);
	KUNIT_EXPECT_FALSE(test, t_kernel_hole(pfn));
	KUNIT_EXPECT_PTR_EQ(test, xp2m_leaf_of(x->p2m, pfn), leaf);
	KUNIT_EXPECT_EQ(test, xp2m_leaf_kind(x->p2m, pfn), XP2M_LEAF_BORROWED);
	KUNIT_EXPECT_EQ(test, x->p2m->counts.mids, mids + 1);
	KUNIT_EXPECT_EQ(test, x->p2m->counts.linear_tables, tables + 1);
	KUNIT_EXPECT_EQ(test, x->p2m->si.max_pfn, bound);
	KUNIT_EXPECT_EQ(test, x->p2m->changes.seq, seq + 1);
	note = &x->p2m->changes.ring[seq % XP2M_NR_CHANGES];
	KUNIT_EXPECT_EQ(test, note->start, pfn);
	KUNIT_EXPECT_EQ(test, note->end, pfn + XP2M_PER_PAGE);
	KUNIT_EXPECT_EQ(test, note->from, from);
	KUNIT_EXPECT_EQ(test, note->to, XP2M_WHAT_LEAF);
	KUNIT_EXPECT_EQ(test, note->cause, XP2M_CAUSE_NEW_LEAF);
	t_expect_clean(test, t_verify(test, x, 4));
	t_lin_read(test, x->p2m, xp2m_shared_info(x->p2m));

	/* Written through the instance: the kernel's entry, the view's. */
	KUNIT_ASSERT_EQ(test, xp2m_set(x->p2m, pfn + 1, other), 0);
	KUNIT_EXPECT_EQ(test, get_phys_to_machine(pfn + 1), other);
	KUNIT_EXPECT_EQ(test, xp2m_linear_lookup(x->p2m, pfn + 1), other);

	/* Not followed: the hole it still shows is one leaf of difference. */
	KUNIT_EXPECT_NE(test, xp2m_leaf_kind(still->p2m, pfn),
			XP2M_LEAF_BORROWED);
	rep = t_verify(test, still, 4);
	KUNIT_EXPECT_EQ(test, rep->kinds[XP2M_X86_LEAF], XP2M_PER_PAGE);
	KUNIT_EXPECT_EQ(test, rep->kinds[XP2M_X86_CLASS], 1UL);
	KUNIT_EXPECT_EQ(test, rep->mismatched, XP2M_PER_PAGE);
	KUNIT_ASSERT_EQ(test, rep->nr_listed, 2U);
	t_expect_run(test, &rep->listed[0], pfn + 1, 1, XP2M_X86_CLASS, was,
		     other, XP2M_INVALID_ENTRY);
	t_expect_run(test, &rep->listed[1], pfn, XP2M_PER_PAGE, XP2M_X86_LEAF,
		     (unsigned long)xp2m_leaf_of(still->p2m, pfn),
		     (unsigned long)leaf, XP2M_INVALID_ENTRY);
	/* A sync catches up with what it missed. */
	KUNIT_EXPECT_EQ(test, xp2m_x86_sync(still), 1L);
	KUNIT_EXPECT_PTR_EQ(test, xp2m_leaf_of(still->p2m, pfn), leaf);

	KUNIT_ASSERT_EQ(test, xp2m_set(x->p2m, pfn + 1, was), 0);
	t_expect_clean(test, t_verify(test, still, 4));
	KUNIT_EXPECT_EQ(test, get_phys_to_machine(pfn + 1), was);
	KUNIT_EXPECT_EQ(test, xp2m_x86_follow_missed(), missed);
	xp2m_x86_unfollow(x);
}

/*
 * What verification finds in a domain whose p2m and M2P disagree: an entry
 * (written through the instance, so the kernel's too) naming a frame whose
 * M2P entry is another pfn, on a hole; and an identity entry on RAM.
 */
static void live_verify_finds(struct kunit *test)
{
	struct xp2m_x86 *x = t_import(test, 0);
	struct xp2m *p2m = x->p2m;
	struct xp2m_x86_report base, *rep;
	unsigned long hole, was, frame = xp2m_lookup(p2m, 0x1000);
	struct page *page;
	unsigned long pfn;

	/* A page of ours with no frame: its entry is ours to write. */
	KUNIT_ASSERT_EQ(test, xen_alloc_ballooned_pages(1, &page), 0);
	pfn = page_to_pfn(page);
	base = *t_verify(test, x, 16);
	t_expect_clean(test, &base);
	hole = t_shared_gib(test, p2m);
	was = t_shared_value(p2m, hole);
	t_follow(test, x);

	KUNIT_ASSERT_EQ(test, xp2m_set(p2m, pfn, XP2M_IDENTITY_FRAME(pfn)), 0);
	KUNIT_ASSERT_EQ(test, xp2m_set(p2m, hole, frame), 0);
	xp2m_x86_follow_flush();
	rep = t_verify(test, x, 16);
	KUNIT_EXPECT_EQ(test, rep->kinds[XP2M_X86_IDENTITY_ON_RAM], 1UL);
	KUNIT_EXPECT_EQ(test, rep->kinds[XP2M_X86_M2P], 1UL);
	KUNIT_EXPECT_EQ(test, rep->kinds[XP2M_X86_FRAME_ON_HOLE], 1UL);
	KUNIT_EXPECT_EQ(test, rep->kinds[XP2M_X86_CLASS], 0UL);
	KUNIT_EXPECT_EQ(test, rep->kinds[XP2M_X86_LEAF], 0UL);
	KUNIT_EXPECT_EQ(test, rep->mismatched, 2UL);
	KUNIT_ASSERT_EQ(test, rep->nr_listed, 3U);
	t_expect_run(test, &rep->listed[0], pfn, 1, XP2M_X86_IDENTITY_ON_RAM,
		     XP2M_IDENTITY_FRAME(pfn), XP2M_IDENTITY_FRAME(pfn),
		     XP2M_INVALID_ENTRY);
	t_expect_run(test, &rep->listed[1], hole, 1, XP2M_X86_M2P, frame, frame,
		     0x1000);
	t_expect_run(test, &rep->listed[2], hole, 1, XP2M_X86_FRAME_ON_HOLE,
		     frame, frame, 0x1000);

	KUNIT_ASSERT_EQ(test, xp2m_set(p2m, pfn, XP2M_INVALID_ENTRY), 0);
	KUNIT_ASSERT_EQ(test, xp2m_set(p2m, hole, was), 0);
	rep = t_verify(test, x, 16);
	t_expect_clean(test, rep);
	KUNIT_EXPECT_EQ(test, rep->ours[XP2M_TYPE_PFN],
			base.ours[XP2M_TYPE_PFN]);
	xp2m_x86_unfollow(x);
	xen_free_ballooned_pages(1, &page);
}

/* Verify @x against another memory map, then put its own back. */
static struct xp2m_x86_report *t_verify_with(struct kunit *test,
					     struct xp2m_x86 *x,
					     const struct t_e820 *hv,
					     unsigned int nr_hv,
					     const struct xp2m_x86_range *kram,
					     unsigned int nr_kram)
{
	struct xp2m_x86_map own = x->map, other;
	struct xp2m_x86_report *rep;

	KUNIT_ASSERT_EQ(test, xp2m_x86_map_build(&other,
						 t_hv(test, hv, nr_hv), nr_hv,
						 xen_initial_domain(),
						 own.nr_pages, own.max_pfn,
						 kram, nr_kram), 0);
	x->map = other;
	rep = t_verify(test, x, 4);
	x->map = own;
	xp2m_x86_map_free(&other);
	return rep;
}

/* Identity on RAM and frames on holes, against maps that say so. */
static void live_verify_map(struct kunit *test)
{
	struct xp2m_x86 *x = t_import(test, 0);
	const struct xp2m_x86_range all = R(0, x->map.max_pfn);
	const struct t_e820 ram = E(0, PFN_PHYS((u64)x->map.max_pfn), E820_TYPE_RAM);
	const struct t_e820 none = E(0, PFN_PHYS((u64)x->map.max_pfn),
				     E820_TYPE_RESERVED);
	struct xp2m_x86_report base, *rep;

	base = *t_verify(test, x, 4);
	t_expect_clean(test, &base);

	/* All RAM: every identity entry is on RAM. */
	rep = t_verify_with(test, x, &ram, 1, &all, 1);
	KUNIT_EXPECT_EQ(test, rep->kinds[XP2M_X86_IDENTITY_ON_RAM],
			base.kernel[XP2M_TYPE_IDENTITY]);
	KUNIT_EXPECT_EQ(test, rep->kinds[XP2M_X86_FRAME_ON_HOLE], 0UL);
	KUNIT_EXPECT_EQ(test, rep->kinds[XP2M_X86_CLASS], 0UL);
	KUNIT_EXPECT_EQ(test, rep->mismatched, base.kernel[XP2M_TYPE_IDENTITY]);
	KUNIT_EXPECT_EQ(test, rep->balloon,
			base.balloon + base.hole_missing);

	/* No RAM: every frame is on a hole. */
	rep = t_verify_with(test, x, &none, 1, NULL, 0);
	KUNIT_EXPECT_EQ(test, rep->kinds[XP2M_X86_FRAME_ON_HOLE],
			base.kernel[XP2M_TYPE_PFN]);
	KUNIT_EXPECT_EQ(test, rep->kinds[XP2M_X86_IDENTITY_ON_RAM], 0UL);
	KUNIT_EXPECT_EQ(test, rep->mismatched, base.kernel[XP2M_TYPE_PFN]);
	KUNIT_EXPECT_EQ(test, rep->balloon, 0UL);

	t_expect_clean(test, t_verify(test, x, 4));
}

/*
 * A page of ours granted to ourselves and mapped back through the kernel's
 * grant table: the kernel's p2m gets a foreign entry on a scratch page, in
 * a section of hole it may give leaves just now. A followed instance shows
 * all of that at once, as it happens: the entry, in the kernel's leaf, and
 * any new leaf; it verifies clean throughout.
 */
static void live_foreign(struct kunit *test)
{
	struct gnttab_unmap_grant_ref unmap;
	struct gnttab_map_grant_ref map;
	struct xp2m_x86_report *rep;
	unsigned long mfn, spfn, addr, want;
	struct page *page, *scratch;
	struct xp2m_x86 *x;
	int ref;

	if (!xen_initial_domain())
		kunit_skip(test, "granting to itself needs the domain id: dom0 only");
	x = t_import(test, 0);
	t_follow(test, x);
	t_expect_clean(test, t_verify(test, x, 4));

	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	mfn = pfn_to_mfn(page_to_pfn(page));
	ref = gnttab_grant_foreign_access(0, mfn, 0);
	if (ref < 0) {
		__free_page(page);
		KUNIT_FAIL(test, "grant: %d", ref);
		return;
	}
	if (gnttab_alloc_pages(1, &scratch)) {
		gnttab_end_foreign_access(ref, page);
		KUNIT_FAIL(test, "no scratch page");
		return;
	}
	spfn = page_to_pfn(scratch);
	addr = (unsigned long)pfn_to_kaddr(spfn);
	gnttab_set_map_op(&map, addr, GNTMAP_host_map, ref, 0);
	KUNIT_EXPECT_EQ(test, gnttab_map_refs(&map, NULL, &scratch, 1), 0);
	KUNIT_EXPECT_EQ(test, map.status, GNTST_okay);
	want = XP2M_FOREIGN_FRAME(mfn);
	KUNIT_EXPECT_EQ(test, get_phys_to_machine(spfn), want);

	if (map.status == GNTST_okay) {
		xp2m_x86_follow_flush();
		KUNIT_EXPECT_EQ(test, xp2m_lookup(x->p2m, spfn), want);
		KUNIT_EXPECT_PTR_EQ(test, xp2m_leaf_of(x->p2m, spfn),
				    t_kernel_leaf(spfn));
		rep = t_verify(test, x, 4);
		t_expect_clean(test, rep);
		KUNIT_EXPECT_EQ(test, rep->ours[XP2M_TYPE_FOREIGN], 1UL);
		KUNIT_EXPECT_EQ(test, rep->hole_foreign, 1UL);

		gnttab_set_unmap_op(&unmap, addr, GNTMAP_host_map, map.handle);
		KUNIT_EXPECT_EQ(test, gnttab_unmap_refs(&unmap, NULL, &scratch,
							1), 0);
		KUNIT_EXPECT_EQ(test, unmap.status, GNTST_okay);
		KUNIT_EXPECT_EQ(test, xp2m_lookup(x->p2m, spfn),
				XP2M_INVALID_ENTRY);
		t_expect_clean(test, t_verify(test, x, 4));
	}
	gnttab_free_pages(1, &scratch);
	gnttab_end_foreign_access(ref, page);
	xp2m_x86_unfollow(x);
}

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
	kmap = xp2m_x86_kmap_pte(target);
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
	mapped = xp2m_x86_kmap_pte(target);
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
	KUNIT_EXPECT_EQ(test, xp2m_x86_kmap_pte(target), mapped);
	KUNIT_EXPECT_EQ(test, xp2m_x86_grant_unmap(&x->m2p, other, handle),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, xp2m_x86_grant_unmap(&x->m2p, target,
						   handle + 1000), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_x86_kmap_pte(target), mapped);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(x->p2m, tpfn),
			XP2M_FOREIGN_FRAME(lmfn));

	KUNIT_EXPECT_EQ(test, xp2m_x86_grant_unmap(&x->m2p, target, handle), 0);
	KUNIT_EXPECT_EQ(test, xp2m_x86_kmap_pte(target), kmap);
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

/* The module's hypercalls so far, by hypercall. */
static void t_hypercalls(unsigned long *n)
{
	unsigned int i;

	for (i = 0; i < XP2M_X86_NR_HCALLS; i++)
		n[i] = xp2m_x86_hypercalls(i);
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
	*kmap = xp2m_x86_kmap_pte(target);
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
	mapped = xp2m_x86_kmap_pte(target);
	KUNIT_EXPECT_NE(test, mapped, kmap);

	t_hypercalls(before);
	KUNIT_EXPECT_EQ(test, xp2m_x86_grant_map(&x->m2p, target, 0, ref2, &h2),
			-EEXIST);
	t_hypercalls(after);
	for (i = 0; i < XP2M_X86_NR_HCALLS; i++)
		KUNIT_EXPECT_EQ_MSG(test, after[i], before[i],
				    "hypercall %u issued for a refused mapping", i);
	KUNIT_EXPECT_EQ(test, xp2m_x86_kmap_pte(target), mapped);
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
	KUNIT_EXPECT_EQ(test, xp2m_x86_kmap_pte(target), kmap);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(page_address(target), 0x5a,
					     PAGE_SIZE), NULL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&x->m2p.count), 0L);
	/* Nothing maps the first grant any more either. */
	KUNIT_ASSERT_TRUE(test, gnttab_try_end_foreign_access(ref1));
	__free_page(first);
	__free_page(second);
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
	KUNIT_EXPECT_EQ(test, xp2m_x86_kmap_pte(target), kmap);
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
	KUNIT_EXPECT_EQ(test, xp2m_x86_kmap_pte(w->target), w->kmap);
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
	       !xp2m_x86_kmap_pte(t->pages[i]);
}

/*
 * Page @i has a frame of its own, known alike to the instance, the kernel's
 * p2m, the M2P and the page's mapping.
 */
static bool t_bal_in(struct t_bal *t, unsigned long i)
{
	struct xp2m_backend *be = xp2m_x86_backend();
	unsigned long pfn = t->pfns[i], mfn = xp2m_lookup(t->x->p2m, pfn);
	u64 pte = xp2m_x86_kmap_pte(t->pages[i]);

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
	 * All the module asked of Xen: a reservation call and a TLB flush a
	 * batch; a page in, an update_va_mapping to see that Xen takes its
	 * frame and the kernel's helper's to map it; a page out, the
	 * helper's to unmap it. Nothing for the M2P: populate_physmap wrote
	 * it.
	 */
	t_hypercalls(hc1);
	for (i = 0; i < XP2M_X86_NR_HCALLS; i++)
		total += hc1[i] - hc0[i];
	KUNIT_EXPECT_EQ(test, hc1[XP2M_X86_MEMORY_OP] - hc0[XP2M_X86_MEMORY_OP],
			t.b.hypercalls);
	KUNIT_EXPECT_EQ(test, hc1[XP2M_X86_MMUEXT_OP] - hc0[XP2M_X86_MMUEXT_OP],
			5UL);
	KUNIT_EXPECT_EQ(test, hc1[XP2M_X86_UPDATE_VA_MAPPING] -
			hc0[XP2M_X86_UPDATE_VA_MAPPING], 3UL * NR_BAL);
	KUNIT_EXPECT_EQ(test, total, 5 + 5 + 3UL * NR_BAL);
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

/*
 * Every allocation of an import failed in turn (xp2m_fault_sweep()): the
 * instance, the memory map's buffers (memmap.c), the boot list and its
 * pages, the core's pages and arrays, the frame list, and whatever the
 * kernel allocates on their behalf. A failure must give -ENOMEM and give
 * back every page: the backend's, the boot list's (slab objects: kmemleak,
 * after the run). An import that went through must verify clean.
 */
struct t_import_sweep {
	struct xp2m_x86 *x;
	long pages;
	long list_pages;
};

static void t_import_before(struct kunit *test, void *arg)
{
	struct t_import_sweep *w = arg;

	w->pages = xp2m_x86_backend_pages();
	w->list_pages = xp2m_list_pages();
}

static int t_import_run(struct kunit *test, void *arg)
{
	struct t_import_sweep *w = arg;
	struct xp2m_x86 *x = xp2m_x86_import("faults");

	if (IS_ERR(x))
		return PTR_ERR(x);
	w->x = x;
	return 0;
}

static void t_import_after(struct kunit *test, void *arg, int err)
{
	struct t_import_sweep *w = arg;

	if (!err) {
		t_expect_clean(test, t_verify(test, w->x, 4));
		xp2m_x86_free(w->x);
		w->x = NULL;
	}
	KUNIT_EXPECT_EQ(test, xp2m_x86_backend_pages(), w->pages);
	KUNIT_EXPECT_EQ(test, xp2m_list_pages(), w->list_pages);
}

static void live_faults(struct kunit *test)
{
	static const struct xp2m_fault_op op = {
		.name = "xp2m_x86_import",
		.before = t_import_before,
		.run = t_import_run,
		.after = t_import_after,
	};
	struct t_import_sweep w = { };

	struct xp2m *p2m = t_import(test, 0)->p2m;

	/*
	 * Zero copy: the import allocates no leaves, but a mid and a page of
	 * frame list per GiB with leaves, one at a time.
	 */
	KUNIT_EXPECT_GE(test, xp2m_fault_sweep(test, &op, &w),
			(unsigned int)(p2m->counts.mids + p2m->counts.fl_pages));
}

static struct kunit_case live_cases[] = {
	KUNIT_CASE(live_import),
	KUNIT_CASE(live_linear),
	KUNIT_CASE(live_publish),
	KUNIT_CASE(live_follow),
	KUNIT_CASE(live_verify_finds),
	KUNIT_CASE(live_verify_map),
	KUNIT_CASE(live_foreign),
	KUNIT_CASE(live_grant_ballooned),
	KUNIT_CASE(live_grant_over_frame),
	KUNIT_CASE(live_grant_twice),
	KUNIT_CASE(live_grant_entry_changed),
	KUNIT_CASE(live_grant_faults),
	KUNIT_CASE(live_reservation),
	KUNIT_CASE(live_reservation_stale),
	KUNIT_CASE(live_balloon),
	KUNIT_CASE(live_faults),
	{}
};

static struct kunit_suite live_suite = {
	.name = "xp2m_x86_live",
	.init = live_init,
	.exit = live_exit,
	.test_cases = live_cases,
};

kunit_test_suites(&map_suite, &backend_suite, &live_suite);

MODULE_DESCRIPTION("xp2m: KUnit suites of the Xen PV backend and live import");
MODULE_LICENSE("GPL");
MODULE_VERSION(XP2M_VERSION);
