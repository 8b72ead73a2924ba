// SPDX-License-Identifier: GPL-2.0
/*
 * Baseline for benchmark (1): the host's null system call, getppid()
 * through syscall(), in TSC ticks per call, measured as the bench guest
 * measures its null hypercall (common/bench.h).
 *
 * Two more figures take the hypercall path apart (they have no target):
 *
 *   sys.ioctl_enotty          ioctl() with an unknown command on
 *                             /dev/null: the ioctl entry alone
 *   sys.ioctl_enotty_seccomp  the same under a seccomp filter shaped
 *                             like the runner's (arch, number, fd and
 *                             command checks): a hypercall's ioctl pays
 *                             that filter, and its result depends on the
 *                             arguments, so the kernel cannot cache it
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"
#include "report.h"

/* An ioctl command nothing answers: /dev/null says ENOTTY. */
#define NULL_CMD	_IO(0xAF, 0xC0)

static int null_fd;

static void call_getppid(void)
{
	syscall(SYS_getppid);
}

static void call_ioctl(void)
{
	syscall(SYS_ioctl, null_fd, NULL_CMD, 0);
}

static void measure(const char *name, void (*call)(void))
{
	uint64_t v[BENCH_REPS], t0;
	unsigned int r, i;

	for (i = 0; i < 100; i++)
		call();
	for (r = 0; r < BENCH_REPS; r++) {
		t0 = bench_rdtsc();
		for (i = 0; i < BENCH_NULL_CALLS; i++)
			call();
		v[r] = (bench_rdtsc() - t0) / BENCH_NULL_CALLS;
	}
	report(name, v, BENCH_REPS, "ticks");
}

#define LD_W(off)	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define JEQ(k, t, f)	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define JGE(k, t, f)	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (k), (t), (f))
#define RET(v)		BPF_STMT(BPF_RET | BPF_K, (v))

/*
 * As many instructions on the ioctl path as the runner's filter runs for
 * a hypercall, but allowing everything else (this process must go on).
 */
static int install_filter(void)
{
	struct sock_filter f[] = {
		LD_W(offsetof(struct seccomp_data, arch)),
		JEQ(AUDIT_ARCH_X86_64, 1, 0),
		RET(SECCOMP_RET_KILL_PROCESS),
		LD_W(offsetof(struct seccomp_data, nr)),
		JGE(0x40000000, 0, 1),
		RET(SECCOMP_RET_KILL_PROCESS),
		JEQ(SYS_ioctl, 1, 0),
		RET(SECCOMP_RET_ALLOW),
		LD_W(offsetof(struct seccomp_data, args[0])),
		JEQ((uint32_t)null_fd, 0, 6),
		LD_W(offsetof(struct seccomp_data, args[0]) + 4),
		JEQ(0, 0, 4),
		LD_W(offsetof(struct seccomp_data, args[1])),
		JEQ(NULL_CMD, 1, 0),
		JGE(NULL_CMD + 1, 0, 0),
		RET(SECCOMP_RET_ALLOW),
		RET(SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(f) / sizeof(f[0]),
		.filter = f,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return -errno;
	return 0;
}

int main(void)
{
	int ret;

	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null_fd < 0) {
		perror("nullsys: /dev/null");
		return 1;
	}
	measure("sys.getppid", call_getppid);
	measure("sys.ioctl_enotty", call_ioctl);
	ret = install_filter();
	if (ret) {
		fprintf(stderr, "nullsys: seccomp: %s\n", strerror(-ret));
		return 1;
	}
	measure("sys.ioctl_enotty_seccomp", call_ioctl);
	return 0;
}
