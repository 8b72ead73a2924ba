// SPDX-License-Identifier: GPL-2.0
/*
 * Figure 3's CPU-bound program: figure (3)'s loop, bench_cpu_loop()
 * from benchmarks/common/cpuloop.c (the very source the bench guest and
 * benchmarks/native/cpuloop run, with the same iterations and seed from
 * benchmarks/common/bench.h), as a process: ns per run of the loop.
 * Natively, in User-Mode Linux and in the Linux guest the loop's
 * instructions run on the CPU directly; what differs is only what
 * interrupts them (ticks, the kernel's and the host's). The checksum
 * line proves that each place did the same work.
 *
 *   bench_cpu.elf [ITERATIONS]   per repetition (default 16000000, as
 *                                figure (3))
 */

#include "../ubench.h"
#include "bench.h"

#define NAME		"user.cpu_loop"
#define MAX_ITERS	(1L << 40)

int main(int argc, char **argv)
{
	long iters = ubench_count(NAME, argc, argv, 1, BENCH_LOOP_ITERS,
				  MAX_ITERS);
	long long v[UBENCH_REPS], t0;
	uint64_t sum = 0;
	int r;

	if (argc > 2)
		ubench_usage(NAME, "bench_cpu.elf [ITERATIONS]");
	/* Warm, as figure (3)'s sides: a sixteenth of a run. */
	bench_cpu_loop((uint64_t)iters / 16, BENCH_LOOP_SEED);
	for (r = 0; r < UBENCH_REPS; r++) {
		t0 = ubench_now(NAME);
		sum = bench_cpu_loop((uint64_t)iters, BENCH_LOOP_SEED);
		v[r] = ubench_now(NAME) - t0;
	}
	ubench_report(NAME, v, UBENCH_REPS, "ns");
	/* In the figures' line format, so that run-bench.sh keeps it. */
	u_printf("@@bench user.cpu_checksum %llu value min 0 max 0 n 1\n",
		 (unsigned long long)sum);
	return 0;
}
