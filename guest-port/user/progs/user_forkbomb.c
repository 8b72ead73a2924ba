// SPDX-License-Identifier: GPL-2.0
/*
 * A fork bomb, minnow only: fork until the kernel says no. Every child
 * sleeps a moment and exits; the parent must see -EAGAIN from minnow's
 * own process limit (or from a limit below it: the domain's pids.max)
 * well before argv[1] (default 200) forks, then reap every child. It
 * first sleeps argv[2] milliseconds (default 0), so that a test can
 * lower a limit before the first fork. Not for a native run: Linux's
 * limit is far higher.
 */

#include "../utest.h"

#define EAGAIN	11
#define ECHILD	10

int main(int argc, char **argv)
{
	long most = u_arg_long(argc, argv, 1, 200), n = 0, r = 0, reaped = 0;
	long delay_ms = u_arg_long(argc, argv, 2, 0);
	int status;

	utest_init("user_forkbomb");
	if (delay_ms > 0)
		u_sleep_ns(delay_ms * 1000 * 1000);
	while (n < most) {
		r = u_fork();
		if (r == 0) {
			u_sleep_ns(200 * 1000 * 1000);
			u_exit(0);
		}
		if (r < 0)
			break;
		n++;
	}
	utest_report(r == -EAGAIN && n > 0 && n < most,
		     "fork stops with -EAGAIN after %ld children (%ld)", n, r);
	r = u_fork();
	utest_report(r == -EAGAIN, "and again at the limit (%ld)", r);
	while ((r = u_wait(&status)) > 0)
		reaped += status == 0;
	utest_report(r == -ECHILD && reaped == n,
		     "every child is reaped with status 0 (%ld of %ld, then %ld)",
		     reaped, n, r);
	r = u_fork();
	if (r == 0)
		u_exit(3);
	utest_report(r > 0 && u_wait(&status) == r && status == 3 << 8,
		     "after the reaping, fork works again (%ld)", r);
	utest_done();
}
