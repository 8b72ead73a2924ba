/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVCTL_ONE_DOMAIN_H
#define PVCTL_ONE_DOMAIN_H

#include <stdint.h>

#include <pvnl.h>

#include "cli.h"
#include "session.h"

/* An operation on one domain, named by id (0: none) or name (NULL: none). */
typedef int (*domain_op)(struct pvnl *nl, uint32_t id, const char *name,
			 uint32_t arg);

/*
 * The one NAME|ID operand after the options: into @token and either @id
 * or @name (parse_domain()). PVCTL_EXIT_OK, or the usage error's status.
 */
int one_domain_operand(const struct cli *cli, int argc, char *argv[],
		       const char **token, uint32_t *id, const char **name);

/*
 * Take the NAME|ID operand after the options and look the domain up
 * (DOMAIN_GET) into @d, the session closed again. PVCTL_EXIT_OK, or the
 * exit status of a failure already reported (@errors name the kernel's).
 */
int one_domain_lookup(const struct cli *cli, int argc, char *argv[],
		      const struct errtext *errors, struct pvnl_domain *d);

/*
 * The rest of "pvctl SUB [options] NAME|ID" once SUB has parsed its
 * options: take the designator, connect, run @op with @arg and report a
 * failure with @errors. Returns pvctl's exit status.
 */
int one_domain_run(const struct cli *cli, int argc, char *argv[],
		   domain_op op, uint32_t arg, const struct errtext *errors);

/* The whole of "pvctl SUB [--help] NAME|ID": @op gets @arg. */
int one_domain_main(const struct cli *cli, int argc, char *argv[],
		    domain_op op, uint32_t arg, const struct errtext *errors);

/* The whole of "pvctl SUB [--json] [--help] NAME|ID": @op gets 1 for
 * --json, else 0. The cli must list 'j' and 'h'. */
int one_domain_listing(const struct cli *cli, int argc, char *argv[],
		       domain_op op, const struct errtext *errors);

#endif /* PVCTL_ONE_DOMAIN_H */
