// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark (9): a context switch between two processes. The program
 * forks; then parent and child both call sched_yield() in a loop, so on
 * one CPU every yield hands the CPU to the other process: a round of the
 * parent's loop is two switches. ns per switch, timed by the parent.
 *
 * It must run on one CPU (taskset natively; User-Mode Linux and the
 * minnow guest here have one): on two, the yields find nobody to switch
 * to and the figure is the cost of the system call alone.
 *
 * On Linux (the host, UML) it asks for SCHED_FIFO first: there
 * sched_yield puts the caller behind the other, so every yield
 * switches. Under the default policy Linux's fair scheduler lets a
 * yielder that has run less than the other go on, and a yield often
 * switches to nobody. minnow's scheduler is round robin anyway and
 * answers -ENOSYS; a refusal elsewhere is ignored too.
 *
 *   bench_switch.elf [YIELDS]    the parent's YIELDS per repetition
 *                                (default 250)
 */

#include "../ubench.h"

#define NAME		"user.switch"
#define YIELDS		250
#define WARMUP		50

/* Not in syscall.h: only Linux has scheduling policies to pick. */
#define SYS_sched_setscheduler	144
#define SCHED_FIFO		1

int main(int argc, char **argv)
{
	long yields = u_arg_long(argc, argv, 1, YIELDS);
	int fifo = 1;	/* struct sched_param: the lowest real-time priority */
	long long v[UBENCH_REPS], t0;
	int r, status;
	long i, pid;

	if (yields <= 0)
		yields = YIELDS;
	/* The child inherits the policy. */
	syscall3(SYS_sched_setscheduler, 0, SCHED_FIFO, &fifo);
	pid = u_fork();
	if (pid < 0)
		ubench_fail(NAME, "fork", pid);
	if (pid == 0) {
		/*
		 * One repetition more than the parent: it must never find
		 * itself alone while it is timing.
		 */
		for (i = 0; i < WARMUP + (UBENCH_REPS + 1) * yields; i++)
			u_yield();
		u_exit(0);
	}
	for (i = 0; i < WARMUP; i++)
		u_yield();
	for (r = 0; r < UBENCH_REPS; r++) {
		t0 = ubench_now(NAME);
		for (i = 0; i < yields; i++)
			u_yield();
		v[r] = (ubench_now(NAME) - t0) / (2 * yields);
	}
	if (u_wait(&status) != pid || status != 0)
		ubench_fail(NAME, "the yielding child", status);
	ubench_report(NAME, v, UBENCH_REPS, "ns");
	return 0;
}
