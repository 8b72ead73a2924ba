// SPDX-License-Identifier: GPL-2.0
/*
 * xenstore paths. The rules are Xen's (docs/misc/xenstore.txt): the same
 * character set and the same length limits, so that what a Xen guest may
 * write here it could write there, and the reverse.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xs_path.h"

static bool valid_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '/' || c == '_' ||
	       c == '@';
}

void pvisor_xs_domain_path(uint32_t domid, char *out, size_t size)
{
	snprintf(out, size, "/local/domain/%u", domid);
}

int pvisor_xs_path_canon(const char *in, uint32_t domid, char *out,
			 bool *relative)
{
	size_t len = strnlen(in, XS_PATH_BUF), i, base;
	bool rel = in[0] != '/';

	if (!len || len > PVISOR_XS_ABS_PATH_MAX)
		return -EINVAL;
	if (rel && len > PVISOR_XS_REL_PATH_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (!valid_char(in[i]))
			return -EINVAL;
		if (in[i] == '/' && in[i + 1] == '/')
			return -EINVAL;
	}
	if (len > 1 && in[len - 1] == '/')
		return -EINVAL;

	if (rel) {
		pvisor_xs_domain_path(domid, out, XS_PATH_BUF);
		base = strlen(out);
		if (base + 1 + len > PVISOR_XS_ABS_PATH_MAX)
			return -EINVAL;
		out[base] = '/';
		memcpy(out + base + 1, in, len + 1);
	} else {
		memcpy(out, in, len + 1);
	}
	if (relative)
		*relative = rel;
	return 0;
}

bool pvisor_xs_is_child(const char *child, const char *parent)
{
	size_t len = strlen(parent);

	if (!strcmp(parent, "/"))
		return child[0] == '/';
	return !strncmp(child, parent, len) &&
	       (child[len] == '\0' || child[len] == '/');
}

int pvisor_xs_parse_domid(const char *s, uint32_t *domid)
{
	uint32_t v = 0;
	const char *p;

	if (!*s || strlen(s) > 5)
		return -EINVAL;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (*p - '0');
	}
	if (v > 65535)
		return -EINVAL;
	*domid = v;
	return 0;
}
