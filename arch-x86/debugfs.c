// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m_x86: the live instance's own debugfs files, beside the core's views
 * (p2m/debugfs.c), in /sys/kernel/debug/xp2m/live/ (root only):
 *
 *   verify      write 1 to check again (xp2m_x86_check()); read the last
 *               report
 *   memory_map  the hypervisor's memory map and the RAM the kernel keeps
 *   publish     write 1 to publish in the real shared_info (after a clean
 *               check), 0 to withdraw; read the state and the five fields
 *               as published, as the instance has them, and the kernel's
 *   fault       a fault in the published view, for tests (see fault.c):
 *               "leaf N", "vaddr" or "off"
 *   backend     the machine behind every instance of the module: the pages
 *               the core holds from it, and the hypercalls the module
 *               issued, by hypercall (backend.c)
 *
 * See Documentation/x86-live.rst.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <asm/e820/types.h>

#include <xp2m/debugfs.h>

#include "internal.h"

/* verify */

static void xp2m_x86_show_entry(struct seq_file *m, unsigned long e)
{
	seq_printf(m, "0x%lx (%s)", e, xp2m_type_name(xp2m_entry_type(e)));
}

static void xp2m_x86_show_report(struct seq_file *m,
				 const struct xp2m_x86_report *rep,
				 const char *why)
{
	const unsigned long *counts[] = { rep->ours, rep->kernel };
	unsigned int i, j;

	seq_printf(m, "status %s\n", why ? "MISMATCH" : "clean");
	seq_printf(m, "why %s\n", why ?: "-");
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
		xp2m_x86_show_report(m, x->report, x->check_why);
	else
		seq_puts(m, "status not run (write 1 to run)\n");
	mutex_unlock(&x->lock);
	return 0;
}

static int xp2m_x86_verify_open(struct inode *inode, struct file *file)
{
	return single_open(file, xp2m_x86_verify_show, inode->i_private);
}

