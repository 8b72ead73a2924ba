// SPDX-License-Identifier: GPL-2.0
/*
 * Events and time end to end, through the real runner: event channels
 * bound in every way a single domain can bind them (an interdomain
 * channel looped back to itself, an IPI, the timer VIRQ), delivered
 * through the module's kick (SIGUSR1), the runner's bouncer and minnow's
 * event callback; masking per port and per vCPU; blocking; the one-shot
 * timer against the pvclock; and every bad input the event-channel
 * hypercall has.
 *
 * Delivery of an event the guest sends itself is synchronous: the kick
 * is a signal to the sending thread, taken as the SEND hypercall returns.
 * The checks nevertheless wait (up to WAIT_NS, polling with events
 * enabled) before they count, so that a late delivery shows as late and
 * not as lost, and a lost one cannot hang the guest. Waits are bounded by
 * the TSC too, in case the pvclock does not advance at all.
 *
 * Timer tolerances: a timer must never fire before its deadline (as the
 * pvclock tells it), and must fire while we spin without a hypercall
 * (only the module's kick can get it to us then). How late it is belongs
 * to the host, which may stop the vCPU for any time (QEMU's TCG on a
 * loaded machine does, for tens of milliseconds): it is reported, and
 * bounded only by WAIT_NS, a hang detector. For the same reason a check
 * that needs two steps to happen close together (arm, then re-arm before
 * the first deadline) makes sure they did, and else takes them again.
 *
 * selftests/pvisor/test_events_guest.sh turns the @@pvtest lines into TAP.
 */

#include <linux/errno.h>
#include <pvisor/event.h>
#include <pvisor/hypercall.h>

#include "../minnow/console.h"
#include "../minnow/events.h"
#include "../minnow/hypercall.h"
#include "../minnow/test.h"
#include "../minnow/time.h"
#include "../minnow/traps.h"

#define RUNNER_TEXT	0x400000ULL	/* the runner's code: outside */
#define WAIT_NS		(5 * NSEC_PER_SEC)
#define ATTEMPTS	50
#define NR_SENDS	1000

/* Per-port delivery counts and what the last delivery saw. */
static volatile u64 hits[NR_EVTCHN_PORTS];
static volatile u64 last_vector, last_rip, last_rax;
static volatile u8 last_mask;
static volatile bool last_had_frame;
static u32 ports[NR_EVTCHN_PORTS];

static void count_event(u32 port, struct pvisor_trap_frame *f, void *data)
{
	(void)data;
	hits[port]++;
	last_mask = this_vcpu_info()->evtchn_upcall_mask;
	last_had_frame = f != NULL;
	if (f) {
		last_vector = f->vector;
		last_rip = f->rip;
		last_rax = f->rax;
	}
}

/*
 * Poll, with events enabled, until *@counter reaches @target or @ns of
 * system time pass (or, should the pvclock stand still, many TSC ticks).
 */
static bool wait_count(volatile u64 *counter, u64 target, u64 ns)
{
	u64 end = pvclock_read() + ns, tsc0 = rdtsc_ordered();

	/*
	 * pvclock_read(), not monotonic_ns(): the latter's local_irq_restore()
	 * would deliver a pending event itself, and hide an upcall the
	 * module failed to make.
	 */
	while (*counter < target) {
		if (pvclock_read() > end ||
		    rdtsc_ordered() - tsc0 > 8 * ns + (1ULL << 31))
			return false;
		cpu_relax();
	}
	return true;
}

/* Let @ns pass with events enabled: for "nothing arrives" checks. */
static void spin_ns(u64 ns)
{
	u64 dummy = 0;

	wait_count(&dummy, 1, ns);
}

static struct pvisor_evtchn_status status_of(u32 port, long *ret)
{
	struct pvisor_evtchn_status st;

	memset(&st, 0xff, sizeof(st));
	st.port = port;
	*ret = evtchn_status(&st);
	return st;
}

static u64 us_of(u64 ns)
{
	return ns / NSEC_PER_USEC;
}

