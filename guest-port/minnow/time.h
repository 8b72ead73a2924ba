/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Time: system time from the vCPU's pvclock (vcpu_time_info in the
 * shared_info page), the one-shot timer (SET_TIMER_OP, delivered as
 * VIRQ_TIMER) and sleeping on it.
 *
 * System time is nanoseconds since the domain was created. The module
 * publishes (tsc_timestamp, system_time, tsc_to_system_mul, tsc_shift)
 * and refreshes them when the vCPU starts, at each upcall and when a
 * block returns; between refreshes the guest extrapolates with rdtsc:
 *
 *   ns = system_time + (((tsc - tsc_timestamp) << tsc_shift)
 *                       * tsc_to_system_mul) >> 32
 *
 * (a negative tsc_shift shifts right). The version is odd while the
 * module writes, and changes with every update: a reader retries until
 * it saw the same even version before and after.
 */
#ifndef MINNOW_TIME_H
#define MINNOW_TIME_H

#include <pvisor/event.h>

#include "hypercall.h"
#include "lib.h"

#define NSEC_PER_USEC	1000ULL
#define NSEC_PER_MSEC	1000000ULL
#define NSEC_PER_SEC	1000000000ULL

static inline u64 rdtsc_ordered(void)
{
	u32 lo, hi;

	asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((u64)hi << 32) | lo;
}

/* One consistent read of the pvclock: system time now, in ns. */
u64 pvclock_read(void);

/*
 * System time that never goes backwards, even when a refresh of the
 * pvclock lands a little behind the previous extrapolation.
 */
u64 monotonic_ns(void);

/* SET_TIMER_OP: a one-shot VIRQ_TIMER at @deadline (system time); 0
 * cancels. Returns 0 or a negative errno. */
static inline long hv_set_timer_op(u64 deadline)
{
	return hypercall1(PVISOR_HC_SET_TIMER_OP, deadline);
}

/*
 * Bind VIRQ_TIMER to the calling vCPU with time's handler (events_init()
 * or events_init_cpu() first). Each vCPU has its own timers. Returns 0
 * or the binding's error.
 */
long time_init(void);

/* The calling vCPU's VIRQ_TIMER port (0 before time_init() there). */
u32 time_timer_port(void);

/*
 * Have every VIRQ_TIMER event that arrives through an upcall call
 * @hook(frame) after it is counted, with the interrupted context's frame
 * (the scheduler's tick, sched.c). NULL removes it.
 */
void time_set_tick_hook(void (*hook)(struct pvisor_trap_frame *frame));

/* How many VIRQ_TIMER events have arrived (all vCPUs; each vCPU's count
 * is in its struct cpu), and the system time of the last one's
 * delivery. */
u64 time_timer_events(void);
u64 time_last_timer_ns(void);

/*
 * Sleep until system time @deadline: arm the timer, block, repeat until
 * the clock says so. Other events are delivered meanwhile. Uses (and
 * leaves disarmed or fired) the one timer. Call with events enabled.
 */
void sleep_until(u64 deadline);
void sleep_ns(u64 ns);

/*
 * Idle until any event (or the timer at @deadline, unless 0) arrives:
 * one block, for schedulers and polling loops. Call with events enabled.
 */
void idle_until(u64 deadline);

#endif /* MINNOW_TIME_H */
