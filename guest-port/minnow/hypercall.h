/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hypercalls, as minnow makes them: a call to entry N of the hypercall
 * page the module maps at the top of the window, with the arguments in
 * rdi, rsi, rdx, r10, r8 and the result in rax (uapi/pvisor/hypercall.h).
 * The stub clobbers rcx, r11, r9 and the argument registers, and uses
 * 8 bytes of stack below the return address: minnow is built
 * -mno-red-zone, so nothing of ours lives there.
 */
#ifndef MINNOW_HYPERCALL_H
#define MINNOW_HYPERCALL_H

#include <pvisor/hypercall.h>

#include "lib.h"

static inline long hypercall5(unsigned int nr, u64 a1, u64 a2, u64 a3,
			      u64 a4, u64 a5)
{
	register u64 r10 asm("r10") = a4;
	register u64 r8 asm("r8") = a5;
	long ret;

	asm volatile("call *%%rax"
		     : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10),
		       "+r"(r8)
		     : "0"(PVISOR_HYPERCALL_PAGE +
			   (u64)nr * PVISOR_HYPERCALL_STRIDE)
		     : "rcx", "r9", "r11", "memory");
	return ret;
}

#define hypercall0(nr)			hypercall5(nr, 0, 0, 0, 0, 0)
#define hypercall1(nr, a)		hypercall5(nr, (u64)(a), 0, 0, 0, 0)
#define hypercall2(nr, a, b) \
	hypercall5(nr, (u64)(a), (u64)(b), 0, 0, 0)
#define hypercall3(nr, a, b, c) \
	hypercall5(nr, (u64)(a), (u64)(b), (u64)(c), 0, 0)
#define hypercall4(nr, a, b, c, d) \
	hypercall5(nr, (u64)(a), (u64)(b), (u64)(c), (u64)(d), 0)

static inline long hv_version(void)
{
	return hypercall1(PVISOR_HC_VERSION, PVISOR_VERSION_VERSION);
}

static inline long hv_console_write(const void *buf, u64 count)
{
	return hypercall3(PVISOR_HC_CONSOLE_IO, PVISOR_CONSOLEIO_WRITE, count,
			  buf);
}

static inline long hv_sched_yield(void)
{
	return hypercall2(PVISOR_HC_SCHED_OP, PVISOR_SCHEDOP_YIELD, 0);
}

static inline long hv_shutdown(u32 reason)
{
	struct pvisor_sched_shutdown arg = { .reason = reason };

	return hypercall2(PVISOR_HC_SCHED_OP, PVISOR_SCHEDOP_SHUTDOWN, &arg);
}

/* @done (may be NULL) receives how many requests were applied. */
static inline long hv_mmu_update(const struct pvisor_mmu_update *reqs,
				 u32 count, u32 *done)
{
	return hypercall4(PVISOR_HC_MMU_UPDATE, reqs, count, done, 0);
}

static inline long hv_mmuext_op(const struct pvisor_mmuext_op *ops,
				u32 count, u32 *done)
{
	return hypercall4(PVISOR_HC_MMUEXT_OP, ops, count, done, 0);
}

static inline long hv_update_va_mapping(u64 va, u64 pte, u64 flags)
{
	return hypercall3(PVISOR_HC_UPDATE_VA_MAPPING, va, pte, flags);
}

#endif /* MINNOW_HYPERCALL_H */
