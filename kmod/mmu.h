/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_MMU_H
#define PVISOR_MMU_H

struct pvisor_hc_args;
struct pvisor_runner;
struct pvisor_vcpu;

/* The memory-management hypercalls (mmu.c). */
long pvisor_hc_mmu_update(struct pvisor_runner *runner,
			  struct pvisor_vcpu *vcpu,
			  const struct pvisor_hc_args *args);
long pvisor_hc_mmuext_op(struct pvisor_runner *runner,
			 struct pvisor_vcpu *vcpu,
			 const struct pvisor_hc_args *args);
long pvisor_hc_update_va_mapping(struct pvisor_runner *runner,
				 struct pvisor_vcpu *vcpu,
				 const struct pvisor_hc_args *args);

#endif /* PVISOR_MMU_H */
