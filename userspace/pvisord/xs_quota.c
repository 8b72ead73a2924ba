// SPDX-License-Identifier: GPL-2.0
/*
 * The default limits. The guest figures are Xen xenstored's defaults
 * (quota-nb-entry-per-domain 1000, quota-maxsize 2048, quota-nb-watch-
 * per-domain 128, quota-max-transaction 10, quota-nb-perms-per-node 5);
 * the per-transaction change limit is pvisord's own, and bounds the log
 * a transaction keeps until it commits.
 */

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <pvisor/xs_wire.h>

#include "xs_quota.h"

struct xs_limits pvisor_xs_guest_limits = {
	.entries = 1000,
	.value_size = 2048,
	.watches = 128,
	.transactions = 10,
	.perms = 5,
	.txn_ops = 256,
};

/* Domain0 is trusted; its limits only keep a buggy tool finite. */
const struct xs_limits pvisor_xs_dom0_limits = {
	.entries = UINT32_MAX,
	.value_size = PVISOR_XS_PAYLOAD_MAX,
	.watches = 1024,
	.transactions = 64,
	.perms = XS_PERMS_MAX,
	.txn_ops = 65536,
};

static const struct {
	const char *name;
	size_t offset;
} settings[] = {
	{ "entries", offsetof(struct xs_limits, entries) },
	{ "value-size", offsetof(struct xs_limits, value_size) },
	{ "watches", offsetof(struct xs_limits, watches) },
	{ "transactions", offsetof(struct xs_limits, transactions) },
	{ "perms", offsetof(struct xs_limits, perms) },
	{ "txn-ops", offsetof(struct xs_limits, txn_ops) },
};

int pvisor_xs_quota_set(const char *setting)
{
	const char *eq = strchr(setting, '=');
	unsigned long v;
	char *end;
	size_t i;

	if (!eq || !eq[1])
		return -EINVAL;
	errno = 0;
	v = strtoul(eq + 1, &end, 10);
	if (errno || *end || v > UINT32_MAX || eq[1] == '-')
		return -EINVAL;
	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		if (strlen(settings[i].name) == (size_t)(eq - setting) &&
		    !strncmp(settings[i].name, setting, eq - setting)) {
			/* A list needs its owner; the state file holds no more. */
			if (settings[i].offset == offsetof(struct xs_limits, perms) &&
			    (!v || v > XS_PERMS_MAX))
				return -EINVAL;
			*(uint32_t *)((char *)&pvisor_xs_guest_limits +
				      settings[i].offset) = v;
			return 0;
		}
	}
	return -EINVAL;
}
