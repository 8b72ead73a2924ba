// SPDX-License-Identifier: GPL-2.0
/*
 * pvctl: the dispatcher. Finds the subcommand named by the first argument
 * and hands it the rest; everything else lives in one file per
 * subcommand.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pvctl.h"

static const struct {
	const char *name;
	int (*main)(int argc, char *argv[]);
	const char *summary;
} subcommands[] = {
	{ "create", create_main, "create a domain (and boot a kernel in it)" },
	{ "list", list_main, "list the domains" },
	{ "destroy", destroy_main, "destroy a domain and free its memory" },
	{ "info", info_main, "show the module's accounting and limits" },
	{ "console", console_main, "print a domain's console output" },
	{ "pause", pause_main, "stop a running domain's vCPUs" },
	{ "unpause", unpause_main, "let a paused domain run again" },
	{ "shutdown", shutdown_main, "stop a domain as shut down, keeping its memory" },
	{ "vcpu-list", vcpu_list_main, "list a domain's vCPUs and the CPU time they used" },
	{ "evtchn-list", evtchn_list_main, "list a domain's event channels (debugging)" },
	{ "store", store_main, "read, change and watch xenstore (through pvisord)" },
	{ "config", config_main, "print a domain's effective config (through pvisord)" },
	{ "sched", sched_main, "show or set a domain's scheduler weight and cap" },
	{ "vcpu-pin", vcpu_pin_main, "run one of a domain's vCPUs only on some host CPUs" },
	{ "mem-set", mem_set_main, "set a domain's balloon target (through pvisord)" },
	{ "top", top_main, "show every domain's CPU, hypercall, event and fault rates" },
};

#define NR_SUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s <subcommand> [<options>]\n"
		   "       %s help [<subcommand>]\n\n"
		   "Control the pvisor hypervisor module.\n\n"
		   "Subcommands:\n", PROG_NAME, PROG_NAME);
	for (i = 0; i < NR_SUBCOMMANDS; i++)
		fprintf(f, "  %-12s %s\n", subcommands[i].name,
			subcommands[i].summary);
	fprintf(f, "\nEach subcommand takes --help. Exit status: 0 success, "
		   "1 operation failed,\n2 usage error, 3 module not loaded, "
		   "4 permission denied.\n");
}

static int find(const char *name)
{
	size_t i;

	for (i = 0; i < NR_SUBCOMMANDS; i++)
		if (!strcmp(subcommands[i].name, name))
			return (int)i;
	return -1;
}

static int unknown(const char *name)
{
	fprintf(stderr, "%s: unknown subcommand '%s'\n\n", PROG_NAME, name);
	usage(stderr);
	return PVCTL_EXIT_USAGE;
}

/* "pvctl help create" is "pvctl create --help". */
static int help(int argc, char *argv[])
{
	char help_opt[] = "--help";
	char *sub_argv[3];
	int i;

	if (argc < 2) {
		usage(stdout);
		return PVCTL_EXIT_OK;
	}
	if (argc > 2) {
		fprintf(stderr, "%s: help: too many arguments\n\n", PROG_NAME);
		usage(stderr);
		return PVCTL_EXIT_USAGE;
	}
	i = find(argv[1]);
	if (i < 0)
		return unknown(argv[1]);
	sub_argv[0] = argv[1];
	sub_argv[1] = help_opt;
	sub_argv[2] = NULL;
	return subcommands[i].main(2, sub_argv);
}

/*
 * Output that never arrived (a full disk, a closed pipe) must not pass
 * for success: a script would act on a list it did not get.
 */
static int finish(int ret)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "%s: cannot write the output: %s\n",
			PROG_NAME, strerror(errno));
		return ret ? ret : PVCTL_EXIT_FAILED;
	}
	return ret;
}

static int dispatch(int argc, char *argv[])
{
	int i;

	if (argc < 2) {
		usage(stderr);
		return PVCTL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h"))
		return help(argc - 1, argv + 1);
	if (argv[1][0] == '-') {
		fprintf(stderr, "%s: unknown option '%s'\n\n", PROG_NAME,
			argv[1]);
		usage(stderr);
		return PVCTL_EXIT_USAGE;
	}

	i = find(argv[1]);
	if (i < 0)
		return unknown(argv[1]);
	return subcommands[i].main(argc - 1, argv + 1);
}

int main(int argc, char *argv[])
{
	return finish(dispatch(argc, argv));
}
