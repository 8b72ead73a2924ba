/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vCPU threads. Each vCPU is one thread of the runner, bound to it by its
 * first PVISOR_IOCTL_VCPU_RUN: vCPU 0 is the main thread, and every other
 * vCPU gets a thread of its own that waits in the module until the guest
 * initialises and ups it (vcpu_op).
 */
#ifndef PVRUN_VCPU_H
#define PVRUN_VCPU_H

#include <stdint.h>

#include "builder.h"

/*
 * Every vCPU thread is named VCPU_THREAD_NAME "<n>" (its comm, in
 * /proc/PID/task/TID/comm), so that pvctl vcpu-pin can find vCPU n's
 * thread; guest code cannot rename it (no system calls).
 */
#define VCPU_THREAD_NAME	"pvrun-vcpu"

/* Name the calling thread vCPU @vcpu's. 0 or a negative errno, reported. */
int vcpu_name_thread(uint32_t vcpu);

/*
 * Tell the module where the boot vCPU starts (PVISOR_IOCTL_VCPU_SET_CONTEXT
 * on the runner fd). Returns 0 or a negative errno, reported.
 */
int vcpu_set_boot_context(const struct builder_output *boot);

/*
 * Start a thread for each of vCPUs 1 .. @nr_vcpus - 1: each gets its own
 * signal stack (traps_thread_init()) and then calls vcpu_run(). Returns
 * once every thread has made its last system call but the run ioctl, so
 * that the seccomp filter may follow at once; call it after traps_init()
 * and confine_drop() (the threads inherit the dropped privileges) and
 * before confine_seccomp(). Returns 0 or a negative errno, reported;
 * threads already started are then left waiting in the module, and the
 * caller is expected to exit.
 */
int vcpu_start_secondaries(uint32_t nr_vcpus);

/*
 * Become vCPU @vcpu and enter the guest, waiting first, for a secondary,
 * until the guest ups it. Never returns when the module accepts; when it
 * does not, the process exits with VCPU_EXIT_RUN_FAILED (the only way out
 * under seccomp), and the module reports the domain crashed.
 */
void vcpu_run(uint32_t vcpu) __attribute__((noreturn));

#define VCPU_EXIT_RUN_FAILED	125

/* A secondary thread's stack: the runner's code only, never the guest's. */
#define VCPU_THREAD_STACK	(256 * 1024)

#endif /* PVRUN_VCPU_H */
