// SPDX-License-Identifier: GPL-2.0
/*
 * pvctl destroy: remove a domain and give its memory back to the host.
 * Silent on success, like rm.
 */

#include <errno.h>
#include <stdio.h>

#include "cli.h"
#include "parse.h"
#include "pvctl.h"
#include "session.h"

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct cli cli = {
	.name = "destroy",
	.shortopts = "h",
	.longopts = longopts,
	.usage =
	"Usage: pvctl destroy NAME|ID\n"
	"\n"
	"Destroy a domain and free its memory. A designator of digits only\n"
	"is a domain id, anything else a name.\n"
	"\n"
	"  -h, --help   show this help\n",
};

static const struct errtext errors[] = {
	{ ENOENT, "no such domain" },
	{ EINVAL, "invalid domain designator" },
	{ ERANGE, "domain id out of range" },
	{ 0, NULL },
};

int destroy_main(int argc, char *argv[])
{
	const char *token, *name;
	struct pvnl *nl;
	uint32_t id;
	int c, ret;

	while ((c = cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'h':
			return cli_help(&cli);
		default:
			return PVCTL_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cli_usage_error(&cli, "missing NAME or ID");
	token = argv[optind++];
	ret = cli_no_operands(&cli, argc, argv);
	if (ret)
		return ret;

	ret = parse_domain(token, &id, &name);
	if (ret == -ERANGE)
		return cli_usage_error(&cli, "domain id '%s' out of range "
				       "(1-%d)", token, PVISOR_DOMID_MAX);
	if (ret)
		return cli_usage_error(&cli, "missing NAME or ID");

	ret = session_open(cli.name, &nl);
	if (ret)
		return ret;
	ret = pvnl_domain_del(nl, id, name);
	if (ret)
		ret = session_fail(nl, cli.name, token, ret, errors);
	pvnl_close(nl);
	return ret;
}
