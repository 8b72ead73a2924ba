/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_DOMAIN_MEMORY_H
#define PVISOR_DOMAIN_MEMORY_H

#include <linux/compiler_types.h>
#include <linux/types.h>

struct pvisor_domain;
struct pvisor_domain_memory;

int pvisor_domain_memory_open(const struct pvisor_domain_memory __user *uarg);
void pvisor_domain_memory_zap(struct pvisor_domain *dom, u64 pfn);

#endif /* PVISOR_DOMAIN_MEMORY_H */
