// SPDX-License-Identifier: GPL-2.0
/*
 * Starting the backends of a domain's devices. pvisord is the
 * toolstack here: when it keeps a new domain's config (from pvctl
 * create, or its own restart of a domain) it starts one pvblkback per
 * disk, before the runner starts, so that the device directories are in
 * xenstore when the guest looks (the guest waits for them anyway). The
 * backend finds pvisord's socket in PVISOR_STORE_SOCKET, which pvisord
 * sets for its children when it starts. Each is forked once: the child
 * leaves pvisord's session (setsid) and becomes the backend, so that it
 * outlives pvisord, and pvisord, its parent, watches it until it ends
 * (backend_watch.c). Nothing of pvisord's (blocked signals, fds) reaches
 * it but stderr, where its log lines go. On a kernel without pidfds the
 * backend is started as runners are (launch.c), detached: fork, setsid,
 * fork again, leaving nobody to reap, and nobody to notice its end.
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

#include "backend_watch.h"
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

/* Wait for our child @pid, EINTR or not. Its status, or -errno. */
static int reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return status;
}

/* Start @d's backend; *@pid is its pid, or 0 when it is not watched. */
static int spawn(uint32_t domid, const struct domcfg_disk *d, pid_t *pid)
{
	bool watched = pvisor_backend_watch_supported();
	pid_t child = fork();
	int ret;

	*pid = 0;
	if (child < 0)
		return -errno;
	if (!child) {
		if (setsid() < 0)
			_exit(127);
		if (!watched) {
			child = fork();
			if (child)
				_exit(child < 0 ? 127 : 0);
		}
		exec_blkback(domid, d);
	}
	if (!watched) {
		ret = reap(child);
		if (ret < 0)
			return ret;
		return WIFEXITED(ret) && !WEXITSTATUS(ret) ? 0 : -ECHILD;
	}
	ret = pvisor_backend_watch_child(domid, d->vdev, child);
	if (ret) {
		/* Unwatched, it would stay a zombie when it ends: stop it. */
		kill(child, SIGKILL);
		reap(child);
		return ret;
	}
	*pid = child;
	return 0;
}

int pvisor_backends_start(uint32_t domid, const struct domcfg *cfg)
{
	const struct domcfg_disk *d;
	char watched[24] = "";
	uint32_t i;
	pid_t pid;
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
		ret = spawn(domid, d, &pid);
		if (ret) {
			log_err("domain %" PRIu32 ": disk %s: cannot start "
				BLKBACK_NAME ": %s", domid, d->vdev,
				strerror(-ret));
			return ret;
		}
		if (pid)
			snprintf(watched, sizeof(watched), ", pid %d", (int)pid);
		log_info("domain %" PRIu32 ": disk %s: " BLKBACK_NAME
			 " started for %s (%s)%s", domid, d->vdev, d->path,
			 d->readonly ? "read-only" : "read-write", watched);
	}
	return 0;
}
