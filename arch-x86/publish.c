// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m_x86: publishing an instance in the guest's real shared_info.
 *
 * Xen's toolstack (save, restore, migration, dump-core, xen-mfndump) finds a
 * PV guest's p2m through five fields of its shared_info, as struct
 * arch_shared_info (xen/interface) describes them: max_pfn,
 * pfn_to_mfn_frame_list_list, p2m_cr3, p2m_vaddr and p2m_generation. The
 * kernel writes them in xen_setup_mfn_list_list() (arch/x86/xen/p2m.c), at
 * boot and on every resume, and moves p2m_generation (and max_pfn) itself
 * when xen_alloc_p2m_entry() changes its list's mappings. A PV kernel keeps
 * its shared_info mapped read-write at fix_to_virt(FIX_PARAVIRT_BOOTMAP).
 *
 * Publishing writes the instance's p2m_cr3, p2m_vaddr, frame list and
 * populated max_pfn there, the kernel's own values kept to be put back on
 * withdrawal. The instance's leaves are the kernel's (import.c), so what
 * the toolstack reads and what restore rewrites are the kernel's leaves.
 *
 * p2m_generation stays one count, only ever incremented. It reads odd while
 * any bracket is open: a change of the instance's linear view under way
 * (struct xp2m_publisher), or a call of xen_alloc_p2m_entry() whose new leaf
 * the instance has not adopted yet (follow.c). The kernel increments the
 * word too, without atomics, under a lock of its own, only inside
 * xen_alloc_p2m_entry(): the module writes it only while no CPU is inside
 * that function (@inside is 0), so no increment is lost. While @inside is
 * not 0, @open is not 0 either, so no transition is due.
 *
 * On resume the kernel writes its fields back (generation 0); the syscore
 * resume hook, which runs right after, notes that the instance is no longer
 * published, and the resume notifier has it brought up to date and
 * published again (or says why not).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/spinlock.h>
#include <linux/syscore_ops.h>
#include <linux/workqueue.h>

#include <asm/fixmap.h>
#include <asm/xen/page.h>
#include <xen/interface/xen.h>
#include <xen/xen-ops.h>

#include "internal.h"

/*
 * The publication. Everything here, and every write of the real fields,
 * is under xp2m_pub_lock (interrupts off: the probe may run anywhere).
 * @inside: CPUs between the entry and return of a probed call
 * @open: brackets open; the published generation is odd while it is not 0
 * @x: the published instance, or NULL
 * @resumed: the instance that was published when the domain was suspended
 * @resuming: that instance while the resume work brings it up to date; a
 *	withdrawal clears either, and the work then does not publish it
 * @kernel: the kernel's fields, as it last wrote them
 * @ours_max: the max_pfn last written here
 * @publishes: publications made
 * @withdrawals: withdrawals made, for whatever reason
 * @why: the last withdrawal's reason
 */
static DEFINE_SPINLOCK(xp2m_pub_lock);
static struct {
	unsigned int inside;
	unsigned int open;
	struct xp2m_x86 *x;
	struct xp2m_x86 *resumed;
	struct xp2m_x86 *resuming;
	struct xp2m_shared_info kernel;
	unsigned long ours_max;
	unsigned long publishes;
	unsigned long withdrawals;
	const char *why;
} xp2m_pub;

static struct arch_shared_info *xp2m_real(void)
{
	return &((struct shared_info *)fix_to_virt(FIX_PARAVIRT_BOOTMAP))->arch;
}

/* Move the real generation on: its readers see the fields between. */
static void xp2m_pub_gen_inc(void)
{
	struct arch_shared_info *a = xp2m_real();

	lockdep_assert_held(&xp2m_pub_lock);
	/* What was written before is seen before the generation moves... */
	wmb();
	WRITE_ONCE(a->p2m_generation, a->p2m_generation + 1);
	/* ...and what is written after, after it. */
	wmb();
}

/*
 * The kernel raises max_pfn in place when its list grows, published or
 * not: a value other than the one written here last is the kernel's own.
 */
static void xp2m_pub_kernel_max(void)
{
	unsigned long cur = READ_ONCE(xp2m_real()->max_pfn);

	lockdep_assert_held(&xp2m_pub_lock);
	if (cur != xp2m_pub.ours_max)
		xp2m_pub.kernel.max_pfn = cur;
}

/* Write max_pfn, the kernel's own value kept first. */
static void xp2m_pub_max_pfn(unsigned long max)
{
	lockdep_assert_held(&xp2m_pub_lock);
	xp2m_pub_kernel_max();
	WRITE_ONCE(xp2m_real()->max_pfn, max);
	xp2m_pub.ours_max = max;
}

