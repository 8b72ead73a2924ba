// SPDX-License-Identifier: GPL-2.0
/*
 * The connection to the module, and what pvctl says when it fails.
 * Exit codes are part of the interface (scripts branch on them), so they
 * are decided here, once, from the errno.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvctl.h"
#include "session.h"

static int exit_code(int err)
{
	return err == EPERM || err == EACCES ? PVCTL_EXIT_PERM
					     : PVCTL_EXIT_FAILED;
}

int session_open(const char *sub, struct pvnl **nl)
{
	*nl = pvnl_open();
	if (*nl)
		return PVCTL_EXIT_OK;

	if (errno == ENOENT) {
		fprintf(stderr, "%s: %s: pvisor module not loaded "
			"(no generic netlink family \"%s\")\n",
			PROG_NAME, sub, PVISOR_GENL_NAME);
		return PVCTL_EXIT_NO_MODULE;
	}
	fprintf(stderr, "%s: %s: cannot reach the pvisor module: %s\n",
		PROG_NAME, sub, strerror(errno));
	return exit_code(errno);
}

static const char *describe(int err, const struct errtext *texts)
{
	for (; texts && texts->text; texts++)
		if (texts->err == err)
			return texts->text;
	if (err == EPERM || err == EACCES)
		return "permission denied (CAP_SYS_ADMIN needed)";
	return strerror(err);
}

int session_fail(struct pvnl *nl, const char *sub, const char *object,
		 int err, const struct errtext *texts)
{
	const char *why = pvnl_error_msg(nl);

	err = abs(err);
	fprintf(stderr, "%s: %s: ", PROG_NAME, sub);
	if (object && object[0])
		fprintf(stderr, "%s: ", object);
	fputs(describe(err, texts), stderr);
	if (why[0])
		fprintf(stderr, " (kernel: %s)", why);
	fputc('\n', stderr);
	return exit_code(err);
}
