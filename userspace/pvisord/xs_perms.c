// SPDX-License-Identifier: GPL-2.0
/*
 * xenstore permissions. The rules follow Xen's xenstored, so that a node
 * guarded here is guarded the same way a Xen guest would expect:
 *
 *  - privileged callers (Domain0) bypass every check;
 *  - the owner, the first entry's domain, has full access whatever the
 *    entry's own letter says;
 *  - a domain named in a later entry gets that entry's access (the first
 *    such entry, as in Xen's xenstored);
 *  - anyone else gets the first entry's access.
 *
 * 'b' is read and write, 'n' neither.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xs_path.h"
#include "xs_perms.h"

bool pvisor_xs_can(const struct xs_node *n, uint32_t domid, bool privileged,
		   char want)
{
	char access;
	unsigned int i;

	if (privileged || n->perms[0].domid == domid)
		return true;
	access = n->perms[0].access;
	for (i = 1; i < n->nr_perms; i++) {
		if (n->perms[i].domid == domid) {
			access = n->perms[i].access;
			break;
		}
	}
	return access == 'b' || access == want;
}

int pvisor_xs_perm_parse(const char *s, struct xs_perm *out)
{
	uint32_t domid;

	if (!strchr("nrwb", s[0]) || !s[0])
		return -EINVAL;
	if (pvisor_xs_parse_domid(s + 1, &domid))
		return -EINVAL;
	out->access = s[0];
	out->domid = domid;
	return 0;
}

int pvisor_xs_perm_format(const struct xs_perm *p, char *buf, size_t size)
{
	return snprintf(buf, size, "%c%u", p->access, p->domid);
}
