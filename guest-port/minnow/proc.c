// SPDX-License-Identifier: GPL-2.0
/*
 * Processes (proc.h): the table, the run loop, fork, exit and wait.
 *
 * The table and every process's state change with events masked: all
 * processes are threads on vCPU 0, where masking is the lock (sched.h).
 */

#include <linux/errno.h>
#include <pvisor/context.h>

#include "console.h"
#include "events.h"
#include "exec.h"
#include "hypercall.h"
#include "proc.h"
#include "smp.h"
#include "syscall.h"
#include "time.h"

/* Signals, Linux's numbers. */
#define SIGILL		4
#define SIGTRAP		5
#define SIGBUS		7
#define SIGFPE		8
#define SIGKILL		9
#define SIGSEGV		11

#define WNOHANG		1

/* How often a waiting parent looks for a zombie child. */
#define WAIT_POLL_NS	(1 * NSEC_PER_MSEC)

static struct proc procs[PROC_MAX];
static int next_pid = 1;

long proc_init(void)
{
	return uvm_init();
}

unsigned int proc_count(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < PROC_MAX; i++)
		n += procs[i].state != PROC_FREE;
	return n;
}

struct proc *proc_current(void)
{
	struct thread *self = thread_self();
	unsigned int i;

	for (i = 0; self && i < PROC_MAX; i++)
		if (procs[i].state == PROC_RUNNING && procs[i].thread == self)
			return &procs[i];
	return NULL;
}

/* A free slot, marked running with a new pid; NULL at PROC_MAX. */
static struct proc *alloc_proc(int ppid, const char *name)
{
	unsigned long flags = local_irq_save();
	struct proc *p = NULL;
	unsigned int i;

	for (i = 0; i < PROC_MAX; i++) {
		if (procs[i].state != PROC_FREE)
			continue;
		p = &procs[i];
		memset(p, 0, sizeof(*p));
		p->state = PROC_RUNNING;
		p->pid = next_pid++;
		p->ppid = ppid;
		break;
	}
	local_irq_restore(flags);
	if (p) {
		size_t n = strlen(name);

		if (n >= PROC_NAME_MAX)
			n = PROC_NAME_MAX - 1;
		memcpy(p->name, name, n);
		p->name[n] = '\0';
	}
	return p;
}

static void free_proc(struct proc *p)
{
	unsigned long flags = local_irq_save();

	p->state = PROC_FREE;
	local_irq_restore(flags);
}

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGILL: return "SIGILL";
	case SIGTRAP: return "SIGTRAP";
	case SIGBUS: return "SIGBUS";
	case SIGFPE: return "SIGFPE";
	case SIGKILL: return "SIGKILL";
	case SIGSEGV: return "SIGSEGV";
	}
	return "signal";
}

/* The signal Linux's trap handlers send for @vector from user mode. */
static int trap_signal(u32 vector)
{
	switch (vector) {
	case 0:		/* #DE */
	case 16:	/* #MF */
	case 19:	/* #XM */
		return SIGFPE;
	case 1:		/* #DB */
	case 3:		/* #BP */
		return SIGTRAP;
	case 6:		/* #UD */
		return SIGILL;
	case 17:	/* #AC */
		return SIGBUS;
	}
	return SIGSEGV;	/* #OF, #BR, #GP, #SS, #NP and the rest */
}

static void kill_proc(struct proc *p, int sig, const char *why)
{
	const struct pvisor_user_run *r = &p->run;

	printk("minnow: pid %d (%s) killed by %s: %s (vector %u, error 0x%llx, "
	       "address 0x%llx, rip 0x%llx)\n", p->pid, p->name,
	       signal_name(sig), why, r->vector, r->error_code, r->address,
	       r->regs.rip);
	proc_exit(p, sig);
}

