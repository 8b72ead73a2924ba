// SPDX-License-Identifier: GPL-2.0
/*
 * One process on two vCPUs at once: clone(CLONE_VM|CLONE_THREAD) starts
 * a second thread (in minnow: on vCPU 1, in the same user context), and
 * the two play ping-pong through shared memory with no system call in
 * between, argv[1] (default 2000) rounds, while the second thread also
 * takes demand faults on fresh pages the first then reads. Needs two
 * CPUs to be quick, not to be correct; on Linux it runs as well.
 */

#include "../utest.h"

#define STACK_SIZE		(64 * 1024)
#define PAGES			16

static volatile long ping, pong, second_done, second_pid, second_tid;
static volatile char *shared;
static long rounds;

static void second(void *arg)
{
	long i;

	(void)arg;
	second_pid = u_getpid();
	second_tid = syscall0(SYS_gettid);
	for (i = 0; i < PAGES; i++)
		shared[i * 4096] = (char)(i + 1);
	for (i = 1; i <= rounds; i++) {
		while (ping != i)
			;
		pong = i;
	}
	second_done = 1;
}

int main(int argc, char **argv)
{
	void *stack = u_mmap_anon(STACK_SIZE);
	long tid, i, bad = 0;

	utest_init("user_smp");
	rounds = u_arg_long(argc, argv, 1, 2000);
	shared = u_mmap_anon(PAGES * 4096);
	UTEST_ASSERT(stack != MAP_FAILED && shared != MAP_FAILED);
	tid = u_start_thread(second, 0, (char *)stack + STACK_SIZE);
	utest_report(tid > 0 && tid != u_getpid(),
		     "clone(CLONE_VM|CLONE_THREAD) starts a thread (tid %ld)", tid);
	UTEST_ASSERT(tid > 0);
	for (i = 1; i <= rounds; i++) {
		ping = i;
		while (pong != i)
			;
	}
	utest_report(pong == rounds, "%ld rounds of ping-pong through shared memory", rounds);
	while (!second_done)
		u_yield();
	for (i = 0; i < PAGES; i++)
		bad += shared[i * 4096] != (char)(i + 1);
	utest_report(!bad, "pages the thread faulted in are the process's (%ld bad)", bad);
	utest_report(second_pid == u_getpid() && second_tid == tid,
		     "the thread has the process's pid and its own tid (%ld, %ld)",
		     second_pid, second_tid);
	utest_done();
}
