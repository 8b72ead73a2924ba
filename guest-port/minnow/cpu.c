// SPDX-License-Identifier: GPL-2.0
/*
 * The per-CPU areas and stack labels (cpu.h). Apart from smp.c, so that a
 * guest with one vCPU links none of the bring-up code.
 */

#include "cpu.h"

struct cpu cpus[MINNOW_MAX_CPUS];
u64 boot_stack_top;

void stack_label(void *base, struct cpu *cpu, struct thread *thread)
{
	struct stack_head *h = base;

	h->magic = STACK_MAGIC;
	h->cpu = cpu;
	h->thread = thread;
}

void cpu_init_boot(u64 boot_sp)
{
	boot_stack_top = boot_sp;
	cpus[0].id = 0;
	cpus[0].online = 1;
}
