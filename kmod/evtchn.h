/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_EVTCHN_H
#define PVISOR_EVTCHN_H

#include <linux/types.h>

struct pvisor_domain;
struct pvisor_evtchn_fd;
struct pvisor_hc_args;
struct pvisor_runner;
struct pvisor_shared_info;
struct pvisor_vcpu;

/* One event channel port; the table lives in dom->evtchns. */
struct pvisor_evtchn {
	u8 state;			/* PVISOR_EVTCHNSTAT_* */
	u8 vcpu;			/* who is notified */
	u16 virq;			/* VIRQ */
	u32 remote_port;		/* INTERDOMAIN */
	u32 remote_domid;		/* UNBOUND: who may bind; INTERDOMAIN */
	/*
	 * INTERDOMAIN: the peer. remote_domid 0 (Domain0, never a guest's
	 * id) says which member: Domain0's end is a file (evtchn_fd.c),
	 * which outlives the binding, not a domain with a reference.
	 */
	union {
		struct pvisor_domain *remote;	/* a reference */
		struct pvisor_evtchn_fd *dom0;
	};
};

struct pvisor_shared_info *pvisor_shared_info(struct pvisor_domain *dom);
int pvisor_events_init(struct pvisor_domain *dom);
void pvisor_events_free(struct pvisor_domain *dom);
void pvisor_evtchn_teardown(struct pvisor_domain *dom);
int pvisor_evtchn_connect(struct pvisor_domain *a, struct pvisor_domain *b,
			  u32 *port_a, u32 *port_b);
int pvisor_evtchn_offer_dom0(struct pvisor_domain *dom);
int pvisor_evtchn_bind_dom0(struct pvisor_domain *dom, u32 port,
			    struct pvisor_evtchn_fd *ep);
void pvisor_evtchn_unbind_dom0(struct pvisor_domain *dom, u32 port,
			       struct pvisor_evtchn_fd *ep);
int pvisor_evtchn_notify_from_dom0(struct pvisor_domain *dom, u32 port,
				   struct pvisor_evtchn_fd *ep);

long pvisor_hc_event_channel_op(struct pvisor_runner *runner,
				struct pvisor_vcpu *vcpu,
				const struct pvisor_hc_args *args);
long pvisor_hc_set_callbacks(struct pvisor_vcpu *vcpu,
			     const struct pvisor_hc_args *args);
void pvisor_evtchn_raise_virq(struct pvisor_vcpu *vcpu, unsigned int virq);
bool pvisor_evtchn_any_pending(struct pvisor_domain *dom, const u32 *ports,
			       unsigned int nr);
void pvisor_evtchn_recheck(struct pvisor_vcpu *vcpu);
bool pvisor_evtchn_deliverable(struct pvisor_vcpu *vcpu);

#endif /* PVISOR_EVTCHN_H */
