// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark (4), both sides, wall time in nanoseconds (CLOCK_MONOTONIC).
 *
 *   boottime guest [--kernel ELF [--ramdisk FILE] [--cmdline S]]
 *                  [--memory SIZE] [--pvctl PATH] [--label L] [--hello PATH]
 *                  [--until STRING] [--reps N]
 *
 *     From just before fork+exec of `pvctl create --name ... --memory SIZE
 *     --kernel ELF` until the domain's console holds its first complete
 *     line, read through libpvnl (CONSOLE_READ, polled without sleeping).
 *     Also reports when pvctl returned (the runner said "ready"). Each
 *     domain is destroyed once it has shut down, outside the timing.
 *
 *     With --until, the time runs until STRING has appeared on the console
 *     instead (boot.L.until): a shell's prompt, for the Linux guest, whose
 *     kernel prints many lines first. --ramdisk and --cmdline go to pvctl
 *     as they are. --reps sets the repetitions (default BENCH_REPS): a
 *     Linux boot under TCG takes seconds.
 *
 *     With --hello, each repetition first times the static hello as
 *     below (boot.L.hello), so that both sides of the ratio share the
 *     same moment of a noisy machine.
 *
 *     Without --kernel, only `pvctl create` of an empty domain is timed
 *     (boot.L.ready): the netlink request and the memory reservation,
 *     without the runner, for the breakdown.
 *
 *   boottime hello PATH
 *
 *     From just before fork until a static hello's line has come through
 *     a pipe and the process has been waited for.
 *
 *   boottime cmd LABEL PATH [ARG...]
 *
 *     fork+exec+wait of any command, stdout on /dev/null: a part of what
 *     `pvctl create` does (`pvctl info`: one pvctl with a netlink
 *     session), for the breakdown.
 *
 *   boottime until [--reps N] LABEL STRING PATH [ARG...]
 *
 *     From just before fork+exec of a command, its stdout and stderr on
 *     a pipe, until STRING has come through the pipe: User-Mode Linux
 *     booted to its shell prompt, the peer of `guest --until`. The
 *     command must then end by itself (the prompt's shell powers off);
 *     it is waited for outside the timing, and killed, with its process
 *     group, if it has not ended within a time limit.
 *
 * Lines: @@bench boot.L.ready, boot.L.first_line, boot.L.until,
 * boot.L.hello, boot.fork_exec_hello, boot.cmd.LABEL (common/bench.h's
 * format).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "pvnl.h"
#include "report.h"

/*
 * A guest that has not spoken after this long is not going to: a hang
 * detector, long enough for a Linux boot on a loaded TCG machine.
 */
#define LINE_TIMEOUT_NS		(300ULL * 1000000000ULL)
#define SHUTDOWN_TIMEOUT_NS	(60ULL * 1000000000ULL)
/* --until's STRING, and --reps' bounds. */
#define UNTIL_MAX		128
#define REPS_MAX		BENCH_REPS

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* fork+exec @argv with stdout on /dev/null; its wait status, or -1. */
static int run_quiet(char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null < 0 || dup2(null, 1) < 0)
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

/*
 * A search for @want in a stream read in pieces: the last bytes of one
 * piece are kept, so that a @want split between two reads is found.
 */
struct stream_search {
	const char *want;
	size_t want_len;	/* 1 to UNTIL_MAX */
	size_t kept;		/* bytes of window kept, < want_len */
	char window[UNTIL_MAX + 4096];
};

static void search_init(struct stream_search *ss, const char *want)
{
	ss->want = want;
	ss->want_len = strlen(want);
	ss->kept = 0;
}

/* True once @want is in what has been fed, @n at most 4096 bytes. */
static bool search_feed(struct stream_search *ss, const char *buf, size_t n)
{
	size_t len = ss->kept + n;

	memcpy(ss->window + ss->kept, buf, n);
	if (memmem(ss->window, len, ss->want, ss->want_len))
		return true;
	ss->kept = len < ss->want_len - 1 ? len : ss->want_len - 1;
	memmove(ss->window, ss->window + len - ss->kept, ss->kept);
	return false;
}

/* Poll the console until @want is on it. 0, or a negative errno. */
static int wait_console(struct pvnl *nl, const char *name, const char *want)
{
	uint64_t deadline = now_ns() + LINE_TIMEOUT_NS, offset = 0;
	struct stream_search ss;
	char buf[4096];
	ssize_t n;

	search_init(&ss, want);
	for (;;) {
		n = pvnl_console_read(nl, 0, name, offset, buf, sizeof(buf),
				      &offset, NULL);
		if (n < 0)
			return (int)n;
		if (n > 0 && search_feed(&ss, buf, (size_t)n))
			return 0;
		if (now_ns() > deadline)
			return -ETIMEDOUT;
		sched_yield();
	}
}

static uint64_t hello_once(const char *path);

/* Wait (bounded) until @name has stopped, then destroy it. */
static void reap(struct pvnl *nl, const char *name)
{
	const struct timespec pause = { 0, 10 * 1000 * 1000 };
	uint64_t deadline = now_ns() + SHUTDOWN_TIMEOUT_NS;
	struct pvnl_domain dom;

	while (!pvnl_domain_get(nl, 0, name, &dom) &&
	       dom.state != PVISOR_DOMAIN_STATE_SHUTDOWN &&
	       dom.state != PVISOR_DOMAIN_STATE_CRASHED && now_ns() < deadline)
		nanosleep(&pause, NULL);
	pvnl_domain_del(nl, 0, name);
}

/* What `boottime guest` creates, and what it waits for. */
struct guest_boot {
	const char *pvctl, *kernel, *ramdisk, *cmdline, *memory;
	const char *label, *hello, *until;
	unsigned int reps;
};

/* pvctl create, its options and the NULL: CREATE_ARGS slots at most. */
#define CREATE_ARGS	13

/* pvctl create's arguments for @g, domain @name, into @argv. */
static void create_argv(const struct guest_boot *g, char *name, char **argv)
{
	unsigned int i = 0;

	argv[i++] = (char *)g->pvctl;
	argv[i++] = "create";
	argv[i++] = "--name";
	argv[i++] = name;
	argv[i++] = "--memory";
	argv[i++] = (char *)g->memory;
	if (g->kernel) {
		argv[i++] = "--kernel";
		argv[i++] = (char *)g->kernel;
	}
	if (g->ramdisk) {
		argv[i++] = "--ramdisk";
		argv[i++] = (char *)g->ramdisk;
	}
	if (g->cmdline) {
		argv[i++] = "--cmdline";
		argv[i++] = (char *)g->cmdline;
	}
	argv[i] = NULL;
}

static int bench_guest(const struct guest_boot *g)
{
	uint64_t ready[BENCH_REPS], line[BENCH_REPS], base[BENCH_REPS], t0;
	const char *want = g->until ? g->until : "\n";
	char name[PVISOR_NAME_MAX], metric[96];
	struct pvnl *nl = pvnl_open();
	const char *kernel = g->kernel, *hello = g->hello;
	unsigned int r;
	int ret = 0;

	if (!nl) {
		fprintf(stderr, "boottime: pvnl_open: %s\n", strerror(errno));
		return 1;
	}
	for (r = 0; r < g->reps && !ret; r++) {
		char *argv[CREATE_ARGS];
		int status;

		snprintf(name, sizeof(name), "bench-boot-%u", r);
		create_argv(g, name, argv);
		pvnl_domain_del(nl, 0, name);	/* a leftover of a past run */
		/* The baseline in the same conditions, just before. */
		if (hello && !(base[r] = hello_once(hello))) {
			fprintf(stderr, "boottime: %s did not say hello\n",
				hello);
			ret = 1;
			break;
		}
		t0 = now_ns();
		status = run_quiet(argv);
		ready[r] = now_ns() - t0;
		if (status != 0) {
			fprintf(stderr, "boottime: pvctl create %s failed "
				"(wait status %d)\n", name, status);
			ret = 1;
			break;
		}
		if (!kernel) {
			pvnl_domain_del(nl, 0, name);
			continue;
		}
		ret = wait_console(nl, name, want);
		line[r] = now_ns() - t0;
		if (ret)
			fprintf(stderr, "boottime: no %s on the console of %s: "
				"%s\n", g->until ? "--until string" : "line",
				name, strerror(-ret));
		reap(nl, name);
	}
	if (!ret) {
		snprintf(metric, sizeof(metric), "boot.%s.ready", g->label);
		report(metric, ready, g->reps, "ns");
		if (kernel) {
			snprintf(metric, sizeof(metric), "boot.%s.%s", g->label,
				 g->until ? "until" : "first_line");
			report(metric, line, g->reps, "ns");
		}
		if (hello) {
			snprintf(metric, sizeof(metric), "boot.%s.hello",
				 g->label);
			report(metric, base, g->reps, "ns");
		}
	}
	pvnl_close(nl);
	return ret ? 1 : 0;
}

/* fork, exec, read the line through a pipe, wait: ns, or 0 on failure. */
static uint64_t hello_once(const char *path)
{
	char *argv[] = { (char *)path, NULL };
	uint64_t t0 = now_ns();
	int fds[2], status;
	char buf[256];
	pid_t pid;
	ssize_t n;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return 0;
	pid = fork();
	if (pid < 0)
		return 0;
	if (pid == 0) {
		if (dup2(fds[1], 1) < 0)
			_exit(127);
		execv(path, argv);
		_exit(127);
	}
	close(fds[1]);
	do
		n = read(fds[0], buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 0;
	if (n <= 0 || !memchr(buf, '\n', (size_t)n) || status != 0)
		return 0;
	return now_ns() - t0;
}

static int bench_hello(const char *path)
{
	uint64_t v[BENCH_REPS];
	unsigned int r;

	hello_once(path);	/* page cache and dentries warm, as for pvctl */
	for (r = 0; r < BENCH_REPS; r++) {
		v[r] = hello_once(path);
		if (!v[r]) {
			fprintf(stderr, "boottime: %s did not say hello\n",
				path);
			return 1;
		}
	}
	report("boot.fork_exec_hello", v, BENCH_REPS, "ns");
	return 0;
}

static int bench_cmd(const char *label, char *const argv[])
{
	uint64_t v[BENCH_REPS], t0;
	char metric[96];
	unsigned int r;

	run_quiet(argv);	/* warm, as the others */
	for (r = 0; r < BENCH_REPS; r++) {
		t0 = now_ns();
		if (run_quiet(argv) != 0) {
			fprintf(stderr, "boottime: %s failed\n", argv[0]);
			return 1;
		}
		v[r] = now_ns() - t0;
	}
	snprintf(metric, sizeof(metric), "boot.cmd.%s", label);
	report(metric, v, BENCH_REPS, "ns");
	return 0;
}

/*
 * Reads @fd until @want has come (NULL: until EOF), at most until
 * @deadline. 0, or a negative errno (-ENODATA: EOF before @want).
 */
static int read_until(int fd, const char *want, uint64_t deadline)
{
	struct stream_search ss;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[4096];
	uint64_t now;
	ssize_t n;

	if (want)
		search_init(&ss, want);
	for (;;) {
		now = now_ns();
		if (now >= deadline)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)((deadline - now) / 1000000 + 1)) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return want ? -ENODATA : 0;
		if (want && search_feed(&ss, buf, (size_t)n))
			return 0;
	}
}

