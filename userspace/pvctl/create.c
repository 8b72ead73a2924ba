// SPDX-License-Identifier: GPL-2.0
/*
 * pvctl create: make a domain with its whole memory reservation.
 *
 * What the command line alone can tell is checked here and is a usage
 * error (exit 2): malformed numbers, a zero or unaligned size, vCPUs out
 * of the ABI's range. Everything that depends on the module's state or
 * policy (the name, limits, free memory) is the kernel's call (exit 1),
 * so that there is one authority and its extack message is shown.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "cli.h"
#include "format.h"
#include "parse.h"
#include "pvctl.h"
#include "session.h"

static const struct option longopts[] = {
	{ "name", required_argument, NULL, 'n' },
	{ "memory", required_argument, NULL, 'm' },
	{ "vcpus", required_argument, NULL, 'c' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct cli cli = {
	.name = "create",
	.shortopts = "n:m:c:h",
	.longopts = longopts,
	.usage =
	"Usage: pvctl create --name NAME --memory SIZE [--vcpus N]\n"
	"\n"
	"Create a domain and allocate its whole memory reservation.\n"
	"\n"
	"  -n, --name NAME     1-63 characters of [A-Za-z0-9_.-], starting\n"
	"                      with a letter; unique among domains\n"
	"  -m, --memory SIZE   bytes, or with a binary unit: K, M, G, T\n"
	"                      (also KiB, MiB, GiB, TiB); a non-zero\n"
	"                      multiple of 4 KiB\n"
	"  -c, --vcpus N       virtual CPUs, 1-32 (default 1)\n"
	"  -h, --help          show this help\n",
};

static const struct errtext errors[] = {
	{ EEXIST, "name already in use" },
	{ ENOSPC, "no room for another domain (max_domains reached)" },
	{ E2BIG, "memory exceeds the module's guest memory limit" },
	{ ENOMEM, "not enough memory left for the reservation" },
	{ EINVAL, "invalid domain parameters" },
	{ ERANGE, "value out of range" },
	{ EINTR, "interrupted while allocating the reservation" },
	{ 0, NULL },
};

static int parse_memory(const char *arg, uint64_t *bytes)
{
	int ret = parse_size(arg, bytes);

	if (ret == -ERANGE)
		return cli_usage_error(&cli, "size '%s' is too large", arg);
	if (ret)
		return cli_usage_error(&cli, "invalid size '%s'", arg);
	if (!*bytes)
		return cli_usage_error(&cli, "memory must not be zero");
	if (*bytes % FRAME_SIZE)
		return cli_usage_error(&cli, "memory must be a multiple of "
				       "4 KiB, not %" PRIu64 " bytes", *bytes);
	return PVCTL_EXIT_OK;
}

static int parse_vcpus(const char *arg, uint32_t *vcpus)
{
	if (parse_u32(arg, vcpus) || *vcpus < 1 || *vcpus > PVISOR_MAX_VCPUS)
		return cli_usage_error(&cli, "invalid vCPU count '%s' "
				       "(1-%d)", arg, PVISOR_MAX_VCPUS);
	return PVCTL_EXIT_OK;
}

int create_main(int argc, char *argv[])
{
	const char *name = NULL;
	uint64_t memory = 0;
	uint32_t vcpus = 0;	/* 0: leave it to the module (1) */
	struct pvnl_domain dom;
	char size[SIZE_BUF_LEN];
	struct pvnl *nl;
	int c, ret;

	while ((c = cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'n':
			name = optarg;
			break;
		case 'm':
			ret = parse_memory(optarg, &memory);
			if (ret)
				return ret;
			break;
		case 'c':
			ret = parse_vcpus(optarg, &vcpus);
			if (ret)
				return ret;
			break;
		case 'h':
			return cli_help(&cli);
		default:
			return PVCTL_EXIT_USAGE;
		}
	}
	ret = cli_no_operands(&cli, argc, argv);
	if (ret)
		return ret;
	if (!name)
		return cli_usage_error(&cli, "missing --name");
	if (!memory)
		return cli_usage_error(&cli, "missing --memory");

	ret = session_open(cli.name, &nl);
	if (ret)
		return ret;
	ret = pvnl_domain_new(nl, name, memory, vcpus, &dom);
	if (ret) {
		ret = session_fail(nl, cli.name, name, ret, errors);
	} else {
		printf("created domain %" PRIu32 " (%s): %" PRIu32 " vcpus, "
		       "%s, %" PRIu64 " frames\n", dom.id, dom.name, dom.vcpus,
		       format_size(dom.memory, size), dom.frames);
	}
	pvnl_close(nl);
	return ret;
}
