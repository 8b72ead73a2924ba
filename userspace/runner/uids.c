// SPDX-License-Identifier: GPL-2.0
/*
 * A user and group id of its own for each runner.
 *
 * A runner that shared its uid with anything else could be signalled,
 * stopped or traced by it: with "nobody", by every nobody process on the
 * host; with another domain's runner, by that domain's guest, were it
 * ever to escape. So each runner takes an id nobody else holds, from a
 * range the administrator keeps for pvisor, the way xl gives each
 * device model a uid from its QEMU-user range and Firecracker's jailer
 * is handed one per microVM.
 *
 * The range is two parameters of the module (runner_uid_base and
 * runner_uid_count), so that every program that starts runners (pvctl,
 * pvisord, a hand-run pvrun) reads the same one. The id is not derived
 * from the domain id (xl's base + domid): domain ids are handed out
 * cyclically up to 32751, and that would make every range smaller than
 * that run out while it still had room.
 *
 * Which ids are taken is read from the host itself: an id is in use
 * while any process holds it as a user or group id, a dying runner of a
 * destroyed domain included, until it is reaped. Nothing to release on
 * destroy, nothing to go stale when pvisord or pvctl is killed. The
 * scan and the setresuid() that makes the choice visible are serialised
 * by a lock file held across both.
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "runner.h"
#include "uids.h"

/* Ids above this look negative to code that keeps them in an int. */
#define UIDS_TOP		0x7fffffffU
/* The context factory's (factory.c) and the "no id" of setresuid. */
#define UIDS_NOBODY		65534U
#define UIDS_NOGROUP16		65535U
/* Bounds the scan's bitmap: 128 KiB. */
#define UIDS_COUNT_MAX		(1U << 20)

static int read_param(const char *name, uint32_t *val)
{
	char path[128], buf[32], *end;
	unsigned long v;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", UIDS_PARAM_DIR, name);
	f = fopen(path, "re");
	if (!f) {
		runner_error("cannot read the runner uid range (%s): %s", path,
			     strerror(errno));
		return -errno;
	}
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	errno = 0;
	v = strtoul(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n') || v > UINT32_MAX) {
		runner_error("%s: not a number", path);
		return -EINVAL;
	}
	*val = (uint32_t)v;
	return 0;
}

static bool range_holds(uint32_t base, uint32_t count, uint32_t id)
{
	return id >= base && id - base < count;
}

static int read_range(uint32_t *base, uint32_t *count)
{
	int ret = read_param("runner_uid_base", base);

	if (!ret)
		ret = read_param("runner_uid_count", count);
	if (ret)
		return ret;
	if (!*base || !*count || *count > UIDS_COUNT_MAX ||
	    *count - 1 > UIDS_TOP - *base ||
	    range_holds(*base, *count, UIDS_NOBODY) ||
	    range_holds(*base, *count, UIDS_NOGROUP16)) {
		runner_error("bad runner uid range %" PRIu32 "+%" PRIu32
			     ": it must be 1 to %u ids within 1..%u, without "
			     "65534 and 65535", *base, *count, UIDS_COUNT_MAX,
			     UIDS_TOP);
		return -EINVAL;
	}
	return 0;
}

/* Mark the ids of @line ("Uid:\t1\t2\t3\t4") that fall in the range. */
static void mark_ids(const char *line, uint32_t base, uint32_t count,
		     uint8_t *used)
{
	const char *p = strchr(line, ':');
	unsigned long v;
	char *end;

	while (p && *++p) {
		errno = 0;
		v = strtoul(p, &end, 10);
		if (end == p || errno)
			return;
		if (v <= UINT32_MAX && range_holds(base, count, (uint32_t)v))
			used[(v - base) / 8] |= (uint8_t)(1U << ((v - base) % 8));
		p = end;
	}
}

/* Every id of the range some process holds, into the bitmap @used. */
static int scan_processes(uint32_t base, uint32_t count, uint8_t *used)
{
	char path[sizeof(((struct dirent *)0)->d_name) + 16], line[256];
	struct dirent *e;
	DIR *proc;
	FILE *f;

	proc = opendir("/proc");
	if (!proc) {
		runner_error("cannot list processes (/proc): %s",
			     strerror(errno));
		return -errno;
	}
	while ((e = readdir(proc))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;	/* it exited: its ids are free */
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "Uid:", 4) ||
			    !strncmp(line, "Gid:", 4))
				mark_ids(line, base, count, used);
		fclose(f);
	}
	closedir(proc);
	return 0;
}

static int lock_claims(void)
{
	int fd;

	if (mkdir("/run/pvisor", 0755) < 0 && errno != EEXIST) {
		runner_error("cannot make /run/pvisor: %s", strerror(errno));
		return -errno;
	}
	fd = open(UIDS_LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0) {
		runner_error("cannot open %s: %s", UIDS_LOCK_FILE,
			     strerror(errno));
		return -errno;
	}
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			runner_error("cannot lock %s: %s", UIDS_LOCK_FILE,
				     strerror(errno));
			close(fd);
			return -errno;
		}
	}
	return fd;
}

int uids_claim(uid_t *id)
{
	uint32_t base, count, i;
	uint8_t *used;
	int fd, ret;

	ret = read_range(&base, &count);
	if (ret)
		return ret;
	used = calloc((count + 7) / 8, 1);
	if (!used) {
		runner_error("out of memory");
		return -ENOMEM;
	}
	fd = lock_claims();
	if (fd < 0) {
		free(used);
		return fd;
	}
	ret = scan_processes(base, count, used);
	for (i = 0; !ret && i < count; i++)
		if (!(used[i / 8] & (1U << (i % 8))))
			break;
	if (!ret && i == count) {
		runner_error("no free runner uid: all %" PRIu32 " of %" PRIu32
			     "..%" PRIu32 " are in use (runner_uid_count)",
			     count, base, base + (count - 1));
		ret = -EUSERS;
	}
	free(used);
	if (ret) {
		close(fd);
		return ret;
	}
	*id = (uid_t)(base + i);
	return 0;	/* @fd stays open, locked: confine_drop() closes it */
}
