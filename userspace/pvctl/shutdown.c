// SPDX-License-Identifier: GPL-2.0
/*
 * pvctl shutdown: stop a running or paused domain as shut down, keeping
 * its memory until pvctl destroy. Until event channels let Domain0 ask
 * the guest first, this stops it at once (recorded as a shutdown with the
 * given reason, unlike destroy, which frees everything).
 */

#include <errno.h>
#include <stdio.h>

#include <pvisor/hypercall.h>

#include "one_domain.h"
#include "pvctl.h"

static const struct option longopts[] = {
	{ "reboot", no_argument, NULL, 'r' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct cli cli = {
	.name = "shutdown",
	.shortopts = "rh",
	.longopts = longopts,
	.usage =
	"Usage: pvctl shutdown [--reboot] NAME|ID\n"
	"\n"
	"Stop a running or paused domain as shut down (reason poweroff, or\n"
	"reboot with --reboot). Its memory is kept until pvctl destroy. The\n"
	"guest is not asked first yet: it stops at once.\n"
	"\n"
	"  -r, --reboot  record the reason as reboot\n"
	"  -h, --help    show this help\n",
};

static const struct errtext errors[] = {
	{ ENOENT, "no such domain" },
	{ EINVAL, "not running or paused" },
	{ ERANGE, "domain id out of range" },
	{ 0, NULL },
};

static int shutdown_op(struct pvnl *nl, uint32_t id, const char *name,
		       uint32_t reason)
{
	return pvnl_domain_shutdown(nl, id, name, reason);
}

int shutdown_main(int argc, char *argv[])
{
	uint32_t reason = PVISOR_SHUTDOWN_POWEROFF;
	int c;

	while ((c = cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'r':
			reason = PVISOR_SHUTDOWN_REBOOT;
			break;
		case 'h':
			return cli_help(&cli);
		default:
			return PVCTL_EXIT_USAGE;
		}
	}
	return one_domain_run(&cli, argc, argv, shutdown_op, reason, errors);
}
