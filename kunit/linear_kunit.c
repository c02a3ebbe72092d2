// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the linear p2m: the linear view, the tree and the
 * toolstack's two readers agree; the published fields; the generation
 * protocol under concurrent writers and readers; the reader's rejections;
 * allocation failures.
 */

#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/jhash.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/xarray.h>

#include <xp2m/e820.h>
#include <xp2m/kpte.h>
#include <xp2m/reader.h>

#include "../p2m/internal.h"
#include "fixture.h"

static bool t_linear_or_skip(struct kunit *test, struct xp2m *p2m)
{
	int err;

	if (!xp2m_kpte_supported()) {
		kunit_skip(test, "this kernel does not let modules change its PTEs");
		return false;
	}
	err = xp2m_linear_build(p2m);
	KUNIT_ASSERT_EQ(test, err, 0);
	return true;
}

/*
 * The area the view lies in, for the 512 GiB span of a 6.1 kernel's list:
 * where vmap_pfn() reserves it (x86 with CONFIG_VMAP_PFN), a page per
 * slot, 1 GiB, starting on the 1 GiB boundary itself; elsewhere
 * vm_map_ram()'s, padded by 1 GiB less a page to reach one.
 */
static void linear_area(struct kunit *test)
{
	bool pfn = IS_ENABLED(CONFIG_X86) && IS_ENABLED(CONFIG_VMAP_PFN);
	struct t_ctx *c = t_ctx(test);
	const struct xp2m_linear *lv;
	unsigned long pad = pfn ? 0 : SZ_1G / PAGE_SIZE - 1;

	t_setup(test, 4096, XP2M_TREE_SPAN);
	KUNIT_ASSERT_EQ(test, c->p2m->nr_mids * XP2M_PER_PAGE,
			SZ_1G / PAGE_SIZE);
	if (!t_linear_or_skip(test, c->p2m))
		return;
	lv = c->p2m->lv;
	KUNIT_EXPECT_EQ(test, lv->pfn_area, pfn);
	KUNIT_EXPECT_EQ(test, lv->nr_area, SZ_1G / PAGE_SIZE + pad);
	KUNIT_EXPECT_EQ(test, lv->base & (SZ_1G - 1), 0UL);
	KUNIT_EXPECT_LE(test, lv->base - (unsigned long)lv->area,
			pad * PAGE_SIZE);
}

/*
 * The dummy page of a view being torn down, and what its area mapped at
 * either end, where the stretches the kernel made for vm_map_ram() (the
 * area's unaligned ends) map it. KUnit runs one case at a time.
 */
static struct {
	const struct xp2m_backend_ops *ops;
	struct page *dummy;
	unsigned long first, last;
	bool freed, still_mapped;
} t_teardown;

static void t_teardown_free(struct xp2m_backend *be, struct page *page)
{
	if (page == t_teardown.dummy) {
		t_teardown.freed = true;
		t_teardown.still_mapped =
			vmalloc_to_page((void *)t_teardown.first) == page ||
			vmalloc_to_page((void *)t_teardown.last) == page;
	}
	t_teardown.ops->page_free(be, page);
}

/*
 * The dummy page goes back only once no PTE of the area maps it: under
 * Xen PV a page still mapped writable cannot become a page table.
 */
static void linear_dummy_outlives_area(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	struct xp2m_backend_ops *ops;
	const struct xp2m_linear *lv;
	struct xp2m_backend *be;

	t_setup(test, 4096, 4 * GIB_PFNS);
	if (!t_linear_or_skip(test, c->p2m))
		return;
	lv = c->p2m->lv;
	if (lv->pfn_area) {
		kunit_skip(test, "the area is vmap_pfn()'s: it maps no dummy page");
		return;
	}
	be = c->p2m->be;
	t_teardown.ops = be->ops;
	t_teardown.dummy = virt_to_page(lv->dummy);
	t_teardown.first = (unsigned long)lv->area;
	t_teardown.last = t_teardown.first + (lv->nr_area - 1) * PAGE_SIZE;
	t_teardown.freed = false;
	KUNIT_ASSERT_TRUE(test,
			  vmalloc_to_page((void *)t_teardown.first) ==
			  t_teardown.dummy ||
			  vmalloc_to_page((void *)t_teardown.last) ==
			  t_teardown.dummy);
	ops = kunit_kzalloc(test, sizeof(*ops), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ops);
	*ops = *be->ops;
	ops->page_free = t_teardown_free;
	be->ops = ops;
	xp2m_destroy(c->p2m);
	c->p2m = NULL;
	be->ops = t_teardown.ops;
	KUNIT_EXPECT_TRUE(test, t_teardown.freed);
	KUNIT_EXPECT_FALSE(test, t_teardown.still_mapped);
}

/*
 * A lookup made while an identity leaf gets a page of its own: after the
 * tree names the new leaf (the frame list asks the machine for its frame
 * next) and before the view's slot does.
 */
static struct {
	const struct xp2m_backend_ops *ops;
	struct xp2m *p2m;
	unsigned long pfn;
	unsigned long in_window;
	unsigned long wrong;
} t_mid_change;

static unsigned long t_mid_change_mfn(struct xp2m_backend *be,
				      struct page *page)
{
	struct xp2m *p2m = t_mid_change.p2m;
	unsigned long pfn = t_mid_change.pfn;

	if (p2m && xp2m_leaf_of(p2m, pfn) != p2m->identity_leaf &&
	    vmalloc_to_page(&p2m->linear[pfn]) ==
	    virt_to_page(p2m->identity_leaf)) {
		t_mid_change.in_window++;
		if (xp2m_linear_lookup(p2m, pfn) != XP2M_IDENTITY_FRAME(pfn))
			t_mid_change.wrong++;
	}
	return t_mid_change.ops->page_to_mfn(be, page);
}

/*
 * An identity pfn reads identity through the view while its leaf, the
 * shared identity page (which holds INVALID), gives way to one of its own:
 * the tree then names the new leaf while the view's slot still maps the
 * shared page, and the entry is the new leaf's, not the INVALID read.
 */
