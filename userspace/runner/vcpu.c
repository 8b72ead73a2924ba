// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU threads. The run ioctl does not return to this code: the module
 * rewrites the calling thread's user registers and the "return" lands in
 * guest code, with the guest's stack, in the guest window. From then on
 * the thread is the vCPU, and everything it does arrives at the module as
 * a hypercall ioctl from the hypercall page.
 *
 * vCPU 0 is the main thread. Every other vCPU gets a thread here before
 * the seccomp filter goes on, because creating one takes system calls the
 * filter forbids. The thread sets up its signal stack (traps.c) and calls
 * the run ioctl, which keeps it asleep in the module until the guest
 * initialises and ups the vCPU (vcpu_op). The filter, installed with
 * SECCOMP_FILTER_FLAG_TSYNC, then covers every thread at once; the only
 * care needed is that none of them is still between two system calls of
 * its start-up when it lands, or the second one would be killed. So a
 * thread announces that it is done with a plain atomic store, no futex
 * (a semaphore's post may make its wake-up call after the waiter has
 * already seen the count), and the main thread polls for the count.
 */

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <pvisor/device.h>
#include <pvisor/hypercall.h>

#include "runner.h"
#include "traps.h"
#include "vcpu.h"

/* Thread start-up takes microseconds; ten seconds means something hangs. */
#define START_POLL_NS		(1000 * 1000)
#define START_POLLS		10000

static uint32_t nr_started;	/* secondaries done with their set-up */
static int start_error;		/* the first one's failure, negative errno */

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

int vcpu_name_thread(uint32_t vcpu)
{
	char name[16];

	snprintf(name, sizeof(name), VCPU_THREAD_NAME "%u", vcpu);
	if (prctl(PR_SET_NAME, name, 0, 0, 0) < 0) {
		runner_error("cannot name vCPU %u's thread: %s", vcpu,
			     strerror(errno));
		return -errno;
	}
	return 0;
}

static void *secondary_thread(void *arg)
{
	uint32_t vcpu = (uint32_t)(uintptr_t)arg;
	int ret = vcpu_name_thread(vcpu) ?: traps_thread_init();
	int none = 0;

	if (ret)
		__atomic_compare_exchange_n(&start_error, &none, ret, false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	/* From here on, no system call but the run ioctl. */
	__atomic_add_fetch(&nr_started, 1, __ATOMIC_RELEASE);
	if (ret)
		return NULL;	/* the main thread gives up before seccomp */
	vcpu_run(vcpu);
}

static int wait_started(uint32_t nr_threads)
{
	const struct timespec tick = { 0, START_POLL_NS };
	unsigned int i;

	for (i = 0; i < START_POLLS; i++) {
		if (__atomic_load_n(&nr_started, __ATOMIC_ACQUIRE) ==
		    nr_threads)
			return __atomic_load_n(&start_error, __ATOMIC_RELAXED);
		nanosleep(&tick, NULL);
	}
	runner_error("the vCPU threads did not start");
	return -ETIMEDOUT;
}

int vcpu_start_secondaries(uint32_t nr_vcpus)
{
	pthread_attr_t attr;
	uint32_t vcpu;
	int ret;

	if (nr_vcpus <= 1)
		return 0;
	ret = pthread_attr_init(&attr);
	if (!ret)
		ret = pthread_attr_setstacksize(&attr, VCPU_THREAD_STACK);
	if (!ret)
		ret = pthread_attr_setdetachstate(&attr,
						  PTHREAD_CREATE_DETACHED);
	if (ret) {
		runner_error("cannot set up vCPU threads: %s", strerror(ret));
		return -ret;
	}
	for (vcpu = 1; vcpu < nr_vcpus; vcpu++) {
		pthread_t thread;

		ret = pthread_create(&thread, &attr, secondary_thread,
				     (void *)(uintptr_t)vcpu);
		if (ret) {
			runner_error("cannot start vCPU %u's thread: %s", vcpu,
				     strerror(ret));
			pthread_attr_destroy(&attr);
			return -ret;
		}
	}
	pthread_attr_destroy(&attr);
	return wait_started(nr_vcpus - 1);
}

void vcpu_run(uint32_t vcpu)
{
	/*
	 * Raw system calls: under seccomp, anything glibc might add on an
	 * error path (errno is fine, a write is not) would kill us first.
	 * A secondary sleeps in the module until the guest ups it; the
	 * module restarts that wait after a signal, but should the ioctl
	 * still surface EINTR, it is simply made again.
	 */
	while (syscall(SYS_ioctl, PVISOR_RUNNER_FD, PVISOR_IOCTL_VCPU_RUN,
		       (unsigned long)vcpu) < 0 && errno == EINTR)
		;
	syscall(SYS_exit_group, VCPU_EXIT_RUN_FAILED);
	for (;;)
		;
}
