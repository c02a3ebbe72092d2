// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m_x86: load into a running Xen PV domain (dom0 or domU) to show the
 * kernel's p2m as the instance "live" (zero copy: import.c), keep it in
 * step with the kernel (follow.c), verify it, publish it in the real
 * shared_info on request (publish.c), and inspect all of it in
 * /sys/kernel/debug/xp2m/live/ (debugfs.c).
 *
 * See Documentation/x86-live.rst.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include <asm/e820/types.h>
#include <xen/xen.h>

#include <xp2m/debugfs.h>

#include "internal.h"

static bool verify_on_load = true;
module_param(verify_on_load, bool, 0444);
MODULE_PARM_DESC(verify_on_load,
		 "verify the imported p2m against the kernel's at load; publish=1 verifies anyway (default: yes)");

static bool linear = true;
module_param(linear, bool, 0444);
MODULE_PARM_DESC(linear,
		 "build the live instance's linear p2m at load (default: yes)");

static bool publish;
module_param(publish, bool, 0444);
MODULE_PARM_DESC(publish,
		 "publish the live instance in the shared_info at load, after a clean check (default: no)");

#define XP2M_X86_LISTED_MAX	4096

unsigned int xp2m_x86_max_listed = 16;

static int xp2m_x86_set_listed(const char *val, const struct kernel_param *kp)
{
	unsigned int n;

	if (kstrtouint(val, 0, &n) || n < 1 || n > XP2M_X86_LISTED_MAX)
		return -EINVAL;
	WRITE_ONCE(*(unsigned int *)kp->arg, n);
	return 0;
}

static const struct kernel_param_ops xp2m_x86_listed_ops = {
	.set = xp2m_x86_set_listed,
	.get = param_get_uint,
};
module_param_cb(max_listed, &xp2m_x86_listed_ops, &xp2m_x86_max_listed,
		0644);
MODULE_PARM_DESC(max_listed,
		 "runs of disagreement a verification report lists, 1-4096 (default: 16)");

static struct xp2m_x86 *live;

/* Why this is not a Xen PV domain, or NULL if it is one. */
static const char *xp2m_x86_not_pv(void)
{
	if (xen_pv_domain())
		return NULL;
	if (!xen_domain())
		return "not running on Xen";
	if (xen_pvh_domain())
		return "a Xen PVH guest";
	if (xen_hvm_domain())
		return "a Xen HVM guest";
	return "not a Xen PV guest";
}

static void xp2m_x86_log_report(struct xp2m_x86 *x, const char *why)
{
	const struct xp2m_x86_report *rep = x->report;
	u64 ms = div_u64(rep->ns, NSEC_PER_MSEC);

	if (!why)
		pr_info("%s: verified %lu pfns in %llu ms: clean\n",
			x->p2m->name, rep->pfns, ms);
	else
		pr_warn("%s: verified %lu pfns in %llu ms: %s; %lu pfns disagree (see xp2m/%s/verify in debugfs)\n",
			x->p2m->name, rep->pfns, ms, why, rep->mismatched,
			x->p2m->name);
}

/* Build the live instance's linear view; the time it took in the log. */
static int xp2m_x86_linear(struct xp2m_x86 *x)
{
	u64 t = ktime_get_ns();
	int err;

	err = xp2m_linear_build(x->p2m);
	if (err) {
		pr_err("building the live linear p2m failed: %d\n", err);
		return err;
	}
	pr_info("live: linear p2m at 0x%lx built in %llu ms\n",
		xp2m_shared_info(x->p2m)->p2m_vaddr,
		div_u64(ktime_get_ns() - t, NSEC_PER_MSEC));
	return 0;
}

/* Check the live instance; publish it if asked. */
static int xp2m_x86_check_live(struct xp2m_x86 *x)
{
	const char *why;
	int err;

	err = xp2m_x86_check(x, READ_ONCE(xp2m_x86_max_listed), &why);
	if (err && err != -EIO) {
		pr_err("checking the live p2m failed: %s (%d)\n", why, err);
		return err;
	}
	xp2m_x86_log_report(x, why);
	if (!publish)
		return 0;
	if (err) {
		pr_warn("live: not published: %s\n", why);
		return 0;
	}
	err = xp2m_x86_publish(x);
	if (err)
		pr_warn("live: not published (%d)\n", err);
	else
		pr_info("live: published in the shared_info, linear p2m at 0x%lx\n",
			x->p2m->si.p2m_vaddr);
	return 0;
}

/*
 * After xp2m_x86_publish_exit(): the kernel's fields are back in the
 * shared_info before the instance goes, however long its p2m keeps
 * changing.
 */
static void xp2m_x86_drop_live(void)
{
	xp2m_x86_withdraw_wait(live);
	xp2m_x86_unfollow(live);
	xp2m_x86_free(live);
}

static int __init xp2m_x86_init(void)
{
	const char *why = xp2m_x86_not_pv();
	int err;

	if (why) {
		pr_info("%s, so there is no PV p2m to import\n", why);
		return -ENODEV;
	}
	err = xp2m_x86_backend_init();
	if (!err)
		err = xp2m_x86_memmap_init();
	if (err)
		return err;
	err = xp2m_x86_follow_init();
	if (err)
		goto out_memmap;
	xp2m_x86_publish_init();
	live = xp2m_x86_import("live");
	if (IS_ERR(live)) {
		err = PTR_ERR(live);
		pr_err("importing the kernel's p2m failed: %d\n", err);
		goto out_follow;
	}
	pr_info("live: %lu pfns, %lu kernel leaves shown, imported in %llu ms\n",
		live->p2m->max_pfn, live->p2m->counts.borrowed,
		div_u64(live->import_ns, NSEC_PER_MSEC));
	err = xp2m_x86_follow(live);
	if (err && err != -EOPNOTSUPP)
		goto out;
	err = linear ? xp2m_x86_linear(live) : 0;
	/* Publishing needs a clean check, whatever verify_on_load says. */
	if (!err && (verify_on_load || publish))
		err = xp2m_x86_check_live(live);
	if (!err)
		err = xp2m_x86_debugfs(live);
	if (!err)
		return 0;
out:
	xp2m_x86_publish_exit();
	xp2m_x86_drop_live();
	goto out_unfollow;
out_follow:
	xp2m_x86_publish_exit();
out_unfollow:
	xp2m_x86_follow_exit();
out_memmap:
	xp2m_x86_memmap_exit();
	return err;
}

static void __exit xp2m_x86_exit(void)
{
	xp2m_x86_publish_exit();
	xp2m_x86_drop_live();
	xp2m_x86_follow_exit();
	xp2m_x86_memmap_exit();
}

module_init(xp2m_x86_init);
module_exit(xp2m_x86_exit);

MODULE_DESCRIPTION("xp2m: Xen PV backend, zero-copy live instance of the kernel's p2m, its verification and publication");
MODULE_LICENSE("GPL");
MODULE_VERSION(XP2M_VERSION);
