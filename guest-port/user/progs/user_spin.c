// SPDX-License-Identifier: GPL-2.0
/*
 * A process that never enters the kernel for a while: it spins on the
 * TSC for argv[1] (default 2^31) ticks with no system call, then says
 * so. Beside user_ticker, it shows that a spinning user process is
 * preempted: the ticker's sleeps end and its lines come out while this
 * one spins (test_minnow_user checks their order on the console).
 */

#include "../ulib.h"

static unsigned long long tsc(void)
{
	unsigned int lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (unsigned long long)hi << 32 | lo;
}

int main(int argc, char **argv)
{
	unsigned long long ticks = (unsigned long long)u_arg_long(argc, argv, 1, 1L << 31);
	unsigned long long start;
	volatile unsigned long spins = 0;

	u_printf("user_spin: spinning\n");
	start = tsc();
	while (tsc() - start < ticks)
		spins++;
	u_printf("user_spin: done after %lu spins\n", spins);
	return 0;
}
