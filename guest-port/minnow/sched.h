/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Threads: a preemptive round-robin scheduler on vCPU 0, driven by
 * VIRQ_TIMER.
 *
 * A thread's context, while it does not run, is a struct
 * pvisor_trap_frame on its own stack, and resuming it is the iret
 * hypercall, so both ways a thread stops running end in the event
 * callback's exit path (event_entry.S):
 *
 * - Preemption. sched_init() starts a periodic VIRQ_TIMER (vcpu_op
 *   SET_PERIODIC_TIMER) and installs the tick hook (time.c). The tick
 *   wakes the sleepers whose time has come and asks for a switch when
 *   the running thread has had its slice and someone else is runnable,
 *   or when a sleeper woke. At the end of that upcall the exit hook
 *   (events.c) keeps the frame the module pushed as the preempted
 *   thread's context and hands the exit path the next thread's frame.
 *
 * - A voluntary switch (yield, sleep, join, exit). sched_switch()
 *   (sched_entry.S) builds a frame on the caller's stack that resumes as
 *   if it had returned, and joins the same exit path.
 *
 * The exit path moves rsp to the frame it resumes before it opens the
 * upcall mask, so an upcall that lands before the iret is taken on the
 * resumed thread's stack, on behalf of that thread.
 *
 * Every thread but the boot thread has a 16 KiB labelled stack (cpu.h)
 * with its struct thread just above the label; the boot thread keeps
 * the builder's boot stack. The idle thread runs when nothing else can:
 * it masks upcalls, checks the run queue and blocks (SCHEDOP_BLOCK). A
 * thread that exits stays a zombie until thread_join() gives its stack
 * back to the page allocator.
 *
 * vCPU 0 only: the run queue and the sleepers are guarded by masking
 * upcalls, which is a lock only on one vCPU. Threads are created,
 * scheduled and joined there; other vCPUs keep smp.c's idle loop.
 */
#ifndef MINNOW_SCHED_H
#define MINNOW_SCHED_H

/* struct pvisor_trap_frame's offsets, for sched_entry.S (checked in C). */
#define FRAME_VECTOR	0
#define FRAME_R15	24
#define FRAME_R14	32
#define FRAME_R13	40
#define FRAME_R12	48
#define FRAME_RBP	56
#define FRAME_RBX	64
#define FRAME_RAX	136
#define FRAME_RIP	144
#define FRAME_RFLAGS	160
#define FRAME_RSP	168
#define FRAME_SIZE	184

/* The vector a voluntary switch writes in its frame (events use 256). */
#define SCHED_SWITCH_VECTOR	257

#ifndef __ASSEMBLER__

#include <pvisor/hypercall.h>

#include "cpu.h"
#include "lib.h"
#include "time.h"

#define SCHED_TICK_NS		(10 * NSEC_PER_MSEC)
#define SCHED_SLICE_NS		SCHED_TICK_NS

enum thread_state {
	THREAD_RUNNING,
	THREAD_RUNNABLE,	/* on the run queue (idle: never queued) */
	THREAD_SLEEPING,	/* on the sleepers' list, until its deadline */
	THREAD_BLOCKED,		/* in thread_join(), until the target exits */
	THREAD_DEAD,		/* exited; thread_join() reaps it */
};

struct thread {
	struct pvisor_trap_frame *frame;	/* its context, not running */
	struct thread *next;		/* run queue or sleepers */
	struct thread *joiner;		/* blocked in thread_join() on us */
	void (*fn)(void *arg);
	void *arg;
	u64 deadline;			/* sleeping until this system time */
	u64 slice_start;		/* when it last started running */
	u64 runs;			/* times it was switched to */
	u64 stack_pfn;			/* MM_NO_PAGE: the boot stack */
	u32 id;
	enum thread_state state;
};

/*
 * Make the calling code the boot thread, create the idle thread, install
 * the tick and exit hooks and start a periodic VIRQ_TIMER every
 * @tick_ns. On vCPU 0, after events_init() and time_init(). Returns 0,
 * -EINVAL (not vCPU 0, or a period the module refuses: below
 * PVISOR_TIMER_MIN_PERIOD), -EBUSY (already running), -ENOMEM.
 */
long sched_init(u64 tick_ns);

/*
 * A new runnable thread running @fn(@arg), at the end of the run queue;
 * when @fn returns the thread exits. NULL when @fn is NULL, the
 * scheduler is not running on this vCPU, or there is no memory for a
 * stack.
 */
struct thread *thread_create(void (*fn)(void *arg), void *arg);

/* The running thread (NULL before sched_init() or on another vCPU). */
struct thread *thread_self(void);

/*
 * Let the other runnable threads run first. The voluntary switches below
 * may be called with upcalls masked (to check a condition and sleep
 * without losing a wake-up, as with SCHEDOP_BLOCK) and return with them
 * enabled.
 */
void thread_yield(void);

/*
 * Sleep until system time @deadline (never less; late by the tick and
 * by other threads' slices at most, as the host delivers the timer).
 * Other threads run meanwhile.
 */
void thread_sleep_until(u64 deadline);
void thread_sleep_ns(u64 ns);

/* End the calling thread; thread_join() reaps it. */
void thread_exit(void) __attribute__((noreturn));

/*
 * Wait until @t has exited and give its stack back to the page
 * allocator; @t is gone afterwards. Returns 0, -EINVAL (NULL, the
 * caller, the boot or idle thread, or no scheduler here) or -EBUSY
 * (another thread joins it already).
 */
long thread_join(struct thread *t);

/* Counters, for tests: ticks seen, switches to another thread, and
 * how many of those were preemptions; threads alive (boot and idle
 * included, zombies until joined). */
u64 sched_ticks(void);
u64 sched_switches(void);
u64 sched_preemptions(void);
unsigned int sched_nr_threads(void);

/* Called by sched_entry.S only. */
void sched_switch(void);
struct pvisor_trap_frame *sched_switch_frame(struct pvisor_trap_frame *f);

#endif /* __ASSEMBLER__ */
#endif /* MINNOW_SCHED_H */
