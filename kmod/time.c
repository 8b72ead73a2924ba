// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual and real time.
 *
 * A guest reads system time (ns since its domain was created) without a
 * hypercall: its vcpu_time_info holds a TSC timestamp, the system time at
 * that moment, and a multiplier and shift that turn TSC ticks into ns
 * (the pvclock scheme). The module refreshes it when the vCPU starts, at
 * each event upcall and after each block; the version field is odd while
 * it does, so a guest retries a torn read. The wall clock at system time
 * 0 is in shared_info.
 *
 * Each vCPU has a one-shot timer (SET_TIMER_OP, or vcpu_op's single-shot
 * timer) and a periodic one (vcpu_op), both hrtimers raising VIRQ_TIMER
 * on that vCPU from softirq context.
 */

#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/timekeeping.h>
#include <asm/msr.h>
#include <asm/tsc.h>
#include <pvisor/event.h>

#include "domain.h"
#include "evtchn.h"
#include "hypercall.h"
#include "time.h"

/* ns = ((tsc_delta << shift, or >> -shift) * mul) >> 32 */
static u32 tsc_mul;
static s8 tsc_shift;

/*
 * Pick shift so that the TSC rate scaled by 2^shift lies in (1, 2] GHz;
 * then 1 GHz over it is in [0.5, 1), and mul = that ratio * 2^32 keeps 31
 * or 32 significant bits.
 */
static void compute_tsc_scale(u64 tsc_hz)
{
	u64 scaled = tsc_hz;
	s8 shift = 0;

	while (scaled <= NSEC_PER_SEC) {
		scaled <<= 1;
		shift++;
	}
	while (scaled > 2 * NSEC_PER_SEC) {
		scaled >>= 1;
		shift--;
	}
	tsc_shift = shift;
	tsc_mul = div64_u64((u64)NSEC_PER_SEC << 32, scaled);
}

/** pvisor_time_init() - module load: the host's TSC rate */
int pvisor_time_init(void)
{
	if (!tsc_khz) {
		pr_err("no TSC frequency: pvclock cannot work\n");
		return -ENODEV;
	}
	compute_tsc_scale((u64)tsc_khz * 1000);
	return 0;
}

/** pvisor_time_init_domain() - set system time 0 and the wall clock */
void pvisor_time_init_domain(struct pvisor_domain *dom)
{
	struct pvisor_shared_info *si = pvisor_shared_info(dom);
	struct timespec64 wall;

	ktime_get_real_ts64(&wall);
	dom->boot_ns = ktime_get_ns();
	si->wc_version = 1;
	si->wc_sec = (u32)wall.tv_sec;
	si->wc_sec_hi = (u32)(wall.tv_sec >> 32);
	si->wc_nsec = wall.tv_nsec;
	si->wc_version = 2;
}

static enum hrtimer_restart timer_fired(struct hrtimer *timer)
{
	struct pvisor_vcpu *vcpu = container_of(timer, struct pvisor_vcpu, timer);

	pvisor_evtchn_raise_virq(vcpu, PVISOR_VIRQ_TIMER);
	return HRTIMER_NORESTART;
}

static enum hrtimer_restart periodic_fired(struct hrtimer *timer)
{
	struct pvisor_vcpu *vcpu = container_of(timer, struct pvisor_vcpu,
						periodic);

	/* A dying domain's timers fire no more (domain.c). */
	if (pvisor_domain_dying(vcpu->dom))
		return HRTIMER_NORESTART;
	pvisor_evtchn_raise_virq(vcpu, PVISOR_VIRQ_TIMER);
	hrtimer_forward_now(timer, ns_to_ktime(READ_ONCE(vcpu->period_ns)));
	return HRTIMER_RESTART;
}

