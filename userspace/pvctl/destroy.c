// SPDX-License-Identifier: GPL-2.0
/*
 * pvctl destroy: remove a domain and give its memory back to the host.
 * Silent on success, like rm.
 */

#include <errno.h>
#include <stdio.h>

#include "one_domain.h"
#include "pvctl.h"

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

static int destroy(struct pvnl *nl, uint32_t id, const char *name,
		   uint32_t unused)
{
	(void)unused;
	return pvnl_domain_del(nl, id, name);
}

int destroy_main(int argc, char *argv[])
{
	return one_domain_main(&cli, argc, argv, destroy, 0, errors);
}
