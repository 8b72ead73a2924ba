// SPDX-License-Identifier: GPL-2.0
/*
 * The paravirtual MMU's hypercalls: mmu_update, mmuext_op and
 * update_va_mapping.
 *
 * Guests may write their own page tables directly; these calls exist so
 * that a write and its invalidation travel together, batched to amortise
 * the crossing, and so that a vCPU can switch base pointers. Every pfn a
 * guest names is checked against its reservation before anything is
 * written; a batch stops at the first bad request, reports how many it
 * completed, and invalidates whatever it already changed.
 *
 * A batch is guest-sized (at most PVISOR_MMU_UPDATE_MAX entries): its
 * loop stops on a fatal signal, so that destroying the domain ends it,
 * and it invalidates once, at its end. mmu_update keeps no reverse map
 * and flushes the whole window; mmuext_op gathers its invalidations and
 * flushes the pages named, or the whole window when one op asked for it
 * or the pages are too many to be worth zapping one by one.
 */

#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <pvisor/hypercall.h>

#include "domain.h"
#include "hypercall.h"
#include "mmu.h"
#include "pagetable.h"
#include "runner.h"
#include "guest_addr.h"
#include "window.h"

#define PVISOR_DOMID_SELF	0	/* the only domain a guest may name */

/* Guest arrays are copied in chunks of this many entries. */
#define BATCH			32

static int put_done(u64 done_ptr, u32 done)
{
	if (!done_ptr)
		return 0;
	if (!pvisor_guest_range_ok(done_ptr, sizeof(done)))
		return -EFAULT;
	return put_user(done, (u32 __user *)done_ptr);
}

/* Validate the (array, count, done, domid) arguments common to batches. */
static int check_batch(const struct pvisor_hc_args *args, size_t entry_size,
		       u32 max)
{
	if (args->a[3] != PVISOR_DOMID_SELF)
		return -EPERM;
	if (args->a[1] > max)
		return -E2BIG;
	if (!pvisor_guest_range_ok(args->a[0], args->a[1] * entry_size))
		return -EFAULT;
	return 0;
}

static int apply_update(struct pvisor_domain *dom,
			const struct pvisor_mmu_update *req)
{
	u64 gpa = req->ptr;
	u64 pfn = gpa >> PAGE_SHIFT;

	/* The low bits name the update type; only the normal one exists. */
	if (gpa & (sizeof(u64) - 1))
		return -EINVAL;
	if (pfn >= dom->mem.nr_frames)
		return -EINVAL;
	/* A frame the guest gave back is no table. */
	if (!pvisor_pt_write(dom, pfn, (gpa & ~PAGE_MASK) / sizeof(u64),
			     req->val))
		return -EINVAL;
	return 0;
}

/**
 * pvisor_hc_mmu_update() - mmu_update(reqs, count, done_out, domid)
 * @runner: the caller's runner
 * @vcpu: the calling vCPU
 * @args: the guest's arguments
 *
 * Writes each entry, then invalidates the whole window: we keep no
 * reverse map from table entries to the addresses they translate.
 */
long pvisor_hc_mmu_update(struct pvisor_runner *runner,
			  struct pvisor_vcpu *vcpu,
			  const struct pvisor_hc_args *args)
{
	struct pvisor_mmu_update reqs[BATCH];
	u64 uptr = args->a[0], count = args->a[1];
	u32 done = 0;
	int ret;

	ret = check_batch(args, sizeof(reqs[0]), PVISOR_MMU_UPDATE_MAX);
	if (ret)
		return ret;

	while (done < count && !ret) {
		u32 i, n = min_t(u64, count - done, BATCH);

		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}

		if (copy_from_user(reqs, (void __user *)(uptr + done * sizeof(reqs[0])),
				   n * sizeof(reqs[0]))) {
			ret = -EFAULT;
			break;
		}
		for (i = 0; i < n && !ret; i++) {
			ret = apply_update(runner->dom, &reqs[i]);
			if (!ret)
				done++;
		}
		cond_resched();
	}
	if (done)
		pvisor_window_flush_all(runner);
	return put_done(args->a[2], done) ?: ret;
}

/*
 * The invalidations one mmuext_op batch asked for. Past this many single
 * pages a whole-window flush is cheaper than zapping each (the same
 * trade-off as the host's tlb_single_page_flush_ceiling).
 */
#define FLUSH_PAGES_MAX		32

