/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Formatted output into a buffer. Formats: %s %c %d %i %u %x %X %p %%,
 * with the length modifiers l, ll, z, a field width and the flags '0' and
 * '-'. Freestanding: shared by minnow and the user programs.
 */
#ifndef MINNOW_FORMAT_H
#define MINNOW_FORMAT_H

#include "lib.h"

/* Returns the length the whole output would have; writes at most size-1. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* MINNOW_FORMAT_H */
