/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The allocation-failure sweep every KUnit suite of the suite uses, on the
 * kernel's own fault injection (failslab, fail_page_alloc and a task's
 * fail-nth). Built into xp2m_sim.ko where the kernel has KUnit.
 */
#ifndef _XP2M_KUNIT_FAULT_H
#define _XP2M_KUNIT_FAULT_H

#include <kunit/test.h>

/**
 * struct xp2m_fault_op - an operation for xp2m_fault_sweep()
 * @name: what the sweep's diagnostic line calls it
 * @before: called before every run (may be NULL): make or check the state
 *	the operation starts from, and take what @after compares with
 * @run: the operation, once; returns 0 or a negative errno. It runs with
 *	the task's n-th allocation set to fail, so it asserts nothing itself
 *	(a failing assertion allocates).
 * @after: called after every run with its result (may be NULL): on an
 *	error, that nothing changed and nothing leaked; on success, that the
 *	operation did all it should. Either way it leaves what @before needs.
 * @err: the error an allocation failure must give; 0 for -ENOMEM
 */
struct xp2m_fault_op {
	const char *name;
	void (*before)(struct kunit *test, void *arg);
	int (*run)(struct kunit *test, void *arg);
	void (*after)(struct kunit *test, void *arg, int err);
	int err;
};

void xp2m_fault_require(struct kunit *test);
unsigned int xp2m_fault_sweep(struct kunit *test,
			      const struct xp2m_fault_op *op, void *arg);

#endif /* _XP2M_KUNIT_FAULT_H */
