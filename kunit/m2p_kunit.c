// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the m2p override: add, find, mfn_to_pfn and remove; the
 * frame-also-local case; bad input; the index by frame, its leaves and its
 * growth; allocation failures; concurrent adds, removes and lookups; a large
 * table; the debugfs view.
 */

#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/log2.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include <xp2m/kpte.h>
#include <xp2m/m2p.h>

#include "fixture.h"

/* A domain of 4096 pages, pfns to 64 MiB; the frames past it are others'. */
#define M_DOM		4096UL
#define M_MAX		16384UL
#define M_GRANTER_PFN	0x4242UL	/* the granting domain's pfn */

struct m_ctx {
	struct xp2m_m2p m2p;
	bool init;
	struct dentry *dir;
};

static void m_exit(struct kunit *test, struct t_ctx *c)
{
	struct m_ctx *m = c->extra;

	debugfs_remove_recursive(m->dir);
	if (m->init) {
		KUNIT_EXPECT_EQ(test, atomic_long_read(&m->m2p.count), 0L);
		xp2m_m2p_destroy(&m->m2p);
	}
}

/* The table of a p2m of @max_pfn pfns, M_DOM of them populated. */
static struct xp2m_m2p *m_setup_max(struct kunit *test, unsigned long max_pfn)
{
	struct t_ctx *c = t_ctx(test);
	struct m_ctx *m;

	t_setup_on(test, 65536, M_DOM, max_pfn);
	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	KUNIT_ASSERT_EQ(test, xp2m_m2p_init(&m->m2p, c->p2m), 0);
	m->init = true;
	c->extra = m;
	c->extra_exit = m_exit;
	return &m->m2p;
}

static struct xp2m_m2p *m_setup(struct kunit *test)
{
	return m_setup_max(test, M_MAX);
}

/* A frame of another domain: free on the machine, its M2P the granter's. */
static unsigned long m_foreign(struct kunit *test, unsigned long i)
{
	struct xp2m_backend *be = &t_ctx(test)->sim->be;
	unsigned long mfn = 2 * M_DOM + 100 + i;

	KUNIT_ASSERT_LE(test, mfn, be->max_mfn);
	be->ops->set_m2p(be, mfn, M_GRANTER_PFN + i);
	return mfn;
}

static void m2p_add_find_remove(struct kunit *test)
{
	struct xp2m_m2p *m2p = m_setup(test);
	struct xp2m *p2m = t_ctx(test)->p2m;
	unsigned long f = m_foreign(test, 0), g = m_foreign(test, 1);
	unsigned long own = t_asc_mfn(t_ctx(test), 100);
	struct page *page = (struct page *)0x1000;	/* only compared */
	u64 kmap = 0;

	/* Over a ballooned-out (missing) pfn. */
	KUNIT_ASSERT_EQ(test, xp2m_m2p_add(m2p, 5000, page, f, 0xabc), 0);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, 5000), XP2M_FOREIGN_FRAME(f));
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, f), 5000UL);
	KUNIT_EXPECT_PTR_EQ(test, xp2m_m2p_find_page(m2p, f), page);
	/* The M2P names the granter's pfn, which does not map back here. */
	KUNIT_EXPECT_EQ(test, p2m->be->ops->m2p(p2m->be, f), M_GRANTER_PFN);
	KUNIT_EXPECT_EQ(test, xp2m_mfn_to_pfn(m2p, f), 5000UL);
	/* Our own frames answer from the M2P. */
	KUNIT_EXPECT_EQ(test, xp2m_mfn_to_pfn(m2p, own), 100UL);

	/* Over a populated pfn: its frame is kept and comes back. */
	KUNIT_ASSERT_EQ(test, xp2m_m2p_add(m2p, 100, NULL, g, 0), 0);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, 100), XP2M_FOREIGN_FRAME(g));
	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m2p, 100, NULL), 0);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, 100), own);

	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m2p, 5000, &kmap), 0);
	KUNIT_EXPECT_EQ(test, kmap, (u64)0xabc);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, 5000), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, f), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_NULL(test, xp2m_m2p_find_page(m2p, f));
	KUNIT_EXPECT_EQ(test, xp2m_mfn_to_pfn(m2p, f), XP2M_INVALID_ENTRY);

	/* An identity pfn answers for itself, as the kernel's mfn_to_pfn. */
	KUNIT_ASSERT_EQ(test, xp2m_set_identity(p2m, 9000, 9100), 100L);
	KUNIT_EXPECT_EQ(test, xp2m_mfn_to_pfn(m2p, 9050), 9050UL);
}

/*
 * A frame of ours granted to ourselves and mapped back at another pfn: the
 * pfn it backs is marked foreign while any override of it exists, so that
 * mfn_to_pfn() answers with where it is mapped; the last removal restores it.
 */
static void m2p_local_frame(struct kunit *test)
{
	struct xp2m_m2p *m2p = m_setup(test);
	struct xp2m *p2m = t_ctx(test)->p2m;
	unsigned long ml = t_asc_mfn(t_ctx(test), 200);

	KUNIT_EXPECT_EQ(test, xp2m_mfn_to_pfn(m2p, ml), 200UL);
	KUNIT_ASSERT_EQ(test, xp2m_m2p_add(m2p, 5000, NULL, ml, 0), 0);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, 200), XP2M_FOREIGN_FRAME(ml));
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, 5000), XP2M_FOREIGN_FRAME(ml));
	KUNIT_EXPECT_EQ(test, xp2m_mfn_to_pfn(m2p, ml), 5000UL);

	/* Mapped twice: the latest answers; the mark stays until the last. */
	KUNIT_ASSERT_EQ(test, xp2m_m2p_add(m2p, 5001, NULL, ml, 0), 0);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, ml), 5001UL);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m2p, 5001, NULL), 0);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, ml), 5000UL);
	KUNIT_ASSERT_EQ(test, xp2m_m2p_add(m2p, 5001, NULL, ml, 0), 0);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m2p, 5000, NULL), 0);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, 200), XP2M_FOREIGN_FRAME(ml));
	KUNIT_EXPECT_EQ(test, xp2m_mfn_to_pfn(m2p, ml), 5001UL);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m2p, 5001, NULL), 0);

	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, 200), ml);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, 5000), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, 5001), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_mfn_to_pfn(m2p, ml), 200UL);
}

