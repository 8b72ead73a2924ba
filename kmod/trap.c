// SPDX-License-Identifier: GPL-2.0
/*
 * Traps: how a privileged instruction, a fault or a breakpoint in guest
 * code reaches the guest's own handler.
 *
 * Guest code runs in host user mode, so every privileged instruction
 * (cli, hlt, mov to %cr3, in/out) raises #GP, and faults and traps raise
 * theirs, and the host turns each into a signal for the vCPU thread:
 * SIGSEGV, SIGILL, SIGFPE, SIGTRAP or SIGBUS. The runner catches them on
 * a signal stack outside the window and hands its ucontext to
 * pvisor_trap_deliver(). The kernel filled that ucontext with the
 * interrupted registers and, for hardware traps, the vector, error code
 * and faulting address. We push a trap frame with all of that on the
 * guest's stack and rewrite the ucontext so that the runner's
 * rt_sigreturn lands in the guest's handler, with rsp at the frame. The
 * handler resumes with the iret hypercall, which loads every register
 * from the (possibly edited) frame.
 *
 * Event upcalls take the same road: the module kicks a vCPU with SIGUSR1
 * (evtchn.c), the runner reports it like a trap, and deliver_event()
 * enters the guest's event callback instead of a trap handler.
 *
 * Everything read from the ucontext is untrusted: other vCPU threads run
 * guest code in the same address space. Nothing read there can do more
 * than the guest could do itself.
 */

#include <linux/ptrace.h>
#include <linux/sched/task_stack.h>
#include <linux/uaccess.h>
#include <asm/ucontext.h>
#include <pvisor/device.h>
#include <pvisor/event.h>
#include <pvisor/hypercall.h>

#include "domain.h"
#include "evtchn.h"
#include "hypercall.h"
#include "pagetable.h"
#include "runner.h"
#include "guest_addr.h"
#include "time.h"
#include "trap.h"
#include "vcpu.h"

#define RED_ZONE	128
#define X86_TRAP_DB	1
#define X86_TRAP_PF	14
#define PF_PRESENT	(1ULL << 0)
#define PF_USER		(1ULL << 2)

/* rflags bits a guest may set: arithmetic flags, TF, DF, AC and ID. */
#define GUEST_RFLAGS	(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | \
			 X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_TF | \
			 X86_EFLAGS_DF | X86_EFLAGS_OF | X86_EFLAGS_AC | \
			 X86_EFLAGS_ID)

static const char *const vector_names[PVISOR_NR_TRAP_VECTORS] = {
	[0] = "divide error", [1] = "debug trap", [3] = "breakpoint",
	[4] = "overflow", [5] = "bound range", [6] = "invalid opcode",
	[7] = "device not available", [10] = "invalid TSS",
	[11] = "segment not present", [12] = "stack fault",
	[13] = "general protection fault", [14] = "page fault",
	[16] = "x87 floating-point error", [17] = "alignment check",
	[19] = "SIMD floating-point error",
};

static const char *vector_name(u64 vector)
{
	if (vector < PVISOR_NR_TRAP_VECTORS && vector_names[vector])
		return vector_names[vector];
	return "trap";
}

/* The guest's view of a page fault's error code; see hypercall.h. */
static u64 guest_pf_error(struct pvisor_domain *dom, struct pvisor_vcpu *vcpu,
			  u64 err, u64 address)
{
	struct pvisor_walk walk;

	pvisor_pt_walk(dom, READ_ONCE(vcpu->pt_base_pfn), address, &walk);
	err &= ~(PF_PRESENT | PF_USER);
	if (walk.status == PVISOR_WALK_OK)
		err |= PF_PRESENT;
	return err;
}

static void frame_from_sigcontext(struct pvisor_trap_frame *f,
				  const struct sigcontext_64 *sc)
{
	f->vector = sc->trapno;
	f->error_code = sc->err;
	f->address = sc->trapno == X86_TRAP_PF ? sc->cr2 : 0;
	f->r15 = sc->r15; f->r14 = sc->r14; f->r13 = sc->r13;
	f->r12 = sc->r12; f->rbp = sc->bp; f->rbx = sc->bx;
	f->r11 = sc->r11; f->r10 = sc->r10; f->r9 = sc->r9; f->r8 = sc->r8;
	f->rcx = sc->cx; f->rdx = sc->dx; f->rsi = sc->si; f->rdi = sc->di;
	f->rax = sc->ax;
	f->rip = sc->ip;
	f->cs = sc->cs;
	f->rflags = sc->flags;
	f->rsp = sc->sp;
	f->ss = sc->ss;
}

