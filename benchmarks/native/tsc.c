// SPDX-License-Identifier: GPL-2.0
/*
 * The TSC's rate against CLOCK_MONOTONIC, so that run-bench.sh can show
 * tick figures in nanoseconds too. Ratios never need it: both sides of
 * every pair count the same ticks.
 */

#include <time.h>

#include "bench.h"
#include "report.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int main(void)
{
	const struct timespec pause = { 0, 100 * 1000 * 1000 };
	uint64_t v[5], t0, c0;
	unsigned int r;

	for (r = 0; r < 5; r++) {
		t0 = now_ns();
		c0 = bench_rdtsc();
		nanosleep(&pause, NULL);
		/* kHz: ticks per millisecond. */
		v[r] = (bench_rdtsc() - c0) * 1000000ULL / (now_ns() - t0);
	}
	report("tsc.khz", v, 5, "kHz");
	return 0;
}
