// SPDX-License-Identifier: GPL-2.0
/*
 * Traps: the table minnow gives the module, and the dispatcher the
 * entries in trap_entry.S call. See traps.h for the path of one trap.
 *
 * The module keeps a trap table per vCPU, so every vCPU calls trap_init()
 * (smp.c does it for the secondaries); the hooks below are minnow's, one
 * set for all of them.
 */

#include <linux/errno.h>
#include <pvisor/hypercall.h>

#include "console.h"
#include "cpu.h"
#include "hypercall.h"
#include "mm.h"
#include "traps.h"

extern const u64 trap_entries[NR_TRAPS];

/* Read by trap_entry.S: where the iret hypercall's stub is. */
const u64 trap_iret_entry = PVISOR_HYPERCALL_PAGE +
			    PVISOR_HC_IRET * PVISOR_HYPERCALL_STRIDE;

static trap_handler_t handlers[NR_TRAPS];
static volatile u64 nr_traps;

static const char *const names[NR_TRAPS] = {
	[0] = "divide error", [1] = "debug", [2] = "NMI", [3] = "breakpoint",
	[4] = "overflow", [5] = "bound range", [6] = "invalid opcode",
	[7] = "device not available", [8] = "double fault",
	[10] = "invalid TSS", [11] = "segment not present",
	[12] = "stack fault", [13] = "general protection", [14] = "page fault",
	[16] = "x87 error", [17] = "alignment check", [18] = "machine check",
	[19] = "SIMD error",
};

long trap_init(void)
{
	struct pvisor_trap_info table[NR_TRAPS + 1];
	unsigned int v;

	memset(table, 0, sizeof(table));	/* the last entry ends it */
	for (v = 0; v < NR_TRAPS; v++) {
		table[v].vector = (u8)v;
		table[v].address = trap_entries[v];
	}
	return hypercall1(PVISOR_HC_SET_TRAP_TABLE, table);
}

trap_handler_t trap_set_handler(unsigned int vector, trap_handler_t h)
{
	trap_handler_t old;

	if (vector >= NR_TRAPS)
		return NULL;
	old = handlers[vector];
	handlers[vector] = h;
	return old;
}

u64 trap_entry_address(unsigned int vector)
{
	return vector < NR_TRAPS ? trap_entries[vector] : 0;
}

u64 trap_count(void)
{
	return nr_traps;
}

void trap_show_frame(const char *why, const struct pvisor_trap_frame *f)
{
	const char *name = f->vector < NR_TRAPS && names[f->vector] ?
			   names[f->vector] : "trap";

	printk("minnow: %s: %s (vector %llu, error 0x%llx) at rip 0x%llx\n",
	       why, name, f->vector, f->error_code, f->rip);
	if (smp_processor_id())
		printk("minnow:   on cpu %u\n", smp_processor_id());
	if (f->vector == TRAP_PF)
		printk("minnow:   address 0x%llx\n", f->address);
	printk("minnow:   rax 0x%016llx rbx 0x%016llx rcx 0x%016llx\n",
	       f->rax, f->rbx, f->rcx);
	printk("minnow:   rdx 0x%016llx rsi 0x%016llx rdi 0x%016llx\n",
	       f->rdx, f->rsi, f->rdi);
	printk("minnow:   rbp 0x%016llx rsp 0x%016llx r8  0x%016llx\n",
	       f->rbp, f->rsp, f->r8);
	printk("minnow:   r9  0x%016llx r10 0x%016llx r11 0x%016llx\n",
	       f->r9, f->r10, f->r11);
	printk("minnow:   r12 0x%016llx r13 0x%016llx r14 0x%016llx\n",
	       f->r12, f->r13, f->r14);
	printk("minnow:   r15 0x%016llx rflags 0x%llx\n", f->r15, f->rflags);
}

void trap_dispatch(struct pvisor_trap_frame *f, u64 vector)
{
	trap_handler_t h = handlers[vector];

	__atomic_add_fetch(&nr_traps, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&this_cpu()->traps, 1, __ATOMIC_RELAXED);
	if (h && h(f))
		return;
	if (vector == TRAP_PF &&
	    mm_demand_fault(f->address, f->error_code & PF_PRESENT))
		return;
	trap_show_frame("unexpected trap", f);
	minnow_shutdown(PVISOR_SHUTDOWN_CRASH);
}

/* The module would not resume a frame (its rip outside the window?). */
void trap_iret_failed(void);
void trap_iret_failed(void)
{
	printk("minnow: iret refused a trap frame\n");
	minnow_shutdown(PVISOR_SHUTDOWN_CRASH);
}