/*
 * Push @frame below the interrupted stack and make the signal return
 * land in @handler. A guest whose stack cannot take the frame has lost
 * its own context: it crashes.
 */
static long redirect(struct pvisor_domain *dom, struct sigcontext_64 __user *usc,
		     const struct sigcontext_64 *sc,
		     const struct pvisor_trap_frame *frame, u64 handler)
{
	u64 sp = ((sc->sp - RED_ZONE) & ~15ULL) - sizeof(*frame);

	if (!pvisor_guest_range_ok(sp, sizeof(*frame)) ||
	    copy_to_user((void __user *)sp, frame, sizeof(*frame))) {
		pvisor_domain_crash(dom, "cannot push a trap frame for %s at %#llx (stack %#llx)",
				    frame->vector == PVISOR_EVENT_VECTOR ?
				    "an event upcall" : vector_name(frame->vector),
				    sc->ip, sc->sp);
		return -EFAULT;
	}
	/*
	 * rax too: finish_iret_trampoline() may have changed it. The
	 * handler starts without TF, as x86 and Xen enter handlers: a
	 * single-stepping guest would otherwise trap at its handler's first
	 * instruction for ever. The frame keeps TF for the iret.
	 */
	if (put_user(handler, &usc->ip) || put_user(sp, &usc->sp) ||
	    put_user(sc->ax, &usc->ax) ||
	    put_user(sc->flags & ~(u64)X86_EFLAGS_TF, &usc->flags))
		return -EFAULT;
	return 0;
}

static long deliver_trap(struct pvisor_domain *dom, struct pvisor_vcpu *vcpu,
			 struct sigcontext_64 __user *usc,
			 const struct sigcontext_64 *sc, u32 signo)
{
	struct pvisor_trap_frame frame;
	u64 handler;

	handler = sc->trapno < PVISOR_NR_TRAP_VECTORS ?
		  READ_ONCE(vcpu->traps[sc->trapno]) : 0;
	if (!handler) {
		if (sc->trapno == X86_TRAP_PF)
			pvisor_domain_crash(dom, "unhandled page fault at %#llx (rip %#llx)",
					    sc->cr2, sc->ip);
		else
			pvisor_domain_crash(dom, "unhandled %s (vector %llu, signal %u) at rip %#llx",
					    vector_name(sc->trapno), sc->trapno,
					    signo, sc->ip);
		return -ENOENT;
	}

	frame_from_sigcontext(&frame, sc);
	if (frame.vector == X86_TRAP_PF)
		frame.error_code = guest_pf_error(dom, vcpu, frame.error_code,
						  frame.address);
	return redirect(dom, usc, sc, &frame, handler);
}

/*
 * An event kick (evtchn.c): enter the event callback if an upcall is
 * pending and not masked, masking further upcalls as Xen does. A kick
 * that finds nothing to do, or lands while the thread is not in guest
 * code, changes nothing: the pending flag stays for the guest to see.
 */
static long deliver_event(struct pvisor_domain *dom, struct pvisor_vcpu *vcpu,
			  struct sigcontext_64 __user *usc,
			  const struct sigcontext_64 *sc)
{
	struct pvisor_vcpu_info *vi = &pvisor_shared_info(dom)->vcpu_info[vcpu->id];
	u64 callback = READ_ONCE(vcpu->event_callback);
	struct pvisor_trap_frame frame;

	if (!callback || !READ_ONCE(vi->evtchn_upcall_pending) ||
	    READ_ONCE(vi->evtchn_upcall_mask) || !pvisor_in_window(sc->ip))
		return 0;

	WRITE_ONCE(vi->evtchn_upcall_mask, 1);
	pvisor_time_update(vcpu);
	frame_from_sigcontext(&frame, sc);
	frame.vector = PVISOR_EVENT_VECTOR;
	frame.error_code = 0;
	frame.address = 0;
	return redirect(dom, usc, sc, &frame, callback);
}

/*
 * A signal can land between an iret hypercall and the end of its
 * trampoline, before rax and rip are loaded from the vCPU's slot. A frame
 * built from that context would resume in the trampoline after a nested
 * iret has overwritten the slot. So finish the trampoline's work first:
 * its two instructions have no other effect.
 */
static bool finish_iret_trampoline(struct pvisor_runner *runner,
				   struct pvisor_vcpu *vcpu,
				   struct sigcontext_64 *sc)
{
	const u64 *slot = (u64 *)page_address(runner->iret_page) + vcpu->id * 2;

