/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Starting a domain's runner (pvrun) from pvctl or pvisord, detached, and learning
 * whether it got as far as the guest.
 */
#ifndef PVNL_LAUNCH_H
#define PVNL_LAUNCH_H

#include <stddef.h>
#include <stdint.h>

struct launch {
	uint32_t domid;
	const char *kernel;
	const char *ramdisk;	/* NULL: none */
	const char *cmdline;	/* NULL: none */
	uint32_t weight;	/* Xen credit weight; 0: pvrun's default */
	uint32_t cap;		/* percent of one CPU; 0: none */
};

/*
 * Start pvrun for @l, detached from the caller (its own session, stdio on
 * /dev/null), and wait until it reports that the guest is about to start
 * or gives up. Returns 0, or -1 with pvrun's complaint (or ours) in @why.
 */
int launch_runner(const struct launch *l, char *why, size_t why_len);

/*
 * Where Domain0 tool @name is: beside the caller's own executable
 * (/proc/self/exe) if it is there, else the bare name, for $PATH.
 */
void launch_tool_path(const char *name, char *buf, size_t size);

#endif /* PVNL_LAUNCH_H */
