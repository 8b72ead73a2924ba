// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU threads. The run ioctl does not return to this code: the module
 * rewrites the calling thread's user registers and the "return" lands in
 * guest code, with the guest's stack, in the guest window. From then on
 * the thread is the vCPU, and everything it does arrives at the module as
 * a hypercall ioctl from the hypercall page.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <pvisor/device.h>
#include <pvisor/hypercall.h>

#include "runner.h"
#include "vcpu.h"

int vcpu_set_boot_context(const struct builder_output *boot)
{
	struct pvisor_vcpu_context ctx = {
		.vcpu = 0,
		.rip = boot->entry,
		.rsp = boot->stack_top,
		.rsi = boot->start_info,
		.pt_base_pfn = boot->pt_base_pfn,
	};

	if (ioctl(PVISOR_RUNNER_FD, PVISOR_IOCTL_VCPU_SET_CONTEXT, &ctx) < 0) {
		int ret = -errno;

		runner_error("cannot set vCPU 0's context: %s",
			     strerror(errno));
		return ret;
	}
	return 0;
}

void vcpu_run(uint32_t vcpu)
{
	/*
	 * Raw system calls: under seccomp, anything glibc might add on an
	 * error path (errno is fine, a write is not) would kill us first.
	 */
	syscall(SYS_ioctl, PVISOR_RUNNER_FD, PVISOR_IOCTL_VCPU_RUN,
		(unsigned long)vcpu);
	syscall(SYS_exit_group, VCPU_EXIT_RUN_FAILED);
	for (;;)
		;
}
