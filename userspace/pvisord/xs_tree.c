// SPDX-License-Identifier: GPL-2.0
/*
 * The xenstore tree. Paths reaching this file are canonical (xs_path.c
 * checked them): absolute, no empty component, at most
 * PVISOR_XS_ABS_PATH_MAX bytes. Depth is therefore bounded by half that,
 * which bounds the recursion in copy and remove.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvisor/xs_wire.h>

#include "xs_tree.h"

static struct xs_blob *blob_new(const void *data, size_t len)
{
	struct xs_blob *b = malloc(sizeof(*b) + len + 1);

	if (!b)
		return NULL;
	b->refs = 1;
	b->len = len;
	if (len)
		memcpy(b->data, data, len);
	b->data[len] = '\0';
	return b;
}

static struct xs_blob *blob_get(struct xs_blob *b)
{
	b->refs++;
	return b;
}

static void blob_put(struct xs_blob *b)
{
	if (b && !--b->refs)
		free(b);
}

/* Account @delta nodes to @domid. */
static void account(struct xs_tree *t, uint16_t domid, int delta)
{
	struct xs_delta *d;
	size_t i;

	t->nodes += delta;
	if (!t->base) {
		t->owned[domid] += delta;
		return;
	}
	for (i = 0; i < t->nr_deltas; i++) {
		if (t->deltas[i].domid == domid) {
			t->deltas[i].delta += delta;
			return;
		}
	}
	/*
	 * A copy's figures are only advice for its quota checks; losing one
	 * to a failed allocation makes a check lenient, never wrong.
	 */
	d = realloc(t->deltas, (t->nr_deltas + 1) * sizeof(*d));
	if (!d)
		return;
	t->deltas = d;
	d[t->nr_deltas].domid = domid;
	d[t->nr_deltas].delta = delta;
	t->nr_deltas++;
}

uint32_t pvisor_xs_owned(const struct xs_tree *t, uint16_t domid)
{
	int64_t n;
	size_t i;

	if (!t->base)
		return t->owned[domid];
	n = t->base->owned[domid];
	for (i = 0; i < t->nr_deltas; i++)
		if (t->deltas[i].domid == domid)
			n += t->deltas[i].delta;
	return n < 0 ? 0 : (uint32_t)n;
}

/* The stamp a change gets: the next generation, or 0 inside a copy. */
static uint64_t stamp(struct xs_tree *t)
{
	return t->base ? 0 : ++t->gen;
}

static void touch(struct xs_tree *t, struct xs_node *n)
{
	if (!t->base)
		n->gen = stamp(t);
}

static struct xs_node *node_alloc(struct xs_blob *name)
{
	struct xs_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->name = name;
	return n;
}

static void node_free(struct xs_node *n)
{
	blob_put(n->name);
	blob_put(n->value);
	free(n->children);
	free(n->perms);
	free(n);
}

struct xs_tree *pvisor_xs_tree_new(void)
{
	struct xs_tree *t = calloc(1, sizeof(*t));
	struct xs_blob *name = NULL;

	if (!t)
		return NULL;
	t->owned = calloc(XS_DOMID_LIMIT, sizeof(*t->owned));
	name = blob_new("", 0);
	if (!t->owned || !name)
		goto err;
	t->root = node_alloc(name);
	if (!t->root)
		goto err;
	name = NULL;
	t->root->value = blob_new("", 0);
	t->root->perms = malloc(sizeof(*t->root->perms));
	if (!t->root->value || !t->root->perms)
		goto err;
	t->root->perms[0].domid = 0;
	t->root->perms[0].access = 'n';
	t->root->nr_perms = 1;
	t->root->gen = ++t->gen;
	account(t, 0, 1);
	return t;
err:
	blob_put(name);
	pvisor_xs_tree_free(t);
	return NULL;
}

static void free_subtree(struct xs_node *n)
{
	size_t i;

	for (i = 0; i < n->nr_children; i++)
		free_subtree(n->children[i]);
	node_free(n);
}

void pvisor_xs_tree_free(struct xs_tree *t)
{
	if (!t)
		return;
	if (t->root)
		free_subtree(t->root);
	free(t->owned);
	free(t->deltas);
	free(t);
}

static struct xs_node *copy_subtree(const struct xs_node *src,
				    struct xs_node *parent)
{
	struct xs_node *n = node_alloc(blob_get(src->name));
	size_t i;

	if (!n) {
		blob_put(src->name);
		return NULL;
	}
	n->parent = parent;
	n->value = blob_get(src->value);
	n->gen = src->gen;
	n->perms = malloc(src->nr_perms * sizeof(*n->perms));
	if (!n->perms)
		goto err;
	memcpy(n->perms, src->perms, src->nr_perms * sizeof(*n->perms));
	n->nr_perms = src->nr_perms;
	if (src->nr_children) {
		n->children = malloc(src->nr_children * sizeof(*n->children));
		if (!n->children)
			goto err;
		n->cap_children = src->nr_children;
	}
	for (i = 0; i < src->nr_children; i++) {
		n->children[i] = copy_subtree(src->children[i], n);
		if (!n->children[i])
			goto err;
		n->nr_children++;
	}
	return n;
err:
	free_subtree(n);
	return NULL;
}

struct xs_tree *pvisor_xs_tree_copy(struct xs_tree *base)
{
	struct xs_tree *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->base = base;
	t->gen = base->gen;
	t->nodes = base->nodes;
	t->root = copy_subtree(base->root, NULL);
	if (!t->root) {
		free(t);
		return NULL;
	}
	return t;
}

