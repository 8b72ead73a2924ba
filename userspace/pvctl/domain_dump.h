/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every domain at once, for reports (list, top): the whole dump is
 * collected before anything is printed, and a dump the kernel flags as
 * interrupted (a domain came or went meanwhile) is taken again, up to
 * DUMP_ATTEMPTS times, rather than shown half old, half new.
 */
#ifndef PVCTL_DOMAIN_DUMP_H
#define PVCTL_DOMAIN_DUMP_H

#include <stddef.h>

#include "pvnl.h"

#define DUMP_ATTEMPTS 3

struct domains {
	struct pvnl_domain *v;
	size_t n, cap;
};

/*
 * Fill @d (its array reused and grown as needed; free d->v after). 0 or
 * a negative errno; *@interrupted if the last try was interrupted too.
 */
int domains_read(struct pvnl *nl, struct domains *d, int *interrupted);

#endif /* PVCTL_DOMAIN_DUMP_H */