/*
 * What a lookup of a frame of ours granted to ourselves reads when the last
 * removal runs whole between its read of the pfn's entry and its read of
 * the index: the entry FOREIGN_FRAME(mfn), no override. Made here by hand,
 * the entry marked with no override at all: the answer is the pfn, whose
 * frame it is again by then; for a frame numbered past the p2m's end too,
 * which would otherwise answer itself (1-1).
 */
static void m2p_local_straddle(struct kunit *test)
{
	struct xp2m_m2p *m2p = m_setup(test);
	struct xp2m *p2m = t_ctx(test)->p2m;
	struct xp2m_backend *be = p2m->be;
	unsigned long ml = t_asc_mfn(t_ctx(test), 200);
	unsigned long far = M_MAX + 7;

	KUNIT_ASSERT_EQ(test, xp2m_set(p2m, 200, XP2M_FOREIGN_FRAME(ml)), 0);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, ml), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_mfn_to_pfn(m2p, ml), 200UL);
	KUNIT_ASSERT_EQ(test, xp2m_set(p2m, 200, ml), 0);

	/* Past the p2m's end, the M2P naming pfn 300: 1-1 until it is marked. */
	KUNIT_ASSERT_LE(test, far, be->max_mfn);
	be->ops->set_m2p(be, far, 300);
	KUNIT_EXPECT_EQ(test, xp2m_mfn_to_pfn(m2p, far), far);
	KUNIT_ASSERT_EQ(test, xp2m_set(p2m, 300, XP2M_FOREIGN_FRAME(far)), 0);
	KUNIT_EXPECT_EQ(test, xp2m_mfn_to_pfn(m2p, far), 300UL);
	KUNIT_ASSERT_EQ(test, xp2m_set(p2m, 300, t_asc_mfn(t_ctx(test), 300)),
			0);
	be->ops->set_m2p(be, far, XP2M_INVALID_ENTRY);
}

/*
 * A claim (xp2m_m2p_prepare()) holds its pfn against every other add and
 * prepare, and is seen by nothing that looks pfns up; a commit that fails
 * leaves it claimed; an abort frees the pfn again.
 */
static void m2p_prepare_commit(struct kunit *test)
{
	struct xp2m_m2p *m2p = m_setup(test);
	struct t_ctx *c = t_ctx(test);
	unsigned long f = m_foreign(test, 0), g = m_foreign(test, 1);
	struct xp2m_override *o;
	struct t_snap a, b;

	t_snap(test, c->p2m, c->sim, &a);
	o = xp2m_m2p_prepare(m2p, 5000, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(o));
	KUNIT_EXPECT_PTR_EQ(test, xp2m_m2p_prepare(m2p, 5000, NULL),
			    ERR_PTR(-EEXIST));
	KUNIT_EXPECT_EQ(test, xp2m_m2p_add(m2p, 5000, NULL, g, 0), -EEXIST);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_get(m2p, 5000, NULL, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m2p, 5000, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&m2p->count), 0L);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, 5000), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_PTR_EQ(test, xp2m_m2p_prepare(m2p, M_MAX, NULL),
			    ERR_PTR(-ERANGE));

	/* A frame that does not fit: refused, and still claimed. */
	KUNIT_EXPECT_EQ(test, xp2m_m2p_commit(m2p, o, c->p2m->be->max_mfn + 1,
					      0), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_add(m2p, 5000, NULL, g, 0), -EEXIST);
	KUNIT_ASSERT_EQ(test, xp2m_m2p_commit(m2p, o, f, 0x63), 0);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, 5000), XP2M_FOREIGN_FRAME(f));
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, f), 5000UL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&m2p->count), 1L);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m2p, 5000, NULL), 0);

	/* An abort frees the pfn: an add takes it. */
	o = xp2m_m2p_prepare(m2p, 5001, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(o));
	xp2m_m2p_abort(m2p, o);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_add(m2p, 5001, NULL, g, 0), 0);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m2p, 5001, NULL), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&m2p->count), 0L);
	/* The leaf of both pfns is a page of its own now; nothing else. */
	t_snap(test, c->p2m, c->sim, &b);
	KUNIT_EXPECT_EQ(test, b.counts.private_leaves,
			a.counts.private_leaves + 1);
}

