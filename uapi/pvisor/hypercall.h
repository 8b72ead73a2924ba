/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * The guest/hypervisor ABI: hypercalls, the guest window, start_info and
 * the trap frame. A guest kernel ported to pvisor includes this header
 * (guest-port/ does) and nothing else of the host.
 *
 * Hypercall numbers and sub-operation values follow Xen's x86-64 PV ABI
 * wherever Xen has the call, so the paper's interface is recognisable;
 * the names are pvisor's. Documentation/hypercalls.rst is the reference.
 */
#ifndef _UAPI_PVISOR_HYPERCALL_H
#define _UAPI_PVISOR_HYPERCALL_H

#include <linux/types.h>

/*
 * The guest window: the range of the runner's address space the guest
 * owns. Guest virtual addresses are window addresses; the guest's page
 * tables map them to guest pfns, and the module fills the shadow (host)
 * page table from them. The last page is the hypercall page, mapped by
 * the module read-only and executable whatever the guest tables say.
 */
#define PVISOR_WINDOW_BASE		0x0000100000000000ULL	/* 16 TiB */
#define PVISOR_WINDOW_SIZE		0x0000010000000000ULL	/* 1 TiB */
#define PVISOR_HYPERCALL_PAGE \
	(PVISOR_WINDOW_BASE + PVISOR_WINDOW_SIZE - 4096)
#define PVISOR_HYPERCALL_STRIDE		32
#define PVISOR_IRET_PAGE		(PVISOR_HYPERCALL_PAGE - 4096)
/* Guest memory, as hypercalls accept it, ends at the module's pages. */
#define PVISOR_GUEST_LIMIT		(PVISOR_IRET_PAGE - 4096)

/* The runner keeps its domain fd at this number; hypercall stubs use it. */
#define PVISOR_RUNNER_FD		3

/* Hypercall numbers (Xen's where Xen has the call). */
#define PVISOR_HC_SET_TRAP_TABLE	0
#define PVISOR_HC_MMU_UPDATE		1
#define PVISOR_HC_MEMORY_OP		12
#define PVISOR_HC_MULTICALL		13
#define PVISOR_HC_UPDATE_VA_MAPPING	14
#define PVISOR_HC_VERSION		17
#define PVISOR_HC_CONSOLE_IO		18
#define PVISOR_HC_IRET			23
#define PVISOR_HC_VCPU_OP		24
#define PVISOR_HC_MMUEXT_OP		26
#define PVISOR_HC_SCHED_OP		29
#define PVISOR_NR_HYPERCALLS		64

/*
 * Calling convention (Xen x86-64): call PVISOR_HYPERCALL_PAGE + N * 32
 * with arguments in rdi, rsi, rdx, r10, r8; the result (>= 0, or a
 * negative errno) comes back in rax. rcx, r11, r9 and the argument
 * registers are clobbered; the stack must have 8 bytes of room below rsp.
 */

/* PVISOR_HC_VERSION(cmd): cmd 0 returns (major << 16) | minor. */
#define PVISOR_VERSION_VERSION		0
#define PVISOR_VERSION_MAJOR		1
#define PVISOR_VERSION_MINOR		0

/*
 * PVISOR_HC_MEMORY_OP(cmd, arg): the reservation (ballooning).
 *
 * CURRENT_RESERVATION and MAXIMUM_RESERVATION take arg = domid, 0 (self),
 * and return the frames the domain owns now and the most it may own (its
 * configured memory), in pages.
 *
 * DECREASE_RESERVATION gives the frames of a list of pfns back to the
 * host; POPULATE_PHYSMAP gives pfns below the maximum that have none a
 * fresh zeroed frame. arg points to a struct pvisor_memory_reservation;
 * the extents run in order and the call returns how many were done. If
 * the first one fails, it returns that extent's errno instead
 * (Documentation/hypercalls.rst lists them). The pfn list is only read.
 */
#define PVISOR_MEMOP_DECREASE_RESERVATION	1
#define PVISOR_MEMOP_CURRENT_RESERVATION	3
#define PVISOR_MEMOP_MAXIMUM_RESERVATION	4
#define PVISOR_MEMOP_POPULATE_PHYSMAP		6
#define PVISOR_MEMOP_EXTENTS_MAX		4096	/* per call */

struct pvisor_memory_reservation {
	__u64 extent_start;		/* guest address of __u64 pfns */
	__u64 nr_extents;		/* at most PVISOR_MEMOP_EXTENTS_MAX */
	__u32 extent_order;		/* 0: single pages only */
	__u32 mem_flags;		/* must be 0 */
	__u16 domid;			/* 0 (self) */
	__u16 pad[3];			/* must be 0 */
};

