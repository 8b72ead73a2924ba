// SPDX-License-Identifier: GPL-2.0
/*
 * pvisord, the Domain0 daemon: options, the pid-file lock, becoming a
 * daemon, signals, and the main loop's housekeeping (saving the state,
 * freeing closed connections).
 *
 * Start-up order matters: the lock first (a second pvisord must not
 * touch the socket or the state file), then the state, then the module's
 * domains (reconciled against that state), then the backends the state
 * names (whose ends are judged by their domains), then the socket, and only
 * then "ready" (systemd's notification, or the parent's exit when
 * daemonising): a client that saw pvisord ready finds a complete tree.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "backend_watch.h"
#include "conn.h"
#include "configs.h"
#include "domains.h"
#include "fd_limit.h"
#include "lifecycle.h"
#include "log.h"
#include "ring.h"
#include "loop.h"
#include "state.h"
#include "xs.h"
#include "xs_quota.h"

#define DEFAULT_SOCKET	"/run/pvisor/xenstored.socket"
#define DEFAULT_PIDFILE	"/run/pvisor/pvisord.pid"
#define DEFAULT_STATE	"/var/lib/pvisor/xenstore.state"

/* How long a change may wait before the state file is rewritten. */
#define SAVE_DELAY_MS	200
/* How long after a failed save (a full disk) the next try waits. */
#define SAVE_RETRY_MS	5000

static const char usage_text[] =
	"Usage: pvisord [options]\n"
	"\n"
	"The pvisor Domain0 daemon: serves xenstore to Domain0 tools and\n"
	"keeps it in step with the module's domains.\n"
	"\n"
	"  -f, --foreground        stay in the foreground, log to stderr\n"
	"  -s, --socket PATH       the xenstore socket (" DEFAULT_SOCKET ")\n"
	"  -S, --state FILE        the state file (" DEFAULT_STATE ")\n"
	"  -p, --pid-file FILE     the pid file and lock (" DEFAULT_PIDFILE ")\n"
	"  -Q, --quota NAME=VALUE  a guest limit: entries, value-size, watches,\n"
	"                          transactions, perms, txn-ops\n"
	"  -R, --restart-window S  a stop within S seconds of a restart counts\n"
	"                          towards a restart storm (10)\n"
	"  -n, --no-module         serve xenstore without the module (no domains;\n"
	"                          for trying the protocol on any machine)\n"
	"  -v, --verbose           log debugging messages too\n"
	"  -h, --help              show this help\n";