static void linear_identity_leaf_replaced(struct kunit *test)
{
	const unsigned long start = 8192, pfn = start + 6;
	struct t_ctx *c = t_ctx(test);
	struct xp2m_backend_ops *ops;
	struct xp2m_backend *be;

	t_setup(test, 4096, GIB_PFNS);
	KUNIT_ASSERT_EQ(test, xp2m_set_identity(c->p2m, start,
						start + XP2M_PER_PAGE),
			(long)XP2M_PER_PAGE);
	KUNIT_ASSERT_PTR_EQ(test, xp2m_leaf_of(c->p2m, pfn),
			    c->p2m->identity_leaf);
	KUNIT_ASSERT_EQ(test, xp2m_frame_list_build(c->p2m), 0);
	if (!t_linear_or_skip(test, c->p2m))
		return;
	be = c->p2m->be;
	ops = kunit_kzalloc(test, sizeof(*ops), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ops);
	t_mid_change.ops = be->ops;
	t_mid_change.pfn = pfn;
	t_mid_change.in_window = 0;
	t_mid_change.wrong = 0;
	*ops = *be->ops;
	ops->page_to_mfn = t_mid_change_mfn;
	be->ops = ops;
	t_mid_change.p2m = c->p2m;
	KUNIT_EXPECT_EQ(test, xp2m_set(c->p2m, start + 5, 77), 0);
	t_mid_change.p2m = NULL;
	be->ops = t_mid_change.ops;
	if (!t_mid_change.in_window) {
		kunit_skip(test, "no lookup fell between the tree's change and the view's");
		return;
	}
	KUNIT_EXPECT_EQ(test, t_mid_change.wrong, 0UL);
	KUNIT_EXPECT_EQ(test, xp2m_linear_lookup(c->p2m, pfn),
			XP2M_IDENTITY_FRAME(pfn));
	KUNIT_EXPECT_EQ(test, xp2m_linear_lookup(c->p2m, start + 5), 77UL);
}

/* Compare a reader's leaves with the tree, raw word by raw word. */
struct t_cmp {
	struct xp2m *p2m;
	unsigned long leaves;
	unsigned long bad;
	bool missing_seen;
};

static int t_cmp_leaf(void *ctx, unsigned long first, unsigned long leaf_mfn,
		      const unsigned long *e, unsigned int nr)
{
	struct t_cmp *t = ctx;
	unsigned long *leaf = xp2m_leaf_of(t->p2m, first);
	unsigned int i;

	t->leaves++;
	if (leaf_mfn != t_virt_to_mfn(t->p2m->be, leaf))
		t->bad++;
	if (leaf == t->p2m->missing_leaf) {
		if (t->missing_seen)
			return 0;
		t->missing_seen = true;
	}
	for (i = 0; i < nr; i++)
		if (e[i] != xp2m_lookup_raw(t->p2m, first + i))
			t->bad++;
	return 0;
}

/*
 * Every entry the same through the linear view, the tree, the linear-list
 * reader and (up to 512 GiB) the frame-list reader. @dense_end: pfns below
 * it are compared one by one; above, one pfn in every leaf.
 */
static void t_agree(struct kunit *test, struct xp2m *p2m,
		    unsigned long dense_end)
{
	struct t_cmp t = { .p2m = p2m };
	struct xp2m_lin_report rep;
	struct xp2m_fl_report frep;
	unsigned long pfn, bad = 0;
	int err;

	for (pfn = 0; pfn < p2m->max_pfn;
	     pfn += pfn < dense_end ? 1 : XP2M_PER_PAGE - 1)
		if (xp2m_linear_lookup(p2m, pfn) != xp2m_lookup(p2m, pfn))
			bad++;
	KUNIT_EXPECT_EQ(test, bad, 0UL);

	err = xp2m_linear_read(p2m->be, xp2m_shared_info(p2m), t_cmp_leaf, &t,
			       &rep);
	KUNIT_ASSERT_EQ_MSG(test, err, 0, "%s at level %u index %lu (mfn %#lx)",
			    xp2m_lin_error_str(rep.error), rep.level, rep.index,
			    rep.mfn);
	KUNIT_EXPECT_EQ(test, t.bad, 0UL);
	/* A reader reads up to the last leaf that is not a shared page. */
	KUNIT_EXPECT_EQ(test, rep.max_pfn, xp2m_shared_info(p2m)->max_pfn);
	KUNIT_EXPECT_EQ(test, t.leaves, DIV_ROUND_UP(rep.max_pfn,
						     XP2M_PER_PAGE));
	KUNIT_EXPECT_EQ(test, rep.gen_start, rep.gen_end);

	if (p2m->max_pfn > XP2M_TREE_SPAN) {
		KUNIT_EXPECT_EQ(test, xp2m_shared_info(p2m)->pfn_to_mfn_frame_list_list,
				~0UL);
		return;
	}
	KUNIT_ASSERT_EQ(test, xp2m_frame_list_build(p2m), 0);
	t = (struct t_cmp) { .p2m = p2m };
	err = xp2m_frame_list_read(p2m->be,
				   xp2m_shared_info(p2m)->pfn_to_mfn_frame_list_list,
				   xp2m_shared_info(p2m)->max_pfn, t_cmp_leaf, &t,
				   &frep);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, t.bad, 0UL);
}

static const struct xp2m_e820_entry t_e820[] = {
	{ .addr = 0, .size = 0x9f000, .type = XP2M_E820_RAM },
	{ .addr = 0x100000, .size = (1029ULL << 20) - 0x100000,
	  .type = XP2M_E820_RAM },
	{ .addr = 2001ULL << 20, .size = 2000ULL << 20, .type = XP2M_E820_RAM },
};

/* The layouts of the core's suites, then past 512 GiB. */
static void linear_agrees_hole(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);

	t_setup(test, GIB_PFNS, 3 * GIB_PFNS);
	KUNIT_ASSERT_EQ(test, xp2m_identity_from_e820(c->p2m, t_e820,
						      ARRAY_SIZE(t_e820), NULL),
			0);
	if (!t_linear_or_skip(test, c->p2m))
		return;
	t_agree(test, c->p2m, c->p2m->max_pfn);
}

static void linear_agrees_domu(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	unsigned long pfn;

	t_machine(test, 4 * 0x26700);
	t_domain(test, 0x26700, XP2M_MFNS_FRAGMENTED);
	t_p2m(test, 0x26700 + (8 << 8));
	if (!t_linear_or_skip(test, c->p2m))
		return;
	/*
	 * Changes after the view exists: it follows them. (Identity stays
	 * clear of the boot list's own pfns, [0, 308): their frames are the
	 * leaves, which the toolstack requires to be the guest's.)
	 */
	for (pfn = 0x26700; pfn < c->p2m->max_pfn; pfn += 300)
		KUNIT_ASSERT_EQ(test, xp2m_set(c->p2m, pfn, pfn), 0);
	KUNIT_ASSERT_EQ(test, xp2m_set_identity(c->p2m, 1000, 5000), 4000L);
	t_agree(test, c->p2m, c->p2m->max_pfn);
}

static void linear_agrees_512g(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);

	t_setup(test, 4096, XP2M_TREE_SPAN);
	if (!t_linear_or_skip(test, c->p2m))
		return;
	KUNIT_ASSERT_EQ(test, xp2m_set(c->p2m, XP2M_TREE_SPAN - 1, 3), 0);
	KUNIT_ASSERT_EQ(test, xp2m_set_identity(c->p2m, 5 * GIB_PFNS,
						7 * GIB_PFNS + 9),
			2L * GIB_PFNS + 9);
	t_agree(test, c->p2m, 8192);
	KUNIT_EXPECT_EQ(test, xp2m_linear_lookup(c->p2m, 6 * GIB_PFNS + 1),
			XP2M_IDENTITY_FRAME(6 * GIB_PFNS + 1));
}

