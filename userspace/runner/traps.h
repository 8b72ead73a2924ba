/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trap delivery in the runner: the host signals a vCPU thread gets for
 * the guest's faults, traps and privileged instructions are handed to the
 * module (PVISOR_IOCTL_VCPU_TRAP), which turns each into a call of the
 * guest's own handler. Documentation/runner.rst tells the story.
 */
#ifndef PVRUN_TRAPS_H
#define PVRUN_TRAPS_H

/* Signal stack size per vCPU thread: ample for any xsave area. */
#define TRAPS_STACK_SIZE	(64 * 1024)

/*
 * Catch SIGSEGV, SIGILL, SIGFPE, SIGTRAP and SIGBUS, and SIGUSR1 (the
 * module's event kick), process-wide, on the calling thread's signal
 * stack. Call after the runner fd is in place and before the seccomp
 * filter (sigaction is not allowed afterwards). Also
 * gives the calling thread its signal stack (traps_thread_init()).
 * Reports failures with runner_error() and returns a negative errno.
 */
int traps_init(void);

/*
 * Give the calling thread a signal stack of its own, outside the guest
 * window (every vCPU thread needs one, since the guest's stack is the
 * guest's), and unblock the signals above in its mask. Returns 0 or a
 * negative errno (reported).
 */
int traps_thread_init(void);

/* Exit status of a runner whose trap the module would not take. */
#define TRAPS_EXIT_REFUSED	126

#endif /* PVRUN_TRAPS_H */
