/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_TIME_H
#define PVISOR_TIME_H

#include <linux/spinlock.h>
#include <linux/types.h>

struct pvisor_domain;
struct pvisor_hc_args;
struct pvisor_vcpu;

/* A domain's clock (time.c): system time is scale(tsc - boot_tsc). */
struct pvisor_domain_time {
	u64 boot_tsc;			/* host TSC at system time 0 */
	spinlock_t wc_lock;		/* serialises wall-clock writers */
	s64 wc_base_ns;			/* published: real time at time 0 */
};

int pvisor_time_init(void);
void pvisor_time_init_domain(struct pvisor_domain *dom);
void pvisor_time_init_vcpu(struct pvisor_vcpu *vcpu);
void pvisor_time_stop_vcpu(struct pvisor_vcpu *vcpu);
void pvisor_time_update(struct pvisor_vcpu *vcpu);
u64 pvisor_time_now(const struct pvisor_domain *dom);
long pvisor_hc_set_timer_op(struct pvisor_vcpu *vcpu,
			    const struct pvisor_hc_args *args);
long pvisor_time_set_oneshot(struct pvisor_vcpu *vcpu, u64 deadline);
long pvisor_time_set_periodic(struct pvisor_vcpu *vcpu, u64 period_ns);
u64 pvisor_time_remaining(struct pvisor_vcpu *vcpu, u64 deadline);

#endif /* PVISOR_TIME_H */
