// SPDX-License-Identifier: GPL-2.0
/*
 * RUN_USER: a vCPU runs guest user code in a context, and comes back.
 *
 * A vCPU is at any moment either its runner thread T executing the guest
 * kernel, or one context thread U executing guest user code; the other
 * sleeps in the module. The handoff, for a guest getpid() on vCPU 0:
 *
 *  1. T calls RUN_USER. We check the register block, store it in U's
 *     slot, mark U running and wake it; T sleeps on the vCPU's queue.
 *  2. U was parked in CTX_TRAP (or in its kick's task work). It writes
 *     the registers into its parked ucontext (or its saved user
 *     registers) and returns; the trampoline's rt_sigreturn lands in
 *     user code.
 *  3. User code executes `syscall`. The context's filter returns
 *     SECCOMP_RET_TRAP: the host forces SIGSYS onto U's trap stack, the
 *     trampoline calls CTX_TRAP with the ucontext. We copy the report
 *     once (the frame is user-writable: whatever it says, the user could
 *     have done by trapping), turn it into an exit, mark U parked, wake
 *     T and sleep.
 *  4. T wakes, writes the exit and the registers into the guest's block
 *     and returns 0 to the guest kernel.
 *
 * Events. Kicking a vCPU that is in RUN_USER (vcpu.c) only wakes T,
 * which then kicks U once: it sets KICK_WANTED and queues a task work
 * (TWA_SIGNAL), which interrupts user code like a signal but, unlike
 * one, cannot be blocked by user code (whose signal mask lives on its
 * writable trap stack). The task work parks U with an EXIT_EVENT, and
 * the park wakes T. T sleeps killable meanwhile, with no timeout: a
 * pause (SIGSTOP of the runner) or a kill gets the vCPU back as
 * promptly as an event does. RUN_USER unmasks upcalls, as Xen's return
 * to user mode enables events, so an upcall pending at the exit is
 * entered on the hypercall's way back (hypercall.c).
 *
 * Why the single kick is never lost, case by case:
 *  - the event comes before T sleeps: T's wait condition reads
 *    upcall_pending after in_user is set (vcpu.c's barrier protocol),
 *    so either the kicker wakes T or T sees it pending;
 *  - U parks on its own (a trap) just as T kicks: T's wait sees it
 *    parked; the task work then left queued runs at U's next return to
 *    user mode, finds KICK_WANTED cleared by that RUN_USER, and does
 *    nothing;
 *  - U is still in the module (waking from its park, filling a fault,
 *    in CTX_TRAP before its report): the task work runs on its way out,
 *    in user code (parks there) or in the trampoline after CTX_TRAP's
 *    return (parks there, the next registers going into the frame that
 *    rt_sigreturn loads);
 *  - U is in the trampoline before the handler's ioctl, or has a trap
 *    signal pending: the task work leaves it, because the filter lets
 *    no other system call out of the page and the handler runs into
 *    CTX_TRAP, which parks U (or, for a forged report, kills the
 *    process: the context dies and T is woken as for any death);
 *  - a kick already queued by an earlier run is reused: it reads
 *    KICK_WANTED only after clearing KICK_QUEUED, T sets KICK_WANTED
 *    before testing KICK_QUEUED (both full barriers), so one of the two
 *    task works sees the wish;
 *  - U dies or the context is killed: pvisor_context_kill() wakes every
 *    vCPU's queue and T sees ctx->dead.
 *
 * Locking: a thread's state, registers and exit are written under its
 * context's lock; the sleeps read state without it. T waits on the
 * vCPU's wait queue, U on its thread's.
 */

#include <linux/ptrace.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/task_work.h>
#include <linux/uaccess.h>
#include <asm/fsgsbase.h>
#include <asm/msr.h>
#include <asm/sigframe.h>
#include <asm/ucontext.h>
#include <pvisor/context.h>
#include <pvisor/device.h>
#include <pvisor/event.h>

#include "context.h"
#include "domain.h"
#include "evtchn.h"
#include "guest_addr.h"
#include "hypercall.h"
#include "pagetable.h"
#include "runner.h"
#include "trampoline.h"

/* th->kick_bits */
#define KICK_QUEUED	0	/* kick_work is queued */
#define KICK_WANTED	1	/* this run must end with an exit */

#define X86_TRAP_GP	13
#define X86_TRAP_PF	14
#define PF_PRESENT	(1ULL << 0)
#define PF_WRITE	(1ULL << 1)
#define PF_USER		(1ULL << 2)
#define PF_INSTR	(1ULL << 4)

