// SPDX-License-Identifier: GPL-2.0
/*
 * Watching backends. backends.c forks each pvblkback once (it setsid()s
 * and execs, and so outlives pvisord); here its pidfd joins the event
 * loop, and becomes readable when the backend ends. A child of this
 * pvisord is reaped with waitid(P_PIDFD), which tells how it ended. One
 * an earlier pvisord started is init's child now (or a subreaper's):
 * its pidfd still becomes readable, but only its parent may reap it, so
 * how it ended is not known.
 *
 * The end of a backend whose domain is gone or stopped is expected (a
 * destroyed domain's port hangs up, and its backend exits), and so is a
 * backend's exit with status 0 (its frontend closed): one "stopped" line.
 * Any other end is an error: logged, and the device closed, as a Xen
 * backend closes one it gives up on, with an `error` node saying why
 * beside its state (unless the backend said why itself), so that the
 * frontend and the administrator see it instead of a disk that hangs.
 *
 * The records survive a restart in the state file (state.c), not in
 * xenstore: every backend is a Domain0 connection, and could rewrite
 * any node. A restarted pvisord opens each recorded pid again and keeps
 * it only if /proc/PID/stat's start time is the recorded one; the pidfd
 * is opened first, so that the process checked is the one then watched.
 *
 * Records are freed between rounds only (pvisor_backend_watch_reap), as
 * loop.c asks of every source.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pvisor/blkif.h>
#include <pvisor/netlink.h>

#include "backend_watch.h"
#include "domains.h"
#include "list.h"
#include "log.h"
#include "loop.h"
#include "xs.h"

#define BLKBACK_COMM	"pvblkback"
/* The kernel's PID_MAX_LIMIT: no pid is above it. */
#define PID_LIMIT	(4 * 1024 * 1024)

struct backend {
	struct loop_source src;	/* its pidfd; -1 while only restored */
	struct list_head link;
	struct backend_rec rec;
	bool child;		/* this pvisord's, to reap */
	bool ended;		/* reported; freed between rounds */
};

static struct list_head backends = LIST_HEAD_INIT(backends);

static int pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

bool pvisor_backend_watch_supported(void)
{
	static int supported = -1;
	int fd;

	if (supported >= 0)
		return supported;
	fd = pidfd_open(getpid());
	if (fd >= 0) {
		close(fd);
		supported = 1;
	} else if (errno == ENOSYS || errno == EPERM) {
		log_warn("this kernel cannot watch a process (pidfd_open: %s; "
			 "Linux 5.3 or later can): a backend that dies will "
			 "not be noticed", strerror(errno));
		supported = 0;
	} else {
		return true;	/* out of fds now: ask again next time */
	}
	return supported;
}

