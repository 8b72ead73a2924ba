// SPDX-License-Identifier: GPL-2.0
/*
 * pvctl store: xenstore for people, over pvisord's socket. read, write,
 * ls, rm and watch, in the manner of Xen's xenstore-read and friends.
 * --as DOMID makes the connection act as a domain first (pvisord's
 * Domain0-only "pvisor-act-as" control command), to see the store as
 * that guest would.
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <pvisor/xs_wire.h>

#include "cli.h"
#include "pvctl.h"
#include "xs_client.h"

static const struct option longopts[] = {
	{ "socket", required_argument, NULL, 's' },
	{ "as", required_argument, NULL, 'a' },
	{ "count", required_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct cli cli = {
	.name = "store",
	.shortopts = "s:a:n:h",
	.longopts = longopts,
	.usage =
	"Usage: pvctl store [options] read PATH\n"
	"       pvctl store [options] write PATH VALUE\n"
	"       pvctl store [options] ls PATH\n"
	"       pvctl store [options] rm PATH\n"
	"       pvctl store [options] watch PATH\n"
	"\n"
	"Read and change xenstore through pvisord. read prints a value, ls\n"
	"the names below a path (one a line), watch the path of each change\n"
	"at or below PATH (one a line; the first right away, as xenstore\n"
	"watches do) until interrupted. A relative PATH is below\n"
	"/local/domain/<the caller's domain>.\n"
	"\n"
	"  -s, --socket PATH  pvisord's socket (" XS_DEFAULT_SOCKET ",\n"
	"                     or $PVISOR_STORE_SOCKET)\n"
	"  -a, --as DOMID     act as domain DOMID, with its permissions\n"
	"  -n, --count N      watch: stop after N events\n"
	"  -h, --help         show this help\n"
	"\n"
	"Errors are xenstore's names (ENOENT, EACCES, ...); exit status 1,\n"
	"or 4 for EACCES and EPERM.\n",
};

/* An error reply: say which and pick the exit code. */
static int failed(const char *path, const char *err)
{
	const char *what = "";

	if (!strcmp(err, "ENOENT"))
		what = " (no such node)";
	else if (!strcmp(err, "EACCES"))
		what = " (permission denied)";
	else if (!strcmp(err, "EQUOTA"))
		what = " (over the quota)";
	else if (!strcmp(err, "EINVAL"))
		what = " (invalid path or request)";
	fprintf(stderr, "%s: store: %s: %s%s\n", PROG_NAME, path, err, what);
	return !strcmp(err, "EACCES") || !strcmp(err, "EPERM") ?
	       PVCTL_EXIT_PERM : PVCTL_EXIT_FAILED;
}

static int io_failed(int err)
{
	fprintf(stderr, "%s: store: talking to pvisord: %s\n", PROG_NAME,
		strerror(-err));
	return PVCTL_EXIT_FAILED;
}

static int act_as(struct xs_client *s, const char *domid)
{
	static const char cmd[] = "pvisor-act-as";
	int ret;

	ret = xs_request(s, PVISOR_XS_CONTROL, cmd, sizeof(cmd), domid,
		      strlen(domid) + 1);
	if (ret < 0)
		return io_failed(ret);
	return ret ? failed(domid, s->buf) : PVCTL_EXIT_OK;
}

static int one_path(struct xs_client *s, uint32_t type, const char *path)
{
	int ret = xs_request(s, type, path, strlen(path) + 1, NULL, 0);

	if (ret < 0)
		return io_failed(ret);
	return ret ? failed(path, s->buf) : PVCTL_EXIT_OK;
}

static int do_read(struct xs_client *s, const char *path)
{
	int ret = one_path(s, PVISOR_XS_READ, path);

	if (!ret) {
		fwrite(s->buf, 1, s->h.len, stdout);
		putchar('\n');
	}
	return ret;
}

