// SPDX-License-Identifier: GPL-2.0
/*
 * Everything that links libpvnl statically (pvctl, pvrun, the selftests,
 * the benchmarks) pulls in libnl-3.a's address and protocol-name helpers,
 * which call glibc's NSS lookups (getaddrinfo, getprotobyname,
 * getprotobynumber). A static glibc can only serve those by loading
 * shared NSS modules at run time, which the test initramfs does not have,
 * and the linker warns about it. None of these programs resolves names,
 * so static-link.mk routes the three calls here (ld --wrap) and they fail
 * plainly instead.
 */

#include <errno.h>
#include <netdb.h>
#include <stddef.h>

int __wrap_getaddrinfo(const char *node, const char *service,
		       const struct addrinfo *hints, struct addrinfo **res);
struct protoent *__wrap_getprotobyname(const char *name);
struct protoent *__wrap_getprotobynumber(int proto);

int __wrap_getaddrinfo(const char *node, const char *service,
		       const struct addrinfo *hints, struct addrinfo **res)
{
	(void)node;
	(void)service;
	(void)hints;
	if (res)
		*res = NULL;
	errno = ENOSYS;
	return EAI_SYSTEM;
}

struct protoent *__wrap_getprotobyname(const char *name)
{
	(void)name;
	return NULL;
}

struct protoent *__wrap_getprotobynumber(int proto)
{
	(void)proto;
	return NULL;
}
