// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m core: the debugfs views of an instance, in
 * /sys/kernel/debug/xp2m/<instance>/ (root only):
 *
 *   ranges      one line per run of pfns of one type, in the format and with
 *               the types of the kernel's own /sys/kernel/debug/xen/mmu/p2m:
 *               the type of the word stored for the pfn, as the toolstack
 *               reads it (so a pfn on the shared identity leaf is "missing",
 *               and a foreign frame is "pfn")
 *   layout      the same pfns by what they are: pfn, foreign, identity,
 *               missing, or balloon (missing RAM, when the owner tells RAM),
 *               and by the leaf page that holds them: grafted (a page of the
 *               boot list), private, borrowed (a page of the machine's own
 *               p2m: the running kernel's leaf), or shared
 *   frames      one line per run of pfns whose entries, as lookups give
 *               them, are of one class and follow one another: the frames
 *               behind the pfns, in runs (see xp2m_frames_run())
 *   stats       entries by class, leaf slots and pages by kind (a borrowed
 *               page is the machine's, not the p2m's), bytes
 *   lookup      write a pfn; read back its entry, class, mfn and the M2P's
 *               answer
 *   frame_list  the machine view, read back through machine frames only, as
 *               Xen's toolstack reads it, and compared with the tree
 *   changes     the last changes its owners noted: pfn range, what it was,
 *               what it is, why (balloon, grant, resume, new leaf)
 *   shared_info the published fields (arch_shared_info layout), the
 *               linear view's slots and how many of them are writable (none
 *               should be), and the linear list read back from p2m_cr3 by
 *               machine frame, as the toolstack reads it, and compared with
 *               the tree
 *
 * Every view walks the tree by leaf: a shared mid or leaf page stands for a
 * GiB or 2 MiB of identical pfns and is taken in one step, so a mostly empty
 * 512 GiB instance reads in a few thousand steps. Views take no lock: they
 * read the tree as lock-free lookups do (see struct xp2m), and a view read
 * while the instance changes shows each pfn either before or after.
 */

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <xp2m/debugfs.h>
#include <xp2m/reader.h>

#include "internal.h"

/**
 * struct xp2m_debugfs - the debugfs directory of one instance
 * @p2m: the instance
 * @ops: what its owner adds; may be NULL
 * @priv: passed to @ops
 * @dir: /sys/kernel/debug/xp2m/<name>
 * @lookup_pfn: the last pfn written to "lookup". One word, written with
 *	WRITE_ONCE() and read with READ_ONCE(); no lock.
 */
struct xp2m_debugfs {
	struct xp2m *p2m;
	const struct xp2m_debugfs_ops *ops;
	void *priv;
	struct dentry *dir;
	unsigned long lookup_pfn;
};

/* Types of the kernel's p2m dump, by raw word. */
enum xp2m_raw_type { XP2M_RAW_IDENTITY, XP2M_RAW_MISSING, XP2M_RAW_PFN };

static const char * const xp2m_raw_names[] = {
	[XP2M_RAW_IDENTITY] = "identity",
	[XP2M_RAW_MISSING] = "missing",
	[XP2M_RAW_PFN] = "pfn",
};

static enum xp2m_raw_type xp2m_raw_type(unsigned long raw)
{
	if (raw == XP2M_INVALID_ENTRY)
		return XP2M_RAW_MISSING;
	if (raw & XP2M_IDENTITY_BIT)
		return XP2M_RAW_IDENTITY;
	return XP2M_RAW_PFN;
}

/* Classes of the layout view: the entry classes, and missing RAM. */
#define XP2M_DBG_BALLOON	XP2M_NR_TYPES
#define XP2M_DBG_NR_CLASSES	(XP2M_NR_TYPES + 1)

static const char *xp2m_dbg_class_name(unsigned int class)
{
	return class == XP2M_DBG_BALLOON ? "balloon" : xp2m_type_name(class);
}

/* Leaf kinds of the layout view: the two shared leaves are one kind. */
enum xp2m_dbg_leaf {
	XP2M_DBG_GRAFTED,
	XP2M_DBG_PRIVATE,
	XP2M_DBG_BORROWED,
	XP2M_DBG_SHARED,
};