/*
 * As PVISOR_HC_IRET filters rflags (trap.c), less ID: the host's
 * rt_sigreturn, which loads the registers of a parked report, keeps its
 * own ID, so user code could not rely on it anyway.
 */
#define USER_RFLAGS	(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | \
			 X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_TF | \
			 X86_EFLAGS_DF | X86_EFLAGS_OF | X86_EFLAGS_AC)

static u64 user_rflags(u64 flags)
{
	return (flags & USER_RFLAGS) | X86_EFLAGS_IF | X86_EFLAGS_FIXED;
}

/* fs and gs bases: the user's are live in the CPU while we run (x86-64). */
static void read_bases(struct pvisor_user_regs *r)
{
	preempt_disable();
	r->fs_base = x86_fsbase_read_cpu();
	rdmsrl(MSR_KERNEL_GS_BASE, r->gs_base);
	preempt_enable();
}

static void write_bases(const struct pvisor_user_regs *r)
{
	preempt_disable();
	x86_fsbase_write_cpu(r->fs_base);
	current->thread.fsbase = r->fs_base;
	wrmsrl(MSR_KERNEL_GS_BASE, r->gs_base);
	current->thread.gsbase = r->gs_base;
	preempt_enable();
}

static void regs_from_sigcontext(struct pvisor_user_regs *r,
				 const struct sigcontext_64 *sc)
{
	r->r15 = sc->r15; r->r14 = sc->r14; r->r13 = sc->r13;
	r->r12 = sc->r12; r->rbp = sc->bp; r->rbx = sc->bx;
	r->r11 = sc->r11; r->r10 = sc->r10; r->r9 = sc->r9; r->r8 = sc->r8;
	r->rax = sc->ax; r->rcx = sc->cx; r->rdx = sc->dx;
	r->rsi = sc->si; r->rdi = sc->di;
	r->orig_rax = -1ULL;
	r->rip = sc->ip; r->rflags = sc->flags; r->rsp = sc->sp;
}

static void regs_to_sigcontext(struct sigcontext_64 *sc,
			       const struct pvisor_user_regs *r)
{
	sc->r15 = r->r15; sc->r14 = r->r14; sc->r13 = r->r13;
	sc->r12 = r->r12; sc->bp = r->rbp; sc->bx = r->rbx;
	sc->r11 = r->r11; sc->r10 = r->r10; sc->r9 = r->r9; sc->r8 = r->r8;
	sc->ax = r->rax; sc->cx = r->rcx; sc->dx = r->rdx;
	sc->si = r->rsi; sc->di = r->rdi;
	sc->ip = r->rip; sc->flags = user_rflags(r->rflags); sc->sp = r->rsp;
}

static void regs_from_pt_regs(struct pvisor_user_regs *r,
			      const struct pt_regs *regs)
{
	r->r15 = regs->r15; r->r14 = regs->r14; r->r13 = regs->r13;
	r->r12 = regs->r12; r->rbp = regs->bp; r->rbx = regs->bx;
	r->r11 = regs->r11; r->r10 = regs->r10; r->r9 = regs->r9;
	r->r8 = regs->r8; r->rax = regs->ax; r->rcx = regs->cx;
	r->rdx = regs->dx; r->rsi = regs->si; r->rdi = regs->di;
	r->orig_rax = -1ULL;
	r->rip = regs->ip; r->rflags = regs->flags; r->rsp = regs->sp;
}

static void regs_to_pt_regs(struct pt_regs *regs,
			    const struct pvisor_user_regs *r)
{
	regs->r15 = r->r15; regs->r14 = r->r14; regs->r13 = r->r13;
	regs->r12 = r->r12; regs->bp = r->rbp; regs->bx = r->rbx;
	regs->r11 = r->r11; regs->r10 = r->r10; regs->r9 = r->r9;
	regs->r8 = r->r8; regs->ax = r->rax; regs->cx = r->rcx;
	regs->dx = r->rdx; regs->si = r->rsi; regs->di = r->rdi;
	regs->ip = r->rip; regs->flags = user_rflags(r->rflags);
	regs->sp = r->rsp;
	regs->orig_ax = -1;	/* no restart may rewrite what we loaded */
}

static bool thread_parked(struct pvisor_ctx_thread *th)
{
	return READ_ONCE(th->state) == CTX_THREAD_PARKED;
}

/*
 * Park the calling context thread after its exit (or first report):
 * wake the vCPU's runner thread and sleep until RUN_USER runs us again.
 * Return: true to run, false when the context died.
 */
