// SPDX-License-Identifier: GPL-2.0
/*
 * Sleeps argv[1] (default 5) times for 10 ms and reports each wake-up:
 * the process that must keep running beside a spinning one
 * (user_spin.c) and beside processes killed by traps (user_trap.c).
 */

#include "../utest.h"

int main(int argc, char **argv)
{
	long rounds = u_arg_long(argc, argv, 1, 5), i;

	utest_init("user_ticker");
	for (i = 1; i <= rounds; i++) {
		long long t0 = u_now_ns();

		u_sleep_ns(10 * 1000 * 1000);
		utest_report(u_now_ns() - t0 >= 10 * 1000 * 1000,
			     "tick %ld of %ld after sleeping 10 ms", i, rounds);
	}
	utest_done();
}
