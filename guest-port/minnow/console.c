// SPDX-License-Identifier: GPL-2.0
/*
 * The console. printk() formats into a buffer on the stack and hands the
 * whole line to the module in one console_io call, so that lines from
 * different places never interleave within a call.
 */

#include "console.h"
#include "hypercall.h"

#define PRINTK_MAX	512

void console_write(const char *buf, size_t len)
{
	while (len) {
		long n = hv_console_write(buf, len);

		/* Nothing more can be said about a console that fails. */
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

void vprintk(const char *fmt, va_list ap)
{
	char buf[PRINTK_MAX];
	int n;

	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	console_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}
