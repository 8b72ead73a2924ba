/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minnow's first instruction. The module enters here with the registers
 * the builder chose: rsp at the top of the 16 KiB boot stack (16-byte
 * aligned), rsi = start_info, every other general register zero.
 */
	.section .text.head, "ax"
	.globl _start
	.type _start, @function
_start:
	mov	%rsi, %rdi
	xor	%ebp, %ebp
	call	minnow_start
	/* minnow_start shuts the domain down; this is never reached. */
1:	jmp	1b
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
