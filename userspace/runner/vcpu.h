/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vCPU threads. Each vCPU is one thread of the runner, bound to it by its
 * first PVISOR_IOCTL_VCPU_RUN; this round boots vCPU 0 alone, on the
 * main thread.
 */
#ifndef PVRUN_VCPU_H
#define PVRUN_VCPU_H

#include <stdint.h>

#include "builder.h"

/*
 * Tell the module where the boot vCPU starts (PVISOR_IOCTL_VCPU_SET_CONTEXT
 * on the runner fd). Returns 0 or a negative errno, reported.
 */
int vcpu_set_boot_context(const struct builder_output *boot);

/*
 * Become vCPU @vcpu and enter the guest. Never returns when the module
 * accepts; when it does not, the process exits with VCPU_EXIT_RUN_FAILED
 * (the only way out under seccomp), and the module reports the domain
 * crashed.
 */
void vcpu_run(uint32_t vcpu) __attribute__((noreturn));

#define VCPU_EXIT_RUN_FAILED	125

#endif /* PVRUN_VCPU_H */
