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
#include <xp2m/x86.h>

#include "fault.h"

#define E820_RAM	1
#define E820_RESERVED	2
#define E820_UNUSABLE	5

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
	E(0x0, 0x9fc00, E820_RAM),
	E(0x9fc00, 0xa0000, E820_RESERVED),
	E(0xf0000, 0x100000, E820_RESERVED),
	E(0x100000, 0x3ffdf000, E820_RAM),
	E(0x3ffdf000, 0x40000000, E820_RESERVED),
	E(0xb0000000, 0xc0000000, E820_RESERVED),
	E(0xfec00000, 0xfec01000, E820_RESERVED),
	E(0xfed1c000, 0xfed20000, E820_RESERVED),
	E(0xfee00000, 0xfef00000, E820_RESERVED),
	E(0xfffc0000, 0x100000000ULL, E820_RESERVED),
	E(0xfd00000000ULL, 0x10000000000ULL, E820_RESERVED),
};

/* Under QEMU -m 6G: RAM to 2 GiB, the PCI hole, RAM from 4 to 8 GiB. */
static const struct t_e820 map_6g[] = {
	E(0x0, 0x9fc00, E820_RAM),
	E(0x9fc00, 0xa0000, E820_RESERVED),
	E(0xf0000, 0x100000, E820_RESERVED),
	E(0x100000, 0x7ffdf000, E820_RAM),
	E(0x7ffdf000, 0x80000000, E820_RESERVED),
	E(0xb0000000, 0xc0000000, E820_RESERVED),
	E(0xfed1c000, 0xfed20000, E820_RESERVED),
	E(0xfffc0000, 0x100000000ULL, E820_RESERVED),
	E(0x100000000ULL, 0x200000000ULL, E820_RAM),
	E(0xfd00000000ULL, 0x10000000000ULL, E820_RESERVED),
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
		E(0x0, 0x40000000, E820_RAM),
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
		E(0x0, 0x1000000, E820_RAM),
		E(0x1000000, 0x2000000, E820_UNUSABLE),
		E(0x2000000, 0x3000000, E820_RAM),
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
		E(0x0, 0x1000000, E820_RAM),
		E(0x400800, 0x500000, E820_RESERVED),
	};
	static const struct xp2m_x86_range want_overlap[] = {
		R(0x0, 0x400), R(0x500, 0x1000),
	};
	static const struct t_e820 unaligned[] = {
		E(0x1800, 0x5800, E820_RAM),
	};
	static const struct xp2m_x86_range want_unaligned[] = { R(0x2, 0x5) };
	static const struct t_e820 adjacent[] = {
		E(0x1800, 0x3000, E820_RAM),	/* out of order on purpose */
		E(0x0, 0x1800, E820_RAM),
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

	KUNIT_EXPECT_NULL(test, be->ops->map_frame(be, be->max_mfn + 1));
	KUNIT_EXPECT_NULL(test, be->ops->map_frame(be, ~0UL));
	/* Xen's own page: shared_info. */
	KUNIT_EXPECT_NULL(test, be->ops->map_frame(be, shinfo));
	KUNIT_EXPECT_EQ(test, be->ops->m2p(be, ~0UL), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, be->ops->m2p(be, machine_to_phys_nr),
			XP2M_INVALID_ENTRY);
	/* The live backend never writes the M2P and builds no domain. */
	KUNIT_EXPECT_TRUE(test, !be->ops->set_m2p);
	KUNIT_EXPECT_TRUE(test, !be->ops->assign_frame);
	KUNIT_EXPECT_TRUE(test, !be->ops->bind_page);
	KUNIT_EXPECT_TRUE(test, !be->ops->set_pool);
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
	long pages;
};

static struct live_ctx *live_ctx(struct kunit *test)
{
	struct live_ctx *c = test->priv;

