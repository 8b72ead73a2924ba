/* SPDX-License-Identifier: GPL-2.0 */
/*
 * System calls of guest user programs: the Linux x86-64 ABI (number in
 * rax, arguments in rdi rsi rdx r10 r8 r9, result or -errno in rax), so
 * one static binary runs unchanged on native Linux, in User-Mode Linux and
 * in a minnow guest process. That is what lets `make bench` measure the
 * same program in all three.
 *
 * minnow implements the calls numbered in the first list here
 * (Documentation/minnow-user-mode.rst says how); any other number returns
 * -ENOSYS. The second list is for programs that run only on Linux kernels
 * (the host, User-Mode Linux, the Linux guest): make bench's Figure 3.
 */
#ifndef USER_SYSCALL_H
#define USER_SYSCALL_H

#define SYS_write		1
#define SYS_mmap		9
#define SYS_munmap		11
#define SYS_brk			12
#define SYS_sched_yield		24
#define SYS_nanosleep		35
#define SYS_getpid		39
#define SYS_clone		56
#define SYS_fork		57
#define SYS_exit		60
#define SYS_wait4		61
#define SYS_getppid		110
#define SYS_gettid		186
#define SYS_clock_gettime	228
#define SYS_exit_group		231

/* Linux only: minnow answers -ENOSYS. */
#define SYS_read		0
#define SYS_open		2
#define SYS_close		3
#define SYS_pipe		22
#define SYS_execve		59
#define SYS_fsync		74
#define SYS_unlink		87

static inline long syscall6(long nr, long a1, long a2, long a3, long a4,
			    long a5, long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10),
			   "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#define syscall0(nr)		syscall6(nr, 0, 0, 0, 0, 0, 0)
#define syscall1(nr, a)		syscall6(nr, (long)(a), 0, 0, 0, 0, 0)
#define syscall2(nr, a, b)	syscall6(nr, (long)(a), (long)(b), 0, 0, 0, 0)
#define syscall3(nr, a, b, c)	\
	syscall6(nr, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define syscall4(nr, a, b, c, d)	\
	syscall6(nr, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

#endif /* USER_SYSCALL_H */