static int do_ls(struct xs_client *s, const char *path)
{
	int ret = one_path(s, PVISOR_XS_DIRECTORY, path);
	size_t i;

	for (i = 0; !ret && i < s->h.len; i += strlen(s->buf + i) + 1)
		puts(s->buf + i);
	return ret;
}

static int do_write(struct xs_client *s, const char *path, const char *value)
{
	int ret = xs_request(s, PVISOR_XS_WRITE, path, strlen(path) + 1, value,
			  strlen(value));

	if (ret < 0)
		return ret == -E2BIG ? failed(path, "E2BIG") : io_failed(ret);
	return ret ? failed(path, s->buf) : PVCTL_EXIT_OK;
}

static int do_watch(struct xs_client *s, const char *path, long count)
{
	static const char token[] = "pvctl";
	long seen = 0;
	int ret;

	ret = xs_request(s, PVISOR_XS_WATCH, path, strlen(path) + 1, token,
		      sizeof(token));
	if (ret < 0)
		return io_failed(ret);
	if (ret)
		return failed(path, s->buf);
	/* Each event as it comes: a pipe reader must not wait for a buffer. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (count < 0 || seen < count) {
		ret = xs_receive(s);
		if (ret)
			return io_failed(ret);
		if (s->h.type != PVISOR_XS_WATCH_EVENT)
			continue;
		puts(s->buf);
		seen++;
	}
	return PVCTL_EXIT_OK;
}

static const struct {
	const char *name;
	int operands;	/* after the subcommand word */
} actions[] = {
	{ "read", 1 }, { "write", 2 }, { "ls", 1 }, { "rm", 1 }, { "watch", 1 },
};

int store_main(int argc, char *argv[])
{
	const char *socket_path = getenv("PVISOR_STORE_SOCKET");
	const char *as = NULL, *action;
	struct xs_client s = { .fd = -1 };
	long count = -1;
	char *end;
	size_t i;
	int c, ret;

	while ((c = cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 's':
			socket_path = optarg;
			break;
		case 'a':
			as = optarg;
			break;
		case 'n':
			count = strtol(optarg, &end, 10);
			if (*end || !*optarg || count < 1)
				return cli_usage_error(&cli, "--count needs a positive number");
			break;
		case 'h':
			return cli_help(&cli);
		default:
			return PVCTL_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cli_usage_error(&cli, "what to do: read, write, ls, rm or watch");
	action = argv[optind++];
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (!strcmp(actions[i].name, action))
			break;
	if (i == sizeof(actions) / sizeof(actions[0]))
		return cli_usage_error(&cli, "unknown action '%s'", action);
	if (argc - optind != actions[i].operands)
		return cli_usage_error(&cli, "%s takes %s", action,
				       actions[i].operands == 2 ? "PATH VALUE" : "PATH");
	if (count > 0 && strcmp(action, "watch"))
		return cli_usage_error(&cli, "--count is for watch");
	if (!socket_path || !*socket_path)
		socket_path = XS_DEFAULT_SOCKET;

	s.fd = xs_connect(socket_path);
	if (s.fd < 0) {
		fprintf(stderr, "%s: store: cannot reach pvisord at %s: %s\n",
			PROG_NAME, socket_path, strerror(-s.fd));
		return PVCTL_EXIT_FAILED;
	}
	ret = as ? act_as(&s, as) : PVCTL_EXIT_OK;
	if (ret)
		goto out;
	if (!strcmp(action, "read"))
		ret = do_read(&s, argv[optind]);
	else if (!strcmp(action, "write"))
		ret = do_write(&s, argv[optind], argv[optind + 1]);
	else if (!strcmp(action, "ls"))
		ret = do_ls(&s, argv[optind]);
	else if (!strcmp(action, "rm"))
		ret = one_path(&s, PVISOR_XS_RM, argv[optind]);
	else
		ret = do_watch(&s, argv[optind], count);
out:
	close(s.fd);
	return ret;
}
