// SPDX-License-Identifier: GPL-2.0
/*
 * pvctl list: every domain, as a table or as JSON, from one whole dump
 * (domain_dump.c).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "domain_dump.h"
#include "format.h"
#include "pvctl.h"
#include "session.h"

static const struct cli cli = {
	.name = "list",
	.shortopts = CLI_REPORT_SHORTOPTS,
	.longopts = cli_report_longopts,
	.usage =
	"Usage: pvctl list [--json]\n"
	"\n"
	"List the domains in id order: ID NAME STATE VCPUS MEMORY FRAMES\n"
	"CONTEXTS. STATE is created, running, shutdown(REASON) or\n"
	"crashed(REASON); CONTEXTS is the domain's user contexts (guest\n"
	"processes' host processes) and its limit, as N/MAX.\n"
	"\n"
	"  -j, --json   print a JSON array of objects with the keys id, name,\n"
	"               state, vcpus, memory_bytes, frames, contexts and\n"
	"               max_contexts, and reason for a domain that shut down\n"
	"               or crashed\n"
	"  -h, --help   show this help\n",
};

static int width(int min, const char *s)
{
	int len = (int)strlen(s);

	return len > min ? len : min;
}

static void print_table(const struct domains *d)
{
	int name_w = 4, state_w = 5;
	char size[SIZE_BUF_LEN], state[STATE_BUF_LEN], ctx[24];
	size_t i;

	for (i = 0; i < d->n; i++) {
		name_w = width(name_w, d->v[i].name);
		state_w = width(state_w, format_state(&d->v[i], state));
	}

	printf("%5s  %-*s  %-*s  %5s  %10s  %10s  %8s\n", "ID", name_w,
	       "NAME", state_w, "STATE", "VCPUS", "MEMORY", "FRAMES",
	       "CONTEXTS");
	for (i = 0; i < d->n; i++) {
		const struct pvnl_domain *dom = &d->v[i];

		snprintf(ctx, sizeof(ctx), "%" PRIu32 "/%" PRIu32,
			 dom->contexts, dom->max_contexts);
		printf("%5" PRIu32 "  %-*s  %-*s  %5" PRIu32 "  %10s  %10"
		       PRIu64 "  %8s\n", dom->id, name_w, dom->name, state_w,
		       format_state(dom, state), dom->vcpus,
		       format_size(dom->memory, size), dom->frames, ctx);
	}
}

/* One object per line: readable, and easy to grep in shell tests. */
static void print_json(const struct domains *d)
{
	char reason[STATE_BUF_LEN];
	size_t i;

	fputs("[", stdout);
	for (i = 0; i < d->n; i++) {
		const struct pvnl_domain *dom = &d->v[i];

		printf("%s\n  {\"id\": %" PRIu32 ", \"name\": ",
		       i ? "," : "", dom->id);
		json_string(stdout, dom->name);
		fputs(", \"state\": ", stdout);
		json_string(stdout, pvnl_state_name(dom->state));
		if (format_reason(dom, reason)[0]) {
			fputs(", \"reason\": ", stdout);
			json_string(stdout, reason);
		}
		printf(", \"vcpus\": %" PRIu32 ", \"memory_bytes\": %" PRIu64
		       ", \"frames\": %" PRIu64 ", \"contexts\": %" PRIu32
		       ", \"max_contexts\": %" PRIu32 "}", dom->vcpus,
		       dom->memory, dom->frames, dom->contexts,
		       dom->max_contexts);
	}
	fputs(d->n ? "\n]\n" : "]\n", stdout);
}

int list_main(int argc, char *argv[])
{
	struct domains d = { NULL, 0, 0 };
	int ret, interrupted = 0;
	bool json;
	struct pvnl *nl;

	ret = cli_report_args(&cli, argc, argv, &json);
	if (ret >= 0)
		return ret;

	ret = session_open(cli.name, &nl);
	if (ret)
		return ret;
	ret = domains_read(nl, &d, &interrupted);
	if (ret) {
		ret = session_fail(nl, cli.name, NULL, ret, NULL);
		goto out;
	}
	if (interrupted)
		fprintf(stderr, "%s: %s: domains kept changing during the "
			"listing; it may be inconsistent\n", PROG_NAME,
			cli.name);
	if (json)
		print_json(&d);
	else
		print_table(&d);
out:
	free(d.v);
	pvnl_close(nl);
	return ret;
}
