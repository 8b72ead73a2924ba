// SPDX-License-Identifier: GPL-2.0
/*
 * pvctl top: a xentop for pvisor. Every --delay seconds it dumps the
 * domains (one DOMAIN_GET dump: their CPU time and the module's
 * counters, Documentation/control-plane.rst) and shows, per domain, the
 * rates since the previous dump: CPU % (of one host CPU, so a domain
 * with N busy vCPUs may show up to N x 100), hypercalls, events sent,
 * events delivered and window faults per second.
 *
 * Every line shown is a difference of two samples, so the first one
 * waits a --delay too. A domain is matched with its previous sample by
 * id and name; one new since (or whose id was reused) shows its counts
 * since creation divided by the interval, as xentop does.
 *
 * In a terminal it redraws in place until q or an interrupt; --batch
 * prints plain lines instead, --json one JSON object per sample, both
 * for --iterations samples (default: without end).
 */

#include <errno.h>
#include <inttypes.h>
#include <math.h>
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
#include "domain_dump.h"
#include "format.h"
#include "parse.h"
#include "pvctl.h"
#include "session.h"

static const struct option longopts[] = {
	{ "batch", no_argument, NULL, 'b' },
	{ "json", no_argument, NULL, 'j' },
	{ "iterations", required_argument, NULL, 'n' },
	{ "delay", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct cli cli = {
	.name = "top",
	.shortopts = "bjn:d:h",
	.longopts = longopts,
	.usage =
	"Usage: pvctl top [--batch | --json] [--iterations N] [--delay SECONDS]\n"
	"\n"
	"Show every domain's use of the host, refreshed every --delay seconds:\n"
	"ID NAME STATE CPU(%) VCPUS MEMORY HCALL/S EVSENT/S EVDELIV/S FAULT/S.\n"
	"CPU(%) is of one host CPU; the rates are per second since the last\n"
	"refresh. In a terminal q quits.\n"
	"\n"
	"  -b, --batch           plain lines, no redrawing; one table per\n"
	"                        sample, after a line \"pvctl top: sample N\"\n"
	"  -j, --json            one JSON object per sample and line, with the\n"
	"                        keys sample, interval_s and domains (an array\n"
	"                        of objects with the keys id, name, state,\n"
	"                        vcpus, memory_bytes, cpu_percent,\n"
	"                        hypercalls_per_s, events_sent_per_s,\n"
	"                        events_delivered_per_s, faults_per_s and the\n"
	"                        totals cpu_time_ns, hypercalls, events_sent,\n"
	"                        events_delivered, faults)\n"
	"  -n, --iterations N    stop after N samples (default: never)\n"
	"  -d, --delay SECONDS   between samples, 0.1 to 3600 (default 1)\n"
	"  -h, --help            show this help\n",
};

enum mode { MODE_TERMINAL, MODE_BATCH, MODE_JSON };

/* One domain's rates over an interval. */
struct rates {
	double cpu_percent, hypercalls, events_sent, events_delivered, faults;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const struct pvnl_domain *previous(const struct domains *old,
					  const struct pvnl_domain *dom)
{
	size_t i;

	for (i = 0; i < old->n; i++)
		if (old->v[i].id == dom->id && !strcmp(old->v[i].name, dom->name))
			return &old->v[i];
	return NULL;
}

/* Counters never go back; a reused id's are new, and start from 0. */
static double per_s(uint64_t now, uint64_t then, double dt)
{
	return (double)(now >= then ? now - then : now) / dt;
}

static struct rates rates_of(const struct pvnl_domain *d,
			     const struct pvnl_domain *p, double dt)
{
	static const struct pvnl_domain zero;
	struct rates r;

	if (!p)
		p = &zero;
	r.cpu_percent = per_s(d->cpu_time_ns, p->cpu_time_ns, dt) / 1e7;
	r.hypercalls = per_s(d->hypercalls, p->hypercalls, dt);
	r.events_sent = per_s(d->events_sent, p->events_sent, dt);
	r.events_delivered = per_s(d->events_delivered, p->events_delivered, dt);
	r.faults = per_s(d->faults, p->faults, dt);
	return r;
}

static void print_table(const struct domains *cur, const struct domains *old,
			double dt)
{
	char size[SIZE_BUF_LEN], state[STATE_BUF_LEN];
	size_t i;

	printf("%5s  %-16s  %-18s  %7s  %5s  %9s  %9s  %9s  %9s  %9s\n", "ID",
	       "NAME", "STATE", "CPU(%)", "VCPUS", "MEMORY", "HCALL/S",
	       "EVSENT/S", "EVDELIV/S", "FAULT/S");
	for (i = 0; i < cur->n; i++) {
		const struct pvnl_domain *d = &cur->v[i];
		struct rates r = rates_of(d, previous(old, d), dt);

		printf("%5" PRIu32 "  %-16s  %-18s  %7.1f  %5" PRIu32 "  %9s  "
		       "%9.0f  %9.0f  %9.0f  %9.0f\n", d->id, d->name,
		       format_state(d, state), r.cpu_percent, d->vcpus,
		       format_size(d->memory, size), r.hypercalls,
		       r.events_sent, r.events_delivered, r.faults);
	}
}

/* JSON has no NaN or infinity: rates are finite, but say so. */
static double json_number(double v)
{
	return isfinite(v) ? v : 0.0;
}

static void print_json(unsigned long sample, const struct domains *cur,
		       const struct domains *old, double dt)
{
	size_t i;

	printf("{\"sample\": %lu, \"interval_s\": %.3f, \"domains\": [", sample,
	       dt);
	for (i = 0; i < cur->n; i++) {
		const struct pvnl_domain *d = &cur->v[i];
		struct rates r = rates_of(d, previous(old, d), dt);

		printf("%s{\"id\": %" PRIu32 ", \"name\": ", i ? ", " : "", d->id);
		json_string(stdout, d->name);
		fputs(", \"state\": ", stdout);
		json_string(stdout, pvnl_state_name(d->state));
		printf(", \"vcpus\": %" PRIu32 ", \"memory_bytes\": %" PRIu64
		       ", \"cpu_percent\": %.2f, \"hypercalls_per_s\": %.1f"
		       ", \"events_sent_per_s\": %.1f"
		       ", \"events_delivered_per_s\": %.1f"
		       ", \"faults_per_s\": %.1f, \"cpu_time_ns\": %" PRIu64
		       ", \"hypercalls\": %" PRIu64 ", \"events_sent\": %" PRIu64
		       ", \"events_delivered\": %" PRIu64 ", \"faults\": %" PRIu64
		       "}", d->vcpus, d->memory, json_number(r.cpu_percent),
		       json_number(r.hypercalls), json_number(r.events_sent),
		       json_number(r.events_delivered), json_number(r.faults),
		       d->cpu_time_ns, d->hypercalls, d->events_sent,
		       d->events_delivered, d->faults);
	}
	fputs("]}\n", stdout);
}

/*
 * Sleep @delay seconds; in a terminal, return early (true) on q. The
 * terminal is in non-canonical mode then, so a key needs no Enter.
 */
static bool wait_or_quit(double delay, bool terminal)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	double end = now_s() + delay, left;
	char c;

	while (!stop && (left = end - now_s()) > 0) {
		if (!terminal) {
			struct timespec ts = {
				.tv_sec = (time_t)left,
				.tv_nsec = (long)((left - (double)(time_t)left) * 1e9),
			};

			nanosleep(&ts, NULL);
			continue;
		}
		if (poll(&p, 1, (int)(left * 1000) + 1) > 0 &&
		    read(STDIN_FILENO, &c, 1) == 1 && (c == 'q' || c == 'Q'))
			return true;
	}
	return false;
}

static int parse_delay(const char *s, double *delay)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0.1 && v <= 3600))
		return -EINVAL;
	*delay = v;
	return 0;
}

