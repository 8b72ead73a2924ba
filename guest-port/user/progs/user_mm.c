// SPDX-License-Identifier: GPL-2.0
/*
 * A stress of a process's address space for the Linux guest (issue 8's
 * "mmap/munmap/mprotect" stress): mappings made, filled, protected,
 * checked and unmapped round after round; hundreds alive at once; a hole
 * punched in the middle of one; protections that must fault, each tried
 * in a child that the kernel must kill with SIGSEGV; copy-on-write with
 * many children writing one page at once; code run from a mapping only
 * while it has PROT_EXEC; a mapping of 8 MiB touched page by page. Every check holds on Linux (test_user_progs.sh runs it
 * natively); test_linux_stress.sh runs it in the Linux guest.
 *
 *   user_mm [ROUNDS]     (ROUNDS of the first stress, 300)
 */

#include "../utest.h"

#define SYS_mprotect	10
#define PROT_NONE	0x0
#define EINVAL		22
#define ENOMEM		12
#define PAGE		4096UL
#define SIGSEGV		11

/* The word at the start of page @i of @base. */
static volatile long *word(volatile char *base, unsigned long i)
{
	return (volatile long *)(base + i * PAGE);
}

static long mprotect(volatile void *addr, unsigned long len, long prot)
{
	return syscall3(SYS_mprotect, (long)addr, len, prot);
}

static void rounds(long n)
{
	const unsigned long pages = 16;
	long r, bad = 0, done;
	volatile char *m;
	unsigned long i;

	for (done = 0; done < n && !bad; done++) {
		m = u_mmap_anon(pages * PAGE);
		if (m == MAP_FAILED) {
			bad = 1;
			break;
		}
		for (i = 0; i < pages; i++)
			*word(m, i) = done * 100 + (long)i;
		if (mprotect(m, pages * PAGE, PROT_READ))
			bad = 2;
		for (i = 0; i < pages && !bad; i++)
			if (*word(m, i) != done * 100 + (long)i)
				bad = 3;
		if (!bad && mprotect(m, pages * PAGE, PROT_READ | PROT_WRITE))
			bad = 4;
		for (i = 0; i < pages && !bad; i++)
			*word(m, i) += 1;
		for (i = 0; i < pages && !bad; i++)
			if (*word(m, i) != done * 100 + (long)i + 1)
				bad = 5;
		r = u_munmap((void *)m, pages * PAGE);
		if (r && !bad)
			bad = 6;
	}
	utest_report(!bad && done == n,
		     "%ld rounds of mmap, fill, mprotect read-only, check, mprotect read-write, rewrite, munmap (%ld done, step %ld failed)",
		     n, done, bad);
}

static void many(void)
{
	enum { N = 256 };
	static volatile char *maps[N];
	unsigned long i, made = 0, right = 0, unmapped = 0;

	for (i = 0; i < N; i++) {
		maps[i] = u_mmap_anon(PAGE);
		if (maps[i] == MAP_FAILED)
			break;
		*word(maps[i], 0) = (long)i * 7;
		made++;
	}
	for (i = 0; i < made; i++)
		right += *word(maps[i], 0) == (long)i * 7;
	for (i = 0; i < made; i++)
		unmapped += u_munmap((void *)maps[i], PAGE) == 0;
	utest_report(made == N && right == N && unmapped == N,
		     "%d one-page mappings alive at once, each its own (%lu made, %lu right, %lu unmapped)",
		     N, made, right, unmapped);
}

/*
 * Runs @touch(@arg) in a child; returns the signal that killed it, or
 * -1 - its exit status when it exited.
 */
static int in_child(void (*touch)(volatile char *), volatile char *arg)
{
	int status = 0;
	long child = u_fork();

	if (child == 0) {
		touch(arg);
		u_exit(0);
	}
	if (child < 0 || u_wait(&status) != child)
		return -100;
	if ((status & 0x7f) == 0)
		return -1 - ((status >> 8) & 0xff);
	return status & 0x7f;
}

static void read_it(volatile char *p) { (void)*(volatile long *)p; }
static void write_it(volatile char *p) { *(volatile long *)p = 1; }

