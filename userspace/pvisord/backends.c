// SPDX-License-Identifier: GPL-2.0
/*
 * Starting the backends of a domain's devices. pvisord is the
 * toolstack here: when it keeps a new domain's config (from pvctl
 * create, or its own restart of a domain) it starts one pvblkback per
 * disk, before the runner starts, so that the device directories are in
 * xenstore when the guest looks (the guest waits for them anyway). The
 * backend finds pvisord's socket in PVISOR_STORE_SOCKET, which pvisord
 * sets for its children when it starts. Each is started as runners are
 * (launch.c): fork, setsid, fork again, so that it outlives pvisord and
 * nothing of pvisord's (blocked signals, fds) reaches it but stderr,
 * where its log lines go.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "backends.h"
#include "launch.h"
#include "log.h"

#define BLKBACK_NAME	"pvblkback"

static void exec_blkback(uint32_t domid, const struct domcfg_disk *d)
{
	char path[PATH_MAX], id[16];
	const char *argv[] = {
		BLKBACK_NAME, "--domain", id, "--vdev", d->vdev,
		"--image", d->path, "--mode", d->readonly ? "r" : "w", NULL,
	};
	sigset_t none;
	int null;

	snprintf(id, sizeof(id), "%" PRIu32, domid);
	null = open("/dev/null", O_RDWR);
	sigemptyset(&none);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
	    sigprocmask(SIG_SETMASK, &none, NULL) < 0 ||
	    syscall(SYS_close_range, 3, ~0U, 0) < 0) {
		dprintf(2, BLKBACK_NAME ": cannot set up its process: %s\n",
			strerror(errno));
		_exit(127);
	}
	launch_tool_path(BLKBACK_NAME, path, sizeof(path));
	/* The exec* prototypes predate const; the strings are not changed. */
	execvp(path, (char *const *)argv);
	dprintf(2, "cannot run %s: %s\n", path, strerror(errno));
	_exit(127);
}

static int spawn(uint32_t domid, const struct domcfg_disk *d)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -errno;
	if (!pid) {
		if (setsid() < 0)
			_exit(127);
		pid = fork();
		if (!pid)
			exec_blkback(domid, d);
		_exit(pid < 0 ? 127 : 0);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -ECHILD;
}

int pvisor_backends_start(uint32_t domid, const struct domcfg *cfg)
{
	const struct domcfg_disk *d;
	uint32_t i;
	int ret;

	for (i = 0; i < cfg->nr_disks; i++) {
		d = &cfg->disks[i];
		if (access(d->path, d->readonly ? R_OK : R_OK | W_OK)) {
			ret = -errno;
			log_warn("domain %" PRIu32 ": disk %s: %s: %s", domid,
				 d->vdev, d->path, strerror(errno));
			return ret;
		}
	}
	for (i = 0; i < cfg->nr_disks; i++) {
		d = &cfg->disks[i];
		ret = spawn(domid, d);
		if (ret) {
			log_err("domain %" PRIu32 ": disk %s: cannot start "
				BLKBACK_NAME ": %s", domid, d->vdev,
				strerror(-ret));
			return ret;
		}
		log_info("domain %" PRIu32 ": disk %s: " BLKBACK_NAME
			 " started for %s (%s)", domid, d->vdev, d->path,
			 d->readonly ? "read-only" : "read-write");
	}
	return 0;
}
