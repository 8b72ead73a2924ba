// SPDX-License-Identifier: GPL-2.0
/*
 * A context's user window: guest user memory in a context process,
 * through shadow page tables filled from the guest's own tables.
 *
 * It works like the runner's window (window.c), with the rules of user
 * mode, and shares its machinery, the pvisor_shadow_*() helpers there:
 * the page-table budget, the walk's verdicts, the queued reset, the
 * re-check of a write to a present entry and the ordered zap. A fault walks the context's tables (pvisor_pt_walk_user()): the
 * page must be present with US at every level, RW for a write and no NX
 * for a fetch, and every pfn on the way below the reservation. The walk
 * sets A in the entries it used, and D in the leaf for a write, as the
 * CPU does; so that the first write to a clean page is seen, a page the
 * guest has not dirtied is inserted read-only even when the guest's
 * entry allows writes, and the write then comes through pfn_mkwrite,
 * which checks again and sets D. A fault the guest's tables refuse
 * becomes SIGSEGV, which the trampoline reports and RUN_USER returns to
 * the guest kernel as PVISOR_EXIT_FAULT (user_run.c).
 *
 * Invalidation follows window.c exactly: fills walk and insert under the
 * context's zap_lock for read, flushes zap under it for write, so a
 * flush that returned leaves no entry filled from the tables before it.
 * A flush runs in a runner thread, on the context's mm: it pins the
 * address space (mmget_not_zero()) for the zap; the host's TLB shootdown
 * reaches every CPU running one of the context's threads.
 *
 * Host page tables: as for the runner window, a context may add
 * pvisor_window_allowance() bytes of page tables to its process's mm;
 * past that, the next fill from user code resets the window (the same
 * file mapped again over itself, as task work in the faulting thread).
 * With max_contexts per domain that bounds what a guest's processes cost
 * in host page tables; they are charged to the context process's memory
 * cgroup like any page tables.
 */

#include <linux/file.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <pvisor/context.h>

#include "compat.h"
#include "context.h"
#include "domain.h"
#include "pagetable.h"
#include "window.h"

static const struct vm_operations_struct ctx_window_vm_ops;

static bool over_budget(struct pvisor_context *ctx, struct mm_struct *mm)
{
	return pvisor_shadow_over_budget(mm, READ_ONCE(ctx->pgtables_base),
			pvisor_window_allowance(ctx->dom->mem.nr_frames));
}

/* In the faulting context thread: map the window again over itself. */
static void ctx_reset_run(struct callback_head *cb)
{
	struct pvisor_shadow_reset *work =
		container_of(cb, struct pvisor_shadow_reset, cb);
	struct pvisor_context *ctx = work->file->private_data;
	unsigned long addr;

	if (!(current->flags & PF_EXITING) && over_budget(ctx, current->mm)) {
		addr = vm_mmap(work->file, PVISOR_USER_BASE,
			       PVISOR_USER_TOP - PVISOR_USER_BASE,
			       PROT_READ | PROT_WRITE | PROT_EXEC,
			       MAP_SHARED | MAP_FIXED, 0);
		if (addr != PVISOR_USER_BASE)
			pvisor_context_kill(ctx);	/* the window is gone */
		else
			ctx->resets++;
	}
	pvisor_shadow_reset_done(work);
}

/*
 * Walk for @vmf's access; 0 with a usable walk, or the fault's result.
 * The domain crashes on what only a broken guest kernel writes.
 */
static vm_fault_t translate(struct vm_fault *vmf, bool write,
			    struct pvisor_walk *walk)
{
	struct pvisor_context *ctx = vmf->vma->vm_private_data;
	struct pvisor_domain *dom = ctx->dom;

	if (!pvisor_pt_walk_user(dom, READ_ONCE(ctx->pt_base_pfn),
				 vmf->address, write, walk))
		return VM_FAULT_NOPAGE;	/* the guest keeps changing it: retry */
	if (pvisor_shadow_walk_verdict(dom, walk, vmf->address, "user "))
		return VM_FAULT_SIGSEGV;
	if (!walk->user || (write && !walk->writable) ||
	    ((vmf->flags & FAULT_FLAG_INSTRUCTION) && !walk->executable))
		return VM_FAULT_SIGSEGV;
	return 0;
}