static void m2p_bad_input(struct kunit *test)
{
	struct xp2m_m2p *m2p = m_setup(test);
	struct t_ctx *c = t_ctx(test);
	struct xp2m *p2m = c->p2m;
	unsigned long f = m_foreign(test, 0), max_mfn = p2m->be->max_mfn;
	struct t_snap a, b;

	KUNIT_ASSERT_EQ(test, xp2m_m2p_add(m2p, 5000, NULL, f, 0), 0);
	t_snap(test, p2m, c->sim, &a);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_add(m2p, 5000, NULL, f, 0), -EEXIST);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_add(m2p, 5001, NULL,
					   XP2M_FOREIGN_FRAME(f), 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_add(m2p, 5001, NULL,
					   XP2M_IDENTITY_FRAME(f), 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_add(m2p, 5001, NULL, max_mfn + 1, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_add(m2p, M_MAX, NULL, f, 0), -ERANGE);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m2p, 5001, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m2p, ~0UL, NULL), -ENOENT);
	t_snap(test, p2m, c->sim, &b);
	t_expect_same(test, &a, &b);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&m2p->count), 1L);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, f), 5000UL);

	/* An entry foreign already, not by an override of ours. */
	KUNIT_ASSERT_EQ(test, xp2m_set(p2m, 6000, XP2M_FOREIGN_FRAME(f + 1)), 0);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_add(m2p, 6000, NULL, f, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, 6000), XP2M_FOREIGN_FRAME(f + 1));

	/*
	 * Someone else rewrote our entry while the mapping was there. The
	 * mapping goes all the same, and its override with it (nothing may
	 * stay behind it); the entry, theirs now, stays as they wrote it.
	 */
	KUNIT_ASSERT_EQ(test, xp2m_set(p2m, 5000, 7), 0);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m2p, 5000, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, 5000), 7UL);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, f), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_NULL(test, xp2m_m2p_find_page(m2p, f));
	KUNIT_EXPECT_EQ(test, xp2m_m2p_get(m2p, 5000, NULL, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&m2p->count), 0L);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m2p, 5000, NULL), -ENOENT);
	/* The pfn can be overridden again. */
	KUNIT_EXPECT_EQ(test, xp2m_m2p_add(m2p, 5000, NULL, f, 0), 0);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m2p, 5000, NULL), 0);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(p2m, 5000), 7UL);
}

/* Slots of the table's index by frame. */
static unsigned long m_dir_nr(struct xp2m_m2p *m2p)
{
	return rcu_access_pointer(m2p->dir)->nr;
}

/*
 * The index by frame: a leaf of its own for each XP2M_PER_PAGE frames that
 * have an override, given back with the last; frames beside an override's,
 * across a leaf's edge too, answer none; the directory grows to hold a
 * frame past it, twice as large at least, and no larger than the machine.
 */
static void m2p_dir_leaves(struct kunit *test)
{
	struct xp2m_m2p *m2p = m_setup(test);
	struct xp2m_backend *be = &t_ctx(test)->sim->be;
	unsigned long edge = ALIGN(m_foreign(test, 0), XP2M_PER_PAGE);
	unsigned long nr, top = be->max_mfn;

	KUNIT_EXPECT_EQ(test, m_dir_nr(m2p), 0UL);
	KUNIT_ASSERT_EQ(test, xp2m_m2p_add(m2p, 5000, NULL, edge - 1, 0), 0);
	nr = roundup_pow_of_two(edge / XP2M_PER_PAGE);
	KUNIT_EXPECT_EQ(test, m_dir_nr(m2p), nr);
	KUNIT_EXPECT_EQ(test, m2p->leaves, 1UL);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, edge - 1), 5000UL);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, edge - 2),
			XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, edge), XP2M_INVALID_ENTRY);

	/* The next frame is the first of the next leaf. */
	KUNIT_ASSERT_EQ(test, xp2m_m2p_add(m2p, 5001, NULL, edge, 0), 0);
	KUNIT_ASSERT_EQ(test, xp2m_m2p_add(m2p, 5002, NULL, edge + 1, 0), 0);
	KUNIT_EXPECT_EQ(test, m2p->leaves, 2UL);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, edge), 5001UL);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, edge + 1), 5002UL);
	KUNIT_EXPECT_EQ(test, m_dir_nr(m2p),
			max(nr, roundup_pow_of_two(edge / XP2M_PER_PAGE + 1)));

	/* A leaf stays while an entry is left in it, and goes with the last. */
	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m2p, 5001, NULL), 0);
	KUNIT_EXPECT_EQ(test, m2p->leaves, 2UL);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, edge), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, edge + 1), 5002UL);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m2p, 5002, NULL), 0);
	KUNIT_EXPECT_EQ(test, m2p->leaves, 1UL);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, edge + 1),
			XP2M_INVALID_ENTRY);

	/* The machine's last frame: the directory holds exactly its slots. */
	KUNIT_ASSERT_EQ(test, xp2m_m2p_add(m2p, 5003, NULL, top, 0), 0);
	KUNIT_EXPECT_EQ(test, m_dir_nr(m2p), top / XP2M_PER_PAGE + 1);
	KUNIT_EXPECT_EQ(test, m2p->leaves, 2UL);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, top), 5003UL);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, edge - 1), 5000UL);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, top + 1),
			XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, ~0UL), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m2p, 5003, NULL), 0);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m2p, 5000, NULL), 0);
	KUNIT_EXPECT_EQ(test, m2p->leaves, 0UL);
	KUNIT_EXPECT_EQ(test, m_dir_nr(m2p), top / XP2M_PER_PAGE + 1);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, edge - 1),
			XP2M_INVALID_ENTRY);
}

/* What slot @i of the table's view maps. */
static struct page *m_view_page(struct xp2m_m2p *m2p, unsigned long i)
{
	return vmalloc_to_page(m2p->view + i * XP2M_PER_PAGE);
}

/*
 * The view: where the kernel's page tables can be changed a PTE at a time
 * it covers the machine's frames, a slot maps the shared page of INVALID
 * until its leaf comes and again once the leaf is gone, read-only always,
 * and lookups through it answer as the directory does.
 */
