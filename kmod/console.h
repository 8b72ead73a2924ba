/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_CONSOLE_H
#define PVISOR_CONSOLE_H

#include <linux/compiler_types.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>

/* The console log each domain keeps: the last PVISOR_CONSOLE_SIZE bytes. */
#define PVISOR_CONSOLE_SIZE		(64 * 1024)
/* Most bytes one console_io write takes; the rest is not consumed. */
#define PVISOR_CONSOLE_WRITE_MAX	4096
/* Sustained rate a guest may log at; a full ring is the burst. */
#define PVISOR_CONSOLE_RATE		(64 * 1024)	/* bytes per second */

/*
 * Console input: bytes Domain0 wrote for the guest to read with
 * CONSOLEIO_READ. A write takes what fits and says how much; the rest is
 * the writer's to send again (Documentation/hypercalls.rst).
 */
#define PVISOR_CONSOLE_INPUT_SIZE	4096

struct pvisor_console {
	spinlock_t lock;
	char *ring;
	u64 written;		/* bytes ever written: the next offset */
	u64 dropped;		/* bytes refused by the rate limit */
	u64 tokens;		/* bytes the guest may write now */
	u64 refilled;		/* jiffies64 of the last refill */

	/* Input, under lock too; read_lock serialises guest readers. */
	struct mutex read_lock;
	char *input;		/* PVISOR_CONSOLE_INPUT_SIZE bytes */
	u64 in_prod;		/* bytes ever written by Domain0 */
	u64 in_cons;		/* bytes ever read by the guest */
};

int pvisor_console_init(struct pvisor_console *con);
void pvisor_console_free(struct pvisor_console *con);
size_t pvisor_console_write(struct pvisor_console *con, const char *buf,
			    size_t len);
size_t pvisor_console_read(struct pvisor_console *con, u64 *offset,
			   char *buf, size_t len);

size_t pvisor_console_input_write(struct pvisor_console *con,
				  const char *buf, size_t len);
long pvisor_console_input_read(struct pvisor_console *con, char __user *ubuf,
			       size_t len);

#endif /* PVISOR_CONSOLE_H */
