// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual and real time.
 *
 * A guest reads system time (ns since its domain was created) without a
 * hypercall: its vcpu_time_info holds a TSC timestamp, the system time at
 * that moment, and a multiplier and shift that turn TSC ticks into ns
 * (the pvclock scheme). The version field is odd while the module writes
 * it, so a guest retries a torn read.
 *
 * Why system time is a pure function of the TSC. The guest extrapolates
 * between refreshes with our fixed mul and shift. If a refresh took its
 * system time from the host's CLOCK_MONOTONIC, which NTP slews and which
 * need not even run on the TSC, the new value could land behind what the
 * guest had already extrapolated, and guest time would step back. So a
 * domain's system time is defined as scale(tsc - boot_tsc) with the one
 * scale the guest uses too: every refresh lies on the same line, and
 * refreshes never move time, only shorten the extrapolation. (KVM's
 * master clock makes the same choice.) Host timers run on
 * CLOCK_MONOTONIC, so a deadline is converted into a host instant, from
 * the two clocks read together, when it is armed; the two clocks differ by at most NTP's slew (500 ppm),
 * which can make a timer fire a few microseconds per millisecond early or
 * late, as any guest must tolerate from a clock event device.
 *
 * The wall clock in shared_info is "real time at system time 0". It is
 * recomputed at every refresh and republished when it has moved by more
 * than WALLCLOCK_SLOP: after the host's clock is set, and as NTP slews
 * real time against the TSC.
 *
 * Each vCPU has a one-shot timer (SET_TIMER_OP, or vcpu_op's single-shot
 * timer) and a periodic one (vcpu_op), both hrtimers raising VIRQ_TIMER
 * on that vCPU from softirq context. A one-shot deadline that has already
 * passed is raised at once in the calling thread: it costs the host no
 * clock-event reprogramming and no softirq, however often a guest asks.
 *
 * Locking: a vCPU's time_info is written only by its own thread. The
 * wall clock may be republished by any vCPU thread: the domain's
 * time.wc_lock (a spinlock, innermost, never taken from softirq context)
 * serialises the writers.
 */

#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/preempt.h>
#include <linux/timekeeping.h>
#include <asm/msr.h>
#include <asm/tsc.h>
#include <pvisor/event.h>

#include "domain.h"
#include "evtchn.h"
#include "hypercall.h"
#include "time.h"

/* How far the published wall clock may drift before it is rewritten. */
#define WALLCLOCK_SLOP_NS	NSEC_PER_MSEC

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

/* The guest's own formula: a TSC interval in ns. */
static u64 tsc_delta_to_ns(u64 delta)
{
	if (tsc_shift < 0)
		delta >>= -tsc_shift;
	else
		delta <<= tsc_shift;
	return mul_u64_u32_shr(delta, tsc_mul, 32);
}

/* A domain's system time at host TSC value @tsc. */
static u64 system_time_at(const struct pvisor_domain *dom, u64 tsc)
{
	/* A TSC a little behind boot_tsc (another CPU's): time 0. */
	if ((s64)(tsc - dom->time.boot_tsc) <= 0)
		return 0;
	return tsc_delta_to_ns(tsc - dom->time.boot_tsc);
}

/** pvisor_time_init() - module load: the host's TSC rate */
int pvisor_time_init(void)
{
	if (!tsc_khz) {
		pr_err("no TSC frequency: pvclock cannot work\n");
		return -ENODEV;
	}
	if (!boot_cpu_has(X86_FEATURE_CONSTANT_TSC) ||
	    !boot_cpu_has(X86_FEATURE_NONSTOP_TSC))
		pr_warn("the TSC is not invariant: guest time may drift\n");
	compute_tsc_scale((u64)tsc_khz * 1000);
	return 0;
}

/*
 * Real time at system time 0, as of now. TSC and real time are read
 * with interrupts off so that nothing comes between them.
 */
static s64 wallclock_base_ns(const struct pvisor_domain *dom)
{
	unsigned long flags;
	u64 tsc;
	s64 real;

	local_irq_save(flags);
	tsc = rdtsc_ordered();
	real = ktime_get_real_ns();
	local_irq_restore(flags);
	return real - (s64)system_time_at(dom, tsc);
}