/* Past 512 GiB only the linear list can describe the p2m. */
static void linear_agrees_1t(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	const unsigned long max = 2 * XP2M_TREE_SPAN;

	t_setup(test, 4096, max);
	if (!t_linear_or_skip(test, c->p2m))
		return;
	KUNIT_ASSERT_EQ(test, xp2m_set(c->p2m, max - 1, 11), 0);
	KUNIT_ASSERT_EQ(test, xp2m_set(c->p2m, XP2M_TREE_SPAN, 12), 0);
	t_agree(test, c->p2m, 8192);
	KUNIT_EXPECT_EQ(test, xp2m_linear_lookup(c->p2m, max - 1), 11UL);
	KUNIT_EXPECT_EQ(test, xp2m_linear_lookup(c->p2m, XP2M_TREE_SPAN), 12UL);
}

/*
 * The tables of their own the view holds, by GiB (p2m/internal.h): how many,
 * the first two GiBs that have one in @g (ULONG_MAX past the last), and in
 * @reserved the slots reserved and left empty, which no change may leave.
 */
static unsigned long t_own_tables(struct xp2m *p2m, unsigned long g[2],
				  unsigned long *reserved)
{
	XA_STATE(xas, &p2m->lv->tables, 0);
	unsigned long n = 0;
	void *entry;

	g[0] = ULONG_MAX;
	g[1] = ULONG_MAX;
	*reserved = 0;
	mutex_lock(&p2m->lock);
	xas_lock(&xas);
	xas_for_each(&xas, entry, ULONG_MAX) {
		if (xa_is_zero(entry)) {
			(*reserved)++;
			continue;
		}
		if (n < 2)
			g[n] = xas.xa_index;
		n++;
	}
	xas_unlock(&xas);
	mutex_unlock(&p2m->lock);
	return n;
}

/* Every slot of GiB @g maps @leaf (in the view's own tables: a PTE read). */
static unsigned long t_gib_maps(struct xp2m *p2m, unsigned long g,
				const unsigned long *leaf)
{
	unsigned long pfn, bad = 0;

	for (pfn = g * GIB_PFNS; pfn < (g + 1) * GIB_PFNS; pfn += XP2M_PER_PAGE)
		bad += vmalloc_to_page(&p2m->linear[pfn]) != virt_to_page(leaf);
	return bad;
}

/*
 * A 16 TiB space with 1 GiB of RAM: holes share page-table pages, as
 * Linux's own list does. The view costs the shared tables and one table per
 * GiB whose mid is its own, nothing per hole, and keeps only those GiBs'
 * tables (no entry per GiB of the span); every slot is read-only; it reads
 * right everywhere. A hole's leaf given a page moves its GiB to a table of
 * its own (the shared one is never written), and teardown leaves the
 * shared leaves intact and gives every page back.
 */
static void linear_shared_tables(struct kunit *test)
{
	const unsigned long max = 16 * 2 * XP2M_TREE_SPAN;
	const unsigned long far = 10 * 2 * XP2M_TREE_SPAN + 7;
	struct t_ctx *c = t_ctx(test);
	unsigned long bad = 0, g, tables, own[2], reserved;
	long bound;

	t_setup(test, GIB_PFNS, max);
	KUNIT_ASSERT_EQ(test, xp2m_set_identity(c->p2m, 2 * GIB_PFNS,
						3 * GIB_PFNS), (long)GIB_PFNS);
	bound = xp2m_sim_bound(c->sim);
	if (!t_linear_or_skip(test, c->p2m))
		return;
	/*
	 * Dummy, padding, missing and identity tables; one per own mid. (The
	 * simulated machine's page tables are the machine's, not the view's.)
	 * So every GiB but GiB 0 maps through a shared table: the missing
	 * one, or the identity one, as what they map shows.
	 */
	KUNIT_EXPECT_EQ(test, c->p2m->counts.mids, 1UL);
	KUNIT_EXPECT_EQ(test, c->p2m->counts.linear_tables, 5UL);
	KUNIT_EXPECT_EQ(test, xp2m_sim_bound(c->sim) - bound -
			(long)xp2m_sim_pt_pages(c->sim), 5L);
	/* Of the 16384 GiBs, the view keeps the table of GiB 0 alone. */
	KUNIT_EXPECT_EQ(test, t_own_tables(c->p2m, own, &reserved), 1UL);
	KUNIT_EXPECT_EQ(test, own[0], 0UL);
	KUNIT_EXPECT_EQ(test, reserved, 0UL);
	/* Reads right everywhere: holes through the shared tables. */
	KUNIT_EXPECT_EQ(test, t_gib_maps(c->p2m, 1, c->p2m->missing_leaf), 0UL);
	KUNIT_EXPECT_EQ(test, t_gib_maps(c->p2m, 2, c->p2m->identity_leaf),
			0UL);
	for (g = 3; g < max / GIB_PFNS; g += 97)
		bad += t_gib_maps(c->p2m, g, c->p2m->missing_leaf);
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	KUNIT_EXPECT_EQ(test, xp2m_linear_lookup(c->p2m, far),
			XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_linear_lookup(c->p2m, 2 * GIB_PFNS + 3),
			XP2M_IDENTITY_FRAME(2 * GIB_PFNS + 3));
	KUNIT_EXPECT_EQ(test, xp2m_linear_lookup(c->p2m, 5), t_asc_mfn(c, 5));
	/* Read-only: the holes' shared pages, and the leaves of its own. */
	KUNIT_EXPECT_EQ(test, xp2m_kpte_writable((unsigned long)
						 &c->p2m->linear[far]), 0);
	KUNIT_EXPECT_EQ(test, xp2m_kpte_writable((unsigned long)
						 &c->p2m->linear[5]), 0);

	/* A hole's leaf: its GiB moves to a table of its own. */
	tables = c->p2m->counts.linear_tables;
	KUNIT_ASSERT_EQ(test, xp2m_set(c->p2m, far, 99), 0);
	KUNIT_EXPECT_EQ(test, c->p2m->counts.linear_tables, tables + 1);
	KUNIT_EXPECT_EQ(test, t_own_tables(c->p2m, own, &reserved), 2UL);
	KUNIT_EXPECT_EQ(test, own[0], 0UL);
	KUNIT_EXPECT_EQ(test, own[1], far / GIB_PFNS);
	KUNIT_EXPECT_EQ(test, reserved, 0UL);
	KUNIT_EXPECT_EQ(test, xp2m_linear_lookup(c->p2m, far), 99UL);
	KUNIT_EXPECT_EQ(test, xp2m_linear_lookup(c->p2m, far + XP2M_PER_PAGE),
			XP2M_INVALID_ENTRY);
	/* The shared table still maps the missing leaf, which still is. */
	KUNIT_EXPECT_EQ(test, t_gib_maps(c->p2m, far / GIB_PFNS + 1,
					 c->p2m->missing_leaf), 0UL);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(c->p2m->missing_leaf, 0xff,
					     PAGE_SIZE), NULL);
	t_agree(test, c->p2m, 4096);

	/*
	 * Teardown (in t_exit) gives back every page, the machine's count
	 * says; the shared tables are unlinked before the area is unmapped.
	 */
}

