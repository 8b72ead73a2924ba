// SPDX-License-Identifier: GPL-2.0
/*
 * Baseline for benchmark (3): bench_cpu_loop(), the very object the bench
 * guest links (common/cpuloop.o), run as a native process, timed the same
 * way: TSC ticks per run, and the checksum, which must match the guest's.
 */

#include <stdio.h>

#include "bench.h"
#include "report.h"

int main(void)
{
	uint64_t v[BENCH_REPS], t0, sum = 0;
	unsigned int r;

	bench_cpu_loop(BENCH_LOOP_ITERS / 16, BENCH_LOOP_SEED);
	for (r = 0; r < BENCH_REPS; r++) {
		t0 = bench_rdtsc();
		sum = bench_cpu_loop(BENCH_LOOP_ITERS, BENCH_LOOP_SEED);
		v[r] = bench_rdtsc() - t0;
	}
	report("cpu.loop", v, BENCH_REPS, "ticks");
	printf("@@bench cpu.checksum %" PRIu64 " value min 0 max 0 n 1\n", sum);
	return 0;
}
