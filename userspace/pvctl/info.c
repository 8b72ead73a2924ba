// SPDX-License-Identifier: GPL-2.0
/*
 * pvctl info: the module's accounting and limits, in frames and in bytes
 * (frames are what the module counts, bytes what people think in).
 */

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli.h"
#include "format.h"
#include "pvctl.h"
#include "session.h"

static const struct cli cli = {
	.name = "info",
	.shortopts = CLI_REPORT_SHORTOPTS,
	.longopts = cli_report_longopts,
	.usage =
	"Usage: pvctl info [--json]\n"
	"\n"
	"Show the module's ABI version, domain count and limit, guest memory\n"
	"used and allowed, in frames and bytes, and the user contexts (guest\n"
	"processes' host processes) of all domains and the per-domain limit.\n"
	"\n"
	"  -j, --json   print one JSON object with the keys abi_version,\n"
	"               domains, max_domains, frames_used, frames_limit,\n"
	"               bytes_used, bytes_limit, max_vcpus, contexts and\n"
	"               max_contexts\n"
	"  -h, --help   show this help\n",
};

static void print_text(const struct pvnl_info *info)
{
	char used[SIZE_BUF_LEN], limit[SIZE_BUF_LEN];

	printf("abi version: %" PRIu32 "\n", info->abi_version);
	printf("domains:     %" PRIu32 " / %" PRIu32 "\n", info->domains,
	       info->max_domains);
	printf("frames:      %" PRIu64 " / %" PRIu64 "\n", info->frames_used,
	       info->frames_limit);
	printf("memory:      %s / %s\n",
	       format_size(frames_to_bytes(info->frames_used), used),
	       format_size(frames_to_bytes(info->frames_limit), limit));
	printf("max vcpus:   %" PRIu32 "\n", info->max_vcpus);
	printf("contexts:    %" PRIu32 " (at most %" PRIu32 " per domain)\n",
	       info->contexts, info->max_contexts);
}

static void print_json(const struct pvnl_info *info)
{
	printf("{\"abi_version\": %" PRIu32 ", \"domains\": %" PRIu32
	       ", \"max_domains\": %" PRIu32 ", \"frames_used\": %" PRIu64
	       ", \"frames_limit\": %" PRIu64 ", \"bytes_used\": %" PRIu64
	       ", \"bytes_limit\": %" PRIu64 ", \"max_vcpus\": %" PRIu32
	       ", \"contexts\": %" PRIu32 ", \"max_contexts\": %" PRIu32
	       "}\n", info->abi_version, info->domains, info->max_domains,
	       info->frames_used, info->frames_limit,
	       frames_to_bytes(info->frames_used),
	       frames_to_bytes(info->frames_limit), info->max_vcpus,
	       info->contexts, info->max_contexts);
}

int info_main(int argc, char *argv[])
{
	struct pvnl_info info;
	bool json;
	struct pvnl *nl;
	int ret;

	ret = cli_report_args(&cli, argc, argv, &json);
	if (ret >= 0)
		return ret;

	ret = session_open(cli.name, &nl);
	if (ret)
		return ret;
	ret = pvnl_info_get(nl, &info);
	if (ret)
		ret = session_fail(nl, cli.name, NULL, ret, NULL);
	else if (json)
		print_json(&info);
	else
		print_text(&info);
	pvnl_close(nl);
	return ret;
}