static const struct option longopts[] = {
	{ "foreground", no_argument, NULL, 'f' },
	{ "socket", required_argument, NULL, 's' },
	{ "state", required_argument, NULL, 'S' },
	{ "pid-file", required_argument, NULL, 'p' },
	{ "quota", required_argument, NULL, 'Q' },
	{ "restart-window", required_argument, NULL, 'R' },
	{ "no-module", no_argument, NULL, 'n' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static struct {
	bool foreground, verbose, no_module;
	const char *socket, *state, *pidfile;
} opt = {
	.socket = DEFAULT_SOCKET,
	.state = DEFAULT_STATE,
	.pidfile = DEFAULT_PIDFILE,
};

static struct loop_source signals = { .fd = -1 };
static struct timespec dirty_since;
static bool was_dirty;
static int save_delay_ms = SAVE_DELAY_MS;

static int64_t ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000 +
	       (now.tv_nsec - t->tv_nsec) / 1000000;
}

static void save(void)
{
	int ret = pvisor_state_save(opt.state);

	if (ret) {
		log_err("cannot save the state to %s: %s; trying again in %d s",
			opt.state, strerror(-ret), SAVE_RETRY_MS / 1000);
		save_delay_ms = SAVE_RETRY_MS;
	} else {
		pvisor_xs.dirty = false;
		save_delay_ms = SAVE_DELAY_MS;
	}
	clock_gettime(CLOCK_MONOTONIC, &dirty_since);
	was_dirty = pvisor_xs.dirty;
}

/*
 * Saves the state once a change has waited save_delay_ms; returns how
 * long the loop may sleep before it is due (-1: nothing to save).
 */
static int save_when_due(void)
{
	int64_t waited;

	if (!pvisor_xs.dirty)
		return -1;
	if (!was_dirty) {
		was_dirty = true;
		clock_gettime(CLOCK_MONOTONIC, &dirty_since);
	}
	waited = ms_since(&dirty_since);
	if (waited < save_delay_ms)
		return save_delay_ms - waited;
	save();
	return pvisor_xs.dirty ? save_delay_ms : -1;
}

/*
 * Between rounds: free closed connections and ended backends' records,
 * serve rings with more waiting, save the state when due. The save does
 * not wait for the rings to go quiet: a guest that keeps its ring full
 * must not keep everyone's changes out of the state file.
 */
static int idle(void)
{
	bool more;
	int timeout;

	pvisor_conn_reap();
	pvisor_backend_watch_reap();
	more = pvisor_ring_idle();
	timeout = save_when_due();
	/* A ring with more waiting is served again at once. */
	return more ? 0 : timeout;
}

static void signal_ready(struct loop_source *src, uint32_t events)
{
	struct signalfd_siginfo si;

	(void)events;
	while (read(src->fd, &si, sizeof(si)) == sizeof(si)) {
		log_info("signal %u: stopping", si.ssi_signo);
		pvisor_loop_stop();
	}
}

static int setup_signals(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	signals.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (signals.fd < 0)
		return -errno;
	signals.ready = signal_ready;
	return pvisor_loop_add(&signals, EPOLLIN);
}

/* mkdir -p of @path's directory, mode 0755 for what it makes. */
static void make_parent(const char *path)
{
	char dir[4096];
	char *p;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return;
	p = strrchr(dir, '/');
	if (!p || p == dir)
		return;
	*p = '\0';
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
	mkdir(dir, 0755);
}

/* Hold the pid file's lock for the daemon's life. The fd or -errno. */
static int lock_pidfile(void)
{
	char buf[32];
	int fd, n;

	make_parent(opt.pidfile);
	fd = open(opt.pidfile, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_err("%s: %s", opt.pidfile, strerror(errno));
		return -errno;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		log_err("already running (pid %s, %s is locked)",
			*buf ? buf : "unknown", opt.pidfile);
		close(fd);
		return -EEXIST;
	}
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, buf, n, 0) != n) {
		log_err("%s: %s", opt.pidfile, strerror(errno));
		close(fd);
		return -EIO;
	}
	return fd;
}

/* Tell systemd (Type=notify) that pvisord is ready, if it is listening. */
static void notify_systemd(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') ||
	    strlen(path) >= sizeof(addr.sun_path))
		return;
	strcpy(addr.sun_path, path);
	if (path[0] == '@')
		addr.sun_path[0] = '\0';
	len = offsetof(struct sockaddr_un, sun_path) + strlen(path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&addr, len);
	close(fd);
}

/*
 * Daemonise: the parent waits for the child's verdict on a pipe and
 * exits with it, so "pvisord" returning 0 means the socket is up.
 * Returns the pipe's write end in the child.
 */
static int daemonise(void)
{
	int fds[2], status = 1;
	char verdict;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(fds[1]);
		if (read(fds[0], &verdict, 1) == 1)
			status = verdict;
		_exit(status);
	}
	close(fds[0]);
	setsid();
	if (chdir("/"))
		return -errno;
	return fds[1];
}

static void report_ready(int ready_fd, int status)
{
	char verdict = status;
	int devnull;

	if (ready_fd < 0)
		return;
	if (!status) {
		devnull = open("/dev/null", O_RDWR);
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
			dup2(devnull, 2);
			if (devnull > 2)
				close(devnull);
		}
	}
	if (write(ready_fd, &verdict, 1) != 1)
		log_warn("cannot report readiness to the parent");
	close(ready_fd);
}