/* The published fields, and when the generation moves. */
static void linear_published(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	const struct xp2m_shared_info *si;
	long updates;

	t_setup(test, 4096, 4 * GIB_PFNS);
	si = xp2m_shared_info(c->p2m);
	/* The end of the last leaf of its own: the boot list's 8 leaves. */
	KUNIT_EXPECT_EQ(test, si->max_pfn, 4096UL);
	KUNIT_EXPECT_EQ(test, si->pfn_to_mfn_frame_list_list, 0UL);
	KUNIT_EXPECT_EQ(test, si->p2m_cr3, 0UL);
	KUNIT_EXPECT_EQ(test, si->p2m_generation, 0UL);
	if (!t_linear_or_skip(test, c->p2m))
		return;
	KUNIT_EXPECT_EQ(test, si->p2m_cr3,
			c->sim->be.ops->pt_root(&c->sim->be));
	KUNIT_EXPECT_NE(test, si->p2m_cr3, 0UL);
	KUNIT_EXPECT_EQ(test, si->p2m_vaddr, (unsigned long)c->p2m->linear);
	KUNIT_EXPECT_EQ(test, si->p2m_vaddr & ((1UL << 30) - 1), 0UL);
	KUNIT_EXPECT_EQ(test, si->p2m_generation, 0UL);
	KUNIT_EXPECT_EQ(test, xp2m_linear_build(c->p2m), 0);
	KUNIT_ASSERT_EQ(test, xp2m_frame_list_build(c->p2m), 0);
	KUNIT_EXPECT_EQ(test, si->pfn_to_mfn_frame_list_list,
			xp2m_frame_list_list(c->p2m));
	KUNIT_EXPECT_EQ(test, si->p2m_generation, 0UL);

	/* A store into a private leaf changes no mapping. */
	updates = xp2m_sim_pt_updates(c->sim);
	KUNIT_ASSERT_EQ(test, xp2m_set(c->p2m, 7, 1234), 0);
	KUNIT_EXPECT_EQ(test, si->p2m_generation, 0UL);
	KUNIT_EXPECT_EQ(test, xp2m_linear_lookup(c->p2m, 7), 1234UL);

	/* A hole's leaf given a page: one remap, the generation +2. */
	KUNIT_ASSERT_EQ(test, xp2m_set(c->p2m, 2 * GIB_PFNS + 1, 77), 0);
	KUNIT_EXPECT_EQ(test, si->p2m_generation, 2UL);
	KUNIT_EXPECT_EQ(test, xp2m_sim_pt_updates(c->sim), updates + 1);
	KUNIT_EXPECT_EQ(test, si->max_pfn, 2 * GIB_PFNS + XP2M_PER_PAGE);
	KUNIT_EXPECT_EQ(test, xp2m_linear_lookup(c->p2m, 2 * GIB_PFNS + 1), 77UL);

	/* A whole GiB made identity: 512 remaps in one change. */
	KUNIT_ASSERT_EQ(test, xp2m_set_identity(c->p2m, 3 * GIB_PFNS,
						4 * GIB_PFNS), (long)GIB_PFNS);
	KUNIT_EXPECT_EQ(test, si->p2m_generation, 4UL);
	KUNIT_EXPECT_EQ(test, xp2m_sim_pt_updates(c->sim), updates + 1 + 512);
	KUNIT_EXPECT_EQ(test, xp2m_linear_lookup(c->p2m, 3 * GIB_PFNS + 9),
			XP2M_IDENTITY_FRAME(3 * GIB_PFNS + 9));
	KUNIT_EXPECT_EQ(test, READ_ONCE(c->p2m->linear[3 * GIB_PFNS + 9]),
			XP2M_INVALID_ENTRY);
	/* A shared leaf needs no reading: the bound stays. */
	KUNIT_EXPECT_EQ(test, si->max_pfn, 2 * GIB_PFNS + XP2M_PER_PAGE);
}

static int t_noop_leaf(void *ctx, unsigned long first, unsigned long mfn,
		       const unsigned long *e, unsigned int nr)
{
	return 0;
}

/* Read @si with @why expected. */
static void t_lin_reject(struct kunit *test, struct xp2m_backend *be,
			 const struct xp2m_shared_info *si, int err,
			 enum xp2m_lin_error why, unsigned int level)
{
	struct xp2m_lin_report rep;

	KUNIT_EXPECT_EQ(test, xp2m_linear_read(be, si, t_noop_leaf, NULL, &rep),
			err);
	KUNIT_EXPECT_EQ_MSG(test, rep.error, why, "got: %s",
			    xp2m_lin_error_str(rep.error));
	KUNIT_EXPECT_EQ(test, rep.level, level);
}

/* A leaf callback that changes a mapping mid-read. */
static int t_racing_leaf(void *ctx, unsigned long first, unsigned long mfn,
			 const unsigned long *e, unsigned int nr)
{
	struct xp2m *p2m = ctx;

	if (first == 512)
		return xp2m_set(p2m, 3 * GIB_PFNS + 5, 1);
	return 0;
}

