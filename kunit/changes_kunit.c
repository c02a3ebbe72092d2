// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of a p2m's change notes (p2m/changes.c) and the "changes"
 * view that shows them.
 */

#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <xp2m/debugfs.h>

#include "fixture.h"

#define T_VIEW	"/sys/kernel/debug/xp2m/changes_view/changes"
#define T_GRANT	"\n [0x10->0x12] missing -> foreign (grant) "
#define T_NEW_LEAF \
	"\n [0x200->0x400] shared-missing-leaf -> leaf (new leaf) "

/* Notes kept in order, runs joined, the oldest dropped past the ring. */
static void changes_ring(struct kunit *test)
{
	static const unsigned long pfns[] = { 5, 6, 7, 9, 20, 21 };
	struct t_ctx *c = t_ctx(test);
	struct xp2m_changes *ch;
	unsigned long i;

	t_setup(test, 1024, 4096);
	ch = &c->p2m->changes;
	KUNIT_EXPECT_EQ(test, ch->seq, 0UL);
	xp2m_note_pfns(c->p2m, pfns, ARRAY_SIZE(pfns), XP2M_WHAT_PFN,
		       XP2M_WHAT_MISSING, XP2M_CAUSE_BALLOON);
	KUNIT_ASSERT_EQ(test, ch->seq, 3UL);
	KUNIT_EXPECT_EQ(test, ch->ring[0].start, 5UL);
	KUNIT_EXPECT_EQ(test, ch->ring[0].end, 8UL);
	KUNIT_EXPECT_EQ(test, ch->ring[1].start, 9UL);
	KUNIT_EXPECT_EQ(test, ch->ring[1].end, 10UL);
	KUNIT_EXPECT_EQ(test, ch->ring[2].start, 20UL);
	KUNIT_EXPECT_EQ(test, ch->ring[2].end, 22UL);
	KUNIT_EXPECT_EQ(test, ch->ring[2].from, XP2M_WHAT_PFN);
	KUNIT_EXPECT_EQ(test, ch->ring[2].to, XP2M_WHAT_MISSING);
	KUNIT_EXPECT_EQ(test, ch->ring[2].cause, XP2M_CAUSE_BALLOON);
	/* Nothing noted for nothing, or for what is not a note. */
	xp2m_note_change(c->p2m, 8, 8, XP2M_WHAT_PFN, XP2M_WHAT_MISSING,
			 XP2M_CAUSE_GRANT);
	xp2m_note_change(c->p2m, 8, 9, XP2M_NR_WHAT, XP2M_WHAT_MISSING,
			 XP2M_CAUSE_GRANT);
	xp2m_note_change(c->p2m, 8, 9, XP2M_WHAT_PFN, XP2M_WHAT_MISSING,
			 XP2M_NR_CAUSES);
	KUNIT_EXPECT_EQ(test, ch->seq, 3UL);
	for (i = 0; i < XP2M_NR_CHANGES; i++)
		xp2m_note_change(c->p2m, 100 + i, 101 + i, XP2M_WHAT_MISSING,
				 XP2M_WHAT_FOREIGN, XP2M_CAUSE_GRANT);
	KUNIT_EXPECT_EQ(test, ch->seq, 3UL + XP2M_NR_CHANGES);
	/* The three first are gone; the ring's slot 0 holds the 62nd grant. */
	KUNIT_EXPECT_EQ(test, ch->ring[0].start, 100UL + XP2M_NR_CHANGES - 3);
}

/* The view, as a user reads it: the last notes, oldest first. */
static void changes_view(struct kunit *test)
{
	struct t_ctx *c = t_ctx(test);
	struct xp2m_debugfs *dbg;
	char *buf;
	ssize_t n;

	if (!t_mm)
		kunit_skip(test, "loaded without a user address space to read through");
	t_machine(test, 4096);
	t_domain(test, 1024, XP2M_MFNS_ASCENDING);
	c->p2m = xp2m_create("changes_view", &c->boot, 1024, 4096);
	KUNIT_ASSERT_FALSE(test, IS_ERR(c->p2m));
	dbg = xp2m_debugfs_register(c->p2m, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(dbg));
	xp2m_note_change(c->p2m, 0x10, 0x12, XP2M_WHAT_MISSING,
			 XP2M_WHAT_FOREIGN, XP2M_CAUSE_GRANT);
	xp2m_note_change(c->p2m, 0x200, 0x400, XP2M_WHAT_SHARED_MISSING,
			 XP2M_WHAT_LEAF, XP2M_CAUSE_NEW_LEAF);
	buf = kunit_kzalloc(test, T_UBUF_SIZE, GFP_KERNEL);
	n = t_file_io(t_mm, T_VIEW, false, buf, T_UBUF_SIZE - 1, 64);
	xp2m_debugfs_unregister(dbg);
	KUNIT_ASSERT_GT(test, n, 0L);
	KUNIT_EXPECT_TRUE(test, str_has_prefix(buf, "changes 2, last 2 shown\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, T_GRANT));
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, T_NEW_LEAF));
	KUNIT_EXPECT_TRUE(test, strstr(buf, "0x10->") < strstr(buf, "0x200->"));
}

static struct kunit_case changes_cases[] = {
	KUNIT_CASE(changes_ring),
	KUNIT_CASE(changes_view),
	{}
};

static struct kunit_suite changes_suite = {
	.name = "xp2m_changes",
	.suite_init = t_suite_init,
	.suite_exit = t_suite_exit,
	.exit = t_exit,
	.test_cases = changes_cases,
};

kunit_test_suite(changes_suite);