static void check_clock(void)
{
	volatile struct pvisor_vcpu_time_info *t = &this_vcpu_info()->time;
	u64 a, b, tsc0;

	guest_report(!(t->version & 1) && t->version && t->tsc_to_system_mul,
		     "the pvclock is published (version %u, mul %u, shift %d)",
		     t->version, t->tsc_to_system_mul, t->tsc_shift);
	a = pvclock_read();
	tsc0 = rdtsc_ordered();
	while (rdtsc_ordered() - tsc0 < (1ULL << 24))
		cpu_relax();
	b = pvclock_read();
	guest_report(b > a && a > 0, "the pvclock advances with the TSC "
		     "(%llu ns, then %llu ns)", a, b);
}

static void check_setup(void)
{
	struct pvisor_evtchn_status st;
	u32 port = 0;
	long ret;

	ret = events_init();
	guest_report(ret == 0, "set_callbacks registers the event callback "
		     "(%ld)", ret);
	GUEST_ASSERT(ret == 0);
	guest_report(!irqs_disabled(), "events are enabled after init");
	ret = time_init();
	guest_report(ret == 0 && time_timer_port() > 0,
		     "VIRQ_TIMER binds to vCPU 0 (%ld, port %u)", ret,
		     time_timer_port());
	GUEST_ASSERT(ret == 0);
	st = status_of(time_timer_port(), &ret);
	guest_report(ret == 0 && st.status == PVISOR_EVTCHNSTAT_VIRQ &&
		     st.virq == PVISOR_VIRQ_TIMER && st.vcpu == 0,
		     "status of the timer port: VIRQ %u on vCPU %u (%ld, "
		     "status %u)", st.virq, st.vcpu, ret, st.status);
	ret = evtchn_bind_virq(PVISOR_VIRQ_TIMER, 0, &port);
	guest_report(ret == -EEXIST, "binding VIRQ_TIMER twice is refused "
		     "(%ld)", ret);
	ret = evtchn_bind_virq(PVISOR_NR_VIRQS, 0, &port);
	guest_report(ret == -EINVAL, "bind_virq refuses virq %u (%ld)",
		     PVISOR_NR_VIRQS, ret);
	ret = evtchn_bind_virq(PVISOR_VIRQ_DEBUG, 1, &port);
	guest_report(ret == -EINVAL, "bind_virq refuses vCPU 1 of a 1-vCPU "
		     "domain (%ld)", ret);
}

/* The loopback pair: @a offered to ourselves, @b bound to it. */
static u32 lo_a, lo_b, ipi;