/*
 * PVISOR_HC_MULTICALL(calls, count): run each call in order, storing its
 * result in the entry; returns 0 once all have run. Multicall and iret
 * cannot be batched (their entries get -EINVAL).
 */
struct pvisor_multicall_entry {
	__u64 op;			/* hypercall number */
	__u64 result;			/* written back */
	__u64 args[6];			/* args[0..4] are the call's arguments */
};
#define PVISOR_MULTICALL_MAX		1024

/*
 * PVISOR_HC_VCPU_OP(cmd, vcpu, arg): bring secondary vCPUs up and down.
 * The boot vCPU starts up; the others start down, with the runner's
 * thread for each waiting in the module until the guest initialises and
 * ups it. A vCPU taken down stops at its next entry into the module (a
 * kick makes that soon) and resumes where it was when brought up again.
 * All vCPUs share one host page table: they must run with the same top
 * table (the guest kernel's), or see each other's mappings.
 */
#define PVISOR_VCPUOP_INITIALISE	0	/* arg: struct pvisor_vcpu_start */
#define PVISOR_VCPUOP_UP		1
#define PVISOR_VCPUOP_DOWN		2
#define PVISOR_VCPUOP_IS_UP		3	/* returns 1 or 0 */
/*
 * Timers of the calling vCPU (the target must be itself): a periodic
 * VIRQ_TIMER every period_ns (at least PVISOR_TIMER_MIN_PERIOD), and the
 * one-shot timer of PVISOR_HC_SET_TIMER_OP by another name.
 */
#define PVISOR_VCPUOP_SET_PERIODIC_TIMER	6	/* arg: struct pvisor_vcpu_timer */
#define PVISOR_VCPUOP_STOP_PERIODIC_TIMER	7
#define PVISOR_VCPUOP_SET_SINGLESHOT_TIMER	8	/* arg: struct pvisor_vcpu_timer */
#define PVISOR_VCPUOP_STOP_SINGLESHOT_TIMER	9
#define PVISOR_TIMER_MIN_PERIOD		100000ULL	/* 100 us */

struct pvisor_vcpu_timer {
	__u64 ns;			/* period, or absolute system time */
};

struct pvisor_vcpu_start {
	__u64 rip;			/* window addresses */
	__u64 rsp;
	__u64 rdi;			/* passed to the new vCPU */
	__u64 pt_base_pfn;		/* its top-level table */
};

/*
 * PVISOR_HC_CONSOLE_IO(cmd, count, buffer): WRITE logs bytes; READ takes
 * up to count bytes of the input Domain0 wrote (0 if none). VIRQ_CONSOLE
 * fires when input arrives.
 */
#define PVISOR_CONSOLEIO_WRITE		0
#define PVISOR_CONSOLEIO_READ		1

/* PVISOR_HC_SCHED_OP(cmd, arg) */
#define PVISOR_SCHEDOP_YIELD		0
#define PVISOR_SCHEDOP_SHUTDOWN		2	/* arg: struct pvisor_sched_shutdown * */

#define PVISOR_SHUTDOWN_POWEROFF	0
#define PVISOR_SHUTDOWN_REBOOT		1
#define PVISOR_SHUTDOWN_CRASH		3

struct pvisor_sched_shutdown {
	__u32 reason;			/* PVISOR_SHUTDOWN_* */
};

/*
 * Guest page tables: x86-64 4-level tables in guest memory whose entries
 * hold guest pfns. Honoured bits: present, RW, US (ignored until guest
 * user mode exists), NX. Large pages are not supported (the walk treats
 * PS as a fault). Changes take effect after an invalidation, as on a
 * real TLB; PVISOR_HC_MMU_UPDATE writes and invalidates in one call.
 */
#define PVISOR_PTE_PRESENT		(1ULL << 0)
#define PVISOR_PTE_RW			(1ULL << 1)
#define PVISOR_PTE_USER			(1ULL << 2)
#define PVISOR_PTE_PS			(1ULL << 7)
#define PVISOR_PTE_NX			(1ULL << 63)
#define PVISOR_PTE_PFN_MASK		0x000ffffffffff000ULL

/* PVISOR_HC_MMU_UPDATE(reqs, count, done_out, domid = 0 (self)) */
struct pvisor_mmu_update {
	__u64 ptr;			/* guest physical address of the PTE */
	__u64 val;			/* the new entry */
};
#define PVISOR_MMU_UPDATE_MAX		4096	/* requests per call */

