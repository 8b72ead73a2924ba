/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minnow's system calls for its processes: the Linux x86-64 numbers and
 * semantics of the set guest-port/user/syscall.h lists (the table is in
 * Documentation/minnow-user-mode.rst). Every other number, and every
 * call from another entry path (int $0x80, sysenter, x32, the vsyscall
 * page), returns -ENOSYS. A bad user pointer is -EFAULT.
 */
#ifndef MINNOW_SYSCALL_H
#define MINNOW_SYSCALL_H

#include <pvisor/context.h>

struct proc;

/* The result for rax of the system call @run stopped at. */
long syscall_dispatch(struct proc *p, struct pvisor_user_run *run);

/*
 * The same for the clone thread on vCPU 1 (proc.h), with its smaller
 * set; *ends is set when the call ends that thread.
 */
long syscall_dispatch_second(struct proc *p, struct pvisor_user_run *run,
			     bool *ends);

#endif /* MINNOW_SYSCALL_H */
