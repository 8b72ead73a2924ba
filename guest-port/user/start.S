/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Process entry, as the System V x86-64 ABI leaves it: rsp points at argc,
 * then argv[], NULL, envp[], NULL, auxv. main(argc, argv), then
 * exit_group with its result.
 */

	.text
	.globl _start
	.type _start, @function
_start:
	xor	%ebp, %ebp		/* the outermost frame */
	mov	(%rsp), %rdi		/* argc */
	lea	8(%rsp), %rsi		/* argv */
	and	$-16, %rsp		/* the ABI's alignment at a call */
	call	main
	mov	%eax, %edi
	call	u_exit
	ud2
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
