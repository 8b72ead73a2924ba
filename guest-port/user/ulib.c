// SPDX-License-Identifier: GPL-2.0
/*
 * The user programs' library (ulib.h).
 */

#include "ulib.h"

#define PRINTF_MAX	512

long u_write(int fd, const void *buf, unsigned long len)
{
	return syscall3(SYS_write, fd, buf, len);
}

void u_exit(int status)
{
	for (;;)
		syscall1(SYS_exit_group, status);
}

long u_getpid(void)
{
	return syscall0(SYS_getpid);
}

long u_getppid(void)
{
	return syscall0(SYS_getppid);
}

long u_fork(void)
{
	return syscall0(SYS_fork);
}

long u_wait(int *status)
{
	return syscall4(SYS_wait4, -1, status, 0, 0);
}

long u_yield(void)
{
	return syscall0(SYS_sched_yield);
}

long u_sleep_ns(long ns)
{
	struct timespec ts = {
		.tv_sec = ns / 1000000000L,
		.tv_nsec = ns % 1000000000L,
	};

	return syscall2(SYS_nanosleep, &ts, 0);
}

void *u_mmap_anon(unsigned long len)
{
	return (void *)syscall6(SYS_mmap, 0, (long)len,
				PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

long u_munmap(void *addr, unsigned long len)
{
	return syscall2(SYS_munmap, addr, len);
}

long u_brk(unsigned long addr)
{
	return syscall1(SYS_brk, addr);
}

long u_read(int fd, void *buf, unsigned long len)
{
	return syscall3(SYS_read, fd, buf, len);
}

long u_open(const char *path, int flags, int mode)
{
	return syscall3(SYS_open, path, flags, mode);
}

long u_close(int fd)
{
	return syscall1(SYS_close, fd);
}

long u_pipe(int fds[2])
{
	return syscall1(SYS_pipe, fds);
}

long u_execve(const char *path, char *const argv[], char *const envp[])
{
	return syscall3(SYS_execve, path, argv, envp);
}

long u_fsync(int fd)
{
	return syscall1(SYS_fsync, fd);
}

long u_unlink(const char *path)
{
	return syscall1(SYS_unlink, path);
}

long long u_now_ns(void)
{
	struct timespec ts;
	long ret = syscall2(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);

	if (ret < 0)
		return ret;
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void u_printf(const char *fmt, ...)
{
	char buf[PRINTF_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	u_write(1, buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

long u_arg_long(int argc, char **argv, int index, long fallback)
{
	const char *s;
	long v = 0;

	if (index >= argc || !argv[index] || !*argv[index])
		return fallback;
	for (s = argv[index]; *s; s++) {
		if (*s < '0' || *s > '9')
			return fallback;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* VM FS FILES SIGHAND THREAD SYSVSEM: a thread of this process. */
#define CLONE_THREAD_FLAGS	0x50f00

long u_start_thread(void (*fn)(void *), void *arg, void *stack_top)
{
	unsigned long *sp = stack_top;
	long ret;

	/* The child pops fn and arg off its new stack. */
	*--sp = (unsigned long)arg;
	*--sp = (unsigned long)fn;
	asm volatile("syscall\n"
		     "test %%rax, %%rax\n"
		     "jnz 1f\n"
		     "pop %%rax\n"
		     "pop %%rdi\n"
		     "and $-16, %%rsp\n"
		     "call *%%rax\n"
		     "mov $60, %%eax\n"
		     "xor %%edi, %%edi\n"
		     "syscall\n"
		     "ud2\n"
		     "1:\n"
		     : "=a"(ret)
		     : "a"((long)SYS_clone), "D"((long)CLONE_THREAD_FLAGS),
		       "S"(sp), "d"(0L)
		     : "rcx", "r11", "r10", "r8", "memory");
	return ret;
}
