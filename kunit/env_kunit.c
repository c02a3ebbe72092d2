// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m_env: the environment is what the rest of the suite assumes.
 *
 * Inside a Xen PV domain it checks the live kernel against the hypervisor:
 * every populated pfn of the kernel's p2m maps back through the M2P, and
 * every identity pfn lies outside the RAM of the kernel's memory map, and the
 * populated pfns are exactly the pages the domain owns. The kernel's p2m
 * spans hundreds of GiB of mostly shared pages, so it is walked by leaf: a
 * leaf page seen before is classified once.
 *
 * Outside a Xen PV domain the cases are skipped with the reason, unless the
 * module parameter require_pv is set (the harness sets it under Xen), in
 * which case they fail.
 */

#include <kunit/test.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#ifdef CONFIG_XEN_PV
#include <linux/xarray.h>
#include <asm/e820/api.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>
#include <xen/interface/memory.h>
#include <xen/xen.h>
#endif

static bool require_pv;
module_param(require_pv, bool, 0444);
MODULE_PARM_DESC(require_pv, "fail, rather than skip, when not in a Xen PV domain");

#ifdef CONFIG_XEN_PV

/*
 * Identity is checked against the kernel's own E820, not the host's: a PV
 * kernel clips the host map to the memory it was given, so host RAM past the
 * domain's allocation is a gap in its map and legitimately identity.
 */
static bool env_overlaps_ram(unsigned long start, unsigned long end)
{
	return e820__mapped_any(PFN_PHYS(start), PFN_PHYS(end), E820_TYPE_RAM);
}

enum env_class { ENV_PFN, ENV_IDENTITY, ENV_MISSING, ENV_FOREIGN };

/*
 * Classify the entry of @pfn given its raw value in the kernel's linear list.
 * The kernel's shared identity leaf holds INVALID_P2M_ENTRY, so an invalid
 * raw value is resolved through get_phys_to_machine().
 */
static enum env_class env_classify(unsigned long pfn, unsigned long raw)
{
	if (raw == INVALID_P2M_ENTRY)
		raw = get_phys_to_machine(pfn);
	if (raw == INVALID_P2M_ENTRY)
		return ENV_MISSING;
	if (raw & FOREIGN_FRAME_BIT)
		return ENV_FOREIGN;
	if (raw & IDENTITY_FRAME_BIT)
		return ENV_IDENTITY;
	return ENV_PFN;
}

struct env_walk {
	unsigned long counts[4];
	unsigned long leaves, leaves_shared;
	unsigned long m2p_bad, identity_in_ram;
	/* Backing page of a leaf found uniform -> its class + 1. */
	struct xarray uniform;
};

static bool env_pv_or_skip(struct kunit *test)
{
	if (xen_pv_domain())
		return true;
	if (require_pv)
		KUNIT_FAIL(test, "not a Xen PV domain, but require_pv is set");
	else
		kunit_skip(test, "not a Xen PV domain");
	return false;
}

static unsigned long env_m2p(unsigned long mfn)
{
	unsigned long pfn;

	if (mfn >= machine_to_phys_nr ||
	    xen_safe_read_ulong(&machine_to_phys_mapping[mfn], &pfn))
		return ~0UL;
	return pfn;
}

static void env_check_entry(struct kunit *test, struct env_walk *w,
			    unsigned long pfn,
			    unsigned long raw, enum env_class c)
{
	w->counts[c]++;
	if (c == ENV_PFN) {
		unsigned long back = env_m2p(raw);

		if (back != pfn && w->m2p_bad++ < 8)
			kunit_err(test, "pfn %#lx -> mfn %#lx -> M2P %#lx\n",
				  pfn, raw, back);
	} else if (c == ENV_IDENTITY && env_overlaps_ram(pfn, pfn + 1)) {
		if (w->identity_in_ram++ < 8)
			kunit_err(test, "identity pfn %#lx lies in RAM\n", pfn);
	}
}

