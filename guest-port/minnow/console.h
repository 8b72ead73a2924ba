/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The console: formatted output through console_io, which the host reads
 * with `pvctl console`. Formats: %s %c %d %i %u %x %X %p %%, with the
 * length modifiers l, ll, z, a field width and the flags '0' and '-'.
 */
#ifndef MINNOW_CONSOLE_H
#define MINNOW_CONSOLE_H

#include "lib.h"

/* Writes all of @buf (console_io may take it in pieces). */
void console_write(const char *buf, size_t len);

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One call, one console_io write (up to 512 bytes; longer is cut). */
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vprintk(const char *fmt, va_list ap);

#endif /* MINNOW_CONSOLE_H */
