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
 */

#include <linux/sched.h>
#include <linux/uaccess.h>
#include <pvisor/hypercall.h>

#include "domain.h"
#include "hypercall.h"
#include "mmu.h"
#include "pagetable.h"
#include "runner.h"
#include "shadow.h"

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
	pvisor_pt_write(dom, pfn, (gpa & ~PAGE_MASK) / sizeof(u64), req->val);
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
		pvisor_shadow_flush_all(runner);
	return put_done(args->a[2], done) ?: ret;
}

static int apply_mmuext(struct pvisor_runner *runner, struct pvisor_vcpu *vcpu,
			const struct pvisor_mmuext_op *op)
{
	switch (op->cmd) {
	case PVISOR_MMUEXT_NEW_BASEPTR:
		if (op->arg1 >= runner->dom->mem.nr_frames)
			return -EINVAL;
		WRITE_ONCE(vcpu->pt_base_pfn, op->arg1);
		pvisor_shadow_flush_all(runner);
		return 0;
	case PVISOR_MMUEXT_TLB_FLUSH_LOCAL:
		pvisor_shadow_flush_all(runner);
		return 0;
	case PVISOR_MMUEXT_INVLPG_LOCAL:
		if (!pvisor_guest_range_ok(op->arg1, 1))
			return -EINVAL;
		pvisor_shadow_flush(runner, op->arg1 & PAGE_MASK, PAGE_SIZE);
		return 0;
	default:
		return -EINVAL;
	}
}

/** pvisor_hc_mmuext_op() - mmuext_op(ops, count, done_out, domid) */
long pvisor_hc_mmuext_op(struct pvisor_runner *runner,
			 struct pvisor_vcpu *vcpu,
			 const struct pvisor_hc_args *args)
{
	struct pvisor_mmuext_op op;
	u64 uptr = args->a[0], count = args->a[1];
	u32 done = 0;
	int ret;

	ret = check_batch(args, sizeof(op), PVISOR_MMU_UPDATE_MAX);
	if (ret)
		return ret;

	for (; done < count; done++) {
		if (copy_from_user(&op, (void __user *)(uptr + done * sizeof(op)),
				   sizeof(op))) {
			ret = -EFAULT;
			break;
		}
		ret = apply_mmuext(runner, vcpu, &op);
		if (ret)
			break;
		cond_resched();
	}
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

	pvisor_pt_write(runner->dom, walk.table_pfn, walk.index, val);
	if (flags & PVISOR_UVMF_TLB_FLUSH)
		pvisor_shadow_flush_all(runner);
	else
		pvisor_shadow_flush(runner, va & PAGE_MASK, PAGE_SIZE);
	return 0;
}
