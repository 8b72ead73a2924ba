/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVCTL_GROWBUF_H
#define PVCTL_GROWBUF_H

#include <stddef.h>

/* An array of fixed-size items that grows as a dump delivers them. */
struct growbuf {
	void *v;
	size_t n, cap;
};

/* Append a copy of @item (@size bytes); 0 or -ENOMEM. */
int growbuf_push(struct growbuf *b, const void *item, size_t size);

#endif /* PVCTL_GROWBUF_H */
