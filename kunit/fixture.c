// SPDX-License-Identifier: GPL-2.0
/*
 * The fixture of the KUnit suites on the simulated machine; see fixture.h.
 */

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/jhash.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "fixture.h"

const struct xp2m_e820_entry hole_e820[HOLE_NR_E820] = {
	{ .addr = 0, .size = 1029ULL << 20, .type = XP2M_E820_RAM },
	{ .addr = 1029ULL << 20, .size = 71ULL << 20,
	  .type = XP2M_E820_ACPI },
	{ .addr = 1500ULL << 20, .size = 300ULL << 20,
	  .type = XP2M_E820_RESERVED },
	{ .addr = 2001ULL << 20, .size = 2000ULL << 20, .type = XP2M_E820_RAM },
};

struct t_ctx *t_ctx(struct kunit *test)
{
	if (!test->priv) {
		test->priv = kunit_kzalloc(test, sizeof(struct t_ctx),
					   GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, test->priv);
	}
	return test->priv;
}

/* A machine of @nr_frames frames. */
void t_machine(struct kunit *test, unsigned long nr_frames)
{
	struct t_ctx *c = t_ctx(test);

	c->sim = xp2m_sim_create(test->name, nr_frames);
	KUNIT_ASSERT_NOT_NULL(test, c->sim);
}

/* A domain of @nr_pages on the machine, its list at pfn 0, frames from 1. */
void t_domain(struct kunit *test, unsigned long nr_pages,
	      enum xp2m_mfn_pattern pattern)
{
	struct t_ctx *c = t_ctx(test);
	int err;

	c->spec = (struct xp2m_domain_spec) {
		.nr_pages = nr_pages,
		.region_start = 0,
		.region_end = nr_pages,
		.pattern = pattern,
		.first_mfn = 1,
		.seed = 42,
	};
	err = xp2m_build_domain(&c->sim->be, &c->spec, &c->boot);
	KUNIT_ASSERT_EQ(test, err, 0);
}

/* The p2m of the domain built, @max_pfn entries. */
void t_p2m(struct kunit *test, unsigned long max_pfn)
{
	struct t_ctx *c = t_ctx(test);
	struct xp2m *p2m;

	p2m = xp2m_create(test->name, &c->boot, c->spec.nr_pages, max_pfn);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(p2m), "xp2m_create: %ld",
			       PTR_ERR(p2m));
	c->p2m = p2m;
}

/* A machine of @nr_frames frames; an ascending domain; its p2m. */
void t_setup_on(struct kunit *test, unsigned long nr_frames,
		unsigned long nr_pages, unsigned long max_pfn)
{
	t_machine(test, nr_frames);
	t_domain(test, nr_pages, XP2M_MFNS_ASCENDING);
	t_p2m(test, max_pfn);
}

/*
 * The usual setup: a machine with room for the domain, other guests'
 * frames and spare ones; an ascending domain; its p2m.
 */
void t_setup(struct kunit *test, unsigned long nr_pages, unsigned long max_pfn)
{
	t_setup_on(test, 2 * nr_pages + 4096, nr_pages, max_pfn);
}

void t_exit(struct kunit *test)
{
	struct t_ctx *c = test->priv;

	if (!c)
		return;
	if (c->extra_exit)
		c->extra_exit(test, c);
	c->extra_exit = NULL;
	xp2m_destroy(c->p2m);
	c->p2m = NULL;
	if (c->boot.mfns)
		xp2m_list_free(&c->boot);
	if (c->sim) {
		/* Every page the core allocated came back. */
		KUNIT_EXPECT_EQ(test, xp2m_sim_bound(c->sim), 0L);
		xp2m_sim_destroy(c->sim);
		c->sim = NULL;
	}
}

static u32 t_hash_frame(struct xp2m_backend *be, unsigned long mfn, u32 h)
{
	const void *page = be->ops->map_frame(be, mfn);

	if (!page)
		return h ^ 0xbad;
	h = jhash2(page, PAGE_SIZE / sizeof(u32), h);
	be->ops->unmap_frame(be, page);
	return h;
}

