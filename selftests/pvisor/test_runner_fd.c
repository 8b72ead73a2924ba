// SPDX-License-Identifier: GPL-2.0
/*
 * The runner fd and the domain notifications belong to their owners.
 *
 * - A runner fd serves only the process that attached: a child that
 *   inherited it through fork, or a process it was passed to with
 *   SCM_RIGHTS, gets EPERM from its ioctls and mmap, while the runner
 *   itself is served.
 * - An attach that fails for want of an fd (RLIMIT_NOFILE: EMFILE)
 *   leaves the domain as it was: the next attach succeeds.
 * - Only CAP_SYS_ADMIN may join the "domain" multicast group, which
 *   carries names, sizes, states and crash reasons.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/socket.h>

#include <pvisor/device.h>
#include <pvisor/hypercall.h>
#include <pvisor/netlink.h>

#include "guestrun.h"
#include "pvtest.h"

#define PREFIX		"rf-"

/* What the runner and its child report, through a pipe. */
struct report {
	int attach;		/* the runner's fd, or -errno */
	int child_ctx;		/* the forked child's SET_CONTEXT: 0 or -errno */
	int child_run;		/* its VCPU_RUN */
	int child_mmap;		/* its mmap of the window */
	int own_ctx;		/* the runner's own SET_CONTEXT */
};

/* No guest runs here, but guestrun's builder wants a code section. */
asm(".pushsection .guest_text, \"ax\"\n"
    ".globl guest_start\n"
    "guest_start:\n"
    "ud2\n"
    ".globl guest_end\n"
    "guest_end:\n"
    ".popsection\n");

static struct pvnl *nl;

static const struct pvisor_vcpu_context ctx = {
	.vcpu = 0,
	.rip = GR_VA(GR_PFN_CODE),
	.rsp = GR_VA(GR_PFN_STACK + 1),
	.rsi = GR_VA(GR_PFN_SCRATCH),
	.pt_base_pfn = GR_PFN_L4,
};

static int set_context(int fd)
{
	return ioctl(fd, PVISOR_IOCTL_VCPU_SET_CONTEXT, &ctx) ? -errno : 0;
}