static void check_loopback(void)
{
	struct pvisor_evtchn_status st;
	u64 upcalls;
	u32 self;
	long ret;

	ret = evtchn_alloc_unbound(PVISOR_DOMID_SELF, &lo_a);
	guest_report(ret == 0 && lo_a > 0 && lo_a < NR_EVTCHN_PORTS,
		     "alloc_unbound offers a port to ourselves (%ld, port %u)",
		     ret, lo_a);
	GUEST_ASSERT(ret == 0);
	st = status_of(lo_a, &ret);
	/* Domain 0 in a call means "self"; status names us by our id. */
	guest_report(ret == 0 && st.status == PVISOR_EVTCHNSTAT_UNBOUND &&
		     st.remote_dom > 0,
		     "status of the offered port: unbound, for domain %u "
		     "(%ld, status %u)", st.remote_dom, ret, st.status);
	self = st.remote_dom;

	ret = evtchn_bind_interdomain(PVISOR_DOMID_SELF, lo_a, &lo_b);
	guest_report(ret == 0 && lo_b > 0 && lo_b != lo_a,
		     "bind_interdomain binds to it (%ld, port %u)", ret, lo_b);
	GUEST_ASSERT(ret == 0);
	st = status_of(lo_b, &ret);
	guest_report(ret == 0 && st.status == PVISOR_EVTCHNSTAT_INTERDOMAIN &&
		     st.remote_port == lo_a && st.remote_dom == self &&
		     st.vcpu == 0,
		     "status of the bound port: interdomain, remote port %u "
		     "of domain %u (%ld, status %u)", st.remote_port,
		     st.remote_dom, ret, st.status);
	st = status_of(lo_a, &ret);
	guest_report(ret == 0 && st.status == PVISOR_EVTCHNSTAT_INTERDOMAIN &&
		     st.remote_port == lo_b && st.remote_dom == self,
		     "status of the offered port: now interdomain, remote "
		     "port %u (%ld, status %u)", st.remote_port, ret,
		     st.status);

	bind_evtchn(lo_a, count_event, NULL);
	bind_evtchn(lo_b, count_event, NULL);
	upcalls = events_upcalls();
	last_vector = 0;
	ret = evtchn_send(lo_a);
	wait_count(&hits[lo_b], 1, WAIT_NS);
	spin_ns(NSEC_PER_MSEC);
	guest_report(ret == 0 && hits[lo_b] == 1 && hits[lo_a] == 0,
		     "send on port %u runs the handler of its peer %u once "
		     "(%ld; %llu and %llu deliveries)", lo_a, lo_b, ret,
		     hits[lo_b], hits[lo_a]);
	guest_report(events_upcalls() == upcalls + 1 && last_had_frame &&
		     last_vector == PVISOR_EVENT_VECTOR,
		     "it came through one upcall, frame vector %llu",
		     last_vector);
	guest_report(last_mask == 1, "the handler runs with "
		     "evtchn_upcall_mask set");
	guest_report(last_rip >= PVISOR_HYPERCALL_PAGE &&
		     last_rip < PVISOR_HYPERCALL_PAGE + PAGE_SIZE &&
		     last_rax == 0,
		     "the upcall interrupted SEND on its way back (rip 0x%llx, "
		     "rax %lld)", last_rip, (s64)last_rax);
	guest_report(!irqs_disabled() && !evtchn_is_pending(lo_b) &&
		     !this_vcpu_info()->evtchn_upcall_pending,
		     "after the upcall: events enabled, nothing pending");

	ret = evtchn_send(lo_b);
	wait_count(&hits[lo_a], 1, WAIT_NS);
	spin_ns(NSEC_PER_MSEC);
	guest_report(ret == 0 && hits[lo_a] == 1 && hits[lo_b] == 1,
		     "send on port %u runs the handler of port %u once (%ld)",
		     lo_b, lo_a, ret);
}

static void check_masking(void)
{
	volatile struct pvisor_vcpu_info *vi = this_vcpu_info();
	u64 before = hits[lo_b];
	long ret;
	int i;

	/* One port masked: the event stays pending, unannounced. */
	mask_evtchn(lo_b);
	for (i = 0; i < 3; i++)
		evtchn_send(lo_a);
	spin_ns(5 * NSEC_PER_MSEC);
	guest_report(hits[lo_b] == before && evtchn_is_pending(lo_b) &&
		     !vi->evtchn_upcall_pending,
		     "a masked port: three sends, no upcall, the pending bit "
		     "set");
	ret = evtchn_unmask_hypercall(lo_b);
	wait_count(&hits[lo_b], before + 1, WAIT_NS);
	spin_ns(NSEC_PER_MSEC);
	guest_report(ret == 0 && hits[lo_b] == before + 1 &&
		     !evtchn_is_masked(lo_b) && !evtchn_is_pending(lo_b),
		     "UNMASK delivers it exactly once (%ld, %llu deliveries)",
		     ret, hits[lo_b] - before);

	/* The same through minnow's helper. */
	before = hits[lo_b];
	mask_evtchn(lo_b);
	evtchn_send(lo_a);
	spin_ns(NSEC_PER_MSEC);
	unmask_evtchn(lo_b);
	wait_count(&hits[lo_b], before + 1, WAIT_NS);
	spin_ns(NSEC_PER_MSEC);
	guest_report(hits[lo_b] == before + 1,
		     "unmask_evtchn() delivers a masked event once (%llu)",
		     hits[lo_b] - before);

	/* Nothing pending: unmasking announces nothing. */
	before = hits[lo_b];
	mask_evtchn(lo_b);
	ret = evtchn_unmask_hypercall(lo_b);
	spin_ns(2 * NSEC_PER_MSEC);
	guest_report(ret == 0 && hits[lo_b] == before &&
		     !evtchn_is_masked(lo_b),
		     "UNMASK of a port with nothing pending delivers nothing "
		     "(%ld)", ret);

	/* Upcalls masked: announced, not delivered until "sti". */
	before = hits[lo_b];
	local_irq_disable();
	evtchn_send(lo_a);
	spin_ns(5 * NSEC_PER_MSEC);
	guest_report(hits[lo_b] == before && vi->evtchn_upcall_pending &&
		     evtchn_is_pending(lo_b),
		     "with evtchn_upcall_mask set: no upcall, "
		     "evtchn_upcall_pending set");
	local_irq_enable();
	wait_count(&hits[lo_b], before + 1, WAIT_NS);
	spin_ns(NSEC_PER_MSEC);
	guest_report(hits[lo_b] == before + 1 && !vi->evtchn_upcall_pending,
		     "clearing the mask delivers it exactly once (%llu)",
		     hits[lo_b] - before);
}

