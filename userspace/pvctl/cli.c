// SPDX-License-Identifier: GPL-2.0
/*
 * Option parsing shared by the subcommands. getopt_long() does the work;
 * its own messages are switched off because they name the subcommand as
 * if it were the program ("create: unrecognized option"), and because a
 * usage error here must always end with the usage text.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "pvctl.h"

static void print_usage(const struct cli *cli, FILE *f)
{
	fputs(cli->usage, f);
}

int cli_help(const struct cli *cli)
{
	print_usage(cli, stdout);
	return PVCTL_EXIT_OK;
}

int cli_usage_error(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s: ", PROG_NAME, cli->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n\n", stderr);
	print_usage(cli, stderr);
	return PVCTL_EXIT_USAGE;
}

/* A long option as the user wrote it, less any "=value". */
static const char *long_word(const char *word, char *buf, size_t size)
{
	snprintf(buf, size, "%.*s", (int)strcspn(word, "="), word);
	return buf;
}

/*
 * getopt_long() leaves optind past a long option but, inside a cluster
 * of short ones ("-jx"), still on the cluster: only optopt is reliable
 * there, and it is 0 for an unknown long option.
 */
static int bad_option(const struct cli *cli, int c, char *argv[])
{
	const char *word = argv[optind - 1];
	bool is_long = !strncmp(word, "--", 2);
	char buf[64];

	if (c == ':') {
		if (is_long)
			return cli_usage_error(cli, "option '%s' needs a value",
					       long_word(word, buf, sizeof(buf)));
		return cli_usage_error(cli, "option '-%c' needs a value",
				       optopt);
	}
	if (!optopt)
		return cli_usage_error(cli, "unknown option '%s'",
				       long_word(word, buf, sizeof(buf)));
	if (is_long && strchr(word, '='))
		return cli_usage_error(cli, "option '%s' takes no value",
				       long_word(word, buf, sizeof(buf)));
	return cli_usage_error(cli, "unknown option '-%c'", optopt);
}

int cli_next(const struct cli *cli, int argc, char *argv[])
{
	char shortopts[64];
	int c;

	/*
	 * ':' first (after a '+', which must lead): a missing value comes
	 * back as ':', not as '?'.
	 */
	if (cli->shortopts[0] == '+')
		snprintf(shortopts, sizeof(shortopts), "+:%s",
			 cli->shortopts + 1);
	else
		snprintf(shortopts, sizeof(shortopts), ":%s", cli->shortopts);
	opterr = 0;
	c = getopt_long(argc, argv, shortopts, cli->longopts, NULL);
	if (c == '?' || c == ':') {
		bad_option(cli, c, argv);
		c = '?';
	}
	return c;
}

int cli_no_operands(const struct cli *cli, int argc, char *argv[])
{
	if (optind < argc)
		return cli_usage_error(cli, "unexpected argument '%s'",
				       argv[optind]);
	return PVCTL_EXIT_OK;
}

const struct option cli_report_longopts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cli_report_args(const struct cli *cli, int argc, char *argv[], bool *json)
{
	int c, ret;

	*json = false;
	while ((c = cli_next(cli, argc, argv)) != -1) {
		switch (c) {
		case 'j':
			*json = true;
			break;
		case 'h':
			return cli_help(cli);
		default:
			return PVCTL_EXIT_USAGE;
		}
	}
	ret = cli_no_operands(cli, argc, argv);
	return ret ? ret : -1;
}
