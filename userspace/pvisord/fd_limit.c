// SPDX-License-Identifier: GPL-2.0
/*
 * A shell, an init or a service manager hands pvisord the usual soft
 * limit of 1024 open files, and pvisord keeps one per guest ring: with
 * the module's default of 1024 domains it would run out just before the
 * last ones, and every ring past it would go unserved. So it asks for
 * what the module's max_domains needs, up to the hard limit, and beyond
 * it when it may (root has CAP_SYS_RESOURCE).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "fd_limit.h"
#include "log.h"
#include "xs_quota.h"

#define MAX_DOMAINS_PARAM	"/sys/module/pvisor/parameters/max_domains"
/* The module's default, when its parameter cannot be read. */
#define MAX_DOMAINS_DEFAULT	1024
/* The socket, the epoll and signal fds, the module, logs, backends' pipes. */
#define FD_MARGIN		64

static unsigned long max_domains(void)
{
	unsigned long n = MAX_DOMAINS_DEFAULT;
	FILE *f = fopen(MAX_DOMAINS_PARAM, "re");

	if (f) {
		if (fscanf(f, "%lu", &n) != 1)
			n = MAX_DOMAINS_DEFAULT;
		fclose(f);
	}
	return n;
}

void pvisor_fd_limit_raise(void)
{
	rlim_t need = max_domains() + XS_MAX_CONNECTIONS + FD_MARGIN;
	struct rlimit lim;

	if (getrlimit(RLIMIT_NOFILE, &lim)) {
		log_warn("cannot read the open-file limit: %s", strerror(errno));
		return;
	}
	if (lim.rlim_cur >= need)
		return;
	if (lim.rlim_max < need) {
		struct rlimit more = { .rlim_cur = need, .rlim_max = need };

		if (!setrlimit(RLIMIT_NOFILE, &more))
			return;
	}
	lim.rlim_cur = lim.rlim_max < need ? lim.rlim_max : need;
	if (setrlimit(RLIMIT_NOFILE, &lim)) {
		log_warn("cannot raise the open-file limit: %s", strerror(errno));
		return;
	}
	if (lim.rlim_cur < need)
		log_warn("the open-file limit (%" PRIu64 ") leaves room for about "
			 "%" PRIu64 " guest rings, not one per domain the module "
			 "allows (%" PRIu64 " descriptors needed)",
			 (uint64_t)lim.rlim_cur,
			 (uint64_t)(lim.rlim_cur > FD_MARGIN + XS_MAX_CONNECTIONS ?
				    lim.rlim_cur - FD_MARGIN - XS_MAX_CONNECTIONS : 0),
			 (uint64_t)need);
}
