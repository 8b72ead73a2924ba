// SPDX-License-Identifier: GPL-2.0
/*
 * A guest without trap handlers: it installs minnow's table, clears it
 * again with set_trap_table(NULL), and executes ud2. The module must
 * crash the domain with a reason naming the trap ("invalid opcode");
 * reaching the line after it is a failure.
 */

#include <pvisor/hypercall.h>

#include "../minnow/console.h"
#include "../minnow/hypercall.h"
#include "../minnow/test.h"
#include "../minnow/traps.h"

void minnow_main(void)
{
	long a = trap_init(), b = hypercall1(PVISOR_HC_SET_TRAP_TABLE, 0);

	printk("notrap: table installed (%ld) and cleared (%ld), executing "
	       "ud2\n", a, b);
	asm volatile("ud2" ::: "memory");
	guest_report(false, "ud2 came back without a handler");
	guest_done();
}