/*
 * The same at the close of a bracket, while published: only when no CPU is
 * inside xen_alloc_p2m_entry(), which writes max_pfn with no lock of ours;
 * between the read of the kernel's value and this write, that write would
 * be lost, and a withdrawal would put back a max_pfn short of its list.
 * The close that ends the last bracket finds no CPU inside (@inside is not
 * 0 only while @open is not), so the value is written by then.
 */
static void xp2m_pub_close_max_pfn(unsigned long max)
{
	lockdep_assert_held(&xp2m_pub_lock);
	if (xp2m_pub.x && !xp2m_pub.inside)
		xp2m_pub_max_pfn(max);
}

static void xp2m_pub_open_locked(void)
{
	lockdep_assert_held(&xp2m_pub_lock);
	if (!xp2m_pub.open++ && xp2m_pub.x)
		xp2m_pub_gen_inc();
}

static void xp2m_pub_close_locked(unsigned int n)
{
	lockdep_assert_held(&xp2m_pub_lock);
	if (WARN_ON(n > xp2m_pub.open))
		n = xp2m_pub.open;
	xp2m_pub.open -= n;
	if (n && !xp2m_pub.open && xp2m_pub.x)
		xp2m_pub_gen_inc();
}

/* A change of the published view under way elsewhere (fault.c): open. */
void xp2m_x86_gen_open(void)
{
	unsigned long flags;

	spin_lock_irqsave(&xp2m_pub_lock, flags);
	xp2m_pub_open_locked();
	spin_unlock_irqrestore(&xp2m_pub_lock, flags);
}

/* The probe saw a call that may give a hole's leaf a page: open. */
void xp2m_x86_gen_enter(void)
{
	unsigned long flags;

	spin_lock_irqsave(&xp2m_pub_lock, flags);
	xp2m_pub_open_locked();
	xp2m_pub.inside++;
	spin_unlock_irqrestore(&xp2m_pub_lock, flags);
}

/* That call returned; its bracket stays open until it is followed. */
void xp2m_x86_gen_leave(void)
{
	unsigned long flags;

	spin_lock_irqsave(&xp2m_pub_lock, flags);
	xp2m_pub.inside--;
	spin_unlock_irqrestore(&xp2m_pub_lock, flags);
}

/* @n followed calls: their brackets close, with the instance's max_pfn. */
void xp2m_x86_gen_close(unsigned int n)
{
	unsigned long flags;

	spin_lock_irqsave(&xp2m_pub_lock, flags);
	if (xp2m_pub.x && n)
		xp2m_pub_close_max_pfn(READ_ONCE(xp2m_pub.x->p2m->si.max_pfn));
	xp2m_pub_close_locked(n);
	spin_unlock_irqrestore(&xp2m_pub_lock, flags);
}

/* Write the real p2m_vaddr alone (the "vaddr" fault of fault.c). */
static void xp2m_pub_vaddr(unsigned long vaddr)
{
	lockdep_assert_held(&xp2m_pub_lock);
	WRITE_ONCE(xp2m_real()->p2m_vaddr, vaddr);
}

/*
 * Write @vaddr as the real p2m_vaddr, bracketed, if @x is published: the
 * check and the write under one hold of xp2m_pub_lock, so that no
 * withdrawal or resume, which give the kernel's fields back, comes
 * between them. Returns 0, or -ENOENT when @x is not published, with
 * nothing written.
 */
int xp2m_x86_pub_vaddr(struct xp2m_x86 *x, unsigned long vaddr)
{
	unsigned long flags;
	int err = -ENOENT;

	spin_lock_irqsave(&xp2m_pub_lock, flags);
	if (xp2m_pub.x == x) {
		xp2m_pub_open_locked();
		xp2m_pub_vaddr(vaddr);
		xp2m_pub_close_locked(1);
		err = 0;
	}
	spin_unlock_irqrestore(&xp2m_pub_lock, flags);
	return err;
}

static void xp2m_pub_open(struct xp2m_publisher *pub)
{
	xp2m_x86_gen_open();
}

static void xp2m_pub_close(struct xp2m_publisher *pub,
			   const struct xp2m_shared_info *si)
{
	unsigned long flags;

	spin_lock_irqsave(&xp2m_pub_lock, flags);
	xp2m_pub_close_max_pfn(READ_ONCE(si->max_pfn));
	xp2m_pub_close_locked(1);
	spin_unlock_irqrestore(&xp2m_pub_lock, flags);
}

