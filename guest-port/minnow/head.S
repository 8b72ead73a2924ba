/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minnow's first instructions.
 *
 * vCPU 0: the module enters _start with the registers the builder chose:
 * rsp at the top of the 16 KiB boot stack, rsi = start_info, every other
 * general register zero. minnow_start() gets the rsp too: vCPU 0 stays
 * on that stack, and knows it by its range (cpu.h).
 *
 * A secondary vCPU starts at secondary_entry (smp.c).
 */

	.section .text.head, "ax"
	.globl _start
	.type _start, @function
_start:
	mov	%rsi, %rdi
	mov	%rsp, %rsi
	xor	%ebp, %ebp
	movabs	$minnow_start, %rax
	call	*%rax
	/* minnow_start shuts the domain down; this is never reached. */
1:	jmp	1b
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