/* One exit of RUN_USER; returns only when the process goes on. */
static void handle_exit(struct proc *p)
{
	struct pvisor_user_run *r = &p->run;
	long ret;

	switch (r->reason) {
	case PVISOR_EXIT_SYSCALL:
		p->syscalls++;
		r->regs.rax = (u64)syscall_dispatch(p, r);
		return;
	case PVISOR_EXIT_FAULT:
		p->faults++;
		ret = uvm_fault(&p->vm, r->address, r->error_code);
		if (ret == -ENOMEM)
			kill_proc(p, SIGKILL, "out of memory");
		if (ret)
			kill_proc(p, SIGSEGV, "page fault");
		return;
	case PVISOR_EXIT_TRAP:
		kill_proc(p, trap_signal(r->vector), "trap");
		return;
	case PVISOR_EXIT_EVENT:
		return;	/* the upcall ran (and maybe the scheduler) */
	case PVISOR_EXIT_GONE:
		kill_proc(p, SIGKILL, "its context is gone");
		return;
	}
	kill_proc(p, SIGKILL, "unknown exit");
}

static void proc_main(void *arg)
{
	struct proc *p = arg;

	for (;;) {
		long ret = hypercall1(PVISOR_HC_RUN_USER, &p->run);

		if (ret) {
			printk("minnow: pid %d: RUN_USER failed (%ld)\n",
			       p->pid, ret);
			kill_proc(p, SIGKILL, "RUN_USER failed");
		}
		handle_exit(p);
	}
}

static long start_thread(struct proc *p)
{
	p->run.id = p->vm.ctx_id;
	p->thread = thread_create(proc_main, p);
	return p->thread ? 0 : -ENOMEM;
}

long proc_spawn(const char *name, int argc, const char *const *argv)
{
	struct proc *p = alloc_proc(0, name);
	u64 entry, rsp;
	long ret;

	if (!p)
		return -EAGAIN;
	ret = uvm_create(&p->vm);
	if (ret)
		goto free;
	ret = exec_load(&p->vm, name, argc, argv, &entry, &rsp);
	if (ret)
		goto destroy;
	p->run.regs.rip = entry;
	p->run.regs.rsp = rsp;
	p->run.regs.rflags = 0x202;
	ret = start_thread(p);
	if (ret)
		goto destroy;
	return p->pid;

destroy:
	uvm_destroy(&p->vm);
free:
	free_proc(p);
	return ret;
}

long proc_fork(struct proc *parent)
{
	struct proc *c = alloc_proc(parent->pid, parent->name);
	long ret;

	if (!c)
		return -EAGAIN;
	ret = uvm_create(&c->vm);
	if (ret == -ENOSPC)
		ret = -EAGAIN;	/* the module's context limit */
	if (ret)
		goto free;
	ret = uvm_fork(&c->vm, &parent->vm);
	if (ret)
		goto destroy;
	c->run = parent->run;
	c->run.regs.rax = 0;
	ret = start_thread(c);
	if (ret)
		goto destroy;
	return c->pid;

destroy:
	uvm_destroy(&c->vm);
free:
	free_proc(c);
	return ret;
}

/* Linux's clone flags a thread of the same process has. */
#define CLONE_VM	0x00000100
#define CLONE_FS	0x00000200
#define CLONE_FILES	0x00000400
#define CLONE_SIGHAND	0x00000800
#define CLONE_THREAD	0x00010000
#define CLONE_SYSVSEM	0x00040000
#define THREAD_NEEDS	(CLONE_VM | CLONE_SIGHAND | CLONE_THREAD)
#define THREAD_MAY	(THREAD_NEEDS | CLONE_FS | CLONE_FILES | CLONE_SYSVSEM)

#define SECOND_CPU	1

static void second_end(struct proc *p, const char *why)
{
	printk("minnow: pid %d thread %d on vCPU %u ended (%s): %llu system "
	       "calls, %llu faults\n", p->pid, p->second.tid, SECOND_CPU, why,
	       p->second.syscalls, p->second.faults);
	__atomic_store_n(&p->second.active, false, __ATOMIC_RELEASE);
}

/* vCPU 1's loop for the clone thread: the same context, run there. */
static void second_main(void *arg)
{
	struct proc *p = arg;
	struct pvisor_user_run *r = &p->second.run;

	for (;;) {
		long ret = hypercall1(PVISOR_HC_RUN_USER, r);
		bool ends;

		if (ret)
			return second_end(p, "RUN_USER failed");
		switch (r->reason) {
		case PVISOR_EXIT_SYSCALL:
			p->second.syscalls++;
			r->regs.rax = (u64)syscall_dispatch_second(p, r, &ends);
			if (ends)
				return second_end(p, "exit");
			break;
		case PVISOR_EXIT_FAULT:
			p->second.faults++;
			if (uvm_fault(&p->vm, r->address, r->error_code))
				return second_end(p, "bad page fault");
			break;
		case PVISOR_EXIT_EVENT:
			break;
		case PVISOR_EXIT_TRAP:
			return second_end(p, "trap");
		default:
			return second_end(p, "context gone");
		}
	}
}

