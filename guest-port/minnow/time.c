// SPDX-License-Identifier: GPL-2.0
/*
 * Time: reading the pvclock, the timer VIRQ, sleeping. See time.h.
 */

#include <linux/errno.h>
#include <pvisor/event.h>

#include "events.h"
#include "time.h"

static volatile u64 nr_timer_events, last_timer_ns;
static u64 last_ns;
static void (*timer_hook)(struct pvisor_trap_frame *frame);

/* (delta << shift) * mul >> 32, without losing the top bits. */
static u64 scale_delta(u64 delta, u32 mul, int8_t shift)
{
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return (u64)(((unsigned __int128)delta * mul) >> 32);
}

u64 pvclock_read(void)
{
	volatile struct pvisor_vcpu_time_info *t = &this_vcpu_info()->time;
	u64 tsc, stamp, system_time;
	u32 version, mul;
	int8_t shift;

	do {
		version = t->version;
		barrier();	/* x86 keeps loads in order; the compiler must */
		stamp = t->tsc_timestamp;
		system_time = t->system_time;
		mul = t->tsc_to_system_mul;
		shift = t->tsc_shift;
		tsc = rdtsc_ordered();
		barrier();
	} while ((version & 1) || version != t->version);

	/* A TSC a little behind the stamp (another CPU's): no time yet. */
	if ((s64)(tsc - stamp) <= 0)
		return system_time;
	return system_time + scale_delta(tsc - stamp, mul, shift);
}

/* Every vCPU's clock, and handlers, move one maximum forward. */
u64 monotonic_ns(void)
{
	u64 now = pvclock_read();
	u64 last = __atomic_load_n(&last_ns, __ATOMIC_RELAXED);

	do {
		if (now <= last)
			return last;
	} while (!__atomic_compare_exchange_n(&last_ns, &last, now, false,
					      __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return now;
}

static void timer_event(u32 port, struct pvisor_trap_frame *frame,
			void *data)
{
	struct cpu *c = data;

	(void)port;
	last_timer_ns = monotonic_ns();
	__atomic_add_fetch(&nr_timer_events, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&c->timer_events, 1, __ATOMIC_RELAXED);
	if (timer_hook && frame)
		timer_hook(frame);
}

long time_init(void)
{
	struct cpu *c = this_cpu();
	u32 port;
	long ret;

	ret = evtchn_bind_virq(PVISOR_VIRQ_TIMER, c->id, &port);
	if (ret)
		return ret;
	ret = bind_evtchn(port, timer_event, c);
	if (ret)
		return ret;
	c->timer_port = port;
	return 0;
}

u32 time_timer_port(void)
{
	return this_cpu()->timer_port;
}

void time_set_tick_hook(void (*hook)(struct pvisor_trap_frame *frame))
{
	timer_hook = hook;
}

u64 time_timer_events(void)
{
	return nr_timer_events;
}

u64 time_last_timer_ns(void)
{
	return last_timer_ns;
}

void sleep_until(u64 deadline)
{
	for (;;) {
		local_irq_disable();
		/*
		 * Checked under the mask: a timer that fires after this stays
		 * pending, and SCHEDOP_BLOCK returns at once.
		 */
		if (monotonic_ns() >= deadline) {
			local_irq_enable();
			return;
		}
		hv_set_timer_op(deadline);
		block_domain();
	}
}

void sleep_ns(u64 ns)
{
	sleep_until(monotonic_ns() + ns);
}

void idle_until(u64 deadline)
{
	local_irq_disable();
	if (deadline)
		hv_set_timer_op(deadline);
	block_domain();
}
