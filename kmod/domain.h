/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_DOMAIN_H
#define PVISOR_DOMAIN_H

#include <linux/kref.h>
#include <linux/types.h>
#include <pvisor/netlink.h>

#include "reservation.h"

struct netlink_ext_ack;

/*
 * A domain: one guest. The module owns it, not any process: it lives from
 * DOMAIN_NEW until DOMAIN_DEL or module unload. Its identity (id, name,
 * vCPU count) never changes after creation, so readers holding a reference
 * need no lock to read it.
 */
struct pvisor_domain {
	struct kref ref;
	u32 id;
	u32 nr_vcpus;
	u32 state;		/* enum pvisor_domain_state */
	char name[PVISOR_NAME_MAX];
	struct pvisor_reservation mem;
};

int pvisor_domains_init(unsigned int max_domains);
void pvisor_domains_exit(void);

struct pvisor_domain *pvisor_domain_create(const char *name, u64 memory,
					   u32 nr_vcpus,
					   struct netlink_ext_ack *extack);
int pvisor_domain_destroy(struct pvisor_domain *dom);
struct pvisor_domain *pvisor_domain_find(u32 id, const char *name,
					 struct netlink_ext_ack *extack);
struct pvisor_domain *pvisor_domain_next(u32 *id);
void pvisor_domain_put(struct pvisor_domain *dom);

unsigned int pvisor_domain_count(void);
unsigned int pvisor_domain_max(void);
unsigned int pvisor_domains_generation(void);

#endif /* PVISOR_DOMAIN_H */
