// SPDX-License-Identifier: GPL-2.0
/*
 * A guest that touches memory its page tables do not map. It installs no
 * trap table, so the module must report the domain crashed with the
 * faulting address; reaching the line after the access is a failure.
 */

#include <pvisor/hypercall.h>

#include "../minnow/console.h"
#include "../minnow/test.h"

void minnow_main(void)
{
	volatile u64 *p = (volatile u64 *)(PVISOR_WINDOW_BASE + (300ULL << 30));
	u64 v;

	printk("fault: reading an unmapped address\n");
	v = *p;
	guest_report(false, "read 0x%llx from an unmapped address", v);
	guest_done();
}
