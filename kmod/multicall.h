/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_MULTICALL_H
#define PVISOR_MULTICALL_H

struct pvisor_hc_args;
struct pvisor_runner;
struct pvisor_vcpu;

long pvisor_hc_multicall(struct pvisor_runner *runner,
			 struct pvisor_vcpu *vcpu,
			 const struct pvisor_hc_args *args);

#endif /* PVISOR_MULTICALL_H */
