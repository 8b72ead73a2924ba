// SPDX-License-Identifier: GPL-2.0
/*
 * Confining pvblkback once it is connected: from then on the frontend's
 * requests are all that arrives, and whatever the process can do, a
 * frontend that found a bug in it could do. So the process keeps
 *
 *  - its io_uring, restricted (IORING_REGISTER_RESTRICTIONS) to read,
 *    write, fsync and fallocate on one registered file, the image, so
 *    that no operation of io_uring's own reaches anything else (seccomp
 *    does not see them);
 *  - a user and group id of its own from the runners' range
 *    (../runner/uids.c), no supplementary groups, no capabilities;
 *  - no fds but the ring's, the grant-mapping fd, Domain0's end of the
 *    port, the xenstore socket and stderr;
 *  - a seccomp filter: read, write, sendto, poll and ppoll,
 *    io_uring_enter, ioctl on the grant-mapping fd with GRANT_COPY
 *    alone, the clock and sleeps, brk, rt_sigreturn, restart_syscall
 *    and exit; anything else kills the process.
 *
 * What is left is written down in Documentation/block.rst ("Threat
 * analysis").
 */

#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <pvisor/grant.h>

#include "blkback.h"
#include "../runner/runner.h"
#include "../runner/uids.h"

/* uids.c reports through the runner's error function: say it as ours. */
void runner_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, BLK_PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int confine_uring(struct blkback *b)
{
	struct io_uring_restriction res[] = {
		{ .opcode = IORING_RESTRICTION_SQE_OP, .sqe_op = IORING_OP_READ },
		{ .opcode = IORING_RESTRICTION_SQE_OP, .sqe_op = IORING_OP_WRITE },
		{ .opcode = IORING_RESTRICTION_SQE_OP, .sqe_op = IORING_OP_FSYNC },
		{ .opcode = IORING_RESTRICTION_SQE_OP,
		  .sqe_op = IORING_OP_FALLOCATE },
		{ .opcode = IORING_RESTRICTION_SQE_FLAGS_ALLOWED,
		  .sqe_flags = IOSQE_IO_LINK },
		{ .opcode = IORING_RESTRICTION_SQE_FLAGS_REQUIRED,
		  .sqe_flags = IOSQE_FIXED_FILE },
	};
	int ret;

	/* Twice the ring: a flush with data takes two entries. */
	ret = io_uring_queue_init(2 * PVISOR_BLKIF_RING_SIZE, &b->uring,
				  IORING_SETUP_R_DISABLED);
	if (ret) {
		blk_log(b, "io_uring: %s", strerror(-ret));
		return ret;
	}
	ret = io_uring_register_files(&b->uring, &b->img_fd, 1);
	if (!ret)
		ret = io_uring_register_restrictions(&b->uring, res,
						     sizeof(res) / sizeof(res[0]));
	if (!ret)
		ret = io_uring_enable_rings(&b->uring);
	if (ret)
		blk_log(b, "io_uring: cannot restrict it to the image: %s",
			strerror(-ret));
	return ret;
}

/* Jump to ALLOW if the syscall number is @nr (accumulator holds it). */
#define ALLOW_NR(nr)							\
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1),		\
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

#define ARG_LO(n)	(offsetof(struct seccomp_data, args[n]))
#define ARG_HI(n)	(offsetof(struct seccomp_data, args[n]) + 4)

static int install_filter(int gnt_fd)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		ALLOW_NR(__NR_read),
		ALLOW_NR(__NR_write),
		ALLOW_NR(__NR_sendto),
		ALLOW_NR(__NR_poll),
		ALLOW_NR(__NR_ppoll),
		ALLOW_NR(__NR_io_uring_enter),
		ALLOW_NR(__NR_clock_gettime),
		ALLOW_NR(__NR_nanosleep),
		ALLOW_NR(__NR_clock_nanosleep),
		ALLOW_NR(__NR_brk),
		ALLOW_NR(__NR_rt_sigreturn),
		/*
		 * A poll or sleep cut short (a stop and continue, or the
		 * task work io_uring's completions run, as on Linux 6.12)
		 * comes back through restart_syscall: it resumes only the
		 * call that was interrupted, which this filter let in.
		 */
		ALLOW_NR(__NR_restart_syscall),
		ALLOW_NR(__NR_exit),
		ALLOW_NR(__NR_exit_group),
		/* ioctl(gnt_fd, PVISOR_IOCTL_GRANT_COPY, ...) and no other. */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, 7),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_HI(0)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 5),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(0)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)gnt_fd, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(1)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PVISOR_IOCTL_GRANT_COPY, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	};
	struct sock_fprog prog = {
		.len = sizeof(f) / sizeof(f[0]),
		.filter = f,
	};

	return syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) ?
	       -errno : 0;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Close every fd but the @n in @keep (which it sorts). */
static int close_others(int *keep, unsigned int n)
{
	unsigned int from = 0, i;

	qsort(keep, n, sizeof(*keep), cmp_int);
	for (i = 0; i < n; i++) {
		if ((unsigned int)keep[i] > from &&
		    syscall(__NR_close_range, from, keep[i] - 1, 0))
			return -errno;
		from = keep[i] + 1;
	}
	return syscall(__NR_close_range, from, ~0U, 0) ? -errno : 0;
}

int confine(struct blkback *b)
{
	int keep[] = { 2, b->gnt_fd, b->evt_fd, b->xs.fd, b->uring.ring_fd };
	uid_t id;
	int ret;

	ret = uids_claim(&id);
	if (ret)
		return ret;
	if (setgroups(0, NULL) || setresgid(id, id, id) ||
	    setresuid(id, id, id)) {
		ret = -errno;
		blk_log(b, "cannot become uid %u: %s", (unsigned int)id,
			strerror(errno));
		return ret;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
		ret = -errno;
		blk_log(b, "prctl: %s", strerror(errno));
		return ret;
	}
	/* The image stays reachable through the ring's registered file. */
	ret = close_others(keep, sizeof(keep) / sizeof(keep[0]));
	if (ret) {
		blk_log(b, "close_range: %s", strerror(-ret));
		return ret;
	}
	b->img_fd = -1;
	ret = install_filter(b->gnt_fd);
	if (ret)
		blk_log(b, "seccomp: %s", strerror(-ret));
	else
		blk_log(b, "confined: uid %u, seccomp filter on",
			(unsigned int)id);
	return ret;
}