static void m2p_view(struct kunit *test)
{
	struct xp2m_m2p *m2p = m_setup(test);
	struct xp2m_backend *be = &t_ctx(test)->sim->be;
	unsigned long f = m_foreign(test, 0), i = f / XP2M_PER_PAGE;
	const struct xp2m_m2p_dir *dir;

	if (!xp2m_kpte_supported())
		kunit_skip(test, "no view: this kernel's PTEs are out of reach");
	KUNIT_ASSERT_NOT_NULL(test, m2p->view);
	KUNIT_EXPECT_EQ(test, m2p->view_nr,
			(be->max_mfn / XP2M_PER_PAGE + 1) * XP2M_PER_PAGE);
	KUNIT_EXPECT_PTR_EQ(test, m_view_page(m2p, i), m2p->none);
	KUNIT_EXPECT_EQ(test, xp2m_kpte_writable((unsigned long)m2p->view +
						 i * PAGE_SIZE), 0);

	KUNIT_ASSERT_EQ(test, xp2m_m2p_add(m2p, 5000, NULL, f, 0), 0);
	dir = rcu_access_pointer(m2p->dir);
	KUNIT_EXPECT_PTR_EQ(test, m_view_page(m2p, i),
			    virt_to_page(rcu_access_pointer(dir->leaf[i])));
	KUNIT_EXPECT_EQ(test, xp2m_kpte_writable((unsigned long)m2p->view +
						 i * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, f), 5000UL);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_dir_find(m2p, f), 5000UL);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, f + 1), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, m2p->view_nr),
			XP2M_INVALID_ENTRY);

	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m2p, 5000, NULL), 0);
	KUNIT_EXPECT_PTR_EQ(test, m_view_page(m2p, i), m2p->none);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m2p, f), XP2M_INVALID_ENTRY);
}

/*
 * Every allocation of a table's making and first add failed in turn
 * (xp2m_fault_sweep()): the table comes up all the same, without its view
 * where one of the view's failed, and answers through its directory; an
 * add that failed changed nothing.
 */
struct m_view_sweep {
	struct xp2m *p2m;
	unsigned long mfn;
	bool view;		/* this run's table had its view */
	unsigned long found;	/* after the add */
	int removed;
	unsigned long gone;	/* after the remove */
	unsigned long without;	/* runs whose table had no view */
};

/* Asserts nothing: it runs with an allocation set to fail. */
static int m_view_run(struct kunit *test, void *arg)
{
	struct m_view_sweep *v = arg;
	struct xp2m_m2p m2p;
	int err;

	xp2m_m2p_init(&m2p, v->p2m);
	v->view = m2p.view;
	err = xp2m_m2p_add(&m2p, 5000, NULL, v->mfn, 0);
	v->found = xp2m_m2p_find_pfn(&m2p, v->mfn);
	v->removed = err ? -ENOENT : xp2m_m2p_remove(&m2p, 5000, NULL);
	v->gone = xp2m_m2p_find_pfn(&m2p, v->mfn);
	xp2m_m2p_destroy(&m2p);
	return err;
}

static void m_view_after(struct kunit *test, void *arg, int err)
{
	struct m_view_sweep *v = arg;

	if (!v->view)
		v->without++;
	KUNIT_EXPECT_EQ(test, v->found, err ? XP2M_INVALID_ENTRY : 5000UL);
	KUNIT_EXPECT_EQ(test, v->removed, err ? -ENOENT : 0);
	KUNIT_EXPECT_EQ(test, v->gone, XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(v->p2m, 5000), XP2M_INVALID_ENTRY);
	/* Leaves go after a grace period, before the next run. */
	rcu_barrier();
}

static void m2p_view_faults(struct kunit *test)
{
	static const struct xp2m_fault_op op = {
		.name = "xp2m_m2p_init and _add",
		.run = m_view_run,
		.after = m_view_after,
	};
	struct m_view_sweep *v = kunit_kzalloc(test, sizeof(*v), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, v);
	m_setup(test);
	v->p2m = t_ctx(test)->p2m;
	v->mfn = m_foreign(test, 7);
	if (!xp2m_kpte_supported())
		kunit_skip(test, "no view on this kernel: nothing to fail");
	KUNIT_EXPECT_GE(test, xp2m_fault_sweep(test, &op, v), 3U);
	KUNIT_EXPECT_GE(test, v->without, 2UL);
}

/*
 * Allocation failures, every allocation of an add failed in turn
 * (xp2m_fault_sweep()): the override, the nodes of the two XArrays (each
 * store on a fresh part of its index space, so that each allocates), a
 * larger directory of the index by frame and a leaf of it, the leaf of the
 * p2m entry. A failure must give -ENOMEM with the p2m, the machine's pages
 * and the table as before (its leaves too), the stores already made undone;
 * a run that went through is checked and removed again, and the next run
 * takes a fresh pfn (its leaf is private now) and frame.
 */
struct m_sweep {
	struct xp2m_m2p *m2p;
	struct t_sweep w;
	unsigned long first_leaf;	/* of the pfns the runs take */
	unsigned long head_pfn;		/* an override of the runs' frame, or ~0 */
	unsigned long head_mfn;
	unsigned long pfn;		/* this run's */
	unsigned long mfn;
	unsigned long leaves;		/* of the index by frame, before */
};

static void m_sweep_before(struct kunit *test, void *arg)
{
	struct m_sweep *m = arg;
	struct t_ctx *c = t_ctx(test);

	m->pfn = (m->first_leaf + m->w.k) * XP2M_PER_PAGE + 9;
	/* A fresh leaf of the index by frame, and of its XArray's nodes. */
	m->mfn = m->head_pfn == ~0UL ?
		 m_foreign(test, XP2M_PER_PAGE * (m->w.k + 1)) : m->head_mfn;
	KUNIT_ASSERT_LT(test, m->pfn, c->p2m->max_pfn);
	KUNIT_ASSERT_EQ(test, xp2m_leaf_kind(c->p2m, m->pfn),
			XP2M_LEAF_MISSING);
	m->leaves = m->m2p->leaves;
	t_sweep_before(test, &m->w);
}

static int m_sweep_add(struct kunit *test, void *arg)
{
	struct m_sweep *m = arg;

	return xp2m_m2p_add(m->m2p, m->pfn, NULL, m->mfn, 0);
}

