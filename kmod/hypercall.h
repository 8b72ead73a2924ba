/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_HYPERCALL_H
#define PVISOR_HYPERCALL_H

#include <linux/types.h>

struct pvisor_runner;
struct pvisor_vcpu;

/* A hypercall's five arguments, as the guest passed them. */
struct pvisor_hc_args {
	u64 a[5];
};

long pvisor_hypercall(struct pvisor_runner *runner, unsigned int nr);
long pvisor_hypercall_dispatch(struct pvisor_runner *runner,
			       struct pvisor_vcpu *vcpu, u64 nr,
			       const struct pvisor_hc_args *args);

#endif /* PVISOR_HYPERCALL_H */
