// SPDX-License-Identifier: GPL-2.0
/*
 * pvctl sched: a domain's credit-scheduler weight and cap, as xl
 * sched-credit shows and sets them, kept in the domain's cgroup
 * (domcgroup.c: weight 256 is cpu.weight 100, a cap of C percent is
 * cpu.max "C*1000 100000"). Without --weight or --cap it prints them.
 * Changes last for the domain's life; its config (and so a restart)
 * keeps the values it was created with.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "domcgroup.h"
#include "one_domain.h"
#include "parse.h"
#include "pvctl.h"
#include "session.h"

static const struct option longopts[] = {
	{ "weight", required_argument, NULL, 'w' },
	{ "cap", required_argument, NULL, 'c' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct cli cli = {
	.name = "sched",
	.shortopts = "w:c:h",
	.longopts = longopts,
	.usage =
	"Usage: pvctl sched NAME|ID [--weight W] [--cap C]\n"
	"\n"
	"Show or set a domain's credit-scheduler weight and cap, as xl\n"
	"sched-credit does; they are enforced by the domain's cgroup.\n"
	"\n"
	"  -w, --weight W   relative share of CPU time against other\n"
	"                   domains, 1-65535 (default 256)\n"
	"  -c, --cap C      the most CPU the domain may use, in percent of\n"
	"                   one CPU; 0 for none, at most 3200\n"
	"  -h, --help       show this help\n",
};

static const struct errtext errors[] = {
	{ ENOENT, "no such domain" },
	{ ERANGE, "domain id out of range" },
	{ 0, NULL },
};

/* Apply or show; @weight 0 and @cap < 0 mean "not given". */
static int sched(struct pvnl *nl, const char *token, uint32_t id,
		 const char *name, uint32_t weight, int64_t cap)
{
	struct pvnl_domain d;
	uint32_t w, c;
	char why[512];
	int ret;

	ret = pvnl_domain_get(nl, id, name, &d);
	if (ret)
		return session_fail(nl, cli.name, token, ret, errors);
	if (weight || cap >= 0)
		ret = domcg_set_sched(d.id, weight, cap, why, sizeof(why));
	else
		ret = domcg_get_sched(d.id, &w, &c, why, sizeof(why));
	if (ret) {
		fprintf(stderr, "%s: %s: %s: %s%s\n", PROG_NAME, cli.name,
			d.name, why, ret == -ENOENT ? " (the domain has no "
			"runner, so no cgroup)" : "");
		return PVCTL_EXIT_FAILED;
	}
	if (!weight && cap < 0) {
		printf("%-32s %5s %6s %5s\n", "Name", "ID", "Weight", "Cap");
		printf("%-32s %5" PRIu32 " %6" PRIu32 " %5" PRIu32 "\n",
		       d.name, d.id, w, c);
	}
	return PVCTL_EXIT_OK;
}

int sched_main(int argc, char *argv[])
{
	const char *token;
	uint32_t weight = 0, v;
	int64_t cap = -1;
	struct pvnl *nl;
	const char *name;
	uint32_t id;
	int c, ret;

	while ((c = cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'w':
			if (parse_u32(optarg, &weight) || !weight ||
			    weight > DOMCG_WEIGHT_MAX)
				return cli_usage_error(&cli, "invalid weight "
						       "'%s' (1-%d)", optarg,
						       DOMCG_WEIGHT_MAX);
			break;
		case 'c':
			if (parse_u32(optarg, &v) || v > DOMCG_CAP_MAX)
				return cli_usage_error(&cli, "invalid cap '%s' "
						       "(0-%u)", optarg,
						       DOMCG_CAP_MAX);
			cap = v;
			break;
		case 'h':
			return cli_help(&cli);
		default:
			return PVCTL_EXIT_USAGE;
		}
	}
	ret = one_domain_operand(&cli, argc, argv, &token, &id, &name);
	if (ret)
		return ret;
	ret = session_open(cli.name, &nl);
	if (ret)
		return ret;
	ret = sched(nl, token, id, name, weight, cap);
	pvnl_close(nl);
	return ret;
}
