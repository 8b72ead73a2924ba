// SPDX-License-Identifier: GPL-2.0
/*
 * pvctl create: make a domain with its whole memory reservation and,
 * given a kernel, start it: pvrun (launch.c) builds the domain and runs
 * it. A domain whose runner could not start is destroyed again, so that
 * a failed create leaves nothing behind.
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
#include "launch.h"
#include "parse.h"
#include "pvctl.h"
#include "session.h"

static const struct option longopts[] = {
	{ "name", required_argument, NULL, 'n' },
	{ "memory", required_argument, NULL, 'm' },
	{ "vcpus", required_argument, NULL, 'c' },
	{ "kernel", required_argument, NULL, 'k' },
	{ "ramdisk", required_argument, NULL, 'r' },
	{ "cmdline", required_argument, NULL, 'l' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct cli cli = {
	.name = "create",
	.shortopts = "n:m:c:k:r:l:h",
	.longopts = longopts,
	.usage =
	"Usage: pvctl create --name NAME --memory SIZE [--vcpus N]\n"
	"                    [--kernel FILE [--ramdisk FILE] [--cmdline S]]\n"
	"\n"
	"Create a domain and allocate its whole memory reservation; with\n"
	"--kernel, build it from that kernel and start it (pvrun).\n"
	"\n"
	"  -n, --name NAME     1-63 characters of [A-Za-z0-9_.-], starting\n"
	"                      with a letter; unique among domains\n"
	"  -m, --memory SIZE   bytes, or with a binary unit: K, M, G, T\n"
	"                      (also KiB, MiB, GiB, TiB); a non-zero\n"
	"                      multiple of 4 KiB\n"
	"  -c, --vcpus N       virtual CPUs, 1-32 (default 1)\n"
	"  -k, --kernel FILE   a guest kernel (static x86-64 ELF linked in\n"
	"                      the guest window) to boot\n"
	"  -r, --ramdisk FILE  a module for the guest (needs --kernel)\n"
	"  -l, --cmdline S     the guest's command line (needs --kernel)\n"
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

/* Start the new domain; on failure destroy it and say why. */
static int start(struct pvnl *nl, const struct pvnl_domain *dom,
		 struct launch *l)
{
	char why[1024];
	int ret;

	l->domid = dom->id;
	if (!launch_runner(l, why, sizeof(why)))
		return PVCTL_EXIT_OK;
	fprintf(stderr, "%s: %s: %s: cannot start the domain: %s\n",
		PROG_NAME, cli.name, dom->name, why);
	ret = pvnl_domain_del(nl, dom->id, NULL);
	if (ret)
		session_fail(nl, cli.name, dom->name, ret, NULL);
	return PVCTL_EXIT_FAILED;
}

int create_main(int argc, char *argv[])
{
	struct launch l = { .kernel = NULL };
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
		case 'k':
			l.kernel = optarg;
			break;
		case 'r':
			l.ramdisk = optarg;
			break;
		case 'l':
			l.cmdline = optarg;
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
	if (!l.kernel && (l.ramdisk || l.cmdline))
		return cli_usage_error(&cli, "--ramdisk and --cmdline need "
				       "--kernel");
	if (l.kernel && !l.kernel[0])
		return cli_usage_error(&cli, "empty --kernel");

	ret = session_open(cli.name, &nl);
	if (ret)
		return ret;
	ret = pvnl_domain_new(nl, name, memory, vcpus, &dom);
	if (ret) {
		ret = session_fail(nl, cli.name, name, ret, errors);
		goto out;
	}
	/* Say "created" only of a domain that is still there. */
	if (l.kernel) {
		fflush(stdout);		/* nothing buffered may reach pvrun */
		ret = start(nl, &dom, &l);
		if (ret)
			goto out;
	}
	printf("created domain %" PRIu32 " (%s): %" PRIu32 " vcpus, "
	       "%s, %" PRIu64 " frames\n", dom.id, dom.name, dom.vcpus,
	       format_size(dom.memory, size), dom.frames);
	if (l.kernel)
		printf("started domain %" PRIu32 " (%s) from %s\n", dom.id,
		       dom.name, l.kernel);
out:
	pvnl_close(nl);
	return ret;
}
