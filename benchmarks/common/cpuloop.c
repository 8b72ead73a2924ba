// SPDX-License-Identifier: GPL-2.0
/*
 * The code of benchmark (3), and the median both sides report. Built once,
 * freestanding (guest-port's flags), and linked as the same object into
 * the bench guest and the native baseline: whatever the two runs differ
 * in, it is not the instructions.
 */

#include "bench.h"

__attribute__((noinline))
uint64_t bench_cpu_loop(uint64_t iters, uint64_t seed)
{
	uint64_t x = seed | 1, acc = 0;

	while (iters--) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		acc += (x * 0x9e3779b97f4a7c15ULL) >> 7;
		acc = (acc << 5) | (acc >> 59);
	}
	return acc ^ x;
}

/* Insertion sort: a handful of values. */
uint64_t bench_median(uint64_t *v, unsigned int n)
{
	unsigned int i, j;

	for (i = 1; i < n; i++) {
		uint64_t x = v[i];

		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	return n ? v[n / 2] : 0;
}
