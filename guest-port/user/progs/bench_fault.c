// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark (8): the first-touch fault on fresh anonymous memory. Each
 * repetition maps an anonymous region, writes one byte to each of its
 * pages (every write faults in a new zeroed page) and unmaps it again;
 * ns per page. Natively this is the host's anonymous fault; in
 * User-Mode Linux and in a minnow guest process it is whatever their
 * kernels do for a user page fault.
 *
 *   bench_fault.elf [PAGES]      PAGES per repetition (default 128)
 */

#include "../ubench.h"

#define NAME		"user.first_touch"
#define PAGES		128
#define PAGE_SIZE	4096UL

/*
 * Not in syscall.h: only the host has transparent huge pages (Debian's
 * kernel maps anonymous memory with them "always"), and one huge page
 * would serve 512 writes with one fault. minnow answers -ENOSYS and UML
 * has no huge pages; either way the result is ignored.
 */
#define SYS_madvise		28
#define MADV_NOHUGEPAGE		15

static bool mmap_failed(void *p)
{
	return (unsigned long)p >= -4095UL;
}

int main(int argc, char **argv)
{
	long pages = u_arg_long(argc, argv, 1, PAGES);
	long long v[UBENCH_REPS], t0;
	unsigned long len;
	long i;
	int r;

	if (pages <= 0)
		pages = PAGES;
	len = (unsigned long)pages * PAGE_SIZE;
	for (r = 0; r < UBENCH_REPS; r++) {
		char *p = u_mmap_anon(len);

		if (mmap_failed(p))
			ubench_fail(NAME, "mmap", (long)p);
		syscall3(SYS_madvise, p, len, MADV_NOHUGEPAGE);
		t0 = ubench_now(NAME);
		for (i = 0; i < pages; i++)
			*(volatile char *)(p + i * PAGE_SIZE) = 1;
		v[r] = (ubench_now(NAME) - t0) / pages;
		u_munmap(p, len);
	}
	ubench_report(NAME, v, UBENCH_REPS, "ns");
	return 0;
}
