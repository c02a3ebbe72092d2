// SPDX-License-Identifier: GPL-2.0
/*
 * The allocation-failure sweep of the KUnit suites; see fault.h.
 *
 * It uses the kernel's fault injection as Documentation/fault-injection/
 * describes it. failslab and fail_page_alloc put a fault-injection point in
 * every slab and page allocation, so every allocation an operation makes
 * counts, the kernel's own on its behalf included (a slab refill, vmalloc's
 * page tables, kmemleak's record of an object, an XArray node), once the
 * two let sleeping allocations and single pages through: the test harness
 * sets ignore-gfp-wait to N in both and fail_page_alloc's min-order to 0
 * (their defaults skip both). Each operation runs in two ways for each n:
 *
 *  - the n-th allocation alone fails: a task's fail-nth
 *    (current->fail_nth, which /proc/<pid>/task/<tid>/fail-nth sets);
 *  - the n-th and every later one fail: fail-nth, and the task marked to
 *    fail (make_it_fail, as /proc/<pid>/make-it-fail sets it) with both
 *    attributes filtering by task, failing always (task-filter Y,
 *    probability 100, times -1), as the harness sets them: no other task is
 *    marked.
 *
 * Some allocations the kernel retries another way when they fail (an XArray
 * node without sleeping, then with; SLUB's large slab; kvmalloc()'s kmalloc,
 * then vmalloc; kmemleak's record, then its emergency pool). With one
 * failure the operation then completes, and the error path behind the retry
 * is never taken: the second way reaches it. xp2m_fault_require() checks
 * that both ways work, and skips the case, saying why, when they do not.
 */

#include <linux/gfp.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "fault.h"

/* More allocation sites than any operation of the suite reaches. */
#define XP2M_FAULT_MAX_SITES	100000

#ifdef CONFIG_FAULT_INJECTION
/*
 * Arm the task to fail its @n-th allocation (and with @on, every one after
 * it), run @op, disarm. Returns whether the n-th allocation was reached
 * (and failed).
 */
static bool xp2m_fault_run(struct kunit *test, const struct xp2m_fault_op *op,
			   void *arg, unsigned int n, bool on, int *err)
{
	unsigned int left;

	current->make_it_fail = on;
	WRITE_ONCE(current->fail_nth, n);
	*err = op->run(test, arg);
	left = READ_ONCE(current->fail_nth);
	WRITE_ONCE(current->fail_nth, 0);
	current->make_it_fail = 0;
	return !left;
}

/* Two of each kind of allocation: how many failed. */
static int xp2m_fault_probe(struct kunit *test, void *arg)
{
	struct page *page[2];
	void *p[2];
	int i, failed = 0;

	for (i = 0; i < 2; i++) {
		p[i] = kmalloc(16, GFP_KERNEL);
		page[i] = alloc_page(GFP_KERNEL);
		failed += !p[i] + !page[i];
	}
	for (i = 0; i < 2; i++) {
		kfree(p[i]);
		if (page[i])
			__free_page(page[i]);
	}
	return failed;
}

/**
 * xp2m_fault_require() - skip the case unless allocations can be failed
 * @test: the case
 *
 * Two sleeping kmalloc()s and two sleeping single-page allocations are
 * made with the task's first allocation set to fail: exactly that one must
 * fail; and again with every one set to fail: all four must. If not,
 * failslab or fail_page_alloc ignores them (the kernel lacks them, or their
 * debugfs settings skip such allocations or fail them for other tasks too),
 * a sweep could not fail them either, and the case is skipped with the
 * reason.
 */
void xp2m_fault_require(struct kunit *test)
{
	const struct xp2m_fault_op probe = { .run = xp2m_fault_probe };
	int failed;

	if (!xp2m_fault_run(test, &probe, NULL, 1, false, &failed) ||
	    failed != 1)
		kunit_skip(test,
			   "the kernel does not fail sleeping allocations: it needs CONFIG_FAILSLAB and CONFIG_FAIL_PAGE_ALLOC, ignore-gfp-wait N in both and min-order 0 in fail_page_alloc (/sys/kernel/debug)");
	if (!xp2m_fault_run(test, &probe, NULL, 1, true, &failed) ||
	    failed != 4)
		kunit_skip(test,
			   "the kernel does not fail every allocation of a task marked to fail: failslab and fail_page_alloc need task-filter Y, probability 100, interval 1 and times -1");
}
#else
void xp2m_fault_require(struct kunit *test)
{
	kunit_skip(test, "kernel built without CONFIG_FAULT_INJECTION");
}

