/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_TRAP_H
#define PVISOR_TRAP_H

#include <linux/compiler_types.h>

struct pvisor_hc_args;
struct pvisor_runner;
struct pvisor_trap_report;
struct pvisor_vcpu;

long pvisor_trap_deliver(struct pvisor_runner *runner,
			 const struct pvisor_trap_report __user *urep);
long pvisor_hc_set_trap_table(struct pvisor_vcpu *vcpu,
			      const struct pvisor_hc_args *args);
long pvisor_upcall_on_return(struct pvisor_runner *runner,
			     struct pvisor_vcpu *vcpu, long ret);
long pvisor_hc_iret(struct pvisor_runner *runner, struct pvisor_vcpu *vcpu,
		    const struct pvisor_hc_args *args);

#endif /* PVISOR_TRAP_H */
