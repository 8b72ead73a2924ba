/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Limits on what one client may make pvisord hold, so that a guest
 * cannot exhaust the daemon: nodes it owns, the size of a value, its
 * watches and transactions, entries in a permission list, and the
 * operations one transaction may carry. Guests get the "guest" set and
 * Domain0's own connections the "dom0" set. Exceeding a limit fails the
 * request with EQUOTA and changes nothing.
 */
#ifndef PVISORD_XS_QUOTA_H
#define PVISORD_XS_QUOTA_H

#include <stdint.h>

struct xs_limits {
	uint32_t entries;	/* nodes a domain may own */
	uint32_t value_size;	/* bytes in one value */
	uint32_t watches;	/* per connection */
	uint32_t transactions;	/* open at once, per connection */
	uint32_t perms;		/* entries in one permission list */
	uint32_t txn_ops;	/* changes one transaction may carry */
};

/* The longest permission list anyone may set (Domain0's limit). */
#define XS_PERMS_MAX		1024

/* Limits for everyone together, whatever their set says. */
#define XS_MAX_CONNECTIONS	128
#define XS_MAX_TRANSACTIONS	256	/* every connection's, together */

extern struct xs_limits pvisor_xs_guest_limits;
extern const struct xs_limits pvisor_xs_dom0_limits;

/*
 * "-Q NAME=VALUE" on pvisord's command line: change one guest limit
 * (entries, value-size, watches, transactions, perms, txn-ops). 0 or
 * -EINVAL.
 */
int pvisor_xs_quota_set(const char *setting);

#endif /* PVISORD_XS_QUOTA_H */
