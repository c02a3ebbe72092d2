// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m_x86: the instance over the running kernel's p2m, zero copy.
 *
 * Linux keeps its p2m as a linear list (xen_p2m_addr, xen_p2m_size entries)
 * whose every leaf is a page of its own, mapped writable, or one of two
 * shared read-only pages, p2m_missing and p2m_identity; a GiB of either is
 * one shared page-table page (xen_rebuild_p2m_list() in arch/x86/xen/p2m.c).
 * The instance is borrowed (xp2m_create_borrowed()): its leaves are those
 * very pages, found through the kernel's page tables (see struct
 * xp2m_kview), and its shared leaves are the kernel's two. Nothing is
 * copied, so the kernel's list, the tree, the frame list and the linear view
 * are four views of one set of leaves:
 *
 *  - every entry the kernel writes shows in every view at once, and every
 *    entry written through the instance (the balloon hooks, grant mappings)
 *    is the kernel's too;
 *  - a hole's leaf that needs a page gets it from the kernel's own allocator
 *    (xen_alloc_p2m_entry(), see backend.c), and the kernel's new leaves are
 *    followed as it makes them (follow.c);
 *  - the module never frees or writes a page it did not allocate but
 *    through an entry, and never writes the shared pages.
 *
 * The memory map (memmap.c) is read for verification and debugfs only.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include <asm/xen/page.h>
#include <xen/xen.h>

#include <xp2m/debugfs.h>

#include "internal.h"

/* Walk the kernel's list once, to meet its two shared leaf pages. */
static int xp2m_import_shared(struct xp2m_kview *kv)
{
	unsigned long g, first, end, leaf;
	const unsigned long *words;
	enum xp2m_kv_kind kind;
	int err;

	for (g = 0; g * XP2M_MID_SPAN < kv->size; g++) {
		first = g * XP2M_MID_SPAN;
		end = min(kv->size, first + XP2M_MID_SPAN);
		err = xp2m_kv_gib(kv, g);
		for (leaf = first; !err && kv->gib == XP2M_KV_WORDS &&
		     leaf < end; leaf += XP2M_PER_PAGE)
			err = xp2m_kv_leaf(kv, leaf, &kind, &words);
		if (err)
			return err;
		if (xp2m_kv_shared(kv, XP2M_KV_MISSING) &&
		    xp2m_kv_shared(kv, XP2M_KV_IDENTITY))
			break;
		cond_resched();
	}
	return 0;
}

/* What a slot of @p2m shows now, for a change note. */
static enum xp2m_what xp2m_import_what(const struct xp2m *p2m,
				       unsigned long pfn)
{
	switch (xp2m_leaf_kind(p2m, pfn)) {
	case XP2M_LEAF_MISSING:
		return XP2M_WHAT_SHARED_MISSING;
	case XP2M_LEAF_IDENTITY:
		return XP2M_WHAT_SHARED_IDENTITY;
	default:
		return XP2M_WHAT_LEAF;
	}
}

/* Adopt the leaf @kv just read at @pfn; note it if asked. */
static int xp2m_import_leaf(struct xp2m *p2m, struct xp2m_kview *kv,
			    unsigned long pfn, enum xp2m_kv_kind kind,
			    bool note)
{
	enum xp2m_what was = xp2m_import_what(p2m, pfn);
	int err;

	err = xp2m_adopt(p2m, pfn, XP2M_PER_PAGE, kind == XP2M_KV_IDENTITY ?
			 p2m->identity_leaf : kv->leaf);
	if (err > 0 && note)
		xp2m_note_change(p2m, pfn, pfn + XP2M_PER_PAGE, was,
				 xp2m_import_what(p2m, pfn),
				 XP2M_CAUSE_NEW_LEAF);
	return err;
}

/*
 * Show GiB @g of the kernel's list: a shared GiB in one step, else leaf by
 * leaf; changes noted as the kernel's new leaves if @note. Returns the
 * number of adoptions, or the first error of xp2m_adopt() or the reader.
 */
static long xp2m_import_gib(struct xp2m *p2m, struct xp2m_kview *kv,
			    unsigned long g, bool note)
{
	unsigned long first = g * XP2M_MID_SPAN, leaf;
	unsigned long end = min(kv->size, first + XP2M_MID_SPAN);
	const unsigned long *words;
	enum xp2m_kv_kind kind;
	long n = 0;
	int err;

	err = xp2m_kv_gib(kv, g);
	if (err)
		return err;
	if (kv->gib == XP2M_KV_MISSING)
		return 0;
	if (kv->gib == XP2M_KV_IDENTITY)
		return xp2m_adopt(p2m, first, XP2M_MID_SPAN, p2m->identity_leaf);
	for (leaf = first; leaf < end; leaf += XP2M_PER_PAGE) {
		err = xp2m_kv_leaf(kv, leaf, &kind, &words);
		if (!err && kind != XP2M_KV_MISSING)
			err = xp2m_import_leaf(p2m, kv, leaf, kind, note);
		if (err < 0)
			return err;
		n += err;
	}
	return n;
}

