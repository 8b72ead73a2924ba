// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark (7): the cost of a null system call from a user program,
 * getpid() in a loop, ns per call. The same static binary runs natively
 * in the test host, in User-Mode Linux and as a minnow guest process
 * (benchmarks/run-bench.sh), so the three figures differ only in what
 * carries the system call to its kernel and back.
 *
 *   bench_getpid.elf [CALLS]     CALLS per repetition (default 1000)
 */

#include "../ubench.h"

#define NAME		"user.getpid"
#define CALLS		1000
#define WARMUP		100

int main(int argc, char **argv)
{
	long calls = u_arg_long(argc, argv, 1, CALLS);
	long long v[UBENCH_REPS], t0;
	long i;
	int r;

	if (calls <= 0)
		calls = CALLS;
	for (i = 0; i < WARMUP; i++)
		u_getpid();
	for (r = 0; r < UBENCH_REPS; r++) {
		t0 = ubench_now(NAME);
		for (i = 0; i < calls; i++)
			u_getpid();
		v[r] = (ubench_now(NAME) - t0) / calls;
	}
	ubench_report(NAME, v, UBENCH_REPS, "ns");
	return 0;
}
