// SPDX-License-Identifier: GPL-2.0
/*
 * The fixture of xp2m_x86's KUnit suites; see x86_fixture.h.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>
#include <xen/balloon.h>
#include <xen/interface/memory.h>
#include <xen/interface/xen.h>

#include <xp2m/x86.h>

#include "x86_fixture.h"

/* The entries of @t as the hypervisor gives them. */
struct xp2m_e820_entry *t_hv(struct kunit *test, const struct t_e820 *t,
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

struct live_ctx *live_ctx(struct kunit *test)
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
int live_init(struct kunit *test)
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
long t_own_pages(const struct xp2m *p2m)
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
void t_free(struct kunit *test, struct xp2m_x86 *x)
{
	long before = xp2m_x86_backend_pages(), own;

	if (!x)
		return;
	xp2m_x86_unfollow(x);
	own = t_own_pages(x->p2m);
	xp2m_x86_free(x);
	KUNIT_EXPECT_EQ(test, before - xp2m_x86_backend_pages(), own);
}

void live_exit(struct kunit *test)
{
	struct live_ctx *c = test->priv;

	if (!c)
		return;
	t_free(test, c->x[0]);
	t_free(test, c->x[1]);
	kvfree(c->rep);
}

struct xp2m_x86 *t_import(struct kunit *test, unsigned int slot)
{
	struct live_ctx *c = live_ctx(test);
	struct xp2m_x86 *x;

	x = xp2m_x86_import(slot ? "kunit1" : "kunit0");
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(x), "import: %ld", PTR_ERR(x));
	c->x[slot] = x;
	return x;
}

/* Verify @x, listing up to @max_listed runs; the report lives in ctx. */
struct xp2m_x86_report *t_verify(struct kunit *test, struct xp2m_x86 *x,
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

void t_expect_clean(struct kunit *test, const struct xp2m_x86_report *rep)
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

void t_expect_run(struct kunit *test, const struct xp2m_x86_mismatch *r,
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

long t_reservation(void)
{
	domid_t self = DOMID_SELF;

	return HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
}

/*
 * The raw linear-map PTE of @page as the hardware sees it (machine frame,
 * flags), read from the kernel's page tables; 0 for a page without a
 * mapping (a ballooned page) or outside the linear map. Xen PV maps no
 * large pages there.
 */
u64 t_kmap_pte(struct page *page)
{
	unsigned int level;
	pte_t *pte;

	if (PageHighMem(page))
		return 0;
	pte = lookup_address((unsigned long)page_address(page), &level);
	return pte && level == PG_LEVEL_4K ? pte_val_ma(READ_ONCE(*pte)) : 0;
}

/* The page behind the kernel's leaf of @pfn, by its direct-map address. */
unsigned long *t_kernel_leaf(unsigned long pfn)
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
int t_store_nofault(unsigned long *dst, unsigned long v)
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
void t_follow(struct kunit *test, struct xp2m_x86 *x)
{
	int err = xp2m_x86_follow(x);

	if (err == -EOPNOTSUPP)
		kunit_skip(test, "this kernel has no kprobes: nothing is followed");
	KUNIT_ASSERT_EQ(test, err, 0);
}

/* Is the kernel's leaf of @pfn one of its shared, read-only pages? */
bool t_kernel_hole(unsigned long pfn)
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
unsigned long t_shared_gib(struct kunit *test, const struct xp2m *p2m)
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
unsigned long t_shared_value(const struct xp2m *p2m, unsigned long pfn)
{
	return xp2m_leaf_kind(p2m, pfn) == XP2M_LEAF_IDENTITY ?
	       XP2M_IDENTITY_FRAME(pfn) : XP2M_INVALID_ENTRY;
}

unsigned long t_other_value(const struct xp2m *p2m, unsigned long pfn)
{
	return xp2m_leaf_kind(p2m, pfn) == XP2M_LEAF_IDENTITY ?
	       XP2M_INVALID_ENTRY : XP2M_IDENTITY_FRAME(pfn);
}

/* The module's hypercalls so far, by hypercall. */
void t_hypercalls(unsigned long *n)
{
	unsigned int i;

	for (i = 0; i < XP2M_X86_NR_HCALLS; i++)
		n[i] = xp2m_x86_hypercalls(i);
}

MODULE_DESCRIPTION("xp2m: KUnit suites of the Xen PV backend and live import");
MODULE_LICENSE("GPL");
MODULE_VERSION(XP2M_VERSION);
