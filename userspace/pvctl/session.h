/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Talking to the module: opening the connection, and turning a failed
 * operation into a message and an exit code, the same way for every
 * subcommand.
 */
#ifndef PVCTL_SESSION_H
#define PVCTL_SESSION_H

#include "pvnl.h"

/* What an errno means for one operation, in the user's words. */
struct errtext {
	int err;		/* positive errno; a {0, NULL} entry ends a table */
	const char *text;
};

/*
 * Connect to the module for subcommand @sub. Returns PVCTL_EXIT_OK with
 * *@nl set, or says why not on stderr and returns the exit code: 3 when
 * the module is not loaded.
 */
int session_open(const char *sub, struct pvnl **nl);

/*
 * Report that @sub failed on @object (NULL or "": none) with -@err, as
 * "pvctl: SUB: OBJECT: TEXT (kernel: EXTACK)", TEXT from @texts or
 * strerror(). Returns the exit code: 4 for EPERM and EACCES, else 1.
 */
int session_fail(struct pvnl *nl, const char *sub, const char *object,
		 int err, const struct errtext *texts);

#endif /* PVCTL_SESSION_H */
