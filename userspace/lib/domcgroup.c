// SPDX-License-Identifier: GPL-2.0
/*
 * A cgroup v2 per domain (domcgroup.h).
 *
 * pvrun makes its domain's cgroup once the domain is built, and moves
 * itself and its context factory into it before it attaches: what the
 * build allocated (the kernel and ramdisk files' buffers) stays charged
 * where it was and is freed anyway; what the runner does from then on,
 * the shadow page tables of its window included, is charged to the
 * domain, and every thread and process it or the factory starts is
 * born inside. The slice holds nothing but domains, so weights compare
 * domains with each other; the slice as a whole competes with the rest
 * of the host at its own weight (100, unless the administrator says
 * otherwise).
 *
 * Xen's credit weight (1..65535, 256 by default) becomes cpu.weight by
 * weight * 100 / 256, rounded and clamped to cgroup v2's 1..10000: 256 is
 * 100, 512 is 200, 1 is 1, and weights above 25600 are all 10000. A cap
 * (percent of one CPU, 0 for none) becomes cpu.max "cap * 1000 100000".
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "domcgroup.h"

#define CONTROLLERS	"+cpu +memory +pids"

uint32_t domcg_cpu_weight(uint32_t xen_weight)
{
	uint64_t w = ((uint64_t)xen_weight * 100 + 128) / 256;

	return w < 1 ? 1 : w > 10000 ? 10000 : (uint32_t)w;
}

uint32_t domcg_xen_weight(uint32_t cpu_weight)
{
	return (uint32_t)(((uint64_t)cpu_weight * 256 + 50) / 100);
}

void domcg_path(uint32_t domid, char *buf, size_t size)
{
	snprintf(buf, size, DOMCG_SLICE "/dom-%" PRIu32, domid);
}

/* Write @value to @dir/@file. 0 or -errno. */
static int put(const char *dir, const char *file, const char *value)
{
	char path[256];
	ssize_t n;
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != strlen(value))
		ret = -EIO;
	close(fd);
	return ret;
}

static int get(const char *dir, const char *file, char *buf, size_t size)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

#define FAIL(ret, ...) \
	do { snprintf(why, why_len, __VA_ARGS__); return (ret); } while (0)

static int make_slice(char *why, size_t why_len)
{
	struct statfs fs;
	int ret;

	if (statfs(DOMCG_ROOT, &fs) < 0 || fs.f_type != CGROUP2_SUPER_MAGIC)
		FAIL(-ENOTSUP, "no cgroup v2 hierarchy mounted at " DOMCG_ROOT);
	/* Enabled already on most hosts (systemd); the slice needs them. */
	ret = put(DOMCG_ROOT, "cgroup.subtree_control", CONTROLLERS);
	if (ret)
		FAIL(ret, "cannot enable the cpu, memory and pids controllers "
		     "in " DOMCG_ROOT ": %s", strerror(-ret));
	if (mkdir(DOMCG_SLICE, 0755) < 0 && errno != EEXIST)
		FAIL(-errno, "cannot make " DOMCG_SLICE ": %s", strerror(errno));
	ret = put(DOMCG_SLICE, "cgroup.subtree_control", CONTROLLERS);
	if (ret)
		FAIL(ret, "cannot enable the controllers in " DOMCG_SLICE
		     ": %s", strerror(-ret));
	return 0;
}

static void cpu_max(int64_t cap, char *buf, size_t size)
{
	if (cap)
		snprintf(buf, size, "%" PRId64 " %u", cap * 1000,
			 DOMCG_PERIOD_US);
	else
		snprintf(buf, size, "max %u", DOMCG_PERIOD_US);
}

int domcg_set_sched(uint32_t domid, uint32_t weight, int64_t cap, char *why,
		    size_t why_len)
{
	char dir[128], val[64];
	int ret;

	if (weight > DOMCG_WEIGHT_MAX)
		FAIL(-EINVAL, "weight %" PRIu32 ": 1 to %d", weight,
		     DOMCG_WEIGHT_MAX);
	if (cap > (int64_t)DOMCG_CAP_MAX)
		FAIL(-EINVAL, "cap %" PRId64 ": 0 (none) to %u percent", cap,
		     DOMCG_CAP_MAX);
	domcg_path(domid, dir, sizeof(dir));
	if (weight) {
		snprintf(val, sizeof(val), "%" PRIu32,
			 domcg_cpu_weight(weight));
		ret = put(dir, "cpu.weight", val);
		if (ret)
			FAIL(ret, "%s/cpu.weight: %s", dir, strerror(-ret));
	}
	if (cap >= 0) {
		cpu_max(cap, val, sizeof(val));
		ret = put(dir, "cpu.max", val);
		if (ret)
			FAIL(ret, "%s/cpu.max: %s", dir, strerror(-ret));
	}
	return 0;
}

int domcg_get_sched(uint32_t domid, uint32_t *weight, uint32_t *cap,
		    char *why, size_t why_len)
{
	char dir[128], val[64];
	unsigned long long quota;
	int ret;

	domcg_path(domid, dir, sizeof(dir));
	ret = get(dir, "cpu.weight", val, sizeof(val));
	if (ret)
		FAIL(ret, "%s/cpu.weight: %s", dir, strerror(-ret));
	*weight = domcg_xen_weight((uint32_t)strtoul(val, NULL, 10));
	ret = get(dir, "cpu.max", val, sizeof(val));
	if (ret)
		FAIL(ret, "%s/cpu.max: %s", dir, strerror(-ret));
	if (!strncmp(val, "max", 3))
		*cap = 0;
	else if (sscanf(val, "%llu", &quota) == 1)
		*cap = (uint32_t)(quota / 1000);
	else
		FAIL(-EIO, "%s/cpu.max: \"%s\" does not parse", dir, val);
	return 0;
}

int domcg_create(uint32_t domid, const struct domcg_limits *l,
		 const pid_t *pids, size_t n, char *why, size_t why_len)
{
	char dir[128], val[32];
	size_t i;
	int ret;

	ret = make_slice(why, why_len);
	if (ret)
		return ret;
	domcg_path(domid, dir, sizeof(dir));
	/* One left by an earlier domain of this id that had not emptied. */
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		FAIL(-errno, "cannot make %s: %s", dir, strerror(errno));
	ret = domcg_set_sched(domid, l->weight, l->cap, why, why_len);
	if (ret)
		return ret;
	snprintf(val, sizeof(val), "%" PRIu64, l->memory_max);
	ret = put(dir, "memory.max", val);
	if (ret)
		FAIL(ret, "%s/memory.max: %s", dir, strerror(-ret));
	snprintf(val, sizeof(val), "%" PRIu64, l->pids_max);
	ret = put(dir, "pids.max", val);
	if (ret)
		FAIL(ret, "%s/pids.max: %s", dir, strerror(-ret));
	for (i = 0; i < n; i++) {
		snprintf(val, sizeof(val), "%d", (int)pids[i]);
		ret = put(dir, "cgroup.procs", val);
		if (ret)
			FAIL(ret, "cannot move process %d into %s: %s",
			     (int)pids[i], dir, strerror(-ret));
	}
	return 0;
}

int domcg_remove(uint32_t domid)
{
	char dir[128];

	domcg_path(domid, dir, sizeof(dir));
	if (rmdir(dir) == 0 || errno == ENOENT)
		return 0;
	return -errno;
}

int domcg_remove_wait(uint32_t domid, unsigned int secs)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	time_t end = time(NULL) + secs;
	int ret;

	while ((ret = domcg_remove(domid)) == -EBUSY && time(NULL) < end)
		nanosleep(&pause, NULL);
	return ret;
}
