/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The console: formatted output (format.h) through console_io, which the
 * host reads with `pvctl console`.
 */
#ifndef MINNOW_CONSOLE_H
#define MINNOW_CONSOLE_H

#include "format.h"

/* Writes all of @buf (console_io may take it in pieces). */
void console_write(const char *buf, size_t len);

/* One call, one console_io write (up to 512 bytes; longer is cut). */
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vprintk(const char *fmt, va_list ap);

#endif /* MINNOW_CONSOLE_H */
