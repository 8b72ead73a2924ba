// SPDX-License-Identifier: GPL-2.0
/*
 * minnow's system calls (syscall.h). Arguments come in rdi rsi rdx r10
 * r8 r9 as the x86-64 ABI passes them; every pointer is a user address
 * that goes through copy_from_user/copy_to_user, so a bad one is -EFAULT
 * for the caller and never a fault in minnow.
 */

#include <linux/errno.h>
#include <pvisor/context.h>

#include "../user/syscall.h"
#include "console.h"
#include "hypercall.h"
#include "proc.h"
#include "sched.h"
#include "syscall.h"
#include "time.h"

#define PROT_READ	0x1
#define PROT_WRITE	0x2
#define PROT_EXEC	0x4
#define MAP_PRIVATE	0x02
#define MAP_ANONYMOUS	0x20
#define CLOCK_REALTIME	0
#define CLOCK_MONOTONIC	1
#define CLOCK_BOOTTIME	7

/* One console write per chunk: a line of u_printf arrives whole. */
#define WRITE_CHUNK	512

struct user_timespec {
	s64 tv_sec;
	s64 tv_nsec;
};

static u64 page_up(u64 a)
{
	return (a + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

static long sys_write(struct proc *p, u64 fd, u64 buf, u64 len)
{
	char chunk[WRITE_CHUNK];
	u64 done = 0;

	if (fd != 1 && fd != 2)
		return -EBADF;
	if ((s64)len < 0)
		return -EINVAL;
	while (done < len) {
		u64 n = len - done < WRITE_CHUNK ? len - done : WRITE_CHUNK;

		if (copy_from_user(&p->vm, chunk, buf + done, n))
			return done ? (long)done : -EFAULT;
		console_write(chunk, n);
		done += n;
	}
	return (long)done;
}

static long sys_mmap(struct proc *p, u64 addr, u64 len, u64 prot, u64 flags,
		     u64 fd, u64 off)
{
	u32 uprot = 0;
	u64 start;
	long ret;

	(void)addr;	/* a hint only, and minnow takes no hints */
	if (flags != (MAP_PRIVATE | MAP_ANONYMOUS))
		return -EINVAL;	/* no files, no shared or fixed maps */
	if ((int)fd != -1 || off || !len || len > UVM_STACK_TOP ||
	    prot & ~(u64)(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	len = page_up(len);
	if (prot & PROT_READ)
		uprot |= UVM_READ;
	if (prot & PROT_WRITE)
		uprot |= UVM_READ | UVM_WRITE;
	if (prot & PROT_EXEC)
		uprot |= UVM_READ | UVM_EXEC;
	start = uvm_find_gap(&p->vm, len);
	if (!start)
		return -ENOMEM;
	ret = uvm_add_region(&p->vm, start, start + len, uprot);
	return ret ? ret : (long)start;
}

static long sys_munmap(struct proc *p, u64 addr, u64 len)
{
	if (addr % PAGE_SIZE || !len || len > PVISOR_USER_TOP)
		return -EINVAL;
	return uvm_unmap(&p->vm, addr, addr + page_up(len));
}

static long sys_nanosleep(struct proc *p, u64 req, u64 rem)
{
	struct user_timespec ts;

	(void)rem;	/* no signals: a sleep is never cut short */
	if (copy_from_user(&p->vm, &ts, req, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (s64)NSEC_PER_SEC)
		return -EINVAL;
	/* Capped at a day: minnow's clock arithmetic stays in range. */
	if (ts.tv_sec > 86400)
		ts.tv_sec = 86400;
	thread_sleep_ns((u64)ts.tv_sec * NSEC_PER_SEC + (u64)ts.tv_nsec);
	return 0;
}

static long sys_clock_gettime(struct proc *p, u64 clock, u64 tp)
{
	struct user_timespec ts;
	u64 now;

	if (clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME)
		return -EINVAL;	/* minnow has no wall clock */
	now = monotonic_ns();
	ts.tv_sec = (s64)(now / NSEC_PER_SEC);
	ts.tv_nsec = (s64)(now % NSEC_PER_SEC);
	return copy_to_user(&p->vm, tp, &ts, sizeof(ts));
}

/* Only the native 64-bit ABI: x32 numbers (bit 30) are not it. */
static bool native_abi(const struct pvisor_user_run *run)
{
	/* Not int $0x80, sysenter or the vsyscall page. */
	return run->syscall_arch == PVISOR_ARCH_X86_64 &&
	       run->address < PVISOR_USER_TOP;
}

/*
 * The calls a process's main thread and its clone thread (proc.c's
 * second thread on vCPU 1) answer alike. True when @r's call is one of
 * them, its result in *@ret.
 */
static bool shared_call(struct proc *p, const struct pvisor_user_regs *r,
			long *ret)
{
	switch (r->orig_rax) {
	case SYS_write:
		*ret = sys_write(p, r->rdi, r->rsi, r->rdx);
		return true;
	case SYS_getpid:
		*ret = p->pid;
		return true;
	case SYS_clock_gettime:
		*ret = sys_clock_gettime(p, r->rdi, r->rsi);
		return true;
	}
	return false;
}

long syscall_dispatch_second(struct proc *p, struct pvisor_user_run *run,
			     bool *ends)
{
	struct pvisor_user_regs *r = &run->regs;
	long ret;

	*ends = false;
	if (!native_abi(run))
		return -ENOSYS;
	if (shared_call(p, r, &ret))
		return ret;
	switch (r->orig_rax) {
	case SYS_sched_yield:
		return hv_sched_yield();
	case SYS_gettid:
		return p->second.tid;
	case SYS_exit:
	case SYS_exit_group:
		*ends = true;
		return 0;
	}
	return -ENOSYS;
}

long syscall_dispatch(struct proc *p, struct pvisor_user_run *run)
{
	struct pvisor_user_regs *r = &run->regs;
	long ret;

	if (!native_abi(run))
		return -ENOSYS;
	if (shared_call(p, r, &ret))
		return ret;
	switch (r->orig_rax) {
	case SYS_mmap:
		return sys_mmap(p, r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9);
	case SYS_munmap:
		return sys_munmap(p, r->rdi, r->rsi);
	case SYS_brk:
		return (long)uvm_brk(&p->vm, r->rdi);
	case SYS_sched_yield:
		thread_yield();
		return 0;
	case SYS_nanosleep:
		return sys_nanosleep(p, r->rdi, r->rsi);
	case SYS_getppid:
		return p->ppid;
	case SYS_gettid:
		return p->pid;
	case SYS_clone:
		return proc_clone(p, r->rdi, r->rsi);
	case SYS_fork:
		return proc_fork(p);
	case SYS_exit:
	case SYS_exit_group:
		proc_exit(p, (int)((r->rdi & 0xff) << 8));
	case SYS_wait4:
		return proc_wait(p, (int)r->rdi, r->rsi, r->rdx);
	}
	return -ENOSYS;
}
