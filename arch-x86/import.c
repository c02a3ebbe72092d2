// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m_x86: an instance of the core built from the running PV kernel.
 *
 * Where each part comes from:
 *
 *  - its size: the kernel's list, xen_p2m_size entries (in a 6.1 dom0 the
 *    memory-hotplug limit, 512 GiB of pfns);
 *  - the pages the domain was given, pfns [0, nr_pages) of start_info: their
 *    frames are copied from the kernel's list, read by leaf, into a boot
 *    list, which xp2m_create() grafts (full leaves become the list's pages);
 *  - frames above nr_pages (pages the kernel moved off holes, or the balloon
 *    populated) and foreign frames (grant mappings), anywhere: from the same
 *    read, set one by one;
 *  - identity: from the memory map (see memmap.c), not from the kernel:
 *    every pfn on a hole is made identity, unless the kernel has given it
 *    another use (a frame; a foreign frame; a missing entry in a leaf of its
 *    own, as scratch space for grant mappings or hot-plug space is). Where
 *    the kernel keeps a whole leaf on its shared identity page, the same
 *    pfns here make a whole missing leaf identity, which becomes the shared
 *    identity leaf (a whole GiB, the shared identity mid); where it keeps
 *    identity entries in a leaf of its own, so does this instance. So the
 *    two lists store the same words, and the kernel's debugfs dump and this
 *    instance's "ranges" read alike.
 *
 * Nothing of the kernel's is written. Verification (verify.c) compares the
 * result with the kernel, entry by entry.
 */

#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include <asm/xen/page.h>
#include <xen/xen.h>

#include <xp2m/debugfs.h>

#include "internal.h"

struct xp2m_import {
	struct xp2m_x86 *x;
	struct xp2m *p2m;
	struct xp2m_kview kv;
	struct xp2m_ram_cursor ram;
	unsigned long nr_pages;
	/* A run of identity pfns not yet applied: [run_start, run_end). */
	unsigned long run_start;
	unsigned long run_end;
};

/* The frames of pfns [0, nr_pages) into @list; everything else INVALID. */
static int xp2m_import_list(struct xp2m_import *im, struct xp2m_list *list)
{
	unsigned long max_mfn = xp2m_x86_backend()->max_mfn;
	unsigned long first, i, n, w;
	enum xp2m_kv_kind kind;
	const unsigned long *words;
	int err;

	for (first = 0; first < im->nr_pages; first += XP2M_PER_PAGE) {
		if (first % XP2M_MID_SPAN == 0) {
			err = xp2m_kv_gib(&im->kv, first / XP2M_MID_SPAN);
			if (err)
				return err;
		}
		err = xp2m_kv_leaf(&im->kv, first, &kind, &words);
		if (err)
			return err;
		n = min_t(unsigned long, XP2M_PER_PAGE, im->nr_pages - first);
		for (i = 0; i < n; i++) {
			w = words ? READ_ONCE(words[i]) : XP2M_INVALID_ENTRY;
			if (xp2m_entry_type(w) != XP2M_TYPE_PFN) {
				w = XP2M_INVALID_ENTRY;
			} else if (w > max_mfn) {
				im->x->unimported++;
				w = XP2M_INVALID_ENTRY;
			}
			list->mfns[first + i] = w;
		}
		cond_resched();
	}
	return 0;
}

static int xp2m_import_flush(struct xp2m_import *im)
{
	long n = 0;

	if (im->run_start < im->run_end)
		n = xp2m_set_identity(im->p2m, im->run_start, im->run_end);
	im->run_start = 0;
	im->run_end = 0;
	return n < 0 ? n : 0;
}

/* Make the holes of [start, end) identity, joining adjacent runs. */
static int xp2m_import_holes(struct xp2m_import *im, unsigned long start,
			     unsigned long end)
{
	unsigned long pfn, stop;
	int err;

	for (pfn = start; pfn < end; pfn = stop) {
		bool ram = xp2m_ram_at(&im->ram, pfn);

		stop = min(end, im->ram.end);
		if (ram)
			continue;
		if (im->run_end != pfn) {
			err = xp2m_import_flush(im);
			if (err)
				return err;
			im->run_start = pfn;
		}
		im->run_end = stop;
	}
	return 0;
}

static int xp2m_import_set(struct xp2m_import *im, unsigned long pfn,
			   unsigned long entry)
{
	int err = xp2m_set(im->p2m, pfn, entry);

	/* An entry the core refuses is counted; verification shows it. */
	if (err == -EINVAL) {
		im->x->unimported++;
		return 0;
	}
	return err;
}

/* A leaf the kernel holds in a page of its own. */
static int xp2m_import_words(struct xp2m_import *im, unsigned long first,
			     const unsigned long *words)
{
	unsigned long pfn, w;
	unsigned int i;
	int err = 0;

	for (i = 0; i < XP2M_PER_PAGE && !err; i++) {
		pfn = first + i;
		w = READ_ONCE(words[i]);
		switch (xp2m_entry_type(w)) {
		case XP2M_TYPE_PFN:
			/* Below nr_pages the boot list has it. */
			if (pfn >= im->nr_pages)
				err = xp2m_import_set(im, pfn, w);
			break;
		case XP2M_TYPE_FOREIGN:
			err = xp2m_import_set(im, pfn, w);
			break;
		case XP2M_TYPE_IDENTITY:
			/* Identity on RAM is the kernel's error: not copied. */
			if (!xp2m_ram_at(&im->ram, pfn))
				err = xp2m_import_set(im, pfn,
						      XP2M_IDENTITY_FRAME(pfn));
			break;
		case XP2M_TYPE_MISSING:
		default:
			break;
		}
	}
	return err;
}

/* Everything but the boot list's frames, by a second read of the list. */
static int xp2m_import_rest(struct xp2m_import *im)
{
	unsigned long g, first, end, leaf;
	const unsigned long *words;
	enum xp2m_kv_kind kind;
	int err;

	for (g = 0; g * XP2M_MID_SPAN < im->kv.size; g++) {
		first = g * XP2M_MID_SPAN;
		end = min(im->kv.size, first + XP2M_MID_SPAN);
		err = xp2m_kv_gib(&im->kv, g);
		if (err)
			return err;
		if (im->kv.gib != XP2M_KV_WORDS) {
			err = xp2m_import_holes(im, first, end);
			if (err)
				return err;
			continue;
		}
		for (leaf = first; leaf < end; leaf += XP2M_PER_PAGE) {
			err = xp2m_kv_leaf(&im->kv, leaf, &kind, &words);
			if (!err)
				err = words ?
				      xp2m_import_words(im, leaf, words) :
				      xp2m_import_holes(im, leaf,
							leaf + XP2M_PER_PAGE);
			if (err)
				return err;
		}
		cond_resched();
	}
	return xp2m_import_flush(im);
}

/**
 * xp2m_x86_import() - an instance built from the running kernel's p2m
 * @name: its name
 *
 * Reads the kernel's p2m by leaf and the hypervisor's memory map, and builds
 * an instance that holds the same entries (see the top of import.c for
 * what comes from where) and its frame list. Allocates about a page per
 * 512 populated pfns; nothing in proportion to the p2m's span.
 *
 * Return: the instance, or ERR_PTR(-ENODEV) outside a Xen PV domain,
 * ERR_PTR(-EINVAL) for a kernel p2m or memory map this module cannot read,
 * ERR_PTR(-EFAULT) when the kernel's list is not mapped as expected,
 * ERR_PTR(-ENOMEM), or the hypercall's error. Nothing is left allocated on
 * error.
 */
struct xp2m_x86 *xp2m_x86_import(const char *name)
{
	struct xp2m_import im = { };
	struct xp2m_list list;
	struct xp2m_x86 *x;
	struct xp2m *p2m;
	u64 t0 = ktime_get_ns();
	int err;

	if (!xen_pv_domain())
		return ERR_PTR(-ENODEV);
	x = kzalloc(sizeof(*x), GFP_KERNEL);
	if (!x)
		return ERR_PTR(-ENOMEM);
	mutex_init(&x->lock);
	im.x = x;
	err = xp2m_kv_init(&im.kv);
	if (err)
		goto out_free;
	im.nr_pages = xen_start_info->nr_pages;
	if (!im.nr_pages || im.nr_pages > im.kv.size) {
		pr_err("xp2m_x86: start_info's %lu pages do not fit the kernel's p2m of %lu entries\n",
		       im.nr_pages, im.kv.size);
		err = -EINVAL;
		goto out_free;
	}
	err = xp2m_x86_map_read(&x->map, im.nr_pages, im.kv.size);
	if (err)
		goto out_free;
	im.ram.map = &x->map;

	err = xp2m_list_alloc(xp2m_x86_backend(), im.nr_pages, &list);
	if (err)
		goto out_map;
	err = xp2m_import_list(&im, &list);
	if (err) {
		xp2m_list_free(&list);
		goto out_map;
	}
	p2m = xp2m_create(name, &list, im.nr_pages, im.kv.size);
	if (IS_ERR(p2m)) {
		xp2m_list_free(&list);
		err = PTR_ERR(p2m);
		goto out_map;
	}
	im.p2m = p2m;
	x->p2m = p2m;
	xp2m_m2p_init(&x->m2p, p2m);
	err = xp2m_import_rest(&im);
	if (!err) {
		err = xp2m_frame_list_build(p2m);
		/* Past 512 GiB there is no frame list, only the linear one. */
		if (err == -EFBIG)
			err = 0;
	}
	if (err)
		goto out_p2m;
	x->import_ns = ktime_get_ns() - t0;
	return x;

out_p2m:
	xp2m_m2p_destroy(&x->m2p);
	xp2m_destroy(p2m);
out_map:
	xp2m_x86_map_free(&x->map);
out_free:
	mutex_destroy(&x->lock);
	kfree(x);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_GPL(xp2m_x86_import);

/**
 * xp2m_x86_free() - free an imported instance
 * @x: the instance, or NULL
 *
 * Removes its debugfs files first, if it has any. No other user may be
 * left.
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
	mutex_destroy(&x->lock);
	kfree(x);
}
EXPORT_SYMBOL_GPL(xp2m_x86_free);