static const char * const xp2m_dbg_leaf_names[] = {
	[XP2M_DBG_GRAFTED] = "grafted",
	[XP2M_DBG_PRIVATE] = "private",
	[XP2M_DBG_BORROWED] = "borrowed",
	[XP2M_DBG_SHARED] = "shared",
};

/*
 * A segment: pfns [pfn, end) behind one page of the tree. @leaf is NULL for
 * a shared mid or leaf, whose every pfn is @shared_type; otherwise it is the
 * private or grafted leaf holding the entries.
 */
struct xp2m_seg {
	unsigned long end;
	const unsigned long *leaf;
	enum xp2m_type shared_type;
	enum xp2m_dbg_leaf kind;
};

static void xp2m_seg(const struct xp2m *p2m, unsigned long pfn,
		     struct xp2m_seg *s)
{
	unsigned long **mid = READ_ONCE(p2m->top[pfn / XP2M_MID_SPAN]);
	unsigned long *leaf;

	s->kind = XP2M_DBG_SHARED;
	s->leaf = NULL;
	if (xp2m_mid_is_shared(p2m, mid)) {
		s->end = min(p2m->max_pfn, (pfn | (XP2M_MID_SPAN - 1)) + 1);
		s->shared_type = mid == p2m->identity_mid ? XP2M_TYPE_IDENTITY :
							    XP2M_TYPE_MISSING;
		return;
	}
	s->end = min(p2m->max_pfn, (pfn | (XP2M_PER_PAGE - 1)) + 1);
	leaf = READ_ONCE(mid[(pfn / XP2M_PER_PAGE) % XP2M_PER_PAGE]);
	if (xp2m_leaf_is_shared(p2m, leaf)) {
		s->shared_type = leaf == p2m->identity_leaf ?
				 XP2M_TYPE_IDENTITY : XP2M_TYPE_MISSING;
		return;
	}
	s->leaf = leaf;
	switch (xp2m_leaf_kind(p2m, pfn)) {
	case XP2M_LEAF_GRAFTED:
		s->kind = XP2M_DBG_GRAFTED;
		break;
	case XP2M_LEAF_BORROWED:
		s->kind = XP2M_DBG_BORROWED;
		break;
	default:
		s->kind = XP2M_DBG_PRIVATE;
		break;
	}
}

/*
 * The end of the run of pfns from @pfn whose raw words have the same type as
 * the kernel's dump sees it; @type is set to that type.
 */
static unsigned long xp2m_raw_run(const struct xp2m *p2m, unsigned long pfn,
				  enum xp2m_raw_type *type)
{
	enum xp2m_raw_type t;
	bool first = true;
	struct xp2m_seg s;

	while (pfn < p2m->max_pfn) {
		xp2m_seg(p2m, pfn, &s);
		if (!s.leaf) {
			/* Shared pages hold INVALID only. */
			t = XP2M_RAW_MISSING;
			if (!first && t != *type)
				return pfn;
			*type = t;
			first = false;
			pfn = s.end;
			continue;
		}
		for (; pfn < s.end; pfn++) {
			t = xp2m_raw_type(READ_ONCE(s.leaf[pfn % XP2M_PER_PAGE]));
			if (!first && t != *type)
				return pfn;
			*type = t;
			first = false;
		}
	}
	return pfn;
}

/*
 * The end of the run of pfns from @pfn whose entries, as xp2m_lookup() gives
 * them, have one class and follow one another: each the entry before it
 * plus one (frames, foreign frames and identity: the next pfn on the next
 * frame), or missing. @first is set to the entry of @pfn. A line of the
 * "frames" view is such a run:
 *
 *   " [0x<first>->0x<end>] pfn 0x<mfn>"       the mfn of the first pfn
 *   " [0x<first>->0x<end>] foreign 0x<mfn>"   likewise
 *   " [0x<first>->0x<end>] identity"          each pfn is its own frame
 *   " [0x<first>->0x<end>] missing"
 */
