/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvisord's open-file limit, sized for the most domains the module
 * allows: every guest's xenstore ring holds a descriptor (its event
 * channel) for as long as the domain lives.
 */
#ifndef PVISORD_FD_LIMIT_H
#define PVISORD_FD_LIMIT_H

/*
 * Raise RLIMIT_NOFILE to cover one ring per domain of the module's
 * max_domains, the Domain0 connections and a margin; a limit that stays
 * below that is logged with the number of rings it leaves room for.
 * Never lowers the limit.
 */
void pvisor_fd_limit_raise(void);

#endif /* PVISORD_FD_LIMIT_H */
