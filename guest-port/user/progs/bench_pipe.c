// SPDX-License-Identifier: GPL-2.0
/*
 * Figure 3's pipe round trip: one byte from a parent to its child
 * through one pipe and one byte back through another, ns per round trip.
 * Each side writes, then blocks in read until the other answers, so on
 * one CPU a round trip is two context switches, two writes and two
 * reads: figure (5)'s native ping-pong (benchmarks/native/pingpong.c)
 * as a static program that also runs in User-Mode Linux and in the
 * Linux guest on pvisor.
 *
 * Linux only (pipe is not minnow's). Run it on one CPU, as run-bench.sh
 * does: on two, the sides spin on different CPUs and the figure is a
 * cross-CPU wake-up instead.
 *
 *   bench_pipe.elf [ROUNDS]      round trips per repetition (default 100)
 */

#include "../ubench.h"

#define NAME		"user.pipe_rtt"
#define ROUNDS		100
#define MAX_ROUNDS	10000000
#define WARMUP		10

/* One byte each way of a round trip; false on a failure or an early EOF. */
static bool send_byte(int out, char c)
{
	return u_write(out, &c, 1) == 1;
}

static bool recv_byte(int in)
{
	char c;

	return u_read(in, &c, 1) == 1;
}

/*
 * The child's whole life: answer every byte until the parent closes its
 * end (read returns 0), then exit 0; any failure is status 1.
 */
static void echo_until_eof(int in, int out)
{
	char c;
	long n;

	while ((n = u_read(in, &c, 1)) == 1)
		if (u_write(out, &c, 1) != 1)
			u_exit(1);
	u_exit(n == 0 ? 0 : 1);
}

int main(int argc, char **argv)
{
	long rounds = ubench_count(NAME, argc, argv, 1, ROUNDS, MAX_ROUNDS);
	int to_child[2], to_parent[2], status = -1;
	long long v[UBENCH_REPS], t0;
	long pid, ret, i;
	int r;

	if (argc > 2)
		ubench_usage(NAME, "bench_pipe.elf [ROUNDS]");
	ret = u_pipe(to_child);
	if (ret < 0)
		ubench_fail(NAME, "pipe", ret);
	ret = u_pipe(to_parent);
	if (ret < 0)
		ubench_fail(NAME, "pipe", ret);
	pid = u_fork();
	if (pid < 0)
		ubench_fail(NAME, "fork", pid);
	if (pid == 0) {
		u_close(to_child[1]);
		u_close(to_parent[0]);
		echo_until_eof(to_child[0], to_parent[1]);
	}
	u_close(to_child[0]);
	u_close(to_parent[1]);
	for (i = 0; i < WARMUP; i++)
		if (!send_byte(to_child[1], 'w') || !recv_byte(to_parent[0]))
			ubench_fail(NAME, "the warm-up round trip", i);
	for (r = 0; r < UBENCH_REPS; r++) {
		t0 = ubench_now(NAME);
		for (i = 0; i < rounds; i++)
			if (!send_byte(to_child[1], 'p') ||
			    !recv_byte(to_parent[0]))
				ubench_fail(NAME, "a round trip", i);
		v[r] = (ubench_now(NAME) - t0) / rounds;
	}
	/* EOF ends the child. */
	u_close(to_child[1]);
	ret = u_wait(&status);
	if (ret != pid || status != 0)
		ubench_fail(NAME, "the echoing child (wait status)", status);
	ubench_report(NAME, v, UBENCH_REPS, "ns");
	return 0;
}
