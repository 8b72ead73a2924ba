/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every part of minnow uses: fixed-width types, the few string
 * functions a freestanding kernel needs (the compiler may call memset and
 * memcpy on its own), and the boot information.
 */
#ifndef MINNOW_LIB_H
#define MINNOW_LIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64;	/* as __u64, so one format fits both */
typedef long long s64;

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PAGE_SIZE	4096UL
#define PAGE_SHIFT	12

struct pvisor_start_info;

/* The builder's start_info, as handed over in rsi. */
extern const struct pvisor_start_info *start_info;

void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/*
 * Shut the domain down: poweroff, reboot or crash
 * (PVISOR_SHUTDOWN_*). Does not return; if the module refused, spins.
 */
void minnow_shutdown(u32 reason) __attribute__((noreturn));

/* Each guest program (main.c, a selftest guest) defines this. */
void minnow_main(void);

#endif /* MINNOW_LIB_H */