static int parse_options(int argc, char *argv[], enum mode *mode,
			 uint32_t *iterations, double *delay)
{
	int opt;

	while ((opt = cli_next(&cli, argc, argv)) != -1) {
		switch (opt) {
		case 'b':
			*mode = MODE_BATCH;
			break;
		case 'j':
			*mode = MODE_JSON;
			break;
		case 'n':
			if (parse_u32(optarg, iterations) || !*iterations)
				return cli_usage_error(&cli, "bad --iterations "
						       "'%s': a count from 1",
						       optarg);
			break;
		case 'd':
			if (parse_delay(optarg, delay))
				return cli_usage_error(&cli, "bad --delay '%s': "
						       "0.1 to 3600 seconds",
						       optarg);
			break;
		case 'h':
			return cli_help(&cli);
		default:
			return PVCTL_EXIT_USAGE;
		}
	}
	return cli_no_operands(&cli, argc, argv) ? PVCTL_EXIT_USAGE : -1;
}

int top_main(int argc, char *argv[])
{
	struct domains old = { NULL, 0, 0 }, cur = { NULL, 0, 0 }, swap;
	enum mode mode = MODE_TERMINAL;
	uint32_t iterations = 0;
	unsigned long sample = 0;
	struct termios saved, raw;
	bool terminal = false;
	double delay = 1.0, t_old, t_cur;
	int ret, interrupted;
	struct pvnl *nl;

	ret = parse_options(argc, argv, &mode, &iterations, &delay);
	if (ret >= 0)
		return ret;
	if (mode == MODE_TERMINAL && !isatty(STDOUT_FILENO))
		mode = MODE_BATCH;	/* a pipe gets lines, not escapes */

	ret = session_open(cli.name, &nl);
	if (ret)
		return ret;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (mode == MODE_TERMINAL && isatty(STDIN_FILENO) &&
	    !tcgetattr(STDIN_FILENO, &saved)) {
		raw = saved;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		terminal = !tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}

	ret = domains_read(nl, &old, &interrupted);
	t_old = now_s();
	while (!ret && !stop && (!iterations || sample < iterations)) {
		if (wait_or_quit(delay, terminal) || stop)
			break;
		ret = domains_read(nl, &cur, &interrupted);
		t_cur = now_s();
		if (ret)
			break;
		sample++;
		if (mode == MODE_JSON) {
			print_json(sample, &cur, &old, t_cur - t_old);
		} else {
			if (mode == MODE_TERMINAL)
				fputs("\033[H\033[2J", stdout);
			else
				printf("pvctl top: sample %lu\n", sample);
			print_table(&cur, &old, t_cur - t_old);
		}
		fflush(stdout);
		swap = old;
		old = cur;
		cur = swap;
		t_old = t_cur;
	}
	if (terminal)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	if (ret)
		ret = session_fail(nl, cli.name, NULL, ret, NULL);
	free(old.v);
	free(cur.v);
	pvnl_close(nl);
	return ret;
}