/** pvisor_time_init_vcpu() - a new vCPU's timers */
void pvisor_time_init_vcpu(struct pvisor_vcpu *vcpu)
{
	hrtimer_init(&vcpu->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_SOFT);
	vcpu->timer.function = timer_fired;
	hrtimer_init(&vcpu->periodic, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	vcpu->periodic.function = periodic_fired;
}

/** pvisor_time_stop_vcpu() - cancel its timers (process context) */
void pvisor_time_stop_vcpu(struct pvisor_vcpu *vcpu)
{
	hrtimer_cancel(&vcpu->timer);
	hrtimer_cancel(&vcpu->periodic);
}

/**
 * pvisor_time_set_periodic() - a periodic VIRQ_TIMER, or none
 * @vcpu: the calling vCPU
 * @period_ns: at least PVISOR_TIMER_MIN_PERIOD, or 0 to stop
 *
 * Return: 0, or -EINVAL for a period below the minimum (which would let
 * a guest make the host raise interrupts as fast as it can).
 */
long pvisor_time_set_periodic(struct pvisor_vcpu *vcpu, u64 period_ns)
{
	hrtimer_cancel(&vcpu->periodic);
	if (!period_ns) {
		WRITE_ONCE(vcpu->period_ns, 0);
		return 0;
	}
	if (period_ns < PVISOR_TIMER_MIN_PERIOD || period_ns > KTIME_MAX)
		return -EINVAL;
	WRITE_ONCE(vcpu->period_ns, period_ns);
	hrtimer_start(&vcpu->periodic, ns_to_ktime(period_ns),
		      HRTIMER_MODE_REL_SOFT);
	return 0;
}

/**
 * pvisor_time_update() - refresh a vCPU's vcpu_time_info
 * @vcpu: the vCPU, from its own thread
 */
void pvisor_time_update(struct pvisor_vcpu *vcpu)
{
	struct pvisor_vcpu_time_info *t =
		&pvisor_shared_info(vcpu->dom)->vcpu_info[vcpu->id].time;
	u32 version = READ_ONCE(t->version);

	/* Odd while updating; the guest could have scribbled an odd value. */
	WRITE_ONCE(t->version, (version | 1) + 0);
	smp_wmb();
	t->tsc_timestamp = rdtsc_ordered();
	t->system_time = ktime_get_ns() - vcpu->dom->boot_ns;
	t->tsc_to_system_mul = tsc_mul;
	t->tsc_shift = tsc_shift;
	smp_wmb();
	WRITE_ONCE(t->version, (version | 1) + 1);
}

/**
 * pvisor_time_set_oneshot() - VIRQ_TIMER at a system time, or never
 * @vcpu: the calling vCPU
 * @deadline: system time in ns; 0 cancels; the past fires at once
 */
long pvisor_time_set_oneshot(struct pvisor_vcpu *vcpu, u64 deadline)
{
	if (!deadline) {
		hrtimer_try_to_cancel(&vcpu->timer);
		return 0;
	}
	/* Clamp: a deadline past the end of time is "never" for us too. */
	deadline = min_t(u64, deadline, KTIME_MAX - vcpu->dom->boot_ns);
	hrtimer_start(&vcpu->timer, ns_to_ktime(vcpu->dom->boot_ns + deadline),
		      HRTIMER_MODE_ABS_SOFT);
	return 0;
}

/** pvisor_hc_set_timer_op() - set_timer_op(deadline_ns) */
long pvisor_hc_set_timer_op(struct pvisor_vcpu *vcpu,
			    const struct pvisor_hc_args *args)
{
	return pvisor_time_set_oneshot(vcpu, args->a[0]);
}

/**
 * pvisor_time_remaining() - how far away a system time is
 * @vcpu: a vCPU of the domain whose clock counts
 * @deadline: system time in ns
 *
 * Return: the ns left, 0 if it has passed.
 */
u64 pvisor_time_remaining(struct pvisor_vcpu *vcpu, u64 deadline)
{
	u64 now = ktime_get_ns() - vcpu->dom->boot_ns;

	return deadline > now ? deadline - now : 0;
}
