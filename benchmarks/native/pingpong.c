// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark (5), both sides: a round trip between two domains over an
 * interdomain event channel, against a round trip between two host
 * processes over a pair of pipes. TSC ticks per round trip
 * (common/bench.h); the same rounds, warm-up and repetitions on both
 * sides.
 *
 *   pingpong pipe [--rounds R]
 *
 *     pipe.rtt   two processes pass one byte back and forth through two
 *                pipes: write, then a read that sleeps until the answer
 *     sig.rtt    the same with SIGUSR1 and sigsuspend(), no data: a host
 *                signal round trip, for the breakdown (the module kicks
 *                a vCPU with a SIGUSR1)
 *     sig.self   a SIGUSR1 a process sends itself, to a handler on a
 *                signal stack: delivery, handler and sigreturn without a
 *                context switch, what each event upcall pays on top of
 *                its hypercalls
 *
 *   pingpong guest --kernel ELF [--runner PATH] [--rounds R]
 *
 *     Creates two domains of PINGPONG_MEMORY through libpvnl, connects
 *     them with one interdomain channel (pvnl_evtchn_bind), starts a
 *     runner for each with the command line "role=pong port=N rounds=R"
 *     and "role=ping ...", waits for both to power off and prints the
 *     "@@bench" lines the ping guest left on its console
 *     (benchmarks/guest/pingpong.c: evtchn.rtt, evtchn.send,
 *     evtchn.self_upcall). The domains are destroyed afterwards.
 *
 * Nothing here polls while the guests run: this process sleeps in
 * waitpid(), so that under `taskset` it does not compete with them. The
 * runners inherit its CPU affinity.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "pvnl.h"
#include "report.h"

#define PINGPONG_MEMORY		(2ULL << 20)
#define PING_NAME		"bench-ping"
#define PONG_NAME		"bench-pong"
/* Seconds the guests get; TCG is slow, a lost event is forever. */
#define GUEST_TIMEOUT		600
#define PONG_GRACE		30
#define CONSOLE_MAX		(64 * 1024)

static uint64_t total_rounds(unsigned int rounds)
{
	return BENCH_RTT_WARMUP + (uint64_t)BENCH_REPS * rounds;
}

/* Write and read exactly one byte, through EINTR. */
static int put_byte(int fd)
{
	char c = 'p';
	ssize_t n;

	do
		n = write(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	return n == 1 ? 0 : -1;
}

static int get_byte(int fd)
{
	char c;
	ssize_t n;

	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	return n == 1 ? 0 : -1;
}

static int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int bench_pipe(unsigned int rounds)
{
	uint64_t v[BENCH_REPS], t0, i;
	int to_pong[2], to_ping[2];
	unsigned int r;
	pid_t pid;

	if (pipe2(to_pong, O_CLOEXEC) < 0 || pipe2(to_ping, O_CLOEXEC) < 0) {
		perror("pingpong: pipe");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("pingpong: fork");
		return 1;
	}
	if (pid == 0) {
		for (i = 0; i < total_rounds(rounds); i++)
			if (get_byte(to_pong[0]) || put_byte(to_ping[1]))
				_exit(1);
		_exit(0);
	}
	for (i = 0; i < BENCH_RTT_WARMUP; i++)
		if (put_byte(to_pong[1]) || get_byte(to_ping[0]))
			goto broken;
	for (r = 0; r < BENCH_REPS; r++) {
		t0 = bench_rdtsc();
		for (i = 0; i < rounds; i++)
			if (put_byte(to_pong[1]) || get_byte(to_ping[0]))
				goto broken;
		v[r] = (bench_rdtsc() - t0) / rounds;
	}
	if (wait_child(pid)) {
		fprintf(stderr, "pingpong: the pipe's pong side failed\n");
		return 1;
	}
	report("pipe.rtt", v, BENCH_REPS, "ticks");
	return 0;
broken:
	fprintf(stderr, "pingpong: pipe round trip failed: %s\n",
		strerror(errno));
	kill(pid, SIGKILL);
	wait_child(pid);
	return 1;
}

static volatile sig_atomic_t signalled;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	signalled = 1;
}

/* Sleep in sigsuspend() until the handler has run once. */
static void await_signal(const sigset_t *open)
{
	while (!signalled)
		sigsuspend(open);
	signalled = 0;
}

/*
 * SIGUSR1 is blocked except inside sigsuspend(), so that a signal that
 * arrives before the wait is kept for it: the host's version of "mask,
 * check, block".
 */
