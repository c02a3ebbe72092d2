// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m_x86: load into a running Xen PV domain (dom0 or domU) to import the
 * kernel's p2m as the instance "live", verify it, and inspect both in
 * /sys/kernel/debug/xp2m/live/. Beyond the core's views (p2m/debugfs.c):
 *
 *   verify      write 1 to verify again; read the last report
 *   memory_map  the hypervisor's memory map and the RAM the kernel keeps
 *
 * See Documentation/x86-live.rst.
 */

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
		 "verify the imported p2m against the kernel's at load (default: yes)");

static bool linear = true;
module_param(linear, bool, 0444);
MODULE_PARM_DESC(linear,
		 "build and publish the live instance's linear p2m at load (default: yes)");

#define XP2M_X86_LISTED_MAX	4096

static unsigned int max_listed = 16;

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
module_param_cb(max_listed, &xp2m_x86_listed_ops, &max_listed, 0644);
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

/* verify */

static void xp2m_x86_show_entry(struct seq_file *m, unsigned long e)
{
	seq_printf(m, "0x%lx (%s)", e, xp2m_type_name(xp2m_entry_type(e)));
}

static void xp2m_x86_show_report(struct seq_file *m,
				 const struct xp2m_x86_report *rep,
				 unsigned long unimported)
{
	const unsigned long *counts[] = { rep->ours, rep->kernel };
	unsigned int i, j;

	seq_printf(m, "status %s\n", rep->mismatched ? "MISMATCH" : "clean");
	seq_printf(m, "pfns 0x%lx\n", rep->pfns);
	seq_printf(m, "time_us %llu\n", div_u64(rep->ns, NSEC_PER_USEC));
	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		seq_puts(m, i ? "kernel" : "ours");
		for (j = 0; j < XP2M_NR_TYPES; j++)
			seq_printf(m, " %s %lu", xp2m_type_name(j), counts[i][j]);
		seq_putc(m, '\n');
	}
	seq_printf(m, "balloon %lu\n", rep->balloon);
	seq_printf(m, "hole_missing %lu\n", rep->hole_missing);
	seq_printf(m, "hole_foreign %lu\n", rep->hole_foreign);
	seq_printf(m, "unimported %lu\n", unimported);
	seq_printf(m, "mismatched %lu\n", rep->mismatched);
	for (i = 0; i < XP2M_X86_NR_KINDS; i++)
		seq_printf(m, "%s %lu\n", xp2m_x86_kind_name(i), rep->kinds[i]);
	if (!rep->nr_listed)
		return;
	seq_printf(m, "first %u runs:\n", rep->nr_listed);
	for (i = 0; i < rep->nr_listed; i++) {
		const struct xp2m_x86_mismatch *r = &rep->listed[i];

		seq_printf(m, " [0x%lx->0x%lx] %s: ours ", r->pfn,
			   r->pfn + r->nr, xp2m_x86_kind_name(r->kind));
		xp2m_x86_show_entry(m, r->ours);
		seq_puts(m, ", kernel ");
		xp2m_x86_show_entry(m, r->kernel);
		if (r->m2p != XP2M_INVALID_ENTRY)
			seq_printf(m, ", m2p 0x%lx", r->m2p);
		seq_putc(m, '\n');
	}
}

static int xp2m_x86_verify_show(struct seq_file *m, void *v)
{
	struct xp2m_x86 *x = m->private;
	int err;

	err = mutex_lock_interruptible(&x->lock);
	if (err)
		return err;
	if (x->report)
		xp2m_x86_show_report(m, x->report, x->unimported);
	else
		seq_puts(m, "status not run (write 1 to run)\n");
	mutex_unlock(&x->lock);
	return 0;
}

static int xp2m_x86_verify_open(struct inode *inode, struct file *file)
{
	return single_open(file, xp2m_x86_verify_show, inode->i_private);
}

/*
 * Run a verification of @x and keep its report. On any failure the last
 * report stays as it was.
 */
static int xp2m_x86_run_verify(struct xp2m_x86 *x)
{
	struct xp2m_x86_report *rep, *old;
	int err;

	rep = xp2m_x86_report_alloc(READ_ONCE(max_listed));
	if (!rep)
		return -ENOMEM;
	err = xp2m_x86_verify(x, rep);
	if (err) {
		kvfree(rep);
		return err;
	}
	mutex_lock(&x->lock);
	old = x->report;
	x->report = rep;
	mutex_unlock(&x->lock);
	kvfree(old);
	return 0;
}

static ssize_t xp2m_x86_verify_write(struct file *file,
				     const char __user *ubuf, size_t count,
				     loff_t *ppos)
{
	struct xp2m_x86 *x = file_inode(file)->i_private;
	unsigned long val;
	int err;

	err = xp2m_debugfs_parse_ulong(ubuf, count, &val);
	if (err)
		return err;
	if (val != 1)
		return -EINVAL;
	err = xp2m_x86_run_verify(x);
	if (err == -ENOMEM || err == -EINTR)
		return err;
	/* The kernel's p2m could not be read (the reason is in the log). */
	return err ? -EIO : count;
}