long proc_clone(struct proc *p, u64 flags, u64 stack)
{
	unsigned long irq;
	long ret;

	if ((flags & THREAD_NEEDS) != THREAD_NEEDS || flags & ~(u64)THREAD_MAY)
		return -EINVAL;	/* threads only: fork is SYS_fork */
	if (!smp_cpu_online(SECOND_CPU) || p->second.active)
		return -EAGAIN;
	p->second.run = p->run;
	p->second.run.regs.rax = 0;
	p->second.run.regs.rsp = stack;
	p->second.syscalls = p->second.faults = 0;
	irq = local_irq_save();
	p->second.tid = next_pid++;
	local_irq_restore(irq);
	p->second.active = true;
	ret = smp_call(SECOND_CPU, second_main, p);
	if (ret) {
		p->second.active = false;
		return ret == -EBUSY ? -EAGAIN : ret;
	}
	return p->second.tid;
}

void proc_exit(struct proc *p, int wait_status)
{
	unsigned long flags;
	unsigned int i;

	if (!(wait_status & 0x7f))
		printk("minnow: pid %d (%s) exited with status %d\n", p->pid,
		       p->name, (wait_status >> 8) & 0xff);
	/* The clone thread first: its RUN_USER returns GONE, then it ends. */
	uvm_kill(&p->vm);
	while (__atomic_load_n(&p->second.active, __ATOMIC_ACQUIRE))
		thread_sleep_ns(WAIT_POLL_NS);
	uvm_destroy(&p->vm);
	flags = local_irq_save();
	for (i = 0; i < PROC_MAX; i++)
		if (procs[i].state != PROC_FREE && procs[i].ppid == p->pid)
			procs[i].ppid = 0;	/* minnow reaps orphans */
	p->wait_status = wait_status;
	p->state = PROC_ZOMBIE;
	local_irq_restore(flags);
	thread_exit();
}

/*
 * A zombie child of @ppid (@pid, or any for -1), marked as being reaped;
 * *children says whether @ppid has any child that could match.
 */
static struct proc *find_zombie(int ppid, int pid, bool *children)
{
	unsigned long flags = local_irq_save();
	struct proc *z = NULL;
	unsigned int i;

	*children = false;
	for (i = 0; i < PROC_MAX && !z; i++) {
		struct proc *c = &procs[i];

		if (c->state == PROC_FREE || c->ppid != ppid || c->reaping ||
		    (pid > 0 && c->pid != pid))
			continue;
		*children = true;
		if (c->state == PROC_ZOMBIE) {
			c->reaping = true;
			z = c;
		}
	}
	local_irq_restore(flags);
	return z;
}

/* Join @z's thread (it may still be switching away) and free it. */
static int reap(struct proc *z, int *status)
{
	int pid = z->pid;

	thread_join(z->thread);
	*status = z->wait_status;
	free_proc(z);
	return pid;
}

long proc_wait(struct proc *parent, int pid, u64 status_uva, u64 options)
{
	bool children;

	if (options & ~(u64)WNOHANG || pid == 0 || pid < -1)
		return -EINVAL;	/* no process groups, no other options */
	for (;;) {
		struct proc *z = find_zombie(parent->pid, pid, &children);
		int status, zpid;

		if (z) {
			zpid = reap(z, &status);
			if (status_uva &&
			    copy_to_user(&parent->vm, status_uva, &status,
					 sizeof(status)))
				return -EFAULT;
			return zpid;
		}
		if (!children)
			return -ECHILD;
		if (options & WNOHANG)
			return 0;
		thread_sleep_ns(WAIT_POLL_NS);
	}
}

void proc_wait_all(void)
{
	for (;;) {
		bool children;
		struct proc *z = find_zombie(0, -1, &children);
		int status;

		if (z) {
			reap(z, &status);
			continue;
		}
		if (!proc_count())
			return;
		thread_sleep_ns(5 * WAIT_POLL_NS);
	}
}
