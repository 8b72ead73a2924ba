// SPDX-License-Identifier: GPL-2.0
/*
 * The tests are static binaries, and libnl-3.a drags in helpers that call
 * glibc's name-service lookups. A static glibc would need shared NSS
 * modules at run time for those (the linker warns), and the test
 * initramfs has none. No test resolves host or protocol names, so the
 * Makefile redirects the three calls here with ld --wrap, where they
 * simply fail.
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
