// SPDX-License-Identifier: GPL-2.0
/* All domains in one consistent dump (domain_dump.h). */

#include <errno.h>
#include <stdlib.h>

#include "domain_dump.h"

static int collect(const struct pvnl_domain *dom, void *arg)
{
	struct domains *d = arg;

	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 16;
		struct pvnl_domain *v = realloc(d->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		d->v = v;
		d->cap = cap;
	}
	d->v[d->n++] = *dom;
	return 0;
}

int domains_read(struct pvnl *nl, struct domains *d, int *interrupted)
{
	int attempt, ret = 0;

	for (attempt = 0; attempt < DUMP_ATTEMPTS; attempt++) {
		d->n = 0;
		ret = pvnl_domain_dump(nl, collect, d, interrupted);
		if (ret || !*interrupted)
			break;
	}
	return ret;
}