static void linear_rejections(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	struct xp2m_shared_info si;
	struct xp2m_lin_report rep;
	struct xp2m_backend *be;
	unsigned long *l4, saved, vaddr, l4i, leaf;

	t_setup(test, GIB_PFNS, 4 * GIB_PFNS);
	if (!t_linear_or_skip(test, c->p2m))
		return;
	be = c->p2m->be;
	si = *xp2m_shared_info(c->p2m);

	si.p2m_cr3 = 0;
	t_lin_reject(test, be, &si, -ENODATA, XP2M_LIN_NOT_PUBLISHED, 0);
	si.p2m_cr3 = (be->max_mfn + 1) << 12;
	t_lin_reject(test, be, &si, -ERANGE, XP2M_LIN_BAD_CR3, 0);
	/* A frame of the domain with no page behind it in the simulation. */
	si.p2m_cr3 = t_asc_mfn(c, GIB_PFNS - 10) << 12;
	t_lin_reject(test, be, &si, -EFAULT, XP2M_LIN_UNMAPPABLE, 4);
	si = *xp2m_shared_info(c->p2m);

	vaddr = si.p2m_vaddr;
	si.p2m_vaddr = 0x0000900000000000UL;		/* not canonical */
	t_lin_reject(test, be, &si, -ERANGE, XP2M_LIN_BAD_VADDR, 0);
	si.p2m_vaddr = 0xffff840000000000UL;		/* the hypervisor's */
	t_lin_reject(test, be, &si, -ERANGE, XP2M_LIN_BAD_VADDR, 0);
	si.p2m_vaddr = 0xfffffffffffff000UL;		/* wraps */
	t_lin_reject(test, be, &si, -ERANGE, XP2M_LIN_BAD_VADDR, 0);
	si.p2m_vaddr = vaddr;

	/* A level-4 entry of 0 on the way. */
	l4 = (unsigned long *)be->ops->map_frame(be, si.p2m_cr3 >> 12);
	KUNIT_ASSERT_NOT_NULL(test, l4);
	l4i = (vaddr >> 39) & 511;
	saved = l4[l4i];
	l4[l4i] = 0;
	t_lin_reject(test, be, &si, -ERANGE, XP2M_LIN_BAD_PT_ENTRY, 4);
	l4[l4i] = saved;

	/* A leaf frame whose M2P entry leads elsewhere. */
	leaf = t_virt_to_mfn(be, xp2m_leaf_of(c->p2m, 0));
	saved = be->ops->m2p(be, leaf);
	be->ops->set_m2p(be, leaf, 1);
	t_lin_reject(test, be, &si, -ERANGE, XP2M_LIN_LEAF_NOT_GUEST, 1);
	be->ops->set_m2p(be, leaf, saved);

	/* Published mid-change (odd), or changed during the read. */
	si.p2m_generation = 5;
	t_lin_reject(test, be, &si, -EAGAIN, XP2M_LIN_GENERATION, 0);
	KUNIT_EXPECT_EQ(test, xp2m_linear_read(be, xp2m_shared_info(c->p2m),
					       t_racing_leaf, c->p2m, &rep),
			-EAGAIN);
	KUNIT_EXPECT_EQ(test, rep.error, XP2M_LIN_GENERATION);
	KUNIT_EXPECT_EQ(test, rep.gen_end, rep.gen_start + 2);
	/* And a clean read afterwards. */
	KUNIT_EXPECT_EQ(test, xp2m_linear_read(be, xp2m_shared_info(c->p2m),
					       t_noop_leaf, NULL, &rep), 0);
}

/* Read @si; the pfns read (max_pfn after any cut) and the leaves. */
static void t_lin_read_len(struct kunit *test, struct xp2m_backend *be,
			   const struct xp2m_shared_info *si,
			   unsigned long pfns, unsigned long leaves)
{
	struct xp2m_lin_report rep;

	KUNIT_ASSERT_EQ_MSG(test, xp2m_linear_read(be, si, t_noop_leaf, NULL,
						   &rep), 0,
			    "%s at level %u index %lu (mfn %#lx)",
			    xp2m_lin_error_str(rep.error), rep.level,
			    rep.index, rep.mfn);
	KUNIT_EXPECT_EQ(test, rep.max_pfn, pfns);
	KUNIT_EXPECT_EQ(test, rep.leaves, leaves);
}

/*
 * Why the list starts on a 1 GiB boundary: the save code's level-2 pass
 * (map_p2m_list() in tools/libs/guest/xg_sr_save_x86_pv.c) numbers the
 * page-table pages of leaves from the list's first, but tests the last
 * change among them against the absolute index of the last. The same
 * leaves mapped again 2 MiB past a GiB boundary: a list over three
 * page-table pages is cut after the second, a list over one is read whole.
 */
static void linear_walk_wants_gib_start(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	unsigned long i, n, va, *mfns;
	struct xp2m_shared_info si;
	struct xp2m_backend *be;

	t_setup(test, GIB_PFNS, 4 * GIB_PFNS);
	if (!t_linear_or_skip(test, c->p2m))
		return;
	be = c->p2m->be;
	KUNIT_ASSERT_EQ(test, xp2m_set(c->p2m, 2 * GIB_PFNS + 5, 8), 0);
	si = *xp2m_shared_info(c->p2m);
	n = si.max_pfn / XP2M_PER_PAGE;
	KUNIT_ASSERT_EQ(test, n, 2 * GIB_PFNS / XP2M_PER_PAGE + 1);
	KUNIT_ASSERT_EQ(test, si.p2m_vaddr & (SZ_1G - 1), 0UL);
	t_lin_read_len(test, be, &si, si.max_pfn, n);

	mfns = kunit_kcalloc(test, n, sizeof(*mfns), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mfns);
	for (i = 0; i < n; i++)
		mfns[i] = t_virt_to_mfn(be, xp2m_leaf_of(c->p2m,
							 i * XP2M_PER_PAGE));
	/* Past the view's own 8 MiB, 2 MiB into a GiB of addresses. */
	va = si.p2m_vaddr + SZ_1G + XP2M_PER_PAGE * PAGE_SIZE;
	KUNIT_ASSERT_EQ(test, be->ops->pt_map(be, va, mfns, n), 0);
	si.p2m_vaddr = va;
	t_lin_read_len(test, be, &si, 2 * GIB_PFNS, n - 1);
	si.max_pfn = GIB_PFNS;
	t_lin_read_len(test, be, &si, GIB_PFNS, GIB_PFNS / XP2M_PER_PAGE);
	be->ops->pt_map(be, va, NULL, n);
}

/*
 * Writers write changing values while readers look entries up and read
 * the whole list as a toolstack does, and the view's mappings keep
 * changing to the end: every T_CLAIM-th write of a writer gives a leaf of
 * the hole a page of its own (a remap of its slot), the others write a
 * pfn of a leaf it took before. Each written pfn has one writer and a
 * sequence number, and its value names both (t_val()), so a reader knows
 * exactly which values may be there: one written no earlier than the last
 * write that had returned when the read began (INVALID if none had), and
 * no later than the last write begun when the value was read. A stale, a
 * torn or a misplaced value (another pfn's) is none of those. A list read
 * during which the machine's page tables changed (the number of updates,
 * sampled where the reader begins its walk and where it hands over the
 * last leaf, moved) must report that the generation moved.
 */
#define T_WRITERS	2
#define T_READERS	2
#define T_DOMAIN	16384	/* pages: enough to hold its own p2m's pages */
#define T_FIRST_LEAF	(T_DOMAIN / XP2M_PER_PAGE)	/* the hole's first */
#define T_SLOTS		4	/* pfns written in a leaf */
#define T_CLAIM		16	/* a writer's every T_CLAIM-th write remaps */
#define T_SEQ_MAX	63	/* writes of one pfn at most */

static const unsigned int t_slot_off[T_SLOTS] = { 0, 1, 255, 511 };

/* Leaves remapped: GiB-scale in UML, less under Xen dom0's emulation. */
static unsigned long t_leaves(void)
{
	return IS_ENABLED(CONFIG_UML) ? 8192 : 2048;
}