static void m_sweep_after(struct kunit *test, void *arg, int err)
{
	struct m_sweep *m = arg;
	struct t_ctx *c = t_ctx(test);
	long count = m->head_pfn == ~0UL ? 0 : 1;
	unsigned long other = count ? m->head_pfn : XP2M_INVALID_ENTRY;

	if (t_sweep_failed(test, &m->w, err)) {
		KUNIT_EXPECT_EQ(test, atomic_long_read(&m->m2p->count), count);
		KUNIT_EXPECT_EQ(test, xp2m_m2p_get(m->m2p, m->pfn, NULL, NULL),
				-ENOENT);
		KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m->m2p, m->mfn), other);
		KUNIT_EXPECT_EQ(test, xp2m_mfn_to_pfn(m->m2p, m->mfn), other);
		KUNIT_EXPECT_EQ(test, m->m2p->leaves, m->leaves);
		return;
	}
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, m->pfn),
			XP2M_FOREIGN_FRAME(m->mfn));
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m->m2p, m->mfn), m->pfn);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&m->m2p->count), count + 1);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m->m2p, m->pfn, NULL), 0);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_find_pfn(m->m2p, m->mfn), other);
	KUNIT_EXPECT_EQ(test, xp2m_lookup(c->p2m, m->pfn), XP2M_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, m->m2p->leaves, m->leaves);
}

static void m2p_add_faults(struct kunit *test)
{
	static const struct xp2m_fault_op op = {
		.name = "xp2m_m2p_add",
		.before = m_sweep_before,
		.run = m_sweep_add,
		.after = m_sweep_after,
	};
	struct m_sweep *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	/* Room for a fresh leaf for every run. */
	m->m2p = m_setup_max(test, XP2M_MID_SPAN);

	/*
	 * A frame of its own: the override, XArray nodes, the index's
	 * directory and leaf, the p2m's leaf.
	 */
	m->first_leaf = M_DOM / XP2M_PER_PAGE + 1;
	m->head_pfn = ~0UL;
	KUNIT_EXPECT_GE(test, xp2m_fault_sweep(test, &op, m), 5U);

	/* A frame mapped already: its chain grows; the override, a node, a leaf. */
	m->first_leaf += m->w.k + 1;
	m->w.k = 0;
	m->head_mfn = m_foreign(test, 1);
	m->head_pfn = M_DOM + 1;
	KUNIT_ASSERT_EQ(test, xp2m_m2p_add(m->m2p, m->head_pfn, NULL,
					   m->head_mfn, 0), 0);
	KUNIT_EXPECT_GE(test, xp2m_fault_sweep(test, &op, m), 3U);
	KUNIT_EXPECT_EQ(test, xp2m_m2p_remove(m->m2p, m->head_pfn, NULL), 0);
}

/* Many overrides: each found, each removed, the p2m as it was. */
static void m2p_large_table(struct kunit *test)
{
	const unsigned long n = 8192;
	struct xp2m_m2p *m2p = m_setup(test);
	struct t_ctx *c = t_ctx(test);
	struct t_snap a, b;
	unsigned long i, bad = 0;

	KUNIT_ASSERT_EQ(test, xp2m_prealloc(c->p2m, M_DOM, M_DOM + n), 0);
	t_snap(test, c->p2m, c->sim, &a);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, xp2m_m2p_add(m2p, M_DOM + i, NULL,
						   2 * M_DOM + 100 + i, 0), 0);
	for (i = 0; i < n; i++)
		if (xp2m_mfn_to_pfn(m2p, 2 * M_DOM + 100 + i) != M_DOM + i)
			bad++;
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&m2p->count), (long)n);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, xp2m_m2p_remove(m2p, M_DOM + i, NULL), 0);
	t_snap(test, c->p2m, c->sim, &b);
	t_expect_same(test, &a, &b);
}

/*
 * Threads add and remove overrides of their own pfns and frames while
 * others look frames up: a lookup finds the frame's pfn or nothing, never
 * another's; at the end every entry is as it was.
 */
#define M_THREADS	4
#define M_ROUNDS	20000
#define M_PER_THREAD	64

struct m_race {
	struct xp2m_m2p *m2p;
	atomic_t running;
	struct completion done;
	atomic_long_t wrong, found, errors;
};

struct m_worker {
	struct m_race *r;
	unsigned int id;
};

static unsigned long m_pfn(unsigned int id, unsigned int k)
{
	return M_DOM + id * M_PER_THREAD + k;
}

static unsigned long m_mfn(unsigned int id, unsigned int k)
{
	return 2 * M_DOM + 100 + id * M_PER_THREAD + k;
}

static int m_writer(void *arg)
{
	struct m_worker *w = arg;
	struct m_race *r = w->r;
	unsigned int round, k;

	for (round = 0; round < M_ROUNDS / M_PER_THREAD; round++) {
		for (k = 0; k < M_PER_THREAD; k++)
			if (xp2m_m2p_add(r->m2p, m_pfn(w->id, k), NULL,
					 m_mfn(w->id, k), k))
				atomic_long_inc(&r->errors);
		cond_resched();
		for (k = 0; k < M_PER_THREAD; k++)
			if (xp2m_m2p_remove(r->m2p, m_pfn(w->id, k), NULL))
				atomic_long_inc(&r->errors);
		cond_resched();
	}
	if (atomic_dec_and_test(&r->running))
		complete(&r->done);
	return 0;
}

