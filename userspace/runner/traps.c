// SPDX-License-Identifier: GPL-2.0
/*
 * Trap delivery, the runner's half.
 *
 * Guest code runs in this process in host user mode, so its divide
 * errors, breakpoints, invalid opcodes, page faults and privileged
 * instructions (cli, hlt, in/out, mov to %cr3: all #GP in user mode)
 * reach the vCPU thread as host signals. The handler below catches them
 * on a signal stack of the runner's own, outside the guest window, and
 * passes its ucontext to the module with PVISOR_IOCTL_VCPU_TRAP. The
 * module pushes a trap frame on the guest's stack and rewrites the
 * ucontext's rip and rsp, so that returning from the handler (the
 * kernel's rt_sigreturn, which the seccomp filter allows) enters the
 * guest's handler. When the guest has none, the module crashes the
 * domain and the ioctl fails; the runner is then being killed, and the
 * handler just leaves.
 *
 * Event kicks take the same path. When an event becomes pending for a
 * vCPU, the module sends its thread SIGUSR1; the handler reports it like
 * a trap, and the module either pushes an event frame and points the
 * ucontext at the guest's event callback (upcall pending, not masked, a
 * callback set) or leaves the ucontext alone, so that returning simply
 * resumes the guest where the kick found it. A kick that lands while the
 * vCPU sleeps in SCHEDOP_BLOCK or any other hypercall is taken when that
 * ioctl returns, so the callback sees the hypercall's result in rax.
 *
 * Only the kernel's signals are traps or kicks: the CPU's exceptions
 * and the module's send_sig() carry a positive si_code. A signal some
 * process sent (kill: SI_USER, tgkill: SI_TKILL, sigqueue: SI_QUEUE,
 * all zero or below) is a forgery, root's included, since the runner's
 * own uid keeps everyone else out (uids.c): the handler ignores it and
 * the guest goes on where it was. Nothing in the signal can be trusted
 * to say more, and the handler has no way to log.
 *
 * The handler runs with the guest's registers everywhere but rip and
 * rsp. In particular the guest may have pointed %fs somewhere else
 * (wrfsbase), so nothing here may touch thread-local storage: no errno,
 * no libc call, no stack protector canary (this file is built with
 * -fno-stack-protector). The ioctl is a raw syscall instruction.
 */

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <pvisor/device.h>
#include <pvisor/hypercall.h>

#include "runner.h"
#include "traps.h"

/* What the guest raises, then the module's event kick. */
static const int trap_signals[] = {
	SIGSEGV, SIGILL, SIGFPE, SIGTRAP, SIGBUS, SIGUSR1,
};

static long raw_syscall3(long nr, long a1, long a2, long a3)
{
	long ret;

	asm volatile("syscall"
		     : "=a"(ret)
		     : "0"(nr), "D"(a1), "S"(a2), "d"(a3)
		     : "rcx", "r11", "memory");
	return ret;
}

static void on_trap(int sig, siginfo_t *info, void *uc)
{
	struct pvisor_trap_report rep;

	if (info->si_code <= 0)
		return;		/* sent by a process: not the guest's */
	/* The module reads what else it needs from the ucontext. */
	rep.ucontext = (uintptr_t)uc;
	rep.signo = (uint32_t)sig;
	rep.flags = 0;
	if (raw_syscall3(SYS_ioctl, PVISOR_RUNNER_FD, PVISOR_IOCTL_VCPU_TRAP,
			 (long)&rep) == 0)
		return;		/* into the guest's handler */

	/*
	 * Refused. When the guest has no handler the module has crashed the
	 * domain and a SIGKILL is already on its way; otherwise (a fault in
	 * the runner's own code, say) returning would only fault again.
	 */
	raw_syscall3(SYS_exit_group, TRAPS_EXIT_REFUSED, 0, 0);
	for (;;)
		;
}

static bool in_window(uint64_t addr, uint64_t len)
{
	return addr < PVISOR_WINDOW_BASE + PVISOR_WINDOW_SIZE &&
	       addr + len > PVISOR_WINDOW_BASE;
}

int traps_thread_init(void)
{
	const size_t guard = 4096;
	stack_t ss = { .ss_size = TRAPS_STACK_SIZE };
	unsigned int i;
	sigset_t set;
	char *p;

	/* A guard page below it: an overflow faults instead of spreading. */
	p = mmap(NULL, TRAPS_STACK_SIZE + guard, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (p == MAP_FAILED) {
		runner_error("cannot allocate a signal stack: %s",
			     strerror(errno));
		return -ENOMEM;
	}
	/* The kernel never places it there, but the guest owns the window. */
	if (in_window((uintptr_t)p, TRAPS_STACK_SIZE + guard)) {
		runner_error("the signal stack landed in the guest window");
		return -EFAULT;
	}
	ss.ss_sp = p + guard;
	if (mprotect(p, guard, PROT_NONE) < 0 || sigaltstack(&ss, NULL) < 0) {
		runner_error("cannot set up the signal stack: %s",
			     strerror(errno));
		return -errno;
	}
	/*
	 * The mask is inherited across exec: whoever started us may have
	 * blocked the event kick, and a blocked kick would never enter the
	 * guest's callback. Blocking a synchronous trap signal is worse: the
	 * kernel kills the process instead of delivering it.
	 */
	sigemptyset(&set);
	for (i = 0; i < sizeof(trap_signals) / sizeof(trap_signals[0]); i++)
		sigaddset(&set, trap_signals[i]);
	if (sigprocmask(SIG_UNBLOCK, &set, NULL) < 0) {
		runner_error("cannot unblock the trap signals: %s",
			     strerror(errno));
		return -errno;
	}
	return 0;
}

int traps_init(void)
{
	struct sigaction sa;
	unsigned int i;
	int ret;

	ret = traps_thread_init();
	if (ret)
		return ret;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_trap;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	/*
	 * Nothing may interrupt the handler, an event kick included: it
	 * holds the only copy of the guest's registers. rt_sigreturn
	 * restores the guest's mask, in which every one of them is open
	 * (traps_thread_init()); a kick sent meanwhile waits until then.
	 */
	sigfillset(&sa.sa_mask);
	for (i = 0; i < sizeof(trap_signals) / sizeof(trap_signals[0]); i++) {
		if (sigaction(trap_signals[i], &sa, NULL) < 0) {
			runner_error("sigaction(%d): %s", trap_signals[i],
				     strerror(errno));
			return -errno;
		}
	}
	return 0;
}
