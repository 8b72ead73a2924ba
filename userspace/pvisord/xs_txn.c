// SPDX-License-Identifier: GPL-2.0
/*
 * Transactions; the model is described in xs_txn.h.
 *
 * Memory a transaction holds is bounded: its copy of the tree (nodes
 * only; names and values are shared), at most txn_ops logged changes of
 * at most one payload each, and at most 4 * txn_ops recorded paths. The
 * number of transactions is bounded per connection and overall
 * (XS_MAX_TRANSACTIONS).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xs_txn.h"

struct xs_txn_op {
	struct list_head link;
	uint32_t type;
	char *path;
	void *value;
	size_t len;
	struct xs_perm *perms;
	unsigned int nr;
};

static void op_free(struct xs_txn_op *op)
{
	free(op->path);
	free(op->value);
	free(op->perms);
	free(op);
}

static void txn_free(struct xs_txn *t)
{
	struct xs_txn_op *op, *next;
	size_t i;

	list_for_each_entry_safe(op, next, &t->ops, link)
		op_free(op);
	for (i = 0; i < t->cap_recs; i++)
		free(t->recs[i].path);
	free(t->recs);
	pvisor_xs_tree_free(t->tree);
	list_del(&t->link);
	t->conn->nr_txns--;
	pvisor_xs.nr_txns--;
	free(t);
}

int pvisor_xs_txn_start(struct xs_conn *c, uint32_t *id)
{
	struct xs_txn *t, *other;

	if (c->nr_txns >= pvisor_xs_limits(c)->transactions ||
	    pvisor_xs.nr_txns >= XS_MAX_TRANSACTIONS)
		return -XS_EQUOTA;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->tree = pvisor_xs_tree_copy(pvisor_xs.tree);
	if (!t->tree) {
		free(t);
		return -ENOMEM;
	}
	t->conn = c;
	list_init(&t->ops);
	/* Ids are never 0 and never one the connection still has open. */
	do {
		t->id = ++c->next_txid;
		other = t->id ? pvisor_xs_txn_find(c, t->id) : NULL;
	} while (!t->id || other);
	list_add_tail(&t->link, &c->txns);
	c->nr_txns++;
	pvisor_xs.nr_txns++;
	*id = t->id;
	return 0;
}

struct xs_txn *pvisor_xs_txn_find(struct xs_conn *c, uint32_t id)
{
	struct xs_txn *t;

	list_for_each_entry(t, &c->txns, link)
		if (t->id == id)
			return t;
	return NULL;
}

/* FNV-1a */
static size_t hash(const char *s)
{
	size_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static struct xs_txn_rec *slot(struct xs_txn_rec *recs, size_t cap,
			       const char *path)
{
	size_t i = hash(path) & (cap - 1);

	while (recs[i].path && strcmp(recs[i].path, path))
		i = (i + 1) & (cap - 1);
	return &recs[i];
}

static int grow(struct xs_txn *t)
{
	size_t cap = t->cap_recs ? t->cap_recs * 2 : 16, i;
	struct xs_txn_rec *recs = calloc(cap, sizeof(*recs));

	if (!recs)
		return -ENOMEM;
	for (i = 0; i < t->cap_recs; i++)
		if (t->recs[i].path)
			*slot(recs, cap, t->recs[i].path) = t->recs[i];
	free(t->recs);
	t->recs = recs;
	t->cap_recs = cap;
	return 0;
}

int pvisor_xs_txn_record(struct xs_txn *t, const char *path,
			 const struct xs_node *n)
{
	struct xs_txn_rec *r;
	int ret;

	if (t->cap_recs) {
		r = slot(t->recs, t->cap_recs, path);
		if (r->path)
			return 0;
	}
	if (t->nr_recs >= 4ull * pvisor_xs_limits(t->conn)->txn_ops)
		return -XS_EQUOTA;
	if (2 * (t->nr_recs + 1) > t->cap_recs) {
		ret = grow(t);
		if (ret)
			return ret;
	}
	r = slot(t->recs, t->cap_recs, path);
	r->path = strdup(path);
	if (!r->path)
		return -ENOMEM;
	r->gen = n ? n->gen : 0;
	t->nr_recs++;
	return 0;
}

int pvisor_xs_txn_log(struct xs_txn *t, uint32_t type, const char *path,
		      const void *value, size_t len,
		      const struct xs_perm *perms, unsigned int nr)
{
	struct xs_txn_op *op;

	if (t->nr_ops >= pvisor_xs_limits(t->conn)->txn_ops)
		return -XS_EQUOTA;
	op = calloc(1, sizeof(*op));
	if (!op)
		return -ENOMEM;
	op->type = type;
	op->path = strdup(path);
	if (!op->path)
		goto err;
	if (value) {
		op->value = malloc(len ? len : 1);
		if (!op->value)
			goto err;
		memcpy(op->value, value, len);
		op->len = len;
	}
	if (perms) {
		op->perms = malloc(nr * sizeof(*perms));
		if (!op->perms)
			goto err;
		memcpy(op->perms, perms, nr * sizeof(*perms));
		op->nr = nr;
	}
	list_add_tail(&op->link, &t->ops);
	t->nr_ops++;
	return 0;
err:
	op_free(op);
	return -ENOMEM;
}

void pvisor_xs_txn_unlog(struct xs_txn *t)
{
	struct xs_txn_op *op = list_entry(t->ops.prev, struct xs_txn_op, link);

	list_del(&op->link);
	op_free(op);
	t->nr_ops--;
}

static bool conflicts(struct xs_txn *t)
{
	struct xs_node *n;
	size_t i;

	for (i = 0; i < t->cap_recs; i++) {
		if (!t->recs[i].path)
			continue;
		n = pvisor_xs_lookup(pvisor_xs.tree, t->recs[i].path);
		if ((n ? n->gen : 0) != t->recs[i].gen)
			return true;
	}
	return false;
}

static void replay(struct xs_txn *t)
{
	struct xs_ctx x = {
		.conn = t->conn,
		.tree = pvisor_xs.tree,
		.replay = true,
	};
	struct xs_txn_op *op;
	int ret = 0;

	list_for_each_entry(op, &t->ops, link) {
		switch (op->type) {
		case PVISOR_XS_WRITE:
			ret = pvisor_xs_op_write(&x, op->path, op->value, op->len);
			break;
		case PVISOR_XS_MKDIR:
			ret = pvisor_xs_op_mkdir(&x, op->path);
			break;
		case PVISOR_XS_RM:
			ret = pvisor_xs_op_rm(&x, op->path);
			break;
		case PVISOR_XS_SET_PERMS:
			ret = pvisor_xs_op_set_perms(&x, op->path, op->perms, op->nr);
			break;
		}
		/* Only memory can fail here: the checks were made already. */
		if (ret)
			log_err("%s: transaction %u: replaying a change to %s failed (%d)",
				t->conn->label, t->id, op->path, ret);
	}
}

int pvisor_xs_txn_end(struct xs_txn *t, bool commit)
{
	int ret = 0;

	if (commit) {
		if (conflicts(t))
			ret = -EAGAIN;
		else
			replay(t);
	}
	txn_free(t);
	return ret;
}
