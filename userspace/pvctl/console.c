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
 *
 * Input, as xl console does it: when stdin and stdout are terminals
 * (and no --no-follow), the terminal goes raw, every key goes to the
 * guest's console input (PVISOR_CMD_CONSOLE_WRITE) and its output comes
 * back, until Ctrl-] detaches or the domain stops; the terminal is put
 * back on every way out (exit, a fatal signal). --input does the same
 * for any stdin, a pipe in a script say, without touching the terminal
 * and without the escape key; at the end of stdin it keeps following
 * the output. The module takes what fits in the domain's input buffer
 * (4 KiB): the rest is sent again until it is taken or the domain stops.
 */

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "one_domain.h"
#include "pvctl.h"
#include "session.h"

#define CHUNK		(16 * 1024)
#define POLL_NSEC	(100 * 1000 * 1000)
#define POLL_MSEC	100
#define INPUT_CHUNK	4096	/* the module's most per write */
#define ESCAPE_KEY	0x1d	/* Ctrl-], as xl console */
#define RETRY_NSEC	(10 * 1000 * 1000)

static const struct option longopts[] = {
	{ "follow", no_argument, NULL, 'f' },
	{ "no-follow", no_argument, NULL, 'n' },
	{ "input", no_argument, NULL, 'i' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct cli cli = {
	.name = "console",
	.shortopts = "fnih",
	.longopts = longopts,
	.usage =
	"Usage: pvctl console NAME|ID [--follow|--no-follow] [--input]\n"
	"\n"
	"Print a domain's console output (the last 64 KiB the module keeps).\n"
	"On a terminal, attach to it as xl console does: keys go to the\n"
	"guest, its output comes back, Ctrl-] detaches.\n"
	"\n"
	"  -f, --follow     keep printing new output until the domain shuts\n"
	"                   down, crashes or is destroyed\n"
	"  -n, --no-follow  print what is there and exit, even on a terminal\n"
	"  -i, --input      send stdin (a pipe, a file) to the guest's\n"
	"                   console and follow its output\n"
	"  -h, --help       show this help\n",
};

static const struct errtext errors[] = {
	{ ENOENT, "no such domain" },
	{ EINVAL, "invalid domain designator" },
	{ EPIPE, "the domain has stopped: nothing reads its console input" },
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

/* The terminal as it was, while it is raw. */
static struct termios saved_termios;
static bool termios_saved;

static void restore_terminal(void)
{
	if (termios_saved) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_termios);
		termios_saved = false;
	}
}

static void restore_and_die(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Make the terminal raw, and make sure it comes back. 0 or -errno. */
static int raw_terminal(void)
{
	static const int fatal[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE };
	struct termios raw;
	size_t i;

	if (tcgetattr(STDIN_FILENO, &saved_termios) < 0)
		return -errno;
	raw = saved_termios;
	cfmakeraw(&raw);
	termios_saved = true;
	atexit(restore_terminal);
	for (i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		signal(fatal[i], restore_and_die);
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) < 0) {
		termios_saved = false;
		return -errno;
	}
	return 0;
}

/* All of @buf to the guest, waiting while its input buffer is full. */
static int send_input(struct pvnl *nl, uint32_t id, const char *name,
		      const char *buf, size_t len)
{
	const struct timespec pause = { 0, RETRY_NSEC };
	ssize_t n;

	while (len) {
		n = pvnl_console_write(nl, id, name, buf, len);
		if (n < 0)
			return (int)n;
		buf += n;
		len -= (size_t)n;
		if (len)
			nanosleep(&pause, NULL);
	}
	return 0;
}

/*
 * Forward stdin and print output until the domain stops, stdin ends
 * (then only follow), or, on a terminal, the escape key.
 */
static int attach(struct pvnl *nl, uint32_t id, const char *name,
		  uint64_t *offset, bool tty)
{
	struct pollfd in = { .fd = STDIN_FILENO, .events = POLLIN };
	static char buf[INPUT_CHUNK];
	struct pvnl_domain dom;
	bool first = true;
	char *esc;
	ssize_t n;
	int ret;

	for (;; first = false) {
		ret = pvnl_domain_get(nl, id, name, &dom);
		if (ret == -ENOENT)
			return 0;
		if (ret)
			return ret;
		/* Input for a guest that stopped before we came is an error. */
		if (first && !tty && stopped(dom.state))
			return -EPIPE;
		ret = drain(nl, id, name, offset);
		if (ret == -ENOENT)
			return 0;
		if (ret || stopped(dom.state))
			return ret;
		if (poll(&in, 1, POLL_MSEC) <= 0 || !(in.revents & (POLLIN | POLLHUP)))
			continue;
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -EIO : follow(nl, id, name, offset);
		esc = tty ? memchr(buf, ESCAPE_KEY, (size_t)n) : NULL;
		ret = send_input(nl, id, name, buf, esc ? (size_t)(esc - buf) :
				 (size_t)n);
		if (ret || esc)
			return ret;
	}
}

int console_main(int argc, char *argv[])
{
	bool follow_opt = false, no_follow = false, input_opt = false, tty;
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
		case 'n':
			no_follow = true;
			break;
		case 'i':
			input_opt = true;
			break;
		case 'h':
			return cli_help(&cli);
		default:
			return PVCTL_EXIT_USAGE;
		}
	}
	if (no_follow && (follow_opt || input_opt))
		return cli_usage_error(&cli, "--no-follow contradicts "
				       "--follow and --input");
	ret = one_domain_operand(&cli, argc, argv, &token, &id, &name);
	if (ret)
		return ret;
	tty = !no_follow && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);

	ret = session_open(cli.name, &nl);
	if (ret)
		return ret;
	ret = drain(nl, id, name, &offset);
	if (!ret && tty) {
		ret = raw_terminal();
		if (!ret)
			ret = attach(nl, id, name, &offset, true);
		restore_terminal();
	} else if (!ret && input_opt) {
		ret = attach(nl, id, name, &offset, false);
	} else if (!ret && follow_opt) {
		ret = follow(nl, id, name, &offset);
	}
	if (ret == -EIO)
		ret = PVCTL_EXIT_FAILED;	/* stdout; pvctl.c reports it */
	else if (ret)
		ret = session_fail(nl, cli.name, token, ret, errors);
	pvnl_close(nl);
	return ret;
}
