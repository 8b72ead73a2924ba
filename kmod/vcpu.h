/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_VCPU_H
#define PVISOR_VCPU_H

#include <linux/types.h>

struct pvisor_hc_args;
struct pvisor_runner;
struct pvisor_vcpu;

long pvisor_vcpu_wait_up(struct pvisor_vcpu *vcpu);
void pvisor_vcpu_kick(struct pvisor_vcpu *vcpu);
void pvisor_vcpu_signal(struct pvisor_vcpu *vcpu);
long pvisor_vcpu_block(struct pvisor_vcpu *vcpu);
long pvisor_vcpu_poll(struct pvisor_vcpu *vcpu, u64 uarg);
long pvisor_hc_vcpu_op(struct pvisor_runner *runner, struct pvisor_vcpu *vcpu,
		       const struct pvisor_hc_args *args);

#endif /* PVISOR_VCPU_H */