static bool park(struct pvisor_ctx_thread *th)
{
	struct pvisor_context *ctx = th->ctx;

	wake_up(&ctx->dom->vcpus[th->vcpu].wait);
	wake_up_all(&ctx->wait);
	if (wait_event_killable(th->wait,
				READ_ONCE(th->state) == CTX_THREAD_RUNNING ||
				READ_ONCE(ctx->dead)))
		return false;
	return !READ_ONCE(ctx->dead);
}

/* The guest's page fault error code for a user access at @address. */
static u64 guest_pf_error(struct pvisor_context *ctx, u64 host_err, u64 address)
{
	struct pvisor_walk walk;
	u64 err = (host_err & (PF_WRITE | PF_INSTR)) | PF_USER;

	pvisor_pt_walk(ctx->dom, READ_ONCE(ctx->pt_base_pfn), address, &walk);
	if (walk.status == PVISOR_WALK_OK)
		err |= PF_PRESENT;	/* present: a protection fault */
	return err;
}

/* What a trap report says, as an exit. Called under the context's lock. */
static void exit_from_report(struct pvisor_ctx_thread *th,
			     const struct sigcontext_64 *sc,
			     const siginfo_t *si)
{
	struct pvisor_ctx_exit *e = &th->exit;

	regs_from_sigcontext(&th->regs, sc);
	memset(e, 0, sizeof(*e));
	e->host_signo = si->si_signo;
	if (si->si_signo == SIGSYS) {
		/* the filter's trap rolled rax back to the number */
		e->reason = PVISOR_EXIT_SYSCALL;
		th->regs.orig_rax = sc->ax;
		e->syscall_arch = si->si_arch;
		e->address = (u64)(unsigned long)si->si_call_addr;
	} else if (sc->trapno == X86_TRAP_PF &&
		   (si->si_signo == SIGSEGV || si->si_signo == SIGBUS)) {
		e->reason = PVISOR_EXIT_FAULT;
		e->vector = X86_TRAP_PF;
		e->address = sc->cr2;
		e->error_code = guest_pf_error(th->ctx, sc->err, sc->cr2);
	} else {
		e->reason = PVISOR_EXIT_TRAP;
		e->vector = sc->trapno < PVISOR_NR_TRAP_VECTORS ?
			    sc->trapno : X86_TRAP_GP;
		e->error_code = sc->err;
	}
}

/* The report's ucontext must lie on the reporting thread's trap stack. */
static bool on_trap_stack(const struct pvisor_ctx_thread *th, u64 uc)
{
	u64 base = PVISOR_CTX_STACK(th->vcpu);
	u64 need = sizeof(struct rt_sigframe) - offsetof(struct rt_sigframe, uc);

	return uc >= base && uc < base + PVISOR_CTX_STACK_SIZE &&
	       need <= base + PVISOR_CTX_STACK_SIZE - uc;
}

/*
 * The rest of the frame rt_sigreturn loads is the module's too, whatever
 * user code (or a sibling thread) wrote there: the user's segments, the
 * FPU state the report was taken with, and the thread's own trap stack
 * as its alternate stack. Otherwise a forged kernel cs would make every
 * later resume fault, and a forged uc_stack would move the trap stack.
 */
static void own_frame(const struct pvisor_ctx_thread *th,
		      struct sigcontext_64 *sc, stack_t *st)
{
	sc->cs = __USER_CS;
	sc->ss = __USER_DS;
	sc->fs = 0;
	sc->gs = 0;
	sc->fpstate = th->fpstate;
	memset(st, 0, sizeof(*st));	/* its padding goes to user memory */
	st->ss_sp = (void __user *)PVISOR_CTX_STACK(th->vcpu);
	st->ss_flags = 0;
	st->ss_size = PVISOR_CTX_STACK_SIZE;
}

/*
 * Resume from a parked report: the registers RUN_USER gave go into the
 * ucontext, with every signal open again in its mask.
 */
