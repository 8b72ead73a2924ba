/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command-line handling every subcommand shares, so that options, help
 * and usage errors look and behave the same everywhere.
 */
#ifndef PVCTL_CLI_H
#define PVCTL_CLI_H

#include <getopt.h>
#include <stdbool.h>

struct cli {
	const char *name;		/* the subcommand */
	const char *usage;		/* its complete --help text */
	const char *shortopts;		/* getopt(3) style, no leading ':';
					 * a leading '+': options end at
					 * the first operand */
	const struct option *longopts;
};

/*
 * The next option, like getopt_long(); -1 after the last. An unknown
 * option or a missing value is reported with the usage on stderr and
 * returned as '?': the caller then exits with PVCTL_EXIT_USAGE.
 */
int cli_next(const struct cli *cli, int argc, char *argv[]);

/* --help: the usage on stdout; returns PVCTL_EXIT_OK. */
int cli_help(const struct cli *cli);

/* "pvctl: NAME: <message>" and the usage on stderr; PVCTL_EXIT_USAGE. */
int cli_usage_error(const struct cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* After the options: fail with a usage error if any operand is left. */
int cli_no_operands(const struct cli *cli, int argc, char *argv[]);

/*
 * Reports (list, info) take only --json/-j and --help/-h, and no
 * operands: their struct cli uses these options, and this parses them.
 * Returns -1 to carry on, or the exit code to leave with.
 */
#define CLI_REPORT_SHORTOPTS "jh"
extern const struct option cli_report_longopts[];
int cli_report_args(const struct cli *cli, int argc, char *argv[], bool *json);

#endif /* PVCTL_CLI_H */
