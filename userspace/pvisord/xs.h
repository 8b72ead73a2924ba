/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvisord's xenstore: what its parts share.
 *
 *   xs_proto.c   messages in, replies out: parsing and dispatch
 *   xs_ops.c     the changes (write, mkdir, rm, set-perms) and reads,
 *                with their permission and quota checks
 *   xs_tree.c    nodes            xs_perms.c   permission lists
 *   xs_watch.c   watches          xs_txn.c     transactions
 *   xs_path.c    path rules       xs_quota.c   limits
 *
 * A connection (struct xs_conn) is one client: a Domain0 tool on the
 * socket (conn.c) or a guest's ring (ring.c). The core never does I/O: it
 * hands each reply and event to the connection's send().
 */
#ifndef PVISORD_XS_H
#define PVISORD_XS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pvisor/xs_wire.h>

#include "list.h"
#include "xs_quota.h"
#include "xs_tree.h"

/*
 * Xen's quota error has no errno of its own: pvisord uses this private
 * value internally and sends "EQUOTA" (as Xen's oxenstored does).
 */
#define XS_EQUOTA	10000

struct xs_conn {
	uint32_t domid;		/* who it is: 0 for Domain0 */
	bool privileged;	/* Domain0 bypasses permissions and quotas */
	const char *label;	/* for the log */
	struct list_head txns;
	unsigned int nr_txns;
	uint32_t next_txid;
	struct list_head watches;
	unsigned int nr_watches;
	/*
	 * Queue one message. An event (@event) may be dropped when the
	 * client is not reading; a reply never is (the transport stops
	 * reading requests before its queue could overflow).
	 */
	void (*send)(struct xs_conn *c, const struct pvisor_xs_header *h,
		     const void *payload, bool event);
};

struct xs_store {
	struct xs_tree *tree;
	bool dirty;		/* changed since the state file was written */
	unsigned int nr_txns;	/* open transactions, all connections */
	/* Is @domid a domain the module has? (domains.c answers.) */
	bool (*domain_exists)(uint32_t domid);
	/* Is @domid's ring served? (ring.c answers; NULL: never.) */
	bool (*ring_served)(uint32_t domid);
	/* Keep @text as domain @domid's config (configs.c). 0 or -errno. */
	int (*domain_config)(uint32_t domid, const char *text);
};

extern struct xs_store pvisor_xs;

/* The limits that apply to @c. */
const struct xs_limits *pvisor_xs_limits(const struct xs_conn *c);

/* Set up and tear down a connection's xenstore state. */
void pvisor_xs_conn_init(struct xs_conn *c, uint32_t domid, bool privileged);
/* Drop its watches and abort its transactions. */
void pvisor_xs_conn_release(struct xs_conn *c);

/*
 * One request from @c: @payload has h->len bytes (at most
 * PVISOR_XS_PAYLOAD_MAX) and one more, a nul the transport added. The
 * reply, and any events, go out through c->send().
 */
void pvisor_xs_handle(struct xs_conn *c, const struct pvisor_xs_header *h,
		      const char *payload);

/* Xen's name for an error ("ENOENT", "EQUOTA"); "EINVAL" if unknown. */
const char *pvisor_xs_errname(int err);

/* What an operation works on: the main tree, or a transaction's copy. */
struct xs_txn;
struct xs_ctx {
	struct xs_conn *conn;
	struct xs_tree *tree;
	struct xs_txn *txn;	/* NULL: the main tree */
	bool replay;		/* a commit replaying checked changes */
};

/* Operations on canonical absolute paths; 0 or a negative error. */
int pvisor_xs_op_write(struct xs_ctx *x, const char *path, const void *value,
		       size_t len);
int pvisor_xs_op_mkdir(struct xs_ctx *x, const char *path);
int pvisor_xs_op_rm(struct xs_ctx *x, const char *path);
int pvisor_xs_op_set_perms(struct xs_ctx *x, const char *path,
			   const struct xs_perm *perms, unsigned int nr);
/*
 * The node at @path, if @x's connection may @want ('r' or 'w') it:
 * -ENOENT when it does not exist, -EACCES when it may not (or may not
 * know whether it exists).
 */
int pvisor_xs_op_get(struct xs_ctx *x, const char *path, char want,
		     struct xs_node **out);

/* The main tree changed: for the state file. */
void pvisor_xs_changed(void);

#endif /* PVISORD_XS_H */
