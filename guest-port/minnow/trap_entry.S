/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The trap entries, one per vector 0-19, registered by trap_init().
 *
 * The module enters here with rsp at the trap frame and every other
 * register as it was when the trap hit. The frame holds all of them, and
 * the iret hypercall reloads all of them from it, so the entry may
 * clobber anything: rbx keeps the frame's address across the C call
 * (callee-saved), and rsp is aligned down to 16 bytes before the call,
 * as the C ABI wants, whatever the frame's own alignment.
 */
	.macro	trap_entry vector
	.globl	trap_entry_\vector
	.type	trap_entry_\vector, @function
trap_entry_\vector:
	mov	%rsp, %rbx
	and	$-16, %rsp
	mov	%rbx, %rdi
	mov	$\vector, %esi
	movabs	$trap_dispatch, %rax
	call	*%rax
	/* iret(frame): reloads every register, rsp and rip included. */
	mov	%rbx, %rdi
	movabs	trap_iret_entry, %rax
	call	*%rax
	/* Only a frame the module refuses gets here. */
	movabs	$trap_iret_failed, %rax
	call	*%rax
	.size	trap_entry_\vector, . - trap_entry_\vector
	.endm

	.text
	.irp	v, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19
	trap_entry \v
	.endr

	/* Their addresses, in vector order, for trap_init(). */
	.section .rodata
	.balign	8
	.globl	trap_entries
trap_entries:
	.irp	v, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19
	.quad	trap_entry_\v
	.endr

	.section .note.GNU-stack, "", @progbits
