/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_CONSOLE_H
#define PVISOR_CONSOLE_H

#include <linux/spinlock.h>
#include <linux/types.h>

/* The console log each domain keeps: the last PVISOR_CONSOLE_SIZE bytes. */
#define PVISOR_CONSOLE_SIZE		(64 * 1024)
/* Most bytes one console_io write takes; the rest is not consumed. */
#define PVISOR_CONSOLE_WRITE_MAX	4096
/* Sustained rate a guest may log at; a full ring is the burst. */
#define PVISOR_CONSOLE_RATE		(64 * 1024)	/* bytes per second */

struct pvisor_console {
	spinlock_t lock;
	char *ring;
	u64 written;		/* bytes ever written: the next offset */
	u64 dropped;		/* bytes refused by the rate limit */
	u64 tokens;		/* bytes the guest may write now */
	u64 refilled;		/* jiffies64 of the last refill */
};

int pvisor_console_init(struct pvisor_console *con);
void pvisor_console_free(struct pvisor_console *con);
size_t pvisor_console_write(struct pvisor_console *con, const char *buf,
			    size_t len);
size_t pvisor_console_read(struct pvisor_console *con, u64 *offset,
			   char *buf, size_t len);

#endif /* PVISOR_CONSOLE_H */
