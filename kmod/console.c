// SPDX-License-Identifier: GPL-2.0
/*
 * A domain's console log: what the guest writes with console_io, kept in
 * a ring of the last PVISOR_CONSOLE_SIZE bytes that Domain0 reads by
 * offset (PVISOR_CMD_CONSOLE_READ, `pvctl console`). Offsets count every
 * byte ever written, so a reader that fell behind learns how much it
 * missed. A token bucket caps how fast a guest can log, so a chatty or
 * hostile guest costs the host a bounded amount of work; what it writes
 * beyond that is dropped and counted.
 *
 * Locking: con->lock, a spinlock, innermost; held only to copy bytes.
 */

#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "console.h"

/**
 * pvisor_console_init() - give a domain an empty console log
 * @con: the console to set up
 */
int pvisor_console_init(struct pvisor_console *con)
{
	spin_lock_init(&con->lock);
	con->ring = vzalloc(PVISOR_CONSOLE_SIZE);
	if (!con->ring)
		return -ENOMEM;
	con->tokens = PVISOR_CONSOLE_SIZE;
	con->refilled = get_jiffies_64();
	return 0;
}

/** pvisor_console_free() - free a console log (safe on a failed init) */
void pvisor_console_free(struct pvisor_console *con)
{
	vfree(con->ring);
	con->ring = NULL;
}

/* Caller holds con->lock. */
static void refill(struct pvisor_console *con)
{
	u64 now = get_jiffies_64();
	u64 earned = div_u64((now - con->refilled) * PVISOR_CONSOLE_RATE, HZ);

	if (!earned)
		return;
	con->tokens = min_t(u64, con->tokens + earned, PVISOR_CONSOLE_SIZE);
	con->refilled = now;
}

/**
 * pvisor_console_write() - append guest output
 * @con: the console
 * @buf: the bytes, already copied from the guest
 * @len: at most PVISOR_CONSOLE_WRITE_MAX
 *
 * Return: bytes logged; the rest went over the rate limit and is counted
 * as dropped.
 */
size_t pvisor_console_write(struct pvisor_console *con, const char *buf,
			    size_t len)
{
	size_t take, pos, first;

	spin_lock(&con->lock);
	refill(con);
	take = min_t(u64, len, con->tokens);
	con->tokens -= take;
	con->dropped += len - take;

	pos = con->written % PVISOR_CONSOLE_SIZE;
	first = min(take, PVISOR_CONSOLE_SIZE - pos);
	memcpy(con->ring + pos, buf, first);
	memcpy(con->ring, buf + first, take - first);
	con->written += take;
	spin_unlock(&con->lock);
	return take;
}

/**
 * pvisor_console_read() - copy logged bytes from an offset
 * @con: the console
 * @offset: in: where to start; out: where the returned bytes start,
 *          moved forward if the ring no longer holds what was asked for
 * @buf: where to copy
 * @len: room in @buf
 *
 * Return: bytes copied; 0 when nothing was written at or after @offset.
 */
size_t pvisor_console_read(struct pvisor_console *con, u64 *offset,
			   char *buf, size_t len)
{
	size_t take, pos, first;
	u64 oldest;

	spin_lock(&con->lock);
	oldest = con->written > PVISOR_CONSOLE_SIZE ?
		 con->written - PVISOR_CONSOLE_SIZE : 0;
	*offset = clamp(*offset, oldest, con->written);
	take = min_t(u64, len, con->written - *offset);

	pos = *offset % PVISOR_CONSOLE_SIZE;
	first = min(take, PVISOR_CONSOLE_SIZE - pos);
	memcpy(buf, con->ring + pos, first);
	memcpy(buf + first, con->ring, take - first);
	spin_unlock(&con->lock);
	return take;
}
