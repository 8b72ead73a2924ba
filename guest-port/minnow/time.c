// SPDX-License-Identifier: GPL-2.0
/*
 * Time: reading the pvclock, the timer VIRQ, sleeping. See time.h.
 */

#include <linux/errno.h>
#include <pvisor/event.h>

#include "events.h"
#include "time.h"

static u32 timer_port;
static volatile u64 nr_timer_events, last_timer_ns;
static u64 last_ns;

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

u64 monotonic_ns(void)
{
	unsigned long flags = local_irq_save();
	u64 now = pvclock_read();

	if (now < last_ns)
		now = last_ns;
	last_ns = now;
	local_irq_restore(flags);
	return now;
}

static void timer_event(u32 port, struct pvisor_trap_frame *frame,
			void *data)
{
	(void)port;
	(void)frame;
	(void)data;
	last_timer_ns = monotonic_ns();
	nr_timer_events++;
}

long time_init(void)
{
	long ret;

	ret = evtchn_bind_virq(PVISOR_VIRQ_TIMER, 0, &timer_port);
	if (ret)
		return ret;
	return bind_evtchn(timer_port, timer_event, NULL);
}

u32 time_timer_port(void)
{
	return timer_port;
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
