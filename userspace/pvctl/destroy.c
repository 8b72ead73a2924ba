// SPDX-License-Identifier: GPL-2.0
/*
 * pvctl destroy: remove a domain and give its memory back to the host,
 * then its cgroup (domcgroup.c), once the runner it held has exited.
 * Silent on success, like rm.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "domcgroup.h"
#include "one_domain.h"
#include "pvctl.h"

/* How long the runner's processes may take to exit (a hang detector). */
#define CGROUP_WAIT_SECS	60

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

/*
 * The module kills the runner; its cgroup can go once the last of its
 * processes has been reaped. A cgroup that stays busy is left, and
 * said so: the next domain of that id reuses it.
 */
static void remove_cgroup(uint32_t id)
{
	int ret = domcg_remove_wait(id, CGROUP_WAIT_SECS);
	char path[128];

	if (ret) {
		domcg_path(id, path, sizeof(path));
		fprintf(stderr, "%s: destroy: cannot remove %s: %s\n",
			PROG_NAME, path, strerror(-ret));
	}
}

static int destroy(struct pvnl *nl, uint32_t id, const char *name,
		   uint32_t unused)
{
	struct pvnl_domain d;
	int ret;

	(void)unused;
	ret = pvnl_domain_get(nl, id, name, &d);
	if (!ret)
		ret = pvnl_domain_del(nl, d.id, NULL);
	if (!ret)
		remove_cgroup(d.id);
	return ret;
}

int destroy_main(int argc, char *argv[])
{
	return one_domain_main(&cli, argc, argv, destroy, 0, errors);
}
