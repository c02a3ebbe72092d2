// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m_x86: following the kernel's new p2m leaves.
 *
 * After boot Linux changes the structure of its p2m in one function only:
 * xen_alloc_p2m_entry() (arch/x86/xen/p2m.c), which gives a hole's leaf a
 * page of its own, and a hole's GiB a page-table page and a frame-list mid
 * first; set_phys_to_machine() calls it for the balloon driver and for grant
 * mappings, the unpopulated-page allocator calls it directly. The kernel
 * offers no notifier for it and no other sign but the p2m_generation it
 * moves in the shared_info, which nothing in the guest is told of. So the
 * module puts a kretprobe on the function (the kernel exports kprobes to
 * modules for this kind of use):
 *
 *  - on entry, if the pfn's leaf is still one of the kernel's shared pages
 *    (mapped read-only in its list), the call may change the structure: a
 *    bracket opens (publish.c: the published generation reads odd);
 *  - on return, the pfn's GiB is marked and a work item queued;
 *  - the work item adopts the kernel's new leaves of every marked GiB in
 *    every followed instance (xp2m_adopt(): the tree, the frame list and the
 *    linear view follow, each change noted "new leaf"), then closes the
 *    brackets it served.
 *
 * Entries the kernel writes into a leaf need nothing: the leaf is shared.
 * A call the probe missed (every kretprobe instance busy: the count is the
 * probe's nmissed) is caught by a full walk (xp2m_x86_sync()), and a
 * published instance is withdrawn while it could not follow (publish.c).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/kprobes.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>

#include <asm/xen/page.h>

#include "internal.h"

/*
 * The follower. @lock (a mutex, taken by the work item and by who adds or
 * removes an instance) guards @instances. @pending, one bit per GiB of the
 * kernel's list, and @returned are set by the probe in any context: the
 * bits with atomic bitops, @returned under @rlock.
 */
static struct {
	struct mutex lock;		/* see above */
	struct list_head instances;
	unsigned long *pending;
	unsigned long nr_gibs;
	spinlock_t rlock;		/* see above */
	unsigned int returned;
	unsigned long missed;
	struct work_struct work;
	struct kretprobe probe;
	bool armed;
	atomic_t followed;
} xp2m_follower = {
	.lock = __MUTEX_INITIALIZER(xp2m_follower.lock),
	.instances = LIST_HEAD_INIT(xp2m_follower.instances),
	.rlock = __SPIN_LOCK_UNLOCKED(xp2m_follower.rlock),
};

/* Is the kernel's leaf of @pfn one of its shared, read-only pages? */
static bool xp2m_follow_hole(unsigned long pfn)
{
	unsigned int level;
	pte_t *pte;

	if (pfn >= READ_ONCE(xen_p2m_size))
		return false;
	pte = lookup_address((unsigned long)(xen_p2m_addr + pfn), &level);
	return pte && level == PG_LEVEL_4K && !pte_write(*pte);
}

static int xp2m_follow_entry(struct kretprobe_instance *ri,
			     struct pt_regs *regs)
{
	unsigned long pfn = regs_get_kernel_argument(regs, 0);

	if (!atomic_read(&xp2m_follower.followed) || !xp2m_follow_hole(pfn))
		return 1;	/* nothing to follow: no return handler */
	*(unsigned long *)ri->data = pfn;
	xp2m_x86_gen_enter();
	return 0;
}

static int xp2m_follow_return(struct kretprobe_instance *ri,
			      struct pt_regs *regs)
{
	unsigned long pfn = *(unsigned long *)ri->data;

	set_bit(pfn / XP2M_MID_SPAN, xp2m_follower.pending);
	spin_lock(&xp2m_follower.rlock);
	xp2m_follower.returned++;
	spin_unlock(&xp2m_follower.rlock);
	xp2m_x86_gen_leave();
	queue_work(system_highpri_wq, &xp2m_follower.work);
	return 0;
}

/* Adopt the kernel's leaves of GiB @g in every followed instance. */
static int xp2m_follow_gib(unsigned long g)
{
	struct xp2m_x86 *x;
	int err = 0;
	long n;

	list_for_each_entry(x, &xp2m_follower.instances, follow) {
		n = xp2m_x86_sync_gib(x, g);
		if (n < 0 && !err)
			err = n;
	}
	return err;
}

/* Walk everything, in every instance: after a missed probe. */
static int xp2m_follow_all(void)
{
	struct xp2m_x86 *x;
	int err = 0;
	long n;

	list_for_each_entry(x, &xp2m_follower.instances, follow) {
		n = xp2m_x86_sync(x);
		if (n < 0 && !err)
			err = n;
	}
	return err;
}

static void xp2m_follow_work(struct work_struct *work)
{
	unsigned long g, missed;
	unsigned int served;
	int err = 0;

	spin_lock_irq(&xp2m_follower.rlock);
	served = xp2m_follower.returned;
	xp2m_follower.returned = 0;
	spin_unlock_irq(&xp2m_follower.rlock);

	mutex_lock(&xp2m_follower.lock);
	for_each_set_bit(g, xp2m_follower.pending, xp2m_follower.nr_gibs) {
		clear_bit(g, xp2m_follower.pending);
		err = xp2m_follow_gib(g) ?: err;
	}
	missed = READ_ONCE(xp2m_follower.probe.nmissed);
	if (missed != xp2m_follower.missed) {
		pr_warn("the kprobe missed %lu calls of xen_alloc_p2m_entry(): walking the whole p2m\n",
			missed - xp2m_follower.missed);
		xp2m_follower.missed = missed;
		err = xp2m_follow_all() ?: err;
	}
	if (err)
		xp2m_x86_cannot_follow(err);
	mutex_unlock(&xp2m_follower.lock);
	xp2m_x86_gen_close(served);
}

/**
 * xp2m_x86_follow() - keep an instance in step with the kernel's new leaves
 * @x: the instance
 *
 * Return: 0; -EOPNOTSUPP when this kernel has no kprobes (the instance then
 * shows the kernel's p2m as it was built, and verification tells when it
 * went stale); -EEXIST if it is followed already.
 */
int xp2m_x86_follow(struct xp2m_x86 *x)
{
	int err = 0;

	mutex_lock(&xp2m_follower.lock);
	if (!xp2m_follower.armed)
		err = -EOPNOTSUPP;
	else if (x->followed)
		err = -EEXIST;
	if (!err) {
		list_add(&x->follow, &xp2m_follower.instances);
		x->followed = true;
		atomic_inc(&xp2m_follower.followed);
	}
	mutex_unlock(&xp2m_follower.lock);
	/* What the kernel did before the probe could see it. */
	return err ?: (int)min(0L, xp2m_x86_sync(x));
}
EXPORT_SYMBOL_GPL(xp2m_x86_follow);

/**
 * xp2m_x86_unfollow() - stop following the kernel for an instance
 * @x: the instance; followed or not
 *
 * Waits for a follow under way.
 */
void xp2m_x86_unfollow(struct xp2m_x86 *x)
{
	mutex_lock(&xp2m_follower.lock);
	if (x->followed) {
		list_del(&x->follow);
		x->followed = false;
		atomic_dec(&xp2m_follower.followed);
	}
	mutex_unlock(&xp2m_follower.lock);
}
EXPORT_SYMBOL_GPL(xp2m_x86_unfollow);

/**
 * xp2m_x86_follow_flush() - wait until every change seen so far is followed
 */
void xp2m_x86_follow_flush(void)
{
	flush_work(&xp2m_follower.work);
}
EXPORT_SYMBOL_GPL(xp2m_x86_follow_flush);

/**
 * xp2m_x86_follow_missed() - calls of xen_alloc_p2m_entry() the probe missed
 *
 * Shown as "missed" in the live instance's debugfs file "publish".
 *
 * Return: the probe's nmissed (each was caught by a whole walk since), or
 * -EOPNOTSUPP when there is no probe.
 */
long xp2m_x86_follow_missed(void)
{
	return xp2m_follower.armed ? (long)xp2m_follower.probe.nmissed :
				     -EOPNOTSUPP;
}
EXPORT_SYMBOL_GPL(xp2m_x86_follow_missed);

int xp2m_x86_follow_init(void)
{
	int err;

	INIT_WORK(&xp2m_follower.work, xp2m_follow_work);
	xp2m_follower.nr_gibs = DIV_ROUND_UP(READ_ONCE(xen_p2m_size),
					     XP2M_MID_SPAN);
	xp2m_follower.pending = bitmap_zalloc(xp2m_follower.nr_gibs,
					      GFP_KERNEL);
	if (!xp2m_follower.pending)
		return -ENOMEM;
	xp2m_follower.probe.kp.symbol_name = "xen_alloc_p2m_entry";
	xp2m_follower.probe.entry_handler = xp2m_follow_entry;
	xp2m_follower.probe.handler = xp2m_follow_return;
	xp2m_follower.probe.data_size = sizeof(unsigned long);
	/* Calls in flight at once, each holding one: more than CPUs. */
	xp2m_follower.probe.maxactive = 64;
	err = register_kretprobe(&xp2m_follower.probe);
	if (err) {
		pr_info("cannot probe xen_alloc_p2m_entry() (%d): the live instance will not follow the kernel's new leaves, and cannot be published\n",
			err);
		return 0;
	}
	xp2m_follower.armed = true;
	return 0;
}

void xp2m_x86_follow_exit(void)
{
	if (xp2m_follower.armed)
		unregister_kretprobe(&xp2m_follower.probe);
	xp2m_follower.armed = false;
	flush_work(&xp2m_follower.work);
	bitmap_free(xp2m_follower.pending);
}
