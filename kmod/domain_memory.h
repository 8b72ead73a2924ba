/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_DOMAIN_MEMORY_H
#define PVISOR_DOMAIN_MEMORY_H

#include <linux/compiler_types.h>

struct pvisor_domain_memory;

int pvisor_domain_memory_open(const struct pvisor_domain_memory __user *uarg);

#endif /* PVISOR_DOMAIN_MEMORY_H */
