// SPDX-License-Identifier: GPL-2.0
/*
 * xenstore messages: parse a request, run it, answer it.
 *
 * A request's payload is a list of nul-terminated strings (WRITE's value
 * is the bytes after its path, binary). Each type takes an exact number
 * of them; a payload that is not exactly that fails with EINVAL and
 * changes nothing. Replies carry the request's type, req_id and tx_id;
 * a failure is an ERROR reply whose payload is the error's Xen name.
 * Unknown types get ENOSYS. Only a payload longer than
 * PVISOR_XS_PAYLOAD_MAX ends the connection (the transport's job), as it
 * does in Xen.
 *
 * Also here: a connection's xenstore life (identity, limits, teardown).
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <pvisor/netlink.h>

#include "log.h"
#include "xs.h"
#include "xs_path.h"
#include "xs_perms.h"
#include "xs_txn.h"
#include "xs_watch.h"

struct xs_store pvisor_xs;

/* The CONTROL command through which Domain0 acts as a domain. */
#define XS_CONTROL_ACT_AS	"pvisor-act-as"
/* The one through which pvctl create hands over a domain's config. */
#define XS_CONTROL_DOMAIN_CONFIG	"pvisor-domain-config"

/* Most strings a request carries: SET_PERMS's path and its entries. */
#define XS_MAX_ARGS	(PVISOR_XS_PAYLOAD_MAX / 2 + 1)

static const struct {
	int err;
	const char *name;
} errnames[] = {
	{ EINVAL, "EINVAL" },
	{ EACCES, "EACCES" },
	{ EEXIST, "EEXIST" },
	{ EISDIR, "EISDIR" },
	{ ENOENT, "ENOENT" },
	{ ENOMEM, "ENOMEM" },
	{ ENOSPC, "ENOSPC" },
	{ EIO, "EIO" },
	{ ENOTEMPTY, "ENOTEMPTY" },
	{ ENOSYS, "ENOSYS" },
	{ EROFS, "EROFS" },
	{ EBUSY, "EBUSY" },
	{ EAGAIN, "EAGAIN" },
	{ EISCONN, "EISCONN" },
	{ E2BIG, "E2BIG" },
	{ EPERM, "EPERM" },
	{ XS_EQUOTA, "EQUOTA" },
};

const char *pvisor_xs_errname(int err)
{
	size_t i;

	if (err < 0)
		err = -err;
	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].err == err)
			return errnames[i].name;
	return "EINVAL";
}

const struct xs_limits *pvisor_xs_limits(const struct xs_conn *c)
{
	return c->privileged ? &pvisor_xs_dom0_limits : &pvisor_xs_guest_limits;
}

void pvisor_xs_conn_init(struct xs_conn *c, uint32_t domid, bool privileged)
{
	c->domid = domid;
	c->privileged = privileged;
	list_init(&c->txns);
	list_init(&c->watches);
	c->nr_txns = 0;
	c->nr_watches = 0;
	c->next_txid = 0;
}

static void release_txns(struct xs_conn *c)
{
	while (!list_empty(&c->txns))
		pvisor_xs_txn_end(list_entry(c->txns.next, struct xs_txn, link),
				  false);
}

void pvisor_xs_conn_release(struct xs_conn *c)
{
	pvisor_xs_watch_release(c);
	release_txns(c);
}

void pvisor_xs_changed(void)
{
	pvisor_xs.dirty = true;
}

/* One request being answered. */
struct req {
	struct xs_conn *conn;
	const struct pvisor_xs_header *h;
	const char *payload;
	const char *arg[XS_MAX_ARGS];
	unsigned int nr_args;
	bool answered;
};

static void reply(struct req *r, uint32_t type, const void *data, size_t len)
{
	struct pvisor_xs_header h = {
		.type = type,
		.req_id = r->h->req_id,
		.tx_id = r->h->tx_id,
		.len = len,
	};

	r->conn->send(r->conn, &h, data, false);
	r->answered = true;
}

static void reply_error(struct req *r, int err)
{
	const char *name = pvisor_xs_errname(err);

	reply(r, PVISOR_XS_ERROR, name, strlen(name) + 1);
}

static void reply_ok(struct req *r)
{
	reply(r, r->h->type, "OK", 3);
}

/* Reply with a nul-terminated string. */
static void reply_string(struct req *r, const char *s)
{
	reply(r, r->h->type, s, strlen(s) + 1);
}

