// SPDX-License-Identifier: GPL-2.0
/* Output queues (outq.h): one buffer, compacted before it grows. */

#include <stdlib.h>
#include <string.h>

#include "outq.h"

static bool reserve(struct outq *q, size_t len)
{
	size_t need = q->len + len, cap;
	char *p;

	if (q->head) {
		memmove(q->buf, q->buf + q->head, q->len);
		q->head = 0;
	}
	if (need <= q->cap)
		return true;
	cap = q->cap ? q->cap : 8192;
	while (cap < need)
		cap *= 2;
	p = realloc(q->buf, cap);
	if (!p)
		return false;
	q->buf = p;
	q->cap = cap;
	return true;
}

bool outq_put(struct outq *q, const void *a, size_t a_len, const void *b,
	      size_t b_len)
{
	if (!reserve(q, a_len + b_len))
		return false;
	memcpy(q->buf + q->len, a, a_len);
	memcpy(q->buf + q->len + a_len, b, b_len);
	q->len += a_len + b_len;
	return true;
}

void outq_consume(struct outq *q, size_t n)
{
	q->head += n;
	q->len -= n;
	if (!q->len)
		q->head = 0;
}

void outq_free(struct outq *q)
{
	free(q->buf);
	q->buf = NULL;
	q->head = q->len = q->cap = 0;
}
