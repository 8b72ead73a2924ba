/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest side of the selftests, like KVM selftests' ucall: checks run
 * inside the domain and report on the console in lines the host turns
 * into TAP (selftests/pvisor/test_guest_boot.sh):
 *
 *   @@pvtest ok 3 mmu_update maps an alias
 *   @@pvtest not ok 4 console_io refuses ... (file.c:123)
 *   @@pvtest done 12 1
 *
 * "done" carries the number of checks and of failures, and ends the
 * domain: poweroff when everything passed, a crash shutdown otherwise.
 * A line never holds a newline of its own: descriptions are cut there.
 */
#ifndef MINNOW_TEST_H
#define MINNOW_TEST_H

#include "lib.h"

/* Report one check; returns @ok so that callers can stop early. */
bool guest_report(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Report the end and shut down accordingly. */
void guest_done(void) __attribute__((noreturn));

void guest_assert_fail(const char *expr, const char *file, int line)
	__attribute__((noreturn));

/* The number after "@key=" in the command line, or @dflt. */
u64 cmdline_number(const char *key, u64 dflt);

/* A check the rest cannot go on without: a failure ends the run. */
#define GUEST_ASSERT(cond)						\
	do {								\
		if (!(cond))						\
			guest_assert_fail(#cond, __FILE__, __LINE__);	\
	} while (0)

#endif /* MINNOW_TEST_H */