static void check_ipi(void)
{
	struct pvisor_evtchn_status st;
	u32 port = 0;
	long ret;

	ret = evtchn_bind_ipi(0, &ipi);
	guest_report(ret == 0 && ipi > 0, "bind_ipi for vCPU 0 (%ld, port %u)",
		     ret, ipi);
	GUEST_ASSERT(ret == 0);
	st = status_of(ipi, &ret);
	guest_report(ret == 0 && st.status == PVISOR_EVTCHNSTAT_IPI &&
		     st.vcpu == 0, "status of the IPI port: IPI to vCPU %u "
		     "(%ld, status %u)", st.vcpu, ret, st.status);
	bind_evtchn(ipi, count_event, NULL);
	ret = evtchn_send(ipi);
	wait_count(&hits[ipi], 1, WAIT_NS);
	spin_ns(NSEC_PER_MSEC);
	guest_report(ret == 0 && hits[ipi] == 1,
		     "an IPI to ourselves runs its handler once (%ld, %llu)",
		     ret, hits[ipi]);
	ret = evtchn_bind_ipi(1, &port);
	guest_report(ret == -EINVAL, "bind_ipi refuses vCPU 1 of a 1-vCPU "
		     "domain (%ld)", ret);

	ret = evtchn_bind_vcpu(lo_b, 0);
	guest_report(ret == 0, "bind_vcpu moves an interdomain port to vCPU 0 "
		     "(%ld)", ret);
	ret = evtchn_bind_vcpu(lo_b, 1);
	guest_report(ret == -EINVAL, "bind_vcpu refuses vCPU 1 (%ld)", ret);
	ret = evtchn_bind_vcpu(ipi, 0);
	guest_report(ret == -EINVAL, "bind_vcpu refuses an IPI port (%ld)",
		     ret);
	ret = evtchn_send(time_timer_port());
	guest_report(ret == -EINVAL, "send on a VIRQ port is refused (%ld)",
		     ret);
}

static void check_many_sends(void)
{
	u64 base = hits[ipi], upcalls = events_upcalls(), t0, t1;
	unsigned int i, late = 0, extra = 0, failed = 0;

	t0 = monotonic_ns();
	for (i = 0; i < NR_SENDS; i++) {
		if (evtchn_send(ipi))
			failed++;
		if (!wait_count(&hits[ipi], base + i + 1, WAIT_NS))
			late++;
		if (hits[ipi] > base + i + 1)
			extra++;
	}
	t1 = monotonic_ns();
	spin_ns(2 * NSEC_PER_MSEC);
	guest_report(!failed && !late && !extra &&
		     hits[ipi] == base + NR_SENDS,
		     "%u self-sends, each delivered exactly once (%llu "
		     "deliveries, %u failed, %u lost, %u extra)", NR_SENDS,
		     hits[ipi] - base, failed, late, extra);
	guest_report(events_upcalls() - upcalls == NR_SENDS,
		     "one upcall each (%llu upcalls; %llu us per send and "
		     "delivery)", events_upcalls() - upcalls,
		     us_of((t1 - t0) / NR_SENDS));
}