static int parse_args(int argc, char *argv[])
{
	int c;

	while ((c = getopt_long(argc, argv, "fs:S:p:Q:R:nvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			opt.foreground = true;
			break;
		case 's':
			opt.socket = optarg;
			break;
		case 'S':
			opt.state = optarg;
			break;
		case 'p':
			opt.pidfile = optarg;
			break;
		case 'Q':
			if (pvisor_xs_quota_set(optarg)) {
				fprintf(stderr, "pvisord: bad quota '%s'\n\n%s",
					optarg, usage_text);
				return 2;
			}
			break;
		case 'R':
			if (pvisor_lifecycle_set_window(optarg)) {
				fprintf(stderr, "pvisord: bad restart window "
					"'%s' (1-%u seconds)\n\n%s", optarg,
					LIFECYCLE_WINDOW_MAX, usage_text);
				return 2;
			}
			break;
		case 'n':
			opt.no_module = true;
			break;
		case 'v':
			opt.verbose = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pvisord: unexpected argument '%s'\n\n%s",
			argv[optind], usage_text);
		return 2;
	}
	return -1;
}

int main(int argc, char *argv[])
{
	char socket_abs[PATH_MAX];
	int ret, lock_fd, ready_fd = -1;

	ret = parse_args(argc, argv);
	if (ret >= 0)
		return ret;
	pvisor_log_init(false, opt.verbose);
	if (!opt.foreground) {
		ready_fd = daemonise();
		if (ready_fd < 0) {
			log_err("cannot become a daemon: %s", strerror(-ready_fd));
			return 1;
		}
	}

	pvisor_fd_limit_raise();
	ret = 1;
	lock_fd = lock_pidfile();
	if (lock_fd < 0)
		goto out;
	pvisor_xs.tree = pvisor_xs_tree_new();
	if (!pvisor_xs.tree || pvisor_loop_init() || setup_signals()) {
		log_err("cannot start: %s", strerror(errno));
		goto out_lock;
	}
	make_parent(opt.state);
	ret = pvisor_state_load(opt.state);
	if (ret == -ENOENT) {
		log_info("no state in %s: starting with an empty store", opt.state);
	} else if (ret) {
		log_err("cannot load the state from %s: %s; move it away to start afresh",
			opt.state, strerror(-ret));
		ret = 1;
		goto out_lock;
	} else {
		log_info("state loaded from %s (%zu nodes)", opt.state,
			 pvisor_xs.tree->nodes);
	}
	if (!opt.no_module)
		pvisor_configs_init();
	ret = opt.no_module ? 0 : pvisor_domains_init();
	if (ret) {
		log_err("cannot reach the pvisor module: %s", strerror(-ret));
		ret = 1;
		goto out_lock;
	}
	/* Its predecessor's backends, now that their domains are known. */
	if (!opt.no_module)
		pvisor_backend_watch_resume();
	make_parent(opt.socket);
	ret = pvisor_conn_listen(opt.socket);
	if (ret) {
		log_err("%s: %s", opt.socket, strerror(-ret));
		ret = 1;
		goto out_domains;
	}
	/* The backends it starts (backends.c) find the socket here. */
	if (!realpath(opt.socket, socket_abs) ||
	    setenv("PVISOR_STORE_SOCKET", socket_abs, 1))
		log_warn("%s: %s: backends will look for the default socket",
			 opt.socket, strerror(errno));
	/* Save now: the reconciled tree is what a crash should find. */
	save();
	log_info("ready: xenstore on %s", opt.socket);
	if (ready_fd >= 0) {
		/* Until now the starting terminal heard the errors. */
		report_ready(ready_fd, 0);
		ready_fd = -1;
		pvisor_log_init(true, opt.verbose);
	}
	notify_systemd("READY=1");

	pvisor_loop_run(idle);

	notify_systemd("STOPPING=1");
	pvisor_conn_shutdown();
	pvisor_ring_shutdown();
	if (pvisor_xs.dirty)
		save();
	ret = 0;
	log_info("stopped");
out_domains:
	pvisor_domains_exit();
out_lock:
	unlink(opt.pidfile);
	close(lock_fd);
out:
	report_ready(ready_fd, ret);
	return ret;
}
