// SPDX-License-Identifier: GPL-2.0
/*
 * A vCPU's life in the module: up and down (vcpu_op), sleeping until it
 * is up, blocking and polling (SCHEDOP_BLOCK, SCHEDOP_POLL), being kicked
 * or signalled into the module, and its own timers (time.c does the
 * work). Event channels (evtchn.c) decide that a vCPU must notice an
 * event; this file gets it to.
 *
 * The runner gives every vCPU a thread from the start; a vCPU that is not
 * up keeps its thread asleep in the module. RUN waits there until the
 * guest ups the vCPU, and a vCPU taken down is kicked and parks on its
 * next entry into the module (the kick's trap report) until it is up
 * again, then resumes where it was. Every such wait ends on any signal
 * and asks for the system call to be restarted afterwards, so pausing,
 * killing and event kicks all keep working; the waits have no side
 * effects to repeat.
 *
 * Locking: a vCPU's boot context, ready and up flags are written under
 * the domain's state_lock; the wait reads up locklessly and is woken on
 * the vCPU's wait queue.
 */

#include <linux/preempt.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <pvisor/hypercall.h>

#include "domain.h"
#include "evtchn.h"
#include "hypercall.h"
#include "runner.h"
#include "guest_addr.h"
#include "time.h"
#include "vcpu.h"

/**
 * pvisor_vcpu_wait_up() - sleep until the vCPU is up
 * @vcpu: a vCPU, from its own thread
 *
 * Return: 0 once up, or -ERESTARTNOINTR when a signal needs handling
 * first (the caller's system call is then restarted and waits again).
 */
long pvisor_vcpu_wait_up(struct pvisor_vcpu *vcpu)
{
	if (wait_event_interruptible(vcpu->wait, READ_ONCE(vcpu->up)))
		return -ERESTARTNOINTR;
	return 0;
}

/**
 * pvisor_vcpu_kick() - get a vCPU to notice a pending upcall
 * @vcpu: the vCPU; any context
 */
void pvisor_vcpu_kick(struct pvisor_vcpu *vcpu)
{
	wake_up_interruptible(&vcpu->wait);
	/*
	 * A vCPU asleep in SCHEDOP_BLOCK takes its upcall on the way out of
	 * the hypercall (pvisor_hypercall()); only one running guest code
	 * needs the signal. The sender set upcall_pending with a full
	 * barrier (xchg) before looking. The blocker sets and clears
	 * blocked with full barriers before it looks at upcall_pending, so
	 * whichever of the two comes second sees the other's write: either
	 * we see blocked clear and signal, or it sees the upcall pending.
	 */
	if (READ_ONCE(vcpu->blocked))
		return;
	/*
	 * Nor does one running guest user code: its runner thread sleeps in
	 * RUN_USER, woken above, and gets the context thread back itself
	 * (user_run.c). in_user follows the same barrier protocol as
	 * blocked.
	 */
	if (READ_ONCE(vcpu->in_user))
		return;
	/*
	 * Nor does the vCPU's own thread inside a hypercall (a send to
	 * itself): it checks on its way out. A timer's softirq may run on
	 * that thread while it is in guest code, hence in_task().
	 */
	if (in_task() && READ_ONCE(vcpu->task) == current)
		return;
	pvisor_vcpu_signal(vcpu);
}

/**
 * pvisor_vcpu_signal() - bring a vCPU's thread into the module
 * @vcpu: the vCPU; any context
 *
 * The SIGUSR1 the runner reports like a trap: it interrupts guest code
 * and any wait in the module. The kick uses it for running vCPUs; taking
 * a vCPU down (vcpu.c) needs it always, blocked or not, so the thread
 * comes in and parks.
 */
void pvisor_vcpu_signal(struct pvisor_vcpu *vcpu)
{
	struct pvisor_domain *dom = vcpu->dom;

	spin_lock_bh(&dom->state_lock);
	if (vcpu->task)
		send_sig(SIGUSR1, vcpu->task, 1);
	spin_unlock_bh(&dom->state_lock);
}