static int m_reader(void *arg)
{
	struct m_race *r = arg;
	struct rnd_state rnd;
	unsigned int id, k;
	unsigned long pfn;

	prandom_seed_state(&rnd, current->pid);
	while (!kthread_should_stop()) {
		id = prandom_u32_state(&rnd) % M_THREADS;
		k = prandom_u32_state(&rnd) % M_PER_THREAD;
		pfn = xp2m_mfn_to_pfn(r->m2p, m_mfn(id, k));
		if (pfn == m_pfn(id, k))
			atomic_long_inc(&r->found);
		else if (pfn != XP2M_INVALID_ENTRY)
			atomic_long_inc(&r->wrong);
		cond_resched();
	}
	return 0;
}

static void m2p_concurrency(struct kunit *test)
{
	struct xp2m_m2p *m2p = m_setup(test);
	struct t_ctx *c = t_ctx(test);
	struct m_worker workers[M_THREADS];
	struct task_struct *readers[2];
	struct t_snap a, b;
	struct m_race *r;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, xp2m_prealloc(c->p2m, M_DOM,
					    M_DOM + M_THREADS * M_PER_THREAD), 0);
	t_snap(test, c->p2m, c->sim, &a);
	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->m2p = m2p;
	init_completion(&r->done);
	atomic_set(&r->running, M_THREADS);
	for (i = 0; i < ARRAY_SIZE(readers); i++) {
		readers[i] = kthread_run(m_reader, r, "xp2m-m2p-rd%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(readers[i]));
	}
	for (i = 0; i < M_THREADS; i++) {
		workers[i] = (struct m_worker) { .r = r, .id = i };
		KUNIT_ASSERT_FALSE(test, IS_ERR(kthread_run(m_writer, &workers[i],
							    "xp2m-m2p-wr%u", i)));
	}
	wait_for_completion(&r->done);
	for (i = 0; i < ARRAY_SIZE(readers); i++)
		kthread_stop(readers[i]);

	kunit_info(test, "%d adds and removes, %ld lookups found their pfn\n",
		   2 * M_THREADS * (M_ROUNDS / M_PER_THREAD) * M_PER_THREAD,
		   atomic_long_read(&r->found));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&r->errors), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&r->wrong), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&m2p->count), 0L);
	t_snap(test, c->p2m, c->sim, &b);
	t_expect_same(test, &a, &b);
}

/*
 * A frame of ours granted to ourselves: frame M, which backs pfn L, mapped
 * at pfn P and unmapped again, over and over, while a timer interrupts the
 * writer and looks M up. Every answer is P (mapped) or L (not), wherever in
 * an add or a remove the timer lands; each pfn's entry is its own or
 * FOREIGN_FRAME(M); and L is marked only while M is in the index. The last
 * removal gives L its frame back and takes M out of the index, where the
 * leaf M had goes (a remap of the view, a TLB flush): L must come back
 * first, or a lookup in between finds neither (and only the entry it read,
 * m2p_local_straddle's case, tells it the answer).
 * The timer is pinned to the writer's CPU, so it sees the writer's steps
 * in order, on one CPU without preemption (UML) too, where no thread ever
 * runs inside another's removal.
 */
#define M_SELF_PFN	5000UL
#define M_SELF_LOCAL	200UL
#define M_SELF_ROUNDS	4096
#define M_TICK_NS	(20 * NSEC_PER_USEC)

struct m_tick {
	struct hrtimer timer;
	struct xp2m_m2p *m2p;
	unsigned long mfn;
	bool removing;		/* the writer is in xp2m_m2p_remove() */
	unsigned long ticks;	/* lookups made */
	unsigned long in_removal; /* of them, in a removal, P's entry back */
	unsigned long wrong;	/* of them, an answer or entry not allowed */
	unsigned long answer;	/* the last wrong answer of mfn_to_pfn() */
	unsigned long alone;	/* of them, L marked, M not in the index */
};

static enum hrtimer_restart m_tick_fn(struct hrtimer *timer)
{
	struct m_tick *t = container_of(timer, struct m_tick, timer);
	struct xp2m *p2m = t->m2p->p2m;
	unsigned long foreign = XP2M_FOREIGN_FRAME(t->mfn);
	unsigned long pfn = xp2m_mfn_to_pfn(t->m2p, t->mfn);
	unsigned long local = xp2m_lookup(p2m, M_SELF_LOCAL);
	unsigned long mapped = xp2m_lookup(p2m, M_SELF_PFN);

	t->ticks++;
	if (READ_ONCE(t->removing) && mapped == XP2M_INVALID_ENTRY)
		t->in_removal++;
	if (local == foreign &&
	    xp2m_m2p_find_pfn(t->m2p, t->mfn) == XP2M_INVALID_ENTRY)
		t->alone++;
	if ((pfn != M_SELF_PFN && pfn != M_SELF_LOCAL) ||
	    (local != t->mfn && local != foreign) ||
	    (mapped != XP2M_INVALID_ENTRY && mapped != foreign)) {
		t->wrong++;
		t->answer = pfn;
	}
	hrtimer_forward_now(timer, ns_to_ktime(M_TICK_NS));
	return HRTIMER_RESTART;
}