/*
 * Split the payload into its strings; the last must end the payload.
 * Returns how many there are, or -EINVAL for a payload that does not end
 * in a nul (an empty one has none).
 */
static int split(struct req *r)
{
	const char *p = r->payload, *end = r->payload + r->h->len;

	r->nr_args = 0;
	if (!r->h->len)
		return 0;
	if (end[-1] != '\0')
		return -EINVAL;
	while (p < end && r->nr_args < XS_MAX_ARGS) {
		r->arg[r->nr_args++] = p;
		p += strlen(p) + 1;
	}
	return p < end ? -EINVAL : (int)r->nr_args;
}

static int need_args(struct req *r, unsigned int min, unsigned int max)
{
	int n = split(r);

	if (n < 0 || (unsigned int)n < min || (unsigned int)n > max)
		return -EINVAL;
	return 0;
}

/* The context for a tree operation: the request's transaction, if any. */
static int context(struct req *r, struct xs_ctx *x)
{
	x->conn = r->conn;
	x->tree = pvisor_xs.tree;
	x->txn = NULL;
	x->replay = false;
	if (!r->h->tx_id)
		return 0;
	x->txn = pvisor_xs_txn_find(r->conn, r->h->tx_id);
	if (!x->txn)
		return -ENOENT;
	x->tree = x->txn->tree;
	return 0;
}

/* The path argument @i, absolute. */
static int path_arg(struct req *r, unsigned int i, char *out)
{
	return pvisor_xs_path_canon(r->arg[i], r->conn->domid, out, NULL);
}

/* READ, DIRECTORY, GET_PERMS: one path, read access. */
static int do_read(struct req *r)
{
	char path[XS_PATH_BUF], buf[PVISOR_XS_PAYLOAD_MAX];
	struct xs_node *n;
	struct xs_ctx x;
	size_t len = 0, i;
	int ret;

	ret = need_args(r, 1, 1);
	if (!ret)
		ret = path_arg(r, 0, path);
	if (!ret)
		ret = context(r, &x);
	if (!ret)
		ret = pvisor_xs_op_get(&x, path, 'r', &n);
	if (ret)
		return ret;

	switch (r->h->type) {
	case PVISOR_XS_READ:
		if (n->value->len > sizeof(buf))
			return -E2BIG;
		reply(r, r->h->type, n->value->data, n->value->len);
		return 0;
	case PVISOR_XS_DIRECTORY:
		for (i = 0; i < n->nr_children; i++) {
			const struct xs_blob *name = n->children[i]->name;

			if (len + name->len + 1 > sizeof(buf))
				return -E2BIG;
			memcpy(buf + len, name->data, name->len + 1);
			len += name->len + 1;
		}
		break;
	default:	/* GET_PERMS */
		for (i = 0; i < n->nr_perms; i++) {
			char one[8];
			int l = pvisor_xs_perm_format(&n->perms[i], one, sizeof(one));

			if (len + l + 1 > sizeof(buf))
				return -E2BIG;
			memcpy(buf + len, one, l + 1);
			len += l + 1;
		}
		break;
	}
	reply(r, r->h->type, buf, len);
	return 0;
}

static int do_write(struct req *r)
{
	const char *p = r->payload, *end = p + r->h->len, *value;
	char path[XS_PATH_BUF];
	struct xs_ctx x;
	int ret;

	/* The path, its nul, then the value: binary, to the end. */
	value = memchr(p, '\0', r->h->len);
	if (!value)
		return -EINVAL;
	value++;
	r->arg[0] = p;
	ret = path_arg(r, 0, path);
	if (!ret)
		ret = context(r, &x);
	if (!ret)
		ret = pvisor_xs_op_write(&x, path, value, end - value);
	if (!ret)
		reply_ok(r);
	return ret;
}

/* MKDIR, RM: one path. */
static int do_change(struct req *r)
{
	char path[XS_PATH_BUF];
	struct xs_ctx x;
	int ret;

	ret = need_args(r, 1, 1);
	if (!ret)
		ret = path_arg(r, 0, path);
	if (!ret)
		ret = context(r, &x);
	if (ret)
		return ret;
	if (r->h->type == PVISOR_XS_MKDIR)
		ret = pvisor_xs_op_mkdir(&x, path);
	else
		ret = pvisor_xs_op_rm(&x, path);
	if (!ret)
		reply_ok(r);
	return ret;
}

