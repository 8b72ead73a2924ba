/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The event callback, registered by events_init() with SET_CALLBACKS.
 *
 * The module enters here as it enters a trap entry (trap_entry.S): rsp
 * at a struct pvisor_trap_frame (vector PVISOR_EVENT_VECTOR) holding
 * every register of the interrupted code, evtchn_upcall_mask set. The
 * iret hypercall reloads all of them, so the entry may clobber anything;
 * rbx keeps the frame across the C call. evtchn_do_upcall() clears the
 * mask before it returns: an event arriving between that and the iret
 * enters here again, below this frame, and the nesting ends as soon as
 * no event is left.
 */
	.text
	.globl	event_entry
	.type	event_entry, @function
event_entry:
	mov	%rsp, %rbx
	and	$-16, %rsp
	mov	%rbx, %rdi
	movabs	$evtchn_do_upcall, %rax
	call	*%rax
	mov	%rbx, %rdi
	movabs	trap_iret_entry, %rax
	call	*%rax
	/* Only a frame the module refuses gets here. */
	movabs	$trap_iret_failed, %rax
	call	*%rax
	.size	event_entry, . - event_entry

	.section .note.GNU-stack, "", @progbits
