// SPDX-License-Identifier: GPL-2.0
/*
 * pvctl pause and unpause: stop a running domain's vCPUs, and let them
 * go on. The two share everything but the request, so they share a file.
 */

#include <errno.h>
#include <stdio.h>

#include "one_domain.h"
#include "pvctl.h"

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct cli pause_cli = {
	.name = "pause",
	.shortopts = "h",
	.longopts = longopts,
	.usage =
	"Usage: pvctl pause NAME|ID\n"
	"\n"
	"Stop a running domain's vCPUs; its memory and state stay as they\n"
	"are until pvctl unpause. A paused domain can still be shut down or\n"
	"destroyed.\n"
	"\n"
	"  -h, --help   show this help\n",
};

static const struct cli unpause_cli = {
	.name = "unpause",
	.shortopts = "h",
	.longopts = longopts,
	.usage =
	"Usage: pvctl unpause NAME|ID\n"
	"\n"
	"Let a paused domain run again.\n"
	"\n"
	"  -h, --help   show this help\n",
};

static const struct errtext errors[] = {
	{ ENOENT, "no such domain" },
	{ EINVAL, "not in a state that allows it" },
	{ ERANGE, "domain id out of range" },
	{ 0, NULL },
};

static int pause_op(struct pvnl *nl, uint32_t id, const char *name,
		    uint32_t unpause)
{
	return unpause ? pvnl_domain_unpause(nl, id, name) :
			 pvnl_domain_pause(nl, id, name);
}

int pause_main(int argc, char *argv[])
{
	return one_domain_main(&pause_cli, argc, argv, pause_op, 0, errors);
}

int unpause_main(int argc, char *argv[])
{
	return one_domain_main(&unpause_cli, argc, argv, pause_op, 1, errors);
}
