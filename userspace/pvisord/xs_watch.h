/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xenstore watches. A watch on a path fires for every change to that
 * path or below it, and once when it is set up; a watch on
 * "@introduceDomain" or "@releaseDomain" fires when a domain appears or
 * goes. Each event carries the changed path and the watch's token.
 */
#ifndef PVISORD_XS_WATCH_H
#define PVISORD_XS_WATCH_H

#include <stdbool.h>

#include "xs.h"

#define XS_WATCH_INTRODUCE	"@introduceDomain"
#define XS_WATCH_RELEASE	"@releaseDomain"

/*
 * Set one up for @c on @path (as the client wrote it) with @token, and
 * queue its first event. 0, -EINVAL, -EEXIST (the same path and token
 * already), -XS_EQUOTA or -ENOMEM. The caller sends the OK first: the
 * first event follows it.
 */
int pvisor_xs_watch_add(struct xs_conn *c, const char *path,
			const char *token);
void pvisor_xs_watch_fire_first(struct xs_conn *c);
/* Remove @c's watch on @path with @token. 0, -EINVAL or -ENOENT. */
int pvisor_xs_watch_del(struct xs_conn *c, const char *path,
			const char *token);
/* Remove all of @c's watches. */
void pvisor_xs_watch_release(struct xs_conn *c);

/*
 * The main tree's node @path changed; @n (its node, or the top of a
 * removed subtree when @removed) decides who may see it.
 */
void pvisor_xs_watch_fire(const char *path, const struct xs_node *n,
			  bool removed);
/* "@introduceDomain" or "@releaseDomain" happened. */
void pvisor_xs_watch_fire_special(const char *name);

#endif /* PVISORD_XS_WATCH_H */