static const struct xp2m_publisher_ops xp2m_pub_ops = {
	.open = xp2m_pub_open,
	.close = xp2m_pub_close,
};

static struct xp2m_publisher xp2m_pub_real = { .ops = &xp2m_pub_ops };

/*
 * Take xp2m_pub_lock, waiting up to about a second for a moment when no CPU
 * is inside the probed function, so that the generation may be written.
 * Returns with the lock held either way: 0 at such a moment, -EBUSY if
 * there was none. Process context.
 */
static int xp2m_pub_lock_quiet(unsigned long *flags)
	__acquires(&xp2m_pub_lock)
{
	unsigned int tries;

	for (tries = 0; ; tries++) {
		spin_lock_irqsave(&xp2m_pub_lock, *flags);
		if (!xp2m_pub.inside)
			return 0;
		if (tries == 2000)
			return -EBUSY;
		spin_unlock_irqrestore(&xp2m_pub_lock, *flags);
		usleep_range(500, 1000);
	}
}

static void xp2m_pub_write(const struct xp2m_shared_info *si)
{
	struct arch_shared_info *a = xp2m_real();

	lockdep_assert_held(&xp2m_pub_lock);
	WRITE_ONCE(a->pfn_to_mfn_frame_list_list,
		   si->pfn_to_mfn_frame_list_list);
	WRITE_ONCE(a->p2m_cr3, si->p2m_cr3);
	WRITE_ONCE(a->p2m_vaddr, si->p2m_vaddr);
}

/* Write the fields of the instance, or (@x NULL) the kernel's, bracketed. */
static void xp2m_pub_switch(struct xp2m_x86 *x)
{
	const struct xp2m_shared_info *si;

	lockdep_assert_held(&xp2m_pub_lock);
	/* An open bracket already made the generation odd, if published. */
	if (!xp2m_pub.open || !xp2m_pub.x)
		xp2m_pub_gen_inc();
	if (x) {
		si = &x->p2m->si;
		xp2m_pub_write(si);
		xp2m_pub_max_pfn(READ_ONCE(si->max_pfn));
	} else {
		xp2m_pub_kernel_max();
		xp2m_pub_max_pfn(xp2m_pub.kernel.max_pfn);
		xp2m_pub_write(&xp2m_pub.kernel);
	}
	xp2m_pub.x = x;
	if (!xp2m_pub.open || !x)
		xp2m_pub_gen_inc();
}

/*
 * Publish @x: as xp2m_x86_publish(), or (@resume) as the resume work does,
 * -ECANCELED once a withdrawal cleared @xp2m_pub.resuming.
 */
static int xp2m_pub_publish(struct xp2m_x86 *x, bool resume)
{
	struct arch_shared_info *a = xp2m_real();
	unsigned long flags;
	int err;

	if (!x->p2m->linear)
		return -EINVAL;
	if (!x->followed)
		return -EOPNOTSUPP;
	xp2m_set_publisher(x->p2m, &xp2m_pub_real);
	err = xp2m_pub_lock_quiet(&flags);
	if (!err && resume && xp2m_pub.resuming != x)
		err = -ECANCELED;
	if (resume)
		xp2m_pub.resuming = NULL;
	if (!err && xp2m_pub.x && xp2m_pub.x != x)
		err = -EEXIST;
	if (!err && !xp2m_pub.x) {
		xp2m_pub.kernel.max_pfn = READ_ONCE(a->max_pfn);
		xp2m_pub.kernel.pfn_to_mfn_frame_list_list =
			READ_ONCE(a->pfn_to_mfn_frame_list_list);
		xp2m_pub.kernel.p2m_cr3 = READ_ONCE(a->p2m_cr3);
		xp2m_pub.kernel.p2m_vaddr = READ_ONCE(a->p2m_vaddr);
		xp2m_pub.ours_max = xp2m_pub.kernel.max_pfn;
		xp2m_pub_switch(x);
		xp2m_pub.publishes++;
		xp2m_pub.why = NULL;
	}
	spin_unlock_irqrestore(&xp2m_pub_lock, flags);
	if (err)
		xp2m_set_publisher(x->p2m, NULL);
	return err;
}