static ssize_t xp2m_x86_verify_write(struct file *file,
				     const char __user *ubuf, size_t count,
				     loff_t *ppos)
{
	struct xp2m_x86 *x = file_inode(file)->i_private;
	unsigned long val;
	const char *why;
	int err;

	err = xp2m_debugfs_parse_ulong(ubuf, count, &val);
	if (err)
		return err;
	if (val != 1)
		return -EINVAL;
	err = xp2m_x86_check(x, READ_ONCE(xp2m_x86_max_listed), &why);
	if (err == -ENOMEM)
		return err;
	/* A disagreement is the report's to show; a failure to read is not. */
	return err && err != -EIO ? -EIO : count;
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
	struct xp2m_x86 *x = m->private;
	const struct xp2m_x86_map *map = &x->map;
	unsigned int i;
	int err;

	/* As it is now: read again if memory came or went since. */
	mutex_lock(&x->check_lock);
	err = xp2m_x86_map_refresh(x);
	if (err) {
		mutex_unlock(&x->check_lock);
		return err;
	}
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
	mutex_unlock(&x->check_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xp2m_x86_map);

/* publish */

static const char * const xp2m_x86_pub_fields[] = {
	"max_pfn", "pfn_to_mfn_frame_list_list", "p2m_cr3", "p2m_vaddr",
	"p2m_generation",
};

static void xp2m_x86_pub_values(const struct xp2m_shared_info *si,
				unsigned long *v)
{
	v[0] = si->max_pfn;
	v[1] = si->pfn_to_mfn_frame_list_list;
	v[2] = si->p2m_cr3;
	v[3] = si->p2m_vaddr;
	v[4] = si->p2m_generation;
}

static int xp2m_x86_publish_show(struct seq_file *m, void *v)
{
	struct xp2m_x86 *x = m->private, *pub;
	unsigned long real[5], ours[5], kernel[5];
	struct xp2m_x86_pub_state st;
	unsigned int i;
	long missed;

	pub = xp2m_x86_pub_state(&st);
	if (pub == x)
		seq_puts(m, "state published\n");
	else
		seq_printf(m, "state not published (%s)\n",
			   pub ? "another instance is" :
			   st.why ?: "never published");
	seq_printf(m, "follow %s\n", x->followed ? "on" : "off");
	missed = xp2m_x86_follow_missed();
	if (missed < 0)
		seq_puts(m, "missed -\n");
	else
		seq_printf(m, "missed %ld\n", missed);
	seq_printf(m, "open %u\n", st.open);
	seq_printf(m, "publishes %lu\n", st.publishes);
	seq_printf(m, "withdrawals %lu\n", st.withdrawals);
	xp2m_x86_pub_values(&st.real, real);
	xp2m_x86_pub_values(xp2m_shared_info(x->p2m), ours);
	xp2m_x86_pub_values(&st.kernel, kernel);
	seq_printf(m, "%-28s %-20s %-20s %s\n", "field", "shared_info", "xp2m",
		   "kernel");
	for (i = 0; i < ARRAY_SIZE(xp2m_x86_pub_fields); i++) {
		/* The generation is a count, one for the kernel and us. */
		if (i == 4) {
			seq_printf(m, "%-28s %-20lu %-20lu -\n",
				   xp2m_x86_pub_fields[i], real[i], ours[i]);
			continue;
		}
		seq_printf(m, "%-28s 0x%-18lx 0x%-18lx 0x%lx\n",
			   xp2m_x86_pub_fields[i], real[i], ours[i], kernel[i]);
	}
	return 0;
}

static int xp2m_x86_publish_open(struct inode *inode, struct file *file)
{
	return single_open(file, xp2m_x86_publish_show, inode->i_private);
}

/* Publish @x, if a check finds it clean; the reason in the log if not. */
static int xp2m_x86_publish_checked(struct xp2m_x86 *x)
{
	const char *why;
	int err;

	if (!x->p2m->linear)
		return -EINVAL;
	if (!x->followed)
		return -EOPNOTSUPP;
	xp2m_x86_follow_flush();
	err = xp2m_x86_check(x, READ_ONCE(xp2m_x86_max_listed), &why);
	if (err) {
		pr_warn("%s: not published: %s (%d)\n", x->p2m->name,
			why ?: "the check failed", err);
		return err == -ENOMEM ? err : -EIO;
	}
	err = xp2m_x86_publish(x);
	if (!err)
		pr_info("%s: published in the shared_info, linear p2m at 0x%lx\n",
			x->p2m->name, x->p2m->si.p2m_vaddr);
	return err;
}

static ssize_t xp2m_x86_publish_write(struct file *file,
				      const char __user *ubuf, size_t count,
				      loff_t *ppos)
{
	struct xp2m_x86 *x = file_inode(file)->i_private;
	unsigned long val;
	int err;

	err = xp2m_debugfs_parse_ulong(ubuf, count, &val);
	if (err)
		return err;
	if (val > 1)
		return -EINVAL;
	if (val)
		err = xp2m_x86_published() == x ? 0 :
		      xp2m_x86_publish_checked(x);
	else
		err = xp2m_x86_withdraw(x);
	return err ?: count;
}

static const struct file_operations xp2m_x86_publish_fops = {
	.owner = THIS_MODULE,
	.open = xp2m_x86_publish_open,
	.read = seq_read,
	.write = xp2m_x86_publish_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/* fault */

static int xp2m_x86_fault_view(struct seq_file *m, void *v)
{
	unsigned long leaf;

	switch (xp2m_x86_fault_show(&leaf)) {
	case XP2M_X86_FAULT_LEAF:
		seq_printf(m, "leaf %lu\n", leaf);
		break;
	case XP2M_X86_FAULT_VADDR:
		seq_puts(m, "vaddr\n");
		break;
	default:
		seq_puts(m, "off\n");
		break;
	}
	return 0;
}

static int xp2m_x86_fault_open(struct inode *inode, struct file *file)
{
	return single_open(file, xp2m_x86_fault_view, inode->i_private);
}

static ssize_t xp2m_x86_fault_write(struct file *file, const char __user *ubuf,
				    size_t count, loff_t *ppos)
{
	struct xp2m_x86 *x = file_inode(file)->i_private;
	unsigned long leaf = 0;
	char buf[32], *s;
	int err;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	s = strim(buf);
	if (!strcmp(s, "off"))
		err = xp2m_x86_fault(x, XP2M_X86_FAULT_NONE, 0);
	else if (!strcmp(s, "vaddr"))
		err = xp2m_x86_fault(x, XP2M_X86_FAULT_VADDR, 0);
	else if (!strncmp(s, "leaf ", 5) && !kstrtoul(s + 5, 0, &leaf))
		err = xp2m_x86_fault(x, XP2M_X86_FAULT_LEAF, leaf);
	else
		err = -EINVAL;
	return err ?: count;
}

static const struct file_operations xp2m_x86_fault_fops = {
	.owner = THIS_MODULE,
	.open = xp2m_x86_fault_open,
	.read = seq_read,
	.write = xp2m_x86_fault_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/* backend */

static int xp2m_x86_backend_show(struct seq_file *m, void *v)
{
	unsigned int i;

	seq_printf(m, "pages %ld\n", xp2m_x86_backend_pages());
	for (i = 0; i < XP2M_X86_NR_HCALLS; i++)
		seq_printf(m, "hypercalls %s %lu\n", xp2m_x86_hcall_name(i),
			   xp2m_x86_hypercalls(i));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xp2m_x86_backend);

/*
 * The core's views ask the map a run at a time, each answer under
 * x->check_lock, from the map as it is now: read again if memory came or
 * went since (xp2m_x86_map_refresh(); if that fails, the map as it was).
 */
static bool xp2m_x86_dbg_ram(void *priv, unsigned long pfn, unsigned long *end)
{
	struct xp2m_x86 *x = priv;
	bool ram;

	mutex_lock(&x->check_lock);
	xp2m_x86_map_refresh(x);
	ram = xp2m_x86_ram(&x->map, pfn, end);
	mutex_unlock(&x->check_lock);
	return ram;
}

static const struct xp2m_debugfs_ops xp2m_x86_dbg_ops = {
	.ram = xp2m_x86_dbg_ram,
};

/**
 * xp2m_x86_debugfs() - show an imported instance in debugfs
 * @x: the instance
 *
 * The core's views and the instance's own (see the top of debugfs.c).
 *
 * Return: 0, or the core's registration error.
 */
int xp2m_x86_debugfs(struct xp2m_x86 *x)
{
	struct dentry *dir;

	x->dbg = xp2m_debugfs_register(x->p2m, &xp2m_x86_dbg_ops, x);
	if (IS_ERR(x->dbg)) {
		int err = PTR_ERR(x->dbg);

		x->dbg = NULL;
		return err;
	}
	dir = xp2m_debugfs_dir(x->dbg);
	debugfs_create_file("verify", 0600, dir, x, &xp2m_x86_verify_fops);
	debugfs_create_file("memory_map", 0400, dir, x, &xp2m_x86_map_fops);
	debugfs_create_file("publish", 0600, dir, x, &xp2m_x86_publish_fops);
	debugfs_create_file("fault", 0600, dir, x, &xp2m_x86_fault_fops);
	debugfs_create_file("backend", 0400, dir, x, &xp2m_x86_backend_fops);
	xp2m_m2p_debugfs(&x->m2p, dir);
	return 0;
}
