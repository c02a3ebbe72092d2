// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of xp2m_x86's memory-map rule (which pfns are RAM as the
 * kernel keeps it) on the maps of known machines, and its allocation
 * failures. Run in a Xen PV dom0.
 */

#include <kunit/test.h>

#include <asm/e820/types.h>

#include <xp2m/x86.h>

#include "x86_fixture.h"

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

kunit_test_suite(map_suite);
