// SPDX-License-Identifier: GPL-2.0
/*
 * minnow's default for a trap nobody hooked: with its trap table
 * installed and no handler of its own, the guest executes hlt (#GP in
 * user mode). minnow must print the trap frame on the console and crash
 * the domain itself (SCHEDOP_SHUTDOWN, reason crash).
 */

#include "../minnow/console.h"
#include "../minnow/test.h"
#include "../minnow/traps.h"

void minnow_main(void)
{
	long ret = trap_init();

	printk("unexpected: table installed (%ld), executing hlt\n", ret);
	asm volatile("movabs $0x5eed5eed5eed5eed, %%r13\n\thlt"
		     ::: "r13", "memory");
	guest_report(false, "hlt came back from minnow's default handler");
	guest_done();
}
