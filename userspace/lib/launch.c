// SPDX-License-Identifier: GPL-2.0
/*
 * Starting pvrun, the domain runner.
 *
 * pvctl starts a domain's runner, and so does pvisord when it restarts a
 * domain. The runner must outlive its starter and belong to nobody's
 * terminal, so it is started the classic way: fork, setsid, fork again,
 * and the middle process exits at once. Its stdin and stdout are
 * /dev/null; its stderr is a pipe back to us, and `--ready-fd 2` makes it
 * write "ready" there when only the seccomp filter and the jump into the
 * guest are left. It then closes every fd, so we read to end of file:
 * "ready" as the last line means started. Its warnings are passed on to
 * our stderr whether it started or not; anything else is the runner's own
 * explanation of why it could not build or start the domain.
 *
 * pvrun is looked for next to the starter's executable first (they are
 * installed together), then in $PATH.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "launch.h"

#define RUNNER_NAME	"pvrun"
#define READY_LINE	"ready\n"
/* How pvrun starts a warning: a line to pass on, not a reason it failed. */
#define WARNING_PREFIX	RUNNER_NAME ": warning: "

void launch_tool_path(const char *name, char *buf, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			if ((size_t)snprintf(buf, size, "%s/%s", exe,
					     name) < size &&
			    !access(buf, X_OK))
				return;
		}
	}
	snprintf(buf, size, "%s", name);
}

/* In the grandchild: become pvrun, or say why not on the pipe. */
static void exec_runner(const struct launch *l, int err_fd)
{
	char path[PATH_MAX], domid[16], weight[16], cap[16];
	const char *argv[16];
	int null, i = 0;
	sigset_t none;

	null = open("/dev/null", O_RDWR);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
	    dup2(err_fd, 2) < 0) {
		dprintf(err_fd, "cannot set up the runner's stdio: %s\n",
			strerror(errno));
		_exit(127);
	}
	/*
	 * Nothing of the starter's may reach the runner (and its context
	 * factory, which forks before confinement): not a blocked signal
	 * (pvisord blocks SIGTERM for its signalfd), not an fd.
	 */
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0 ||
	    syscall(SYS_close_range, 3, ~0U, 0) < 0) {
		dprintf(2, "cannot set up the runner's process: %s\n",
			strerror(errno));
		_exit(127);
	}
	launch_tool_path(RUNNER_NAME, path, sizeof(path));
	snprintf(domid, sizeof(domid), "%" PRIu32, l->domid);
	argv[i++] = RUNNER_NAME;
	argv[i++] = "--domain";
	argv[i++] = domid;
	argv[i++] = "--kernel";
	argv[i++] = l->kernel;
	if (l->ramdisk) {
		argv[i++] = "--ramdisk";
		argv[i++] = l->ramdisk;
	}
	if (l->cmdline) {
		argv[i++] = "--cmdline";
		argv[i++] = l->cmdline;
	}
	if (l->weight) {
		snprintf(weight, sizeof(weight), "%" PRIu32, l->weight);
		argv[i++] = "--weight";
		argv[i++] = weight;
	}
	snprintf(cap, sizeof(cap), "%" PRIu32, l->cap);
	argv[i++] = "--cap";
	argv[i++] = cap;
	argv[i++] = "--ready-fd";
	argv[i++] = "2";
	argv[i] = NULL;
	/* The exec* prototypes predate const; the strings are not changed. */
	execvp(path, (char *const *)argv);
	fprintf(stderr, "cannot run %s: %s\n", path, strerror(errno));
	_exit(127);
}

/* Everything pvrun wrote, until it closed the pipe. */
static size_t read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;

	for (;;) {
		char discard[256];
		ssize_t n;

		if (len + 1 < size)
			n = read(fd, buf + len, size - 1 - len);
		else
			n = read(fd, discard, sizeof(discard));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (len + 1 < size)
			len += (size_t)n;
	}
	buf[len] = '\0';
	return len;
}

/*
 * The runner gave up: its warnings still go to our stderr, as they would
 * had it started, and the rest of what it said becomes one line of
 * explanation in @why, its messages joined by ';'.
 */
static void explain_failure(char *out, char *why, size_t why_len)
{
	size_t used = 0;
	char *line, *next;

	why[0] = '\0';
	for (line = out; *line; line = next) {
		next = strchrnul(line, '\n');
		if (*next)
			*next++ = '\0';
		if (!*line)
			continue;
		if (!strncmp(line, WARNING_PREFIX, sizeof(WARNING_PREFIX) - 1)) {
			fprintf(stderr, "%s\n", line);
			continue;
		}
		if (used < why_len)
			used += (size_t)snprintf(why + used, why_len - used,
						 "%s%s", used ? ";" : "", line);
	}
	if (!why[0])
		snprintf(why, why_len, "the runner exited without a word");
}

int launch_runner(const struct launch *l, char *why, size_t why_len)
{
	char out[4096];
	size_t len, ready = sizeof(READY_LINE) - 1;
	int pipefd[2], status;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		snprintf(why, why_len, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(why, why_len, "fork: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (pid == 0) {
		close(pipefd[0]);
		signal(SIGPIPE, SIG_DFL);
		if (setsid() < 0)
			_exit(1);
		pid = fork();
		if (pid < 0) {
			dprintf(pipefd[1], "fork: %s\n", strerror(errno));
			_exit(1);
		}
		if (pid == 0)
			exec_runner(l, pipefd[1]);
		_exit(0);
	}
	close(pipefd[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;

	len = read_all(pipefd[0], out, sizeof(out));
	close(pipefd[0]);
	if (len >= ready && !strcmp(out + len - ready, READY_LINE)) {
		/* What came before "ready" are the runner's warnings. */
		if (len > ready)
			fwrite(out, 1, len - ready, stderr);
		return 0;
	}

	explain_failure(out, why, why_len);
	return -1;
}
