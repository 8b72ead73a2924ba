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
 * Input goes the other way, through a second ring of
 * PVISOR_CONSOLE_INPUT_SIZE bytes: Domain0 writes (PVISOR_CMD_CONSOLE_WRITE,
 * `pvctl console`), the guest reads with CONSOLEIO_READ. Nothing is ever
 * dropped there: a write that does not fit takes what does and reports
 * it, and the writer sends the rest later, so a guest that never reads
 * only makes Domain0 wait. A guest read copies out before it consumes,
 * so bytes a bad buffer could not take stay for the next read.
 *
 * Locking: con->lock, a spinlock, innermost; held only to copy bytes.
 * con->read_lock, a mutex outside it, keeps two vCPUs from reading the
 * same input bytes.
 */

#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "console.h"

/**
 * pvisor_console_init() - give a domain an empty console log
 * @con: the console to set up
 */
int pvisor_console_init(struct pvisor_console *con)
{
	spin_lock_init(&con->lock);
	mutex_init(&con->read_lock);
	con->ring = vzalloc(PVISOR_CONSOLE_SIZE);
	if (!con->ring)
		return -ENOMEM;
	con->input = kzalloc(PVISOR_CONSOLE_INPUT_SIZE, GFP_KERNEL_ACCOUNT);
	if (!con->input) {
		vfree(con->ring);
		con->ring = NULL;
		return -ENOMEM;
	}
	con->tokens = PVISOR_CONSOLE_SIZE;
	con->refilled = get_jiffies_64();
	return 0;
}

/** pvisor_console_free() - free a console log (safe on a failed init) */
void pvisor_console_free(struct pvisor_console *con)
{
	vfree(con->ring);
	con->ring = NULL;
	kfree(con->input);
	con->input = NULL;
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

/**
 * pvisor_console_input_write() - queue console input for the guest
 * @con: the console
 * @buf: the bytes
 * @len: how many
 *
 * Return: bytes queued: all of them, or what fitted (0 when full).
 */
size_t pvisor_console_input_write(struct pvisor_console *con,
				  const char *buf, size_t len)
{
	size_t take, pos, first;

	spin_lock(&con->lock);
	take = min_t(u64, len,
		     PVISOR_CONSOLE_INPUT_SIZE - (con->in_prod - con->in_cons));
	pos = con->in_prod % PVISOR_CONSOLE_INPUT_SIZE;
	first = min(take, PVISOR_CONSOLE_INPUT_SIZE - pos);
	memcpy(con->input + pos, buf, first);
	memcpy(con->input, buf + first, take - first);
	con->in_prod += take;
	spin_unlock(&con->lock);
	return take;
}

/**
 * pvisor_console_input_read() - CONSOLEIO_READ: hand input to the guest
 * @con: the console
 * @ubuf: the guest's buffer, checked to lie in its window
 * @len: its size, at most PVISOR_CONSOLE_INPUT_SIZE
 *
 * Return: bytes read (0 when there is no input), -EFAULT (the buffer
 * could not take them: they stay queued), -ENOMEM, -EINTR.
 */
long pvisor_console_input_read(struct pvisor_console *con, char __user *ubuf,
			       size_t len)
{
	size_t take, pos, first;
	char *copy;
	long ret;

	copy = kmalloc(PVISOR_CONSOLE_INPUT_SIZE, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	ret = -EINTR;
	if (mutex_lock_killable(&con->read_lock))
		goto out_free;

	spin_lock(&con->lock);
	take = min_t(u64, len, con->in_prod - con->in_cons);
	pos = con->in_cons % PVISOR_CONSOLE_INPUT_SIZE;
	first = min(take, PVISOR_CONSOLE_INPUT_SIZE - pos);
	memcpy(copy, con->input + pos, first);
	memcpy(copy + first, con->input, take - first);
	spin_unlock(&con->lock);

	ret = -EFAULT;
	if (!copy_to_user(ubuf, copy, take)) {
		spin_lock(&con->lock);
		con->in_cons += take;
		spin_unlock(&con->lock);
		ret = take;
	}
	mutex_unlock(&con->read_lock);
out_free:
	kfree(copy);
	return ret;
}
