// SPDX-License-Identifier: GPL-2.0
/*
 * A memory hog, minnow only: maps argv[1] MiB (default 1024) and touches
 * every page until the kernel stops it. minnow has less memory than
 * that: the fault that finds no free page must kill this process
 * (SIGKILL, "out of memory") and leave minnow and the other processes
 * running, with every page given back afterwards.
 */

#include "../ulib.h"

int main(int argc, char **argv)
{
	unsigned long mib = (unsigned long)u_arg_long(argc, argv, 1, 1024);
	unsigned long len = mib << 20, off;
	volatile char *p = u_mmap_anon(len);

	if (p == MAP_FAILED) {
		u_printf("user_hog: mmap of %lu MiB failed\n", mib);
		return 1;
	}
	u_printf("user_hog: touching %lu MiB\n", mib);
	for (off = 0; off < len; off += 4096)
		p[off] = 1;
	u_printf("user_hog: survived, all %lu MiB touched\n", mib);
	return 1;
}