static void env_walk_leaf(struct kunit *test, struct env_walk *w,
			  unsigned long first)
{
	const unsigned long *leaf = xen_p2m_addr + first;
	unsigned long backing, i, c;
	unsigned int level;
	pte_t *ptep;
	void *seen;

	w->leaves++;
	ptep = lookup_address((unsigned long)leaf, &level);
	KUNIT_ASSERT_TRUE(test, ptep && level == PG_LEVEL_4K);
	backing = pte_pfn(*ptep);

	seen = xa_load(&w->uniform, backing);
	if (seen) {
		c = xa_to_value(seen) - 1;
		w->leaves_shared++;
		w->counts[c] += P2M_PER_PAGE;
		if (c == ENV_IDENTITY &&
		    env_overlaps_ram(first, first + P2M_PER_PAGE) &&
		    w->identity_in_ram++ < 8)
			kunit_err(test, "identity leaf at pfn %#lx overlaps RAM\n",
				  first);
		return;
	}

	/* A leaf is uniform when all its raw entries are invalid. */
	for (i = 0; i < P2M_PER_PAGE; i++)
		if (leaf[i] != INVALID_P2M_ENTRY)
			break;
	if (i == P2M_PER_PAGE) {
		c = env_classify(first, INVALID_P2M_ENTRY);
		xa_store(&w->uniform, backing, xa_mk_value(c + 1), GFP_KERNEL);
	}

	for (i = 0; i < P2M_PER_PAGE; i++) {
		unsigned long raw = leaf[i];

		env_check_entry(test, w, first + i, raw,
				env_classify(first + i, raw));
	}
}

static void env_walk(struct kunit *test, struct env_walk *w)
{
	unsigned long pfn;

	memset(w, 0, sizeof(*w));
	xa_init(&w->uniform);
	for (pfn = 0; pfn < xen_p2m_size; pfn += P2M_PER_PAGE) {
		env_walk_leaf(test, w, pfn);
		cond_resched();
	}
	xa_destroy(&w->uniform);
	kunit_info(test,
		   "%lu leaves (%lu on shared pages): %lu pfn, %lu identity, %lu missing, %lu foreign\n",
		   w->leaves, w->leaves_shared, w->counts[ENV_PFN],
		   w->counts[ENV_IDENTITY], w->counts[ENV_MISSING],
		   w->counts[ENV_FOREIGN]);
}

static void env_is_pv_domain(struct kunit *test)
{
	if (!env_pv_or_skip(test))
		return;
	KUNIT_ASSERT_NOT_NULL(test, xen_start_info);
	KUNIT_EXPECT_EQ(test, strncmp(xen_start_info->magic, "xen-", 4), 0);
	KUNIT_EXPECT_GT(test, xen_start_info->nr_pages, 0UL);
	KUNIT_EXPECT_FALSE(test, xen_feature(XENFEAT_auto_translated_physmap));
	KUNIT_EXPECT_GE(test, xen_p2m_size, xen_start_info->nr_pages);
}

static void env_m2p_maps_back(struct kunit *test)
{
	domid_t self = DOMID_SELF;
	struct env_walk w;
	long pages;

	if (!env_pv_or_skip(test))
		return;
	env_walk(test, &w);
	KUNIT_EXPECT_EQ(test, w.m2p_bad, 0UL);
	KUNIT_EXPECT_EQ(test, w.leaves * P2M_PER_PAGE, xen_p2m_size);
	/* Every page the domain owns has exactly one pfn. */
	pages = HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
	KUNIT_ASSERT_GT(test, pages, 0L);
	KUNIT_EXPECT_EQ(test, w.counts[ENV_PFN], (unsigned long)pages);
}

static void env_identity_outside_ram(struct kunit *test)
{
	struct env_walk w;

	if (!env_pv_or_skip(test))
		return;
	env_walk(test, &w);
	KUNIT_EXPECT_EQ(test, w.identity_in_ram, 0UL);
	/* The legacy VGA/BIOS hole below 1 MiB is never RAM. */
	KUNIT_EXPECT_GT(test, w.counts[ENV_IDENTITY], 0UL);
}

#else /* !CONFIG_XEN_PV */

static void env_no_xen(struct kunit *test)
{
	if (require_pv)
		KUNIT_FAIL(test, "built without CONFIG_XEN_PV, but require_pv is set");
	else
		kunit_skip(test, "kernel built without CONFIG_XEN_PV");
}

#define env_is_pv_domain env_no_xen
#define env_m2p_maps_back env_no_xen
#define env_identity_outside_ram env_no_xen

#endif /* CONFIG_XEN_PV */

static struct kunit_case env_cases[] = {
	KUNIT_CASE(env_is_pv_domain),
	KUNIT_CASE(env_m2p_maps_back),
	KUNIT_CASE(env_identity_outside_ram),
	{}
};

static struct kunit_suite env_suite = {
	.name = "xp2m_env",
	.test_cases = env_cases,
};

kunit_test_suite(env_suite);

MODULE_DESCRIPTION("xp2m: checks of the Xen PV test environment");
MODULE_LICENSE("GPL");
MODULE_VERSION(XP2M_VERSION);
