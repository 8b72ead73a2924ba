// SPDX-License-Identifier: GPL-2.0
/*
 * multicall: several hypercalls for the price of one crossing.
 *
 * A guest that must make many small calls in a row (updating page tables
 * for a new process, say) batches them; each entry runs through the same
 * dispatcher and checks as a direct call, and gets its own result. Iret
 * and multicall itself are refused inside a batch: iret rewrites the
 * calling context, and nesting would let a guest make our loop
 * arbitrarily deep.
 *
 * The loop is bounded by PVISOR_MULTICALL_MAX entries, stops on a fatal
 * signal, and keeps the window within its page-table budget between
 * entries: each entry's own guest accesses may fill the shadow, and a
 * fill made by the module does not wait for a reset (window.c).
 */

#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <pvisor/hypercall.h>

#include "hypercall.h"
#include "guest_addr.h"
#include "multicall.h"
#include "runner.h"
#include "window.h"

static long run_entry(struct pvisor_runner *runner, struct pvisor_vcpu *vcpu,
		      const struct pvisor_multicall_entry *entry)
{
	struct pvisor_hc_args args;

	if (entry->op == PVISOR_HC_MULTICALL || entry->op == PVISOR_HC_IRET)
		return -EINVAL;
	if (entry->op >= PVISOR_NR_HYPERCALLS)
		return -ENOSYS;
	memcpy(args.a, entry->args, sizeof(args.a));
	return pvisor_hypercall_dispatch(runner, vcpu, entry->op, &args);
}

/**
 * pvisor_hc_multicall() - multicall(calls, count)
 * @runner: the caller's runner
 * @vcpu: the calling vCPU
 * @args: a[0], the entries; a[1], how many
 *
 * Return: 0 once every entry ran (each holds its result), -E2BIG, or
 * -EFAULT if the entries cannot be read or written back.
 */
long pvisor_hc_multicall(struct pvisor_runner *runner, struct pvisor_vcpu *vcpu,
			 const struct pvisor_hc_args *args)
{
	struct pvisor_multicall_entry __user *uentries;
	struct pvisor_multicall_entry entry;
	u64 count = args->a[1], i;

	if (count > PVISOR_MULTICALL_MAX)
		return -E2BIG;
	if (!pvisor_guest_range_ok(args->a[0], count * sizeof(entry)))
		return -EFAULT;
	uentries = (void __user *)args->a[0];

	for (i = 0; i < count; i++) {
		if (copy_from_user(&entry, &uentries[i], sizeof(entry)))
			return -EFAULT;
		entry.result = run_entry(runner, vcpu, &entry);
		if (put_user(entry.result, &uentries[i].result))
			return -EFAULT;
		/* A shutdown in the batch kills the runner: stop here. */
		if (fatal_signal_pending(current))
			break;
		pvisor_window_keep_budget(runner);
		cond_resched();
	}
	return 0;
}
