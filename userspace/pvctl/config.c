// SPDX-License-Identifier: GPL-2.0
/*
 * pvctl config: a domain's effective config, as pvctl create handed it to
 * pvisord: every key with its value, defaults included, in the file
 * format pvctl create reads (so the output can create the domain again).
 *
 * pvisord keeps it in xenstore, at /vm/<uuid>/config of the domain (its
 * /local/domain/<id>/vm names the uuid). A domain made while pvisord was
 * not running has none, and without pvisord there is nobody to ask:
 * both are failures (exit 1) that say so.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "one_domain.h"
#include "pvctl.h"
#include "session.h"
#include "xs_client.h"

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct cli cli = {
	.name = "config",
	.shortopts = "h",
	.longopts = longopts,
	.usage =
	"Usage: pvctl config NAME|ID\n"
	"\n"
	"Print a domain's effective config (pvisor.cfg(5)), every key with\n"
	"its value, as pvisord keeps it. Needs pvisord; $PVISOR_STORE_SOCKET\n"
	"names another socket.\n"
	"\n"
	"  -h, --help  show this help\n",
};

static const struct errtext errors[] = {
	{ ENOENT, "no such domain" },
	{ 0, NULL },
};

static int fail(const char *object, const char *fmt, const char *detail)
{
	fprintf(stderr, "%s: %s: %s: ", PROG_NAME, cli.name, object);
	fprintf(stderr, fmt, detail);
	fputc('\n', stderr);
	return PVCTL_EXIT_FAILED;
}

/* Read the config of domain @dom from pvisord and print it. */
static int print_config(const struct pvnl_domain *dom)
{
	char path[64], vm[PVISOR_XS_PAYLOAD_MAX + 16];
	struct xs_client *s;
	int ret;

	s = calloc(1, sizeof(*s));
	if (!s)
		return PVCTL_EXIT_FAILED;
	s->fd = xs_connect(xs_socket_path());
	if (s->fd < 0) {
		ret = fail(dom->name, "cannot reach pvisord, which keeps "
			   "domains' configs: %s", strerror(-s->fd));
		goto out_free;
	}
	snprintf(path, sizeof(path), "/local/domain/%" PRIu32 "/vm", dom->id);
	ret = xs_read(s, path);
	if (!ret) {
		snprintf(vm, sizeof(vm), "%s/config", s->buf);
		ret = xs_read(s, vm);
	}
	if (ret < 0) {
		ret = fail(dom->name, "talking to pvisord: %s", strerror(-ret));
	} else if (ret && !strcmp(s->buf, "ENOENT")) {
		ret = fail(dom->name, "%s", "no config kept: the domain was "
			   "created while pvisord was not running");
	} else if (ret) {
		ret = fail(dom->name, "pvisord: %s", s->buf);
	} else {
		fwrite(s->buf, 1, s->h.len, stdout);
		ret = PVCTL_EXIT_OK;
	}
	close(s->fd);
out_free:
	free(s);
	return ret;
}

int config_main(int argc, char *argv[])
{
	struct pvnl_domain dom;
	int c, ret;

	while ((c = cli_next(&cli, argc, argv)) != -1)
		return c == 'h' ? cli_help(&cli) : PVCTL_EXIT_USAGE;
	ret = one_domain_lookup(&cli, argc, argv, errors, &dom);
	return ret ? ret : print_config(&dom);
}