static unsigned long xp2m_frames_run(const struct xp2m *p2m, unsigned long pfn,
				     unsigned long *first)
{
	unsigned long e, last = 0;
	bool started = false;
	struct xp2m_seg s;

	while (pfn < p2m->max_pfn) {
		xp2m_seg(p2m, pfn, &s);
		for (; pfn < s.end; pfn++) {
			if (s.leaf)
				e = READ_ONCE(s.leaf[pfn % XP2M_PER_PAGE]);
			else if (s.shared_type == XP2M_TYPE_IDENTITY)
				e = XP2M_IDENTITY_FRAME(pfn);
			else
				e = XP2M_INVALID_ENTRY;
			if (!started)
				*first = e;
			else if (xp2m_entry_type(e) != xp2m_entry_type(last) ||
				 (e != XP2M_INVALID_ENTRY && e != last + 1))
				return pfn;
			started = true;
			last = e;
			/* A shared page is one class throughout, in order. */
			if (!s.leaf) {
				if (e != XP2M_INVALID_ENTRY)
					last = XP2M_IDENTITY_FRAME(s.end - 1);
				pfn = s.end - 1;
			}
		}
	}
	return pfn;
}

/* Is @pfn RAM, as the owner says? @c keeps the run found last. */
static bool xp2m_dbg_is_ram(struct xp2m_debugfs *d, struct xp2m_ram_cursor *c,
			    unsigned long pfn)
{
	if (!d->ops || !d->ops->ram)
		return false;
	c->ram = d->ops->ram;
	c->map = d->priv;
	return xp2m_ram_at(c, pfn);
}

/* The layout class of entry @entry of @pfn (resolved, as lookups give it). */
static unsigned int xp2m_dbg_class(struct xp2m_debugfs *d,
				   struct xp2m_ram_cursor *c, unsigned long pfn,
				   enum xp2m_type type)
{
	if (type == XP2M_TYPE_MISSING && xp2m_dbg_is_ram(d, c, pfn))
		return XP2M_DBG_BALLOON;
	return type;
}

/* Where [pfn, end), all missing, stops having @pfn's RAM-ness. */
static unsigned long xp2m_dbg_ram_clip(struct xp2m_debugfs *d,
				       struct xp2m_ram_cursor *c,
				       unsigned long pfn, unsigned long end)
{
	if (!d->ops || !d->ops->ram)
		return end;
	xp2m_dbg_is_ram(d, c, pfn);
	return min(end, c->end);
}

/*
 * The end of the run of pfns from @pfn with the same layout class and leaf
 * kind, which are returned.
 */
static unsigned long xp2m_layout_run(struct xp2m_debugfs *d,
				     struct xp2m_ram_cursor *c, unsigned long pfn,
				     unsigned int *class,
				     enum xp2m_dbg_leaf *kind)
{
	const struct xp2m *p2m = d->p2m;
	bool first = true;
	struct xp2m_seg s;
	unsigned long end;
	unsigned int k;

	while (pfn < p2m->max_pfn) {
		xp2m_seg(p2m, pfn, &s);
		if (!first && s.kind != *kind)
			return pfn;
		*kind = s.kind;
		if (!s.leaf) {
			k = xp2m_dbg_class(d, c, pfn, s.shared_type);
			if (!first && k != *class)
				return pfn;
			*class = k;
			first = false;
			end = s.end;
			if (s.shared_type == XP2M_TYPE_MISSING)
				end = xp2m_dbg_ram_clip(d, c, pfn, end);
			pfn = end;
			continue;
		}
		for (; pfn < s.end; pfn++) {
			unsigned long e = READ_ONCE(s.leaf[pfn % XP2M_PER_PAGE]);

			k = xp2m_dbg_class(d, c, pfn, xp2m_entry_type(e));
			if (!first && k != *class)
				return pfn;
			*class = k;
			first = false;
		}
	}
	return pfn;
}

/*
 * ranges and layout are seq_files whose position is the pfn the next line
 * starts at, so a line is computed when it is printed and the walk resumes
 * where a read stopped.
 */
struct xp2m_run_iter {
	struct xp2m_debugfs *d;
	struct xp2m_ram_cursor ram;
	unsigned long start;
	unsigned long end;
	unsigned int class;
	enum xp2m_dbg_leaf kind;
	bool layout;
	bool frames;
	unsigned long first;
};