static int bench_signal(unsigned int rounds)
{
	struct sigaction sa = { .sa_sigaction = on_usr1,
				.sa_flags = SA_SIGINFO };
	uint64_t v[BENCH_REPS], t0, i;
	sigset_t usr1, open;
	pid_t pid, parent = getpid();
	unsigned int r;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigfillset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) < 0 ||
	    sigprocmask(SIG_BLOCK, &usr1, &open) < 0) {
		perror("pingpong: signals");
		return 1;
	}
	sigdelset(&open, SIGUSR1);
	pid = fork();
	if (pid < 0) {
		perror("pingpong: fork");
		return 1;
	}
	if (pid == 0) {
		for (i = 0; i < total_rounds(rounds); i++) {
			await_signal(&open);
			kill(parent, SIGUSR1);
		}
		_exit(0);
	}
	for (i = 0; i < BENCH_RTT_WARMUP; i++) {
		kill(pid, SIGUSR1);
		await_signal(&open);
	}
	for (r = 0; r < BENCH_REPS; r++) {
		t0 = bench_rdtsc();
		for (i = 0; i < rounds; i++) {
			kill(pid, SIGUSR1);
			await_signal(&open);
		}
		v[r] = (bench_rdtsc() - t0) / rounds;
	}
	if (wait_child(pid)) {
		fprintf(stderr, "pingpong: the signal's pong side failed\n");
		return 1;
	}
	report("sig.rtt", v, BENCH_REPS, "ticks");
	return 0;
}

/* After bench_signal(): SIGUSR1 is blocked, the handler installed. */
static int bench_signal_self(void)
{
	static char stack[64 * 1024];
	stack_t ss = { .ss_sp = stack, .ss_size = sizeof(stack) };
	struct sigaction sa = { .sa_sigaction = on_usr1,
				.sa_flags = SA_SIGINFO | SA_ONSTACK };
	uint64_t v[BENCH_REPS], t0;
	unsigned int r, i;
	sigset_t usr1;
	pid_t self = getpid();

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigfillset(&sa.sa_mask);
	if (sigaltstack(&ss, NULL) < 0 || sigaction(SIGUSR1, &sa, NULL) < 0 ||
	    sigprocmask(SIG_UNBLOCK, &usr1, NULL) < 0) {
		perror("pingpong: signals");
		return 1;
	}
	for (i = 0; i < 100; i++)
		kill(self, SIGUSR1);
	for (r = 0; r < BENCH_REPS; r++) {
		t0 = bench_rdtsc();
		for (i = 0; i < BENCH_SELF_EVENTS; i++)
			kill(self, SIGUSR1);
		v[r] = (bench_rdtsc() - t0) / BENCH_SELF_EVENTS;
	}
	report("sig.self", v, BENCH_REPS, "ticks");
	return 0;
}

/*
 * Start a runner for @dom, as pvctl does but as our child: stdin and
 * stdout on /dev/null, stderr a pipe to us, "--ready-fd 2". Returns its
 * pid once it said "ready", or -1 after printing why not.
 */
static pid_t start_runner(const char *runner, const char *kernel,
			  uint32_t dom, const char *cmdline)
{
	char out[4096], domid[16];
	size_t len = 0;
	int fds[2];
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		perror("pingpong: pipe");
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		perror("pingpong: fork");
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
		    dup2(fds[1], 2) < 0)
			_exit(127);
		snprintf(domid, sizeof(domid), "%" PRIu32, dom);
		execl(runner, runner, "--domain", domid, "--kernel", kernel,
		      "--cmdline", cmdline, "--ready-fd", "2", (char *)NULL);
		fprintf(stderr, "cannot run %s: %s\n", runner, strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		n = read(fds[0], out + len, sizeof(out) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof(out) - 1)
			break;
	}
	close(fds[0]);
	out[len] = '\0';
	if (len >= 6 && !strcmp(out + len - 6, "ready\n"))
		return pid;
	fprintf(stderr, "pingpong: %s for domain %" PRIu32 " did not start: "
		"%s", runner, dom, len ? out : "no word\n");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* Wait for @pid until the alarm goes off; 0 if it ended. */
static int reap_runner(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) == pid)
		return 0;
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

/*
 * Print @dom's "@@bench" lines on stdout and its "@@bench-error" lines
 * on stderr. Returns 0 if it got as far as "@@bench-done".
 */
