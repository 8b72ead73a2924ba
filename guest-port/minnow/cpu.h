/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-CPU area, and how code finds its own.
 *
 * A pvisor guest has no per-vCPU register it may load freely (no %gs
 * base without host help, no per-vCPU mappings: every vCPU runs on the
 * same host page table), so minnow finds "this CPU" the way i386 Linux
 * once found current_thread_info(): through the stack. Every stack minnow
 * runs on is STACK_SIZE bytes, aligned to STACK_SIZE, with a struct
 * stack_head at its lowest address naming the CPU (and, for scheduler
 * threads, the thread) that runs on it. Trap and event entries run on the
 * interrupted stack, so they see the same head. A secondary starts on a
 * stack smp_start() took from the page allocator and labelled; so does a
 * scheduler thread (sched.c). The one stack without a label is the
 * builder's boot stack, BOOT_STACK_SIZE bytes below the rsp vCPU 0
 * started with (Documentation/runner.rst): it is vCPU 0's, and known by
 * its range. (An aligned stack of vCPU 0's own in bss would be simpler,
 * but would make minnow's image 16 KiB larger.)
 */
#ifndef MINNOW_CPU_H
#define MINNOW_CPU_H

#include <pvisor/event.h>

#include "lib.h"

#define MINNOW_MAX_CPUS		PVISOR_SHARED_INFO_VCPUS
#define STACK_PAGES		4
#define STACK_SIZE		(STACK_PAGES * PAGE_SIZE)
#define STACK_MAGIC		0x6b63617473776f6eULL	/* "nowstack" */
#define BOOT_STACK_SIZE		(4 * PAGE_SIZE)		/* the builder's */

struct thread;

struct cpu {
	u32 id;				/* the vCPU, and vcpu_info's index */
	u32 ipi_port;			/* notifies this vCPU; 0: none yet */
	u32 timer_port;			/* its VIRQ_TIMER; 0: not bound */
	volatile u32 online;		/* set by the CPU itself, last */
	volatile u64 ipis;		/* IPIs received */
	volatile u64 timer_events;	/* VIRQ_TIMER events received */
	volatile u64 traps;		/* traps dispatched on this CPU */
	/* smp_call(): the work the CPU's idle loop picks up. */
	void (*volatile call_fn)(void *arg);
	void *volatile call_arg;
	volatile u64 calls_done;
	/* The scheduler's (sched.c): NULL until sched_init() on this CPU. */
	struct thread *current;
	struct thread *idle;
};

struct stack_head {
	u64 magic;			/* STACK_MAGIC */
	struct cpu *cpu;
	struct thread *thread;		/* NULL: not a scheduler thread */
};

extern struct cpu cpus[MINNOW_MAX_CPUS];
/* The top of the builder's boot stack, vCPU 0's. */
extern u64 boot_stack_top;

static inline struct stack_head *stack_head_of(u64 sp)
{
	return (struct stack_head *)(sp & ~(STACK_SIZE - 1));
}

static inline u64 current_sp(void)
{
	u64 sp;

	asm("mov %%rsp, %0" : "=r"(sp));
	return sp;
}

static inline bool on_boot_stack(u64 sp)
{
	return sp - (boot_stack_top - BOOT_STACK_SIZE) < BOOT_STACK_SIZE;
}

static inline struct stack_head *current_stack_head(void)
{
	return stack_head_of(current_sp());
}

static inline struct cpu *this_cpu(void)
{
	u64 sp = current_sp();

	return on_boot_stack(sp) ? &cpus[0] : stack_head_of(sp)->cpu;
}

static inline unsigned int smp_processor_id(void)
{
	return this_cpu()->id;
}

static inline void cpu_relax(void)
{
	asm volatile("pause" ::: "memory");
}

/*
 * A spinning lock for data several vCPUs share. Hold it with events
 * masked (local_irq_save()) when an event handler may take it too.
 */
typedef struct {
	volatile u32 locked;
} spinlock_t;

#define SPINLOCK_INIT	{ 0 }

static inline void spin_lock(spinlock_t *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked)
			cpu_relax();
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

/* Label the stack at @base (STACK_SIZE aligned) for @cpu and @thread. */
void stack_label(void *base, struct cpu *cpu, struct thread *thread);

/*
 * vCPU 0's per-CPU area, given the rsp it started with: minnow_start()'s
 * first act.
 */
void cpu_init_boot(u64 boot_sp);

#endif /* MINNOW_CPU_H */