static void *xp2m_run_at(struct xp2m_run_iter *it, loff_t pos)
{
	const struct xp2m *p2m = it->d->p2m;
	enum xp2m_raw_type type;

	if (pos < 0 || pos >= p2m->max_pfn)
		return NULL;
	it->start = pos;
	if (it->frames) {
		it->end = xp2m_frames_run(p2m, it->start, &it->first);
		it->class = xp2m_entry_type(it->first);
	} else if (it->layout) {
		it->end = xp2m_layout_run(it->d, &it->ram, it->start,
					  &it->class, &it->kind);
	} else {
		it->end = xp2m_raw_run(p2m, it->start, &type);
		it->class = type;
	}
	return it;
}

static void *xp2m_run_start(struct seq_file *m, loff_t *pos)
{
	return xp2m_run_at(m->private, *pos);
}

static void *xp2m_run_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct xp2m_run_iter *it = v;

	*pos = it->end;
	return xp2m_run_at(it, *pos);
}

static void xp2m_run_stop(struct seq_file *m, void *v)
{
}

static int xp2m_run_show(struct seq_file *m, void *v)
{
	struct xp2m_run_iter *it = v;

	if (it->frames) {
		seq_printf(m, " [0x%lx->0x%lx] %s", it->start, it->end,
			   xp2m_type_name(it->class));
		if (it->class == XP2M_TYPE_PFN || it->class == XP2M_TYPE_FOREIGN)
			seq_printf(m, " 0x%lx", xp2m_entry_mfn(it->first));
		seq_putc(m, '\n');
		return 0;
	}
	/* The kernel's format: " [0x<first>->0x<end>] <type>", end exclusive. */
	if (!it->layout) {
		seq_printf(m, " [0x%lx->0x%lx] %s\n", it->start, it->end,
			   xp2m_raw_names[it->class]);
		return 0;
	}
	seq_printf(m, " [0x%lx->0x%lx] %s %s\n", it->start, it->end,
		   xp2m_dbg_class_name(it->class), xp2m_dbg_leaf_names[it->kind]);
	return 0;
}

static const struct seq_operations xp2m_run_sops = {
	.start = xp2m_run_start,
	.next = xp2m_run_next,
	.stop = xp2m_run_stop,
	.show = xp2m_run_show,
};

static int xp2m_run_open(struct inode *inode, struct file *file, bool layout)
{
	struct xp2m_run_iter *it;

	it = __seq_open_private(file, &xp2m_run_sops, sizeof(*it));
	if (!it)
		return -ENOMEM;
	it->d = inode->i_private;
	it->layout = layout;
	return 0;
}

static int xp2m_frames_open(struct inode *inode, struct file *file)
{
	int err = xp2m_run_open(inode, file, false);
	struct seq_file *m = file->private_data;

	if (!err)
		((struct xp2m_run_iter *)m->private)->frames = true;
	return err;
}

static int xp2m_ranges_open(struct inode *inode, struct file *file)
{
	return xp2m_run_open(inode, file, false);
}

static int xp2m_layout_open(struct inode *inode, struct file *file)
{
	return xp2m_run_open(inode, file, true);
}

static const struct file_operations xp2m_ranges_fops = {
	.owner = THIS_MODULE,
	.open = xp2m_ranges_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release_private,
};

static const struct file_operations xp2m_layout_fops = {
	.owner = THIS_MODULE,
	.open = xp2m_layout_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release_private,
};

static const struct file_operations xp2m_frames_fops = {
	.owner = THIS_MODULE,
	.open = xp2m_frames_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release_private,
};

/* stats */

struct xp2m_dbg_stats {
	unsigned long entries[XP2M_DBG_NR_CLASSES];
	unsigned long slots[XP2M_NR_LEAF_KINDS];
};