static int do_set_perms(struct req *r)
{
	struct xs_perm perms[XS_MAX_ARGS];
	char path[XS_PATH_BUF];
	struct xs_ctx x;
	unsigned int i;
	int ret;

	ret = need_args(r, 2, XS_MAX_ARGS);
	if (!ret)
		ret = path_arg(r, 0, path);
	for (i = 1; !ret && i < r->nr_args; i++)
		ret = pvisor_xs_perm_parse(r->arg[i], &perms[i - 1]);
	if (!ret)
		ret = context(r, &x);
	if (!ret)
		ret = pvisor_xs_op_set_perms(&x, path, perms, r->nr_args - 1);
	if (!ret)
		reply_ok(r);
	return ret;
}

/* WATCH, UNWATCH: path, token, and an optional reserved empty string. */
static int do_watch(struct req *r)
{
	int ret;

	ret = need_args(r, 2, 3);
	if (ret)
		return ret;
	if (r->h->type == PVISOR_XS_UNWATCH) {
		ret = pvisor_xs_watch_del(r->conn, r->arg[0], r->arg[1]);
		if (!ret)
			reply_ok(r);
		return ret;
	}
	ret = pvisor_xs_watch_add(r->conn, r->arg[0], r->arg[1]);
	if (ret)
		return ret;
	reply_ok(r);
	pvisor_xs_watch_fire_first(r->conn);
	return 0;
}

static int do_transaction_start(struct req *r)
{
	char id[16];
	uint32_t txid;
	int ret;

	/* Clients send an empty payload or a single empty string. */
	if (r->h->len > 1 || (r->h->len == 1 && r->payload[0]))
		return -EINVAL;
	if (r->h->tx_id)
		return -EBUSY;
	ret = pvisor_xs_txn_start(r->conn, &txid);
	if (ret)
		return ret;
	snprintf(id, sizeof(id), "%u", txid);
	reply_string(r, id);
	return 0;
}

static int do_transaction_end(struct req *r)
{
	struct xs_txn *t;
	bool commit;
	int ret;

	ret = need_args(r, 1, 1);
	if (ret)
		return ret;
	if (!strcmp(r->arg[0], "T"))
		commit = true;
	else if (!strcmp(r->arg[0], "F"))
		commit = false;
	else
		return -EINVAL;
	t = pvisor_xs_txn_find(r->conn, r->h->tx_id);
	if (!r->h->tx_id || !t)
		return -ENOENT;
	ret = pvisor_xs_txn_end(t, commit);
	if (!ret)
		reply_ok(r);
	return ret;
}

static int do_get_domain_path(struct req *r)
{
	char path[XS_PATH_BUF];
	uint32_t domid;
	int ret;

	ret = need_args(r, 1, 1);
	if (!ret)
		ret = pvisor_xs_parse_domid(r->arg[0], &domid);
	if (ret)
		return ret;
	pvisor_xs_domain_path(domid, path, sizeof(path));
	reply_string(r, path);
	return 0;
}

/*
 * A guest's ring is attached by INTRODUCE and detached by RELEASE. The
 * ring transport is not written yet (Documentation/pvisord.rst says what
 * it needs): both check their caller and arguments, then fail with
 * ENOSYS rather than pretend.
 */
static int do_introduce(struct req *r)
{
	uint32_t domid;
	unsigned int i;
	int ret;

	if (!r->conn->privileged)
		return -EACCES;
	if (r->h->type == PVISOR_XS_INTRODUCE)
		ret = need_args(r, 3, 4);
	else
		ret = need_args(r, 1, 1);
	if (!ret)
		ret = pvisor_xs_parse_domid(r->arg[0], &domid);
	if (ret)
		return ret;
	if (!domid || domid > PVISOR_DOMID_MAX)
		return -EINVAL;
	for (i = 1; i < 3 && r->h->type == PVISOR_XS_INTRODUCE; i++) {
		const char *p = r->arg[i];

		if (*p == '-')
			p++;
		if (!*p || strspn(p, "0123456789") != strlen(p))
			return -EINVAL;
	}
	return -ENOSYS;
}

static int do_is_introduced(struct req *r)
{
	uint32_t domid;
	int ret;

	ret = need_args(r, 1, 1);
	if (!ret)
		ret = pvisor_xs_parse_domid(r->arg[0], &domid);
	if (ret)
		return ret;
	/* Introduced: Domain0, and guests whose ring is served. */
	reply_string(r, domid == 0 || (pvisor_xs.ring_served &&
				       pvisor_xs.ring_served(domid)) ? "T" : "F");
	return 0;
}

