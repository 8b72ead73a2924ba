// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercalls: the guest's only way out.
 *
 * The path of one call. Guest code calls stub N on the hypercall page
 * (hypercall_page.c wrote it). The stub parks argument 1 in r9 and argument 2 in
 * rbx, then issues ioctl(PVISOR_RUNNER_FD, PVISOR_IOCTL_HYPERCALL(N))
 * with the `syscall` instruction. The runner's seccomp filter lets
 * exactly that through; runner.c routes it here. We collect the five
 * arguments from the saved user registers, check that the caller is a
 * vCPU thread, and dispatch. The return
 * value travels back in rax through the ordinary system-call return, and
 * the stub returns to the guest.
 *
 * Every guest pointer is checked to lie inside the window before it is
 * used, and everything is copied in once: the guest may be changing its
 * memory on another vCPU while we look. Unknown calls return -ENOSYS, as
 * in Xen; bad arguments return an errno and never crash the domain.
 */

#include <linux/build_bug.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <linux/ptrace.h>
#include <linux/sched/task_stack.h>
#include <pvisor/device.h>
#include <pvisor/event.h>
#include <pvisor/grant.h>
#include <pvisor/hypercall.h>

#include "console.h"
#include "context.h"
#include "evtchn.h"
#include "grant.h"
#include "time.h"
#include "domain.h"
#include "hypercall.h"
#include "memory_op.h"
#include "mmu.h"
#include "multicall.h"
#include "runner.h"
#include "stats.h"
#include "guest_addr.h"
#include "trap.h"
#include "vcpu.h"

/*
 * The guest ABI's layouts are fixed: a guest built against any copy of
 * uapi/pvisor/hypercall.h must agree with us to the byte.
 */
static inline void abi_layout_check(void)
{
	BUILD_BUG_ON(sizeof(struct pvisor_mmu_update) != 16);
	BUILD_BUG_ON(sizeof(struct pvisor_mmuext_op) != 24);
	BUILD_BUG_ON(offsetof(struct pvisor_mmuext_op, arg1) != 8);
	BUILD_BUG_ON(sizeof(struct pvisor_sched_shutdown) != 4);
	BUILD_BUG_ON(sizeof(struct pvisor_trap_info) != 16);
	BUILD_BUG_ON(offsetof(struct pvisor_trap_info, address) != 8);
	BUILD_BUG_ON(sizeof(struct pvisor_trap_frame) != 23 * 8);
	BUILD_BUG_ON(offsetof(struct pvisor_trap_frame, r15) != 24);
	BUILD_BUG_ON(offsetof(struct pvisor_trap_frame, rip) != 18 * 8);
	BUILD_BUG_ON(sizeof(struct pvisor_trap_report) != 16);
	BUILD_BUG_ON(sizeof(struct pvisor_multicall_entry) != 64);
	BUILD_BUG_ON(sizeof(struct pvisor_vcpu_time_info) != 32);
	BUILD_BUG_ON(sizeof(struct pvisor_vcpu_info) != 64);
	BUILD_BUG_ON(offsetof(struct pvisor_vcpu_info, evtchn_pending_sel) != 8);
	BUILD_BUG_ON(offsetof(struct pvisor_vcpu_info, time) != 32);
	BUILD_BUG_ON(offsetof(struct pvisor_shared_info, evtchn_pending) != 2048);
	BUILD_BUG_ON(offsetof(struct pvisor_shared_info, evtchn_mask) != 2560);
	BUILD_BUG_ON(offsetof(struct pvisor_shared_info, wc_version) != 3072);
	BUILD_BUG_ON(sizeof(struct pvisor_shared_info) > PAGE_SIZE);
	BUILD_BUG_ON(PVISOR_SHARED_INFO_VCPUS < PVISOR_MAX_VCPUS);
	BUILD_BUG_ON(sizeof(struct pvisor_evtchn_status) != 24);
	BUILD_BUG_ON(sizeof(struct pvisor_vcpu_start) != 32);
	BUILD_BUG_ON(sizeof(struct pvisor_sched_poll) != 24);
	BUILD_BUG_ON(sizeof(struct pvisor_vcpu_timer) != 8);
	BUILD_BUG_ON(offsetof(struct pvisor_start_info, nr_pages) != 32);
	BUILD_BUG_ON(offsetof(struct pvisor_start_info, pt_base) != 40);
	BUILD_BUG_ON(offsetof(struct pvisor_start_info, nr_vcpus) != 80);
	BUILD_BUG_ON(offsetof(struct pvisor_start_info, cmd_line) != 88);
	BUILD_BUG_ON(offsetof(struct pvisor_start_info, store_mfn) !=
		     88 + PVISOR_CMDLINE_MAX);
	BUILD_BUG_ON(sizeof(struct pvisor_start_info) != 104 + PVISOR_CMDLINE_MAX);
	BUILD_BUG_ON(sizeof(struct pvisor_store_setup) != 24);
	BUILD_BUG_ON(sizeof(struct pvisor_evtchn_dom0) != 16);
	BUILD_BUG_ON(sizeof(struct pvisor_vcpu_context) != 40);
	BUILD_BUG_ON(sizeof(struct pvisor_runner_attach) != 8);
	BUILD_BUG_ON(sizeof(struct pvisor_ctx_create) != 16);
	BUILD_BUG_ON(sizeof(struct pvisor_ctx_base) != 16);
	BUILD_BUG_ON(sizeof(struct pvisor_ctx_flush) != 24);
	BUILD_BUG_ON(sizeof(struct pvisor_ctx_fpu) != 24);
	BUILD_BUG_ON(sizeof(struct pvisor_ctx_info) != 40);
	BUILD_BUG_ON(sizeof(struct pvisor_user_regs) != 21 * 8);
	BUILD_BUG_ON(offsetof(struct pvisor_user_regs, rip) != 16 * 8);
	BUILD_BUG_ON(sizeof(struct pvisor_user_run) != 208);
	BUILD_BUG_ON(offsetof(struct pvisor_user_run, reason) != 176);
	BUILD_BUG_ON(sizeof(struct pvisor_factory_attach) != 8);
	BUILD_BUG_ON(sizeof(struct pvisor_memory_reservation) != 32);
	BUILD_BUG_ON(offsetof(struct pvisor_memory_reservation, domid) != 24);
	BUILD_BUG_ON(PVISOR_HC_RUN_USER >= PVISOR_NR_HYPERCALLS);
}

