/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xp2m: the debugfs views every p2m instance can show, under
 * /sys/kernel/debug/xp2m/<instance>/. See p2m/debugfs.c and
 * Documentation/x86-live.rst.
 */
#ifndef _XP2M_DEBUGFS_H
#define _XP2M_DEBUGFS_H

#include <linux/types.h>

#include <xp2m/e820.h>

struct dentry;
struct xp2m;
struct xp2m_debugfs;

/**
 * struct xp2m_debugfs_ops - what the owner of an instance adds to its views
 * @ram: is @pfn RAM of the domain's memory map? Sets *@end to the end
 *	(exclusive) of the run of pfns from @pfn with the same answer, at most
 *	the instance's max_pfn. Missing RAM is shown as the balloon's.
 *	Called in process context without locks held; may sleep.
 */
struct xp2m_debugfs_ops {
	xp2m_ram_fn ram;
};

struct dentry *xp2m_debugfs_root(void);
struct xp2m_debugfs *xp2m_debugfs_register(struct xp2m *p2m,
					   const struct xp2m_debugfs_ops *ops,
					   void *priv);
void xp2m_debugfs_unregister(struct xp2m_debugfs *dbg);
struct dentry *xp2m_debugfs_dir(struct xp2m_debugfs *dbg);
int xp2m_debugfs_parse_ulong(const char __user *ubuf, size_t count,
			     unsigned long *val);

#endif /* _XP2M_DEBUGFS_H */
