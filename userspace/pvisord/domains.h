/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Domain discovery: pvisord learns which domains exist from the module
 * (a DOMAIN_GET dump, then the "domain" multicast group) and keeps
 * /local/domain/<id> and /vm/<uuid> in step: made when a domain appears,
 * removed (with the watches and transactions of connections acting as
 * it) when it goes. The module is the truth; after a restart or lost
 * notifications pvisord dumps again and reconciles the tree with it.
 */
#ifndef PVISORD_DOMAINS_H
#define PVISORD_DOMAINS_H

#include <stdbool.h>
#include <stdint.h>

/* Connect to the module and reconcile the tree. 0 or -errno. */
int pvisor_domains_init(void);
void pvisor_domains_exit(void);

/* Does the module have domain @domid (as last heard)? */
bool pvisor_domain_exists(uint32_t domid);

#endif /* PVISORD_DOMAINS_H */