/*
 * One `boottime until` run: ns from fork to @want on the command's
 * output, or 0 after saying on stderr what went wrong.
 */
static uint64_t until_once(char *const argv[], const char *want)
{
	uint64_t t0 = now_ns(), t = 0;
	int fds[2], status, ret;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		perror("boottime: pipe2");
		return 0;
	}
	pid = fork();
	if (pid < 0) {
		perror("boottime: fork");
		return 0;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		/* A group of its own: a hung command is killed whole. */
		setpgid(0, 0);
		if (null < 0 || dup2(null, 0) < 0 || dup2(fds[1], 1) < 0 ||
		    dup2(fds[1], 2) < 0)
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	setpgid(pid, pid);	/* either side may run first */
	close(fds[1]);
	ret = read_until(fds[0], want, t0 + LINE_TIMEOUT_NS);
	if (!ret)
		t = now_ns() - t0;
	else
		fprintf(stderr, "boottime: '%s' not seen from %s: %s\n", want,
			argv[0], strerror(-ret));
	/* Let it end by itself, outside the timing; a hung one is killed. */
	if (read_until(fds[0], NULL, now_ns() + SHUTDOWN_TIMEOUT_NS)) {
		fprintf(stderr, "boottime: %s did not end by itself; killed\n",
			argv[0]);
		kill(-pid, SIGKILL);
		t = 0;
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 0;
	if (t && status != 0) {
		fprintf(stderr, "boottime: %s ended with wait status %d\n",
			argv[0], status);
		t = 0;
	}
	return t;
}

static int bench_until(unsigned int reps, const char *label,
		       const char *want, char *const argv[])
{
	uint64_t v[BENCH_REPS];
	char metric[96];
	unsigned int r;

	for (r = 0; r < reps; r++) {
		v[r] = until_once(argv, want);
		if (!v[r])
			return 1;
	}
	snprintf(metric, sizeof(metric), "boot.%s.until", label);
	report(metric, v, reps, "ns");
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: boottime guest [--kernel ELF [--ramdisk FILE] "
		"[--cmdline S]] [--memory SIZE]\n"
		"                      [--pvctl PATH] [--label L] "
		"[--hello PATH] [--until STRING] [--reps N]\n"
		"       boottime hello PATH\n"
		"       boottime cmd LABEL PATH [ARG...]\n"
		"       boottime until [--reps N] LABEL STRING PATH [ARG...]\n");
	return 2;
}

/* Complaints about one argument, then the usage. */
static int bad_reps(const char *arg)
{
	fprintf(stderr, "boottime: --reps wants 1 to %d, not '%s'\n",
		REPS_MAX, arg);
	return usage();
}

static int bad_until(const char *arg)
{
	fprintf(stderr, "boottime: the string to wait for must have 1 to %d "
		"bytes, not '%s'\n", UNTIL_MAX, arg);
	return usage();
}

/* --reps N: 1 to REPS_MAX. */
static int parse_reps(const char *arg, unsigned int *reps)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || *arg == '-' || v < 1 ||
	    v > REPS_MAX)
		return -1;
	*reps = (unsigned int)v;
	return 0;
}

