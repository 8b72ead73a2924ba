/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * pvisor character device /dev/pvisor: the ioctl interface.
 *
 * Domain runners and Domain0 tools open /dev/pvisor; everything that
 * creates or destroys domains goes over netlink instead.
 */
#ifndef _UAPI_PVISOR_DEVICE_H
#define _UAPI_PVISOR_DEVICE_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Bumped on every incompatible change of any pvisor ABI. */
#define PVISOR_ABI_VERSION	1

#define PVISOR_IOCTL_TYPE	0xAF

/* Returns PVISOR_ABI_VERSION; takes no argument. */
#define PVISOR_IOCTL_ABI_VERSION	_IO(PVISOR_IOCTL_TYPE, 0x00)

/*
 * Domain0's window onto a domain's memory, for the domain builder and
 * backends: returns a new fd whose mmap() offset is a guest physical
 * address (pfn << 12). Only MAP_SHARED mappings inside the reservation
 * are allowed. The fd keeps the domain's memory alive until it and every
 * mapping of it are gone, even if the domain is destroyed meanwhile.
 * Needs CAP_SYS_ADMIN.
 */
struct pvisor_domain_memory {
	__u32 domid;
	__u32 flags;		/* must be 0 */
};
#define PVISOR_IOCTL_DOMAIN_MEMORY \
	_IOW(PVISOR_IOCTL_TYPE, 0x01, struct pvisor_domain_memory)

/*
 * The domain runner's interface (Documentation/execution-core.rst).
 *
 * PVISOR_IOCTL_RUNNER_ATTACH turns a domain into a running one: it returns
 * the domain's runner fd, which the runner moves to PVISOR_RUNNER_FD
 * (uapi/pvisor/hypercall.h) and maps at PVISOR_WINDOW_BASE with exactly
 * PVISOR_WINDOW_SIZE bytes, MAP_SHARED, offset 0. One runner per domain,
 * once: EBUSY afterwards. Needs CAP_SYS_ADMIN; everything on the runner fd
 * works without privileges, so the runner can drop them before the guest
 * starts. When the runner exits, the domain is shut down or crashed.
 */
struct pvisor_runner_attach {
	__u32 domid;
	__u32 flags;		/* must be 0 */
};
#define PVISOR_IOCTL_RUNNER_ATTACH \
	_IOW(PVISOR_IOCTL_TYPE, 0x02, struct pvisor_runner_attach)

/* Where a vCPU starts: set before it first runs (EBUSY afterwards). */
struct pvisor_vcpu_context {
	__u32 vcpu;
	__u32 flags;		/* must be 0 */
	__u64 rip;		/* window addresses */
	__u64 rsp;
	__u64 rsi;		/* start_info for the boot vCPU */
	__u64 pt_base_pfn;	/* guest pfn of the top-level page table */
};
#define PVISOR_IOCTL_VCPU_SET_CONTEXT \
	_IOW(PVISOR_IOCTL_TYPE, 0x10, struct pvisor_vcpu_context)

/*
 * Become vCPU @arg (an integer, not a pointer) and enter the guest at its
 * context: on success the ioctl "returns" into guest code with the
 * context's registers and every other general register zeroed. Each vCPU
 * is bound to the first thread that runs it.
 */
#define PVISOR_IOCTL_VCPU_RUN	_IO(PVISOR_IOCTL_TYPE, 0x11)

/*
 * Bounce a host signal into the guest. The runner's handler for SIGSEGV,
 * SIGILL, SIGFPE, SIGTRAP and SIGBUS (SA_SIGINFO, on its own signal
 * stack outside the window) passes its ucontext here: the module builds
 * the guest's trap frame from it and rewrites it so that returning from
 * the handler enters the guest's trap handler. Without a guest handler
 * the domain crashes (the ioctl then fails and the runner is killed).
 */
struct pvisor_trap_report {
	__u64 ucontext;		/* the handler's ucontext_t * */
	__u32 signo;
	__u32 flags;		/* must be 0 */
};
#define PVISOR_IOCTL_VCPU_TRAP \
	_IOW(PVISOR_IOCTL_TYPE, 0x12, struct pvisor_trap_report)

/* Hypercall N, as issued by the stubs on the hypercall page. */
#define PVISOR_IOCTL_HYPERCALL_BASE	0x80
#define PVISOR_IOCTL_HYPERCALL(n) \
	_IO(PVISOR_IOCTL_TYPE, PVISOR_IOCTL_HYPERCALL_BASE + (n))

#endif /* _UAPI_PVISOR_DEVICE_H */
