/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The event callback, registered by events_init() with SET_CALLBACKS.
 *
 * The module enters here as it enters a trap entry (trap_entry.S): rsp
 * at a struct pvisor_trap_frame (vector PVISOR_EVENT_VECTOR) holding
 * every register of the interrupted code, evtchn_upcall_mask set. The
 * iret hypercall reloads all of them, so the entry may clobber anything.
 *
 * evtchn_do_upcall() scans with the mask set and returns the frame to
 * resume: the interrupted one, or, when the scheduler switches threads
 * (sched.c), the frame of the thread it resumes, on that thread's stack.
 * The exit path moves rsp to that frame *before* it opens the mask, so
 * that an event arriving between the opening and the iret is entered on
 * the resumed thread's stack, below its frame, and belongs to it. The
 * module's iret leaves the mask alone; the exit path opens it, and if an
 * upcall became pending meanwhile, scans again for the same frame
 * instead of resuming it. A voluntary switch (sched_entry.S) joins the
 * exit path with a frame of its own making.
 */
	.text
	.globl	event_entry
	.type	event_entry, @function
event_entry:
	mov	%rsp, %rdi
	mov	$1, %esi		/* a new upcall: counted */
	jmp	1f
event_rescan:				/* rdi: the frame; mask set */
	xor	%esi, %esi
1:	mov	%rdi, %rsp
	and	$-16, %rsp
	movabs	$evtchn_do_upcall, %rax
	call	*%rax
	.globl	event_exit
event_exit:				/* rax: the frame to resume; mask set */
	mov	%rax, %rbx
	mov	%rax, %rsp
	and	$-16, %rsp
	movabs	$evtchn_unmask_upcalls, %rax
	call	*%rax
	mov	%rbx, %rdi
	test	%al, %al
	jnz	event_rescan
	/* iret(frame): reloads every register, rsp and rip included. */
	movabs	trap_iret_entry, %rax
	call	*%rax
	/* Only a frame the module refuses gets here. */
	movabs	$trap_iret_failed, %rax
	call	*%rax
	.size	event_entry, . - event_entry

	.section .note.GNU-stack, "", @progbits
