/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The native baselines print their figures as the bench guest does
 * (common/bench.h), so that run-bench.sh reads both the same way.
 */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H

#include <inttypes.h>
#include <stdio.h>

#include "bench.h"

static inline void report(const char *name, uint64_t *v, unsigned int n,
			  const char *unit)
{
	uint64_t med = bench_median(v, n);

	printf("@@bench %s %" PRIu64 " %s min %" PRIu64 " max %" PRIu64
	       " n %u\n", name, med, unit, v[0], v[n - 1], n);
	fflush(stdout);
}

#endif /* BENCH_REPORT_H */
