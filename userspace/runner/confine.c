// SPDX-License-Identifier: GPL-2.0
/*
 * The runner's confinement. Guest code runs in this process, so from the
 * first guest instruction on, everything the process can do the guest can
 * do. The module validates what comes through the runner fd; this file
 * makes sure nothing else comes through at all:
 *
 *  - no fds but the runner fd (PVISOR_RUNNER_FD), stdio included;
 *  - no privileges: a uid and gid of the runner's own (uids.c), no
 *    supplementary groups, no
 *    capabilities left in any set (checked, not assumed), no_new_privs,
 *    not dumpable (no ptrace or core dump by the unprivileged user);
 *  - a seccomp filter that kills the process on any system call but
 *    ioctl(PVISOR_RUNNER_FD, VCPU_RUN, VCPU_TRAP or a hypercall),
 *    rt_sigreturn (the way back from trap delivery, traps.c), exit and
 *    exit_group. The filter is the security boundary; the rest is
 *    defence in depth.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <pvisor/device.h>
#include <pvisor/hypercall.h>

#include "confine.h"
#include "runner.h"

/* No glibc wrapper for either. */
static int sys_close_range(unsigned int first, unsigned int last)
{
	return (int)syscall(SYS_close_range, first, last, 0);
}

static int sys_capget(struct __user_cap_header_struct *hdr,
		      struct __user_cap_data_struct *data)
{
	return (int)syscall(SYS_capget, hdr, data);
}

static int close_fds(int keep_fd)
{
	unsigned int keep[2] = { PVISOR_RUNNER_FD, PVISOR_RUNNER_FD };
	unsigned int from = 0;
	int i;

	if (keep_fd >= 0 && keep_fd < PVISOR_RUNNER_FD)
		keep[0] = (unsigned int)keep_fd;
	else if (keep_fd > PVISOR_RUNNER_FD)
		keep[1] = (unsigned int)keep_fd;

	for (i = 0; i < 2; i++) {
		if (keep[i] > from &&
		    sys_close_range(from, keep[i] - 1) < 0)
			return -errno;
		from = keep[i] + 1;
	}
	if (sys_close_range(from, ~0U) < 0)
		return -errno;
	return 0;
}

static int no_capabilities(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int i;

	memset(data, 0, sizeof(data));
	if (sys_capget(&hdr, data) < 0)
		return -errno;
	for (i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		if (data[i].effective || data[i].permitted ||
		    data[i].inheritable)
			return -EPERM;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_SYS_ADMIN, 0, 0))
		return -EPERM;
	return 0;
}

int confine_drop(int keep_fd, uid_t id)
{
	int ret;

	/* Groups first: only root may change them. */
	if (setgroups(0, NULL) < 0 ||
	    setresgid(id, id, id) < 0 || setresuid(id, id, id) < 0) {
		ret = -errno;
		runner_error("cannot drop privileges to uid/gid %u: %s",
			     (unsigned int)id, strerror(errno));
		return ret;
	}
	/* Root with SECBIT_KEEP_CAPS (or a capable non-root) keeps them. */
	ret = no_capabilities();
	if (ret) {
		runner_error("capabilities remain after dropping privileges");
		return ret;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		ret = -errno;
		runner_error("prctl: %s", strerror(errno));
		return ret;
	}
	if (chdir("/") < 0) {
		ret = -errno;
		runner_error("cannot chdir to /: %s", strerror(errno));
		return ret;
	}
	/*
	 * Last, so that the steps above can still say what went wrong; the
	 * uid lock goes with the rest, now that the id shows in /proc.
	 */
	ret = close_fds(keep_fd);
	if (ret) {
		runner_error("cannot close file descriptors: %s",
			     strerror(-ret));
		return ret;
	}
	return 0;
}

#define LOAD(field) \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))
#define LOAD_HI(field) \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, \
		 offsetof(struct seccomp_data, field) + 4)
#define JEQ(k, t, f)	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define JGE(k, t, f)	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (k), (t), (f))
#define JGT(k, t, f)	BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (k), (t), (f))
#define RET(v)		BPF_STMT(BPF_RET | BPF_K, (v))

/* Syscall numbers at and above this are x32 (or negative as signed). */
#define X32_SYSCALL_BIT	0x40000000U

/*
 * The filter, instruction by instruction; jumps count the instructions
 * they skip. ioctl's cmd is an unsigned int to the kernel, so only the
 * low half of args[1] matters; the fd is an int, but both halves are
 * checked so that no upper garbage can make "3" mean something else.
 */
static const struct sock_filter filter[] = {
	/* 0 */ LOAD(arch),
	/* 1 */ JEQ(AUDIT_ARCH_X86_64, 1, 0),
	/* 2 */ RET(SECCOMP_RET_KILL_PROCESS),
	/* 3 */ LOAD(nr),
	/* 4 */ JGE(X32_SYSCALL_BIT, 5, 0),		/* -> 10 kill */
	/* 5 */ JEQ(SYS_ioctl, 5, 0),			/* -> 11 */
	/* 6 */ JEQ(SYS_rt_sigreturn, 2, 0),		/* -> 9 allow */
	/* 7 */ JEQ(SYS_exit, 1, 0),			/* -> 9 allow */
	/* 8 */ JEQ(SYS_exit_group, 0, 1),		/* 9 allow / 10 kill */
	/* 9 */ RET(SECCOMP_RET_ALLOW),
	/* 10 */ RET(SECCOMP_RET_KILL_PROCESS),
	/* 11 */ LOAD(args[0]),
	/* 12 */ JEQ(PVISOR_RUNNER_FD, 0, 7),		/* -> 20 kill */
	/* 13 */ LOAD_HI(args[0]),
	/* 14 */ JEQ(0, 0, 5),				/* -> 20 kill */
	/* 15 */ LOAD(args[1]),
	/* 16 */ JEQ(PVISOR_IOCTL_VCPU_RUN, 4, 0),	/* -> 21 allow */
	/* 17 */ JEQ(PVISOR_IOCTL_VCPU_TRAP, 3, 0),	/* -> 21 allow */
	/* 18 */ JGE(PVISOR_IOCTL_HYPERCALL(0), 0, 1),	/* -> 20 kill */
	/* 19 */ JGT(PVISOR_IOCTL_HYPERCALL(PVISOR_NR_HYPERCALLS - 1), 0, 1),
	/* 20 */ RET(SECCOMP_RET_KILL_PROCESS),
	/* 21 */ RET(SECCOMP_RET_ALLOW),
};

int confine_seccomp(void)
{
	struct sock_fprog prog = {
		.len = sizeof(filter) / sizeof(filter[0]),
		.filter = (struct sock_filter *)filter,
	};

	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		    SECCOMP_FILTER_FLAG_TSYNC, &prog) != 0)
		return -errno;
	return 0;
}
