/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Figures of the benchmark programs (progs/bench_*.c), printed on fd 1 in
 * the line benchmarks/run-bench.sh reads from every benchmark:
 *
 *   @@bench NAME MEDIAN UNIT min MIN max MAX n REPS
 *
 * A program that cannot measure prints "@@bench-error NAME: WHY" and
 * exits 1. The clock is CLOCK_MONOTONIC, which the host, User-Mode Linux
 * and minnow all answer, so one binary measures itself on all three.
 */
#ifndef USER_UBENCH_H
#define USER_UBENCH_H

#include "ulib.h"

/* Each measurement is repeated this often; the median is the figure. */
#define UBENCH_REPS	11

/* CLOCK_MONOTONIC in ns; a clock that fails ends the program. */
long long ubench_now(const char *name);

/* Sorts @v (@n values, n >= 1) and prints the @@bench line. */
void ubench_report(const char *name, long long *v, int n, const char *unit);

void ubench_fail(const char *name, const char *why, long err)
	__attribute__((noreturn));

/*
 * argv[@index] as a count from 1 to @max, @fallback when absent. Anything
 * else (not a decimal number, 0, over @max) is a bad input: the program
 * says so in its @@bench-error line and exits 1, so that a mistyped
 * count is never measured as the default.
 */
long ubench_count(const char *name, int argc, char **argv, int index,
		  long fallback, long max);

/* "@@bench-error NAME: usage: USAGE", exit 1: too many arguments, say. */
void ubench_usage(const char *name, const char *usage)
	__attribute__((noreturn));

#endif /* USER_UBENCH_H */