static void check_block(void)
{
	volatile struct pvisor_vcpu_info *vi = this_vcpu_info();
	u64 before = hits[ipi], timers = time_timer_events(), t0, t1, net;
	long ret;

	/*
	 * A safety net: should block sleep, the timer ends it, WAIT_NS
	 * later. Returning before it is returning at once.
	 */
	net = monotonic_ns() + WAIT_NS;
	hv_set_timer_op(net);
	local_irq_disable();
	evtchn_send(ipi);
	t0 = monotonic_ns();
	ret = hv_sched_block();
	t1 = monotonic_ns();
	guest_report(ret == 0 && t1 < net && time_timer_events() == timers,
		     "block with an event pending returns at once, not at the "
		     "timer (%ld, after %llu us)", ret, us_of(t1 - t0));
	guest_report(vi->evtchn_upcall_mask == 0,
		     "block opened evtchn_upcall_mask");
	local_irq_enable();
	wait_count(&hits[ipi], before + 1, WAIT_NS);
	spin_ns(NSEC_PER_MSEC);
	guest_report(hits[ipi] == before + 1, "the pending event is delivered "
		     "once after block (%llu)", hits[ipi] - before);
	hv_set_timer_op(0);

	/* Nothing pending: the timer wakes it. */
	timers = time_timer_events();
	local_irq_disable();
	t0 = monotonic_ns();
	hv_set_timer_op(t0 + 5 * NSEC_PER_MSEC);
	block_domain();
	t1 = monotonic_ns();
	guest_report(time_timer_events() == timers + 1 &&
		     t1 - t0 >= 5 * NSEC_PER_MSEC,
		     "block sleeps until a 5 ms timer wakes it (after %llu us)",
		     us_of(t1 - t0));
}

/* Poll until the timer has fired once more than @before, or @ns pass. */
static bool wait_timer(u64 before, u64 ns)
{
	u64 end = pvclock_read() + ns, tsc0 = rdtsc_ordered();

	while (time_timer_events() == before) {
		if (pvclock_read() > end ||
		    rdtsc_ordered() - tsc0 > 8 * ns + (1ULL << 31))
			return false;
		cpu_relax();
	}
	return true;
}

static void check_timer(void)
{
	u64 timers, t0, deadline, fired;
	unsigned int tries;
	bool in_time;
	long ret;

	timers = time_timer_events();
	t0 = monotonic_ns();
	deadline = t0 + 10 * NSEC_PER_MSEC;
	ret = hv_set_timer_op(deadline);
	wait_timer(timers, WAIT_NS);
	fired = time_last_timer_ns();
	guest_report(ret == 0 && time_timer_events() == timers + 1 &&
		     fired >= deadline && fired - deadline <= WAIT_NS,
		     "a 10 ms timer fires while we spin, never early: after "
		     "%llu us (%llu us late)", us_of(fired - t0),
		     fired >= deadline ? us_of(fired - deadline) : 0);
	spin_ns(20 * NSEC_PER_MSEC);
	guest_report(time_timer_events() == timers + 1,
		     "the timer is one-shot: it fired once (%llu)",
		     time_timer_events() - timers);

	/* Cancelled before its deadline (as below, else tried again). */
	for (tries = 0; tries < ATTEMPTS; tries++) {
		local_irq_disable();
		timers = time_timer_events();
		t0 = monotonic_ns();
		ret = hv_set_timer_op(t0 + 5 * NSEC_PER_MSEC);
		hv_set_timer_op(0);
		in_time = monotonic_ns() < t0 + 5 * NSEC_PER_MSEC;
		local_irq_enable();
		if (in_time)
			break;
		wait_timer(timers, 10 * NSEC_PER_MSEC);
	}
	spin_ns(30 * NSEC_PER_MSEC);
	guest_report(ret == 0 && in_time && time_timer_events() == timers,
		     "a cancelled timer does not fire (%u tries)", tries + 1);

	timers = time_timer_events();
	t0 = monotonic_ns();
	ret = hv_set_timer_op(1);
	wait_timer(timers, WAIT_NS);
	guest_report(ret == 0 && time_timer_events() == timers + 1,
		     "a deadline in the past fires at once (after %llu us)",
		     us_of(time_last_timer_ns() - t0));

	/*
	 * A second timer replaces the first: only if the re-arm came
	 * before the first deadline, with upcalls masked so that nothing
	 * runs in between; else the host stopped us there, and the
	 * first timer's event is taken and the pair tried again.
	 */
	for (tries = 0; tries < ATTEMPTS; tries++) {
		local_irq_disable();
		timers = time_timer_events();
		t0 = monotonic_ns();
		hv_set_timer_op(t0 + 5 * NSEC_PER_MSEC);
		hv_set_timer_op(t0 + 30 * NSEC_PER_MSEC);
		in_time = monotonic_ns() < t0 + 5 * NSEC_PER_MSEC;
		local_irq_enable();
		if (in_time)
			break;
		wait_timer(timers, WAIT_NS);
		spin_ns(40 * NSEC_PER_MSEC);
	}
	wait_timer(timers, WAIT_NS);
	spin_ns(10 * NSEC_PER_MSEC);
	guest_report(in_time && time_timer_events() == timers + 1 &&
		     time_last_timer_ns() >= t0 + 30 * NSEC_PER_MSEC,
		     "re-arming replaces the deadline (fired once, after %llu "
		     "us; %u tries)", us_of(time_last_timer_ns() - t0),
		     tries + 1);

	t0 = monotonic_ns();
	sleep_ns(20 * NSEC_PER_MSEC);
	fired = monotonic_ns() - t0;
	guest_report(fired >= 20 * NSEC_PER_MSEC &&
		     fired <= 20 * NSEC_PER_MSEC + WAIT_NS,
		     "sleep_ns(20 ms) sleeps, never short: %llu us",
		     us_of(fired));
}

