/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The xenstore tree: nodes with a value, permissions and children.
 *
 * There is one main tree, and one private copy per open transaction. A
 * copy shares the names and values of the main tree's nodes (they are
 * immutable, reference-counted blobs), so taking one costs a node
 * skeleton, not the data.
 *
 * Every change to the main tree stamps the changed node, and the parent
 * of a node added or removed, with the next value of the tree's
 * generation counter: that is what transactions compare to detect a
 * conflict (xs_txn.c). Changes inside a copy leave stamps alone and give
 * new nodes generation 0, "not in the main tree".
 */
#ifndef PVISORD_XS_TREE_H
#define PVISORD_XS_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Domain ids on the wire are 16-bit; Xen's special ones included. */
#define XS_DOMID_LIMIT	65536

/* One permission entry. The first entry names the owner. */
struct xs_perm {
	uint16_t domid;
	char access;		/* 'n', 'r', 'w' or 'b' */
};

struct xs_blob {
	unsigned int refs;
	size_t len;
	char data[];		/* nul-terminated after len bytes */
};

struct xs_node {
	struct xs_blob *name;	/* last component; "" for the root */
	struct xs_blob *value;
	struct xs_node *parent;
	struct xs_node **children;	/* in creation order */
	size_t nr_children, cap_children;
	struct xs_perm *perms;
	unsigned int nr_perms;
	uint64_t gen;
};

struct xs_delta {
	uint16_t domid;
	int32_t delta;
};

struct xs_tree {
	struct xs_node *root;
	uint64_t gen;		/* the main tree's last generation */
	size_t nodes;
	/* Nodes per owner: an array in the main tree ... */
	uint32_t *owned;
	/* ... and, in a copy, changes to the main tree's figures. */
	struct xs_tree *base;
	struct xs_delta *deltas;
	size_t nr_deltas;
};

/* A new main tree holding "/" (owned by Domain0, no access for others). */
struct xs_tree *pvisor_xs_tree_new(void);
/* A transaction's copy of @base. NULL when out of memory. */
struct xs_tree *pvisor_xs_tree_copy(struct xs_tree *base);
void pvisor_xs_tree_free(struct xs_tree *t);

/* The node at canonical absolute @path, or NULL. */
struct xs_node *pvisor_xs_lookup(struct xs_tree *t, const char *path);

/*
 * The nearest existing node at or above @path, and in *@missing how many
 * components below it do not exist (0: @path itself exists).
 */
struct xs_node *pvisor_xs_nearest(struct xs_tree *t, const char *path,
				  unsigned int *missing);

/*
 * Create @path and any missing parents, each with an empty value and
 * @parent's permissions, the owner replaced by @owner when @owner >= 0.
 * Returns the node (existing or new), or NULL when out of memory; the
 * tree is then unchanged.
 */
struct xs_node *pvisor_xs_create(struct xs_tree *t, const char *path,
				 int owner);

/* Replace a node's value. 0 or -ENOMEM. */
int pvisor_xs_set_value(struct xs_tree *t, struct xs_node *n,
			const void *value, size_t len);

/* Replace a node's permissions (nr >= 1). 0 or -ENOMEM. */
int pvisor_xs_set_perms(struct xs_tree *t, struct xs_node *n,
			const struct xs_perm *perms, unsigned int nr);

/* Remove a node (not the root) and everything below it. */
void pvisor_xs_remove(struct xs_tree *t, struct xs_node *n);

/* Write @n's absolute path into @buf (PVISOR_XS_ABS_PATH_MAX + 1). */
void pvisor_xs_path_of(const struct xs_node *n, char *buf, size_t size);

/* Nodes @domid owns, in this tree's view. */
uint32_t pvisor_xs_owned(const struct xs_tree *t, uint16_t domid);

#endif /* PVISORD_XS_TREE_H */
