// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m_x86: verification of an imported instance against the running
 * kernel, the hypervisor's M2P and the memory map.
 *
 * For every pfn below max_pfn:
 *
 *  - our entry is the kernel's, as get_phys_to_machine() gives it: same
 *    class (pfn, identity, missing, foreign), same frame;
 *  - if ours is a frame of the domain, the M2P maps it back to the pfn;
 *  - the kernel's identity entries lie on holes of the memory map, never on
 *    RAM, and its frames on RAM, never on a hole;
 *  - the instance shows the very leaf pages of the kernel's list (it
 *    borrows them: see import.c), so that the two cannot drift apart but by
 *    a change of structure the instance missed.
 *
 * xp2m_x86_check() adds what the toolstack would see: the instance's frame
 * list and linear view read back by machine frame and compared with the
 * tree, the last step before the instance may be published.
 *
 * The kernel's answer is get_phys_to_machine()'s, evaluated by leaf (see
 * struct xp2m_kview): the word of its list, or IDENTITY_FRAME(pfn) on its
 * shared identity page, which is what that function returns for any pfn
 * below xen_p2m_size. A stretch where both p2ms are one shared page (the
 * kernel's page-table page of a shared GiB, our shared mid or leaf) is
 * compared in one step, split only where the memory map changes, so a
 * 512 GiB p2m costs about as much as its populated part.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include <xp2m/reader.h>

#include "internal.h"

struct xp2m_verify {
	struct xp2m *p2m;
	struct xp2m_x86_report *rep;
	struct xp2m_kview kv;
	struct xp2m_ram_cursor ram;
	/* Per kind, the index in rep->listed of its last run, or -1. */
	int last[XP2M_X86_NR_KINDS];
};

/**
 * xp2m_x86_kind_name() - the name of a kind of disagreement
 * @kind: the kind
 *
 * Return: its name in the report.
 */
const char *xp2m_x86_kind_name(enum xp2m_x86_kind kind)
{
	static const char * const names[XP2M_X86_NR_KINDS] = {
		[XP2M_X86_CLASS] = "class",
		[XP2M_X86_VALUE] = "value",
		[XP2M_X86_M2P] = "m2p",
		[XP2M_X86_IDENTITY_ON_RAM] = "identity_on_ram",
		[XP2M_X86_FRAME_ON_HOLE] = "frame_on_hole",
		[XP2M_X86_LEAF] = "leaf",
	};

	return kind < XP2M_X86_NR_KINDS ? names[kind] : "unknown";
}
EXPORT_SYMBOL_GPL(xp2m_x86_kind_name);

/* Count @nr pfns from @pfn with disagreement @kind; list the first runs. */
static void xp2m_v_note(struct xp2m_verify *v, unsigned long pfn,
			unsigned long nr, enum xp2m_x86_kind kind,
			unsigned long ours, unsigned long kernel,
			unsigned long m2p)
{
	struct xp2m_x86_report *rep = v->rep;
	struct xp2m_x86_mismatch *last;

	rep->kinds[kind] += nr;
	if (v->last[kind] >= 0) {
		last = &rep->listed[v->last[kind]];
		if (last->pfn + last->nr == pfn &&
		    xp2m_entry_type(last->ours) == xp2m_entry_type(ours) &&
		    xp2m_entry_type(last->kernel) == xp2m_entry_type(kernel)) {
			last->nr += nr;
			return;
		}
	}
	if (rep->nr_listed == rep->max_listed)
		return;
	v->last[kind] = rep->nr_listed;
	rep->listed[rep->nr_listed++] = (struct xp2m_x86_mismatch) {
		.pfn = pfn,
		.nr = nr,
		.kind = kind,
		.ours = ours,
		.kernel = kernel,
		.m2p = m2p,
	};
}

/*
 * [start, end): every pfn of ours is @oc and every pfn of the kernel's @kc,
 * both shared pages, so neither holds a frame.
 */
static void xp2m_v_uniform(struct xp2m_verify *v, unsigned long start,
			   unsigned long end, enum xp2m_type oc,
			   enum xp2m_type kc)
{
	struct xp2m_x86_report *rep = v->rep;
	unsigned long pfn, stop, n;
	bool ram, bad;

	for (pfn = start; pfn < end; pfn = stop) {
		ram = xp2m_ram_at(&v->ram, pfn);
		stop = min(end, v->ram.end);
		n = stop - pfn;
		bad = false;
		rep->ours[oc] += n;
		rep->kernel[kc] += n;
		if (oc != kc) {
			xp2m_v_note(v, pfn, n, XP2M_X86_CLASS,
				    xp2m_kv_value(oc == XP2M_TYPE_IDENTITY ?
						  XP2M_KV_IDENTITY :
						  XP2M_KV_MISSING, pfn),
				    xp2m_kv_value(kc == XP2M_TYPE_IDENTITY ?
						  XP2M_KV_IDENTITY :
						  XP2M_KV_MISSING, pfn),
				    XP2M_INVALID_ENTRY);
			bad = true;
		}
		if (kc == XP2M_TYPE_IDENTITY && ram) {
			xp2m_v_note(v, pfn, n, XP2M_X86_IDENTITY_ON_RAM,
				    XP2M_IDENTITY_FRAME(pfn),
				    XP2M_IDENTITY_FRAME(pfn), XP2M_INVALID_ENTRY);
			bad = true;
		}
		if (oc == XP2M_TYPE_MISSING) {
			if (ram)
				rep->balloon += n;
			else
				rep->hole_missing += n;
		}
		if (bad)
			rep->mismatched += n;
	}
}

static void xp2m_v_pfn(struct xp2m_verify *v, unsigned long pfn,
		       unsigned long ours, unsigned long kernel)
{
	enum xp2m_type oc = xp2m_entry_type(ours);
	enum xp2m_type kc = xp2m_entry_type(kernel);
	struct xp2m_x86_report *rep = v->rep;
	bool ram = xp2m_ram_at(&v->ram, pfn), bad = false;
	unsigned long m2p = XP2M_INVALID_ENTRY;

	rep->ours[oc]++;
	rep->kernel[kc]++;
	if (oc == XP2M_TYPE_PFN)
		m2p = xp2m_x86_m2p(ours);
	if (ours != kernel) {
		xp2m_v_note(v, pfn, 1, oc == kc ? XP2M_X86_VALUE :
			    XP2M_X86_CLASS, ours, kernel, m2p);
		bad = true;
	}
	if (oc == XP2M_TYPE_PFN && m2p != pfn) {
		xp2m_v_note(v, pfn, 1, XP2M_X86_M2P, ours, kernel, m2p);
		bad = true;
	}
	if (kc == XP2M_TYPE_IDENTITY && ram) {
		xp2m_v_note(v, pfn, 1, XP2M_X86_IDENTITY_ON_RAM, ours, kernel,
			    m2p);
		bad = true;
	}
	if (kc == XP2M_TYPE_PFN && !ram) {
		xp2m_v_note(v, pfn, 1, XP2M_X86_FRAME_ON_HOLE, ours, kernel,
			    m2p);
		bad = true;
	}
	if (oc == XP2M_TYPE_MISSING) {
		if (ram)
			rep->balloon++;
		else
			rep->hole_missing++;
	} else if (oc == XP2M_TYPE_FOREIGN && !ram) {
		rep->hole_foreign++;
	}
	rep->mismatched += bad;
}

static bool xp2m_v_shared(const struct xp2m *p2m, const void *page)
{
	return page == p2m->missing_leaf || page == p2m->identity_leaf ||
	       page == p2m->missing_mid || page == p2m->identity_mid;
}

static enum xp2m_type xp2m_v_shared_type(const struct xp2m *p2m,
					 const void *page)
{
	return page == p2m->identity_leaf || page == p2m->identity_mid ?
	       XP2M_TYPE_IDENTITY : XP2M_TYPE_MISSING;
}

static enum xp2m_type xp2m_v_kv_type(enum xp2m_kv_kind kind)
{
	return kind == XP2M_KV_IDENTITY ? XP2M_TYPE_IDENTITY :
					  XP2M_TYPE_MISSING;
}

static void xp2m_v_leaf(struct xp2m_verify *v, unsigned long first,
			enum xp2m_kv_kind kind, const unsigned long *words)
{
	const struct xp2m *p2m = v->p2m;
	const unsigned long *leaf = xp2m_leaf_of(p2m, first);
	bool shared = xp2m_v_shared(p2m, leaf);
	unsigned long pfn, ours, kernel, before = v->rep->mismatched;
	unsigned int i;

	if (!words && shared) {
		xp2m_v_uniform(v, first, first + XP2M_PER_PAGE,
			       xp2m_v_shared_type(p2m, leaf),
			       xp2m_v_kv_type(kind));
	} else {
		for (i = 0; i < XP2M_PER_PAGE; i++) {
			pfn = first + i;
			if (shared)
				ours = leaf == p2m->identity_leaf ?
				       XP2M_IDENTITY_FRAME(pfn) :
				       XP2M_INVALID_ENTRY;
			else
				ours = READ_ONCE(leaf[i]);
			kernel = words ? READ_ONCE(words[i]) :
					 xp2m_kv_value(kind, pfn);
			xp2m_v_pfn(v, pfn, ours, kernel);
		}
	}
	/* A borrowed instance shows the kernel's page itself. */
	if (p2m->borrowed && leaf != v->kv.leaf) {
		xp2m_v_note(v, first, XP2M_PER_PAGE, XP2M_X86_LEAF,
			    (unsigned long)leaf, (unsigned long)v->kv.leaf,
			    XP2M_INVALID_ENTRY);
		/* Each pfn counts once, whatever else disagrees there. */
		v->rep->mismatched = before + XP2M_PER_PAGE;
	}
}

/**
 * xp2m_x86_report_alloc() - room for a verification report
 * @max_listed: how many runs of disagreement it lists at most
 *
 * Return: the report (free with kvfree()), or NULL.
 */
struct xp2m_x86_report *xp2m_x86_report_alloc(unsigned int max_listed)
{
	struct xp2m_x86_report *rep;

	rep = kvzalloc(struct_size(rep, listed, max_listed), GFP_KERNEL);
	if (rep)
		rep->max_listed = max_listed;
	return rep;
}
EXPORT_SYMBOL_GPL(xp2m_x86_report_alloc);

/*
 * xp2m_x86_verify() under x->check_lock, which keeps x->map, read all
 * along the walk, from being replaced (xp2m_x86_map_refresh()).
 */
static int xp2m_x86_verify_locked(struct xp2m_x86 *x,
				  struct xp2m_x86_report *rep)
{
	struct xp2m_verify v = { .p2m = x->p2m, .rep = rep };
	const struct xp2m *p2m = x->p2m;
	unsigned long g, first, end, leaf;
	const unsigned long *words;
	enum xp2m_kv_kind kind;
	unsigned int max_listed = rep->max_listed, i;
	u64 t0 = ktime_get_ns();
	void *mid;
	int err;

	lockdep_assert_held(&x->check_lock);
	memset(rep, 0, sizeof(*rep));
	rep->max_listed = max_listed;
	for (i = 0; i < XP2M_X86_NR_KINDS; i++)
		v.last[i] = -1;
	v.ram.ram = xp2m_x86_map_ram;
	v.ram.map = &x->map;
	err = xp2m_kv_init(&v.kv);
	if (err)
		return err;
	if (v.kv.size < p2m->max_pfn)
		return -ERANGE;

	for (g = 0; g < p2m->nr_mids; g++) {
		first = g * XP2M_MID_SPAN;
		end = min(p2m->max_pfn, first + XP2M_MID_SPAN);
		err = xp2m_kv_gib(&v.kv, g);
		if (err)
			return err;
		mid = READ_ONCE(p2m->top[g]);
		if (v.kv.gib != XP2M_KV_WORDS && xp2m_v_shared(p2m, mid)) {
			xp2m_v_uniform(&v, first, end,
				       xp2m_v_shared_type(p2m, mid),
				       xp2m_v_kv_type(v.kv.gib));
			continue;
		}
		for (leaf = first; leaf < end; leaf += XP2M_PER_PAGE) {
			err = xp2m_kv_leaf(&v.kv, leaf, &kind, &words);
			if (err)
				return err;
			xp2m_v_leaf(&v, leaf, kind, words);
		}
		cond_resched();
	}
	rep->pfns = p2m->max_pfn;
	rep->ns = ktime_get_ns() - t0;
	return 0;
}

/**
 * xp2m_x86_verify() - compare an imported instance with the running kernel
 * @x: the instance
 * @rep: the report, from xp2m_x86_report_alloc(); overwritten
 *
 * Walks every pfn below the instance's max_pfn, by leaf (see verify.c),
 * against the memory map as the instance last read it (xp2m_x86_check()
 * reads it again first if memory came or went). Reads only, under
 * @x->check_lock, which keeps the map from being replaced meanwhile: one
 * verification or check of an instance at a time, and the caller must
 * not hold that lock. Sleeps. The kernel's p2m may change meanwhile
 * (balloon, grant mappings): what changed since the import is reported as
 * disagreement.
 *
 * Return: 0 when the walk completed (@rep says whether anything disagrees);
 * -ERANGE when the kernel's p2m no longer covers the instance; -EINVAL or
 * -EFAULT when it cannot be read (as for xp2m_x86_import()).
 */
int xp2m_x86_verify(struct xp2m_x86 *x, struct xp2m_x86_report *rep)
{
	int err;

	mutex_lock(&x->check_lock);
	err = xp2m_x86_verify_locked(x, rep);
	mutex_unlock(&x->check_lock);
	return err;
}
EXPORT_SYMBOL_GPL(xp2m_x86_verify);

/* Compare a leaf a toolstack-style reader hands over with the tree. */
struct xp2m_v_read {
	const struct xp2m *p2m;
	unsigned long differ;
};

static int xp2m_v_read_leaf(void *ctx, unsigned long first, unsigned long mfn,
			    const unsigned long *e, unsigned int nr)
{
	struct xp2m_v_read *c = ctx;
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (READ_ONCE(e[i]) != xp2m_lookup_raw(c->p2m, first + i))
			c->differ++;
	return 0;
}

/*
 * Read the instance back as Xen's toolstack would: through its frame list
 * (where it has one) and its linear view, by machine frame. Both must read
 * to the end and hold the tree's words.
 */
static int xp2m_v_read_back(struct xp2m_x86 *x, const char **why)
{
	const struct xp2m_shared_info *si = xp2m_shared_info(x->p2m);
	struct xp2m_backend *be = x->p2m->be;
	struct xp2m_v_read c = { .p2m = x->p2m };
	struct xp2m_fl_report fl;
	struct xp2m_lin_report lin;
	unsigned int tries = 0;
	int err = 0;

	if (si->pfn_to_mfn_frame_list_list != ~0UL)
		err = xp2m_frame_list_read(be, si->pfn_to_mfn_frame_list_list,
					   READ_ONCE(si->max_pfn),
					   xp2m_v_read_leaf, &c, &fl);
	if (err || c.differ) {
		*why = err ? xp2m_fl_error_str(fl.error) :
			     "the frame list reads other words than the tree";
		return err ?: -EIO;
	}
	do {
		c.differ = 0;
		err = xp2m_linear_read(be, si, xp2m_v_read_leaf, &c, &lin);
	} while (err == -EAGAIN && ++tries < 3);
	if (err || c.differ) {
		*why = err ? xp2m_lin_error_str(lin.error) :
			     "the linear view reads other words than the tree";
		return err ?: -EIO;
	}
	return 0;
}

/**
 * xp2m_x86_check() - verify an instance, and read it back as the toolstack
 * would
 * @x: the instance, its linear view built
 * @max_listed: runs of disagreement the kept report lists
 * @why: set to a sentence saying what is wrong, when something is
 *
 * Runs xp2m_x86_verify() (the report is kept in @x->report), then reads the
 * instance's frame list and linear view back by machine frame, as Xen's
 * save code does, and compares them with the tree.
 *
 * Return: 0 when all of it is clean; -EIO when something disagrees (@why
 * says what); -ENOMEM; or the error of a reader or of the verification.
 */
int xp2m_x86_check(struct xp2m_x86 *x, unsigned int max_listed,
		   const char **why)
{
	struct xp2m_x86_report *rep, *old;
	int err;

	*why = NULL;
	rep = xp2m_x86_report_alloc(max_listed);
	if (!rep)
		return -ENOMEM;
	mutex_lock(&x->check_lock);
	err = xp2m_x86_map_refresh(x);
	if (err) {
		mutex_unlock(&x->check_lock);
		kvfree(rep);
		*why = "the memory map could not be read again";
		return err;
	}
	err = xp2m_x86_verify_locked(x, rep);
	if (err) {
		mutex_unlock(&x->check_lock);
		kvfree(rep);
		*why = "the kernel's p2m could not be read";
		return err;
	}
	if (rep->mismatched) {
		*why = "the instance disagrees with the kernel, M2P or memory map";
		err = -EIO;
	} else if (x->p2m->linear) {
		err = xp2m_v_read_back(x, why);
	}
	mutex_unlock(&x->check_lock);
	mutex_lock(&x->lock);
	old = x->report;
	x->report = rep;
	x->check_why = *why;
	mutex_unlock(&x->lock);
	kvfree(old);
	return err;
}
