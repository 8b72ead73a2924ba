// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile secondary: vCPU 1, running on a runner thread created before
 * the seccomp filter went on, makes a host system call of its own
 * (getpid). The filter, installed with SECCOMP_FILTER_FLAG_TSYNC, must
 * cover that thread too and kill the domain. vCPU 0 reaching its report
 * after the wait is a failure.
 */

#include <linux/errno.h>

#include "../minnow/console.h"
#include "../minnow/events.h"
#include "../minnow/mm.h"
#include "../minnow/smp.h"
#include "../minnow/test.h"
#include "../minnow/time.h"
#include "../minnow/traps.h"

static volatile long escaped = -1;

static void escape(void *arg)
{
	long ret;

	(void)arg;
	asm volatile("syscall" : "=a"(ret) : "0"(39L) : "rcx", "r11", "memory");
	escaped = ret;
}

void minnow_main(void)
{
	mm_init();
	GUEST_ASSERT(trap_init() == 0);
	GUEST_ASSERT(events_init() == 0);
	GUEST_ASSERT(time_init() == 0);
	GUEST_ASSERT(smp_start(2) == 2);
	printk("smp_escape: vCPU 1 trying getpid\n");
	GUEST_ASSERT(smp_call(1, escape, NULL) == 0);
	sleep_ns(2 * NSEC_PER_SEC);
	guest_report(false, "vCPU 1's getpid returned %ld: the filter let it "
		     "through", escaped);
	guest_done();
}
