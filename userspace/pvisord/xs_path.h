/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xenstore paths as clients send them: checking, making them absolute,
 * and the "child of" relation watches match with.
 */
#ifndef PVISORD_XS_PATH_H
#define PVISORD_XS_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pvisor/xs_wire.h>

#define XS_PATH_BUF	(PVISOR_XS_ABS_PATH_MAX + 1)

/*
 * Check @in and write its absolute form into @out (XS_PATH_BUF bytes): a
 * relative path is taken below /local/domain/@domid. Allowed: letters,
 * digits and "-/_@"; no empty, doubled or trailing '/' (except "/"
 * itself); a relative path at most PVISOR_XS_REL_PATH_MAX bytes, the
 * absolute result at most PVISOR_XS_ABS_PATH_MAX. Returns 0 or -EINVAL;
 * *@relative (may be NULL) says whether @in was relative.
 */
int pvisor_xs_path_canon(const char *in, uint32_t domid, char *out,
			 bool *relative);

/* Xen's "child": equal, or @parent is "/", or @parent + "/" prefixes it. */
bool pvisor_xs_is_child(const char *child, const char *parent);

/* "/local/domain/@domid" into @out. */
void pvisor_xs_domain_path(uint32_t domid, char *out, size_t size);

/* A decimal domid 0..65535 with nothing after it. 0 or -EINVAL. */
int pvisor_xs_parse_domid(const char *s, uint32_t *domid);

#endif /* PVISORD_XS_PATH_H */