static void m2p_self_grant_race(struct kunit *test)
{
	struct xp2m_m2p *m2p = m_setup(test);
	struct xp2m *p2m = t_ctx(test)->p2m;
	struct m_tick *t;
	unsigned int round;
	long errors = 0;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->m2p = m2p;
	t->mfn = t_asc_mfn(t_ctx(test), M_SELF_LOCAL);
	KUNIT_ASSERT_EQ(test, xp2m_lookup(p2m, M_SELF_PFN), XP2M_INVALID_ENTRY);
	KUNIT_ASSERT_EQ(test, xp2m_mfn_to_pfn(m2p, t->mfn), M_SELF_LOCAL);

	hrtimer_init(&t->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_SOFT);
	t->timer.function = m_tick_fn;
	migrate_disable();
	hrtimer_start(&t->timer, ns_to_ktime(M_TICK_NS),
		      HRTIMER_MODE_REL_PINNED_SOFT);
	for (round = 0; round < M_SELF_ROUNDS; round++) {
		if (xp2m_m2p_add(m2p, M_SELF_PFN, NULL, t->mfn, 0))
			errors++;
		WRITE_ONCE(t->removing, true);
		if (xp2m_m2p_remove(m2p, M_SELF_PFN, NULL))
			errors++;
		WRITE_ONCE(t->removing, false);
		cond_resched();
	}
	hrtimer_cancel(&t->timer);
	migrate_enable();

	kunit_info(test, "%d adds and removes, %lu lookups, %lu in a removal\n",
		   2 * M_SELF_ROUNDS, t->ticks, t->in_removal);
	KUNIT_ASSERT_EQ(test, errors, 0L);
	KUNIT_ASSERT_EQ(test, xp2m_lookup(p2m, M_SELF_LOCAL), t->mfn);
	KUNIT_ASSERT_EQ(test, xp2m_mfn_to_pfn(m2p, t->mfn), M_SELF_LOCAL);
	KUNIT_EXPECT_EQ_MSG(test, t->wrong, 0UL, "last wrong answer 0x%lx",
			    t->answer);
	KUNIT_EXPECT_EQ(test, t->alone, 0UL);
	if (!t->wrong && !t->alone && !t->in_removal)
		kunit_skip(test, "no lookup landed inside a removal");
}

/* The debugfs view, as a user reads it. */
#define M_DIR		"xp2m_m2p_kunit"
#define M_VIEW		"/sys/kernel/debug/" M_DIR "/overrides"

static char *m_read_view(struct kunit *test, size_t chunk)
{
	char *buf = kunit_kzalloc(test, T_UBUF_SIZE, GFP_KERNEL);
	ssize_t n;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	n = t_file_io(t_mm, M_VIEW, false, buf, T_UBUF_SIZE, chunk);
	KUNIT_ASSERT_GE(test, n, 0L);
	KUNIT_ASSERT_LT_MSG(test, n, (ssize_t)T_UBUF_SIZE - 1, "view too long");
	return buf;
}

/*
 * Two overrides of one frame of ours (pfn 0xc8's), the later with a page;
 * the first and last pfns, each with a foreign frame; a populated pfn
 * without a page, whose kmap is not shown. Pfn 0x12c, removed again, is
 * not shown either.
 */
static const char m_want_view[] =
	"overrides 6\n"
	"pfn 0x0 mfn 0x2067 was 0x1 kmap 0x0\n"
	"pfn 0x64 mfn 0x2065 was 0x65\n"
	"pfn 0x1388 mfn 0x2064 was 0xffffffffffffffff kmap 0x8000000012345067\n"
	"pfn 0x1770 mfn 0xc9 was 0xffffffffffffffff local 0xc8\n"
	"pfn 0x1771 mfn 0xc9 was 0xffffffffffffffff kmap 0x63 local 0xc8\n"
	"pfn 0x3fff mfn 0x2068 was 0xffffffffffffffff\n";

/*
 * 480 lines of 31 bytes, on every other pfn, added out of order: more than
 * three 4 KiB seq_file buffers, less than the most t_file_io() reads.
 */
#define M_LONG		480UL
#define M_LONG_PFN	0x100UL

static void m_view_long(struct kunit *test, struct xp2m_m2p *m2p)
{
	struct t_ctx *c = t_ctx(test);
	unsigned long i, k, pfn, prev = 0, lines = 0;
	unsigned long bad = 0, dups = 0, unordered = 0;
	unsigned long *mfns, *seen;
	char *text, *p, *end, want[80];

	mfns = kunit_kcalloc(test, M_LONG, sizeof(*mfns), GFP_KERNEL);
	seen = kunit_kcalloc(test, BITS_TO_LONGS(M_LONG), sizeof(*seen),
			     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mfns);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	for (k = 0; k < M_LONG; k++) {
		i = k * 7 % M_LONG;
		mfns[i] = m_foreign(test, 16 + i);
		KUNIT_ASSERT_EQ(test, xp2m_m2p_add(m2p, M_LONG_PFN + 2 * i, NULL,
						   mfns[i], 0), 0);
	}

	text = m_read_view(test, 4096);
	KUNIT_EXPECT_GT(test, strlen(text), 3 * 4096UL);
	KUNIT_EXPECT_TRUE_MSG(test, !strcmp(m_read_view(test, 5), text),
			      "read 5 bytes at a time, the text differs");
	snprintf(want, sizeof(want), "overrides %lu\n", M_LONG);
	KUNIT_ASSERT_TRUE_MSG(test, str_has_prefix(text, want), "header: %.20s",
			      text);
	for (p = text + strlen(want); *p; p = end + 1) {
		end = strchr(p, '\n');
		KUNIT_ASSERT_NOT_NULL_MSG(test, end, "line %lu unended", lines);
		*end = '\0';
		lines++;
		if (sscanf(p, "pfn 0x%lx ", &pfn) != 1 || pfn < M_LONG_PFN ||
		    (pfn - M_LONG_PFN) % 2 ||
		    (pfn - M_LONG_PFN) / 2 >= M_LONG) {
			bad++;
			continue;
		}
		if (lines > 1 && pfn <= prev)
			unordered++;
		prev = pfn;
		i = (pfn - M_LONG_PFN) / 2;
		if (__test_and_set_bit(i, seen))
			dups++;
		snprintf(want, sizeof(want), "pfn 0x%lx mfn 0x%lx was 0x%lx",
			 pfn, mfns[i], t_asc_mfn(c, pfn));
		if (strcmp(p, want))
			bad++;
	}
	KUNIT_EXPECT_EQ(test, lines, M_LONG);
	KUNIT_EXPECT_EQ(test, bitmap_weight(seen, M_LONG), M_LONG);
	KUNIT_EXPECT_EQ(test, dups, 0UL);
	KUNIT_EXPECT_EQ(test, unordered, 0UL);
	KUNIT_EXPECT_EQ(test, bad, 0UL);

	for (i = 0; i < M_LONG; i++)
		KUNIT_ASSERT_EQ(test, xp2m_m2p_remove(m2p, M_LONG_PFN + 2 * i,
						      NULL), 0);
}