	if (sc->ip < PVISOR_IRET_TRAMPOLINE(0) ||
	    sc->ip >= PVISOR_IRET_TRAMPOLINE(PVISOR_MAX_VCPUS))
		return false;
	sc->ax = READ_ONCE(slot[0]);
	sc->ip = READ_ONCE(slot[1]);
	return true;
}

/*
 * An iret to a single-stepping context traps after the trampoline's
 * first instruction: that step is ours, not the guest's. Resume at the
 * guest instruction with TF still set, so its own step comes next.
 */
static long skip_trampoline_step(struct sigcontext_64 __user *usc,
				 const struct sigcontext_64 *sc)
{
	if (put_user(sc->ip, &usc->ip) || put_user(sc->ax, &usc->ax))
		return -EFAULT;
	return 0;
}

/**
 * pvisor_trap_deliver() - PVISOR_IOCTL_VCPU_TRAP
 * @runner: the caller's runner
 * @urep: the runner's report: its signal handler's ucontext
 *
 * Return: 0 when the ucontext now leads into the guest's handler (or, for
 * an event kick, when there was nothing to deliver); -ENOENT when the
 * guest has no handler (the domain has crashed), -EFAULT when the frame
 * could not be pushed (likewise), -EPERM, -EINVAL.
 */
long pvisor_trap_deliver(struct pvisor_runner *runner,
			 const struct pvisor_trap_report __user *urep)
{
	struct pvisor_vcpu *vcpu = pvisor_runner_current_vcpu(runner);
	struct pvisor_trap_report rep;
	struct sigcontext_64 __user *usc;
	struct sigcontext_64 sc;

	if (!vcpu)
		return -EPERM;
	if (copy_from_user(&rep, urep, sizeof(rep)))
		return -EFAULT;
	if (rep.flags)
		return -EINVAL;
	/* A vCPU taken down (vcpu.c) parks here until it is up again. */
	if (!READ_ONCE(vcpu->up)) {
		long ret = pvisor_vcpu_wait_up(vcpu);

		if (ret)
			return ret;
	}
	usc = (struct sigcontext_64 __user *)(unsigned long)
	      (rep.ucontext + offsetof(struct ucontext, uc_mcontext));
	if (copy_from_user(&sc, usc, sizeof(sc)))
		return -EFAULT;

	if (finish_iret_trampoline(runner, vcpu, &sc) &&
	    rep.signo == SIGTRAP && sc.trapno == X86_TRAP_DB)
		return skip_trampoline_step(usc, &sc);
	if (rep.signo == SIGUSR1)
		return deliver_event(runner->dom, vcpu, usc, &sc);
	return deliver_trap(runner->dom, vcpu, usc, &sc, rep.signo);
}

/**
 * pvisor_upcall_on_return() - enter the event callback from a hypercall
 * @runner: the caller's runner
 * @vcpu: the calling vCPU, with an upcall deliverable
 * @ret: the hypercall's result, which the interrupted context gets back
 *
 * The fast road: no signal, no runner handler, no trap report. The
 * hypercall's return is redirected into the callback with a frame built
 * from the saved registers (rip and rsp are the stub's; rax is @ret), so
 * the callback's iret finishes the hypercall as if nothing happened.
 *
 * Return: what the system call returns now (rax at the callback's entry).
 */
long pvisor_upcall_on_return(struct pvisor_runner *runner,
			     struct pvisor_vcpu *vcpu, long ret)
{
	struct pvisor_vcpu_info *vi =
		&pvisor_shared_info(runner->dom)->vcpu_info[vcpu->id];
	struct pt_regs *regs = current_pt_regs();
	struct pvisor_trap_frame f = {
		.vector = PVISOR_EVENT_VECTOR,
		.r15 = regs->r15, .r14 = regs->r14, .r13 = regs->r13,
		.r12 = regs->r12, .rbp = regs->bp, .rbx = regs->bx,
		.r11 = regs->r11, .r10 = regs->r10, .r9 = regs->r9,
		.r8 = regs->r8, .rcx = regs->cx, .rdx = regs->dx,
		.rsi = regs->si, .rdi = regs->di,
		.rax = ret,
		.rip = regs->ip, .cs = regs->cs, .rflags = regs->flags,
		.rsp = regs->sp, .ss = regs->ss,
	};
	u64 sp = ((regs->sp - RED_ZONE) & ~15ULL) - sizeof(f);

