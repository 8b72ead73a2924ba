/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-domain counters (stats.c): what pvctl top shows as rates. Each is
 * an atomic64 bumped on its path, never reset; DOMAIN_GET reports them.
 */
#ifndef PVISOR_STATS_H
#define PVISOR_STATS_H

#include <linux/atomic.h>
#include <linux/types.h>

struct pvisor_domain;
struct sk_buff;

struct pvisor_stats {
	atomic64_t hypercalls;		/* guest crossings into the module */
	atomic64_t events_sent;		/* EVTCHNOP_SEND that reached a port */
	atomic64_t events_delivered;	/* ports made pending in this domain */
	atomic64_t faults;		/* window faults the module handled */
};

void pvisor_stats_hypercall(struct pvisor_domain *dom, u32 vcpu, u64 nr,
			    long ret);
void pvisor_stats_event_sent(struct pvisor_domain *dom, u32 port,
			     u32 remote_domid, u32 remote_port);
void pvisor_stats_event_delivered(struct pvisor_domain *dom, u32 port,
				  u32 vcpu);
void pvisor_stats_fault(struct pvisor_domain *dom, u64 address, bool write,
			unsigned int result);
int pvisor_stats_fill(struct sk_buff *skb, struct pvisor_domain *dom);

#endif /* PVISOR_STATS_H */