static struct xs_node *child(const struct xs_node *n, const char *name,
			     size_t len)
{
	size_t i;

	for (i = 0; i < n->nr_children; i++) {
		const struct xs_blob *b = n->children[i]->name;

		if (b->len == len && !memcmp(b->data, name, len))
			return n->children[i];
	}
	return NULL;
}

struct xs_node *pvisor_xs_nearest(struct xs_tree *t, const char *path,
				  unsigned int *missing)
{
	struct xs_node *n = t->root, *c;
	const char *p = path + 1, *end;

	*missing = 0;
	while (*p) {
		end = strchrnul(p, '/');
		c = child(n, p, end - p);
		if (!c) {
			/* Canonical: every '/' left starts one more component. */
			*missing = 1;
			for (; *p; p++)
				*missing += *p == '/';
			return n;
		}
		n = c;
		p = *end ? end + 1 : end;
	}
	return n;
}

struct xs_node *pvisor_xs_lookup(struct xs_tree *t, const char *path)
{
	unsigned int missing;
	struct xs_node *n = pvisor_xs_nearest(t, path, &missing);

	return missing ? NULL : n;
}

static int add_child(struct xs_node *parent, struct xs_node *n)
{
	if (parent->nr_children == parent->cap_children) {
		size_t cap = parent->cap_children ? parent->cap_children * 2 : 4;
		struct xs_node **c = realloc(parent->children, cap * sizeof(*c));

		if (!c)
			return -ENOMEM;
		parent->children = c;
		parent->cap_children = cap;
	}
	parent->children[parent->nr_children++] = n;
	n->parent = parent;
	return 0;
}

static void detach(struct xs_node *n)
{
	struct xs_node *parent = n->parent;
	size_t i;

	for (i = 0; i < parent->nr_children; i++)
		if (parent->children[i] == n)
			break;
	memmove(&parent->children[i], &parent->children[i + 1],
		(parent->nr_children - i - 1) * sizeof(*parent->children));
	parent->nr_children--;
}

static void remove_counted(struct xs_tree *t, struct xs_node *n)
{
	size_t i;

	for (i = 0; i < n->nr_children; i++)
		remove_counted(t, n->children[i]);
	account(t, n->perms[0].domid, -1);
	n->nr_children = 0;
	node_free(n);
}

void pvisor_xs_remove(struct xs_tree *t, struct xs_node *n)
{
	struct xs_node *parent = n->parent;

	detach(n);
	touch(t, parent);
	remove_counted(t, n);
}

struct xs_node *pvisor_xs_create(struct xs_tree *t, const char *path,
				 int owner)
{
	struct xs_node *n = t->root, *c, *first = NULL;
	const char *p = path + 1, *end;

	while (*p) {
		end = strchrnul(p, '/');
		c = child(n, p, end - p);
		if (!c) {
			struct xs_blob *name = blob_new(p, end - p);

			c = name ? node_alloc(name) : NULL;
			if (!c) {
				blob_put(name);
				goto err;
			}
			c->value = blob_new("", 0);
			c->perms = malloc(n->nr_perms * sizeof(*c->perms));
			if (!c->value || !c->perms || add_child(n, c)) {
				node_free(c);
				goto err;
			}
			memcpy(c->perms, n->perms, n->nr_perms * sizeof(*c->perms));
			c->nr_perms = n->nr_perms;
			if (owner >= 0)
				c->perms[0].domid = owner;
			account(t, c->perms[0].domid, 1);
			c->gen = stamp(t);
			touch(t, n);
			if (!first)
				first = c;
		}
		n = c;
		p = *end ? end + 1 : end;
	}
	return n;
err:
	/* Leave the tree as it was: drop the part already built. */
	if (first)
		pvisor_xs_remove(t, first);
	return NULL;
}

int pvisor_xs_set_value(struct xs_tree *t, struct xs_node *n,
			const void *value, size_t len)
{
	struct xs_blob *b = blob_new(value, len);

	if (!b)
		return -ENOMEM;
	blob_put(n->value);
	n->value = b;
	touch(t, n);
	return 0;
}

int pvisor_xs_set_perms(struct xs_tree *t, struct xs_node *n,
			const struct xs_perm *perms, unsigned int nr)
{
	struct xs_perm *p = malloc(nr * sizeof(*p));

	if (!p)
		return -ENOMEM;
	memcpy(p, perms, nr * sizeof(*p));
	account(t, n->perms[0].domid, -1);
	account(t, p[0].domid, 1);
	free(n->perms);
	n->perms = p;
	n->nr_perms = nr;
	touch(t, n);
	return 0;
}

void pvisor_xs_path_of(const struct xs_node *n, char *buf, size_t size)
{
	const struct xs_node *m;
	size_t len = 0, pos;

	if (!n->parent) {
		snprintf(buf, size, "/");
		return;
	}
	for (m = n; m->parent; m = m->parent)
		len += 1 + m->name->len;
	if (len + 1 > size)
		len = size - 1;	/* cannot happen for canonical paths */
	buf[len] = '\0';
	pos = len;
	for (m = n; m->parent; m = m->parent) {
		if (pos < m->name->len + 1)
			break;
		pos -= m->name->len;
		memcpy(buf + pos, m->name->data, m->name->len);
		buf[--pos] = '/';
	}
}
