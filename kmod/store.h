/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_STORE_H
#define PVISOR_STORE_H

#include <linux/compiler_types.h>
#include <linux/types.h>

struct pvisor_domain;
struct pvisor_store_setup;

int pvisor_store_setup(struct pvisor_store_setup __user *uarg);
bool pvisor_store_get(struct pvisor_domain *dom, u64 *pfn, u32 *port);

#endif /* PVISOR_STORE_H */
