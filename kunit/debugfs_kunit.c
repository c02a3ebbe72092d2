// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the core's debugfs views: an instance on the simulated
 * machine with grafted, private and shared leaves, identity, a foreign frame
 * and missing RAM, read and written through its files in
 * /sys/kernel/debug/xp2m/<name>/, as a user would: through the file
 * operations debugfs installs, with a buffer in user memory (test cases run
 * in kernel threads, which borrow the address space of the task that loaded
 * the suite for the length of one read or write).
 */

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <xp2m/debugfs.h>
#include <xp2m/kpte.h>

#include "fixture.h"

#define DBG_GIB		XP2M_MID_SPAN
#define DBG_NR		1100UL			/* 2 grafted leaves, 1 partial */
#define DBG_MAX		(2 * DBG_GIB + 1000)	/* a partial leaf, a partial GiB */
#define FOREIGN_PFN	1050UL
#define FAR_PFN		(2 * DBG_GIB + 700)

/* RAM of the test's memory map: the domain's pages, and a little more. */
static const struct { unsigned long start, end; } dbg_ram[] = {
	{ 0, DBG_NR },
	{ 2 * DBG_GIB + 600, 2 * DBG_GIB + 800 },
};

static bool dbg_is_ram(void *priv, unsigned long pfn, unsigned long *end)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dbg_ram); i++) {
		if (pfn < dbg_ram[i].start) {
			*end = dbg_ram[i].start;
			return false;
		}
		if (pfn < dbg_ram[i].end) {
			*end = dbg_ram[i].end;
			return true;
		}
	}
	*end = DBG_MAX;
	return false;
}

static const struct xp2m_debugfs_ops dbg_ops = {
	.ram = dbg_is_ram,
};

struct dbg_ctx {
	struct xp2m_debugfs *dbg;
	char dir[128];
};

static void dbg_exit(struct kunit *test, struct t_ctx *c)
{
	struct dbg_ctx *d = c->extra;

	xp2m_debugfs_unregister(d->dbg);
}

/*
 * The instance every case reads:
 *   [0, 1100)             the domain's frames; [600, 700) made identity
 *                         inside a grafted leaf; pfn 1050 a foreign frame
 *   [DBG_GIB - 512, 2 DBG_GIB + 512)  identity: a shared leaf, a shared mid, and
 *                         the first leaf of GiB 2
 *   2 DBG_GIB + 700           a frame, in a private leaf
 */
static struct dbg_ctx *dbg_setup(struct kunit *test)
{
	struct dbg_ctx *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	struct t_ctx *c;
	struct file *f;

	KUNIT_ASSERT_NOT_NULL(test, d);
	t_setup(test, DBG_NR, DBG_MAX);
	c = t_ctx(test);
	KUNIT_ASSERT_EQ(test, xp2m_set_identity(c->p2m, 600, 700), 100L);
	KUNIT_ASSERT_EQ(test, xp2m_set_identity(c->p2m, DBG_GIB - 512,
						2 * DBG_GIB + 512),
			(long)(DBG_GIB + 1024));
	KUNIT_ASSERT_EQ(test, xp2m_set(c->p2m, FOREIGN_PFN,
				       XP2M_FOREIGN_FRAME(t_asc_mfn(c, 4))), 0);
	KUNIT_ASSERT_EQ(test, xp2m_set(c->p2m, FAR_PFN, t_asc_mfn(c, 3)), 0);

	d->dbg = xp2m_debugfs_register(c->p2m, &dbg_ops, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(d->dbg));
	c->extra = d;
	c->extra_exit = dbg_exit;
	if (!t_mm)
		kunit_skip(test, "no user memory to read files into");
	snprintf(d->dir, sizeof(d->dir), "/sys/kernel/debug/xp2m/%s",
		 c->p2m->name);
	f = filp_open(d->dir, O_RDONLY | O_DIRECTORY, 0);
	if (IS_ERR(f))
		kunit_skip(test, "debugfs is not mounted at /sys/kernel/debug");
	__fput_sync(f);
	return d;
}

