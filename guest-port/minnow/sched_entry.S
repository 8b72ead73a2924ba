/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A voluntary switch: the current thread stops here and goes on, some
 * day, as if sched_switch() had returned.
 *
 * Called with the upcall mask set, after the caller has set the thread's
 * state (sched.c). The frame is built below everything the caller owns
 * on its stack: rip the return address, rsp the caller's rsp after the
 * return, the callee-saved registers as they are, rax 0 and rflags 0
 * (the module adds IF; DF stays clear, as C wants). The caller-saved
 * registers are the call's to clobber and are left as they come.
 * sched_switch_frame() keeps the frame as the thread's context and
 * returns the next thread's, and the event callback's exit path
 * (event_entry.S) does the rest: rsp to that frame, open the mask, iret.
 */
#include "sched.h"

	.text
	.globl	sched_switch
	.type	sched_switch, @function
sched_switch:
	lea	8(%rsp), %rax			/* the caller's rsp, returned */
	mov	(%rsp), %rcx			/* where it returns to */
	lea	-FRAME_SIZE(%rsp), %rdi
	and	$-16, %rdi
	mov	%rdi, %rsp
	movq	$SCHED_SWITCH_VECTOR, FRAME_VECTOR(%rsp)
	mov	%r15, FRAME_R15(%rsp)
	mov	%r14, FRAME_R14(%rsp)
	mov	%r13, FRAME_R13(%rsp)
	mov	%r12, FRAME_R12(%rsp)
	mov	%rbp, FRAME_RBP(%rsp)
	mov	%rbx, FRAME_RBX(%rsp)
	movq	$0, FRAME_RAX(%rsp)
	mov	%rcx, FRAME_RIP(%rsp)
	movq	$0, FRAME_RFLAGS(%rsp)
	mov	%rax, FRAME_RSP(%rsp)
	movabs	$sched_switch_frame, %rax
	call	*%rax
	movabs	$event_exit, %rcx
	jmp	*%rcx
	.size	sched_switch, . - sched_switch

	.section .note.GNU-stack, "", @progbits