struct t_race {
	struct xp2m *p2m;
	struct xp2m_sim *sim;
	unsigned long leaves;		/* to remap, in all */
	unsigned long npfn;		/* pfns written: leaves * T_SLOTS */
	u32 *started;			/* per written pfn: last write begun */
	u32 *done;			/* and last write returned */
	atomic_long_t claimed;		/* leaves taken by writers */
	atomic_long_t turns;		/* of all writers: T_CLAIM a leaf */
	atomic_long_t writes;
	long quarter_updates[4];	/* page-table updates at each quarter */
	atomic_t writers_left;
	struct completion finished;	/* the last writer is done */
	/* results */
	atomic_long_t lookups, bad_lookup;
	atomic_long_t reads, bad_read, read_errors;
	atomic_long_t overlaps, detected, missed, moved_alone;
};

/* Written pfn @i: its pfn. */
static unsigned long t_pfn(unsigned long i)
{
	return (T_FIRST_LEAF + i / T_SLOTS) * XP2M_PER_PAGE +
	       t_slot_off[i % T_SLOTS];
}

/* The value of the @s-th write of written pfn @i, a frame of the machine. */
static unsigned long t_val(const struct t_race *r, unsigned long i, u32 s)
{
	return 1 + (unsigned long)s * r->npfn + i;
}

/*
 * May written pfn @i read @v, the value read after the last returned write
 * was @lo and before the last begun was @hi?
 */
static bool t_legal(const struct t_race *r, unsigned long i, unsigned long v,
		    u32 lo, u32 hi)
{
	unsigned long s;

	if (v == XP2M_INVALID_ENTRY)
		return !lo;
	if (v < 1 || (v - 1) % r->npfn != i)
		return false;
	s = (v - 1) / r->npfn;
	return s >= lo && s <= hi && s >= 1;
}

/* One write of written pfn @i; false when it has had all it may. */
static bool t_write(struct t_race *r, unsigned long i)
{
	u32 s = READ_ONCE(r->started[i]) + 1;

	if (s > T_SEQ_MAX)
		return false;
	WRITE_ONCE(r->started[i], s);
	/* A reader that sees the value sees that it was begun. */
	smp_wmb();
	if (xp2m_set(r->p2m, t_pfn(i), t_val(r, i, s)))
		return false;
	/* A reader that sees it returned sees the value. */
	smp_store_release(&r->done[i], s);
	atomic_long_inc(&r->writes);
	return true;
}

/* A writer's turn is done; at each quarter of the run, note the remaps. */
static void t_turn(struct t_race *r)
{
	long quarter = r->leaves * T_CLAIM / 4;
	long n = atomic_long_inc_return(&r->turns);

	if (n % quarter == 0)
		r->quarter_updates[n / quarter - 1] =
			xp2m_sim_pt_updates(r->sim);
}

struct t_writer {
	struct t_race *r;
	unsigned int id;
	unsigned long *own;		/* leaves this writer took */
};

static int t_writer_fn(void *arg)
{
	struct t_writer *w = arg;
	struct t_race *r = w->r;
	unsigned long n, nr_own = 0, ops = r->leaves * T_CLAIM / T_WRITERS;
	unsigned long leaf, i, q;
	struct rnd_state rnd;

	prandom_seed_state(&rnd, 1000 + w->id);
	for (n = 0; n < ops; n++) {
		if (n % T_CLAIM == 0) {
			leaf = atomic_long_inc_return(&r->claimed) - 1;
			w->own[nr_own++] = leaf;
			/* The first write remaps the leaf's slot. */
			for (q = 0; q < T_SLOTS; q++)
				t_write(r, leaf * T_SLOTS + q);
		} else {
			leaf = w->own[prandom_u32_state(&rnd) % nr_own];
			i = leaf * T_SLOTS + prandom_u32_state(&rnd) % T_SLOTS;
			t_write(r, i);
		}
		t_turn(r);
		/*
		 * A moment off the CPU after each remap, so that readers run
		 * between two remaps even on one CPU of a kernel that does
		 * not preempt, and a list read sees remaps while it walks.
		 */
		if (n % T_CLAIM == 0)
			usleep_range(20, 40);
		else
			cond_resched();
	}
	if (atomic_dec_and_test(&r->writers_left))
		complete_all(&r->finished);
	return 0;
}

/*
 * A reader's state. Its list reads go through a machine of its own, the
 * simulated one's with map_frame wrapped: the first frame a read maps is
 * the root of its walk, mapped after the generation is read, and the
 * machine's page-table updates are sampled there.
 */
struct t_reader {
	struct xp2m_backend be;
	struct t_race *r;
	u32 *lo;			/* done[] when the read began */
	bool walking;
	long pt_first, pt_last;
	unsigned long bad;
};

static const void *t_reader_map(struct xp2m_backend *be, unsigned long mfn)
{
	struct t_reader *rd = container_of(be, struct t_reader, be);
	struct xp2m_backend *sim = &rd->r->sim->be;

	if (!rd->walking) {
		rd->walking = true;
		rd->pt_first = xp2m_sim_pt_updates(rd->r->sim);
	}
	return sim->ops->map_frame(sim, mfn);
}

static void t_reader_unmap(struct xp2m_backend *be, const void *addr)
{
	struct t_reader *rd = container_of(be, struct t_reader, be);
	struct xp2m_backend *sim = &rd->r->sim->be;

	sim->ops->unmap_frame(sim, addr);
}

static unsigned long t_reader_m2p(struct xp2m_backend *be, unsigned long mfn)
{
	struct t_reader *rd = container_of(be, struct t_reader, be);
	struct xp2m_backend *sim = &rd->r->sim->be;

	return sim->ops->m2p(sim, mfn);
}

static const struct xp2m_backend_ops t_reader_ops = {
	.map_frame = t_reader_map,
	.unmap_frame = t_reader_unmap,
	.m2p = t_reader_m2p,
};

static int t_reader_leaf(void *ctx, unsigned long first, unsigned long mfn,
			 const unsigned long *e, unsigned int nr)
{
	struct t_reader *rd = ctx;
	struct t_race *r = rd->r;
	unsigned long leaf = first / XP2M_PER_PAGE, i, v;
	unsigned int k, q = 0;
	u32 hi;

	for (k = 0; k < nr; k++) {
		v = READ_ONCE(e[k]);
		if (leaf < T_FIRST_LEAF)
			continue;
		if (q == T_SLOTS || k != t_slot_off[q]) {
			rd->bad += v != XP2M_INVALID_ENTRY;
			continue;
		}
		i = (leaf - T_FIRST_LEAF) * T_SLOTS + q++;
		/* The value before what could have been begun after it. */
		smp_rmb();
		hi = READ_ONCE(r->started[i]);
		rd->bad += !t_legal(r, i, v, rd->lo[i], hi);
	}
	/* The last leaf handed over samples last. */
	rd->pt_last = xp2m_sim_pt_updates(r->sim);
	if (!(leaf & 63))
		cond_resched();
	return 0;
}

