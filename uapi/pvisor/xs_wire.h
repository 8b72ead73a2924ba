/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * The xenstore wire protocol as pvisord speaks it: on its Unix socket for
 * Domain0 tools and, later, on a shared ring page per guest.
 *
 * The numbers and the layouts are Xen's (public/io/xs_wire.h), so that
 * xenstore clients written for Xen (Linux's xenbus, libxenstore) talk to
 * pvisord unchanged; the names are pvisor's. Documentation/xenstore.rst
 * describes each message.
 */
#ifndef _UAPI_PVISOR_XS_WIRE_H
#define _UAPI_PVISOR_XS_WIRE_H

#include <linux/types.h>

/* Message types: the values are fixed by Xen's protocol. */
enum pvisor_xs_type {
	PVISOR_XS_CONTROL = 0,		/* Xen's XS_DEBUG, later XS_CONTROL */
	PVISOR_XS_DIRECTORY = 1,
	PVISOR_XS_READ = 2,
	PVISOR_XS_GET_PERMS = 3,
	PVISOR_XS_WATCH = 4,
	PVISOR_XS_UNWATCH = 5,
	PVISOR_XS_TRANSACTION_START = 6,
	PVISOR_XS_TRANSACTION_END = 7,
	PVISOR_XS_INTRODUCE = 8,
	PVISOR_XS_RELEASE = 9,
	PVISOR_XS_GET_DOMAIN_PATH = 10,
	PVISOR_XS_WRITE = 11,
	PVISOR_XS_MKDIR = 12,
	PVISOR_XS_RM = 13,
	PVISOR_XS_SET_PERMS = 14,
	PVISOR_XS_WATCH_EVENT = 15,
	PVISOR_XS_ERROR = 16,
	PVISOR_XS_IS_DOMAIN_INTRODUCED = 17,
	PVISOR_XS_RESUME = 18,
	PVISOR_XS_SET_TARGET = 19,
	PVISOR_XS_RESTRICT = 20,	/* withdrawn by Xen; never valid */
	PVISOR_XS_RESET_WATCHES = 21,
	PVISOR_XS_DIRECTORY_PART = 22,
	PVISOR_XS_TYPE_INVALID = 0xffff	/* never a valid type */
};

/*
 * Every message, in either direction: this header, then @len bytes of
 * payload (nul-terminated strings, or a binary value for WRITE and READ).
 * A reply carries its request's @req_id and @tx_id.
 */
struct pvisor_xs_header {
	__u32 type;	/* enum pvisor_xs_type */
	__u32 req_id;	/* chosen by the client, echoed in the reply */
	__u32 tx_id;	/* a transaction, or 0 */
	__u32 len;	/* payload bytes that follow */
};

/* The longest payload, both ways; a longer one ends the connection. */
#define PVISOR_XS_PAYLOAD_MAX	4096

/* Longest absolute path, and longest relative one (before its prefix). */
#define PVISOR_XS_ABS_PATH_MAX	3072
#define PVISOR_XS_REL_PATH_MAX	2048

/*
 * A guest's xenstore ring page (Xen's struct xenstore_domain_interface):
 * requests from the guest in @req, replies and watch events in @rsp.
 * Indices are free-running; a byte's place is its index modulo the size.
 */
#define PVISOR_XS_RING_SIZE	1024

struct pvisor_xs_ring {
	char req[PVISOR_XS_RING_SIZE];
	char rsp[PVISOR_XS_RING_SIZE];
	__u32 req_cons, req_prod;
	__u32 rsp_cons, rsp_prod;
	__u32 server_features;	/* PVISOR_XS_FEATURE_* */
	__u32 connection;	/* PVISOR_XS_CONNECTED or _RECONNECT */
};

#define PVISOR_XS_FEATURE_RECONNECTION	1

#define PVISOR_XS_CONNECTED	0
#define PVISOR_XS_RECONNECT	1

#endif /* _UAPI_PVISOR_XS_WIRE_H */