static void check_close(void)
{
	struct pvisor_evtchn_status st;
	u64 before = hits[ipi];
	long ret;

	ret = evtchn_close(ipi);
	st = status_of(ipi, &ret);
	guest_report(ret == 0 && st.status == PVISOR_EVTCHNSTAT_CLOSED,
		     "close an IPI port: its status is closed (%ld, status %u)",
		     ret, st.status);
	ret = evtchn_send(ipi);
	spin_ns(2 * NSEC_PER_MSEC);
	guest_report(ret == -EINVAL && hits[ipi] == before,
		     "send on the closed port is refused, nothing delivered "
		     "(%ld)", ret);
	ret = evtchn_close(ipi);
	guest_report(ret == -EINVAL, "closing it again is refused (%ld)", ret);
	unbind_evtchn(ipi);

	before = hits[lo_a] + hits[lo_b];
	ret = evtchn_close(lo_b);
	guest_report(ret == 0, "close one end of the loopback pair (%ld)", ret);
	st = status_of(lo_a, &ret);
	guest_report(ret == 0 && st.status == PVISOR_EVTCHNSTAT_UNBOUND,
		     "its peer is unbound again (%ld, status %u)", ret,
		     st.status);
	ret = evtchn_send(lo_a);
	spin_ns(2 * NSEC_PER_MSEC);
	guest_report(ret == 0 && hits[lo_a] + hits[lo_b] == before &&
		     !evtchn_is_pending(lo_b),
		     "send on an unbound port goes nowhere (%ld)", ret);
	ret = evtchn_send(lo_b);
	guest_report(ret == -EINVAL, "send on the closed end is refused (%ld)",
		     ret);
	ret = evtchn_bind_interdomain(PVISOR_DOMID_SELF, lo_b, &ports[0]);
	guest_report(ret == -EINVAL, "bind_interdomain to a closed port is "
		     "refused (%ld)", ret);
	ret = evtchn_close(lo_a);
	guest_report(ret == 0, "close the other end (%ld)", ret);
	unbind_evtchn(lo_a);
	unbind_evtchn(lo_b);
}