/* A whole read of the list, as a toolstack does, checked. */
static void t_read_list(struct t_reader *rd)
{
	struct t_race *r = rd->r;
	struct xp2m_lin_report rep;
	unsigned long i;
	int err;

	for (i = 0; i < r->npfn; i++)
		rd->lo[i] = smp_load_acquire(&r->done[i]); /* see t_write() */
	rd->walking = false;
	rd->bad = 0;
	rd->pt_first = 0;
	rd->pt_last = 0;
	err = xp2m_linear_read(&rd->be, xp2m_shared_info(r->p2m),
			       t_reader_leaf, rd, &rep);
	atomic_long_inc(&r->reads);
	if (err && err != -EAGAIN) {
		atomic_long_inc(&r->read_errors);
		return;
	}
	if (rd->bad)
		atomic_long_inc(&r->bad_read);
	if (rd->pt_last != rd->pt_first) {
		atomic_long_inc(&r->overlaps);
		atomic_long_inc(err ? &r->detected : &r->missed);
	} else if (err) {
		atomic_long_inc(&r->moved_alone);
	}
}

/* Lookups of a written pfn, through the view and the tree. */
static void t_lookup(struct t_race *r, unsigned long i, bool tree)
{
	unsigned long pfn = t_pfn(i), v;
	u32 lo, hi;

	/* Pairs with the writer's release: the value is there to read. */
	lo = smp_load_acquire(&r->done[i]);
	v = tree ? xp2m_lookup(r->p2m, pfn) : xp2m_linear_lookup(r->p2m, pfn);
	/* The value before what could have been begun after it. */
	smp_rmb();
	hi = READ_ONCE(r->started[i]);
	if (!t_legal(r, i, v, lo, hi))
		atomic_long_inc(&r->bad_lookup);
	/* The leaf's pfns no writer writes: INVALID, always. */
	if (xp2m_linear_lookup(r->p2m, pfn - t_slot_off[i % T_SLOTS] + 2) !=
	    XP2M_INVALID_ENTRY)
		atomic_long_inc(&r->bad_lookup);
	atomic_long_add(2, &r->lookups);
}

static int t_reader_fn(void *arg)
{
	struct t_reader *rd = arg;
	struct t_race *r = rd->r;
	unsigned long round = 0, claimed, i;
	struct rnd_state rnd;

	prandom_seed_state(&rnd, current->pid);
	while (!kthread_should_stop()) {
		cond_resched();
		/* Leaves taken (some not written yet), and a few beyond. */
		claimed = min_t(unsigned long,
				atomic_long_read(&r->claimed) + 4, r->leaves);
		i = prandom_u32_state(&rnd) % (claimed * T_SLOTS);
		t_lookup(r, i, round & 1);
		if (round++ % 256 == 0)
			t_read_list(rd);
	}
	return 0;
}

static void linear_concurrency(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	struct task_struct *tasks[T_WRITERS + T_READERS];
	struct t_writer writers[T_WRITERS];
	struct t_reader *readers;
	unsigned long leaves = t_leaves();
	long updates, q[4], prev;
	struct t_race *r;
	unsigned int i;

	/* Room for every value t_val() gives. */
	t_machine(test, (T_SEQ_MAX + 1) * leaves * T_SLOTS + 2);
	t_domain(test, T_DOMAIN, XP2M_MFNS_ASCENDING);
	t_p2m(test, (T_FIRST_LEAF + leaves) * XP2M_PER_PAGE);
	if (!t_linear_or_skip(test, c->p2m))
		return;
	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	readers = kunit_kcalloc(test, T_READERS, sizeof(*readers), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, r && readers);
	r->p2m = c->p2m;
	r->sim = c->sim;
	r->leaves = leaves;
	r->npfn = leaves * T_SLOTS;
	r->started = kunit_kcalloc(test, r->npfn, sizeof(u32), GFP_KERNEL);
	r->done = kunit_kcalloc(test, r->npfn, sizeof(u32), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, r->started && r->done);
	atomic_set(&r->writers_left, T_WRITERS);
	init_completion(&r->finished);
	updates = xp2m_sim_pt_updates(c->sim);

	for (i = 0; i < T_READERS; i++) {
		readers[i].be = c->sim->be;
		readers[i].be.ops = &t_reader_ops;
		readers[i].r = r;
		readers[i].lo = kunit_kcalloc(test, r->npfn, sizeof(u32),
					      GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, readers[i].lo);
		tasks[T_WRITERS + i] = kthread_run(t_reader_fn, &readers[i],
						   "xp2m-rd%u", i);
	}
	for (i = 0; i < T_WRITERS; i++) {
		writers[i] = (struct t_writer) { .r = r, .id = i };
		writers[i].own = kunit_kcalloc(test, leaves, sizeof(long),
					       GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, writers[i].own);
		tasks[i] = kthread_run(t_writer_fn, &writers[i], "xp2m-wr%u", i);
	}
	for (i = 0; i < ARRAY_SIZE(tasks); i++)
		KUNIT_ASSERT_FALSE(test, IS_ERR(tasks[i]));
	wait_for_completion(&r->finished);
	for (i = 0; i < T_READERS; i++)
		kthread_stop(tasks[T_WRITERS + i]);

	for (i = 0, prev = updates; i < 4; i++) {
		q[i] = r->quarter_updates[i] - prev;
		prev = r->quarter_updates[i];
	}
	kunit_info(test, "%ld remaps (%ld, %ld, %ld, %ld by quarter of the run), %ld writes, %ld lookups\n",
		   xp2m_sim_pt_updates(c->sim) - updates, q[0], q[1], q[2], q[3],
		   atomic_long_read(&r->writes), atomic_long_read(&r->lookups));
	kunit_info(test, "%ld list reads: %ld overlapped a remap, %ld of them detected, %ld missed; %ld more saw the generation move with no remap in their walk\n",
		   atomic_long_read(&r->reads), atomic_long_read(&r->overlaps),
		   atomic_long_read(&r->detected), atomic_long_read(&r->missed),
		   atomic_long_read(&r->moved_alone));
	/* Every leaf remapped once, and the remaps went on to the end. */
	KUNIT_EXPECT_EQ(test, xp2m_sim_pt_updates(c->sim) - updates,
			(long)leaves);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_GT_MSG(test, q[i], (long)leaves / 8,
				    "remaps in quarter %u", i + 1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&r->bad_lookup), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&r->bad_read), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&r->read_errors), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&r->missed), 0L);
	KUNIT_EXPECT_GT(test, atomic_long_read(&r->detected), 0L);
	KUNIT_EXPECT_GT(test, atomic_long_read(&r->lookups), 0L);
	/* Afterwards the three views agree entirely. */
	t_agree(test, c->p2m, c->p2m->max_pfn);
}

static u32 t_linear_hash(struct xp2m *p2m)
{
	unsigned long n = DIV_ROUND_UP(p2m->max_pfn, XP2M_PER_PAGE);

	return jhash2((u32 *)p2m->linear, n * PAGE_SIZE / sizeof(u32), 0);
}

