/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Processes: minnow's user mode. Each process is a minnow thread
 * (sched.c, vCPU 0) whose loop runs the process's user context with
 * RUN_USER and handles each exit:
 *
 * - SYSCALL: the Linux x86-64 system call (syscall.c); other entry
 *   paths (int $0x80, sysenter, x32 numbers, the vsyscall page) get
 *   -ENOSYS, as a kernel without those ABIs answers.
 * - FAULT: demand paging and copy-on-write (uvm.c), else SIGSEGV.
 * - TRAP: the signal Linux would send for the vector; the process dies.
 * - EVENT: nothing to do: the upcall ran on the hypercall's return and
 *   the timer tick may have switched to another thread there, which is
 *   what makes a spinning process preemptible.
 * - GONE: the context died under it: SIGKILL.
 *
 * A process that ends becomes a zombie holding its wait status; its
 * parent's wait4 reaps it (joins its thread and frees the slot). Orphans
 * go to minnow (ppid 0), whose boot thread reaps them in proc_run_all().
 * At most PROC_MAX processes exist at once: fork past that is -EAGAIN,
 * which is what bounds a fork bomb.
 *
 * Two vCPUs in one context: clone with CLONE_VM|CLONE_THREAD starts one
 * more thread of the process, on vCPU 1 (smp_call), running the same
 * context there with RUN_USER, which the module gives a host thread of
 * its own. That thread has a small system-call set (write, getpid,
 * gettid, sched_yield, clock_gettime, exit) and faults through the same
 * locked address space; a trap or exit_group ends that thread only. One
 * such thread per process at a time, and none without a vCPU 1.
 */
#ifndef MINNOW_PROC_H
#define MINNOW_PROC_H

#include <pvisor/context.h>

#include "lib.h"
#include "sched.h"
#include "uvm.h"

#define PROC_MAX	16
#define PROC_NAME_MAX	32

enum proc_state { PROC_FREE, PROC_RUNNING, PROC_ZOMBIE };

struct proc {
	enum proc_state state;
	int pid;
	int ppid;			/* 0: minnow's own child */
	char name[PROC_NAME_MAX];
	struct uvm vm;
	struct pvisor_user_run run;	/* the registers between exits */
	struct thread *thread;
	int wait_status;		/* as wait4 reports it */
	bool reaping;			/* someone joins its thread */
	struct {			/* the clone thread on vCPU 1 */
		bool active;		/* set by clone, cleared by vCPU 1 */
		int tid;
		struct pvisor_user_run run;
		u64 syscalls, faults;
	} second;
	u64 syscalls, faults;
};

/* Boot: page-frame counts for COW. Once, after the scheduler started. */
long proc_init(void);

/*
 * Start @name from the ramdisk with @argv (@argc strings) as a child of
 * minnow. Returns the pid or a negative errno (exec_load's, -EAGAIN when
 * PROC_MAX processes exist).
 */
long proc_spawn(const char *name, int argc, const char *const *argv);

/* Wait until every process has ended and been reaped. */
void proc_wait_all(void);

/* The calling thread's process (NULL for minnow's own threads). */
struct proc *proc_current(void);

/* Syscalls need these (syscall.c). */
long proc_fork(struct proc *parent);
long proc_clone(struct proc *p, u64 flags, u64 stack);
long proc_wait(struct proc *parent, int pid, u64 status_uva, u64 options);
void proc_exit(struct proc *p, int wait_status) __attribute__((noreturn));

/* Processes alive (zombies included). */
unsigned int proc_count(void);

#endif /* MINNOW_PROC_H */
