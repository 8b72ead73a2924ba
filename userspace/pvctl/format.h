/* SPDX-License-Identifier: GPL-2.0 */
/* Output formatting shared by the subcommands: sizes and JSON strings. */
#ifndef PVCTL_FORMAT_H
#define PVCTL_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Guest frames are x86-64 pages; the ABI counts memory in them. */
#define FRAME_SIZE 4096u

/* Large enough for any format_size() result. */
#define SIZE_BUF_LEN 32

/*
 * @bytes for humans, in binary units: "512MiB" when exact, else one
 * decimal ("1.5GiB"); below 1 KiB, "100B".
 */
const char *format_size(uint64_t bytes, char buf[SIZE_BUF_LEN]);

/* Frames to bytes, saturating rather than wrapping. */
uint64_t frames_to_bytes(uint64_t frames);

/* Large enough for any format_state() result. */
#define STATE_BUF_LEN 300

/* Large enough for any format_seconds() result. */
#define TIME_BUF_LEN 32

/* Nanoseconds as seconds with three decimals: "12.345s". */
const char *format_seconds(uint64_t ns, char buf[TIME_BUF_LEN]);

struct pvnl_domain;

/*
 * A domain's state with its reason: "created", "running",
 * "shutdown(poweroff)", "crashed(killed by seccomp)", ...
 */
const char *format_state(const struct pvnl_domain *dom,
			 char buf[STATE_BUF_LEN]);

/* The reason alone ("poweroff", the crash reason), or "" when none. */
const char *format_reason(const struct pvnl_domain *dom,
			  char buf[STATE_BUF_LEN]);

/*
 * @s as a quoted JSON string (RFC 8259), in ASCII: control characters
 * and bytes from 0x7f up become \u00XX escapes.
 */
void json_string(FILE *f, const char *s);

#endif /* PVCTL_FORMAT_H */