/* Write the wall clock into shared_info. Caller holds time.wc_lock. */
static void publish_wallclock(struct pvisor_domain *dom, s64 base_ns)
{
	struct pvisor_shared_info *si = pvisor_shared_info(dom);
	struct timespec64 wall = ns_to_timespec64(base_ns);
	u32 version = READ_ONCE(si->wc_version);

	/* Odd while updating; the guest could have scribbled an odd value. */
	WRITE_ONCE(si->wc_version, version | 1);
	smp_wmb();
	WRITE_ONCE(si->wc_sec, (u32)wall.tv_sec);
	WRITE_ONCE(si->wc_sec_hi, (u32)(wall.tv_sec >> 32));
	WRITE_ONCE(si->wc_nsec, wall.tv_nsec);
	smp_wmb();
	WRITE_ONCE(si->wc_version, (version | 1) + 1);
	dom->time.wc_base_ns = base_ns;
}

/* Republish the wall clock if real time has moved against system time. */
static void refresh_wallclock(struct pvisor_domain *dom)
{
	s64 base = wallclock_base_ns(dom);
	s64 drift = base - READ_ONCE(dom->time.wc_base_ns);

	if (drift <= WALLCLOCK_SLOP_NS && drift >= -WALLCLOCK_SLOP_NS)
		return;
	spin_lock(&dom->time.wc_lock);
	publish_wallclock(dom, base);
	spin_unlock(&dom->time.wc_lock);
}

/** pvisor_time_init_domain() - set system time 0 and the wall clock */
void pvisor_time_init_domain(struct pvisor_domain *dom)
{
	spin_lock_init(&dom->time.wc_lock);
	dom->time.boot_tsc = rdtsc_ordered();
	spin_lock(&dom->time.wc_lock);
	publish_wallclock(dom, wallclock_base_ns(dom));
	spin_unlock(&dom->time.wc_lock);
}

/**
 * pvisor_time_now() - a domain's system time now, in ns
 * @dom: the domain
 *
 * The same value a guest computes from its pvclock at this instant.
 */
u64 pvisor_time_now(const struct pvisor_domain *dom)
{
	return system_time_at(dom, rdtsc_ordered());
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
 *
 * Also republishes the domain's wall clock if it has moved.
 */
void pvisor_time_update(struct pvisor_vcpu *vcpu)
{
	struct pvisor_domain *dom = vcpu->dom;
	struct pvisor_vcpu_time_info *t =
		&pvisor_shared_info(dom)->vcpu_info[vcpu->id].time;
	u32 version = READ_ONCE(t->version);
	u64 tsc;

	/* Keep the odd-version window short: no preemption inside it. */
	preempt_disable();
	/* Odd while updating; the guest could have scribbled an odd value. */
	WRITE_ONCE(t->version, version | 1);
	smp_wmb();
	tsc = rdtsc_ordered();
	WRITE_ONCE(t->tsc_timestamp, tsc);
	WRITE_ONCE(t->system_time, system_time_at(dom, tsc));
	WRITE_ONCE(t->tsc_to_system_mul, tsc_mul);
	WRITE_ONCE(t->tsc_shift, tsc_shift);
	smp_wmb();
	WRITE_ONCE(t->version, (version | 1) + 1);
	preempt_enable();

	refresh_wallclock(dom);
}

/**
 * pvisor_time_set_oneshot() - VIRQ_TIMER at a system time, or never
 * @vcpu: the calling vCPU, from its own thread
 * @deadline: system time in ns; 0 cancels; the past fires at once
 *
 * A deadline that has passed raises the VIRQ here, synchronously: the
 * caller's own hypercall return delivers it, and a guest that loops on
 * past deadlines pays only for its own hypercalls.
 */
long pvisor_time_set_oneshot(struct pvisor_vcpu *vcpu, u64 deadline)
{
	u64 left, guest_now, host_now;
	unsigned long flags;

	if (!deadline) {
		hrtimer_try_to_cancel(&vcpu->timer);
		return 0;
	}
	/*
	 * The host instant that corresponds to the deadline, from a guest
	 * and a host clock read together: armed as an absolute time, a
	 * timer keeps its place among the others however late its thread
	 * gets to arm it.
	 */
	local_irq_save(flags);
	guest_now = pvisor_time_now(vcpu->dom);
	host_now = ktime_get_ns();
	local_irq_restore(flags);
	if (deadline <= guest_now) {
		hrtimer_try_to_cancel(&vcpu->timer);
		pvisor_evtchn_raise_virq(vcpu, PVISOR_VIRQ_TIMER);
		return 0;
	}
	/* Clamp: a deadline past the end of time is "never" for us too. */
	left = min_t(u64, deadline - guest_now, KTIME_MAX - host_now);
	hrtimer_start(&vcpu->timer, ns_to_ktime(host_now + left),
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
	u64 now = pvisor_time_now(vcpu->dom);

	return deadline > now ? deadline - now : 0;
}