static void xp2m_dbg_count(struct xp2m_debugfs *d, struct xp2m_dbg_stats *st)
{
	const struct xp2m *p2m = d->p2m;
	struct xp2m_ram_cursor c = { };
	unsigned long pfn = 0, end;
	struct xp2m_seg s;

	memset(st, 0, sizeof(*st));
	while (pfn < p2m->max_pfn) {
		xp2m_seg(p2m, pfn, &s);
		if (!s.leaf) {
			end = s.end;
			if (s.shared_type == XP2M_TYPE_MISSING)
				end = xp2m_dbg_ram_clip(d, &c, pfn, end);
			st->entries[xp2m_dbg_class(d, &c, pfn, s.shared_type)] +=
				end - pfn;
			pfn = end;
			continue;
		}
		for (; pfn < s.end; pfn++) {
			unsigned long e = READ_ONCE(s.leaf[pfn % XP2M_PER_PAGE]);

			st->entries[xp2m_dbg_class(d, &c, pfn,
						   xp2m_entry_type(e))]++;
		}
	}
	for (pfn = 0; pfn < p2m->max_pfn; pfn = end) {
		unsigned long **mid = READ_ONCE(p2m->top[pfn / XP2M_MID_SPAN]);

		if (pfn % XP2M_MID_SPAN == 0 && xp2m_mid_is_shared(p2m, mid)) {
			end = min(p2m->max_pfn, pfn + XP2M_MID_SPAN);
			st->slots[xp2m_leaf_kind(p2m, pfn)] +=
				DIV_ROUND_UP(end - pfn, XP2M_PER_PAGE);
			continue;
		}
		end = min(p2m->max_pfn, pfn + XP2M_PER_PAGE);
		st->slots[xp2m_leaf_kind(p2m, pfn)]++;
	}
}

static int xp2m_stats_show(struct seq_file *m, void *v)
{
	struct xp2m_debugfs *d = m->private;
	struct xp2m_dbg_stats st;
	struct xp2m_counts n;
	unsigned int i;

	xp2m_dbg_count(d, &st);
	xp2m_get_counts(d->p2m, &n);
	seq_printf(m, "max_pfn 0x%lx\n", d->p2m->max_pfn);
	seq_printf(m, "nr_pages 0x%lx\n", d->p2m->nr_pages);
	for (i = 0; i < XP2M_DBG_NR_CLASSES; i++)
		if (i != XP2M_DBG_BALLOON || (d->ops && d->ops->ram))
			seq_printf(m, "entries %s %lu\n", xp2m_dbg_class_name(i),
				   st.entries[i]);
	seq_printf(m, "slots grafted %lu\n", st.slots[XP2M_LEAF_GRAFTED]);
	seq_printf(m, "slots private %lu\n", st.slots[XP2M_LEAF_PRIVATE]);
	seq_printf(m, "slots borrowed %lu\n", st.slots[XP2M_LEAF_BORROWED]);
	seq_printf(m, "slots shared_missing %lu\n", st.slots[XP2M_LEAF_MISSING]);
	seq_printf(m, "slots shared_identity %lu\n",
		   st.slots[XP2M_LEAF_IDENTITY]);
	seq_printf(m, "pages list %lu\n", n.list_pages);
	seq_printf(m, "pages grafted %lu\n", n.grafted);
	seq_printf(m, "pages private %lu\n", n.private_leaves);
	seq_printf(m, "pages borrowed %lu\n", n.borrowed);
	seq_printf(m, "pages mid %lu\n", n.mids);
	seq_printf(m, "pages shared %lu\n", n.shared);
	seq_printf(m, "pages frame_list %lu\n", n.fl_pages);
	seq_printf(m, "pages linear_tables %lu\n", n.linear_tables);
	seq_printf(m, "bytes top %lu\n", n.top_bytes);
	/* What the p2m allocated: borrowed pages are the machine's. */
	seq_printf(m, "bytes total %lu\n",
		   (n.list_pages + n.private_leaves + n.mids + n.shared +
		    n.fl_pages + n.linear_tables) * PAGE_SIZE + n.top_bytes);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xp2m_stats);

/* lookup */

/**
 * xp2m_debugfs_parse_ulong() - parse a number written to a debugfs file
 * @ubuf: the user's buffer
 * @count: its length
 * @val: the number
 *
 * The whole write must be one number (decimal, 0x hex or 0 octal), with at
 * most one trailing newline, as kstrtoul() takes it; anything else, including
 * a write too long to be a number, is rejected, so that a truncated prefix of
 * a bad write is never taken for a good one.
 *
 * Return: 0, -EFAULT, or -EINVAL for everything that is not such a number.
 */
