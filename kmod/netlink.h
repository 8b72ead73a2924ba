/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_NETLINK_H
#define PVISOR_NETLINK_H

int pvisor_netlink_init(void);
void pvisor_netlink_exit(void);

struct pvisor_domain;
/*
 * @dom's runner is gone and the domain stopped (shut down or crashed):
 * tell the "domain" group with a DOMAIN_SHUTDOWN notification, so that
 * pvisord can apply its on_poweroff/on_reboot/on_crash policy. Nothing
 * for a domain being destroyed (DOMAIN_DEL said it). Process context.
 */
void pvisor_netlink_domain_stopped(struct pvisor_domain *dom);

/*
 * What DOMAIN_GET says of @dom changed in a way listeners act on (its
 * xenstore ring appeared): a DOMAIN_GET notification to the "domain"
 * group. Nothing for a dying domain. Process context.
 */
void pvisor_netlink_domain_changed(struct pvisor_domain *dom);

#endif /* PVISOR_NETLINK_H */
