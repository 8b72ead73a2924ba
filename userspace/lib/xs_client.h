/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A xenstore client over pvisord's socket, for the pvctl subcommands that
 * talk to pvisord (store, config, create) and for the backends: one
 * request at a time, its reply waited for, watch events skipped unless
 * asked for.
 */
#ifndef PVISOR_XS_CLIENT_H
#define PVISOR_XS_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <pvisor/xs_wire.h>

#define XS_DEFAULT_SOCKET	"/run/pvisor/xenstored.socket"

struct xs_client {
	int fd;
	uint32_t req_id;
	char buf[PVISOR_XS_PAYLOAD_MAX + 1];
	struct pvisor_xs_header h;	/* of the last message received */
};

/* $PVISOR_STORE_SOCKET if set and not empty, else the default. */
const char *xs_socket_path(void);

/* Connect to pvisord at @path: a file descriptor, or -errno. */
int xs_connect(const char *path);

/* All of @buf to the socket @fd, never raising SIGPIPE: 0 or -errno. */
int xs_send_all(int fd, const void *buf, size_t len);

/* The next message from pvisord into s->h and s->buf (nul-terminated). */
int xs_receive(struct xs_client *s);

/*
 * Send a request of two parts (the second may be NULL) and wait for its
 * reply, skipping watch events. Returns 0, or 1 when pvisord answered
 * with an error (its name in s->buf), or -errno.
 */
int xs_request(struct xs_client *s, uint32_t type, const void *a, size_t alen,
	       const void *b, size_t blen);

/*
 * READ @path into s->buf. 0, 1 with pvisord's error name in s->buf, or
 * -errno.
 */
int xs_read(struct xs_client *s, const char *path);

#endif /* PVISOR_XS_CLIENT_H */