/**
 * pvisor_vcpu_block() - SCHEDOP_BLOCK: sleep until an event is pending
 * @vcpu: the calling vCPU
 *
 * Unmasks upcalls first, as Xen's block does, so the wake-up's upcall is
 * delivered on the way back to the guest. Any signal ends the sleep
 * (the kick is one; a pause or kill must not wait for an event).
 */
long pvisor_vcpu_block(struct pvisor_vcpu *vcpu)
{
	struct pvisor_vcpu_info *vi =
		&pvisor_shared_info(vcpu->dom)->vcpu_info[vcpu->id];

	WRITE_ONCE(vi->evtchn_upcall_mask, 0);
	/* say so before looking: pairs with the kick's xchg, then read */
	smp_store_mb(vcpu->blocked, true);
	wait_event_interruptible(vcpu->wait,
				 READ_ONCE(vi->evtchn_upcall_pending));
	/*
	 * Unsay it before the way out looks at upcall_pending again
	 * (pvisor_hypercall()): a sender that sets it and still reads
	 * blocked sends no signal, so that look must see its write. A
	 * plain store could wait in the store buffer past that load.
	 */
	smp_store_mb(vcpu->blocked, false);
	return 0;
}

/**
 * pvisor_vcpu_poll() - SCHEDOP_POLL: wait for particular ports
 * @vcpu: the calling vCPU
 * @uarg: its struct pvisor_sched_poll
 *
 * The ports may notify any vCPU: every event wakes the domain's pollers
 * (dom->poll_wait), and each looks at its own ports. The list is at most
 * PVISOR_POLL_PORTS_MAX long and the sleep ends on any signal, a fatal
 * one included.
 *
 * Return: 0 when a port is pending (or a signal needs the thread),
 * -ETIME at the timeout, -EFAULT, -EINVAL (too many or invalid ports).
 */
long pvisor_vcpu_poll(struct pvisor_vcpu *vcpu, u64 uarg)
{
	struct pvisor_domain *dom = vcpu->dom;
	struct pvisor_sched_poll poll;
	u32 ports[PVISOR_POLL_PORTS_MAX];
	unsigned int i;
	long ret;

	if (!pvisor_guest_range_ok(uarg, sizeof(poll)) ||
	    copy_from_user(&poll, (void __user *)uarg, sizeof(poll)))
		return -EFAULT;
	if (!poll.nr_ports || poll.nr_ports > PVISOR_POLL_PORTS_MAX)
		return -EINVAL;
	if (!pvisor_guest_range_ok(poll.ports, poll.nr_ports * sizeof(u32)) ||
	    copy_from_user(ports, (void __user *)poll.ports,
			   poll.nr_ports * sizeof(u32)))
		return -EFAULT;
	for (i = 0; i < poll.nr_ports; i++)
		if (!ports[i] || ports[i] >= PVISOR_NR_EVENT_CHANNELS)
			return -EINVAL;

	if (!poll.timeout) {
		wait_event_interruptible(dom->poll_wait,
					 pvisor_evtchn_any_pending(dom, ports, poll.nr_ports));
		return 0;
	}
	ret = wait_event_interruptible_hrtimeout(dom->poll_wait,
			pvisor_evtchn_any_pending(dom, ports, poll.nr_ports),
			ns_to_ktime(pvisor_time_remaining(vcpu, poll.timeout)));
	return ret == -ETIME ? -ETIME : 0;
}

static long vcpu_initialise(struct pvisor_domain *dom, struct pvisor_vcpu *v,
			    u64 uarg)
{
	struct pvisor_vcpu_start start;
	long ret = 0;

	if (!pvisor_guest_range_ok(uarg, sizeof(start)) ||
	    copy_from_user(&start, (void __user *)uarg, sizeof(start)))
		return -EFAULT;
	if (!pvisor_in_window(start.rip) ||
	    !pvisor_guest_range_ok(start.rsp - 8, 8) ||
	    start.pt_base_pfn >= dom->mem.nr_frames)
		return -EINVAL;

	spin_lock_bh(&dom->state_lock);
	if (v->up) {
		ret = -EBUSY;
	} else {
		v->boot.rip = start.rip;
		v->boot.rsp = start.rsp;
		v->boot.rsi = start.rdi;
		v->boot.pt_base_pfn = start.pt_base_pfn;
		v->ready = true;
	}
	spin_unlock_bh(&dom->state_lock);
	return ret;
}