/* The stub (hypercall_page.c) left argument 1 in r9 and argument 2 in rbx. */
static void fetch_args(struct pvisor_hc_args *args)
{
	struct pt_regs *regs = current_pt_regs();

	args->a[0] = regs->r9;
	args->a[1] = regs->bx;
	args->a[2] = regs->dx;
	args->a[3] = regs->r10;
	args->a[4] = regs->r8;
}

static long hc_version(const struct pvisor_hc_args *args)
{
	if (args->a[0] != PVISOR_VERSION_VERSION)
		return -EINVAL;
	return (PVISOR_VERSION_MAJOR << 16) | PVISOR_VERSION_MINOR;
}

/* console_io(READ, count, buffer): returns the input bytes read. */
static long console_read(struct pvisor_domain *dom, u64 count, u64 buf)
{
	count = min_t(u64, count, PVISOR_CONSOLE_INPUT_SIZE);
	if (!count)
		return 0;
	if (!pvisor_guest_range_ok(buf, count))
		return -EFAULT;
	return pvisor_console_input_read(&dom->console, (char __user *)buf,
					 count);
}

/* console_io(WRITE, count, buffer): returns the bytes consumed. */
static long hc_console_io(struct pvisor_domain *dom,
			  const struct pvisor_hc_args *args)
{
	u64 count = args->a[1], buf = args->a[2];
	char *copy;
	long ret;

	if (args->a[0] == PVISOR_CONSOLEIO_READ)
		return console_read(dom, count, buf);
	if (args->a[0] != PVISOR_CONSOLEIO_WRITE)
		return -EINVAL;
	count = min_t(u64, count, PVISOR_CONSOLE_WRITE_MAX);
	if (!count)
		return 0;
	if (!pvisor_guest_range_ok(buf, count))
		return -EFAULT;

	copy = kmalloc(count, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	ret = -EFAULT;
	if (!copy_from_user(copy, (const char __user *)buf, count)) {
		pvisor_console_write(&dom->console, copy, count);
		ret = count;
	}
	kfree(copy);
	return ret;
}

static long hc_sched_op(struct pvisor_domain *dom, struct pvisor_vcpu *vcpu,
			const struct pvisor_hc_args *args)
{
	struct pvisor_sched_shutdown shutdown;
	u64 ptr = args->a[1];

	switch (args->a[0]) {
	case PVISOR_SCHEDOP_YIELD:
		yield();
		return 0;
	case PVISOR_SCHEDOP_BLOCK:
		return pvisor_vcpu_block(vcpu);
	case PVISOR_SCHEDOP_POLL:
		return pvisor_vcpu_poll(vcpu, ptr);
	case PVISOR_SCHEDOP_SHUTDOWN:
		if (!pvisor_guest_range_ok(ptr, sizeof(shutdown)) ||
		    copy_from_user(&shutdown, (void __user *)ptr,
				   sizeof(shutdown)))
			return -EFAULT;
		if (shutdown.reason != PVISOR_SHUTDOWN_POWEROFF &&
		    shutdown.reason != PVISOR_SHUTDOWN_REBOOT &&
		    shutdown.reason != PVISOR_SHUTDOWN_CRASH)
			return -EINVAL;
		pvisor_domain_shutdown(dom, shutdown.reason);
		return 0;	/* the runner is being killed */
	default:
		return -EINVAL;
	}
}

/**
 * pvisor_hypercall_dispatch() - run one hypercall for a vCPU
 * @runner: the caller's runner
 * @vcpu: the calling vCPU (current is its thread)
 * @nr: the hypercall number
 * @args: its arguments
 *
 * Return: the hypercall's result; -ENOSYS for an unknown number.
 */
long pvisor_hypercall_dispatch(struct pvisor_runner *runner,
			       struct pvisor_vcpu *vcpu, u64 nr,
			       const struct pvisor_hc_args *args)
{
	struct pvisor_domain *dom = runner->dom;

	switch (nr) {
	case PVISOR_HC_VERSION:
		return hc_version(args);
	case PVISOR_HC_CONSOLE_IO:
		return hc_console_io(dom, args);
	case PVISOR_HC_SCHED_OP:
		return hc_sched_op(dom, vcpu, args);
	case PVISOR_HC_MEMORY_OP:
		return pvisor_hc_memory_op(runner, args);
	case PVISOR_HC_MULTICALL:
		return pvisor_hc_multicall(runner, vcpu, args);
	case PVISOR_HC_MMU_UPDATE:
		return pvisor_hc_mmu_update(runner, vcpu, args);
	case PVISOR_HC_MMUEXT_OP:
		return pvisor_hc_mmuext_op(runner, vcpu, args);
	case PVISOR_HC_UPDATE_VA_MAPPING:
		return pvisor_hc_update_va_mapping(runner, vcpu, args);
	case PVISOR_HC_SET_TRAP_TABLE:
		return pvisor_hc_set_trap_table(vcpu, args);
	case PVISOR_HC_IRET:
		return pvisor_hc_iret(runner, vcpu, args);
	case PVISOR_HC_VCPU_OP:
		return pvisor_hc_vcpu_op(runner, vcpu, args);
	case PVISOR_HC_SET_CALLBACKS:
		return pvisor_hc_set_callbacks(vcpu, args);
	case PVISOR_HC_SET_TIMER_OP:
		return pvisor_hc_set_timer_op(vcpu, args);
	case PVISOR_HC_EVENT_CHANNEL_OP:
		return pvisor_hc_event_channel_op(runner, vcpu, args);
	case PVISOR_HC_GRANT_TABLE_OP:
		return pvisor_hc_grant_table_op(runner, vcpu, args);
	case PVISOR_HC_CONTEXT_OP:
		return pvisor_hc_context_op(runner, vcpu, args);
	case PVISOR_HC_RUN_USER:
		return pvisor_hc_run_user(runner, vcpu, args);
	default:
		return -ENOSYS;
	}
}

/**
 * pvisor_hypercall() - run hypercall @nr for the calling vCPU thread
 * @runner: the caller's runner
 * @nr: below PVISOR_NR_HYPERCALLS
 *
 * Return: the hypercall's result, for the guest's rax; -EPERM from a
 * thread that is not a vCPU, -ESRCH once the domain is dying.
 */
long pvisor_hypercall(struct pvisor_runner *runner, unsigned int nr)
{
	struct pvisor_vcpu *vcpu = pvisor_runner_current_vcpu(runner);
	struct pvisor_hc_args args;
	long ret;

	abi_layout_check();

	/* Only a running vCPU makes hypercalls; the runner itself cannot. */
	if (!vcpu)
		return -EPERM;
	/*
	 * A dying domain's runner is being killed: nothing it asks for now
	 * could outlive it. The check is a shortcut; what must not happen
	 * to a dying domain is refused under the locks (domain.c).
	 */
	if (pvisor_domain_dying(runner->dom))
		return -ESRCH;
	fetch_args(&args);
	ret = pvisor_hypercall_dispatch(runner, vcpu, nr, &args);
	pvisor_stats_hypercall(runner->dom, vcpu->id, nr, ret);

	/*
	 * An upcall that became deliverable (a block woke, the guest
	 * unmasked) is entered straight from here, unless the call rewrote
	 * the context itself (iret, whose trampoline the signal path knows
	 * how to finish), the thread is dying, or the call is to be
	 * restarted.
	 */
	if (nr != PVISOR_HC_IRET && pvisor_evtchn_deliverable(vcpu) &&
	    !fatal_signal_pending(current) &&
	    pvisor_in_window(current_pt_regs()->ip) &&
	    !(ret <= -ERESTARTSYS && ret >= -ERESTART_RESTARTBLOCK))
		return pvisor_upcall_on_return(runner, vcpu, ret);
	pvisor_evtchn_recheck(vcpu);
	return ret;
}