/*
 * Allocation failures, every allocation failed in turn (xp2m_fault_sweep()):
 * vm_map_ram()'s and the simulated machine's page tables among them. A
 * failure must give -ENOMEM and leave the p2m, its pages, the view, the
 * machine's page tables and the generation as they were.
 */
struct l_sweep {
	struct t_sweep w;
	unsigned long gen;
	long updates;
	u32 hash;
	unsigned long own;
};

static struct l_sweep *l_sweep(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);

	if (!c->extra) {
		c->extra = kunit_kzalloc(test, sizeof(struct l_sweep),
					 GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, c->extra);
	}
	return c->extra;
}

static bool l_failed(struct kunit *test, int err)
{
	return t_sweep_failed(test, &l_sweep(test)->w, err);
}

/* Each run of the build on a p2m that has no view yet. */
static void l_build_before(struct kunit *test, void *arg)
{
	struct t_ctx *c = t_ctx(test);

	if (!c->p2m) {
		t_setup(test, 4096, 3 * GIB_PFNS);
		/* Two mids of their own: the view's tables take an XArray node. */
		KUNIT_ASSERT_EQ(test, xp2m_set(c->p2m, 2 * GIB_PFNS + 5, 42), 0);
	}
	t_sweep_before(test, &l_sweep(test)->w);
}

static int l_build(struct kunit *test, void *arg)
{
	return xp2m_linear_build(t_ctx(test)->p2m);
}

static void l_build_after(struct kunit *test, void *arg, int err)
{
	struct t_ctx *c = t_ctx(test);

	if (l_failed(test, err)) {
		KUNIT_EXPECT_NULL(test, c->p2m->linear);
		KUNIT_EXPECT_EQ(test, xp2m_shared_info(c->p2m)->p2m_cr3, 0UL);
		KUNIT_EXPECT_EQ(test, xp2m_shared_info(c->p2m)->p2m_vaddr, 0UL);
		/* The machine's page tables went with the view. */
		KUNIT_EXPECT_EQ(test, c->sim->be.ops->pt_root(&c->sim->be), 0UL);
		return;
	}
	t_agree(test, c->p2m, 8192);
	t_exit(test);
}

static void linear_build_faults(struct kunit *test)
{
	static const struct xp2m_fault_op op = {
		.name = "xp2m_linear_build",
		.before = l_build_before,
		.run = l_build,
		.after = l_build_after,
	};

	if (!xp2m_kpte_supported())
		kunit_skip(test, "this kernel does not let modules change its PTEs");
	/*
	 * An XArray node, a page of page pointers and its mapping, two
	 * arrays, the area, four levels of the machine's page tables.
	 */
	KUNIT_EXPECT_GE(test, xp2m_fault_sweep(test, &op, NULL), 10U);
}

/* A change of a view: [(2k + 1) GiB + 7, (2k + 2) GiB + 9) made identity. */
#define L_CHANGE_SPACE	(8 * GIB_PFNS)

static unsigned long l_change_start(struct kunit *test)
{
	return (2 * l_sweep(test)->w.k + 1) * GIB_PFNS + 7;
}

static void l_change_before(struct kunit *test, void *arg)
{
	struct t_ctx *c = t_ctx(test);
	struct l_sweep *l = l_sweep(test);
	unsigned long g[2], reserved;

	t_sweep_before(test, &l->w);
	l->own = t_own_tables(c->p2m, g, &reserved);
	l->gen = xp2m_shared_info(c->p2m)->p2m_generation;
	l->updates = xp2m_sim_pt_updates(c->sim);
	l->hash = t_linear_hash(c->p2m);
}

static int l_change(struct kunit *test, void *arg)
{
	unsigned long start = l_change_start(test);
	long n = xp2m_set_identity(t_ctx(test)->p2m, start,
				   start + GIB_PFNS + 2);

	return n < 0 ? n : 0;
}

static void l_change_after(struct kunit *test, void *arg, int err)
{
	struct t_ctx *c = t_ctx(test);
	struct l_sweep *l = l_sweep(test);
	unsigned long start = l_change_start(test);
	unsigned long g[2], reserved, own;

	/* No slot of the view's tables is left reserved, failed or not. */
	own = t_own_tables(c->p2m, g, &reserved);
	KUNIT_EXPECT_EQ(test, reserved, 0UL);
	if (l_failed(test, err)) {
		KUNIT_EXPECT_EQ(test, own, l->own);
		KUNIT_EXPECT_EQ(test, xp2m_shared_info(c->p2m)->p2m_generation,
				l->gen);
		KUNIT_EXPECT_EQ(test, xp2m_sim_pt_updates(c->sim), l->updates);
		KUNIT_EXPECT_EQ(test, t_linear_hash(c->p2m), l->hash);
		return;
	}
	/* The two GiBs the range ends in have tables of their own now. */
	KUNIT_EXPECT_EQ(test, own, l->own + 2);
	KUNIT_EXPECT_EQ(test, xp2m_shared_info(c->p2m)->p2m_generation,
			l->gen + 2);
	KUNIT_EXPECT_EQ(test, xp2m_linear_lookup(c->p2m, start),
			XP2M_IDENTITY_FRAME(start));
	KUNIT_EXPECT_EQ(test, xp2m_linear_lookup(c->p2m, start - 1),
			XP2M_INVALID_ENTRY);
}

/* A change that fails leaves the linear view and the generation alone. */
static void linear_change_faults(struct kunit *test)
{
	static const struct xp2m_fault_op op = {
		.name = "xp2m_set_identity",
		.before = l_change_before,
		.run = l_change,
		.after = l_change_after,
	};
	struct t_ctx *c = t_ctx(test);

	t_setup(test, 4096, L_CHANGE_SPACE);
	if (!t_linear_or_skip(test, c->p2m))
		return;
	/* An XArray node for the tables' slots, two mids, two leaves. */
	KUNIT_EXPECT_GE(test, xp2m_fault_sweep(test, &op, NULL), 5U);
	t_agree(test, c->p2m, 8192);
}

static struct kunit_case linear_cases[] = {
	KUNIT_CASE(linear_agrees_hole),
	KUNIT_CASE(linear_agrees_domu),
	KUNIT_CASE(linear_agrees_512g),
	KUNIT_CASE(linear_agrees_1t),
	KUNIT_CASE(linear_shared_tables),
	KUNIT_CASE(linear_published),
	KUNIT_CASE(linear_area),
	KUNIT_CASE(linear_dummy_outlives_area),
	KUNIT_CASE(linear_identity_leaf_replaced),
	KUNIT_CASE(linear_rejections),
	KUNIT_CASE(linear_walk_wants_gib_start),
	KUNIT_CASE(linear_concurrency),
	KUNIT_CASE(linear_build_faults),
	KUNIT_CASE(linear_change_faults),
	{}
};

static struct kunit_suite linear_suite = {
	.name = "xp2m_linear",
	.exit = t_exit,
	.test_cases = linear_cases,
};

kunit_test_suite(linear_suite);
