/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_TIME_H
#define PVISOR_TIME_H

#include <linux/types.h>

struct pvisor_domain;
struct pvisor_hc_args;
struct pvisor_vcpu;

int pvisor_time_init(void);
void pvisor_time_init_domain(struct pvisor_domain *dom);
void pvisor_time_init_vcpu(struct pvisor_vcpu *vcpu);
void pvisor_time_stop_vcpu(struct pvisor_vcpu *vcpu);
void pvisor_time_update(struct pvisor_vcpu *vcpu);
long pvisor_hc_set_timer_op(struct pvisor_vcpu *vcpu,
			    const struct pvisor_hc_args *args);
long pvisor_time_set_oneshot(struct pvisor_vcpu *vcpu, u64 deadline);
long pvisor_time_set_periodic(struct pvisor_vcpu *vcpu, u64 period_ns);
u64 pvisor_time_remaining(struct pvisor_vcpu *vcpu, u64 deadline);

#endif /* PVISOR_TIME_H */
