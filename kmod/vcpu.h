/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_VCPU_H
#define PVISOR_VCPU_H

struct pvisor_hc_args;
struct pvisor_runner;
struct pvisor_vcpu;

long pvisor_vcpu_wait_up(struct pvisor_vcpu *vcpu);
long pvisor_hc_vcpu_op(struct pvisor_runner *runner, struct pvisor_vcpu *vcpu,
		       const struct pvisor_hc_args *args);

#endif /* PVISOR_VCPU_H */
