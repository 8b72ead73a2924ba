/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsing command-line values. Every parser takes the whole string or
 * nothing: no sign, no blanks, no trailing garbage. They return 0,
 * -EINVAL for a malformed value or -ERANGE for one that does not fit.
 */
#ifndef PVNL_PARSE_H
#define PVNL_PARSE_H

#include <stdint.h>

/*
 * A size in bytes: decimal digits, optionally followed by a binary unit
 * K, M, G or T (either case), which may be spelt KiB, MiB, GiB, TiB.
 */
int parse_size(const char *s, uint64_t *bytes);

/* A decimal number that fits in 64 bits, or in 32. */
int parse_u64(const char *s, uint64_t *value);
int parse_u32(const char *s, uint32_t *value);

/*
 * A domain designator: a token of digits only is an id (-ERANGE unless
 * 1..PVISOR_DOMID_MAX); anything else is a name, which the kernel judges.
 * Names start with a letter, so the two can never be confused.
 * Exactly one of *@id (non-zero) and *@name (non-NULL) is set.
 */
int parse_domain(const char *token, uint32_t *id, const char **name);

#endif /* PVNL_PARSE_H */
