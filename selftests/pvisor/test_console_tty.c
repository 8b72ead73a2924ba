// SPDX-License-Identifier: GPL-2.0
/*
 * Console input through netlink and through pvctl console on a terminal.
 *
 * Netlink (PVISOR_CMD_CONSOLE_WRITE) on a domain that never reads: the
 * 4 KiB input buffer takes 4096 bytes and then nothing (the caller is
 * told how much), more than 4096 bytes in one write is refused, and a
 * caller without CAP_SYS_ADMIN or a domain that does not exist is
 * refused; destroying the domain frees everything.
 *
 * The interactive mode, on a pty (the test host has no script or
 * python3, so this test is its own terminal emulator): pvctl console on
 * the echo guest (guest-port/tests/echo.c) makes the terminal raw, keys
 * typed come back upper-cased, Ctrl-] detaches with exit status 0 and
 * the terminal exactly as it was; a second attach killed by SIGTERM puts
 * the terminal back too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "pvtest.h"

#define PREFIX		"ct-"
#define ECHO_GUEST	"/guest/echo.elf"
#define INPUT_SIZE	4096
#define WAIT_SECS	120
#define MEMORY		(16ULL << 20)

static struct pvnl *nl;

static void check_netlink(void)
{
	static char buf[INPUT_SIZE + 1];
	struct pvnl_domain dom;
	uint32_t id;
	ssize_t n;
	int ret, status;
	pid_t pid;

	memset(buf, 'x', sizeof(buf));
	ret = pvnl_domain_new(nl, PREFIX "idle", MEMORY, 1, &dom);
	if (!tap_ok(ret == 0, "a domain that never reads its console")) {
		tap_skip(6, "no domain");
		return;
	}
	id = dom.id;
	n = pvnl_console_write(nl, id, NULL, buf, INPUT_SIZE);
	tap_ok(n == INPUT_SIZE, "console-write queues 4096 bytes (%zd)", n);
	n = pvnl_console_write(nl, id, NULL, buf, 1);
	tap_ok(n == 0, "the full buffer takes no more (%zd)", n);
	n = pvnl_console_write(nl, id, NULL, buf, INPUT_SIZE + 1);
	pvt_expect(nl, (int)n, -ERANGE, "a write of 4097 bytes is refused");

	pid = fork();
	if (pid == 0) {
		if (pvt_drop_privileges())
			_exit(2);
		pvnl_close(nl);
		nl = pvnl_open();
		_exit(nl && pvnl_console_write(nl, id, NULL, buf, 1) == -EPERM ?
		      0 : 1);
	}
	tap_ok(pid > 0 && waitpid(pid, &status, 0) == pid &&
	       WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "without CAP_SYS_ADMIN: EPERM");

	ret = pvnl_domain_del(nl, id, NULL);
	tap_ok(ret == 0, "destroying it with its input queued");
	n = pvnl_console_write(nl, id, NULL, buf, 1);
	pvt_expect(nl, (int)n, -ENOENT, "console-write to a destroyed domain");
}

/* The echo guest's console has @text in it; false after WAIT_SECS. */
static bool console_has(const char *name, const char *text)
{
	static char log[65536];
	double end = pvt_now() + WAIT_SECS;
	uint64_t next;
	ssize_t n;

	do {
		n = pvnl_console_read(nl, 0, name, 0, log, sizeof(log) - 1,
				      &next, NULL);
		if (n > 0) {
			log[n] = '\0';
			if (strstr(log, text))
				return true;
		}
		usleep(100000);
	} while (pvt_now() < end);
	return false;
}

/* pvctl console @name with the pty's slave as its terminal. */
static pid_t attach(const char *slave_name, const char *name)
{
	pid_t pid = fork();
	int fd;

	if (pid)
		return pid;
	setsid();
	fd = open(slave_name, O_RDWR);
	if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) < 0)
		_exit(126);
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	execlp("pvctl", "pvctl", "console", name, (char *)NULL);
	_exit(127);
}

/* Wait until the slave's terminal is raw (no ICANON, no ECHO). */
static bool becomes_raw(int slave)
{
	double end = pvt_now() + WAIT_SECS;
	struct termios t;

	do {
		if (!tcgetattr(slave, &t) && !(t.c_lflag & (ICANON | ECHO)))
			return true;
		usleep(20000);
	} while (pvt_now() < end);
	return false;
}

/* Read the master until @text shows up; false after WAIT_SECS. */
static bool master_shows(int master, const char *text)
{
	static char seen[65536];
	double end = pvt_now() + WAIT_SECS;
	struct pollfd p = { .fd = master, .events = POLLIN };
	size_t len = 0;
	ssize_t n;

	while (pvt_now() < end && len < sizeof(seen) - 1) {
		if (poll(&p, 1, 100) <= 0)
			continue;
		n = read(master, seen + len, sizeof(seen) - 1 - len);
		if (n <= 0)
			return false;
		len += (size_t)n;
		seen[len] = '\0';
		if (strstr(seen, text))
			return true;
	}
	return false;
}

static bool same_terminal(const struct termios *a, const struct termios *b)
{
	return a->c_iflag == b->c_iflag && a->c_oflag == b->c_oflag &&
	       a->c_cflag == b->c_cflag && a->c_lflag == b->c_lflag;
}

static void check_tty(void)
{
	const char *name = PREFIX "echo";
	struct termios before, after;
	int master, slave, status;
	char *slave_name;
	pid_t pid;

	if (pvt_system("pvctl create --name %s --memory 16M --kernel %s "
		       ">/dev/null", name, ECHO_GUEST)) {
		tap_skip(7, "cannot start the echo guest (%s)", ECHO_GUEST);
		return;
	}
	tap_ok(console_has(name, "@@echo ready"), "the echo guest waits for input");

	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) || unlockpt(master) ||
	    !(slave_name = ptsname(master)) ||
	    (slave = open(slave_name, O_RDWR | O_NOCTTY)) < 0) {
		tap_skip(6, "no pty: %s", strerror(errno));
		return;
	}
	tcgetattr(slave, &before);

	pid = attach(slave_name, name);
	tap_ok(becomes_raw(slave), "pvctl console makes the terminal raw");
	if (write(master, "typed keys\n", 11) != 11)
		tap_diag("write to the pty: %s", strerror(errno));
	tap_ok(master_shows(master, "@@echo TYPED KEYS"),
	       "keys typed come back upper-cased");
	if (write(master, "\x1d", 1) != 1)
		tap_diag("write to the pty: %s", strerror(errno));
	tap_ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0, "Ctrl-] detaches, exit status 0");
	tcgetattr(slave, &after);
	tap_ok(same_terminal(&before, &after),
	       "the terminal is as it was after the detach");

	pid = attach(slave_name, name);
	if (becomes_raw(slave))
		kill(pid, SIGTERM);
	tap_ok(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) &&
	       WTERMSIG(status) == SIGTERM, "a second attach dies of SIGTERM");
	tcgetattr(slave, &after);
	tap_ok(same_terminal(&before, &after),
	       "the terminal is as it was after SIGTERM too");
	close(slave);
	close(master);
}

int main(void)
{
	struct pvnl_info base;

	tap_plan(15);
	nl = pvt_open();
	pvt_cleanup_prefix_on_abort(PREFIX);
	pvt_destroy_prefix(nl, PREFIX);
	pvt_info(nl, &base);

	check_netlink();
	check_tty();

	pvt_destroy_prefix(nl, PREFIX);
	pvt_expect_accounting(nl, &base, 0, 0,
			      "domains and frames are back at the baseline");
	pvnl_close(nl);
	tap_finish();
}
