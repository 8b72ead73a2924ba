/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What happens to a domain when it stops: its config's on_poweroff,
 * on_reboot or on_crash (destroy, restart, preserve), as xl applies
 * them, and a record of the stop in the store.
 */
#ifndef PVISORD_LIFECYCLE_H
#define PVISORD_LIFECYCLE_H

#include <stdint.h>

struct pvnl;

/* Where each domain name's last stop is recorded, Domain0's only. */
#define LIFECYCLE_DIR		"/pvisor/domains"

/*
 * Restart storms: a domain that stops within the restart window (10 s
 * unless pvisord --restart-window says otherwise) of being restarted,
 * LIFECYCLE_FAST_MAX times in a row, is preserved instead.
 */
#define LIFECYCLE_WINDOW_SECS	10
#define LIFECYCLE_WINDOW_MAX	(7 * 24 * 3600)
#define LIFECYCLE_FAST_MAX	5

/* --restart-window @arg, in seconds. 0 or -EINVAL. */
int pvisor_lifecycle_set_window(const char *arg);

/*
 * Domain @domid may have stopped (a DOMAIN_SHUTDOWN notification, or a
 * dump that found it so). Asks the module for its state, and if it is
 * shut down or crashed and pvisord keeps its config, applies the
 * config's policy through @nl. Domains pvisord has no config for are
 * left alone: they are not pvisord's.
 */
void pvisor_lifecycle_stopped(struct pvnl *nl, uint32_t domid);

#endif /* PVISORD_LIFECYCLE_H */
