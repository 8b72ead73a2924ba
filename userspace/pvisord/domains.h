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

#include "xs.h"

/* Connect to the module and reconcile the tree. 0 or -errno. */
int pvisor_domains_init(void);
void pvisor_domains_exit(void);

/* Does the module have domain @domid (as last heard)? */
bool pvisor_domain_exists(uint32_t domid);

/*
 * Ask the module about domain @domid now (into @d), and give it its
 * entries if its notification has not arrived yet. 0, -ENOENT when the
 * module has no such domain, or another -errno.
 */
struct pvnl_domain;
int pvisor_domain_refresh(uint32_t domid, struct pvnl_domain *d);

/*
 * Does domain @domid still run a guest, asked of the module now (not as
 * last heard: a backend may see its domain go before pvisord reads the
 * notification)? False when the module has no such domain (a dying one
 * is not listed) or it is shut down or crashed; true when the module
 * cannot be asked, so that a failure is reported rather than hidden.
 */
bool pvisor_domain_alive(uint32_t domid);

/* pvisord's own changes to the tree: Domain0's rights, no replies. */
struct xs_ctx pvisor_self_ctx(void);

#endif /* PVISORD_DOMAINS_H */