static long resume_report(struct pvisor_ctx_thread *th, u64 uc)
{
	struct ucontext __user *u = (struct ucontext __user *)uc;
	struct pvisor_user_regs regs;
	struct sigcontext_64 sc;
	sigset_t none;
	stack_t st;

	spin_lock(&th->ctx->lock);
	regs = th->regs;
	spin_unlock(&th->ctx->lock);

	/* an FPU_SET's image goes where rt_sigreturn loads the state from */
	if (pvisor_ctx_fpu_load_frame(th, th->fpstate) ||
	    copy_from_user(&sc, &u->uc_mcontext, sizeof(sc)))
		return -EFAULT;
	regs_to_sigcontext(&sc, &regs);
	own_frame(th, &sc, &st);
	sigemptyset(&none);
	if (copy_to_user(&u->uc_mcontext, &sc, sizeof(sc)) ||
	    copy_to_user(&u->uc_stack, &st, sizeof(st)) ||
	    copy_to_user(&u->uc_sigmask, &none, sizeof(none)))
		return -EFAULT;
	write_bases(&regs);
	return 0;
}

/**
 * pvisor_ctx_trap() - PVISOR_IOCTL_CTX_TRAP from the trampoline
 * @ctx: the context
 * @uc: the handler's ucontext, on the thread's trap stack
 *
 * Return: 0 when the ucontext holds the registers to run next; -EPERM
 * (not a bound thread), -EINVAL (not its trap stack), -EFAULT, -ESRCH
 * (the context died): the trampoline then dies.
 */
long pvisor_ctx_trap(struct pvisor_context *ctx, u64 uc)
{
	struct pvisor_ctx_thread *th = pvisor_context_current_thread(ctx);
	const u64 info_off = offsetof(struct rt_sigframe, info) -
			     offsetof(struct rt_sigframe, uc);
	struct sigcontext_64 sc;
	siginfo_t si;
	long ret = 0;

	if (!th)
		return -EPERM;
	if (!on_trap_stack(th, uc))
		return -EINVAL;
	/* Once: a sibling thread may be rewriting the frame meanwhile. */
	if (copy_from_user(&sc, &((struct ucontext __user *)uc)->uc_mcontext,
			   sizeof(sc)) ||
	    copy_from_user(&si, (void __user *)(uc + info_off), sizeof(si)))
		return -EFAULT;

	/*
	 * The user's FPU state is in this frame: the image takes it before
	 * we park (nobody else touches the image of a thread not parked).
	 */
	th->fpstate = pvisor_ctx_fpu_frame_ok(th, sc.fpstate) ? sc.fpstate : 0;
	pvisor_ctx_fpu_save_frame(th, th->fpstate);

	spin_lock(&ctx->lock);
	if (ctx->dead) {
		ret = -ESRCH;
	} else if (th->state == CTX_THREAD_STARTING) {
		pvisor_ctx_fpu_reset(th);	/* nothing of the factory's */
		th->exit.reason = 0;
		WRITE_ONCE(th->state, CTX_THREAD_PARKED);
		WRITE_ONCE(ctx->nr_parked, ctx->nr_parked + 1);
		if (ctx->nr_parked == ctx->nr_threads)
			WRITE_ONCE(ctx->ready, true);
	} else if (th->state == CTX_THREAD_RUNNING) {
		exit_from_report(th, &sc, &si);
		read_bases(&th->regs);
		WRITE_ONCE(th->state, CTX_THREAD_PARKED);
	} else {
		ret = -EINVAL;
	}
	th->ucontext = uc;
	spin_unlock(&ctx->lock);
	if (ret)
		return ret;

	if (!park(th))
		return -ESRCH;
	return resume_report(th, uc);
}

/*
 * Is a synchronous trap signal (a fault of the user code just
 * interrupted) pending? Its delivery reaches CTX_TRAP with the faulting
 * registers, so a kick must not park first and hand the guest kernel
 * registers that the report would then contradict. Only this thread
 * raises these, so a lockless look at its own pending set is exact.
 */
static bool trap_signal_pending(void)
{
	const unsigned long trap_sigs = sigmask(SIGSYS) | sigmask(SIGSEGV) |
		sigmask(SIGBUS) | sigmask(SIGILL) | sigmask(SIGFPE) |
		sigmask(SIGTRAP);

	return READ_ONCE(current->pending.signal.sig[0]) & trap_sigs;
}

/*
 * Park the kicked thread with an EXIT_EVENT. @regs, when given, are the
 * interrupted user registers and take the next ones; without, the
 * thread is between CTX_TRAP's return and rt_sigreturn, its registers
 * still those RUN_USER gave, and the next ones go into its frame.
 */
