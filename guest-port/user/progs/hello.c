// SPDX-License-Identifier: GPL-2.0
/*
 * The first user program: says who it is and what it was given, the
 * smallest proof that a process ran and made system calls.
 */

#include "../ulib.h"

int main(int argc, char **argv)
{
	int i;

	u_printf("hello from pid %ld (parent %ld), %d argument(s)\n",
		 u_getpid(), u_getppid(), argc);
	for (i = 0; i < argc; i++)
		u_printf("argv[%d] = %s\n", i, argv[i]);
	return 0;
}
