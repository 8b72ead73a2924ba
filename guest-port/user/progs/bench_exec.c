// SPDX-License-Identifier: GPL-2.0
/*
 * Figure 3's process creation: fork, exec, exit and wait, ns per round.
 * The child execs this very binary with the argument "--exit", which
 * returns from main at once: the exec'd program is a few pages of static
 * code with no libc to start, so the figure is the kernel's fork, exec,
 * exit and wait, not a program's own start-up.
 *
 * Linux only (execve is not minnow's): natively in the test host, in
 * User-Mode Linux and in the Linux guest on pvisor (benchmarks/
 * run-bench.sh). It must be started by a path holding a '/' (argv[0] is
 * what it execs; no PATH search).
 *
 *   bench_exec.elf [ROUNDS]      fork+exec+exit+wait ROUNDS times per
 *                                repetition (default 10)
 */

#include "../ubench.h"

#define NAME		"user.fork_exec"
#define ROUNDS		10
#define MAX_ROUNDS	100000
#define CHILD_ARG	"--exit"
/* The child's own failure, told apart from the exec'd program's 0. */
#define EXEC_FAILED	127

static bool has_slash(const char *path)
{
	for (; *path; path++)
		if (*path == '/')
			return true;
	return false;
}

/* One fork+exec+exit+wait; fails the program if any step does. */
static void spawn_once(char *self)
{
	char *child_argv[] = { self, CHILD_ARG, 0 };
	char *child_envp[] = { 0 };
	int status = -1;
	long pid, waited;

	pid = u_fork();
	if (pid < 0)
		ubench_fail(NAME, "fork", pid);
	if (pid == 0) {
		u_execve(self, child_argv, child_envp);
		u_exit(EXEC_FAILED);
	}
	waited = u_wait(&status);
	if (waited != pid)
		ubench_fail(NAME, "wait4", waited);
	if (status != 0)
		ubench_fail(NAME, "the exec'd child (wait status)", status);
}

int main(int argc, char **argv)
{
	long long v[UBENCH_REPS], t0;
	long rounds, i;
	int r;

	if (argc == 2 && !strcmp(argv[1], CHILD_ARG))
		return 0;
	if (argc > 2 || !argv[0] || !has_slash(argv[0]))
		ubench_usage(NAME, "/PATH/TO/bench_exec.elf [ROUNDS] (it execs "
			     "its own path)");
	rounds = ubench_count(NAME, argc, argv, 1, ROUNDS, MAX_ROUNDS);
	/* Page cache, dentries and the allocator warm, as for every round. */
	spawn_once(argv[0]);
	for (r = 0; r < UBENCH_REPS; r++) {
		t0 = ubench_now(NAME);
		for (i = 0; i < rounds; i++)
			spawn_once(argv[0]);
		v[r] = (ubench_now(NAME) - t0) / rounds;
	}
	ubench_report(NAME, v, UBENCH_REPS, "ns");
	return 0;
}
