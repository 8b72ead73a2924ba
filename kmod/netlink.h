/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_NETLINK_H
#define PVISOR_NETLINK_H

int pvisor_netlink_init(void);
void pvisor_netlink_exit(void);

#endif /* PVISOR_NETLINK_H */
