// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m core module: the debugfs root every instance hangs off, with the
 * suite's version in it (xp2m/version, as modinfo gives it) and the core's
 * own counts (xp2m/stats), names.
 */

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/seq_file.h>

#include <xp2m/debugfs.h>

#include "internal.h"

static struct dentry *xp2m_root;

static char xp2m_version[] = XP2M_VERSION "\n";
static struct debugfs_blob_wrapper xp2m_version_blob = {
	.data = xp2m_version,
	.size = sizeof(xp2m_version) - 1,
};

/**
 * xp2m_debugfs_root() - the suite's debugfs directory
 *
 * Return: the dentry of /sys/kernel/debug/xp2m, or an ERR_PTR when debugfs is
 * not available. debugfs calls accept either.
 */
struct dentry *xp2m_debugfs_root(void)
{
	return xp2m_root;
}
EXPORT_SYMBOL_GPL(xp2m_debugfs_root);

/**
 * xp2m_type_name() - the name of an entry class
 * @type: the class
 *
 * Return: "pfn", "identity", "missing" or "foreign", as the kernel's own
 * p2m dump spells the first three.
 */
const char *xp2m_type_name(enum xp2m_type type)
{
	static const char * const names[XP2M_NR_TYPES] = {
		[XP2M_TYPE_PFN] = "pfn",
		[XP2M_TYPE_IDENTITY] = "identity",
		[XP2M_TYPE_MISSING] = "missing",
		[XP2M_TYPE_FOREIGN] = "foreign",
	};

	return type < XP2M_NR_TYPES ? names[type] : "abnormal";
}
EXPORT_SYMBOL_GPL(xp2m_type_name);

/*
 * xp2m/stats: the core's counts over every instance and none. The pages of
 * boot lists, all machines together (xp2m_list_pages()): those an instance
 * was built from are in its own stats' "pages list" too, so what exceeds
 * the sum of those is held by lists no instance took yet.
 */
static int xp2m_root_stats_show(struct seq_file *m, void *v)
{
	seq_printf(m, "pages list %ld\n", xp2m_list_pages());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xp2m_root_stats);

static int __init xp2m_init(void)
{
	xp2m_root = debugfs_create_dir("xp2m", NULL);
	debugfs_create_blob("version", 0444, xp2m_root, &xp2m_version_blob);
	debugfs_create_file("stats", 0400, xp2m_root, NULL,
			    &xp2m_root_stats_fops);
	xp2m_kpte_init();
	return 0;
}

static void __exit xp2m_exit(void)
{
	xp2m_kpte_exit();
	debugfs_remove(xp2m_root);
}

module_init(xp2m_init);
module_exit(xp2m_exit);

MODULE_DESCRIPTION("xp2m: Xen PV p2m core");
MODULE_LICENSE("GPL");
MODULE_VERSION(XP2M_VERSION);
