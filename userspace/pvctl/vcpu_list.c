// SPDX-License-Identifier: GPL-2.0
/*
 * pvctl vcpu-list: one domain's vCPUs, what each is doing and the host
 * CPU time its thread has used, as a table or as JSON.
 *
 * The module takes the listing in one go, so it is printed only once it
 * has all arrived: a failure part-way prints nothing but the error.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "format.h"
#include "growbuf.h"
#include "one_domain.h"
#include "pvctl.h"

static const struct cli cli = {
	.name = "vcpu-list",
	.shortopts = CLI_REPORT_SHORTOPTS,
	.longopts = cli_report_longopts,
	.usage =
	"Usage: pvctl vcpu-list NAME|ID [--json]\n"
	"\n"
	"List a domain's vCPUs in id order: VCPU STATE CPU-TIME.\n"
	"STATE is offline, running, blocked, paused or stopped; CPU-TIME is\n"
	"the host CPU time the vCPU's thread has used, in seconds.\n"
	"\n"
	"  -j, --json   print a JSON array of objects with the keys vcpu,\n"
	"               state and cpu_time_ns\n"
	"  -h, --help   show this help\n",
};

static const struct errtext errors[] = {
	{ ENOENT, "no such domain" },
	{ EINVAL, "invalid domain designator" },
	{ 0, NULL },
};

static int collect(const struct pvnl_vcpu *vcpu, void *arg)
{
	return growbuf_push(arg, vcpu, sizeof(*vcpu));
}

static void print_table(const struct growbuf *d)
{
	const struct pvnl_vcpu *vcpus = d->v;
	char time[TIME_BUF_LEN];
	size_t i;

	printf("%4s  %-7s  %12s\n", "VCPU", "STATE", "CPU-TIME");
	for (i = 0; i < d->n; i++)
		printf("%4" PRIu32 "  %-7s  %12s\n", vcpus[i].vcpu,
		       pvnl_vcpu_state_name(vcpus[i].state),
		       format_seconds(vcpus[i].cpu_time_ns, time));
}

static void print_json(const struct growbuf *d)
{
	const struct pvnl_vcpu *vcpus = d->v;
	size_t i;

	fputs("[", stdout);
	for (i = 0; i < d->n; i++) {
		printf("%s\n  {\"vcpu\": %" PRIu32 ", \"state\": ",
		       i ? "," : "", vcpus[i].vcpu);
		json_string(stdout, pvnl_vcpu_state_name(vcpus[i].state));
		printf(", \"cpu_time_ns\": %" PRIu64 "}", vcpus[i].cpu_time_ns);
	}
	fputs(d->n ? "\n]\n" : "]\n", stdout);
}

static int list_vcpus(struct pvnl *nl, uint32_t id, const char *name,
		      uint32_t json)
{
	struct growbuf d = { NULL, 0, 0 };
	int ret;

	ret = pvnl_vcpu_dump(nl, id, name, collect, &d);
	if (!ret) {
		if (json)
			print_json(&d);
		else
			print_table(&d);
	}
	free(d.v);
	return ret;
}

int vcpu_list_main(int argc, char *argv[])
{
	return one_domain_listing(&cli, argc, argv, list_vcpus, errors);
}