static const struct file_operations xp2m_x86_verify_fops = {
	.owner = THIS_MODULE,
	.open = xp2m_x86_verify_open,
	.read = seq_read,
	.write = xp2m_x86_verify_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/* memory_map */

static const char *xp2m_x86_e820_name(u32 type)
{
	switch (type) {
	case E820_TYPE_RAM:
		return "usable";
	case E820_TYPE_RESERVED:
		return "reserved";
	case E820_TYPE_ACPI:
		return "ACPI data";
	case E820_TYPE_NVS:
		return "ACPI NVS";
	case E820_TYPE_UNUSABLE:
		return "unusable";
	case E820_TYPE_PMEM:
	case E820_TYPE_PRAM:
		return "persistent";
	default:
		return "other";
	}
}

static int xp2m_x86_map_show(struct seq_file *m, void *v)
{
	static const char * const sources[] = {
		[XP2M_X86_MAP_MACHINE] = "XENMEM_machine_memory_map",
		[XP2M_X86_MAP_PSEUDO] = "XENMEM_memory_map",
		[XP2M_X86_MAP_NONE] = "none: the domain's pages and 8 MiB",
		[XP2M_X86_MAP_GIVEN] = "given",
	};
	const struct xp2m_x86_map *map = &((struct xp2m_x86 *)m->private)->map;
	unsigned int i;

	seq_printf(m, "source %s\n", sources[map->source]);
	seq_printf(m, "nr_pages 0x%lx\n", map->nr_pages);
	seq_printf(m, "max_pfn 0x%lx\n", map->max_pfn);
	seq_puts(m, "hypervisor:\n");
	for (i = 0; i < map->nr_hv; i++)
		seq_printf(m, " [mem 0x%016llx-0x%016llx] %u %s\n",
			   map->hv[i].addr,
			   map->hv[i].addr + map->hv[i].size - 1,
			   map->hv[i].type,
			   xp2m_x86_e820_name(map->hv[i].type));
	seq_puts(m, "ram:\n");
	for (i = 0; i < map->nr_ram; i++)
		seq_printf(m, " [0x%lx->0x%lx]\n", map->ram[i].start,
			   map->ram[i].end);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xp2m_x86_map);

static bool xp2m_x86_dbg_ram(void *priv, unsigned long pfn, unsigned long *end)
{
	return xp2m_x86_ram(priv, pfn, end);
}

static const struct xp2m_debugfs_ops xp2m_x86_dbg_ops = {
	.ram = xp2m_x86_dbg_ram,
};

static void xp2m_x86_log_report(struct xp2m_x86 *x)
{
	const struct xp2m_x86_report *rep = x->report;
	u64 ms = div_u64(rep->ns, NSEC_PER_MSEC);

	if (!rep->mismatched)
		pr_info("xp2m_x86: %s: verified %lu pfns in %llu ms: clean\n",
			x->p2m->name, rep->pfns, ms);
	else
		pr_warn("xp2m_x86: %s: verified %lu pfns in %llu ms: %lu disagree with the kernel, M2P or memory map (see xp2m/%s/verify in debugfs)\n",
			x->p2m->name, rep->pfns, ms, rep->mismatched,
			x->p2m->name);
}

static int __init xp2m_x86_init(void)
{
	const char *why = xp2m_x86_not_pv();
	struct dentry *dir;
	int err;

	if (why) {
		pr_info("xp2m_x86: %s, so there is no PV p2m to import\n", why);
		return -ENODEV;
	}
	err = xp2m_x86_backend_init();
	if (err)
		return err;
	live = xp2m_x86_import("live");
	if (IS_ERR(live)) {
		err = PTR_ERR(live);
		pr_err("xp2m_x86: importing the kernel's p2m failed: %d\n", err);
		return err;
	}
	pr_info("xp2m_x86: live: %lu pfns, %lu pages from start_info, imported in %llu ms\n",
		live->p2m->max_pfn, live->p2m->nr_pages,
		div_u64(live->import_ns, NSEC_PER_MSEC));
	if (linear) {
		u64 t = ktime_get_ns();

		err = xp2m_linear_build(live->p2m);
		if (err) {
			pr_err("xp2m_x86: building the live linear p2m failed: %d\n",
			       err);
			goto out;
		}
		pr_info("xp2m_x86: live: linear p2m at 0x%lx published in %llu ms\n",
			xp2m_shared_info(live->p2m)->p2m_vaddr,
			div_u64(ktime_get_ns() - t, NSEC_PER_MSEC));
	}
	if (verify_on_load) {
		err = xp2m_x86_run_verify(live);
		if (err) {
			pr_err("xp2m_x86: verifying the live p2m failed: %d\n",
			       err);
			goto out;
		}
		xp2m_x86_log_report(live);
	}
	live->dbg = xp2m_debugfs_register(live->p2m, &xp2m_x86_dbg_ops,
					  &live->map);
	if (IS_ERR(live->dbg)) {
		err = PTR_ERR(live->dbg);
		live->dbg = NULL;
		goto out;
	}
	dir = xp2m_debugfs_dir(live->dbg);
	debugfs_create_file("verify", 0600, dir, live, &xp2m_x86_verify_fops);
	debugfs_create_file("memory_map", 0400, dir, live, &xp2m_x86_map_fops);
	xp2m_m2p_debugfs(&live->m2p, dir);
	return 0;
out:
	xp2m_x86_free(live);
	return err;
}

static void __exit xp2m_x86_exit(void)
{
	xp2m_x86_free(live);
}

module_init(xp2m_x86_init);
module_exit(xp2m_x86_exit);

MODULE_DESCRIPTION("xp2m: Xen PV backend, live import and verification of the kernel's p2m");
MODULE_LICENSE("GPL");
MODULE_VERSION(XP2M_VERSION);