/* The whole of file @name, read @chunk bytes at a time. */
static char *dbg_read(struct kunit *test, struct dbg_ctx *d, const char *name,
		      size_t chunk)
{
	char path[160], *buf;
	ssize_t n;

	buf = kunit_kzalloc(test, T_UBUF_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	snprintf(path, sizeof(path), "%s/%s", d->dir, name);
	n = t_file_io(t_mm, path, false, buf, T_UBUF_SIZE, chunk);
	KUNIT_ASSERT_GE_MSG(test, n, 0L, "read %s", path);
	KUNIT_ASSERT_LT_MSG(test, n, (ssize_t)T_UBUF_SIZE - 1, "%s too long",
			    path);
	return buf;
}

static ssize_t dbg_write(struct dbg_ctx *d, const char *name, const char *s,
			 size_t len)
{
	char path[160], buf[64];

	if (len > sizeof(buf))
		return -E2BIG;
	memcpy(buf, s, len);
	snprintf(path, sizeof(path), "%s/%s", d->dir, name);
	return t_file_io(t_mm, path, true, buf, len, 0);
}

static const char dbg_want_ranges[] =
	" [0x0->0x258] pfn\n"
	" [0x258->0x2bc] identity\n"
	" [0x2bc->0x44c] pfn\n"
	" [0x44c->0x802bc] missing\n"
	" [0x802bc->0x802bd] pfn\n"
	" [0x802bd->0x803e8] missing\n";

/* The kernel's format, its types, the raw words: foreign reads "pfn". */
static void dbg_ranges(struct kunit *test)
{
	struct dbg_ctx *d = dbg_setup(test);

	KUNIT_EXPECT_STREQ(test, dbg_read(test, d, "ranges", 4096),
			   dbg_want_ranges);
	/* Resumed reads, a few bytes at a time, give the same text. */
	KUNIT_EXPECT_STREQ(test, dbg_read(test, d, "ranges", 5),
			   dbg_want_ranges);
	KUNIT_EXPECT_STREQ(test, dbg_read(test, d, "ranges", 1),
			   dbg_want_ranges);
}

static const char dbg_want_layout[] =
	" [0x0->0x258] pfn grafted\n"
	" [0x258->0x2bc] identity grafted\n"
	" [0x2bc->0x400] pfn grafted\n"
	" [0x400->0x41a] pfn private\n"
	" [0x41a->0x41b] foreign private\n"
	" [0x41b->0x44c] pfn private\n"
	" [0x44c->0x600] missing private\n"
	" [0x600->0x3fe00] missing shared\n"
	" [0x3fe00->0x80200] identity shared\n"
	" [0x80200->0x80258] missing private\n"
	" [0x80258->0x802bc] balloon private\n"
	" [0x802bc->0x802bd] pfn private\n"
	" [0x802bd->0x80320] balloon private\n"
	" [0x80320->0x803e8] missing private\n";

static void dbg_layout(struct kunit *test)
{
	struct dbg_ctx *d = dbg_setup(test);

	KUNIT_EXPECT_STREQ(test, dbg_read(test, d, "layout", 4096),
			   dbg_want_layout);
	KUNIT_EXPECT_STREQ(test, dbg_read(test, d, "layout", 7),
			   dbg_want_layout);
}

/*
 * The frames behind the pfns in runs: a frame run breaks where the next pfn
 * is not on the next frame (the foreign frame, and the identity in the
 * middle); missing and identity run on over private and shared pages alike.
 */
static void dbg_frames(struct kunit *test)
{
	struct dbg_ctx *d = dbg_setup(test);
	struct t_ctx *c = t_ctx(test);
	char *want = kunit_kzalloc(test, 512, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, want);
	snprintf(want, 512,
		 " [0x0->0x258] pfn 0x%lx\n"
		 " [0x258->0x2bc] identity\n"
		 " [0x2bc->0x41a] pfn 0x%lx\n"
		 " [0x41a->0x41b] foreign 0x%lx\n"
		 " [0x41b->0x44c] pfn 0x%lx\n"
		 " [0x44c->0x3fe00] missing\n"
		 " [0x3fe00->0x80200] identity\n"
		 " [0x80200->0x802bc] missing\n"
		 " [0x802bc->0x802bd] pfn 0x%lx\n"
		 " [0x802bd->0x803e8] missing\n",
		 t_asc_mfn(c, 0), t_asc_mfn(c, 0x2bc), t_asc_mfn(c, 4),
		 t_asc_mfn(c, 0x41b), t_asc_mfn(c, 3));
	KUNIT_EXPECT_STREQ(test, dbg_read(test, d, "frames", 4096), want);
	KUNIT_EXPECT_STREQ(test, dbg_read(test, d, "frames", 3), want);
}

static void dbg_stats(struct kunit *test)
{
	struct dbg_ctx *d = dbg_setup(test);
	struct t_ctx *c = t_ctx(test);
	char *s;

	KUNIT_ASSERT_EQ(test, xp2m_frame_list_build(c->p2m), 0);
	s = dbg_read(test, d, "stats", 4096);
	/* 1100 frames - 100 identity - 1 foreign + 1 far. */
	KUNIT_EXPECT_NOT_NULL(test, strstr(s, "\nentries pfn 1000\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(s, "\nentries foreign 1\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(s, "\nentries identity 263268\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(s, "\nentries balloon 199\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(s, "\nentries missing 260820\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(s, "\nslots grafted 2\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(s, "\nslots private 2\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(s, "\nslots shared_missing 508\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(s, "\nslots shared_identity 514\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(s, "\npages list 3\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(s, "\npages grafted 2\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(s, "\npages private 2\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(s, "\npages mid 2\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(s, "\npages shared 4\n"));
	/* Top, two shared mid frames, one per private mid. */
	KUNIT_EXPECT_NOT_NULL(test, strstr(s, "\npages frame_list 5\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(s, "\nbytes top 24\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(s, "\nbytes total 65560\n"));
}

static void dbg_lookup(struct kunit *test)
{
	struct dbg_ctx *d = dbg_setup(test);
	char want[512];

	/* Nothing written yet: pfn 0. */
	KUNIT_EXPECT_STREQ(test, dbg_read(test, d, "lookup", 4096),
			   "pfn 0x0\nraw 0x1\nentry 0x1\nclass pfn\nmfn 0x1\n"
			   "m2p 0x0\nleaf grafted\nmemory ram\n");
	KUNIT_ASSERT_EQ(test, dbg_write(d, "lookup", "0x41a\n", 6), 6L);
	KUNIT_EXPECT_STREQ(test, dbg_read(test, d, "lookup", 4096),
			   "pfn 0x41a\nraw 0x8000000000000005\n"
			   "entry 0x8000000000000005\nclass foreign\nmfn 0x5\n"
			   "m2p 0x4\nleaf private\nmemory ram\n");
	/* On the shared identity mid: raw INVALID, entry identity. */
	KUNIT_ASSERT_EQ(test, dbg_write(d, "lookup", "262200", 6), 6L);
	KUNIT_EXPECT_STREQ(test, dbg_read(test, d, "lookup", 4096),
			   "pfn 0x40038\nraw 0xffffffffffffffff\n"
			   "entry 0x4000000000040038\nclass identity\n"
			   "mfn 0x40038\nm2p -\nleaf shared identity\n"
			   "memory hole\n");
	snprintf(want, sizeof(want),
		 "pfn 0x%lx\nraw 0xffffffffffffffff\nentry 0xffffffffffffffff\n"
		 "class missing\nmfn -\nm2p -\nleaf private\nmemory ram\n",
		 FAR_PFN + 1);
	KUNIT_ASSERT_EQ(test, dbg_write(d, "lookup", "0x802bd", 7), 7L);
	KUNIT_EXPECT_STREQ(test, dbg_read(test, d, "lookup", 4096), want);
}

/* Every write that is not one pfn below max_pfn: -EINVAL, no change. */
static void dbg_lookup_bad(struct kunit *test)
{
	static const char * const bad[] = {
		"", "\n", "abc", "0x", "12a", "-1", "1 2", " 5", "5\n\n",
		"0x803e8", "99999999999999999999999",
		"0000000000000000000000000000000000000001",
	};
	struct dbg_ctx *d = dbg_setup(test);
	const char *before;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, dbg_write(d, "lookup", "0x41a", 5), 5L);
	before = dbg_read(test, d, "lookup", 4096);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, dbg_write(d, "lookup", bad[i],
						    strlen(bad[i])),
				    (ssize_t)-EINVAL, "write \"%s\"", bad[i]);
		KUNIT_EXPECT_STREQ(test, dbg_read(test, d, "lookup", 4096),
				   before);
	}
	/* The last pfn is fine. */
	KUNIT_EXPECT_EQ(test, dbg_write(d, "lookup", "0x803e7", 7), 7L);
}

static void dbg_frame_list(struct kunit *test)
{
	struct dbg_ctx *d = dbg_setup(test);
	struct t_ctx *c = t_ctx(test);
	char want[256];
	char *s;

	KUNIT_EXPECT_STREQ(test, dbg_read(test, d, "frame_list", 4096),
			   "frame_list_list 0 (not built)\n");
	KUNIT_ASSERT_EQ(test, xp2m_frame_list_build(c->p2m), 0);
	snprintf(want, sizeof(want),
		 "frame_list_list 0x%lx\npages 5\nread max_pfn 0x803e8\n"
		 "read leaves 1026\ndiffering 0\n",
		 xp2m_frame_list_list(c->p2m));
	s = dbg_read(test, d, "frame_list", 4096);
	KUNIT_EXPECT_STREQ(test, s, want);
}

/* Does file @name of the instance have line @line? */
static bool dbg_has_line(struct kunit *test, struct dbg_ctx *d,
			 const char *name, const char *line)
{
	char want[80];

	snprintf(want, sizeof(want), "\n%s\n", line);
	return strstr(dbg_read(test, d, name, 4096), want);
}

/* Map slot @slot of @p2m's linear view, its own leaf, writable or not. */
static int dbg_slot_writable(struct xp2m *p2m, unsigned long slot,
			     bool writable)
{
	unsigned long va = (unsigned long)p2m->linear + slot * PAGE_SIZE;
	const void *leaf = xp2m_leaf_of(p2m, slot * XP2M_PER_PAGE);
	int err;

	err = xp2m_kpte_set(va, is_vmalloc_addr(leaf) ? vmalloc_to_page(leaf) :
			    virt_to_page(leaf), writable);
	xp2m_kpte_flush(va, va + PAGE_SIZE);
	return err;
}

/*
 * shared_info counts the linear view's writable slots: none, as built; a
 * slot of a leaf of its own made writable, one; none again once it is
 * read-only. The slot's GiB has a page-table page of its own, so the
 * change is that one slot's.
 */
static void dbg_shared_info_writable(struct kunit *test)
{
	const unsigned long slot = FAR_PFN / XP2M_PER_PAGE;
	struct dbg_ctx *d = dbg_setup(test);
	struct xp2m *p2m = t_ctx(test)->p2m;

	if (!xp2m_kpte_supported())
		kunit_skip(test, "this kernel does not let modules change its PTEs");
	KUNIT_ASSERT_EQ(test, xp2m_linear_build(p2m), 0);
	KUNIT_EXPECT_TRUE(test, dbg_has_line(test, d, "shared_info",
					     "linear slots 1026"));
	KUNIT_EXPECT_TRUE(test, dbg_has_line(test, d, "shared_info",
					     "linear writable 0"));
	KUNIT_ASSERT_EQ(test, dbg_slot_writable(p2m, slot, true), 0);
	KUNIT_EXPECT_TRUE(test, dbg_has_line(test, d, "shared_info",
					     "linear writable 1"));
	KUNIT_ASSERT_EQ(test, dbg_slot_writable(p2m, slot, false), 0);
	KUNIT_EXPECT_TRUE(test, dbg_has_line(test, d, "shared_info",
					     "linear writable 0"));
}

/*
 * The root's stats: the pages of every boot list, whoever holds them; in
 * the file's one line, read back as a number.
 */
static long dbg_root_list_pages(struct kunit *test)
{
	char *buf = kunit_kzalloc(test, T_UBUF_SIZE, GFP_KERNEL);
	char want[64];
	long pages;
	ssize_t n;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	n = t_file_io(t_mm, "/sys/kernel/debug/xp2m/stats", false, buf,
		      T_UBUF_SIZE, 4096);
	KUNIT_ASSERT_GT_MSG(test, n, 0L, "read xp2m/stats");
	KUNIT_ASSERT_TRUE_MSG(test, str_has_prefix(buf, "pages list "),
			      "xp2m/stats: %s", buf);
	KUNIT_ASSERT_EQ_MSG(test, kstrtol(buf + strlen("pages list "), 10,
					  &pages), 0, "xp2m/stats: %s", buf);
	snprintf(want, sizeof(want), "pages list %ld\n", pages);
	KUNIT_EXPECT_STREQ(test, buf, want);
	return pages;
}

/*
 * The instance's boot list counts in the root's stats until the instance
 * goes, with it: three pages for its 1100 entries, in its own stats too.
 */
static void dbg_root_stats(struct kunit *test)
{
	const long list = DIV_ROUND_UP(DBG_NR, XP2M_PER_PAGE);
	struct dbg_ctx *d = dbg_setup(test);
	long held = dbg_root_list_pages(test);

	KUNIT_EXPECT_GE(test, held, list);
	KUNIT_EXPECT_NOT_NULL(test, strstr(dbg_read(test, d, "stats", 4096),
					   "\npages list 3\n"));
	t_exit(test);
	KUNIT_EXPECT_EQ(test, dbg_root_list_pages(test), held - list);
}

/* After unregistering, the directory is gone. */
static void dbg_unregister(struct kunit *test)
{
	struct dbg_ctx *d = dbg_setup(test);
	struct file *f;

	xp2m_debugfs_unregister(d->dbg);
	d->dbg = NULL;
	KUNIT_EXPECT_NULL(test, t_ctx(test)->p2m->debugfs);
	f = filp_open(d->dir, O_RDONLY | O_DIRECTORY, 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(f), -ENOENT);
	if (!IS_ERR(f))
		__fput_sync(f);
}

static struct kunit_case dbg_cases[] = {
	KUNIT_CASE(dbg_ranges),
	KUNIT_CASE(dbg_layout),
	KUNIT_CASE(dbg_frames),
	KUNIT_CASE(dbg_stats),
	KUNIT_CASE(dbg_lookup),
	KUNIT_CASE(dbg_lookup_bad),
	KUNIT_CASE(dbg_frame_list),
	KUNIT_CASE(dbg_root_stats),
	KUNIT_CASE(dbg_shared_info_writable),
	KUNIT_CASE(dbg_unregister),
	{}
};

static struct kunit_suite dbg_suite = {
	.name = "xp2m_debugfs",
	.suite_init = t_suite_init,
	.suite_exit = t_suite_exit,
	.exit = t_exit,
	.test_cases = dbg_cases,
};

kunit_test_suite(dbg_suite);