static bool xp2m_fault_run(struct kunit *test, const struct xp2m_fault_op *op,
			   void *arg, unsigned int n, bool on, int *err)
{
	return false;
}
#endif
EXPORT_SYMBOL_GPL(xp2m_fault_require);

/* What the runs at each site did, in each way. */
struct xp2m_fault_stats {
	unsigned int failed[2];
	unsigned int recovered[2];
};

/*
 * One run with the @n-th allocation (@on: and all after it) failing,
 * checked. Returns whether the n-th allocation was reached.
 */
static bool xp2m_fault_try(struct kunit *test, const struct xp2m_fault_op *op,
			   void *arg, unsigned int n, bool on,
			   struct xp2m_fault_stats *st)
{
	int want = op->err ?: -ENOMEM, err;
	bool reached;

	if (op->before)
		op->before(test, arg);
	reached = xp2m_fault_run(test, op, arg, n, on, &err);
	if (!reached)
		KUNIT_EXPECT_EQ_MSG(test, err, 0,
				    "%s: failed with no allocation failed",
				    op->name);
	else if (err)
		KUNIT_EXPECT_EQ_MSG(test, err, want,
				    "%s: allocation site %u%s failed", op->name,
				    n, on ? " and all after it" : "");
	if (reached && err)
		st->failed[on]++;
	else if (reached)
		st->recovered[on]++;
	if (op->after)
		op->after(test, arg, err);
	return reached;
}

/**
 * xp2m_fault_sweep() - fail every allocation of an operation in turn
 * @test: the case; skipped when allocations cannot be failed
 *	(xp2m_fault_require())
 * @op: the operation and its checks
 * @arg: passed to @op's functions
 *
 * For n = 1, 2, ... the operation runs with the task's n-th allocation
 * failing, then with the n-th and every later one failing, until a run
 * reaches no n-th allocation: that run, with nothing failed, must succeed.
 * A run that reached it must fail with @op->err, or succeed because the
 * kernel recovered from the failure by itself; @op's @after checks either
 * outcome. The sweep stops at the first site where an assertion failed,
 * naming it, and prints how many sites it reached and what the runs did.
 *
 * Return: the number of allocation sites the operation reached (0 for one
 * that never allocates).
 */
unsigned int xp2m_fault_sweep(struct kunit *test,
			      const struct xp2m_fault_op *op, void *arg)
{
	bool failing = READ_ONCE(test->status) == KUNIT_FAILURE;
	struct xp2m_fault_stats st = { };
	unsigned int n, sites = 0;
	bool on;

	xp2m_fault_require(test);
	for (n = 1; n <= XP2M_FAULT_MAX_SITES; n++) {
		for (on = false; ; on = true) {
			if (!xp2m_fault_try(test, op, arg, n, on, &st))
				goto done;
			sites = n;
			if (!failing &&
			    READ_ONCE(test->status) == KUNIT_FAILURE) {
				KUNIT_FAIL(test, "%s: stopped at allocation site %u%s",
					   op->name, n,
					   on ? " and all after it" : "");
				goto done;
			}
			if (on)
				break;
		}
		cond_resched();
	}
	KUNIT_FAIL(test, "%s: more than %u allocation sites", op->name,
		   XP2M_FAULT_MAX_SITES);
done:
	kunit_info(test, "%s: %u allocation sites; each alone failing: %u failed it, the kernel recovered from %u; each and all after it: %u failed it, %u recovered\n",
		   op->name, sites, st.failed[0], st.recovered[0],
		   st.failed[1], st.recovered[1]);
	return sites;
}
EXPORT_SYMBOL_GPL(xp2m_fault_sweep);
