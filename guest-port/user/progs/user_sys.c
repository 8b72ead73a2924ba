// SPDX-License-Identifier: GPL-2.0
/*
 * The system calls minnow implements and their results, bad arguments
 * beside good ones, demand paging of the heap, an mmap and the stack,
 * and copy-on-write after fork. Every check holds on Linux too
 * (test_user_progs runs it natively); test_minnow_user runs it in minnow.
 */

#include "../utest.h"

#define EFAULT		14
#define EBADF		9
#define EINVAL		22
#define ENOSYS		38
#define ECHILD		10
#define MS		1000000LL
#define BAD_USER	0x1000UL			/* below every mapping */
#define KERNEL_ADDR	0x100000100000UL		/* minnow's window */
#define HIGH_ADDR	0xffff800000001000UL		/* Linux's kernel */

static long counter = 1;			/* .data: shared by COW */
static volatile char zeroes[3 * 4096];			/* .bss: demand zero */

static void check_basics(void)
{
	long pid = u_getpid(), r;

	utest_report(pid > 0, "getpid returns a pid (%ld)", pid);
	utest_report(u_getppid() >= 0, "getppid returns (%ld)", u_getppid());
	r = u_write(1, "", 0);
	utest_report(r == 0, "write of 0 bytes returns 0 (%ld)", r);
	r = u_write(1, "user_sys: line\n", 15);
	utest_report(r == 15, "write to fd 1 returns its length (%ld)", r);
	r = u_write(2, "user_sys: err\n", 14);
	utest_report(r == 14, "write to fd 2 returns its length (%ld)", r);
	r = u_write(7, "x", 1);
	utest_report(r == -EBADF, "write to fd 7: -EBADF (%ld)", r);
	r = u_write(1, (void *)BAD_USER, 8);
	utest_report(r == -EFAULT, "write from an unmapped address: -EFAULT (%ld)", r);
	r = u_write(1, (void *)KERNEL_ADDR, 8);
	utest_report(r == -EFAULT, "write from the kernel window: -EFAULT (%ld)", r);
	r = u_write(1, (void *)HIGH_ADDR, 8);
	utest_report(r == -EFAULT, "write from a kernel-half address: -EFAULT (%ld)", r);
	r = syscall0(500);
	utest_report(r == -ENOSYS, "an unknown system call: -ENOSYS (%ld)", r);
	r = syscall0(-1L);
	utest_report(r == -ENOSYS, "system call -1: -ENOSYS (%ld)", r);
	r = u_yield();
	utest_report(r == 0, "sched_yield returns 0 (%ld)", r);
}

