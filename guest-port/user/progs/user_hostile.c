// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile user code, minnow only: every way into a kernel must land in
 * minnow, never in the host. With no argument it checks the entry paths
 * that return: int $0x80 and x32 numbers get -ENOSYS (minnow has only
 * the 64-bit ABI), as do rt_sigreturn with a forged frame, and huge or
 * negative numbers; clone without CLONE_THREAD is -EINVAL (minnow forks
 * only with fork); writes from kernel addresses are -EFAULT. With an
 * argument it does one thing that must end the process (the test reads
 * the kill reason minnow prints):
 *
 *   sysenter    sysenter: -ENOSYS back, or a trap that kills it
 *   vsyscall    a call into the vsyscall page: -ENOSYS back, or SIGSEGV
 *   trampoline  a jump to the module's trampoline page: killed
 *   kernelcode  a jump into minnow's code: killed by SIGSEGV
 *   kernelwrite a write to minnow's data: killed by SIGSEGV
 */

#include "../utest.h"

#define ENOSYS		38
#define EFAULT		14
#define MINNOW_TEXT	0x100000100000UL
#define TRAMPOLINE	0x100000000000UL

static long int80(long nr)
{
	long ret;

	asm volatile("int $0x80" : "=a"(ret) : "a"(nr) : "memory");
	return ret;
}

static void check_entries(void)
{
	long r, frame[64] = { 0 };

	r = int80(20);		/* i386 getpid */
	utest_report(r == -ENOSYS, "int $0x80 (i386 getpid): -ENOSYS (%ld)", r);
	r = int80(1);		/* i386 exit */
	utest_report(r == -ENOSYS, "int $0x80 (i386 exit): -ENOSYS, still alive (%ld)", r);
	r = syscall0(0x40000000L | SYS_getpid);
	utest_report(r == -ENOSYS, "an x32 getpid: -ENOSYS (%ld)", r);
	r = syscall0(0x40000000L | SYS_exit);
	utest_report(r == -ENOSYS, "an x32 exit: -ENOSYS, still alive (%ld)", r);
	r = syscall0(1L << 62);
	utest_report(r == -ENOSYS, "system call 2^62: -ENOSYS (%ld)", r);
	r = syscall1(15, frame);	/* rt_sigreturn, a frame of zeroes */
	utest_report(r == -ENOSYS, "rt_sigreturn with a forged frame: -ENOSYS (%ld)", r);
	r = syscall2(SYS_clone, 0, 0);	/* Linux: a fork; minnow: threads only */
	utest_report(r == -22, "clone of a new process (flags 0): -EINVAL (%ld)", r);
	r = u_write(1, (void *)MINNOW_TEXT, 16);
	utest_report(r == -EFAULT, "write from minnow's code: -EFAULT (%ld)", r);
	r = u_write(1, (void *)TRAMPOLINE, 16);
	utest_report(r == -EFAULT, "write from the trampoline page: -EFAULT (%ld)", r);
	r = syscall2(SYS_clock_gettime, CLOCK_MONOTONIC, MINNOW_TEXT + 0x2000);
	utest_report(r == -EFAULT, "clock_gettime into minnow's memory: -EFAULT (%ld)", r);
	r = u_munmap((void *)MINNOW_TEXT, 4096);
	utest_report(r == -22, "munmap of minnow's window is refused (%ld)", r);
	utest_report(u_getpid() > 0, "the process is still itself afterwards");
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : NULL;
	long r;

	utest_init("user_hostile");
	if (!what) {
		check_entries();
		utest_done();
	}
	u_printf("user_hostile: trying %s\n", what);
	if (!strcmp(what, "sysenter")) {
		asm volatile("mov $20, %%eax\n sysenter\n mov %%rax, %0"
			     : "=r"(r) :: "rax", "rcx", "rdx", "memory");
		u_printf("user_hostile: sysenter returned %ld\n", r);
		u_exit(r == -ENOSYS ? 0 : 1);
	} else if (!strcmp(what, "vsyscall")) {
		r = ((long (*)(void *, void *))0xffffffffff600000UL)(0, 0);
		u_printf("user_hostile: vsyscall returned %ld\n", r);
		u_exit(r == -ENOSYS ? 0 : 1);
	} else if (!strcmp(what, "trampoline")) {
		asm volatile("mov $0x1234, %%edx\n jmp *%0" :: "r"(TRAMPOLINE));
	} else if (!strcmp(what, "kernelcode")) {
		((void (*)(void))MINNOW_TEXT)();
	} else if (!strcmp(what, "kernelwrite")) {
		*(volatile long *)(MINNOW_TEXT + 0x10000) = 0;
	}
	u_printf("user_hostile: survived %s\n", what);
	return 1;
}
