/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xenstore transactions: optimistic, with conflict detection per node.
 *
 * TRANSACTION_START takes a private copy of the tree; the transaction's
 * reads and changes go to the copy. Each path it touches is recorded
 * once, with the generation the node had in the main tree then (0: it
 * did not exist), and each change is logged. TRANSACTION_END "T" checks
 * every recorded path against the main tree: if any node changed, came
 * or went meanwhile, the commit fails with EAGAIN and the client starts
 * again; otherwise the log is replayed onto the main tree, which fires
 * the watches. Changes in a transaction fire nothing until it commits.
 */
#ifndef PVISORD_XS_TXN_H
#define PVISORD_XS_TXN_H

#include <stdbool.h>
#include <stdint.h>

#include "xs.h"

struct xs_txn_rec {
	char *path;		/* NULL: a free slot */
	uint64_t gen;
};

struct xs_txn {
	struct list_head link;	/* in its connection's list */
	uint32_t id;
	struct xs_conn *conn;
	struct xs_tree *tree;
	struct xs_txn_rec *recs;	/* open-addressing set of paths */
	size_t nr_recs, cap_recs;
	struct list_head ops;
	unsigned int nr_ops;
};

/* Start one for @c; its id in *@id. 0, -XS_EQUOTA or -ENOMEM. */
int pvisor_xs_txn_start(struct xs_conn *c, uint32_t *id);

/* @c's transaction @id, or NULL. */
struct xs_txn *pvisor_xs_txn_find(struct xs_conn *c, uint32_t id);

/* End it: commit (0 or -EAGAIN) or abort (0). @t is freed either way. */
int pvisor_xs_txn_end(struct xs_txn *t, bool commit);

/*
 * Record that @t touched @path, whose node in @t's copy is @n (NULL:
 * absent). Only the first touch counts. 0, -XS_EQUOTA or -ENOMEM.
 */
int pvisor_xs_txn_record(struct xs_txn *t, const char *path,
			 const struct xs_node *n);

/*
 * Log a change before making it in the copy (@type: PVISOR_XS_WRITE,
 * _MKDIR, _RM or _SET_PERMS); pvisor_xs_txn_unlog() takes the last one
 * back when the change then fails. 0, -XS_EQUOTA or -ENOMEM.
 */
int pvisor_xs_txn_log(struct xs_txn *t, uint32_t type, const char *path,
		      const void *value, size_t len,
		      const struct xs_perm *perms, unsigned int nr);
void pvisor_xs_txn_unlog(struct xs_txn *t);

#endif /* PVISORD_XS_TXN_H */