int xp2m_debugfs_parse_ulong(const char __user *ubuf, size_t count,
			     unsigned long *val)
{
	char buf[32];

	if (!count || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	return kstrtoul(buf, 0, val) ? -EINVAL : 0;
}
EXPORT_SYMBOL_GPL(xp2m_debugfs_parse_ulong);

static int xp2m_lookup_show(struct seq_file *m, void *v)
{
	struct xp2m_debugfs *d = m->private;
	const struct xp2m *p2m = d->p2m;
	struct xp2m_backend *be = p2m->be;
	unsigned long pfn = READ_ONCE(d->lookup_pfn);
	unsigned long entry = xp2m_lookup(p2m, pfn);
	enum xp2m_type type = xp2m_entry_type(entry);
	static const char * const leaf[] = {
		[XP2M_LEAF_MISSING] = "shared missing",
		[XP2M_LEAF_IDENTITY] = "shared identity",
		[XP2M_LEAF_GRAFTED] = "grafted",
		[XP2M_LEAF_PRIVATE] = "private",
		[XP2M_LEAF_BORROWED] = "borrowed",
	};

	seq_printf(m, "pfn 0x%lx\n", pfn);
	seq_printf(m, "raw 0x%lx\n", xp2m_lookup_raw(p2m, pfn));
	seq_printf(m, "entry 0x%lx\n", entry);
	seq_printf(m, "class %s\n", xp2m_type_name(type));
	if (type == XP2M_TYPE_MISSING)
		seq_puts(m, "mfn -\n");
	else
		seq_printf(m, "mfn 0x%lx\n", xp2m_entry_mfn(entry));
	if (type == XP2M_TYPE_PFN || type == XP2M_TYPE_FOREIGN)
		seq_printf(m, "m2p 0x%lx\n",
			   be->ops->m2p(be, xp2m_entry_mfn(entry)));
	else
		seq_puts(m, "m2p -\n");
	seq_printf(m, "leaf %s\n", leaf[xp2m_leaf_kind(p2m, pfn)]);
	if (d->ops && d->ops->ram) {
		unsigned long end;

		seq_printf(m, "memory %s\n",
			   d->ops->ram(d->priv, pfn, &end) ? "ram" : "hole");
	}
	return 0;
}

static int xp2m_lookup_open(struct inode *inode, struct file *file)
{
	return single_open(file, xp2m_lookup_show, inode->i_private);
}

static ssize_t xp2m_lookup_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	struct xp2m_debugfs *d = file_inode(file)->i_private;
	unsigned long pfn;
	int err;

	err = xp2m_debugfs_parse_ulong(ubuf, count, &pfn);
	if (err)
		return err;
	if (pfn >= d->p2m->max_pfn)
		return -EINVAL;
	WRITE_ONCE(d->lookup_pfn, pfn);
	return count;
}

