// SPDX-License-Identifier: GPL-2.0
/*
 * Watches. Every watch is on one global list, walked for each change:
 * its length is bounded by the per-connection limit times
 * XS_MAX_CONNECTIONS.
 *
 * Matching follows Xen: an event at P reaches a watch on W when P is a
 * child of W; when a subtree is removed, a watch inside it reaches its
 * client with W itself as the path. A watch set up with a relative path
 * gets relative paths. An unprivileged watcher only hears about nodes it
 * may read.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xs_path.h"
#include "xs_perms.h"
#include "xs_watch.h"

struct xs_watch {
	struct list_head link;		/* all watches */
	struct list_head conn_link;	/* its connection's */
	struct xs_conn *conn;
	char *path;			/* as the client gave it */
	char *abs;			/* absolute, or the "@" name */
	size_t strip;			/* relative: prefix to cut from events */
	char *token;
};

static struct list_head watches = LIST_HEAD_INIT(watches);

/*
 * Xen accepts any "@" name for a watch; only the two it knows ever fire
 * (besides the first event). The name must still be a valid path
 * component string, no longer than a relative path.
 */
static bool special(const char *path)
{
	size_t len = strlen(path);

	return path[0] == '@' && len <= PVISOR_XS_REL_PATH_MAX &&
	       strspn(path, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789-_@") == len;
}

static void watch_free(struct xs_watch *w)
{
	list_del(&w->link);
	list_del(&w->conn_link);
	w->conn->nr_watches--;
	free(w->path);
	free(w->abs);
	free(w->token);
	free(w);
}

static void send_event(struct xs_watch *w, const char *epath)
{
	char buf[PVISOR_XS_PAYLOAD_MAX];
	size_t plen = strlen(epath), tlen = strlen(w->token);
	struct pvisor_xs_header h = { .type = PVISOR_XS_WATCH_EVENT };

	/* Both came in one request, so they fit one message. */
	if (plen + tlen + 2 > sizeof(buf))
		return;
	memcpy(buf, epath, plen + 1);
	memcpy(buf + plen + 1, w->token, tlen + 1);
	h.len = plen + tlen + 2;
	w->conn->send(w->conn, &h, buf, true);
}

/* The watch on @path (absolute or special) with @token, if @c has one. */
static struct xs_watch *find(struct xs_conn *c, const char *abs,
			     const char *token)
{
	struct xs_watch *w;

	list_for_each_entry(w, &c->watches, conn_link)
		if (!strcmp(w->abs, abs) && !strcmp(w->token, token))
			return w;
	return NULL;
}

static int canon(struct xs_conn *c, const char *path, char *abs,
		 bool *relative)
{
	*relative = false;
	if (path[0] == '@') {
		if (!special(path))
			return -EINVAL;
		strcpy(abs, path);
		return 0;
	}
	return pvisor_xs_path_canon(path, c->domid, abs, relative);
}

int pvisor_xs_watch_add(struct xs_conn *c, const char *path,
			const char *token)
{
	char abs[XS_PATH_BUF];
	struct xs_watch *w;
	bool relative;
	int ret;

	ret = canon(c, path, abs, &relative);
	if (ret)
		return ret;
	if (find(c, abs, token))
		return -EEXIST;
	if (c->nr_watches >= pvisor_xs_limits(c)->watches)
		return -XS_EQUOTA;

	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->path = strdup(path);
	w->abs = strdup(abs);
	w->token = strdup(token);
	if (!w->path || !w->abs || !w->token) {
		free(w->path);
		free(w->abs);
		free(w->token);
		free(w);
		return -ENOMEM;
	}
	if (relative)
		w->strip = strlen(abs) - strlen(path);
	w->conn = c;
	list_add_tail(&w->link, &watches);
	list_add_tail(&w->conn_link, &c->watches);
	c->nr_watches++;
	return 0;
}

void pvisor_xs_watch_fire_first(struct xs_conn *c)
{
	struct xs_watch *w;

	if (list_empty(&c->watches))
		return;
	w = list_entry(c->watches.prev, struct xs_watch, conn_link);
	send_event(w, w->path);
}

int pvisor_xs_watch_del(struct xs_conn *c, const char *path,
			const char *token)
{
	char abs[XS_PATH_BUF];
	struct xs_watch *w;
	bool relative;
	int ret;

	ret = canon(c, path, abs, &relative);
	if (ret)
		return ret;
	w = find(c, abs, token);
	if (!w)
		return -ENOENT;
	watch_free(w);
	return 0;
}

void pvisor_xs_watch_release(struct xs_conn *c)
{
	struct xs_watch *w, *next;

	list_for_each_entry_safe(w, next, &c->watches, conn_link)
		watch_free(w);
}

void pvisor_xs_watch_fire(const char *path, const struct xs_node *n,
			  bool removed)
{
	struct xs_watch *w;
	const char *epath;

	list_for_each_entry(w, &watches, link) {
		if (w->abs[0] == '@')
			continue;
		if (pvisor_xs_is_child(path, w->abs))
			epath = path;
		else if (removed && pvisor_xs_is_child(w->abs, path))
			epath = w->abs;
		else
			continue;
		if (!pvisor_xs_can(n, w->conn->domid, w->conn->privileged, 'r'))
			continue;
		/* Relative watches hear relative paths (never an empty one). */
		if (w->strip && strlen(epath) > w->strip)
			epath += w->strip;
		send_event(w, epath);
	}
}

void pvisor_xs_watch_fire_special(const char *name)
{
	struct xs_watch *w;

	list_for_each_entry(w, &watches, link)
		if (!strcmp(w->abs, name))
			send_event(w, w->path);
}