	if (!pvisor_guest_range_ok(sp, sizeof(f)) ||
	    copy_to_user((void __user *)sp, &f, sizeof(f))) {
		pvisor_domain_crash(runner->dom, "cannot push a trap frame for an event upcall at %#lx (stack %#lx)",
				    regs->ip, regs->sp);
		return ret;
	}
	WRITE_ONCE(vi->evtchn_upcall_mask, 1);
	pvisor_time_update(vcpu);
	regs->ip = READ_ONCE(vcpu->event_callback);
	regs->sp = sp;
	regs->flags &= ~X86_EFLAGS_TF;	/* as redirect(): the frame keeps it */
	regs->orig_ax = -1;	/* no restart may rewrite what we built */
	return 0;
}

/** pvisor_hc_set_trap_table() - set_trap_table(table) for @vcpu */
long pvisor_hc_set_trap_table(struct pvisor_vcpu *vcpu,
			      const struct pvisor_hc_args *args)
{
	u64 traps[PVISOR_NR_TRAP_VECTORS];
	struct pvisor_trap_info info;
	u64 table = args->a[0];
	unsigned int i, v;

	if (!table) {
		for (v = 0; v < PVISOR_NR_TRAP_VECTORS; v++)
			WRITE_ONCE(vcpu->traps[v], 0);
		return 0;
	}

	/* Validate the whole table before changing anything. */
	memcpy(traps, vcpu->traps, sizeof(traps));
	for (i = 0; i < PVISOR_TRAP_TABLE_MAX; i++) {
		u64 entry = table + i * sizeof(info);

		if (!pvisor_guest_range_ok(entry, sizeof(info)) ||
		    copy_from_user(&info, (void __user *)entry, sizeof(info)))
			return -EFAULT;
		if (!info.address)
			break;
		if (info.vector >= PVISOR_NR_TRAP_VECTORS || info.flags ||
		    !pvisor_guest_range_ok(info.address, 1))
			return -EINVAL;
		traps[info.vector] = info.address;
	}
	if (i == PVISOR_TRAP_TABLE_MAX)
		return -E2BIG;
	for (v = 0; v < PVISOR_NR_TRAP_VECTORS; v++)
		WRITE_ONCE(vcpu->traps[v], traps[v]);
	return 0;
}

/**
 * pvisor_hc_iret() - iret(frame): resume the context a trap frame holds
 * @runner: the caller's runner
 * @vcpu: the calling vCPU
 * @args: a[0], the frame
 *
 * A system call returns only 32 bits of rax on 6.1 (the ioctl system call
 * keeps its result in an int), so rax and rip travel through the vCPU's
 * slot on the iret page and its trampoline (hypercall_page.c); every other
 * register, rsp and rflags are set here.
 */
long pvisor_hc_iret(struct pvisor_runner *runner, struct pvisor_vcpu *vcpu,
		    const struct pvisor_hc_args *args)
{
	struct pt_regs *regs = current_pt_regs();
	struct pvisor_trap_frame f;
	u64 uframe = args->a[0];
	u64 *slot;

	if (!pvisor_guest_range_ok(uframe, sizeof(f)) ||
	    copy_from_user(&f, (void __user *)uframe, sizeof(f)))
		return -EFAULT;
	/* Guest code: an upcall may have interrupted a hypercall stub. */
	if (!pvisor_in_window(f.rip))
		return -EINVAL;

	slot = (u64 *)page_address(runner->iret_page) + vcpu->id * 2;
	WRITE_ONCE(slot[0], f.rax);
	WRITE_ONCE(slot[1], f.rip);

	regs->r15 = f.r15; regs->r14 = f.r14; regs->r13 = f.r13;
	regs->r12 = f.r12; regs->bp = f.rbp; regs->bx = f.rbx;
	regs->r11 = f.r11; regs->r10 = f.r10; regs->r9 = f.r9; regs->r8 = f.r8;
	regs->cx = f.rcx; regs->dx = f.rdx; regs->si = f.rsi; regs->di = f.rdi;
	regs->sp = f.rsp;
	regs->flags = (f.rflags & GUEST_RFLAGS) | X86_EFLAGS_IF |
		      X86_EFLAGS_FIXED;
	regs->ip = PVISOR_IRET_TRAMPOLINE(vcpu->id);
	/* Not a system call any more: no restart may rewrite rax or rip. */
	regs->orig_ax = -1;
	return 0;
}