static u32 t_hash_leaf(const unsigned long *leaf)
{
	return jhash2((const u32 *)leaf, PAGE_SIZE / sizeof(u32), 0);
}

/*
 * A hash over the frame list's pages as a toolstack finds them: the top
 * frame the published field names, and the mid frame each GiB's entry
 * names; 0 when there is no frame list.
 */
static u32 t_hash_fl(struct xp2m *p2m)
{
	unsigned long fll = xp2m_frame_list_list(p2m), g;
	struct xp2m_backend *be = p2m->be;
	const unsigned long *top;
	u32 h;

	if (!fll || fll == ~0UL)
		return 0;
	h = t_hash_frame(be, fll, 0);
	top = be->ops->map_frame(be, fll);
	if (!top)
		return h ^ 0xbad;
	for (g = 0; g < p2m->nr_mids; g++)
		h = t_hash_frame(be, READ_ONCE(top[g]), h);
	be->ops->unmap_frame(be, top);
	return h;
}

/*
 * A snapshot into @s, reusing its arrays when it holds some of the right
 * size (a zeroed @s holds none). The shared leaves are hashed once.
 */
void t_snap_into(struct kunit *test, struct xp2m *p2m, struct xp2m_sim *sim,
		 struct t_snap *s)
{
	unsigned long nr = DIV_ROUND_UP(p2m->max_pfn, XP2M_PER_PAGE);
	u32 missing = t_hash_leaf(p2m->missing_leaf);
	u32 identity = t_hash_leaf(p2m->identity_leaf);
	unsigned long i;

	if (s->nr_leaves != nr) {
		s->nr_leaves = nr;
		s->leaf = kunit_kcalloc(test, nr, sizeof(*s->leaf), GFP_KERNEL);
		s->hash = kunit_kcalloc(test, nr, sizeof(*s->hash), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, s->leaf);
		KUNIT_ASSERT_NOT_NULL(test, s->hash);
	}
	xp2m_get_counts(p2m, &s->counts);
	s->fll = xp2m_frame_list_list(p2m);
	s->bound = xp2m_sim_bound(sim);
	s->list_pages = xp2m_list_pages();
	for (i = 0; i < nr; i++) {
		unsigned long *leaf = xp2m_leaf_of(p2m, i * XP2M_PER_PAGE);

		s->leaf[i] = (unsigned long)leaf;
		s->hash[i] = leaf == p2m->missing_leaf ? missing :
			     leaf == p2m->identity_leaf ? identity :
			     t_hash_leaf(leaf);
		if (!(i % XP2M_MID_SPAN))
			cond_resched();
	}
	s->fl_hash = t_hash_fl(p2m);
}

void t_snap(struct kunit *test, struct xp2m *p2m, struct xp2m_sim *sim,
	    struct t_snap *s)
{
	memset(s, 0, sizeof(*s));
	t_snap_into(test, p2m, sim, s);
}

void t_expect_same(struct kunit *test, const struct t_snap *a,
		   const struct t_snap *b)
{
	unsigned long i, bad = 0;

	KUNIT_EXPECT_EQ(test, memcmp(&a->counts, &b->counts,
				     sizeof(a->counts)), 0);
	KUNIT_EXPECT_EQ(test, a->fll, b->fll);
	KUNIT_EXPECT_EQ(test, a->bound, b->bound);
	KUNIT_EXPECT_EQ(test, a->list_pages, b->list_pages);
	KUNIT_EXPECT_EQ(test, a->fl_hash, b->fl_hash);
	KUNIT_ASSERT_EQ(test, a->nr_leaves, b->nr_leaves);
	for (i = 0; i < a->nr_leaves; i++)
		if (a->leaf[i] != b->leaf[i] || a->hash[i] != b->hash[i])
			if (bad++ < 4)
				KUNIT_FAIL(test, "leaf %lu changed", i);
	KUNIT_EXPECT_EQ(test, bad, 0UL);
}

