// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark (4), both sides, wall time in nanoseconds (CLOCK_MONOTONIC).
 *
 *   boottime guest [--kernel ELF] [--memory SIZE] [--pvctl PATH] [--label L]
 *                  [--hello PATH]
 *
 *     From just before fork+exec of `pvctl create --name ... --memory SIZE
 *     --kernel ELF` until the domain's console holds its first complete
 *     line, read through libpvnl (CONSOLE_READ, polled without sleeping).
 *     Also reports when pvctl returned (the runner said "ready"). Each
 *     domain is destroyed once it has shut down, outside the timing.
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
 * Lines: @@bench boot.L.ready, boot.L.first_line, boot.L.hello,
 * boot.fork_exec_hello,
 * boot.cmd.LABEL (common/bench.h's format).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "pvnl.h"
#include "report.h"

/* A guest that has not spoken after this long is not going to. */
#define LINE_TIMEOUT_NS		(60ULL * 1000000000ULL)
#define SHUTDOWN_TIMEOUT_NS	(60ULL * 1000000000ULL)

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

/* Poll the console until it holds a newline. 0, or a negative errno. */
static int wait_first_line(struct pvnl *nl, const char *name)
{
	uint64_t deadline = now_ns() + LINE_TIMEOUT_NS, offset = 0;
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = pvnl_console_read(nl, 0, name, offset, buf, sizeof(buf),
				      &offset, NULL);
		if (n < 0)
			return (int)n;
		if (n > 0 && memchr(buf, '\n', (size_t)n))
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

static int bench_guest(const char *pvctl, const char *kernel,
		       const char *memory, const char *label, const char *hello)
{
	uint64_t ready[BENCH_REPS], line[BENCH_REPS], base[BENCH_REPS], t0;
	char name[PVISOR_NAME_MAX], metric[96];
	struct pvnl *nl = pvnl_open();
	unsigned int r;
	int ret = 0;

	if (!nl) {
		fprintf(stderr, "boottime: pvnl_open: %s\n", strerror(errno));
		return 1;
	}
	for (r = 0; r < BENCH_REPS && !ret; r++) {
		char *argv[] = { (char *)pvctl, "create", "--name", name,
				 "--memory", (char *)memory,
				 kernel ? "--kernel" : NULL, (char *)kernel,
				 NULL };
		int status;

		snprintf(name, sizeof(name), "bench-boot-%u", r);
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
		ret = wait_first_line(nl, name);
		line[r] = now_ns() - t0;
		if (ret)
			fprintf(stderr, "boottime: no console line from %s: "
				"%s\n", name, strerror(-ret));
		reap(nl, name);
	}
	if (!ret) {
		snprintf(metric, sizeof(metric), "boot.%s.ready", label);
		report(metric, ready, BENCH_REPS, "ns");
		if (kernel) {
			snprintf(metric, sizeof(metric), "boot.%s.first_line",
				 label);
			report(metric, line, BENCH_REPS, "ns");
		}
		if (hello) {
			snprintf(metric, sizeof(metric), "boot.%s.hello", label);
			report(metric, base, BENCH_REPS, "ns");
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

static int usage(void)
{
	fprintf(stderr,
		"usage: boottime guest [--kernel ELF] [--memory SIZE] "
		"[--pvctl PATH] [--label L] [--hello PATH]\n"
		"       boottime hello PATH\n"
		"       boottime cmd LABEL PATH [ARG...]\n");
	return 2;
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "memory", required_argument, NULL, 'm' },
		{ "pvctl", required_argument, NULL, 'p' },
		{ "label", required_argument, NULL, 'l' },
		{ "hello", required_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kernel = NULL, *memory = "2M", *pvctl = "/bin/pvctl";
	const char *label = "create", *hello = NULL;
	int c;

	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "hello"))
		return argc == 3 ? bench_hello(argv[2]) : usage();
	if (!strcmp(argv[1], "cmd"))
		return argc >= 4 ? bench_cmd(argv[2], argv + 3) : usage();
	if (strcmp(argv[1], "guest"))
		return usage();
	optind = 2;
	while ((c = getopt_long(argc, argv, "k:m:p:l:H:", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			kernel = optarg;
			break;
		case 'm':
			memory = optarg;
			break;
		case 'p':
			pvctl = optarg;
			break;
		case 'l':
			label = optarg;
			break;
		case 'H':
			hello = optarg;
			break;
		default:
			return usage();
		}
	}
	if (optind != argc)
		return usage();
	return bench_guest(pvctl, kernel, memory, label, hello);
}
