/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An output queue: bytes waiting for a client to take them, for both
 * transports (conn.c's socket, ring.c's rings). The caller bounds it
 * (CONN_OUT_SOFT, CONN_OUT_HARD); it only grows as needed.
 */
#ifndef PVISORD_OUTQ_H
#define PVISORD_OUTQ_H

#include <stdbool.h>
#include <stddef.h>

struct outq {
	char *buf;
	size_t head;		/* first byte waiting */
	size_t len;		/* bytes waiting */
	size_t cap;
};

/* Append @a (@a_len bytes) then @b (@b_len); false when out of memory. */
bool outq_put(struct outq *q, const void *a, size_t a_len, const void *b,
	      size_t b_len);

/* The first @n waiting bytes were taken. */
void outq_consume(struct outq *q, size_t n);

/* The waiting bytes start here. */
static inline const char *outq_data(const struct outq *q)
{
	return q->buf + q->head;
}

void outq_free(struct outq *q);

#endif /* PVISORD_OUTQ_H */