/**
 * xp2m_x86_publish() - publish an instance in the real shared_info
 * @x: the instance: its linear view built, followed (xp2m_x86_follow())
 *
 * The caller has verified it clean (see xp2m_x86_check()). The kernel's
 * fields are kept, to be put back by xp2m_x86_withdraw(). Publishing the
 * published instance again is a no-op.
 *
 * Return: 0; -EINVAL for an instance without a linear view; -EOPNOTSUPP for
 * one that is not followed; -EEXIST while another instance is published;
 * -EBUSY when the kernel's p2m kept changing for seconds.
 */
int xp2m_x86_publish(struct xp2m_x86 *x)
{
	return xp2m_pub_publish(x, false);
}
EXPORT_SYMBOL_GPL(xp2m_x86_publish);

/*
 * Put the kernel's fields back; why, for the state and the log. An instance
 * to be published again after a resume is not: the resume already put the
 * kernel's fields back.
 */
static int xp2m_pub_withdraw(struct xp2m_x86 *x, const char *why)
{
	unsigned long flags;
	int err;

	err = xp2m_pub_lock_quiet(&flags);
	if (!err && xp2m_pub.x != x) {
		err = -ENOENT;
		if (xp2m_pub.resumed == x || xp2m_pub.resuming == x) {
			xp2m_pub.resumed = NULL;
			xp2m_pub.resuming = NULL;
			xp2m_pub.why = why;
		}
	}
	if (err) {
		spin_unlock_irqrestore(&xp2m_pub_lock, flags);
		return err;
	}
	xp2m_pub_switch(NULL);
	xp2m_pub.withdrawals++;
	xp2m_pub.why = why;
	spin_unlock_irqrestore(&xp2m_pub_lock, flags);
	xp2m_set_publisher(x->p2m, NULL);
	return 0;
}

/*
 * Undo a fault, then withdraw @x, waiting for as long as the kernel's p2m
 * keeps changing: a withdrawal refused then (-EBUSY) would leave a view
 * published that is stale, or about to be freed.
 */
static int xp2m_pub_withdraw_wait(struct xp2m_x86 *x, const char *why)
{
	int err;

	xp2m_x86_fault(x, XP2M_X86_FAULT_NONE, 0);
	while ((err = xp2m_pub_withdraw(x, why)) == -EBUSY)
		pr_warn_ratelimited("%s: the kernel's p2m keeps changing: still waiting to withdraw\n",
				    x->p2m->name);
	return err;
}

/* xp2m_x86_withdraw(), however long it takes: before the instance goes. */
void xp2m_x86_withdraw_wait(struct xp2m_x86 *x)
{
	xp2m_pub_withdraw_wait(x, "withdrawn on request");
}

/**
 * xp2m_x86_withdraw() - put the kernel's fields back in the shared_info
 * @x: the published instance
 *
 * The generation moves on (it is never written back). Withdrawing an
 * instance that is not published is a no-op.
 *
 * Return: 0; -EBUSY when the kernel's p2m kept changing for seconds.
 */
int xp2m_x86_withdraw(struct xp2m_x86 *x)
{
	int err;

	xp2m_x86_fault(x, XP2M_X86_FAULT_NONE, 0);
	err = xp2m_pub_withdraw(x, "withdrawn on request");

	return err == -ENOENT ? 0 : err;
}
EXPORT_SYMBOL_GPL(xp2m_x86_withdraw);

/**
 * xp2m_x86_published() - the instance published in the shared_info
 *
 * Return: it, or NULL.
 */
struct xp2m_x86 *xp2m_x86_published(void)
{
	unsigned long flags;
	struct xp2m_x86 *x;

	spin_lock_irqsave(&xp2m_pub_lock, flags);
	x = xp2m_pub.x;
	spin_unlock_irqrestore(&xp2m_pub_lock, flags);
	return x;
}
EXPORT_SYMBOL_GPL(xp2m_x86_published);

/*
 * The follower could not adopt what the kernel did: no stale view stays,
 * however long the kernel's p2m keeps changing (the follow work closes the
 * brackets of what it served once this returns). The caller holds the
 * follower's lock, so the instance outlives this (xp2m_x86_unfollow()).
 */
void xp2m_x86_cannot_follow(int err)
{
	struct xp2m_x86 *x = xp2m_x86_published();

	if (x && !xp2m_pub_withdraw_wait(x, "could not follow the kernel's p2m"))
		pr_warn("%s: withdrawn from the shared_info: could not follow a change of the kernel's p2m (%d)\n",
			x->p2m->name, err);
}

/*
 * The domain resumed (a restore, a migration, or a cancelled suspend such
 * as a checkpoint): the kernel has just written its own fields. This runs
 * with interrupts off on the one CPU that runs at all.
 */
