/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny TAP 13 producer for the pvisor selftests, following the kselftest
 * conventions: "TAP version 13", a "1..N" plan, one "ok N desc" or
 * "not ok N desc" line per check, "# SKIP" for checks that could not run,
 * "# ..." diagnostics, and the exit codes below.
 *
 * All functions are thread safe, but a test should report from one thread
 * so that the numbering reads in order.
 */
#ifndef PVISOR_SELFTEST_TAP_H
#define PVISOR_SELFTEST_TAP_H

#include <stdbool.h>

#define TAP_EXIT_PASS	0
#define TAP_EXIT_FAIL	1
#define TAP_EXIT_SKIP	4

#define TAP_PRINTF(a, b)	__attribute__((format(printf, a, b)))

/* Print the header and the plan. Call once, before the first check. */
void tap_plan(unsigned int count);

/* Report one check; returns @cond so callers can branch on it. */
bool tap_ok(bool cond, const char *fmt, ...) TAP_PRINTF(2, 3);

/* Report @count checks as skipped, all with the same reason. */
void tap_skip(unsigned int count, const char *fmt, ...) TAP_PRINTF(2, 3);

/* A diagnostic line ("# ..."); every embedded newline gets its own "# ". */
void tap_diag(const char *fmt, ...) TAP_PRINTF(1, 2);

/* Checks reported so far, and how many of them failed. */
unsigned int tap_count(void);
unsigned int tap_failures(void);

/*
 * Run before tap_bail() and tap_skip_all() exit, e.g. to destroy the
 * domains a test created. The hook is disarmed before it runs.
 */
void tap_on_abort(void (*hook)(void));

/* Give up on the whole program: "Bail out!", exit TAP_EXIT_FAIL. */
void tap_bail(const char *fmt, ...) TAP_PRINTF(1, 2) __attribute__((noreturn));

/*
 * A prerequisite is missing. Before the plan: "1..0 # SKIP reason";
 * after it: the remaining planned checks are reported skipped. Exits
 * TAP_EXIT_SKIP.
 */
void tap_skip_all(const char *fmt, ...) TAP_PRINTF(1, 2) __attribute__((noreturn));

/*
 * Print the totals and exit: TAP_EXIT_FAIL if a check failed or the count
 * does not match the plan, TAP_EXIT_SKIP if every check was skipped,
 * TAP_EXIT_PASS otherwise.
 */
void tap_finish(void) __attribute__((noreturn));

#endif /* PVISOR_SELFTEST_TAP_H */
