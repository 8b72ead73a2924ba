/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The xenstore socket for Domain0 tools: a Unix stream socket, mode
 * 0600, speaking the xenstore wire protocol (uapi/pvisor/xs_wire.h).
 * Only root may connect; each connection starts as Domain0.
 */
#ifndef PVISORD_CONN_H
#define PVISORD_CONN_H

#include <stdint.h>

/*
 * Per connection, replies and events queued for a client that does not
 * read: above CONN_OUT_SOFT pvisord stops reading its requests, and
 * watch events that would take the queue above CONN_OUT_HARD are dropped
 * (and counted in the log). A client cannot make pvisord buffer more.
 */
#define CONN_OUT_SOFT	(16 * 1024)
#define CONN_OUT_HARD	(256 * 1024)

/* Listen on @path (replacing a stale socket). 0 or -errno. */
int pvisor_conn_listen(const char *path);

/* Close every connection acting as @domid (the domain went). */
void pvisor_conn_close_domain(uint32_t domid);

/* Free the connections closed since the last call. */
void pvisor_conn_reap(void);

/* Close everything and remove the socket. */
void pvisor_conn_shutdown(void);

#endif /* PVISORD_CONN_H */
