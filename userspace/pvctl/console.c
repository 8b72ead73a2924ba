// SPDX-License-Identifier: GPL-2.0
/*
 * pvctl console: a domain's console log, as the guest wrote it.
 *
 * The module keeps the last 64 KiB of each domain's console output and
 * counts every byte ever written; CONSOLE_READ hands out up to 16 KiB
 * from a position in that count. We read from 0 until nothing new comes
 * back. With --follow we then keep polling, every 100 ms, until the
 * domain has stopped (shut down, crashed or gone) and its log is
 * drained. Bytes are copied raw: the guest owns the format.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "one_domain.h"
#include "pvctl.h"
#include "session.h"

#define CHUNK		(16 * 1024)
#define POLL_NSEC	(100 * 1000 * 1000)

static const struct option longopts[] = {
	{ "follow", no_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct cli cli = {
	.name = "console",
	.shortopts = "fh",
	.longopts = longopts,
	.usage =
	"Usage: pvctl console NAME|ID [--follow]\n"
	"\n"
	"Print a domain's console output (the last 64 KiB the module keeps).\n"
	"\n"
	"  -f, --follow   keep printing new output until the domain shuts\n"
	"                 down, crashes or is destroyed\n"
	"  -h, --help     show this help\n",
};

static const struct errtext errors[] = {
	{ ENOENT, "no such domain" },
	{ EINVAL, "invalid domain designator" },
	{ 0, NULL },
};

static bool stopped(uint32_t state)
{
	return state == PVISOR_DOMAIN_STATE_SHUTDOWN ||
	       state == PVISOR_DOMAIN_STATE_CRASHED;
}

/* Print what is there from *@offset on. Returns 0 or a negative errno. */
static int drain(struct pvnl *nl, uint32_t id, const char *name,
		 uint64_t *offset)
{
	static char buf[CHUNK];
	uint64_t lost;
	ssize_t n;

	for (;;) {
		n = pvnl_console_read(nl, id, name, *offset, buf, sizeof(buf),
				      offset, &lost);
		if (n < 0)
			return (int)n;
		if (lost)
			fprintf(stderr, "%s: %s: %" PRIu64 " bytes of console "
				"output were overwritten before they were "
				"read\n", PROG_NAME, cli.name, lost);
		if (!n)
			return 0;
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			return -EIO;
		fflush(stdout);
	}
}

static int follow(struct pvnl *nl, uint32_t id, const char *name,
		  uint64_t *offset)
{
	const struct timespec pause = { 0, POLL_NSEC };
	struct pvnl_domain dom;
	int ret;

	for (;;) {
		/* The state first: output written before it stopped is kept. */
		ret = pvnl_domain_get(nl, id, name, &dom);
		if (ret == -ENOENT)
			return 0;	/* destroyed: nothing more will come */
		if (ret)
			return ret;
		ret = drain(nl, id, name, offset);
		if (ret == -ENOENT)
			return 0;
		if (ret || stopped(dom.state))
			return ret;
		nanosleep(&pause, NULL);
	}
}

int console_main(int argc, char *argv[])
{
	bool follow_opt = false;
	const char *token, *name;
	uint64_t offset = 0;
	struct pvnl *nl;
	uint32_t id;
	int c, ret;

	while ((c = cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'f':
			follow_opt = true;
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
	ret = drain(nl, id, name, &offset);
	if (!ret && follow_opt)
		ret = follow(nl, id, name, &offset);
	if (ret == -EIO)
		ret = PVCTL_EXIT_FAILED;	/* stdout; pvctl.c reports it */
	else if (ret)
		ret = session_fail(nl, cli.name, token, ret, errors);
	pvnl_close(nl);
	return ret;
}
