// SPDX-License-Identifier: GPL-2.0
/*
 * The operations on the tree, with their checks. Each works the same on
 * the main tree and on a transaction's copy; the differences are that in
 * a transaction every touched path is recorded and every change logged
 * (before it is made, so that a full log refuses the change cleanly),
 * and that on the main tree a change fires watches and marks the state
 * for saving. A commit replays the log with x->replay set: the checks
 * were made when the changes were first made, on nodes the commit has
 * just verified are unchanged.
 *
 * Xen's rules: changing a node needs write access to it; creating one
 * needs write access to its nearest existing ancestor, and the new node
 * (and any missing parent made on the way) inherits that ancestor's
 * permissions, owned by the creator unless the creator is privileged.
 * A missing node reads as EACCES rather than ENOENT to a caller who may
 * not read its nearest ancestor: existence is information too.
 */

#include <errno.h>
#include <string.h>

#include "xs.h"
#include "xs_path.h"
#include "xs_perms.h"
#include "xs_txn.h"
#include "xs_watch.h"

static bool can(struct xs_ctx *x, const struct xs_node *n, char want)
{
	return x->replay ||
	       pvisor_xs_can(n, x->conn->domid, x->conn->privileged, want);
}

static int record(struct xs_ctx *x, const char *path, const struct xs_node *n)
{
	return x->txn ? pvisor_xs_txn_record(x->txn, path, n) : 0;
}

static int record_node(struct xs_ctx *x, const struct xs_node *n)
{
	char path[XS_PATH_BUF];

	if (!x->txn)
		return 0;
	pvisor_xs_path_of(n, path, sizeof(path));
	return pvisor_xs_txn_record(x->txn, path, n);
}

static bool checked(struct xs_ctx *x)
{
	return !x->replay && !x->conn->privileged;
}

/* A change was made: on the main tree, tell the watchers. */
static void changed(struct xs_ctx *x, const char *path,
		    const struct xs_node *n, bool removed)
{
	if (x->txn)
		return;
	pvisor_xs_watch_fire(path, n, removed);
	pvisor_xs_changed();
}

static int log_change(struct xs_ctx *x, uint32_t type, const char *path,
		      const void *value, size_t len,
		      const struct xs_perm *perms, unsigned int nr)
{
	if (!x->txn)
		return 0;
	return pvisor_xs_txn_log(x->txn, type, path, value, len, perms, nr);
}

static void unlog_change(struct xs_ctx *x)
{
	if (x->txn)
		pvisor_xs_txn_unlog(x->txn);
}

int pvisor_xs_op_get(struct xs_ctx *x, const char *path, char want,
		     struct xs_node **out)
{
	struct xs_node *n;
	unsigned int missing;
	int ret;

	n = pvisor_xs_nearest(x->tree, path, &missing);
	ret = record(x, path, missing ? NULL : n);
	if (ret)
		return ret;
	if (missing)
		return can(x, n, 'r') ? -ENOENT : -EACCES;
	if (!can(x, n, want))
		return -EACCES;
	*out = n;
	return 0;
}

/*
 * Find @path for a change, creating it (and its missing parents) if
 * needed; *@created says whether it was. Checks write access and the
 * entries quota. The change must already be logged.
 */
static int reach(struct xs_ctx *x, const char *path, struct xs_node **out,
		 bool *created)
{
	struct xs_node *n;
	unsigned int missing;
	int ret;

	n = pvisor_xs_nearest(x->tree, path, &missing);
	ret = record(x, path, missing ? NULL : n);
	if (!ret && missing)
		ret = record_node(x, n);
	if (ret)
		return ret;
	if (!can(x, n, 'w'))
		return -EACCES;
	*created = missing;
	if (missing) {
		if (checked(x) &&
		    pvisor_xs_owned(x->tree, x->conn->domid) + (uint64_t)missing >
		    pvisor_xs_limits(x->conn)->entries)
			return -XS_EQUOTA;
		n = pvisor_xs_create(x->tree, path, x->conn->privileged ? -1 :
				     (int)x->conn->domid);
		if (!n)
			return -ENOMEM;
	}
	*out = n;
	return 0;
}

int pvisor_xs_op_write(struct xs_ctx *x, const char *path, const void *value,
		       size_t len)
{
	struct xs_node *n;
	bool created;
	int ret;

	if (checked(x) && len > pvisor_xs_limits(x->conn)->value_size)
		return -XS_EQUOTA;
	ret = log_change(x, PVISOR_XS_WRITE, path, value, len, NULL, 0);
	if (ret)
		return ret;
	ret = reach(x, path, &n, &created);
	if (ret)
		goto err;
	ret = pvisor_xs_set_value(x->tree, n, value, len);
	if (ret) {
		if (created)
			pvisor_xs_remove(x->tree, n);
		goto err;
	}
	changed(x, path, n, false);
	return 0;
err:
	unlog_change(x);
	return ret;
}

int pvisor_xs_op_mkdir(struct xs_ctx *x, const char *path)
{
	struct xs_node *n;
	bool created;
	int ret;

	ret = log_change(x, PVISOR_XS_MKDIR, path, NULL, 0, NULL, 0);
	if (ret)
		return ret;
	ret = reach(x, path, &n, &created);
	if (ret) {
		unlog_change(x);
		return ret;
	}
	if (created)
		changed(x, path, n, false);
	return 0;
}

int pvisor_xs_op_rm(struct xs_ctx *x, const char *path)
{
	struct xs_node *n, *parent;
	unsigned int missing;
	int ret;

	if (!strcmp(path, "/"))
		return -EINVAL;
	n = pvisor_xs_nearest(x->tree, path, &missing);
	ret = record(x, path, missing ? NULL : n);
	if (ret)
		return ret;
	if (missing) {
		/* Fine if only the node is missing, not its parent. */
		if (!can(x, n, 'r'))
			return -EACCES;
		return missing == 1 ? 0 : -ENOENT;
	}
	if (!can(x, n, 'w'))
		return -EACCES;
	parent = n->parent;
	ret = record_node(x, parent);
	if (ret)
		return ret;
	ret = log_change(x, PVISOR_XS_RM, path, NULL, 0, NULL, 0);
	if (ret)
		return ret;
	changed(x, path, n, true);
	pvisor_xs_remove(x->tree, n);
	return 0;
}

int pvisor_xs_op_set_perms(struct xs_ctx *x, const char *path,
			   const struct xs_perm *perms, unsigned int nr)
{
	struct xs_node *n;
	int ret;

	ret = pvisor_xs_op_get(x, path, 'w', &n);
	if (ret)
		return ret;
	if (checked(x)) {
		/* Only the owner may, and it may not give the node away. */
		if (n->perms[0].domid != x->conn->domid)
			return -EACCES;
		if (perms[0].domid != x->conn->domid)
			return -EPERM;
	}
	/* Domain0 too: the state file holds no longer list. */
	if (!x->replay && nr > pvisor_xs_limits(x->conn)->perms)
		return -XS_EQUOTA;
	ret = log_change(x, PVISOR_XS_SET_PERMS, path, NULL, 0, perms, nr);
	if (ret)
		return ret;
	ret = pvisor_xs_set_perms(x->tree, n, perms, nr);
	if (ret) {
		unlog_change(x);
		return ret;
	}
	changed(x, path, n, false);
	return 0;
}