/* Every GiB of the kernel's list, as xp2m_import_gib() does one. */
static long xp2m_import_walk(struct xp2m_x86 *x, bool note)
{
	struct xp2m *p2m = x->p2m;
	struct xp2m_kview kv;
	unsigned long g;
	long n = 0, err;

	err = xp2m_kv_init(&kv);
	if (!err && kv.size != p2m->max_pfn)
		err = -ERANGE;
	for (g = 0; !err && g < p2m->nr_mids; g++) {
		err = xp2m_import_gib(p2m, &kv, g, note);
		if (err > 0) {
			n += err;
			err = 0;
		}
		cond_resched();
	}
	return err ?: n;
}

/**
 * xp2m_x86_sync_gib() - show the kernel's leaves of one GiB in an instance
 * @x: an instance made by xp2m_x86_import()
 * @g: the GiB of pfns
 *
 * As xp2m_x86_sync(), for GiB @g only.
 *
 * Return: as xp2m_x86_sync().
 */
long xp2m_x86_sync_gib(struct xp2m_x86 *x, unsigned long g)
{
	struct xp2m_kview kv;
	int err;

	err = xp2m_kv_init(&kv);
	if (!err && kv.size != x->p2m->max_pfn)
		err = -ERANGE;
	if (!err && g >= x->p2m->nr_mids)
		err = -EINVAL;
	return err ?: xp2m_import_gib(x->p2m, &kv, g, true);
}
EXPORT_SYMBOL_GPL(xp2m_x86_sync_gib);

/**
 * xp2m_x86_sync() - show every leaf of the kernel's p2m in an instance
 * @x: an instance made by xp2m_x86_import()
 *
 * Walks the kernel's list and adopts each leaf the instance does not show
 * yet: the kernel gives holes leaves of their own as it goes (balloon
 * growth, grant mappings, unpopulated pages), never the other way. Each
 * adoption is noted as a new leaf in the instance's "changes". Cheap where
 * nothing changed: a shared GiB is one step.
 *
 * Return: the number of leaves (or GiBs) adopted; -EBUSY when a slot of the
 * instance holds another page than the kernel's (it went astray: it must be
 * imported anew); -ERANGE when the kernel's list changed size; -ENOMEM;
 * -EINVAL, -EFAULT as for xp2m_x86_import().
 */
long xp2m_x86_sync(struct xp2m_x86 *x)
{
	return xp2m_import_walk(x, true);
}
EXPORT_SYMBOL_GPL(xp2m_x86_sync);

/* The instance itself: shared pages met first, then every leaf adopted. */
static struct xp2m *xp2m_import_p2m(const char *name)
{
	struct xp2m_kview kv;
	struct xp2m *p2m;
	int err;

	err = xp2m_kv_init(&kv);
	if (!err)
		err = xp2m_import_shared(&kv);
	if (err)
		return ERR_PTR(err);
	p2m = xp2m_create_borrowed(name, xp2m_x86_backend(), kv.size,
				   xp2m_kv_shared(&kv, XP2M_KV_MISSING),
				   xp2m_kv_shared(&kv, XP2M_KV_IDENTITY));
	if (IS_ERR(p2m))
		return p2m;
	p2m->nr_pages = xen_start_info->nr_pages;
	return p2m;
}

/**
 * xp2m_x86_import() - an instance over the running kernel's p2m
 * @name: its name
 *
 * Reads the hypervisor's memory map, makes a borrowed instance whose leaves
 * are the kernel's own leaf pages (see the top of import.c), and its frame
 * list. Allocates a mid page and a frame-list page per GiB that has a leaf
 * of its own; nothing per leaf. The instance follows the kernel's new
 * leaves once xp2m_x86_follow() is told of it.
 *
 * Return: the instance, or ERR_PTR(-ENODEV) outside a Xen PV domain,
 * ERR_PTR(-EINVAL) for a kernel p2m or memory map this module cannot read,
 * ERR_PTR(-EFAULT) when the kernel's list is not mapped as expected,
 * ERR_PTR(-ENOMEM), or the hypercall's error. Nothing is left allocated on
 * error.
 */