static void kick_park(struct pvisor_ctx_thread *th, struct pt_regs *regs)
{
	struct pvisor_context *ctx = th->ctx;
	struct pvisor_user_regs next;
	bool parked = false;

	/* where the user's FPU state is, the image takes it from */
	if (regs)
		pvisor_ctx_fpu_save_live(th);
	else
		pvisor_ctx_fpu_save_frame(th, th->fpstate);

	spin_lock(&ctx->lock);
	if (!ctx->dead && th->state == CTX_THREAD_RUNNING &&
	    test_bit(KICK_WANTED, &th->kick_bits)) {
		if (regs)
			regs_from_pt_regs(&th->regs, regs);
		read_bases(&th->regs);
		memset(&th->exit, 0, sizeof(th->exit));
		th->exit.reason = PVISOR_EXIT_EVENT;
		WRITE_ONCE(th->state, CTX_THREAD_PARKED);
		parked = true;
	}
	spin_unlock(&ctx->lock);
	if (!parked || !park(th))
		return;

	if (!regs) {
		if (resume_report(th, th->ucontext))
			pvisor_context_kill(ctx);
		return;
	}
	spin_lock(&ctx->lock);
	next = th->regs;
	spin_unlock(&ctx->lock);
	if (pvisor_ctx_fpu_load_live(th)) {
		pvisor_context_kill(ctx);
		return;
	}
	regs_to_pt_regs(regs, &next);
	write_bases(&next);
}

/*
 * The kick's task work, in the context thread on its way back to user
 * mode (TWA_SIGNAL gets it there from user code at once). Where the
 * thread is decides (the cases of "Events" above):
 *  - in user code, no trap signal pending: park here, on the
 *    interrupted registers;
 *  - in the trampoline between CTX_TRAP's return and rt_sigreturn:
 *    park here too, the next registers going into the frame that
 *    rt_sigreturn loads (the FPU state of the user lives there);
 *  - anywhere else in the trampoline, or with a trap signal pending:
 *    nothing. The thread is on its way into CTX_TRAP (the filter lets
 *    nothing else out of the page, and an invalid report kills the
 *    process), which parks it.
 * A kick no longer wanted (the thread parked since) does nothing.
 */
static void kick_work_run(struct callback_head *cb)
{
	struct pvisor_ctx_thread *th =
		container_of(cb, struct pvisor_ctx_thread, kick_work);
	struct pt_regs *regs = current_pt_regs();

	clear_bit(KICK_QUEUED, &th->kick_bits);
	smp_mb__after_atomic();		/* pairs with kick_thread() */
	if (!test_bit(KICK_WANTED, &th->kick_bits) ||
	    (current->flags & PF_EXITING) || !user_mode(regs))
		return;
	if (pvisor_trampoline_resuming(regs->ip))
		kick_park(th, NULL);
	else if (!pvisor_in_trampoline(regs->ip) && !trap_signal_pending())
		kick_park(th, regs);
}

/** pvisor_ctx_thread_init() - a new context thread slot */
void pvisor_ctx_thread_init(struct pvisor_ctx_thread *th)
{
	init_task_work(&th->kick_work, kick_work_run);
}

/*
 * Get the running @th back, once: the runner thread calls it once per
 * RUN_USER at most. KICK_WANTED is what the thread obeys; the task work
 * is only the way to make it look. Set before the queueing (ordered by
 * test_and_set_bit()), it is seen by a task work already queued (which
 * clears KICK_QUEUED, then reads it) or by the one we queue.
 */
static void kick_thread(struct pvisor_ctx_thread *th)
{
	set_bit(KICK_WANTED, &th->kick_bits);
	if (test_and_set_bit(KICK_QUEUED, &th->kick_bits))
		return;		/* a queued one will see KICK_WANTED */
	if (task_work_add(th->task, &th->kick_work, TWA_SIGNAL))
		clear_bit(KICK_QUEUED, &th->kick_bits);	/* exiting: its
							 * fd's release kills
							 * the context */
}

static bool user_addr_ok(u64 addr)
{
	return addr >= PVISOR_USER_BASE && addr < PVISOR_USER_TOP;
}

static bool regs_ok(const struct pvisor_user_regs *r)
{
	return user_addr_ok(r->rip) &&
	       r->rsp >= PVISOR_USER_BASE && r->rsp <= PVISOR_USER_TOP &&
	       r->fs_base < TASK_SIZE_MAX && r->gs_base < TASK_SIZE_MAX;
}

static u64 thread_cpu_ns(struct pvisor_ctx_thread *th)
{
	return READ_ONCE(th->task->se.sum_exec_runtime);
}

/** pvisor_vcpu_user_time() - CPU time context threads used for @vcpu */
u64 pvisor_vcpu_user_time(struct pvisor_vcpu *vcpu)
{
	return atomic64_read(&vcpu->user_time_ns);
}

