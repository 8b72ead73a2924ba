// SPDX-License-Identifier: GPL-2.0
/*
 * Per-domain counters and the tracepoints beside them (trace.h).
 *
 * The paths that count call in here: the hypercall entry (hypercall.c,
 * once per crossing, so a multicall is one), an event channel send
 * (evtchn.c), a port made pending in the target (evtchn.c's
 * mark_pending, when the bit was clear: coalesced sends count once) and
 * a fault on the guest window the module handled (window.c). Counting is
 * one atomic64 add on the domain, with no lock; the tracepoints cost a
 * static branch while nobody listens. Readers (DOMAIN_GET) see each
 * counter on its own, not a snapshot of all four.
 */

#include <net/genetlink.h>
#include <pvisor/netlink.h>

#include "domain.h"
#include "stats.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/**
 * pvisor_stats_hypercall() - a guest hypercall returned
 * @dom: its domain
 * @vcpu: the calling vCPU
 * @nr: the hypercall number
 * @ret: what it returned
 */
void pvisor_stats_hypercall(struct pvisor_domain *dom, u32 vcpu, u64 nr,
			    long ret)
{
	atomic64_inc(&dom->stats.hypercalls);
	trace_pvisor_hypercall(dom->id, vcpu, nr, ret);
}

/**
 * pvisor_stats_event_sent() - @dom sent on @port, to a peer or itself
 * @dom: the sender
 * @port: its port
 * @remote_domid: the domain notified (0: Domain0)
 * @remote_port: that domain's port (0 for Domain0's end)
 */
void pvisor_stats_event_sent(struct pvisor_domain *dom, u32 port,
			     u32 remote_domid, u32 remote_port)
{
	atomic64_inc(&dom->stats.events_sent);
	trace_pvisor_evtchn_send(dom->id, port, remote_domid, remote_port);
}

/**
 * pvisor_stats_event_delivered() - @port became pending in @dom
 * @dom: the domain notified
 * @port: its port
 * @vcpu: the vCPU the port notifies
 *
 * Any context, under no lock or the evtchn_lock.
 */
void pvisor_stats_event_delivered(struct pvisor_domain *dom, u32 port,
				  u32 vcpu)
{
	atomic64_inc(&dom->stats.events_delivered);
	trace_pvisor_evtchn_deliver(dom->id, port, vcpu);
}

/**
 * pvisor_stats_fault() - the module handled a fault on @dom's window
 * @dom: the domain
 * @address: the faulting window address
 * @write: a write fault
 * @result: the vm_fault_t it returned
 */
void pvisor_stats_fault(struct pvisor_domain *dom, u64 address, bool write,
			unsigned int result)
{
	atomic64_inc(&dom->stats.faults);
	trace_pvisor_fault(dom->id, address, write, result);
}

/* The domain's host CPU time: all its vCPUs', context threads included. */
static u64 cpu_time(struct pvisor_domain *dom)
{
	struct pvisor_vcpu_report report;
	u64 sum = 0;
	u32 i;

	for (i = 0; i < dom->nr_vcpus; i++) {
		pvisor_domain_vcpu_report(dom, i, &report);
		sum += report.cpu_time_ns;
	}
	return sum;
}

/**
 * pvisor_stats_fill() - put @dom's counters and CPU time in a message
 * @skb: a DOMAIN_GET reply or notification being built
 * @dom: the domain
 *
 * Return: 0 or -EMSGSIZE.
 */
int pvisor_stats_fill(struct sk_buff *skb, struct pvisor_domain *dom)
{
	const struct pvisor_stats *s = &dom->stats;

	if (nla_put_u64_64bit(skb, PVISOR_A_DOMAIN_CPU_TIME_NS, cpu_time(dom),
			      PVISOR_A_DOMAIN_PAD) ||
	    nla_put_u64_64bit(skb, PVISOR_A_DOMAIN_HYPERCALLS,
			      atomic64_read(&s->hypercalls), PVISOR_A_DOMAIN_PAD) ||
	    nla_put_u64_64bit(skb, PVISOR_A_DOMAIN_EVENTS_SENT,
			      atomic64_read(&s->events_sent), PVISOR_A_DOMAIN_PAD) ||
	    nla_put_u64_64bit(skb, PVISOR_A_DOMAIN_EVENTS_DELIVERED,
			      atomic64_read(&s->events_delivered),
			      PVISOR_A_DOMAIN_PAD) ||
	    nla_put_u64_64bit(skb, PVISOR_A_DOMAIN_FAULTS,
			      atomic64_read(&s->faults), PVISOR_A_DOMAIN_PAD))
		return -EMSGSIZE;
	return 0;
}