static void check_bad_input(void)
{
	static const u32 bad_ports[] = { 0, NR_EVTCHN_PORTS, 4000, ~0U };
	struct pvisor_evtchn_status st;
	unsigned int i, wrong = 0;
	long ret;

	for (i = 0; i < ARRAY_SIZE(bad_ports); i++) {
		if (evtchn_send(bad_ports[i]) != -EINVAL)
			wrong++;
		if (evtchn_close(bad_ports[i]) != -EINVAL)
			wrong++;
		if (evtchn_unmask_hypercall(bad_ports[i]) != -EINVAL)
			wrong++;
		if (evtchn_bind_vcpu(bad_ports[i], 0) != -EINVAL)
			wrong++;
	}
	guest_report(!wrong, "send, close, unmask and bind_vcpu refuse ports "
		     "0, 4096, 4000 (never allocated) and 0xffffffff with "
		     "-EINVAL (%u wrong)", wrong);
	st = status_of(NR_EVTCHN_PORTS, &ret);
	guest_report(ret == -EINVAL, "status refuses port 4096 (%ld)", ret);
	st = status_of(0, &ret);
	guest_report(ret == 0 && st.status == PVISOR_EVTCHNSTAT_CLOSED,
		     "status of port 0 (never allocated): closed (%ld, status "
		     "%u)", ret, st.status);
	ret = evtchn_bind_interdomain(PVISOR_DOMID_SELF, 0, &ports[0]);
	guest_report(ret == -EINVAL, "bind_interdomain to port 0 is refused "
		     "(%ld)", ret);
	ret = evtchn_alloc_unbound(0x7ffe, &ports[0]);
	guest_report(ret < 0, "alloc_unbound for a domain that does not exist "
		     "is refused (%ld)", ret);
	ret = hv_event_channel_op(42, &st);
	guest_report(ret == -EINVAL || ret == -ENOSYS,
		     "an unknown event_channel_op command is refused (%ld)",
		     ret);
	ret = hv_event_channel_op(PVISOR_EVTCHNOP_STATUS, (void *)RUNNER_TEXT);
	guest_report(ret == -EFAULT, "an argument outside the window is "
		     "refused (%ld)", ret);
	ret = hv_event_channel_op(PVISOR_EVTCHNOP_SEND,
				  (void *)(PVISOR_GUEST_LIMIT - 2));
	guest_report(ret == -EFAULT, "an argument straddling the end of guest "
		     "memory is refused (%ld)", ret);
	ret = hv_set_callbacks(RUNNER_TEXT);
	guest_report(ret == -EINVAL, "set_callbacks refuses an entry outside "
		     "the window (%ld)", ret);
}

static void check_exhaustion(void)
{
	unsigned int n = 0, i, bad_close = 0, dup = 0;
	long ret, last = 0;
	u32 port;

	/* Only the timer's port and the xenstore ring's are open now. */
	while (n < NR_EVTCHN_PORTS) {
		last = evtchn_alloc_unbound(PVISOR_DOMID_SELF, &port);
		if (last)
			break;
		if (port == 0 || port >= NR_EVTCHN_PORTS ||
		    port == time_timer_port() || port == start_info->store_evtchn)
			dup++;
		ports[n++] = port;
	}
	guest_report(last == -ENOSPC &&
		     n == NR_EVTCHN_PORTS - 2 - !!start_info->store_evtchn && !dup,
		     "alloc_unbound runs out with -ENOSPC after %u ports "
		     "(%ld; port 0, the timer's and the store's are the others; "
		     "%u bad)",
		     n, last, dup);
	for (i = 0; i < n; i++)
		if (evtchn_close(ports[i]))
			bad_close++;
	guest_report(!bad_close, "all %u close again (%u failed)", n,
		     bad_close);
	ret = evtchn_alloc_unbound(PVISOR_DOMID_SELF, &port);
	guest_report(ret == 0 && port == ports[0],
		     "afterwards the first port is free again (%ld, port %u)",
		     ret, port);
	if (!ret)
		evtchn_close(port);
}

void minnow_main(void)
{
	long ret = trap_init();

	GUEST_ASSERT(ret == 0);
	check_setup();
	check_clock();
	check_loopback();
	check_masking();
	check_ipi();
	check_many_sends();
	check_block();
	check_timer();
	check_close();
	check_bad_input();
	check_exhaustion();
	guest_report(events_unhandled() == 0, "no event arrived on a port "
		     "without a handler (%llu)", events_unhandled());
	guest_done();
}
