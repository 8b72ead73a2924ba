// SPDX-License-Identifier: GPL-2.0
/*
 * From head.S to minnow_main(): check that the builder's start_info is
 * one we understand, keep it, and shut down when the program is done.
 * A guest that cannot trust its boot information has nobody to tell, so
 * a bad magic crashes the domain at once.
 */

#include <pvisor/hypercall.h>

#include "cpu.h"
#include "hypercall.h"
#include "lib.h"

const struct pvisor_start_info *start_info;

void minnow_start(const struct pvisor_start_info *si, u64 boot_sp);

void minnow_shutdown(u32 reason)
{
	hv_shutdown(reason);
	/* The module kills the runner; should it not, stay put. */
	for (;;)
		hv_sched_yield();
}

void minnow_start(const struct pvisor_start_info *si, u64 boot_sp)
{
	/* Before anything asks which CPU it runs on. */
	cpu_init_boot(boot_sp);
	if (memcmp(si->magic, PVISOR_START_MAGIC,
		   sizeof(PVISOR_START_MAGIC)))
		minnow_shutdown(PVISOR_SHUTDOWN_CRASH);
	start_info = si;
	minnow_main();
	minnow_shutdown(PVISOR_SHUTDOWN_POWEROFF);
}
