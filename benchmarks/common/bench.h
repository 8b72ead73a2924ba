/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the guest benchmarks and their native baselines share: the sizes
 * of every measurement (so that both sides do the same work by
 * construction), the clock, and the loop of benchmark (3), which is one
 * object file linked into both. Documentation/performance.rst explains
 * the method.
 *
 * Every figure is printed as one line, by guest and native alike:
 *
 *   @@bench NAME MEDIAN UNIT min MIN max MAX n REPS
 *
 * benchmarks/run-bench.sh reads those lines and pairs them.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stdint.h>

/* Each measurement is repeated this often; the median is the figure. */
#define BENCH_REPS		11

/* (1) Null hypercalls (or syscalls) per repetition. */
#define BENCH_NULL_CALLS	20000

/* (2) Pages touched per repetition; every repetition uses fresh pages. */
#define BENCH_TOUCH_PAGES	4096

/* (3) Iterations of bench_cpu_loop() per repetition. */
#define BENCH_LOOP_ITERS	16000000ULL
#define BENCH_LOOP_SEED		0x70766973ULL	/* "pvis" */

#define BENCH_PAGE_SIZE		4096

/*
 * (5) Round trips per repetition between two domains over an interdomain
 * event channel, or two host processes over a pair of pipes; both sides
 * make BENCH_RTT_WARMUP round trips first. The pong side answers
 * BENCH_RTT_WARMUP + BENCH_REPS * rounds events and stops.
 */
#define BENCH_RTT_ROUNDS	1000
#define BENCH_RTT_WARMUP	100

/* Events sent per repetition when the sender is its own receiver. */
#define BENCH_SELF_EVENTS	2000

/*
 * (6) Timer wake-ups: sleeps of BENCH_TIMER_DELAY_NS measured; the figure
 * is the median lateness over all of them.
 */
#define BENCH_TIMER_SLEEPS	101
#define BENCH_TIMER_DELAY_NS	1000000ULL

/*
 * The time stamp counter, ordered: the first lfence keeps earlier work
 * from drifting past the read, the second keeps later work from starting
 * before it. rdtsc is allowed in host user mode, so the guest reads the
 * same counter as a native process.
 */
static inline uint64_t bench_rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

/*
 * The CPU-bound loop: an xorshift generator folded into an accumulator,
 * one long dependency chain the compiler can neither vectorise nor skip.
 * Returns a checksum, which must be the same in guest and native runs.
 */
uint64_t bench_cpu_loop(uint64_t iters, uint64_t seed);

/* Sorts @v (n values) and returns the median. */
uint64_t bench_median(uint64_t *v, unsigned int n);

#endif /* BENCH_COMMON_H */