/* STRING of --until and of `until`: 1 to UNTIL_MAX bytes. */
static bool until_ok(const char *want)
{
	size_t len = strlen(want);

	return len >= 1 && len <= UNTIL_MAX;
}

static int main_until(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "reps", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int reps = BENCH_REPS;
	int c;

	optind = 2;
	/* "+": the command's own options are its own. */
	while ((c = getopt_long(argc, argv, "+r:", opts, NULL)) != -1) {
		if (c != 'r')
			return usage();
		if (parse_reps(optarg, &reps))
			return bad_reps(optarg);
	}
	if (argc - optind < 3)
		return usage();
	if (!until_ok(argv[optind + 1]))
		return bad_until(argv[optind + 1]);
	return bench_until(reps, argv[optind], argv[optind + 1],
			   argv + optind + 2);
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "ramdisk", required_argument, NULL, 'R' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "memory", required_argument, NULL, 'm' },
		{ "pvctl", required_argument, NULL, 'p' },
		{ "label", required_argument, NULL, 'l' },
		{ "hello", required_argument, NULL, 'H' },
		{ "until", required_argument, NULL, 'u' },
		{ "reps", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct guest_boot g = {
		.memory = "2M",
		.pvctl = "/bin/pvctl",
		.label = "create",
		.reps = BENCH_REPS,
	};
	int c;

	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "hello"))
		return argc == 3 ? bench_hello(argv[2]) : usage();
	if (!strcmp(argv[1], "cmd"))
		return argc >= 4 ? bench_cmd(argv[2], argv + 3) : usage();
	if (!strcmp(argv[1], "until"))
		return main_until(argc, argv);
	if (strcmp(argv[1], "guest"))
		return usage();
	optind = 2;
	while ((c = getopt_long(argc, argv, "k:R:c:m:p:l:H:u:r:", opts,
				NULL)) != -1) {
		switch (c) {
		case 'k':
			g.kernel = optarg;
			break;
		case 'R':
			g.ramdisk = optarg;
			break;
		case 'c':
			g.cmdline = optarg;
			break;
		case 'm':
			g.memory = optarg;
			break;
		case 'p':
			g.pvctl = optarg;
			break;
		case 'l':
			g.label = optarg;
			break;
		case 'H':
			g.hello = optarg;
			break;
		case 'u':
			if (!until_ok(optarg))
				return bad_until(optarg);
			g.until = optarg;
			break;
		case 'r':
			if (parse_reps(optarg, &g.reps))
				return bad_reps(optarg);
			break;
		default:
			return usage();
		}
	}
	if (optind != argc)
		return usage();
	if (!g.kernel && (g.ramdisk || g.cmdline || g.until)) {
		fprintf(stderr, "boottime: --ramdisk, --cmdline and --until "
			"need --kernel\n");
		return usage();
	}
	return bench_guest(&g);
}