static int map_window(int fd)
{
	void *p = mmap((void *)PVISOR_WINDOW_BASE, PVISOR_WINDOW_SIZE,
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED_NOREPLACE,
		       fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	munmap(p, PVISOR_WINDOW_SIZE);
	return 0;
}

static void send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte = 'f';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	if (sendmsg(sock, &msg, 0) != 1)
		_exit(20);
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/*
 * The runner: attach, let a forked child try the fd, pass the fd to the
 * test over @sock, try it itself, report over @out, wait for the word.
 */
static void runner(uint32_t domid, int out, int sock)
{
	struct pvisor_runner_attach arg = { .domid = domid };
	struct report rep = { 0 };
	int pipefd[2], status;
	char c;
	pid_t pid;

	rep.attach = ioctl(gr_dev(), PVISOR_IOCTL_RUNNER_ATTACH, &arg);
	if (rep.attach < 0)
		rep.attach = -errno;
	if (rep.attach >= 0 && !pipe(pipefd)) {
		pid = fork();
		if (pid == 0) {
			int r[3];

			r[0] = set_context(rep.attach);
			r[1] = ioctl(rep.attach, PVISOR_IOCTL_VCPU_RUN, 0) ? -errno : 0;
			r[2] = map_window(rep.attach);
			if (write(pipefd[1], r, sizeof(r)) != sizeof(r))
				_exit(1);
			_exit(0);
		}
		waitpid(pid, &status, 0);
		{
			int r[3] = { 1, 1, 1 };

			if (read(pipefd[0], r, sizeof(r)) != sizeof(r))
				r[0] = r[1] = r[2] = 1;
			rep.child_ctx = r[0];
			rep.child_run = r[1];
			rep.child_mmap = r[2];
		}
		send_fd(sock, rep.attach);
		if (read(sock, &c, 1) != 1)	/* the test has tried it */
			_exit(21);
		rep.own_ctx = set_context(rep.attach);
	}
	if (write(out, &rep, sizeof(rep)) != sizeof(rep))
		_exit(22);
	if (read(sock, &c, 1) != 1)
		_exit(23);
	_exit(0);
}

static void test_foreign_process(void)
{
	struct pvnl_domain d;
	struct report rep = { 0 };
	int out[2], sv[2], fd, ctx_ret = 1, map_ret = 1;
	pid_t pid;

	if (pvnl_domain_new(nl, PREFIX "foreign", GR_BYTES, 1, &d))
		tap_bail("create: %s", pvnl_error_msg(nl));
	if (pipe(out) || socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		tap_bail("pipe: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		close(out[0]);
		close(sv[0]);
		runner(d.id, out[1], sv[1]);
	}
	close(out[1]);
	close(sv[1]);

	fd = recv_fd(sv[0]);
	if (fd >= 0) {
		ctx_ret = set_context(fd);
		map_ret = map_window(fd);
		close(fd);
	}
	if (write(sv[0], "t", 1) != 1)
		tap_bail("write: %s", strerror(errno));
	if (read(out[0], &rep, sizeof(rep)) != sizeof(rep))
		tap_bail("no report from the runner");

	tap_ok(rep.attach >= 0, "the runner attached (%d)", rep.attach);
	tap_ok(rep.child_ctx == -EPERM && rep.child_run == -EPERM &&
	       rep.child_mmap == -EPERM,
	       "a child that inherited the fd through fork: SET_CONTEXT %s, RUN %s, mmap %s (want EPERM)",
	       pvt_errno_name(rep.child_ctx), pvt_errno_name(rep.child_run),
	       pvt_errno_name(rep.child_mmap));
	tap_ok(fd >= 0 && ctx_ret == -EPERM && map_ret == -EPERM,
	       "a process the fd was passed to (SCM_RIGHTS): SET_CONTEXT %s, mmap %s (want EPERM)",
	       pvt_errno_name(ctx_ret), pvt_errno_name(map_ret));
	tap_ok(rep.own_ctx == 0, "the runner itself still sets its context (%s)",
	       pvt_errno_name(rep.own_ctx));

	if (write(sv[0], "e", 1) != 1)
		tap_bail("write: %s", strerror(errno));
	gr_reap(pid, GR_HANG_SECS);
	close(sv[0]);
	close(out[0]);
	pvnl_domain_del(nl, d.id, NULL);
}

/*
 * Attach with no fd to spare, then with one. Exit status: the first
 * attempt's errno, plus 100 if the second failed.
 */
static void starved_runner(uint32_t domid, int go)
{
	struct pvisor_runner_attach arg = { .domid = domid };
	struct rlimit old, tight;
	int lowest, first, second;
	char c;

	lowest = open("/dev/null", O_RDONLY);
	if (lowest < 0 || close(lowest) || getrlimit(RLIMIT_NOFILE, &old))
		_exit(99);
	tight = old;
	tight.rlim_cur = lowest;	/* every fd below it is taken */
	if (setrlimit(RLIMIT_NOFILE, &tight))
		_exit(98);
	first = ioctl(gr_dev(), PVISOR_IOCTL_RUNNER_ATTACH, &arg) < 0 ? errno : 0;
	if (setrlimit(RLIMIT_NOFILE, &old))
		_exit(97);
	second = ioctl(gr_dev(), PVISOR_IOCTL_RUNNER_ATTACH, &arg);
	/* Stay attached until the test has looked. */
	if (write(go, "a", 1) != 1 || read(go, &c, 1) != 1)
		_exit(96);
	_exit(first + (second < 0 ? 100 : 0));
}

static void test_attach_emfile(void)
{
	struct pvnl_domain d, now;
	int sv[2], status, ret;
	char c;
	pid_t pid;

	if (pvnl_domain_new(nl, PREFIX "starved", GR_BYTES, 1, &d))
		tap_bail("create: %s", pvnl_error_msg(nl));
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		tap_bail("socketpair: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		starved_runner(d.id, sv[1]);
	}
	close(sv[1]);
	if (read(sv[0], &c, 1) != 1)
		tap_bail("the starved runner did not report");
	ret = pvnl_domain_get(nl, d.id, NULL, &now);
	if (write(sv[0], "d", 1) != 1)
		tap_bail("write: %s", strerror(errno));
	status = gr_reap(pid, GR_HANG_SECS);
	close(sv[0]);

	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) % 100 == EMFILE,
	       "an attach with RLIMIT_NOFILE exhausted fails with EMFILE (status %#x)",
	       status);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) < 100 && !ret &&
	       now.state == PVISOR_DOMAIN_STATE_RUNNING,
	       "the domain is still attachable: the next attach succeeds (state %s)",
	       ret ? pvt_errno_name(ret) : pvnl_state_name(now.state));
	pvnl_domain_del(nl, d.id, NULL);
}

/* The group join of an unprivileged process: 0 or a libnl error. */
static void unprivileged_join(int group, int out)
{
	struct pvnl *mine;
	int ret;

	if (pvt_drop_privileges())
		_exit(1);
	mine = pvnl_open();
	if (!mine)
		_exit(2);
	ret = nl_socket_add_membership(pvnl_socket(mine), group);
	if (write(out, &ret, sizeof(ret)) != sizeof(ret))
		_exit(3);
	_exit(0);
}

static void test_multicast_needs_admin(void)
{
	int group = pvnl_mcgrp_id(nl, PVISOR_MCGRP_DOMAIN);
	int out[2], ret = 1, status;
	pid_t pid;

	if (group <= 0 || pipe(out))
		tap_bail("the domain group: %d", group);
	pid = fork();
	if (pid == 0) {
		close(out[0]);
		unprivileged_join(group, out[1]);
	}
	close(out[1]);
	if (read(out[0], &ret, sizeof(ret)) != sizeof(ret))
		ret = 1;
	close(out[0]);
	status = gr_reap(pid, GR_HANG_SECS);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0 && ret < 0,
	       "an unprivileged process cannot join the \"" PVISOR_MCGRP_DOMAIN "\" group (%d: %s)",
	       ret, ret < 0 ? nl_geterror(ret) : "joined");
	ret = nl_socket_add_membership(pvnl_socket(nl), group);
	tap_ok(ret == 0, "CAP_SYS_ADMIN can (%d)", ret);
	nl_socket_drop_membership(pvnl_socket(nl), group);
}

int main(void)
{
	struct pvnl_info base;

	signal(SIGPIPE, SIG_IGN);
	nl = gr_setup(PREFIX, 4 + 2 + 2 + 1, &base);

	test_foreign_process();
	test_attach_emfile();
	test_multicast_needs_admin();

	gr_done(&base);
}
