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

/*
 * User contexts' host side (Documentation/guest-processes.rst). A guest
 * process runs in a context process: one host process per context, one
 * thread per vCPU, made by the domain's factory, a process the runner
 * forks before it confines itself, so that the runner never needs clone.
 *
 * PVISOR_IOCTL_FACTORY_ATTACH (on /dev/pvisor, CAP_SYS_ADMIN) makes the
 * caller domain @domid's factory and returns its factory fd; one factory
 * per domain, once (EBUSY); the domain must be created or running.
 * PVISOR_IOCTL_FACTORY_WAIT on that fd sleeps until a context needs a
 * process and returns a new context fd for it (O_CLOEXEC); the factory
 * forks, and the child becomes the context's process by binding to it.
 * Only the process that attached may wait (EPERM).
 */
struct pvisor_factory_attach {
	__u32 domid;
	__u32 flags;		/* must be 0 */
};
#define PVISOR_IOCTL_FACTORY_ATTACH \
	_IOW(PVISOR_IOCTL_TYPE, 0x03, struct pvisor_factory_attach)
#define PVISOR_IOCTL_FACTORY_WAIT	_IO(PVISOR_IOCTL_TYPE, 0x20)

/*
 * A guest's xenstore ring (Documentation/xenstore.rst, "Guest rings").
 * The domain builder names the frame it set aside for the ring
 * (struct pvisor_xs_ring, zeroed) in PVISOR_IOCTL_STORE_SETUP: the module
 * opens a port in the guest that only Domain0 may bind, returns it in
 * @port and keeps both for DOMAIN_GET (STORE_PFN, STORE_PORT), so that
 * pvisord finds every guest's ring, after its own restart too. Once per
 * domain (EBUSY), before or after its runner attached. CAP_SYS_ADMIN.
 */
struct pvisor_store_setup {
	__u32 domid;
	__u32 flags;		/* must be 0 */
	__u64 pfn;		/* in: the ring's frame, below the reservation */
	__u32 port;		/* out: the guest's port for the ring */
	__u32 pad;		/* must be 0 */
};
#define PVISOR_IOCTL_STORE_SETUP \
	_IOWR(PVISOR_IOCTL_TYPE, 0x08, struct pvisor_store_setup)

/*
 * Domain0's end of an event channel (Documentation/events.rst, "Domain0's
 * end"): binds a guest's port offered to Domain0 (the store port above)
 * and returns a new fd. read() gives a __u32, the guest's sends since the
 * last read (blocking unless O_NONBLOCK); write() of any __u32 notifies
 * the guest; poll() says EPOLLIN when there is something to read. When
 * the guest closes the port the fd is hung up: EPOLLHUP, read() 0,
 * write() EPIPE. Closing the fd offers the port to Domain0 again.
 * CAP_SYS_ADMIN.
 */
struct pvisor_evtchn_dom0 {
	__u32 domid;
	__u32 port;		/* the guest's port */
	__u32 flags;		/* must be 0 */
	__u32 pad;		/* must be 0 */
};
#define PVISOR_IOCTL_EVTCHN_DOM0 \
	_IOW(PVISOR_IOCTL_TYPE, 0x09, struct pvisor_evtchn_dom0)

/*
 * A context process's layout. The user window is PVISOR_USER_BASE ..
 * PVISOR_USER_TOP (uapi/pvisor/context.h): the context fd mapped at
 * offset 0, MAP_SHARED, exactly that size. The trampoline page (the
 * module's, read and execute only) is the context fd mapped at offset
 * PVISOR_CTX_TRAMPOLINE_OFFSET, one page, at PVISOR_CTX_TRAMPOLINE; it
 * holds the signal handler, the signal restorer and the start code.
 * Thread i's trap stack (its sigaltstack) is anonymous memory at
 * PVISOR_CTX_STACK(i), PVISOR_CTX_STACK_SIZE bytes; the context fd
 * stays at PVISOR_CTX_FD.
 */
#define PVISOR_CTX_FD			3
#define PVISOR_CTX_TRAMPOLINE		0x0000100000000000ULL	/* 16 TiB */
#define PVISOR_CTX_TRAMPOLINE_OFFSET	PVISOR_CTX_TRAMPOLINE
#define PVISOR_CTX_TRAP_ENTRY		(PVISOR_CTX_TRAMPOLINE + 0x000)
#define PVISOR_CTX_RESTORER		(PVISOR_CTX_TRAMPOLINE + 0x040)
#define PVISOR_CTX_START		(PVISOR_CTX_TRAMPOLINE + 0x080)
/*
 * The return addresses of the trampoline's two system calls (the
 * handler's ioctl, the restorer's rt_sigreturn): the context filter
 * lets each out from there only.
 */
#define PVISOR_CTX_TRAP_CALL_END	(PVISOR_CTX_TRAP_ENTRY + 0x011)
#define PVISOR_CTX_RESTORER_CALL_END	(PVISOR_CTX_RESTORER + 0x007)
#define PVISOR_CTX_STACKS		0x0000100000100000ULL	/* + 1 MiB */
#define PVISOR_CTX_STACK_SIZE		0x10000ULL		/* 64 KiB */
#define PVISOR_CTX_STACK(i) \
	(PVISOR_CTX_STACKS + (__u64)(i) * PVISOR_CTX_STACK_SIZE)

/*
 * PVISOR_IOCTL_CTX_THREAD(vcpu): bind the calling thread to the
 * context's thread for vCPU @vcpu (an integer). The first call binds the
 * calling process to the context; every thread of that process binds
 * once, to a vCPU no other thread has. Before the filter goes on only.
 *
 * PVISOR_IOCTL_CTX_READY: from vCPU 0's thread, sleep until every other
 * thread has parked (its first trap report), so that it may unmap what
 * the factory left and install the filter.
 *
 * PVISOR_IOCTL_CTX_TRAP(ucontext): the trampoline's signal handler
 * reports a trap with its ucontext (on the thread's trap stack) and
 * sleeps until the guest kernel runs the thread again; the registers
 * RUN_USER gives are then in that ucontext, for the restorer's
 * rt_sigreturn. A thread's first report only parks it. The context's
 * filter allows nothing else from guest user code.
 */
#define PVISOR_IOCTL_CTX_THREAD		_IO(PVISOR_IOCTL_TYPE, 0x21)
#define PVISOR_IOCTL_CTX_READY		_IO(PVISOR_IOCTL_TYPE, 0x22)
#define PVISOR_IOCTL_CTX_TRAP		_IO(PVISOR_IOCTL_TYPE, 0x23)

/* Hypercall N, as issued by the stubs on the hypercall page. */
#define PVISOR_IOCTL_HYPERCALL_BASE	0x80
#define PVISOR_IOCTL_HYPERCALL(n) \
	_IO(PVISOR_IOCTL_TYPE, PVISOR_IOCTL_HYPERCALL_BASE + (n))

#endif /* _UAPI_PVISOR_DEVICE_H */