static void m2p_debugfs_view(struct kunit *test)
{
	struct xp2m_m2p *m2p = m_setup(test);
	struct t_ctx *c = t_ctx(test);
	struct m_ctx *m = c->extra;
	struct page *page = (struct page *)0x1000;	/* only compared */
	unsigned long f[5], i, ml = t_asc_mfn(c, 200);
	struct file *file;

	m->dir = debugfs_create_dir(M_DIR, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(m->dir));
	xp2m_m2p_debugfs(m2p, m->dir);
	if (!t_mm)
		kunit_skip(test, "no user memory to read files into");
	file = filp_open(M_VIEW, O_RDONLY, 0);
	if (IS_ERR(file))
		kunit_skip(test, "debugfs is not mounted at /sys/kernel/debug");
	KUNIT_EXPECT_EQ(test, file_inode(file)->i_mode & 0777, 0400);
	__fput_sync(file);

	KUNIT_EXPECT_STREQ(test, m_read_view(test, 4096), "overrides 0\n");
	KUNIT_EXPECT_STREQ(test, m_read_view(test, 1), "overrides 0\n");

	/* The frames the text above names. */
	for (i = 0; i < ARRAY_SIZE(f); i++) {
		f[i] = m_foreign(test, i);
		KUNIT_ASSERT_EQ(test, f[i], 0x2064 + i);
	}
	KUNIT_ASSERT_EQ(test, ml, 0xc9UL);
	KUNIT_ASSERT_EQ(test, t_asc_mfn(c, 0), 0x1UL);
	KUNIT_ASSERT_EQ(test, t_asc_mfn(c, 100), 0x65UL);

	/* Out of pfn order; one removed again. */
	KUNIT_ASSERT_EQ(test, xp2m_m2p_add(m2p, 5000, page, f[0],
					   0x8000000012345067ULL), 0);
	KUNIT_ASSERT_EQ(test, xp2m_m2p_add(m2p, 100, NULL, f[1], 0xdead), 0);
	KUNIT_ASSERT_EQ(test, xp2m_m2p_add(m2p, 300, page, f[2], 0x1234), 0);
	KUNIT_ASSERT_EQ(test, xp2m_m2p_add(m2p, M_MAX - 1, NULL, f[4], 0), 0);
	KUNIT_ASSERT_EQ(test, xp2m_m2p_add(m2p, 6000, NULL, ml, 0), 0);
	KUNIT_ASSERT_EQ(test, xp2m_m2p_add(m2p, 6001, page, ml, 0x63), 0);
	KUNIT_ASSERT_EQ(test, xp2m_m2p_add(m2p, 0, page, f[3], 0), 0);
	KUNIT_ASSERT_EQ(test, xp2m_m2p_remove(m2p, 300, NULL), 0);

	KUNIT_EXPECT_STREQ(test, m_read_view(test, 4096), m_want_view);
	/* Resumed reads, a few bytes at a time, give the same text. */
	KUNIT_EXPECT_STREQ(test, m_read_view(test, 5), m_want_view);
	KUNIT_EXPECT_STREQ(test, m_read_view(test, 1), m_want_view);

	KUNIT_ASSERT_EQ(test, xp2m_m2p_remove(m2p, 6001, NULL), 0);
	KUNIT_ASSERT_EQ(test, xp2m_m2p_remove(m2p, 6000, NULL), 0);
	KUNIT_ASSERT_EQ(test, xp2m_m2p_remove(m2p, 5000, NULL), 0);
	KUNIT_ASSERT_EQ(test, xp2m_m2p_remove(m2p, 100, NULL), 0);
	KUNIT_ASSERT_EQ(test, xp2m_m2p_remove(m2p, 0, NULL), 0);
	KUNIT_ASSERT_EQ(test, xp2m_m2p_remove(m2p, M_MAX - 1, NULL), 0);
	KUNIT_EXPECT_STREQ(test, m_read_view(test, 4096), "overrides 0\n");

	m_view_long(test, m2p);

	/* Removing the directory removes the file. */
	debugfs_remove_recursive(m->dir);
	m->dir = NULL;
	file = filp_open(M_VIEW, O_RDONLY, 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(file), -ENOENT);
	if (!IS_ERR(file))
		__fput_sync(file);
}

static struct kunit_case m2p_cases[] = {
	KUNIT_CASE(m2p_add_find_remove),
	KUNIT_CASE(m2p_local_frame),
	KUNIT_CASE(m2p_local_straddle),
	KUNIT_CASE(m2p_prepare_commit),
	KUNIT_CASE(m2p_bad_input),
	KUNIT_CASE(m2p_dir_leaves),
	KUNIT_CASE(m2p_view),
	KUNIT_CASE(m2p_view_faults),
	KUNIT_CASE(m2p_add_faults),
	KUNIT_CASE(m2p_large_table),
	KUNIT_CASE(m2p_concurrency),
	KUNIT_CASE(m2p_self_grant_race),
	KUNIT_CASE(m2p_debugfs_view),
	{}
};

static struct kunit_suite m2p_suite = {
	.name = "xp2m_m2p",
	.suite_init = t_suite_init,
	.suite_exit = t_suite_exit,
	.exit = t_exit,
	.test_cases = m2p_cases,
};

kunit_test_suite(m2p_suite);
