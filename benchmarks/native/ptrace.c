// SPDX-License-Identifier: GPL-2.0
/*
 * What User-Mode Linux costs the host, for the breakdown of figures
 * (7)-(9) (Documentation/performance.rst): UML in its ptrace mode runs
 * every process of its own as a host process it traces, and these are
 * the host operations it repeats.
 *
 *   ptrace.sysemu        one system call intercepted as UML's userspace()
 *                        loop does it: PTRACE_SETREGS and the xstate
 *                        (PTRACE_SETREGSET NT_X86_XSTATE), PTRACE_SYSEMU,
 *                        waitpid() for the stop at the call, then
 *                        PTRACE_GETREGS and the xstate back. The traced
 *                        child calls getpid() forever; the tracer answers
 *                        each call without the host running it.
 *   ptrace.sysemu_gpr    the same without the xstate transfers
 *   fault.shm_first_touch  the host's first-touch fault on a shared
 *                        mapping of a tmpfs file (memfd): UML's physical
 *                        memory is such a file, mapped into each process
 *                        page by page, so a UML page fault ends in one
 *
 * TSC ticks per call or page, as the other native baselines.
 */

#define _GNU_SOURCE
#include <elf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "report.h"

#define PTRACE_CALLS	2000
#define PTRACE_WARMUP	100
#define XSTATE_MAX	(64 * 1024)

static pid_t child;
static struct user_regs_struct regs;
static struct iovec xstate;

static void fail(const char *what)
{
	perror(what);
	if (child > 0)
		kill(child, SIGKILL);
	exit(1);
}

static pid_t start_child(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		fail("ptrace: fork");
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
			_exit(1);
		raise(SIGSTOP);
		for (;;)
			syscall(SYS_getpid);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))
		fail("ptrace: the child did not stop");
	if (ptrace(PTRACE_SETOPTIONS, pid, NULL,
		   (void *)(long)(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL)) < 0)
		fail("ptrace: PTRACE_SETOPTIONS");
	return pid;
}

/* One intercepted call, from the registers going in to them coming back. */
static void intercept(int with_xstate)
{
	int status;

	if (ptrace(PTRACE_SETREGS, child, NULL, &regs) < 0)
		fail("ptrace: PTRACE_SETREGS");
	if (with_xstate &&
	    ptrace(PTRACE_SETREGSET, child, (void *)NT_X86_XSTATE, &xstate) < 0)
		fail("ptrace: PTRACE_SETREGSET");
	if (ptrace(PTRACE_SYSEMU, child, NULL, NULL) < 0)
		fail("ptrace: PTRACE_SYSEMU");
	if (waitpid(child, &status, __WALL) != child || !WIFSTOPPED(status) ||
	    WSTOPSIG(status) != (SIGTRAP | 0x80))
		fail("ptrace: no system-call stop");
	if (ptrace(PTRACE_GETREGS, child, NULL, &regs) < 0)
		fail("ptrace: PTRACE_GETREGS");
	xstate.iov_len = XSTATE_MAX;
	if (with_xstate &&
	    ptrace(PTRACE_GETREGSET, child, (void *)NT_X86_XSTATE, &xstate) < 0)
		fail("ptrace: PTRACE_GETREGSET");
	/* The answer UML's getpid would give; the host never runs it. */
	regs.rax = child;
}

static void measure_sysemu(const char *name, int with_xstate)
{
	uint64_t v[BENCH_REPS], t0;
	unsigned int r, i;

	for (i = 0; i < PTRACE_WARMUP; i++)
		intercept(with_xstate);
	for (r = 0; r < BENCH_REPS; r++) {
		t0 = bench_rdtsc();
		for (i = 0; i < PTRACE_CALLS; i++)
			intercept(with_xstate);
		v[r] = (bench_rdtsc() - t0) / PTRACE_CALLS;
	}
	report(name, v, BENCH_REPS, "ticks");
}

static void measure_shm_fault(void)
{
	size_t len = (size_t)BENCH_TOUCH_PAGES * BENCH_PAGE_SIZE;
	uint64_t v[BENCH_REPS], t0;
	unsigned int r, i;

	for (r = 0; r < BENCH_REPS; r++) {
		int fd = memfd_create("uml-like", 0);
		char *p;

		if (fd < 0 || ftruncate(fd, len) < 0)
			fail("ptrace: memfd");
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			fail("ptrace: mmap");
		t0 = bench_rdtsc();
		for (i = 0; i < BENCH_TOUCH_PAGES; i++)
			*(volatile char *)(p + (size_t)i * BENCH_PAGE_SIZE) = 1;
		v[r] = (bench_rdtsc() - t0) / BENCH_TOUCH_PAGES;
		munmap(p, len);
		close(fd);
	}
	report("fault.shm_first_touch", v, BENCH_REPS, "ticks");
}

int main(void)
{
	xstate.iov_base = aligned_alloc(64, XSTATE_MAX);
	xstate.iov_len = XSTATE_MAX;
	if (!xstate.iov_base)
		fail("ptrace: malloc");
	child = start_child();
	if (ptrace(PTRACE_GETREGS, child, NULL, &regs) < 0)
		fail("ptrace: PTRACE_GETREGS");
	if (ptrace(PTRACE_GETREGSET, child, (void *)NT_X86_XSTATE, &xstate) < 0)
		fail("ptrace: PTRACE_GETREGSET");
	measure_sysemu("ptrace.sysemu", 1);
	measure_sysemu("ptrace.sysemu_gpr", 0);
	kill(child, SIGKILL);
	waitpid(child, NULL, __WALL);
	child = 0;
	measure_shm_fault();
	return 0;
}
