/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_MEMORY_OP_H
#define PVISOR_MEMORY_OP_H

struct pvisor_hc_args;
struct pvisor_runner;

long pvisor_hc_memory_op(struct pvisor_runner *runner,
			 const struct pvisor_hc_args *args);

#endif /* PVISOR_MEMORY_OP_H */