struct xp2m_x86 *xp2m_x86_import(const char *name)
{
	struct xp2m_x86 *x;
	u64 t0 = ktime_get_ns();
	long n;
	int err;

	if (!xen_pv_domain())
		return ERR_PTR(-ENODEV);
	x = kzalloc(sizeof(*x), GFP_KERNEL);
	if (!x)
		return ERR_PTR(-ENOMEM);
	mutex_init(&x->lock);
	mutex_init(&x->check_lock);
	x->ram_seq = xp2m_x86_ram_seq_read();
	x->p2m = xp2m_import_p2m(name);
	if (IS_ERR(x->p2m)) {
		err = PTR_ERR(x->p2m);
		goto out_free;
	}
	err = xp2m_x86_map_read(&x->map, x->p2m->nr_pages, x->p2m->max_pfn);
	if (err)
		goto out_p2m;
	xp2m_m2p_init(&x->m2p, x->p2m);
	n = xp2m_import_walk(x, false);
	err = n < 0 ? n : xp2m_frame_list_build(x->p2m);
	/* Past 512 GiB there is no frame list, only the linear one. */
	if (err == -EFBIG)
		err = 0;
	if (err)
		goto out_map;
	x->import_ns = ktime_get_ns() - t0;
	return x;

out_map:
	xp2m_m2p_destroy(&x->m2p);
	xp2m_x86_map_free(&x->map);
out_p2m:
	xp2m_destroy(x->p2m);
out_free:
	mutex_destroy(&x->check_lock);
	mutex_destroy(&x->lock);
	kfree(x);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_GPL(xp2m_x86_import);

/*
 * Read @x's memory map again if the kernel onlined or offlined memory since
 * it was read; on failure the old one stays. Under x->check_lock.
 */
int xp2m_x86_map_refresh(struct xp2m_x86 *x)
{
	unsigned int seq = xp2m_x86_ram_seq_read();
	struct xp2m_x86_map map = { }, old;
	int err;

	lockdep_assert_held(&x->check_lock);
	if (seq == x->ram_seq)
		return 0;
	err = xp2m_x86_map_read(&map, x->p2m->nr_pages, x->p2m->max_pfn);
	if (err)
		return err;
	old = x->map;
	x->map = map;
	x->ram_seq = seq;
	xp2m_x86_map_free(&old);
	return 0;
}

/**
 * xp2m_x86_resume() - bring an instance up to date after a resume
 * @x: the instance
 * @why: set to what failed, when something did
 *
 * After a restore or a migration every machine frame is renumbered: the
 * kernel's leaves hold the new frames already (restore wrote them, in the
 * pages the published view named), and the kernel's page tables, which the
 * linear view shares, were rewritten by the toolstack; the frame list, which
 * names frames, is written anew. The kernel's leaves made meanwhile are
 * adopted, the change is noted, and the instance checked whole.
 *
 * Return: 0 when it is clean and may be published again; as
 * xp2m_x86_check() otherwise.
 */
int xp2m_x86_resume(struct xp2m_x86 *x, const char **why)
{
	struct xp2m *p2m = x->p2m;
	long n;
	int err;

	*why = "the machine's size could not be read";
	err = xp2m_x86_backend_refresh();
	if (err)
		return err;
	*why = "the kernel's new leaves could not be adopted";
	n = xp2m_x86_sync(x);
	if (n < 0)
		return n;
	err = xp2m_frame_list_refresh(p2m);
	if (err && err != -ENODATA) {
		*why = "the frame list could not be renumbered";
		return err;
	}
	/* The kernel's page directory has another frame now. */
	xp2m_linear_refresh(p2m);
	xp2m_note_change(p2m, 0, READ_ONCE(p2m->si.max_pfn), XP2M_WHAT_FRAMES,
			 XP2M_WHAT_RENUMBERED, XP2M_CAUSE_RESUME);
	return xp2m_x86_check(x, 16, why);
}

/**
 * xp2m_x86_free() - free an imported instance
 * @x: the instance, or NULL
 *
 * Removes its debugfs files first, if it has any. No other user may be
 * left; it must not be followed (see xp2m_x86_unfollow()).
 */
void xp2m_x86_free(struct xp2m_x86 *x)
{
	if (!x)
		return;
	xp2m_debugfs_unregister(x->dbg);
	kvfree(x->report);
	xp2m_m2p_destroy(&x->m2p);
	xp2m_destroy(x->p2m);
	xp2m_x86_map_free(&x->map);
	mutex_destroy(&x->check_lock);
	mutex_destroy(&x->lock);
	kfree(x);
}
EXPORT_SYMBOL_GPL(xp2m_x86_free);
