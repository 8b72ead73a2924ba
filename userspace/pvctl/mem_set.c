// SPDX-License-Identifier: GPL-2.0
/*
 * pvctl mem-set: set a domain's balloon target, as xl mem-set does. The
 * target goes to xenstore, /local/domain/<id>/memory/target, in KiB as
 * Xen's balloon drivers read it, through pvisord; the guest's balloon
 * driver gives frames back or asks for them again until it owns that
 * much (Documentation/ballooning.rst). The module enforces only the
 * maximum, so the target is checked against it here: a guest never gets
 * more than it was created with whatever the store says.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "one_domain.h"
#include "parse.h"
#include "pvctl.h"
#include "session.h"
#include "xs_client.h"

#define FRAME_SIZE	4096ULL

static const struct option longopts[] = {
	{ "socket", required_argument, NULL, 's' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct cli cli = {
	.name = "mem-set",
	.shortopts = "+s:h",
	.longopts = longopts,
	.usage =
	"Usage: pvctl mem-set [options] NAME|ID SIZE\n"
	"\n"
	"Set the domain's balloon target to SIZE (bytes, or with a binary\n"
	"unit: K, M, G, T; a multiple of 4 KiB, at most its memory): write\n"
	"it, in KiB, to xenstore's /local/domain/ID/memory/target through\n"
	"pvisord. The guest's balloon driver does the rest.\n"
	"\n"
	"  -s, --socket PATH  pvisord's socket (" XS_DEFAULT_SOCKET ",\n"
	"                     or $PVISOR_STORE_SOCKET)\n"
	"  -h, --help         show this help\n",
};

static const struct errtext errors[] = {
	{ ENOENT, "no such domain" },
	{ ERANGE, "domain id out of range" },
	{ 0, NULL },
};

/* The target, checked against the domain's maximum. */
static int check_target(const struct pvnl_domain *d, uint64_t bytes)
{
	if (bytes > d->memory) {
		fprintf(stderr, "%s: %s: %s: target %" PRIu64 " bytes is above "
			"its maximum of %" PRIu64 "\n", PROG_NAME, cli.name,
			d->name, bytes, d->memory);
		return PVCTL_EXIT_FAILED;
	}
	return PVCTL_EXIT_OK;
}

static int write_target(const char *socket_path, uint32_t domid,
			uint64_t bytes)
{
	struct xs_client s = { .fd = -1 };
	char path[64], value[24];
	int ret;

	snprintf(path, sizeof(path), "/local/domain/%" PRIu32 "/memory/target",
		 domid);
	snprintf(value, sizeof(value), "%" PRIu64, bytes / 1024);
	s.fd = xs_connect(socket_path);
	if (s.fd < 0) {
		fprintf(stderr, "%s: %s: cannot reach pvisord at %s: %s\n",
			PROG_NAME, cli.name, socket_path, strerror(-s.fd));
		return PVCTL_EXIT_FAILED;
	}
	ret = xs_request(&s, PVISOR_XS_WRITE, path, strlen(path) + 1, value,
			 strlen(value));
	close(s.fd);
	if (ret) {
		fprintf(stderr, "%s: %s: %s: %s\n", PROG_NAME, cli.name, path,
			ret > 0 ? s.buf : strerror(-ret));
		return ret > 0 && (!strcmp(s.buf, "EACCES") ||
				   !strcmp(s.buf, "EPERM")) ?
		       PVCTL_EXIT_PERM : PVCTL_EXIT_FAILED;
	}
	return PVCTL_EXIT_OK;
}

int mem_set_main(int argc, char *argv[])
{
	const char *socket_path = xs_socket_path();
	struct pvnl_domain d;
	uint64_t bytes;
	int c, ret;

	while ((c = cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 's':
			socket_path = optarg;
			break;
		case 'h':
			return cli_help(&cli);
		default:
			return PVCTL_EXIT_USAGE;
		}
	}
	if (argc - optind != 2)
		return cli_usage_error(&cli, "NAME|ID SIZE expected");
	ret = parse_size(argv[optind + 1], &bytes);
	if (ret)
		return cli_usage_error(&cli, "invalid size '%s'",
				       argv[optind + 1]);
	if (bytes % FRAME_SIZE)
		return cli_usage_error(&cli, "the target must be a multiple of "
				       "4 KiB, not %" PRIu64 " bytes", bytes);
	argc--;		/* one_domain_lookup() wants the designator last */
	ret = one_domain_lookup(&cli, argc, argv, errors, &d);
	return ret ?: check_target(&d, bytes) ?:
	       write_target(socket_path, d.id, bytes);
}
