/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_RUNNER_H
#define PVISOR_RUNNER_H

#include <linux/compiler_types.h>
#include <linux/types.h>

#include "window.h"

struct pid;
struct pvisor_domain;
struct pvisor_runner_attach;

/*
 * The runner fd's object (the file's private_data), one per domain: what
 * RUNNER_ATTACH created and what every vCPU ioctl and the guest window
 * reach the domain through. Not to be confused with the runner process,
 * which the domain records as dom->runner_pid.
 */
struct pvisor_runner {
	struct pvisor_domain *dom;	/* a reference */
	struct pid *owner;		/* the runner process's tgid: only it
					 * may use the fd (a reference) */
	bool attached;			/* the domain took us as its runner */
	unsigned long flags;		/* RUNNER_WINDOW_MAPPED */
	struct page *iret_page;		/* PVISOR_IRET_PAGE: vCPUs' rax, rip */
	struct pvisor_window window;	/* window.c's, once mapped */
};

#define RUNNER_WINDOW_MAPPED	0	/* bit in runner->flags: set once */

int pvisor_runner_attach(const struct pvisor_runner_attach __user *uarg);
struct pvisor_vcpu *pvisor_runner_current_vcpu(struct pvisor_runner *runner);
bool pvisor_runner_window_mapped(struct pvisor_runner *runner);

#endif /* PVISOR_RUNNER_H */
