// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile guest: after saying so on the console, it makes a host
 * system call of its own (getpid), which the runner's seccomp filter must
 * answer by killing the domain. Reaching the line after it is a failure.
 */

#include "../minnow/console.h"
#include "../minnow/test.h"

void minnow_main(void)
{
	long ret;

	printk("escape: trying getpid\n");
	asm volatile("syscall" : "=a"(ret) : "0"(39L) : "rcx", "r11", "memory");
	guest_report(false, "getpid returned %ld: the filter let it through",
		     ret);
	guest_done();
}
