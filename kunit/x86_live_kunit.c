// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of xp2m_x86's instance over the running kernel's p2m:
 * import, the linear view, publication, following the kernel's new leaves,
 * verification and what it reports when the instance, the memory map or
 * the kernel's p2m changes, foreign entries, and allocation failures of
 * the import. Run in a Xen PV dom0.
 */

#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sizes.h>

#include <asm/e820/types.h>
#include <asm/fixmap.h>
#include <asm/xen/page.h>
#include <xen/balloon.h>
#include <xen/grant_table.h>
#include <xen/interface/xen.h>
#include <xen/xen.h>

#include <xp2m/kpte.h>
#include <xp2m/reader.h>
#include <xp2m/x86.h>

#include "x86_fixture.h"

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
	unsigned long hc0[XP2M_X86_NR_HCALLS], hc1[XP2M_X86_NR_HCALLS];
	enum xp2m_what from;
	const struct xp2m_change *note;
	struct xp2m_x86_report *rep;
	long missed = xp2m_x86_follow_missed();

	t_follow(test, x);
	KUNIT_ASSERT_EQ(test, xp2m_linear_build(x->p2m), 0);
	KUNIT_ASSERT_EQ(test, xp2m_linear_build(still->p2m), 0);
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
	/*
	 * A sync catches up with what it missed: one change of its linear
	 * view, which ends with one TLB flush (p2m/linear.c), counted.
	 */
	t_hypercalls(hc0);
	KUNIT_EXPECT_EQ(test, xp2m_x86_sync(still), 1L);
	t_hypercalls(hc1);
	KUNIT_EXPECT_PTR_EQ(test, xp2m_leaf_of(still->p2m, pfn), leaf);
	KUNIT_EXPECT_EQ(test, hc1[XP2M_X86_MMUEXT_OP] - hc0[XP2M_X86_MMUEXT_OP],
			1UL);

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

/* Give @x the memory map @map, under its check_lock; the old one back. */
static struct xp2m_x86_map t_set_map(struct xp2m_x86 *x,
				     struct xp2m_x86_map map)
{
	struct xp2m_x86_map old;

	mutex_lock(&x->check_lock);
	old = x->map;
	x->map = map;
	mutex_unlock(&x->check_lock);
	return old;
}

/* Verify @x against another memory map, then put its own back. */
static struct xp2m_x86_report *t_verify_with(struct kunit *test,
					     struct xp2m_x86 *x,
					     const struct t_e820 *hv,
					     unsigned int nr_hv,
					     const struct xp2m_x86_range *kram,
					     unsigned int nr_kram)
{
	struct xp2m_x86_map own, other;
	struct xp2m_x86_report *rep;

	KUNIT_ASSERT_EQ(test, xp2m_x86_map_build(&other,
						 t_hv(test, hv, nr_hv), nr_hv,
						 xen_initial_domain(),
						 x->p2m->nr_pages,
						 x->p2m->max_pfn, kram, nr_kram),
			0);
	own = t_set_map(x, other);
	rep = t_verify(test, x, 4);
	other = t_set_map(x, own);
	xp2m_x86_map_free(&other);
	return rep;
}

/* Identity on RAM and frames on holes, against maps that say so. */
static void live_verify_map(struct kunit *test)
{
	struct xp2m_x86 *x = t_import(test, 0);
	const struct xp2m_x86_range all = R(0, x->p2m->max_pfn);
	const struct t_e820 ram = E(0, PFN_PHYS((u64)x->p2m->max_pfn),
				    E820_TYPE_RAM);
	const struct t_e820 none = E(0, PFN_PHYS((u64)x->p2m->max_pfn),
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
	KUNIT_CASE(live_faults),
	{}
};

static struct kunit_suite live_suite = {
	.name = "xp2m_x86_live",
	.init = live_init,
	.exit = live_exit,
	.test_cases = live_cases,
};

kunit_test_suite(live_suite);