static void check_memory(void)
{
	unsigned long cur = (unsigned long)u_brk(0), top, i;
	volatile char *heap = (char *)cur, *m;
	bool zero = true, kept = true;
	long r;

	utest_report(cur > 0, "brk(0) gives the heap's end (%#lx)", cur);
	top = (unsigned long)u_brk(cur + 5 * 4096 + 100);
	utest_report(top == cur + 5 * 4096 + 100, "brk grows the heap (%#lx)", top);
	for (i = 0; i < 5 * 4096 + 100; i += 512)
		zero &= heap[i] == 0;
	for (i = 0; i < 5 * 4096 + 100; i += 512)
		heap[i] = (char)(i / 512 + 1);
	for (i = 0; i < 5 * 4096 + 100; i += 512)
		kept &= heap[i] == (char)(i / 512 + 1);
	utest_report(zero && kept, "the new heap is zero and keeps what is written");
	r = u_brk(cur + (1UL << 40));
	utest_report(r == (long)top, "an absurd brk is refused: the end stays (%#lx)", r);
	r = u_brk(cur);
	utest_report(r == (long)cur, "brk shrinks the heap back (%#lx)", r);

	m = u_mmap_anon(64 * 4096);
	utest_report(m != MAP_FAILED && (unsigned long)m % 4096 == 0,
		     "mmap of 64 anonymous pages (%p)", (void *)m);
	if (m != MAP_FAILED) {
		zero = kept = true;
		for (i = 0; i < 64 * 4096; i += 4096)
			zero &= m[i] == 0 && m[i + 4095] == 0;
		for (i = 0; i < 64 * 4096; i += 4096)
			m[i] = (char)(i >> 12);
		for (i = 0; i < 64 * 4096; i += 4096)
			kept &= m[i] == (char)(i >> 12);
		utest_report(zero && kept, "every page appears zeroed on first touch and keeps its data");
		r = u_munmap((void *)m, 64 * 4096);
		utest_report(r == 0, "munmap of it returns 0 (%ld)", r);
		r = u_write(1, (void *)m, 1);
		utest_report(r == -EFAULT, "write from the unmapped range: -EFAULT (%ld)", r);
	}
	r = syscall6(SYS_mmap, 0, 0, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	utest_report(r == -EINVAL, "mmap of 0 bytes: -EINVAL (%ld)", r);
	r = u_munmap((void *)(0x10000000UL + 12), 4096);
	utest_report(r == -EINVAL, "munmap of an unaligned address: -EINVAL (%ld)", r);
	zero = true;
	for (i = 0; i < sizeof(zeroes); i += 1024)
		zero &= zeroes[i] == 0;
	utest_report(zero, "bss is zero");
}

static void check_time(void)
{
	struct timespec ts = { 0, 20 * MS }, bad = { 0, 2000000000L };
	long long t0 = u_now_ns(), t1;
	long r;

	utest_report(t0 > 0, "clock_gettime(CLOCK_MONOTONIC) (%lld ns)", t0);
	r = syscall2(SYS_clock_gettime, CLOCK_MONOTONIC, BAD_USER);
	utest_report(r == -EFAULT, "clock_gettime to an unmapped address: -EFAULT (%ld)", r);
	r = syscall2(SYS_clock_gettime, 99, &ts);
	utest_report(r == -EINVAL, "clock_gettime of clock 99: -EINVAL (%ld)", r);
	r = syscall2(SYS_nanosleep, &ts, 0);
	t1 = u_now_ns();
	utest_report(r == 0 && t1 - t0 >= 20 * MS,
		     "nanosleep(20 ms) returns 0, no earlier than asked (%ld, %lld us)",
		     r, (t1 - t0) / 1000);
	r = syscall2(SYS_nanosleep, &bad, 0);
	utest_report(r == -EINVAL, "nanosleep with tv_nsec 2e9: -EINVAL (%ld)", r);
	r = syscall2(SYS_nanosleep, BAD_USER, 0);
	utest_report(r == -EFAULT, "nanosleep from an unmapped address: -EFAULT (%ld)", r);
}

static void check_fork(void)
{
	volatile char *m = u_mmap_anon(4096);
	volatile long on_stack = 11;
	int status = -1;
	long child, r;

	UTEST_ASSERT(m != MAP_FAILED);
	m[0] = 'p';
	counter = 1;
	child = u_fork();
	if (child == 0) {
		bool saw = counter == 1 && m[0] == 'p' && on_stack == 11;

		counter = 2;
		m[0] = 'c';
		on_stack = 22;
		u_exit(saw && counter == 2 && m[0] == 'c' ? 7 : 1);
	}
	utest_report(child > 0, "fork returns the child's pid (%ld)", child);
	r = u_wait(&status);
	utest_report(r == child, "wait4 returns the child (%ld)", r);
	utest_report(status == 7 << 8,
		     "the child saw the parent's memory and its own writes (status %#x)",
		     status);
	utest_report(counter == 1 && m[0] == 'p' && on_stack == 11,
		     "copy-on-write: the child's writes did not reach the parent (%ld %c %ld)",
		     counter, m[0], on_stack);
	counter = 3;
	utest_report(counter == 3, "the parent writes its page after the child is gone");
	r = u_wait(&status);
	utest_report(r == -ECHILD, "wait4 with no children: -ECHILD (%ld)", r);
	child = u_fork();
	if (child == 0)
		u_exit(0);
	r = syscall4(SYS_wait4, child, BAD_USER, 0, 0);
	utest_report(r == -EFAULT, "wait4 to an unmapped status: -EFAULT (%ld)", r);
	r = syscall4(SYS_wait4, child, 0, 0, 0);
	utest_report(r == -ECHILD, "and the child was reaped all the same: -ECHILD (%ld)", r);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	utest_init("user_sys");
	check_basics();
	check_memory();
	check_time();
	check_fork();
	utest_done();
}