/* PVISOR_HC_MMUEXT_OP(ops, count, done_out, domid = 0 (self)) */
#define PVISOR_MMUEXT_NEW_BASEPTR	5	/* arg1: pfn of the new top table */
#define PVISOR_MMUEXT_TLB_FLUSH_LOCAL	6
#define PVISOR_MMUEXT_INVLPG_LOCAL	7	/* arg1: linear address */

struct pvisor_mmuext_op {
	__u32 cmd;
	__u32 pad;
	__u64 arg1;
	__u64 arg2;
};

/* PVISOR_HC_UPDATE_VA_MAPPING(va, pte, flags) */
#define PVISOR_UVMF_NONE		0
#define PVISOR_UVMF_TLB_FLUSH		1
#define PVISOR_UVMF_INVLPG		2

/*
 * PVISOR_HC_SET_TRAP_TABLE(table): install handlers for the calling vCPU,
 * one entry per vector, up to an entry with address 0 (at most 256
 * entries). A NULL table removes every handler. A vector without a
 * handler crashes the domain when it fires.
 */
#define PVISOR_NR_TRAP_VECTORS		32
#define PVISOR_TRAP_TABLE_MAX		256

struct pvisor_trap_info {
	__u8 vector;			/* 0..31 */
	__u8 flags;			/* must be 0 */
	__u16 pad;
	__u32 pad2;
	__u64 address;			/* handler, a window address */
};

/*
 * A trap reaches the guest's handler with rsp pointing at this frame,
 * pushed below the interrupted stack (past a 128-byte red zone, 16-byte
 * aligned); every register except rip and rsp still holds its value at
 * the trap. The handler resumes with PVISOR_HC_IRET(frame), which
 * restores every register from the frame, so a handler can change them
 * (skip an instruction, say).
 *
 * error_code is the hardware's, except for page faults (vector 14),
 * whose P bit says whether the guest's own entry was present and whose
 * U bit is clear: the guest kernel runs in guest supervisor mode.
 */
struct pvisor_trap_frame {
	__u64 vector;			/* x86 exception vector */
	__u64 error_code;
	__u64 address;			/* faulting address for #PF, or 0 */
	__u64 r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	__u64 rcx, rdx, rsi, rdi;
	__u64 rax;
	__u64 rip;
	__u64 cs;			/* the host's user code segment */
	__u64 rflags;			/* IF and IOPL are the host's to keep */
	__u64 rsp;
	__u64 ss;
};

/*
 * A system call returns only 32 bits of rax on the host, so the iret
 * hypercall resumes vCPU N through a trampoline on the hypercall page
 * that loads rax and jumps to rip from vCPU N's slot on the iret page.
 * Guests must not resume with iretq themselves: under QEMU's TCG an
 * iretq in user mode trips the host's SMAP checks.
 */
#define PVISOR_IRET_TRAMPOLINE_STRIDE	16
#define PVISOR_IRET_TRAMPOLINE(vcpu) \
	(PVISOR_HYPERCALL_PAGE + PVISOR_NR_HYPERCALLS * PVISOR_HYPERCALL_STRIDE + \
	 (vcpu) * PVISOR_IRET_TRAMPOLINE_STRIDE)

/* PVISOR_HC_IRET(frame): resume from a trap frame; does not return. */

/*
 * start_info: built by the domain builder in guest memory; its window
 * address is in rsi when the first vCPU starts.
 */
#define PVISOR_START_MAGIC		"pvisor-1.0"
#define PVISOR_CMDLINE_MAX		1024

struct pvisor_start_info {
	char magic[32];			/* PVISOR_START_MAGIC, NUL padded */
	__u64 nr_pages;			/* the reservation, in pages */
	__u64 pt_base;			/* window address of the top table */
	__u64 nr_pt_frames;		/* frames the builder used for tables */
	__u64 first_free_pfn;		/* first pfn the builder left unused */
	__u64 mod_start;		/* window address of the ramdisk, or 0 */
	__u64 mod_len;			/* its length in bytes */
	__u32 nr_vcpus;
	__u32 flags;
	char cmd_line[PVISOR_CMDLINE_MAX];	/* NUL terminated */
	/* Xen's names: the xenstore ring's pfn and the guest's port for it. */
	__u64 store_mfn;			/* 0: no xenstore */
	__u32 store_evtchn;
	__u32 pad;
};

#endif /* _UAPI_PVISOR_HYPERCALL_H */