static int relay_console(struct pvnl *nl, uint32_t dom, const char *who)
{
	static char buf[CONSOLE_MAX + 1];
	uint64_t offset = 0;
	size_t len = 0;
	ssize_t n;
	int done = 0;
	char *line, *end;

	while (len < CONSOLE_MAX) {
		n = pvnl_console_read(nl, dom, NULL, offset, buf + len,
				      CONSOLE_MAX - len, &offset, NULL);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	for (line = buf; *line; line = end + 1) {
		end = strchr(line, '\n');
		if (!end)
			break;
		*end = '\0';
		if (!strncmp(line, "@@bench ", 8))
			printf("%s\n", line);
		else if (!strncmp(line, "@@bench-error", 13))
			fprintf(stderr, "pingpong: %s: %s\n", who, line);
		else if (!strcmp(line, "@@bench-done"))
			done = 1;
	}
	fflush(stdout);
	if (!done)
		fprintf(stderr, "pingpong: the %s guest did not finish\n", who);
	return done ? 0 : -1;
}

/* Why a domain that did not finish stopped, on stderr. */
static void explain(struct pvnl *nl, uint32_t dom, const char *who)
{
	struct pvnl_domain d;

	if (pvnl_domain_get(nl, dom, NULL, &d))
		return;
	fprintf(stderr, "pingpong: %s domain: %s%s%s\n", who,
		pvnl_state_name(d.state), d.crash_reason[0] ? ", " : "",
		d.crash_reason);
}

static int bench_guest(const char *runner, const char *kernel,
		       unsigned int rounds)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct pvnl_domain ping, pong;
	char cmdline[128];
	uint32_t ping_port, pong_port;
	pid_t ping_pid = -1, pong_pid = -1;
	struct pvnl *nl = pvnl_open();
	int ret = 1, late;

	if (!nl) {
		fprintf(stderr, "pingpong: pvnl_open: %s\n", strerror(errno));
		return 1;
	}
	/* Leftovers of an earlier run that did not clean up. */
	pvnl_domain_del(nl, 0, PING_NAME);
	pvnl_domain_del(nl, 0, PONG_NAME);
	if (pvnl_domain_new(nl, PING_NAME, PINGPONG_MEMORY, 1, &ping)) {
		fprintf(stderr, "pingpong: cannot create %s: %s\n", PING_NAME,
			pvnl_error_msg(nl));
		goto out_close;
	}
	if (pvnl_domain_new(nl, PONG_NAME, PINGPONG_MEMORY, 1, &pong)) {
		fprintf(stderr, "pingpong: cannot create %s: %s\n", PONG_NAME,
			pvnl_error_msg(nl));
		goto out_del_ping;
	}
	if (pvnl_evtchn_bind(nl, ping.id, pong.id, &ping_port, &pong_port)) {
		fprintf(stderr, "pingpong: cannot connect the domains: %s\n",
			pvnl_error_msg(nl));
		goto out_del_pong;
	}

	snprintf(cmdline, sizeof(cmdline), "role=pong port=%" PRIu32
		 " rounds=%u", pong_port, rounds);
	pong_pid = start_runner(runner, kernel, pong.id, cmdline);
	if (pong_pid < 0)
		goto out_del_pong;
	snprintf(cmdline, sizeof(cmdline), "role=ping port=%" PRIu32
		 " rounds=%u", ping_port, rounds);
	ping_pid = start_runner(runner, kernel, ping.id, cmdline);
	if (ping_pid < 0) {
		kill(pong_pid, SIGKILL);
		waitpid(pong_pid, NULL, 0);
		goto out_del_pong;
	}

	/* No SA_RESTART: the alarm ends a waitpid() that waited too long. */
	sigaction(SIGALRM, &sa, NULL);
	alarm(GUEST_TIMEOUT);
	late = reap_runner(ping_pid);
	if (late)
		fprintf(stderr, "pingpong: the ping guest was still running "
			"after %d s\n", GUEST_TIMEOUT);
	/* The pong side ends with the last answer; without a ping, never. */
	alarm(late ? 1 : PONG_GRACE);
	if (reap_runner(pong_pid))
		fprintf(stderr, "pingpong: the pong guest was still running "
			"after the ping guest had stopped\n");
	alarm(0);

	ret = 0;
	if (relay_console(nl, ping.id, "ping")) {
		explain(nl, ping.id, "ping");
		ret = 1;
	}
	if (relay_console(nl, pong.id, "pong")) {
		explain(nl, pong.id, "pong");
		ret = 1;
	}
out_del_pong:
	pvnl_domain_del(nl, pong.id, NULL);
out_del_ping:
	pvnl_domain_del(nl, ping.id, NULL);
out_close:
	pvnl_close(nl);
	return ret;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: pingpong pipe [--rounds R]\n"
		"       pingpong guest --kernel ELF [--runner PATH] "
		"[--rounds R]\n");
	return 2;
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "runner", required_argument, NULL, 'r' },
		{ "rounds", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kernel = NULL, *runner = "/bin/pvrun";
	unsigned long rounds = BENCH_RTT_ROUNDS;
	char *end;
	int c;

	if (argc < 2)
		return usage();
	optind = 2;
	while ((c = getopt_long(argc, argv, "k:r:n:", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			kernel = optarg;
			break;
		case 'r':
			runner = optarg;
			break;
		case 'n':
			errno = 0;
			rounds = strtoul(optarg, &end, 10);
			if (errno || *end || !rounds || rounds > 1000000)
				return usage();
			break;
		default:
			return usage();
		}
	}
	if (optind != argc)
		return usage();
	if (!strcmp(argv[1], "pipe") && !kernel)
		return bench_pipe(rounds) | bench_signal(rounds) |
		       bench_signal_self();
	if (!strcmp(argv[1], "guest") && kernel)
		return bench_guest(runner, kernel, rounds);
	return usage();
}
