/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The user programs' library: typed wrappers over syscall.h, printf onto
 * fd 1, and the process entry (start.S calls main, then exit_group with
 * its result). Freestanding: no libc on any of the three systems a program
 * runs on.
 */
#ifndef USER_ULIB_H
#define USER_ULIB_H

#include "../minnow/format.h"
#include "syscall.h"

#define PROT_READ	0x1
#define PROT_WRITE	0x2
#define PROT_EXEC	0x4
#define MAP_PRIVATE	0x02
#define MAP_ANONYMOUS	0x20
#define MAP_FAILED	((void *)-1)
#define CLOCK_MONOTONIC	1
#define O_RDONLY	00
#define O_WRONLY	01
#define O_CREAT		0100
#define O_TRUNC		01000

struct timespec {
	long tv_sec;
	long tv_nsec;
};

int main(int argc, char **argv);

long u_write(int fd, const void *buf, unsigned long len);
void u_exit(int status) __attribute__((noreturn));
long u_getpid(void);
long u_getppid(void);
long u_fork(void);
/* Waits for any child; stores its wait status in *status if non-NULL. */
long u_wait(int *status);
long u_yield(void);
/*
 * clone(CLONE_VM|CLONE_THREAD...) on the stack that ends at @stack_top:
 * the new thread runs fn(arg), then exits itself (SYS_exit). Returns its
 * tid or a negative errno.
 */
long u_start_thread(void (*fn)(void *), void *arg, void *stack_top);
long u_sleep_ns(long ns);
void *u_mmap_anon(unsigned long len);
long u_munmap(void *addr, unsigned long len);
long u_brk(unsigned long addr);
/* Linux only (syscall.h's second list): minnow answers -ENOSYS. */
long u_read(int fd, void *buf, unsigned long len);
long u_open(const char *path, int flags, int mode);
long u_close(int fd);
/* fds[0] the read end, fds[1] the write end. */
long u_pipe(int fds[2]);
/* Returns only on failure, with a negative errno. */
long u_execve(const char *path, char *const argv[], char *const envp[]);
long u_fsync(int fd);
long u_unlink(const char *path);
/* CLOCK_MONOTONIC in nanoseconds, or a negative errno. */
long long u_now_ns(void);

/* One write(1) per call: lines from several processes stay whole. */
void u_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parses a decimal argument; @fallback when absent or not a number. */
long u_arg_long(int argc, char **argv, int index, long fallback);

#endif /* USER_ULIB_H */