/*
 * T's wait while U runs: until U parks or the context dies. An upcall
 * or a signal for T (pause, down, kill) ends the run: one kick, then a
 * killable wait for the park it brings. No timeout is needed: every
 * park and every death wakes vcpu->wait, and the kick cannot be lost
 * (kick_work_run()).
 */
static void wait_for_exit(struct pvisor_vcpu *vcpu, struct pvisor_ctx_thread *th)
{
	struct pvisor_vcpu_info *vi =
		&pvisor_shared_info(vcpu->dom)->vcpu_info[vcpu->id];
	struct pvisor_context *ctx = th->ctx;

	wait_event_interruptible(vcpu->wait,
				 thread_parked(th) || READ_ONCE(ctx->dead) ||
				 READ_ONCE(vi->evtchn_upcall_pending));
	if (thread_parked(th) || READ_ONCE(ctx->dead))
		return;
	kick_thread(th);
	wait_event_killable(vcpu->wait,
			    thread_parked(th) || READ_ONCE(ctx->dead));
}

/**
 * pvisor_hc_run_user() - run_user(run)
 * @runner: the caller's runner
 * @vcpu: the calling vCPU
 * @args: a[0], the guest's struct pvisor_user_run
 *
 * Return: 0 with the exit written back; -EFAULT, -EINVAL, -EBUSY (the
 * context's thread for this vCPU is not parked), -EINTR (the runner is
 * being killed).
 */
long pvisor_hc_run_user(struct pvisor_runner *runner, struct pvisor_vcpu *vcpu,
			const struct pvisor_hc_args *args)
{
	struct pvisor_vcpu_info *vi =
		&pvisor_shared_info(runner->dom)->vcpu_info[vcpu->id];
	struct pvisor_user_run __user *urun = (void __user *)args->a[0];
	struct pvisor_ctx_thread *th;
	struct pvisor_context *ctx;
	struct pvisor_user_run run;
	struct pvisor_ctx_exit exit;
	u64 start_ns;
	long ret = 0;

	if (!pvisor_guest_range_ok(args->a[0], sizeof(run)) ||
	    copy_from_user(&run, urun, sizeof(run)))
		return -EFAULT;
	if (run.flags || !regs_ok(&run.regs))
		return -EINVAL;
	ctx = pvisor_context_get(runner->dom, run.id);
	if (!ctx)
		return -EINVAL;
	th = &ctx->threads[vcpu->id];

	spin_lock(&ctx->lock);
	if (ctx->dead) {
		ret = 1;	/* gone */
	} else if (!ctx->ready || th->state != CTX_THREAD_PARKED) {
		ret = -EBUSY;
	} else {
		th->regs = run.regs;
		clear_bit(KICK_WANTED, &th->kick_bits);	/* a past run's */
		WRITE_ONCE(th->state, CTX_THREAD_RUNNING);
	}
	spin_unlock(&ctx->lock);
	if (ret < 0)
		goto out_put;
	if (ret) {
		ret = put_user(PVISOR_EXIT_GONE, &urun->reason) ? -EFAULT : 0;
		goto out_put;
	}

	start_ns = thread_cpu_ns(th);
	/* events are enabled in user mode; pairs with the kick (vcpu.c) */
	WRITE_ONCE(vi->evtchn_upcall_mask, 0);
	smp_store_mb(vcpu->in_user, true);
	wake_up_all(&th->wait);
	wait_for_exit(vcpu, th);
	smp_store_mb(vcpu->in_user, false);
	atomic64_add(thread_cpu_ns(th) - start_ns, &vcpu->user_time_ns);

	spin_lock(&ctx->lock);
	if (ctx->dead) {
		exit = (struct pvisor_ctx_exit){ .reason = PVISOR_EXIT_GONE };
	} else if (th->state == CTX_THREAD_PARKED) {
		run.regs = th->regs;
		exit = th->exit;
	} else {
		ret = -EINTR;	/* we are being killed; it runs on */
	}
	spin_unlock(&ctx->lock);
	if (ret)
		goto out_put;

	run.reason = exit.reason;
	run.vector = exit.vector;
	run.error_code = exit.error_code;
	run.address = exit.address;
	run.syscall_arch = exit.syscall_arch;
	run.host_signo = exit.host_signo;
	if (copy_to_user(urun, &run, sizeof(run)))
		ret = -EFAULT;
out_put:
	pvisor_context_put(ctx);
	return ret;
}
