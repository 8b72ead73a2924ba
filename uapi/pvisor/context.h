/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * Guest processes: user contexts and the RUN_USER hypercall.
 *
 * A user context is a guest address space for guest user code: the guest
 * kernel names it by the guest pfn of its top-level (4-level, x86-64)
 * table and runs it on a vCPU with PVISOR_HC_RUN_USER until it exits (a
 * system call, a fault the guest's tables refuse, a trap, a pending event
 * for the vCPU, or the context's death). Inside a context only the user
 * window below is guest memory; its entries are honoured only where the
 * US bit is set at every level of the walk, and the module sets A (and D
 * on a write) in the guest's own entries, as the hardware does.
 *
 * Xen has no such calls; the numbers are pvisor's own, outside every
 * number Xen defines (0-41 and 48-55). Documentation/guest-processes.rst
 * is the design, Documentation/hypercalls.rst the reference.
 */
#ifndef _UAPI_PVISOR_CONTEXT_H
#define _UAPI_PVISOR_CONTEXT_H

#include <linux/types.h>

/*
 * The user window: the virtual addresses guest user code may use. It
 * ends where the guest kernel's window (PVISOR_WINDOW_BASE) begins, so
 * one set of guest page tables can map both, kernel entries without US,
 * as a Linux process's tables do; a guest kernel's TASK_SIZE is
 * PVISOR_USER_TOP. The first 64 KiB stay unmapped (NULL dereferences
 * fault whatever the guest's tables say).
 */
#define PVISOR_USER_BASE		0x0000000000010000ULL	/* 64 KiB */
#define PVISOR_USER_TOP			0x0000100000000000ULL	/* 16 TiB */

#define PVISOR_HC_CONTEXT_OP		56
#define PVISOR_HC_RUN_USER		57

/*
 * PVISOR_HC_CONTEXT_OP(cmd, arg): arg is a window address of the
 * command's struct, or the context id itself for DESTROY. Returns 0 or a
 * negative errno.
 */
#define PVISOR_CTXOP_CREATE		0	/* struct pvisor_ctx_create */
#define PVISOR_CTXOP_DESTROY		1	/* arg: the context id */
#define PVISOR_CTXOP_SET_BASE		2	/* struct pvisor_ctx_base */
#define PVISOR_CTXOP_FLUSH		3	/* struct pvisor_ctx_flush */
#define PVISOR_CTXOP_FPU_GET		4	/* struct pvisor_ctx_fpu */
#define PVISOR_CTXOP_FPU_SET		5	/* struct pvisor_ctx_fpu */
#define PVISOR_CTXOP_INFO		6	/* struct pvisor_ctx_info */

/*
 * CREATE: a new, empty context whose top table is pt_base_pfn (below the
 * reservation). -ENOSPC past the domain's max_contexts, -EAGAIN when no
 * context process can be had (the factory died), -EINVAL for flags.
 */
struct pvisor_ctx_create {
	__u64 pt_base_pfn;		/* in */
	__u32 flags;			/* in: must be 0 */
	__u32 id;			/* out: >= 1 */
};

/* SET_BASE: the context's new top table; flushes the whole context. */
struct pvisor_ctx_base {
	__u32 id;
	__u32 pad;			/* must be 0 */
	__u64 pt_base_pfn;
};

/*
 * FLUSH: forget what the context cached of [va, va + len) (page
 * granular; len 0 = everything). When it returns, no vCPU running the
 * context can use a stale translation: the guest needs no TLB IPIs.
 */
struct pvisor_ctx_flush {
	__u32 id;
	__u32 pad;			/* must be 0 */
	__u64 va;
	__u64 len;
};

/*
 * FPU_GET/FPU_SET: the FPU/SSE/AVX state of the context's thread for
 * vCPU @vcpu at its last exit, as an XSAVE image in the standard
 * (uncompacted) format, xsave_size bytes (PVISOR_CTXOP_INFO), holding
 * the xsave_features components. Only while that thread is stopped at
 * an exit (-EBUSY otherwise). FPU_SET ignores bytes 464-511 and refuses
 * (-EINVAL) what XRSTOR would fault on: reserved MXCSR bits, XSTATE_BV
 * bits outside xsave_features, a non-zero XCOMP_BV or reserved header
 * byte. -EOPNOTSUPP on a host without XSAVE (xsave_size 0).
 */
struct pvisor_ctx_fpu {
	__u32 id;
	__u32 vcpu;
	__u64 buf;			/* window address */
	__u32 len;			/* at least xsave_size */
	__u32 pad;			/* must be 0 */
};

/* INFO: the limits, for the guest kernel to size itself. */
struct pvisor_ctx_info {
	__u64 user_base;		/* PVISOR_USER_BASE */
	__u64 user_top;			/* PVISOR_USER_TOP */
	__u32 max_contexts;		/* for this domain */
	__u32 nr_contexts;		/* in use now */
	__u32 xsave_size;		/* bytes of an FPU_GET image */
	__u32 pad;
	__u64 xsave_features;		/* XCR0 bits present in the image:
					 * x87, SSE, AVX, AVX-512 */
};

/* Guest user registers, in the order of Linux's struct pt_regs. */
struct pvisor_user_regs {
	__u64 r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	__u64 rax, rcx, rdx, rsi, rdi;
	__u64 orig_rax;			/* out: the system call number */
	__u64 rip, rflags, rsp;
	__u64 fs_base, gs_base;
};

/*
 * PVISOR_HC_RUN_USER(run): run context run->id on the calling vCPU from
 * run->regs until it exits; the exit and the registers at the exit are
 * written back into *run (a window address). Returns 0 with an exit, or
 * -EINVAL (no such context, flags, pad, a rip or rsp outside the user
 * window, a non-canonical fs_base or gs_base), -EFAULT (the block), and
 * leaves *run alone then.
 *
 * rflags is filtered as PVISOR_HC_IRET filters it, less ID: the guest
 * controls CF PF AF ZF SF OF (arithmetic), TF, DF and AC; IF is always
 * set; IOPL, NT, RF, VM, VIF and VIP are always clear; ID is the host's
 * (its signal return keeps it).
 *
 * The call is made with events in effect unmasked, like Xen's iret to
 * user mode: an upcall deliverable at entry, or becoming so while the
 * user code runs, ends the run with PVISOR_EXIT_EVENT (registers as
 * interrupted, to be passed to the next RUN_USER unchanged), and the
 * upcall is entered on the hypercall's return.
 */
struct pvisor_user_run {
	__u32 id;			/* in: the context */
	__u32 flags;			/* in: must be 0 */
	struct pvisor_user_regs regs;	/* in: where to run; out: at the exit */
	__u32 reason;			/* out: PVISOR_EXIT_* */
	__u32 vector;			/* out: x86 vector (FAULT, TRAP) */
	__u64 error_code;		/* out: x86 error code (FAULT, TRAP) */
	__u64 address;			/* out: see the exits */
	__u32 syscall_arch;		/* out: PVISOR_ARCH_* (SYSCALL) */
	__u32 host_signo;		/* out: the host signal, diagnostics */
};

/*
 * A system call (syscall, int $0x80, sysenter, a vsyscall page call),
 * never run on the host. orig_rax is its number (x32 numbers keep bit
 * 30) and the arguments are in the registers of its ABI; rip is past the
 * instruction (a vsyscall: the caller's return address, rsp popped, as
 * the host emulates it; address then is the vsyscall entry), rcx and r11
 * as `syscall` left them. The guest writes the result to rax and calls
 * RUN_USER again; rip -= 2 restarts the call.
 */
#define PVISOR_EXIT_SYSCALL		1
/*
 * A page fault the guest's tables do not allow: vector 14, address the
 * linear address, error_code with P (the guest's entry was present), W,
 * U (always set), RSVD and I/D as x86 defines them. The guest fixes its
 * tables (no FLUSH needed for an entry that was not present) and runs
 * the same registers again.
 */
#define PVISOR_EXIT_FAULT		2
/*
 * Any other exception: vector and error_code as x86 gives them (#DE 0,
 * #DB 1, #BP 3, #OF 4, #BR 5, #UD 6, #NM 7, #GP 13 (privileged
 * instructions, non-canonical accesses; error code 0 unless the host
 * knows it), #MF 16, #AC 17, #XM 19); rip at the faulting instruction,
 * or past it for the traps (#BP, #OF, #DB after a single step).
 */
#define PVISOR_EXIT_TRAP		3
/* An upcall is pending for this vCPU (or a pause or shutdown needs it). */
#define PVISOR_EXIT_EVENT		4
/*
 * The context is gone (destroyed meanwhile, or its host process died):
 * the guest must treat the process as killed. Registers are unchanged.
 */
#define PVISOR_EXIT_GONE		5

/* syscall_arch, the AUDIT_ARCH_* values of <linux/audit.h>. */
#define PVISOR_ARCH_X86_64		0xc000003eU	/* syscall, x32 too */
#define PVISOR_ARCH_I386		0x40000003U	/* int $0x80, sysenter */

#endif /* _UAPI_PVISOR_CONTEXT_H */