static vm_fault_t ctx_window_fault(struct vm_fault *vmf)
{
	struct pvisor_context *ctx = vmf->vma->vm_private_data;
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	struct pvisor_walk walk;
	vm_fault_t ret;

	down_read(&ctx->zap_lock);
	ret = translate(vmf, write, &walk);
	if (ret)
		goto out_unlock;
	if ((vmf->flags & FAULT_FLAG_USER) && over_budget(ctx, vmf->vma->vm_mm)) {
		ret = pvisor_shadow_queue_reset(vmf, ctx_reset_run);
		goto out_unlock;
	}
	/* Writable only once dirty: the first write must set D. */
	ret = vmf_insert_pfn_prot(vmf->vma, vmf->address,
				  page_to_pfn(walk.frame),
				  vm_get_page_prot(VM_SHARED | VM_READ |
					(walk.writable && walk.dirty ? VM_WRITE : 0) |
					(walk.executable ? VM_EXEC : 0)));
out_unlock:
	up_read(&ctx->zap_lock);
	return ret;
}

/* A write to a present read-only entry: see window_mkwrite(). */
static vm_fault_t ctx_window_mkwrite(struct vm_fault *vmf)
{
	struct pvisor_context *ctx = vmf->vma->vm_private_data;
	struct pvisor_walk walk;
	vm_fault_t ret;

	down_read(&ctx->zap_lock);
	ret = translate(vmf, true, &walk);
	if (!ret)
		ret = pvisor_shadow_recheck_write(vmf,
				page_to_pfn(walk.frame));
	up_read(&ctx->zap_lock);
	return ret;
}

static const struct vm_operations_struct ctx_window_vm_ops = {
	.fault = ctx_window_fault,
	.pfn_mkwrite = ctx_window_mkwrite,
	.may_split = pvisor_shadow_may_split,
	.mremap = pvisor_shadow_mremap,
};

/**
 * pvisor_ctx_window_mmap() - map a context's user window
 * @ctx: the context (the caller is its process)
 * @vma: exactly PVISOR_USER_BASE .. PVISOR_USER_TOP, shared, offset 0
 *
 * Also how a reset maps it again (ctx_reset_run()).
 *
 * Return: 0 or -EINVAL.
 */
int pvisor_ctx_window_mmap(struct pvisor_context *ctx,
			   struct vm_area_struct *vma)
{
	if (vma->vm_start != PVISOR_USER_BASE ||
	    vma->vm_end != PVISOR_USER_TOP || vma->vm_pgoff ||
	    !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	WRITE_ONCE(ctx->pgtables_base, mm_pgtables_bytes(vma->vm_mm));
	pvisor_vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND |
				 VM_DONTDUMP | VM_DONTCOPY);
	vma->vm_ops = &ctx_window_vm_ops;
	vma->vm_private_data = ctx;
	return 0;
}

/**
 * pvisor_ctx_window_flush() - invalidate a context's shadow entries
 * @ctx: the context; any thread of its domain's runner may call this
 * @va: page aligned, in the user window
 * @len: page multiple; the range stays in the user window
 *
 * When it returns, no vCPU running the context can use an entry filled
 * from the guest's tables as they were before the call. Sleeps.
 */
void pvisor_ctx_window_flush(struct pvisor_context *ctx, u64 va, u64 len)
{
	struct vm_area_struct *vma;
	struct mm_struct *mm;

	spin_lock(&ctx->lock);
	mm = ctx->mm;
	if (mm && !mmget_not_zero(mm))
		mm = NULL;
	spin_unlock(&ctx->lock);
	if (!mm)
		return;		/* nothing mapped, or the process is gone */

	mmap_read_lock(mm);
	vma = vma_lookup(mm, PVISOR_USER_BASE);
	if (vma && vma->vm_ops == &ctx_window_vm_ops &&
	    vma->vm_private_data == ctx)
		pvisor_shadow_zap(vma, &ctx->zap_lock, va, len);
	mmap_read_unlock(mm);
	mmput(mm);
}
