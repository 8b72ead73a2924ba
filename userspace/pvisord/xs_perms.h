/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xenstore permissions, Xen's model: a node's list starts with its owner
 * and the access everyone not listed gets; later entries give named
 * domains their own access. The owner and privileged callers (Domain0)
 * may do anything.
 */
#ifndef PVISORD_XS_PERMS_H
#define PVISORD_XS_PERMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xs_tree.h"

/* What an access needs: 'r' (read) or 'w' (write). */
bool pvisor_xs_can(const struct xs_node *n, uint32_t domid, bool privileged,
		   char want);

/* One "[nrwb]DOMID" entry, DOMID decimal 0..65535. 0 or -EINVAL. */
int pvisor_xs_perm_parse(const char *s, struct xs_perm *out);

/* "r5" into @buf (at least 8 bytes); returns the length. */
int pvisor_xs_perm_format(const struct xs_perm *p, char *buf, size_t size);

#endif /* PVISORD_XS_PERMS_H */
