/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks inside guest user programs, reported on fd 1 in the lines the
 * host already turns into TAP for minnow's own checks (minnow/test.h):
 *
 *   @@pvtest ok 3 PROG: brk grows the heap
 *   @@pvtest not ok 4 PROG: fork returns the child's pid (prog.c:42)
 *   @@pvtest done 12 1
 *
 * Every description starts with the program's name, so that the checks of
 * several processes on one console can be told apart. utest_done() ends
 * the process with status 0 when every check passed, 1 otherwise.
 */
#ifndef USER_UTEST_H
#define USER_UTEST_H

#include "ulib.h"

/* Names the program in every line; call first. */
void utest_init(const char *name);

/* Report one check; returns @ok so that callers can stop early. */
bool utest_report(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void utest_done(void) __attribute__((noreturn));

void utest_assert_fail(const char *expr, const char *file, int line)
	__attribute__((noreturn));

/* A check the rest cannot go on without: a failure ends the program. */
#define UTEST_ASSERT(cond)						\
	do {								\
		if (!(cond))						\
			utest_assert_fail(#cond, __FILE__, __LINE__);	\
	} while (0)

#endif /* USER_UTEST_H */
