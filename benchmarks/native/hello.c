// SPDX-License-Identifier: GPL-2.0
/*
 * The native side of benchmark (4): a static hello, started with
 * fork+exec by boottime.c. One write, no stdio: the least a process that
 * says something can do.
 */

#include <unistd.h>

int main(void)
{
	static const char msg[] = "hello from a host process\n";

	return write(1, msg, sizeof(msg) - 1) == sizeof(msg) - 1 ? 0 : 1;
}
