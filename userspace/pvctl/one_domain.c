// SPDX-License-Identifier: GPL-2.0
/*
 * What the one-domain subcommands share: one NAME|ID operand, one netlink
 * request (silence on success for destroy, pause, unpause and shutdown,
 * like rm and kill), and for most of them the whole option loop.
 */

#include <errno.h>
#include <getopt.h>

#include "one_domain.h"
#include "parse.h"
#include "pvctl.h"

int one_domain_operand(const struct cli *cli, int argc, char *argv[],
		       const char **token, uint32_t *id, const char **name)
{
	int ret;

	if (optind >= argc)
		return cli_usage_error(cli, "missing NAME or ID");
	*token = argv[optind++];
	ret = cli_no_operands(cli, argc, argv);
	if (ret)
		return ret;

	ret = parse_domain(*token, id, name);
	if (ret == -ERANGE)
		return cli_usage_error(cli, "domain id '%s' out of range "
				       "(1-%d)", *token, PVISOR_DOMID_MAX);
	if (ret)
		return cli_usage_error(cli, "missing NAME or ID");
	return PVCTL_EXIT_OK;
}

/* What one_domain_run() and one_domain_lookup() ask of the domain. */
struct request {
	domain_op op;			/* NULL: DOMAIN_GET into @d */
	uint32_t arg;
	struct pvnl_domain *d;
};

static int request_run(const struct cli *cli, int argc, char *argv[],
		       const struct request *rq, const struct errtext *errors)
{
	const char *token, *name;
	struct pvnl *nl;
	uint32_t id;
	int ret;

	ret = one_domain_operand(cli, argc, argv, &token, &id, &name);
	if (ret)
		return ret;
	ret = session_open(cli->name, &nl);
	if (ret)
		return ret;
	ret = rq->op ? rq->op(nl, id, name, rq->arg)
		     : pvnl_domain_get(nl, id, name, rq->d);
	if (ret)
		ret = session_fail(nl, cli->name, token, ret, errors);
	pvnl_close(nl);
	return ret;
}

int one_domain_lookup(const struct cli *cli, int argc, char *argv[],
		      const struct errtext *errors, struct pvnl_domain *d)
{
	const struct request rq = { .d = d };

	return request_run(cli, argc, argv, &rq, errors);
}

int one_domain_run(const struct cli *cli, int argc, char *argv[],
		   domain_op op, uint32_t arg, const struct errtext *errors)
{
	const struct request rq = { .op = op, .arg = arg };

	return request_run(cli, argc, argv, &rq, errors);
}

int one_domain_main(const struct cli *cli, int argc, char *argv[],
		    domain_op op, uint32_t arg, const struct errtext *errors)
{
	int c;

	/* --help is the only option: it, or anything else, ends the loop. */
	while ((c = cli_next(cli, argc, argv)) != -1)
		return c == 'h' ? cli_help(cli) : PVCTL_EXIT_USAGE;
	return one_domain_run(cli, argc, argv, op, arg, errors);
}

int one_domain_listing(const struct cli *cli, int argc, char *argv[],
		       domain_op op, const struct errtext *errors)
{
	uint32_t json = 0;
	int c;

	while ((c = cli_next(cli, argc, argv)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			return cli_help(cli);
		default:
			return PVCTL_EXIT_USAGE;
		}
	}
	return one_domain_run(cli, argc, argv, op, json, errors);
}