static const struct file_operations xp2m_lookup_fops = {
	.owner = THIS_MODULE,
	.open = xp2m_lookup_open,
	.read = seq_read,
	.write = xp2m_lookup_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/* frame_list */

struct xp2m_fl_cmp {
	const struct xp2m *p2m;
	unsigned long differ;
	unsigned long first_differ;
	bool seen_missing;
	bool seen_identity;
};

/* Compare one leaf read through machine frames with the tree. */
static int xp2m_fl_cmp_leaf(void *ctx, unsigned long first_pfn,
			    unsigned long leaf_mfn, const unsigned long *entries,
			    unsigned int nr)
{
	struct xp2m_fl_cmp *c = ctx;
	const unsigned long *leaf = xp2m_leaf_of(c->p2m, first_pfn);
	unsigned int i;

	/* A shared leaf is the same page every time: compare it once. */
	if (leaf == c->p2m->missing_leaf) {
		if (c->seen_missing)
			return 0;
		c->seen_missing = true;
	} else if (leaf == c->p2m->identity_leaf) {
		if (c->seen_identity)
			return 0;
		c->seen_identity = true;
	}
	for (i = 0; i < nr; i++) {
		if (entries[i] == READ_ONCE(leaf[i]))
			continue;
		if (!c->differ++)
			c->first_differ = first_pfn + i;
	}
	cond_resched();
	return 0;
}

static int xp2m_frame_list_show(struct seq_file *m, void *v)
{
	struct xp2m_debugfs *d = m->private;
	struct xp2m *p2m = d->p2m;
	struct xp2m_fl_cmp cmp = { .p2m = p2m };
	struct xp2m_fl_report rep;
	unsigned long fll = xp2m_frame_list_list(p2m);
	struct xp2m_counts n;
	int err;

	xp2m_get_counts(p2m, &n);
	if (fll == ~0UL) {
		seq_puts(m, "frame_list_list ~0 (past 512 GiB: the toolstack must use the linear list)\n");
		return 0;
	}
	if (!fll) {
		seq_puts(m, "frame_list_list 0 (not built)\n");
		return 0;
	}
	seq_printf(m, "frame_list_list 0x%lx\n", fll);
	seq_printf(m, "pages %lu\n", n.fl_pages);
	err = xp2m_frame_list_read(p2m->be, fll, p2m->max_pfn,
				   xp2m_fl_cmp_leaf, &cmp, &rep);
	if (err) {
		seq_printf(m, "read failed: %s (index 0x%lx, mfn 0x%lx): %d\n",
			   xp2m_fl_error_str(rep.error), rep.index, rep.mfn,
			   err);
		return 0;
	}
	seq_printf(m, "read max_pfn 0x%lx\n", rep.max_pfn);
	seq_printf(m, "read leaves %lu\n", rep.leaves);
	seq_printf(m, "differing %lu\n", cmp.differ);
	if (cmp.differ)
		seq_printf(m, "first differing pfn 0x%lx\n", cmp.first_differ);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xp2m_frame_list);

/* shared_info */

/*
 * Slots of @p2m's linear view a CPU could write through, of @slots: the
 * view is mapped read-only, every page of it (what the toolstack reads must
 * change only through the tree), so anything but 0 is a bug.
 */
static unsigned long xp2m_dbg_writable(const struct xp2m *p2m,
				       unsigned long slots)
{
	unsigned long base = (unsigned long)p2m->linear, i, n = 0;

	for (i = 0; i < slots; i++) {
		n += xp2m_kpte_writable(base + i * PAGE_SIZE) == 1;
		if (i % XP2M_PER_PAGE == XP2M_PER_PAGE - 1)
			cond_resched();
	}
	return n;
}

static int xp2m_shared_info_show(struct seq_file *m, void *v)
{
	struct xp2m_debugfs *d = m->private;
	struct xp2m *p2m = d->p2m;
	const struct xp2m_shared_info *si = xp2m_shared_info(p2m);
	struct xp2m_fl_cmp cmp = { .p2m = p2m };
	struct xp2m_lin_report rep;
	struct xp2m_counts n;
	int err;

	seq_printf(m, "max_pfn 0x%lx\n", READ_ONCE(si->max_pfn));
	seq_printf(m, "pfn_to_mfn_frame_list_list 0x%lx\n",
		   READ_ONCE(si->pfn_to_mfn_frame_list_list));
	seq_printf(m, "p2m_cr3 0x%lx\n", READ_ONCE(si->p2m_cr3));
	seq_printf(m, "p2m_vaddr 0x%lx\n", READ_ONCE(si->p2m_vaddr));
	seq_printf(m, "p2m_generation %lu\n", READ_ONCE(si->p2m_generation));
	if (!READ_ONCE(si->p2m_cr3)) {
		seq_puts(m, "linear list not published\n");
		return 0;
	}
	xp2m_get_counts(p2m, &n);
	seq_printf(m, "linear slots %lu\n", n.linear_slots);
	seq_printf(m, "linear writable %lu\n",
		   xp2m_dbg_writable(p2m, n.linear_slots));
	err = xp2m_linear_read(p2m->be, si, xp2m_fl_cmp_leaf, &cmp, &rep);
	if (err && err != -EAGAIN) {
		seq_printf(m, "read failed: %s (level %u, index 0x%lx, mfn 0x%lx): %d\n",
			   xp2m_lin_error_str(rep.error), rep.level, rep.index,
			   rep.mfn, err);
		return 0;
	}
	seq_printf(m, "read max_pfn 0x%lx\n", rep.max_pfn);
	seq_printf(m, "read leaves %lu\n", rep.leaves);
	seq_printf(m, "read generation %lu..%lu%s\n", rep.gen_start,
		   rep.gen_end, err ? " (moved during the read: read again)" : "");
	seq_printf(m, "differing %lu\n", cmp.differ);
	if (cmp.differ)
		seq_printf(m, "first differing pfn 0x%lx\n", cmp.first_differ);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xp2m_shared_info);

/* changes */

static int xp2m_changes_view_show(struct seq_file *m, void *v)
{
	struct xp2m_debugfs *d = m->private;

	xp2m_changes_show(m, d->p2m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xp2m_changes_view);

/**
 * xp2m_debugfs_register() - show an instance in debugfs
 * @p2m: the instance; its name is the directory's
 * @ops: what the owner adds (may be NULL); must outlive the registration
 * @priv: passed to @ops
 *
 * Creates /sys/kernel/debug/xp2m/<name>/ with ranges, layout, frames, stats,
 * lookup, frame_list and shared_info, and records the directory in @p2m->debugfs so the owner
 * can add files of its own (see xp2m_debugfs_dir()). As everywhere in
 * debugfs, a directory that cannot be made (debugfs absent, the name taken)
 * is not an error: the instance works without its files.
 *
 * The caller must call xp2m_debugfs_unregister() before xp2m_destroy().
 *
 * Return: the registration, or ERR_PTR(-ENOMEM).
 */
struct xp2m_debugfs *xp2m_debugfs_register(struct xp2m *p2m,
					   const struct xp2m_debugfs_ops *ops,
					   void *priv)
{
	struct xp2m_debugfs *d;

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return ERR_PTR(-ENOMEM);
	d->p2m = p2m;
	d->ops = ops;
	d->priv = priv;
	d->dir = debugfs_create_dir(p2m->name, xp2m_debugfs_root());
	debugfs_create_file("ranges", 0400, d->dir, d, &xp2m_ranges_fops);
	debugfs_create_file("layout", 0400, d->dir, d, &xp2m_layout_fops);
	debugfs_create_file("frames", 0400, d->dir, d, &xp2m_frames_fops);
	debugfs_create_file("stats", 0400, d->dir, d, &xp2m_stats_fops);
	debugfs_create_file("lookup", 0600, d->dir, d, &xp2m_lookup_fops);
	debugfs_create_file("frame_list", 0400, d->dir, d,
			    &xp2m_frame_list_fops);
	debugfs_create_file("changes", 0400, d->dir, d,
			    &xp2m_changes_view_fops);
	debugfs_create_file("shared_info", 0400, d->dir, d,
			    &xp2m_shared_info_fops);
	p2m->debugfs = IS_ERR(d->dir) ? NULL : d->dir;
	return d;
}
EXPORT_SYMBOL_GPL(xp2m_debugfs_register);

/**
 * xp2m_debugfs_dir() - the directory of a registered instance
 * @dbg: the registration
 *
 * Return: the dentry to create the owner's own files in, or an ERR_PTR when
 * the directory could not be made (debugfs calls accept either).
 */
struct dentry *xp2m_debugfs_dir(struct xp2m_debugfs *dbg)
{
	return dbg->dir;
}
EXPORT_SYMBOL_GPL(xp2m_debugfs_dir);

/**
 * xp2m_debugfs_unregister() - remove an instance's directory
 * @dbg: the registration, or NULL or an ERR_PTR (nothing is done)
 *
 * Removes every file in it, the owner's too, after waiting for readers and
 * writers in progress. Afterwards no file of the instance can be opened.
 */
void xp2m_debugfs_unregister(struct xp2m_debugfs *dbg)
{
	if (IS_ERR_OR_NULL(dbg))
		return;
	debugfs_remove(dbg->dir);
	dbg->p2m->debugfs = NULL;
	kfree(dbg);
}
EXPORT_SYMBOL_GPL(xp2m_debugfs_unregister);
