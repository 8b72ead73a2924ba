// SPDX-License-Identifier: GPL-2.0
/*
 * Two copies run at once (argv[1] names each, as "a" and "b"): both
 * write their own mark into the same addresses (data, heap, an mmap and
 * the stack), yield and sleep so that the other runs in between, and
 * check that nothing of the other's ever shows: processes are isolated.
 */

#include "../utest.h"

static unsigned long mark_data;

int main(int argc, char **argv)
{
	unsigned long mark = 0x150000 + (unsigned long)u_getpid();
	volatile unsigned long *heap, *map, on_stack;
	unsigned long brk = (unsigned long)u_brk(0);
	bool same = true;
	int i;

	utest_init(argc > 1 ? (argv[1][0] == 'a' ? "user_iso_a" : "user_iso_b")
			    : "user_iso");
	UTEST_ASSERT(u_brk(brk + 4096) == (long)(brk + 4096));
	heap = (unsigned long *)brk;
	map = u_mmap_anon(4096);
	UTEST_ASSERT(map != MAP_FAILED);
	for (i = 0; i < 20; i++) {
		mark_data = *heap = *map = on_stack = mark + (unsigned long)i;
		u_yield();
		if (i % 5 == 0)
			u_sleep_ns(2 * 1000 * 1000);
		same &= mark_data == mark + (unsigned long)i &&
			*heap == mark + (unsigned long)i &&
			*map == mark + (unsigned long)i &&
			on_stack == mark + (unsigned long)i;
	}
	utest_report(same, "data, heap, mmap and stack keep this process's marks across 20 switches (map at %p)",
		     (void *)map);
	utest_done();
}