	if (!c) {
		c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, c);
		c->pages = xp2m_x86_backend_pages();
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

static void live_exit(struct kunit *test)
{
	struct live_ctx *c = test->priv;

	if (!c)
		return;
	xp2m_x86_free(c->x[0]);
	xp2m_x86_free(c->x[1]);
	kvfree(c->rep);
	/* Every page the instances allocated came back. */
	KUNIT_EXPECT_EQ(test, xp2m_x86_backend_pages(), c->pages);
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

/* The import holds the kernel's entries, word for word, and verifies clean. */
static void live_import(struct kunit *test)
{
	struct xp2m_x86 *x = t_import(test, 0);
	const struct xp2m *p2m = x->p2m;
	struct xp2m_x86_report *rep;
	unsigned long pfn, bad = 0;

	KUNIT_EXPECT_EQ(test, p2m->max_pfn, xen_p2m_size);
	KUNIT_EXPECT_EQ(test, p2m->nr_pages, xen_start_info->nr_pages);
	KUNIT_EXPECT_EQ(test, x->unimported, 0UL);
	rep = t_verify(test, x, 16);
	t_expect_clean(test, rep);
	/* Every page the domain owns, exactly once. */
	KUNIT_EXPECT_EQ(test, rep->ours[XP2M_TYPE_PFN],
			(unsigned long)t_reservation());

	/* What get_phys_to_machine() says, for every page the domain got. */
	for (pfn = 0; pfn < p2m->nr_pages; pfn++)
		if (xp2m_lookup(p2m, pfn) != get_phys_to_machine(pfn) &&
		    bad++ < 4)
			KUNIT_FAIL(test, "pfn %#lx: ours %#lx, kernel %#lx", pfn,
				   xp2m_lookup(p2m, pfn),
				   get_phys_to_machine(pfn));
	/* And the stored word at both ends of every leaf, as dumps read it. */
	for (pfn = 0; pfn < p2m->max_pfn; pfn += XP2M_PER_PAGE) {
		unsigned long last = pfn + XP2M_PER_PAGE - 1;

		if ((xp2m_lookup_raw(p2m, pfn) != READ_ONCE(xen_p2m_addr[pfn]) ||
		     xp2m_lookup_raw(p2m, last) !=
		     READ_ONCE(xen_p2m_addr[last]) ||
		     xp2m_lookup(p2m, pfn) != get_phys_to_machine(pfn)) &&
		    bad++ < 4)
			KUNIT_FAIL(test, "leaf at pfn %#lx differs", pfn);
		if (pfn % XP2M_MID_SPAN == 0)
			cond_resched();
	}
	KUNIT_EXPECT_EQ(test, bad, 0UL);

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

static void t_lin_read(struct kunit *test, struct xp2m *p2m)
{
	struct t_lin_cmp c = { .p2m = p2m };
	struct xp2m_lin_report rep;
	int err;

	err = xp2m_linear_read(xp2m_x86_backend(), xp2m_shared_info(p2m),
			       t_lin_cmp_leaf, &c, &rep);
	KUNIT_ASSERT_EQ_MSG(test, err, 0, "%s at level %u index %#lx (mfn %#lx)",
			    xp2m_lin_error_str(rep.error), rep.level, rep.index,
			    rep.mfn);
	KUNIT_EXPECT_EQ(test, rep.max_pfn, p2m->max_pfn);
	KUNIT_EXPECT_EQ(test, c.leaves, DIV_ROUND_UP(p2m->max_pfn,
						     XP2M_PER_PAGE));
	KUNIT_EXPECT_EQ(test, c.differ, 0UL);
}

/*
 * The live instance's linear p2m, published under the kernel's own page
 * directory and read back through the kernel's page tables by machine
 * frame, as Xen's toolstack reads a guest's: every leaf is the tree's. A
 * hole's leaf given a page of its own moves the generation by two and is
 * seen at once, through the view and by the reader.
 */
static void live_linear(struct kunit *test)
{
	const struct shared_info *real =
		(const void *)fix_to_virt(FIX_PARAVIRT_BOOTMAP);
	struct xp2m_x86 *x = t_import(test, 0);
	const struct xp2m_shared_info *si;
	struct xp2m *p2m = x->p2m;
	unsigned long pfn, bad = 0, gen, next;

	KUNIT_ASSERT_EQ(test, xp2m_linear_build(p2m), 0);
	si = xp2m_shared_info(p2m);
	KUNIT_EXPECT_EQ(test, si->p2m_cr3, READ_ONCE(real->arch.p2m_cr3));
	KUNIT_EXPECT_EQ(test, si->p2m_vaddr, (unsigned long)p2m->linear);
	KUNIT_EXPECT_EQ(test, si->p2m_vaddr & (SZ_1G - 1), 0UL);
	KUNIT_EXPECT_EQ(test, si->max_pfn, p2m->max_pfn);
	for (pfn = 0; pfn < p2m->max_pfn; pfn += pfn < p2m->nr_pages ? 1 : 509)
		if (xp2m_linear_lookup(p2m, pfn) != xp2m_lookup(p2m, pfn))
			bad++;
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	t_lin_read(test, p2m);

	/*
	 * The first leaf past the domain's memory that is a shared page (in
	 * dom0 the holes there are identity).
	 */
	for (pfn = ALIGN(p2m->nr_pages, XP2M_PER_PAGE); pfn < p2m->max_pfn;
	     pfn += XP2M_PER_PAGE)
		if (xp2m_leaf_kind(p2m, pfn) == XP2M_LEAF_MISSING ||
		    xp2m_leaf_kind(p2m, pfn) == XP2M_LEAF_IDENTITY)
			break;
	KUNIT_ASSERT_LT(test, pfn, p2m->max_pfn);
	next = xp2m_lookup(p2m, pfn + 4);
	gen = si->p2m_generation;
	KUNIT_ASSERT_EQ(test, xp2m_set(p2m, pfn + 3, xp2m_lookup(p2m, 0)), 0);
	KUNIT_EXPECT_EQ(test, si->p2m_generation, gen + 2);
	KUNIT_EXPECT_EQ(test, xp2m_leaf_kind(p2m, pfn), XP2M_LEAF_PRIVATE);
	KUNIT_EXPECT_EQ(test, xp2m_linear_lookup(p2m, pfn + 3),
			xp2m_lookup(p2m, 0));
	KUNIT_EXPECT_EQ(test, xp2m_linear_lookup(p2m, pfn + 4), next);
	t_lin_read(test, p2m);
}

/* Changes to our instance: each is reported, exactly, and undone. */
static void live_verify_finds(struct kunit *test)
{
	struct xp2m_x86 *x = t_import(test, 0);
	struct xp2m *p2m = x->p2m;
	struct xp2m_x86_report base, *rep;
	unsigned long f0 = xp2m_lookup(p2m, 0x1000);
	unsigned long f1 = xp2m_lookup(p2m, 0x1001);
	unsigned long f2 = xp2m_lookup(p2m, 0x1002);
	unsigned long g[3], hole = XP2M_IDENTITY_FRAME(0x9f);
	unsigned int i;

	for (i = 0; i < 3; i++)
		g[i] = xp2m_lookup(p2m, 0x2000 + i);
	KUNIT_ASSERT_EQ(test, xp2m_entry_type(f0), XP2M_TYPE_PFN);
	KUNIT_ASSERT_EQ(test, xp2m_lookup(p2m, 0x9f), hole);
	base = *t_verify(test, x, 16);
	t_expect_clean(test, &base);

	KUNIT_ASSERT_EQ(test, xp2m_set(p2m, 0x9f, XP2M_INVALID_ENTRY), 0);
	KUNIT_ASSERT_EQ(test, xp2m_set(p2m, 0x1000, XP2M_INVALID_ENTRY), 0);
	KUNIT_ASSERT_EQ(test, xp2m_set(p2m, 0x1001, f2), 0);
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, xp2m_set(p2m, 0x2000 + i,
					       XP2M_INVALID_ENTRY), 0);

	rep = t_verify(test, x, 16);
	KUNIT_EXPECT_EQ(test, rep->kinds[XP2M_X86_CLASS], 5UL);
	KUNIT_EXPECT_EQ(test, rep->kinds[XP2M_X86_VALUE], 1UL);
	KUNIT_EXPECT_EQ(test, rep->kinds[XP2M_X86_M2P], 1UL);
	KUNIT_EXPECT_EQ(test, rep->kinds[XP2M_X86_IDENTITY_ON_RAM], 0UL);
	KUNIT_EXPECT_EQ(test, rep->kinds[XP2M_X86_FRAME_ON_HOLE], 0UL);
	KUNIT_EXPECT_EQ(test, rep->mismatched, 6UL);
	KUNIT_EXPECT_EQ(test, rep->ours[XP2M_TYPE_MISSING],
			base.ours[XP2M_TYPE_MISSING] + 5);
	KUNIT_EXPECT_EQ(test, rep->ours[XP2M_TYPE_PFN],
			base.ours[XP2M_TYPE_PFN] - 4);
	KUNIT_EXPECT_EQ(test, rep->ours[XP2M_TYPE_IDENTITY],
			base.ours[XP2M_TYPE_IDENTITY] - 1);
	KUNIT_EXPECT_EQ(test, rep->kernel[XP2M_TYPE_PFN],
			base.kernel[XP2M_TYPE_PFN]);
	KUNIT_EXPECT_EQ(test, rep->balloon, base.balloon + 4);
	KUNIT_EXPECT_EQ(test, rep->hole_missing, base.hole_missing + 1);
	KUNIT_ASSERT_EQ(test, rep->nr_listed, 5U);
	t_expect_run(test, &rep->listed[0], 0x9f, 1, XP2M_X86_CLASS,
		     XP2M_INVALID_ENTRY, hole, XP2M_INVALID_ENTRY);
	t_expect_run(test, &rep->listed[1], 0x1000, 1, XP2M_X86_CLASS,
		     XP2M_INVALID_ENTRY, f0, XP2M_INVALID_ENTRY);
	t_expect_run(test, &rep->listed[2], 0x1001, 1, XP2M_X86_VALUE, f2, f1,
		     0x1002);
	t_expect_run(test, &rep->listed[3], 0x1001, 1, XP2M_X86_M2P, f2, f1,
		     0x1002);
	t_expect_run(test, &rep->listed[4], 0x2000, 3, XP2M_X86_CLASS,
		     XP2M_INVALID_ENTRY, g[0], XP2M_INVALID_ENTRY);

	/* A short list: the counts are whole all the same. */
	rep = t_verify(test, x, 2);
	KUNIT_EXPECT_EQ(test, rep->nr_listed, 2U);
	KUNIT_EXPECT_EQ(test, rep->kinds[XP2M_X86_CLASS], 5UL);
	KUNIT_EXPECT_EQ(test, rep->mismatched, 6UL);

	KUNIT_ASSERT_EQ(test, xp2m_set(p2m, 0x9f, hole), 0);
	KUNIT_ASSERT_EQ(test, xp2m_set(p2m, 0x1000, f0), 0);
	KUNIT_ASSERT_EQ(test, xp2m_set(p2m, 0x1001, f1), 0);
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, xp2m_set(p2m, 0x2000 + i, g[i]), 0);
	t_expect_clean(test, t_verify(test, x, 16));
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
	const struct t_e820 ram = E(0, PFN_PHYS((u64)x->map.max_pfn), E820_RAM);
	const struct t_e820 none = E(0, PFN_PHYS((u64)x->map.max_pfn),
				     E820_RESERVED);
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
 * A page of ours granted to ourselves and mapped back through the grant
 * table: the kernel's p2m gets a foreign entry on a scratch page, in a
 * section of hole the kernel set missing. An import made before sees all
 * of that as change; one made after holds it and verifies clean.
 */
static void live_foreign(struct kunit *test)
{
	struct gnttab_unmap_grant_ref unmap;
	struct gnttab_map_grant_ref map;
	struct xp2m_x86_report before, *rep;
	unsigned long mfn, spfn, addr, want, n;
	struct page *page, *scratch;
	struct xp2m_x86 *x0, *x1;
	int ref;

	if (!xen_initial_domain())
		kunit_skip(test, "granting to itself needs the domain id: dom0 only");
	x0 = t_import(test, 0);
	before = *t_verify(test, x0, 4);
	t_expect_clean(test, &before);

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
		/*
		 * The old import: the foreign entry is change, and so is the
		 * section of scratch pages if the kernel made it just now.
		 */
		rep = t_verify(test, x0, 4);
		n = rep->kinds[XP2M_X86_CLASS];
		KUNIT_EXPECT_TRUE_MSG(test, n == 1 || (n && n % PAGES_PER_SECTION == 0),
				      "%lu pfns changed", n);
		KUNIT_EXPECT_EQ(test, rep->kernel[XP2M_TYPE_FOREIGN], 1UL);

		/* A new one holds it, as it is. */
		x1 = t_import(test, 1);
		KUNIT_EXPECT_EQ(test, xp2m_lookup(x1->p2m, spfn), want);
		rep = t_verify(test, x1, 4);
		t_expect_clean(test, rep);
		KUNIT_EXPECT_EQ(test, rep->ours[XP2M_TYPE_FOREIGN], 1UL);
		KUNIT_EXPECT_EQ(test, rep->hole_foreign, 1UL);
		KUNIT_EXPECT_EQ(test, (rep->hole_missing - before.hole_missing +
				       1) % PAGES_PER_SECTION, 0UL);
		KUNIT_EXPECT_EQ(test, rep->ours[XP2M_TYPE_PFN],
				before.ours[XP2M_TYPE_PFN]);

		gnttab_set_unmap_op(&unmap, addr, GNTMAP_host_map, map.handle);
		KUNIT_EXPECT_EQ(test, gnttab_unmap_refs(&unmap, NULL, &scratch,
							1), 0);
		KUNIT_EXPECT_EQ(test, unmap.status, GNTST_okay);
		KUNIT_EXPECT_EQ(test, get_phys_to_machine(spfn),
				XP2M_INVALID_ENTRY);
	}
	gnttab_free_pages(1, &scratch);
	gnttab_end_foreign_access(ref, page);
}

/*
 * The m2p override against the real hypervisor: a page of ours granted to
 * ourselves, mapped with the grant-table hypercall at the linear address of
 * another page of ours (@ballooned: one the balloon gave us, with no frame
 * and no mapping; else one with a frame of its own and its PTE), through
 * xp2m_x86_grant_map(). The granted content shows at that address, the
 * instance's entry is foreign, the granted frame's own pfn is marked too
 * (the frame is also local), and mfn_to_pfn() answers through the
 * override; the kernel's p2m, not told, differs at exactly those two pfns.
 * Unmapping restores the PTE, the page's content, and both entries.
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

	rep = t_verify(test, x, 4);
	KUNIT_EXPECT_EQ(test, rep->mismatched, 2UL);
	KUNIT_EXPECT_EQ(test, rep->kinds[XP2M_X86_CLASS], 2UL);
	KUNIT_EXPECT_EQ(test, rep->ours[XP2M_TYPE_FOREIGN], 2UL);
	KUNIT_ASSERT_EQ(test, rep->nr_listed, 2U);
	t_expect_run(test, &rep->listed[lpfn < tpfn ? 0 : 1], lpfn, 1,
		     XP2M_X86_CLASS, XP2M_FOREIGN_FRAME(lmfn), lmfn,
		     XP2M_INVALID_ENTRY);
	t_expect_run(test, &rep->listed[lpfn < tpfn ? 1 : 0], tpfn, 1,
		     XP2M_X86_CLASS, XP2M_FOREIGN_FRAME(lmfn), torig,
		     XP2M_INVALID_ENTRY);

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
	grant_handle_t handle;
	unsigned long tpfn;
	struct xp2m_x86 *x;
	u64 kmap;
	int ref;

	target = t_grant_target(test, &x, &kmap);
	tpfn = page_to_pfn(target);
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

/* A page given back to Xen by the balloon: missing, on RAM. */
static void live_balloon(struct kunit *test)
{
	struct xp2m_x86_report before, *rep;
	struct xp2m_x86 *x0, *x1;
	struct page *page;
	unsigned long pfn;

	x0 = t_import(test, 0);
	before = *t_verify(test, x0, 4);
	KUNIT_ASSERT_EQ(test, xen_alloc_ballooned_pages(1, &page), 0);
	pfn = page_to_pfn(page);
	KUNIT_EXPECT_EQ(test, get_phys_to_machine(pfn), XP2M_INVALID_ENTRY);
	x1 = t_import(test, 1);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(x1->p2m, pfn), XP2M_INVALID_ENTRY);
	rep = t_verify(test, x1, 4);
	t_expect_clean(test, rep);
	if (xp2m_lookup(x0->p2m, pfn) != XP2M_INVALID_ENTRY) {
		/* A page the kernel had: one frame less, one balloon more. */
		KUNIT_EXPECT_EQ(test, rep->balloon, before.balloon + 1);
		KUNIT_EXPECT_EQ(test, rep->ours[XP2M_TYPE_PFN],
				before.ours[XP2M_TYPE_PFN] - 1);
	} else {
		/* A page the balloon had already. */
		KUNIT_EXPECT_EQ(test, rep->balloon, before.balloon);
	}
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

	/* What the instance of the loaded module holds: the base for the end. */
	live_ctx(test);
	/* The boot list's pages alone are one per 512 pages of the domain. */
	KUNIT_EXPECT_GE(test, xp2m_fault_sweep(test, &op, &w),
			(unsigned int)(xen_start_info->nr_pages / XP2M_PER_PAGE));
}

static struct kunit_case live_cases[] = {
	KUNIT_CASE(live_import),
	KUNIT_CASE(live_linear),
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