static void xp2m_pub_syscore_resume(void)
{
	spin_lock(&xp2m_pub_lock);
	if (xp2m_pub.x) {
		xp2m_pub.resumed = xp2m_pub.x;
		xp2m_pub.x = NULL;
	}
	spin_unlock(&xp2m_pub_lock);
}

static struct syscore_ops xp2m_pub_syscore = {
	.resume = xp2m_pub_syscore_resume,
};

/* Bring the instance up to date with the resumed domain, and publish it. */
static void xp2m_pub_resume_work(struct work_struct *work)
{
	struct xp2m_x86 *x;
	unsigned long flags;
	const char *why;
	int err;

	spin_lock_irqsave(&xp2m_pub_lock, flags);
	x = xp2m_pub.resumed;
	xp2m_pub.resumed = NULL;
	xp2m_pub.resuming = x;
	spin_unlock_irqrestore(&xp2m_pub_lock, flags);
	if (!x)
		return;
	xp2m_set_publisher(x->p2m, NULL);
	xp2m_x86_fault(x, XP2M_X86_FAULT_NONE, 0);
	err = xp2m_x86_resume(x, &why);
	if (!err)
		err = xp2m_pub_publish(x, true);
	if (err == -ECANCELED) {
		pr_info("%s: withdrawn while the domain resumed: not published again\n",
			x->p2m->name);
	} else if (err) {
		pr_warn("%s: not published again after the resume: %s (%d)\n",
			x->p2m->name, why ?: "publishing failed", err);
		spin_lock_irqsave(&xp2m_pub_lock, flags);
		xp2m_pub.why = "not published again after a resume";
		spin_unlock_irqrestore(&xp2m_pub_lock, flags);
	} else {
		pr_info("%s: published again after the resume, at 0x%lx\n",
			x->p2m->name, x->p2m->si.p2m_vaddr);
	}
}

static DECLARE_WORK(xp2m_pub_resume, xp2m_pub_resume_work);

static int xp2m_pub_resume_notify(struct notifier_block *nb,
				  unsigned long action, void *data)
{
	queue_work(system_highpri_wq, &xp2m_pub_resume);
	return NOTIFY_OK;
}

static struct notifier_block xp2m_pub_resume_nb = {
	.notifier_call = xp2m_pub_resume_notify,
};

/**
 * xp2m_x86_pub_state() - the publication, for the "publish" view
 * @st: filled in: the real fields, the kernel's kept ones, and the counts
 *
 * Return: the published instance, or NULL.
 */
struct xp2m_x86 *xp2m_x86_pub_state(struct xp2m_x86_pub_state *st)
{
	struct arch_shared_info *a = xp2m_real();
	unsigned long flags;
	struct xp2m_x86 *x;

	spin_lock_irqsave(&xp2m_pub_lock, flags);
	x = xp2m_pub.x;
	st->real.max_pfn = READ_ONCE(a->max_pfn);
	st->real.pfn_to_mfn_frame_list_list =
		READ_ONCE(a->pfn_to_mfn_frame_list_list);
	st->real.p2m_cr3 = READ_ONCE(a->p2m_cr3);
	st->real.p2m_vaddr = READ_ONCE(a->p2m_vaddr);
	st->real.p2m_generation = READ_ONCE(a->p2m_generation);
	st->kernel = x ? xp2m_pub.kernel : st->real;
	if (x && st->real.max_pfn != xp2m_pub.ours_max)
		st->kernel.max_pfn = st->real.max_pfn;
	st->open = xp2m_pub.open;
	st->publishes = xp2m_pub.publishes;
	st->withdrawals = xp2m_pub.withdrawals;
	st->why = xp2m_pub.why;
	spin_unlock_irqrestore(&xp2m_pub_lock, flags);
	return x;
}

void xp2m_x86_publish_init(void)
{
	register_syscore_ops(&xp2m_pub_syscore);
	xen_resume_notifier_register(&xp2m_pub_resume_nb);
}

/*
 * Before the instances go: no resume publishes one again from now on, and
 * a republication under way is done with (what it published, the caller
 * withdraws).
 */
void xp2m_x86_publish_exit(void)
{
	unsigned long flags;

	xen_resume_notifier_unregister(&xp2m_pub_resume_nb);
	unregister_syscore_ops(&xp2m_pub_syscore);
	flush_work(&xp2m_pub_resume);
	spin_lock_irqsave(&xp2m_pub_lock, flags);
	xp2m_pub.resumed = NULL;
	spin_unlock_irqrestore(&xp2m_pub_lock, flags);
}
