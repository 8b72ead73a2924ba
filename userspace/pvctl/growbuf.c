// SPDX-License-Identifier: GPL-2.0
/*
 * The listings collect a dump's items before printing them (the JSON
 * form needs to know where the array ends); this is their array.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "growbuf.h"

int growbuf_push(struct growbuf *b, const void *item, size_t size)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 16;
		void *v = realloc(b->v, cap * size);

		if (!v)
			return -ENOMEM;
		b->v = v;
		b->cap = cap;
	}
	memcpy((char *)b->v + b->n++ * size, item, size);
	return 0;
}