static void faults(void)
{
	volatile char *m = u_mmap_anon(3 * PAGE);
	long r;
	int sig;

	UTEST_ASSERT(m != MAP_FAILED);
	*word(m, 0) = 10;
	*word(m, 1) = 11;
	*word(m, 2) = 12;
	r = u_munmap((void *)(m + PAGE), PAGE);
	utest_report(r == 0, "munmap of the middle page of three returns 0 (%ld)", r);
	utest_report(*word(m, 0) == 10 && *word(m, 2) == 12,
		     "the pages either side keep their data (%ld %ld)",
		     *word(m, 0), *word(m, 2));
	sig = in_child(read_it, m + PAGE);
	utest_report(sig == SIGSEGV, "a read of the hole: SIGSEGV (%d)", sig);

	r = mprotect(m, PAGE, PROT_READ);
	utest_report(r == 0, "mprotect of the first page read-only returns 0 (%ld)", r);
	sig = in_child(read_it, m);
	utest_report(sig == -1, "a read of it goes on (exit 0: %d)", sig);
	sig = in_child(write_it, m);
	utest_report(sig == SIGSEGV, "a write to it: SIGSEGV (%d)", sig);
	r = mprotect(m + 2 * PAGE, PAGE, PROT_NONE);
	utest_report(r == 0, "mprotect of the last page PROT_NONE returns 0 (%ld)", r);
	sig = in_child(read_it, m + 2 * PAGE);
	utest_report(sig == SIGSEGV, "a read of it: SIGSEGV (%d)", sig);
	r = mprotect(m + 2 * PAGE, PAGE, PROT_READ | PROT_WRITE);
	utest_report(r == 0 && *word(m, 2) == 12,
		     "read-write again, it still holds its data (%ld, %ld)", r,
		     *word(m, 2));

	r = mprotect(m + 12, PAGE, PROT_READ);
	utest_report(r == -EINVAL, "mprotect of an unaligned address: -EINVAL (%ld)", r);
	r = mprotect(m + PAGE, PAGE, PROT_READ);
	utest_report(r == -ENOMEM, "mprotect of the hole: -ENOMEM (%ld)", r);
	u_munmap((void *)m, 3 * PAGE);
}

/* Calls the code at @p and exits with what it returned. */
static void call_it(volatile char *p)
{
	u_exit(((int (*)(void))p)());
}

/* Writes "mov $@value, %eax; ret" at @p. */
static void put_code(volatile char *p, unsigned char value)
{
	static const unsigned char code[] = { 0xb8, 0, 0, 0, 0, 0xc3 };
	unsigned int i;

	for (i = 0; i < sizeof(code); i++)
		p[i] = code[i];
	p[1] = value;
}

/*
 * Code runs from a mapping only while it has PROT_EXEC, and mprotect()
 * gives and takes the permission (a JIT's pattern): with NX a fetch from
 * a page without it is SIGSEGV. A child calls each time, so a wrong
 * verdict costs it, not the test.
 */
static void exec_perms(void)
{
	volatile char *m = u_mmap_anon(PAGE);
	long r;
	int sig;

	UTEST_ASSERT(m != MAP_FAILED);
	put_code(m, 42);
	sig = in_child(call_it, m);
	utest_report(sig == SIGSEGV,
		     "a call into a read-write mapping: SIGSEGV (%d)", sig);
	r = mprotect(m, PAGE, PROT_READ | PROT_EXEC);
	utest_report(r == 0, "mprotect read+exec returns 0 (%ld)", r);
	sig = in_child(call_it, m);
	utest_report(sig == -1 - 42, "the call then returns 42 (%d)", -1 - sig);
	r = mprotect(m, PAGE, PROT_READ);
	sig = in_child(call_it, m);
	utest_report(r == 0 && sig == SIGSEGV,
		     "read-only again (%ld), the call is SIGSEGV (%d)", r, sig);
	r = mprotect(m, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC);
	put_code(m, 7);
	sig = in_child(call_it, m);
	utest_report(r == 0 && sig == -1 - 7,
		     "read+write+exec (%ld): new code written, the call returns 7 (%d)",
		     r, -1 - sig);
	u_munmap((void *)m, PAGE);
}

static void cow_storm(void)
{
	enum { CHILDREN = 16 };
	volatile char *m = u_mmap_anon(PAGE);
	int status, good = 0, i;
	long child;

	UTEST_ASSERT(m != MAP_FAILED);
	*word(m, 0) = 1234;
	for (i = 0; i < CHILDREN; i++) {
		child = u_fork();
		if (child == 0) {
			bool saw = *word(m, 0) == 1234;
			long n;

			*word(m, 0) = 5000 + i;
			/* Let the others run while this one holds its copy. */
			for (n = 0; n < 20; n++)
				u_yield();
			u_exit(saw && *word(m, 0) == 5000 + i ? 0 : 1);
		}
		if (child < 0)
			break;
	}
	while (u_wait(&status) > 0)
		good += status == 0;
	utest_report(good == CHILDREN,
		     "%d children at once each wrote its own copy of one page (%d right)",
		     CHILDREN, good);
	utest_report(*word(m, 0) == 1234,
		     "... and the parent's stayed as it was (%ld)", *word(m, 0));
	u_munmap((void *)m, PAGE);
}

static void big(void)
{
	const unsigned long pages = 2048;	/* 8 MiB */
	volatile char *m = u_mmap_anon(pages * PAGE);
	unsigned long i;
	long sum = 0, r;

	UTEST_ASSERT(m != MAP_FAILED);
	for (i = 0; i < pages; i++)
		*word(m, i) = (long)i;
	for (i = 0; i < pages; i++)
		sum += *word(m, i);
	utest_report(sum == (long)(pages * (pages - 1) / 2),
		     "8 MiB mapped and touched page by page reads back (%ld)", sum);
	r = u_munmap((void *)m, pages * PAGE);
	utest_report(r == 0, "... and unmapped (%ld)", r);
}

int main(int argc, char **argv)
{
	utest_init("user_mm");
	rounds(u_arg_long(argc, argv, 1, 300));
	many();
	faults();
	exec_perms();
	cow_storm();
	big();
	utest_done();
}
