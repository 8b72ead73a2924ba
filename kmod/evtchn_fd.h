/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_EVTCHN_FD_H
#define PVISOR_EVTCHN_FD_H

#include <linux/compiler_types.h>

struct pvisor_evtchn_dom0;
struct pvisor_evtchn_fd;

int pvisor_evtchn_fd_open(const struct pvisor_evtchn_dom0 __user *uarg);
void pvisor_evtchn_fd_signal(struct pvisor_evtchn_fd *ep);
void pvisor_evtchn_fd_hangup(struct pvisor_evtchn_fd *ep);

#endif /* PVISOR_EVTCHN_FD_H */