static int do_reset_watches(struct req *r)
{
	if (r->h->len > 1 || (r->h->len == 1 && r->payload[0]))
		return -EINVAL;
	pvisor_xs_watch_release(r->conn);
	release_txns(r->conn);
	reply_ok(r);
	return 0;
}

/*
 * CONTROL "pvisor-domain-config" DOMID TEXT: pvctl create hands over a
 * new domain's effective config (configs.c checks and keeps it).
 */
static int control_domain_config(struct req *r)
{
	uint32_t domid;
	int ret;

	if (r->nr_args != 3)
		return -EINVAL;
	ret = pvisor_xs_parse_domid(r->arg[1], &domid);
	if (ret)
		return ret;
	if (!domid || !pvisor_xs.domain_config)
		return -EINVAL;
	return pvisor_xs.domain_config(domid, r->arg[2]);
}

/*
 * CONTROL "pvisor-act-as" DOMID: from now on this connection is that
 * domain, for permissions, quotas and relative paths, for good (there is
 * no way back to Domain0). Domain0 only, on a connection without watches
 * or transactions, for a domain the module has. Tests use it to act as
 * a guest before guests have rings; Documentation/xenstore.rst.
 */
static int do_control(struct req *r)
{
	uint32_t domid;
	int ret;

	if (!r->conn->privileged)
		return -EACCES;
	ret = need_args(r, 1, 3);
	if (ret)
		return ret;
	if (!strcmp(r->arg[0], XS_CONTROL_DOMAIN_CONFIG))
		return control_domain_config(r);
	if (strcmp(r->arg[0], XS_CONTROL_ACT_AS) || r->nr_args != 2)
		return -EINVAL;
	ret = pvisor_xs_parse_domid(r->arg[1], &domid);
	if (ret)
		return ret;
	if (!domid)
		return -EINVAL;
	if (!pvisor_xs.domain_exists || !pvisor_xs.domain_exists(domid))
		return -ENOENT;
	if (r->conn->nr_watches || r->conn->nr_txns)
		return -EBUSY;
	log_info("%s acts as domain %u from now on", r->conn->label, domid);
	r->conn->domid = domid;
	r->conn->privileged = false;
	reply_ok(r);
	return 0;
}

void pvisor_xs_handle(struct xs_conn *c, const struct pvisor_xs_header *h,
		      const char *payload)
{
	struct req r = { .conn = c, .h = h, .payload = payload };
	int ret;

	switch (h->type) {
	case PVISOR_XS_READ:
	case PVISOR_XS_DIRECTORY:
	case PVISOR_XS_GET_PERMS:
		ret = do_read(&r);
		break;
	case PVISOR_XS_WRITE:
		ret = do_write(&r);
		break;
	case PVISOR_XS_MKDIR:
	case PVISOR_XS_RM:
		ret = do_change(&r);
		break;
	case PVISOR_XS_SET_PERMS:
		ret = do_set_perms(&r);
		break;
	case PVISOR_XS_WATCH:
	case PVISOR_XS_UNWATCH:
		ret = do_watch(&r);
		break;
	case PVISOR_XS_TRANSACTION_START:
		ret = do_transaction_start(&r);
		break;
	case PVISOR_XS_TRANSACTION_END:
		ret = do_transaction_end(&r);
		break;
	case PVISOR_XS_GET_DOMAIN_PATH:
		ret = do_get_domain_path(&r);
		break;
	case PVISOR_XS_INTRODUCE:
	case PVISOR_XS_RELEASE:
		ret = do_introduce(&r);
		break;
	case PVISOR_XS_IS_DOMAIN_INTRODUCED:
		ret = do_is_introduced(&r);
		break;
	case PVISOR_XS_RESET_WATCHES:
		ret = do_reset_watches(&r);
		break;
	case PVISOR_XS_CONTROL:
		ret = do_control(&r);
		break;
	case PVISOR_XS_RESUME:
	case PVISOR_XS_SET_TARGET:
		ret = c->privileged ? -ENOSYS : -EACCES;
		break;
	case PVISOR_XS_WATCH_EVENT:
	case PVISOR_XS_ERROR:
		/* Only the daemon sends these. */
		ret = -EINVAL;
		break;
	default:
		ret = -ENOSYS;
		break;
	}
	if (ret)
		reply_error(&r, ret);
	else if (!r.answered)
		reply_ok(&r);
}
