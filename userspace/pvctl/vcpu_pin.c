// SPDX-License-Identifier: GPL-2.0
/*
 * pvctl vcpu-pin: restrict one vCPU of a domain to some host CPUs, as
 * xl vcpu-pin does. A vCPU is a thread of the domain's runner, named
 * "pvrun-vcpu<n>" (runner/vcpu.h); it is looked for among the processes
 * of the domain's cgroup (domcgroup.c), and sched_setaffinity() is
 * called on it. The pinning lasts for the runner's life.
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cli.h"
#include "domcgroup.h"
#include "one_domain.h"
#include "parse.h"
#include "pvctl.h"
#include "session.h"

/* runner/vcpu.h's VCPU_THREAD_NAME: the runner and pvctl must agree. */
#define VCPU_THREAD_NAME	"pvrun-vcpu"

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct cli cli = {
	.name = "vcpu-pin",
	.shortopts = "+h",
	.longopts = longopts,
	.usage =
	"Usage: pvctl vcpu-pin NAME|ID VCPU CPUS\n"
	"\n"
	"Run vCPU number VCPU of the domain only on the host CPUs CPUS: a\n"
	"list of CPU numbers and ranges (0,2-3), or \"all\".\n"
	"\n"
	"  -h, --help   show this help\n",
};

static const struct errtext errors[] = {
	{ ENOENT, "no such domain" },
	{ ERANGE, "domain id out of range" },
	{ 0, NULL },
};

/* "all" or "0,2-3" into @set. 0 or -EINVAL. */
static int parse_cpus(const char *s, cpu_set_t *set)
{
	unsigned long first, last;
	char *end;

	CPU_ZERO(set);
	if (!strcmp(s, "all")) {
		for (first = 0; first < CPU_SETSIZE; first++)
			CPU_SET(first, set);
		return 0;
	}
	do {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		first = last = strtoul(s, &end, 10);
		if (*end == '-') {
			s = end + 1;
			if (*s < '0' || *s > '9')
				return -EINVAL;
			last = strtoul(s, &end, 10);
		}
		if (first > last || last >= CPU_SETSIZE)
			return -EINVAL;
		for (; first <= last; first++)
			CPU_SET(first, set);
		s = end;
	} while (*s++ == ',');
	return s[-1] ? -EINVAL : 0;
}

/* The thread of process @pid named VCPU_THREAD_NAME@vcpu, or 0. */
static pid_t vcpu_in(const char *pid, uint32_t vcpu)
{
	char path[PATH_MAX], want[32], comm[32];
	struct dirent *e;
	pid_t tid = 0;
	FILE *f;
	DIR *d;

	snprintf(want, sizeof(want), VCPU_THREAD_NAME "%" PRIu32 "\n", vcpu);
	snprintf(path, sizeof(path), "/proc/%s/task", pid);
	d = opendir(path);
	if (!d)
		return 0;
	while (!tid && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task/%s/comm", pid,
			 e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strcmp(comm, want))
			tid = (pid_t)atoi(e->d_name);
		fclose(f);
	}
	closedir(d);
	return tid;
}

/* vCPU @vcpu's thread among the processes of domain @domid's cgroup. */
static pid_t vcpu_thread(uint32_t domid, uint32_t vcpu)
{
	char path[160], line[32];
	pid_t tid = 0;
	FILE *f;

	domcg_path(domid, path, sizeof(path));
	strcat(path, "/cgroup.procs");
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (!tid && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		tid = vcpu_in(line, vcpu);
	}
	fclose(f);
	return tid;
}

int vcpu_pin_main(int argc, char *argv[])
{
	struct pvnl_domain d;
	uint32_t vcpu;
	cpu_set_t cpus;
	pid_t tid;
	int c, ret;

	while ((c = cli_next(&cli, argc, argv)) != -1)
		return c == 'h' ? cli_help(&cli) : PVCTL_EXIT_USAGE;
	if (argc - optind != 3)
		return cli_usage_error(&cli, "NAME|ID VCPU CPUS expected");
	if (parse_u32(argv[optind + 1], &vcpu) ||
	    vcpu >= PVISOR_MAX_VCPUS)
		return cli_usage_error(&cli, "invalid vCPU '%s' (0-%d)",
				       argv[optind + 1], PVISOR_MAX_VCPUS - 1);
	if (parse_cpus(argv[optind + 2], &cpus))
		return cli_usage_error(&cli, "invalid CPU list '%s'",
				       argv[optind + 2]);
	argc -= 2;	/* one_domain_lookup() wants the designator last */
	ret = one_domain_lookup(&cli, argc, argv, errors, &d);
	if (ret)
		return ret;
	if (vcpu >= d.vcpus) {
		fprintf(stderr, "%s: %s: %s: no vCPU %" PRIu32 " (it has %"
			PRIu32 ")\n", PROG_NAME, cli.name, d.name, vcpu,
			d.vcpus);
		return PVCTL_EXIT_FAILED;
	}
	tid = vcpu_thread(d.id, vcpu);
	if (!tid) {
		fprintf(stderr, "%s: %s: %s: vCPU %" PRIu32 " has no thread "
			"(the domain has no runner)\n", PROG_NAME, cli.name,
			d.name, vcpu);
		return PVCTL_EXIT_FAILED;
	}
	if (sched_setaffinity(tid, sizeof(cpus), &cpus) < 0) {
		fprintf(stderr, "%s: %s: %s: vCPU %" PRIu32 ": %s\n",
			PROG_NAME, cli.name, d.name, vcpu, errno == EINVAL ?
			"none of those CPUs is online" : strerror(errno));
		return PVCTL_EXIT_FAILED;
	}
	return PVCTL_EXIT_OK;
}
