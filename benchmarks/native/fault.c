// SPDX-License-Identifier: GPL-2.0
/*
 * Baseline for benchmark (2): the host's anonymous first-touch fault. Each
 * repetition maps fresh anonymous memory, writes one word to each of
 * BENCH_TOUCH_PAGES pages (every write faults in a new zeroed page) and
 * unmaps it again. Huge pages are refused so that, like the guest's
 * shadow fill, every fault maps one 4 KiB page. TSC ticks per page.
 */

#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>

#include "bench.h"
#include "report.h"

int main(void)
{
	size_t len = (size_t)BENCH_TOUCH_PAGES * BENCH_PAGE_SIZE;
	uint64_t v[BENCH_REPS], t0;
	unsigned int r, i;

	for (r = 0; r < BENCH_REPS; r++) {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			perror("fault: mmap");
			return 1;
		}
		madvise(p, len, MADV_NOHUGEPAGE);
		t0 = bench_rdtsc();
		for (i = 0; i < BENCH_TOUCH_PAGES; i++)
			*(volatile uint64_t *)(p + (size_t)i * BENCH_PAGE_SIZE) = i;
		v[r] = (bench_rdtsc() - t0) / BENCH_TOUCH_PAGES;
		munmap(p, len);
	}
	report("fault.anon_first_touch", v, BENCH_REPS, "ticks");
	return 0;
}