static long vcpu_up(struct pvisor_domain *dom, struct pvisor_vcpu *v)
{
	long ret = 0;

	spin_lock_bh(&dom->state_lock);
	if (!v->ready)
		ret = -EINVAL;
	else
		WRITE_ONCE(v->up, true);
	spin_unlock_bh(&dom->state_lock);
	if (!ret)
		wake_up_interruptible(&v->wait);
	return ret;
}

/* Down: the signal brings the vCPU into the module, where it parks. */
static long vcpu_down(struct pvisor_domain *dom, struct pvisor_vcpu *v)
{
	spin_lock_bh(&dom->state_lock);
	WRITE_ONCE(v->up, false);
	spin_unlock_bh(&dom->state_lock);
	pvisor_vcpu_signal(v);
	return 0;
}

/* Its own timers only: a vCPU's timers raise VIRQs on that vCPU. */
static long vcpu_timer(struct pvisor_vcpu *vcpu, struct pvisor_vcpu *target,
		       u64 cmd, u64 uarg)
{
	struct pvisor_vcpu_timer timer = { 0 };

	if (target != vcpu)
		return -EINVAL;
	if (cmd == PVISOR_VCPUOP_SET_PERIODIC_TIMER ||
	    cmd == PVISOR_VCPUOP_SET_SINGLESHOT_TIMER) {
		if (!pvisor_guest_range_ok(uarg, sizeof(timer)) ||
		    copy_from_user(&timer, (void __user *)uarg, sizeof(timer)))
			return -EFAULT;
	}
	switch (cmd) {
	case PVISOR_VCPUOP_SET_PERIODIC_TIMER:
		return timer.ns ? pvisor_time_set_periodic(vcpu, timer.ns) :
				  -EINVAL;
	case PVISOR_VCPUOP_STOP_PERIODIC_TIMER:
		return pvisor_time_set_periodic(vcpu, 0);
	case PVISOR_VCPUOP_SET_SINGLESHOT_TIMER:
		return timer.ns ? pvisor_time_set_oneshot(vcpu, timer.ns) :
				  -EINVAL;
	default:
		return pvisor_time_set_oneshot(vcpu, 0);
	}
}

/**
 * pvisor_hc_vcpu_op() - vcpu_op(cmd, vcpu, arg)
 * @runner: the caller's runner
 * @vcpu: the calling vCPU
 * @args: a[0] the command, a[1] the target vCPU, a[2] its argument
 */
long pvisor_hc_vcpu_op(struct pvisor_runner *runner, struct pvisor_vcpu *vcpu,
		       const struct pvisor_hc_args *args)
{
	struct pvisor_domain *dom = runner->dom;
	struct pvisor_vcpu *target;

	if (args->a[1] >= dom->nr_vcpus)
		return -EINVAL;
	target = &dom->vcpus[args->a[1]];

	switch (args->a[0]) {
	case PVISOR_VCPUOP_INITIALISE:
		return vcpu_initialise(dom, target, args->a[2]);
	case PVISOR_VCPUOP_UP:
		return vcpu_up(dom, target);
	case PVISOR_VCPUOP_DOWN:
		return vcpu_down(dom, target);
	case PVISOR_VCPUOP_IS_UP:
		return READ_ONCE(target->up);
	case PVISOR_VCPUOP_SET_PERIODIC_TIMER:
	case PVISOR_VCPUOP_STOP_PERIODIC_TIMER:
	case PVISOR_VCPUOP_SET_SINGLESHOT_TIMER:
	case PVISOR_VCPUOP_STOP_SINGLESHOT_TIMER:
		return vcpu_timer(vcpu, target, args->a[0], args->a[2]);
	default:
		return -EINVAL;
	}
}