struct flush_plan {
	bool all;
	unsigned int nr;
	u64 va[FLUSH_PAGES_MAX];
};

static void plan_page(struct flush_plan *plan, u64 va)
{
	if (plan->all)
		return;
	if (plan->nr == FLUSH_PAGES_MAX)
		plan->all = true;
	else
		plan->va[plan->nr++] = va;
}

static void run_plan(struct pvisor_runner *runner,
		     const struct flush_plan *plan)
{
	unsigned int i;

	if (plan->all) {
		pvisor_window_flush_all(runner);
		return;
	}
	for (i = 0; i < plan->nr; i++)
		pvisor_window_flush(runner, plan->va[i], PAGE_SIZE);
}

static int apply_mmuext(struct pvisor_runner *runner, struct pvisor_vcpu *vcpu,
			const struct pvisor_mmuext_op *op,
			struct flush_plan *plan)
{
	switch (op->cmd) {
	case PVISOR_MMUEXT_NEW_BASEPTR:
		if (op->arg1 >= runner->dom->mem.nr_frames)
			return -EINVAL;
		WRITE_ONCE(vcpu->pt_base_pfn, op->arg1);
		plan->all = true;
		return 0;
	case PVISOR_MMUEXT_TLB_FLUSH_LOCAL:
		plan->all = true;
		return 0;
	case PVISOR_MMUEXT_INVLPG_LOCAL:
		if (!pvisor_guest_range_ok(op->arg1, 1))
			return -EINVAL;
		plan_page(plan, op->arg1 & PAGE_MASK);
		return 0;
	default:
		return -EINVAL;
	}
}

/**
 * pvisor_hc_mmuext_op() - mmuext_op(ops, count, done_out, domid)
 * @runner: the caller's runner
 * @vcpu: the calling vCPU
 * @args: the guest's arguments
 *
 * Runs the ops in order and invalidates once, after the last one that
 * ran: no op reads guest memory but the batch itself, which a guest that
 * switches tables in it must map alike in both (as minnow and Linux map
 * their kernels alike in every table).
 */
long pvisor_hc_mmuext_op(struct pvisor_runner *runner,
			 struct pvisor_vcpu *vcpu,
			 const struct pvisor_hc_args *args)
{
	struct flush_plan plan = { .all = false, .nr = 0 };
	struct pvisor_mmuext_op op;
	u64 uptr = args->a[0], count = args->a[1];
	u32 done = 0;
	int ret;

	ret = check_batch(args, sizeof(op), PVISOR_MMU_UPDATE_MAX);
	if (ret)
		return ret;

	for (; done < count; done++) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		if (copy_from_user(&op, (void __user *)(uptr + done * sizeof(op)),
				   sizeof(op))) {
			ret = -EFAULT;
			break;
		}
		ret = apply_mmuext(runner, vcpu, &op, &plan);
		if (ret)
			break;
		cond_resched();
	}
	run_plan(runner, &plan);
	return put_done(args->a[2], done) ?: ret;
}

/**
 * pvisor_hc_update_va_mapping() - update_va_mapping(va, pte, flags)
 *
 * Replaces the last-level entry translating @va (its upper levels must be
 * present) and invalidates @va, or the whole window for UVMF_TLB_FLUSH.
 */
long pvisor_hc_update_va_mapping(struct pvisor_runner *runner,
				 struct pvisor_vcpu *vcpu,
				 const struct pvisor_hc_args *args)
{
	u64 va = args->a[0], val = args->a[1], flags = args->a[2];
	struct pvisor_walk walk;

	if (flags & ~(u64)(PVISOR_UVMF_TLB_FLUSH | PVISOR_UVMF_INVLPG))
		return -EINVAL;
	if (!pvisor_guest_range_ok(va, 1))
		return -EINVAL;

	pvisor_pt_walk(runner->dom, READ_ONCE(vcpu->pt_base_pfn), va, &walk);
	if (walk.level != 1 || (walk.status != PVISOR_WALK_OK &&
				walk.status != PVISOR_WALK_NOT_PRESENT))
		return -EINVAL;

	if (!pvisor_pt_write(runner->dom, walk.table_pfn, walk.index, val))
		return -EINVAL;	/* the table was given back meanwhile */
	if (flags & PVISOR_UVMF_TLB_FLUSH)
		pvisor_window_flush_all(runner);
	else
		pvisor_window_flush(runner, va & PAGE_MASK, PAGE_SIZE);
	return 0;
}