/* Process @pid's start time and name, from /proc. 0 or -errno. */
static int proc_start(pid_t pid, uint64_t *start, char *comm, size_t size)
{
	char path[32], buf[1024], *open_paren, *close_paren, *p;
	int fd, field, err;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	err = errno;
	close(fd);
	if (n <= 0)
		return n ? -err : -ESRCH;
	buf[n] = '\0';
	/* The name is field 2, in parentheses, and may hold either. */
	open_paren = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	if (!open_paren || !close_paren || close_paren < open_paren)
		return -EINVAL;
	snprintf(comm, size, "%.*s", (int)(close_paren - open_paren - 1),
		 open_paren + 1);
	/* From the space before field 3 to the one before field 22. */
	p = close_paren + 1;
	for (field = 3; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %" SCNu64, start) != 1)
		return -EINVAL;
	return 0;
}

static void ready(struct loop_source *src, uint32_t events);

static struct backend *add(const struct backend_rec *r, int pidfd,
			   bool child)
{
	struct backend *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->rec = *r;
	b->src.fd = pidfd;
	b->src.ready = ready;
	b->child = child;
	list_add_tail(&b->link, &backends);
	return b;
}

static int watch(struct backend *b)
{
	int ret = pvisor_loop_add(&b->src, EPOLLIN);

	if (ret) {
		close(b->src.fd);
		b->src.fd = -1;
	}
	return ret;
}

static void stop_watching(struct backend *b)
{
	if (b->src.fd < 0)
		return;
	pvisor_loop_remove(&b->src);
	close(b->src.fd);
	b->src.fd = -1;
}

/* Write @key of @b's backend directory; failures are logged. */
static void put(const struct backend *b, const char *dir, const char *key,
		const char *value)
{
	struct xs_ctx x = pvisor_self_ctx();
	char path[128];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	ret = pvisor_xs_op_write(&x, path, value, strlen(value));
	if (ret)
		log_warn("domain %" PRIu32 ": disk %s: cannot write %s: %s",
			 b->rec.domid, b->rec.vdev, path, pvisor_xs_errname(ret));
}

/*
 * Close @b's device, saying why: the error first, so that a frontend
 * that sees Closed finds it. A backend that gave up by itself wrote
 * both already, with a better reason: that one stays. A backend that
 * failed before it wrote anything gets the directory made for the
 * reason, but only if it was this pvisord's: a record from before a
 * restart may name a domain id reused since by a domain without disks.
 */
static void close_device(const struct backend *b, const char *how)
{
	char dir[96], path[112], error[160];
	struct xs_node *state, *err;

	snprintf(dir, sizeof(dir), "/local/domain/0/backend/vbd/%" PRIu32
		 "/%" PRIu32, b->rec.domid, domcfg_vdev_number(b->rec.vdev));
	if (!b->child && !pvisor_xs_lookup(pvisor_xs.tree, dir))
		return;
	snprintf(path, sizeof(path), "%s/state", dir);
	state = pvisor_xs_lookup(pvisor_xs.tree, path);
	snprintf(path, sizeof(path), "%s/error", dir);
	err = pvisor_xs_lookup(pvisor_xs.tree, path);
	if (state && err && err->value->len &&
	    !strcmp(state->value->data, "6"))
		return;
	snprintf(error, sizeof(error), BLKBACK_COMM " %s", how);
	put(b, dir, "error", error);
	snprintf(error, sizeof(error), "%d", PVISOR_XENBUS_CLOSED);
	put(b, dir, "state", error);
}

/* @b has ended (@how); @clean: by itself, with status 0. */
static void ended(struct backend *b, const char *how, bool clean)
{
	const struct backend_rec *r = &b->rec;

	if (!pvisor_domain_alive(r->domid)) {
		log_info("domain %" PRIu32 ": disk %s: " BLKBACK_COMM " (pid %d) "
			 "stopped with its domain: %s", r->domid, r->vdev,
			 (int)r->pid, how);
	} else if (clean) {
		log_info("domain %" PRIu32 ": disk %s: " BLKBACK_COMM " (pid %d) "
			 "stopped: %s", r->domid, r->vdev, (int)r->pid, how);
	} else {
		log_err("domain %" PRIu32 ": disk %s: " BLKBACK_COMM " (pid %d) "
			"%s; not restarted", r->domid, r->vdev, (int)r->pid,
			how);
		close_device(b, how);
	}
	b->ended = true;
	pvisor_xs_changed();	/* the state file loses its record */
}

static void describe(const siginfo_t *si, char *how, size_t size)
{
	const char *name = sigabbrev_np(si->si_status);
	char number[16];

	if (si->si_code == CLD_EXITED) {
		snprintf(how, size, "exited with status %d", si->si_status);
		return;
	}
	if (si->si_code != CLD_KILLED && si->si_code != CLD_DUMPED) {
		snprintf(how, size, "ended (waitid code %d)", si->si_code);
		return;
	}
	if (!name) {
		snprintf(number, sizeof(number), "%d", si->si_status);
		name = number;
	}
	/* The backend's seccomp filter kills with SIGSYS. */
	snprintf(how, size, "killed by signal SIG%s%s%s", name,
		 si->si_status == SIGSYS ? " (seccomp?)" : "",
		 si->si_code == CLD_DUMPED ? " (core dumped)" : "");
}

static void ready(struct loop_source *src, uint32_t events)
{
	struct backend *b = container_of(src, struct backend, src);
	siginfo_t si;
	char how[96];
	int ret;

	(void)events;
	if (!b->child) {
		stop_watching(b);
		ended(b, "ended; how is not known (an earlier pvisord started "
		      "it, and only its parent may reap it)", false);
		return;
	}
	memset(&si, 0, sizeof(si));
	ret = waitid(P_PIDFD, src->fd, &si, WEXITED | WNOHANG);
	/* Linux 5.3 has pidfds but not P_PIDFD; the pid is still ours. */
	if (ret && errno == EINVAL)
		ret = waitid(P_PID, b->rec.pid, &si, WEXITED | WNOHANG);
	if (!ret && !si.si_pid)
		return;		/* not ended yet */
	if (ret)
		snprintf(how, sizeof(how), "ended; how is not known (waitid: %s)",
			 strerror(errno));
	else
		describe(&si, how, sizeof(how));
	stop_watching(b);
	ended(b, how, !ret && si.si_code == CLD_EXITED && !si.si_status);
}

int pvisor_backend_watch_child(uint32_t domid, const char *vdev, pid_t pid)
{
	struct backend_rec r = { .domid = domid, .pid = pid };
	struct backend *b;
	char comm[32];
	int fd, ret;

	snprintf(r.vdev, sizeof(r.vdev), "%s", vdev);
	fd = pidfd_open(pid);
	if (fd < 0)
		return -errno;
	/* An unreaped child's stat is there, exited or not. */
	ret = proc_start(pid, &r.start, comm, sizeof(comm));
	if (ret) {
		close(fd);
		return ret;
	}
	b = add(&r, fd, true);
	if (!b) {
		close(fd);
		return -ENOMEM;
	}
	ret = watch(b);
	if (ret) {
		list_del(&b->link);
		free(b);
		return ret;
	}
	pvisor_xs_changed();	/* a record for the state file */
	return 0;
}

int pvisor_backend_watch_restore(const struct backend_rec *r)
{
	if (!r->domid || r->domid > PVISOR_DOMID_MAX || r->pid <= 1 ||
	    r->pid >= PID_LIMIT || !domcfg_vdev_number(r->vdev))
		return -EINVAL;
	return add(r, -1, false) ? 0 : -ENOMEM;
}

/* Take up restored @b again, or report it gone while pvisord was away. */
static void resume(struct backend *b)
{
	const struct backend_rec *r = &b->rec;
	char comm[32], how[96];
	uint64_t start;
	int fd, ret;

	fd = pidfd_open(r->pid);
	ret = fd < 0 ? -errno : proc_start(r->pid, &start, comm,
					   sizeof(comm));
	if (ret == -ESRCH || ret == -ENOENT) {
		if (fd >= 0)
			close(fd);
		ended(b, "ended while pvisord was not running", false);
		return;
	}
	if (!ret && (start != r->start || strcmp(comm, BLKBACK_COMM))) {
		close(fd);
		snprintf(how, sizeof(how), "ended while pvisord was not running "
			 "(pid %d is another process now)", (int)r->pid);
		ended(b, how, false);
		return;
	}
	if (!ret) {
		b->src.fd = fd;
		ret = watch(b);
	} else if (fd >= 0) {
		close(fd);
	}
	if (ret) {
		log_warn("domain %" PRIu32 ": disk %s: cannot watch "
			 BLKBACK_COMM " (pid %d) again: %s", r->domid, r->vdev,
			 (int)r->pid, strerror(-ret));
		b->ended = true;
		pvisor_xs_changed();
		return;
	}
	log_info("domain %" PRIu32 ": disk %s: " BLKBACK_COMM " (pid %d), "
		 "started by an earlier pvisord: watched again", r->domid,
		 r->vdev, (int)r->pid);
}

void pvisor_backend_watch_resume(void)
{
	struct backend *b;

	if (!pvisor_backend_watch_supported())
		return;
	list_for_each_entry(b, &backends, link)
		if (!b->child && !b->ended && b->src.fd < 0)
			resume(b);
}

int pvisor_backend_watch_for_each(int (*fn)(const struct backend_rec *r,
					    void *arg), void *arg)
{
	struct backend *b;
	int ret;

	list_for_each_entry(b, &backends, link) {
		if (b->ended)
			continue;
		ret = fn(&b->rec, arg);
		if (ret)
			return ret;
	}
	return 0;
}

void pvisor_backend_watch_reap(void)
{
	struct backend *b, *next;

	list_for_each_entry_safe(b, next, &backends, link) {
		if (!b->ended)
			continue;
		list_del(&b->link);
		free(b);
	}
}