/* Before a run of a sweep: the case's p2m as it is. */
void t_sweep_before(struct kunit *test, struct t_sweep *w)
{
	struct t_ctx *c = t_ctx(test);

	t_snap_into(test, c->p2m, c->sim, &w->before);
}

/*
 * After a run: one that failed (@err) changed nothing of the p2m and gave
 * every page back, and true; one that went through moves @w->k on.
 */
bool t_sweep_failed(struct kunit *test, struct t_sweep *w, int err)
{
	struct t_ctx *c = t_ctx(test);

	if (!err) {
		w->k++;
		return false;
	}
	t_snap_into(test, c->p2m, c->sim, &w->now);
	t_expect_same(test, &w->before, &w->now);
	return true;
}

/* The case's sweep, in its @extra, made at the first call. */
struct t_sweep *t_case_sweep(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);

	if (!c->extra) {
		c->extra = kunit_kzalloc(test, sizeof(struct t_sweep),
					 GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, c->extra);
	}
	return c->extra;
}

void t_case_snap(struct kunit *test, void *arg)
{
	t_sweep_before(test, t_case_sweep(test));
}

bool t_case_failed(struct kunit *test, int err)
{
	return t_sweep_failed(test, t_case_sweep(test), err);
}

/*
 * The address space of the task that loaded the suites (a suite's init runs
 * in it), for reading files with a buffer in user memory; NULL if it has
 * none. Test cases run in kernel threads, which borrow it for the length of
 * one read or write.
 */
struct mm_struct *t_mm;

int t_suite_init(struct kunit_suite *suite)
{
	t_mm = current->mm;
	if (t_mm)
		mmget(t_mm);
	return 0;
}

void t_suite_exit(struct kunit_suite *suite)
{
	if (t_mm)
		mmput(t_mm);
	t_mm = NULL;
}

/*
 * Open @path and read it into @kbuf (@len bytes with the NUL), @chunk bytes
 * a read, or write @len bytes of @kbuf to it in one write, through the file
 * operations the file has, as a user does, with a buffer in @mm. Returns the
 * bytes read or what the write returned. No assertion in here: a test that
 * fails must not leave this thread in another's address space.
 */
ssize_t t_file_io(struct mm_struct *mm, const char *path, bool write,
		  char *kbuf, size_t len, size_t chunk)
{
	unsigned long addr;
	char __user *ubuf;
	ssize_t n, done = 0;
	struct file *f;
	loff_t pos = 0;

	if (!mm || len > T_UBUF_SIZE || (!write && !len))
		return -EINVAL;
	f = filp_open(path, write ? O_WRONLY : O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	kthread_use_mm(mm);
	addr = vm_mmap(NULL, 0, T_UBUF_SIZE, PROT_READ | PROT_WRITE,
		       MAP_ANONYMOUS | MAP_PRIVATE, 0);
	if (IS_ERR_VALUE(addr)) {
		n = (long)addr;
		goto out;
	}
	ubuf = (char __user *)addr;
	if (write) {
		n = copy_to_user(ubuf, kbuf, len) ? -EFAULT :
		    f->f_op->write(f, ubuf, len, &pos);
	} else {
		do {
			n = f->f_op->read(f, ubuf, min(chunk, len - 1 - done),
					  &pos);
			if (n > 0 && copy_from_user(kbuf + done, ubuf, n))
				n = -EFAULT;
			if (n > 0)
				done += n;
		} while (n > 0 && done < len - 1);
		kbuf[done] = '\0';
		if (n >= 0)
			n = done;
	}
	vm_munmap(addr, T_UBUF_SIZE);
out:
	kthread_unuse_mm(mm);
	/* Released now, not later by a worker: the module must unload. */
	__fput_sync(f);
	return n;
}

MODULE_DESCRIPTION("xp2m: KUnit suites of the p2m core, the m2p override and the balloon hooks");
MODULE_LICENSE("GPL");
MODULE_VERSION(XP2M_VERSION);
