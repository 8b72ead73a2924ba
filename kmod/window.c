// SPDX-License-Identifier: GPL-2.0
/*
 * The guest window: how guest memory appears in the runner, through
 * shadow page tables.
 *
 * The story of one guest memory access. The guest touches an address in
 * its window. The first time, the host page table has nothing there, so
 * the CPU faults and the kernel calls window_fault() below, in the
 * faulting vCPU thread. We walk the guest's own tables from that vCPU's
 * base pointer (pagetable.c), refuse anything the guest did not map or
 * may not do (a write to a read-only page, a fetch from an NX page), and
 * otherwise insert the domain's frame into the host page table with the
 * same rights. From then on the access runs at native speed: the host
 * PTE *is* the shadow, and it behaves like a TLB entry. When the guest
 * changes a mapping it invalidates (INVLPG, TLB flush, new base pointer,
 * or an mmu_update, which writes and invalidates at once); we zap the
 * host PTEs and the next touch refills them through the same checks.
 *
 * Two 6.1 details make this sound. A write to a present read-only PFN
 * entry in a shared mapping would be silently made writable unless the
 * VMA has .pfn_mkwrite, so window_mkwrite() re-checks the guest entry:
 * its rights, and that it still names the frame the present entry maps. A
 * fetch from a present NX entry never reaches us: x86 treats it as an
 * access error and raises SIGSEGV itself.
 *
 * The last page of the window is the hypercall page (hypercall_page.c),
 * read-only and executable whatever the guest's tables say. Below it sits
 * the runner's iret page, read-only, where its trampolines find rax and
 * rip, and below that the domain's shared_info page.
 *
 * What the shadow costs the host. Every 2 MiB of the window the guest
 * touches costs the runner's mm a page-table page, every GiB another,
 * and zapping entries never frees those pages (only unmapping does). A
 * guest that aliases its own table frames across levels can name the
 * whole terabyte with a few frames, so the cost is not bounded by its
 * memory. The window therefore has an allowance (pvisor_window_allowance(),
 * a sixteenth of the reservation plus 256 KiB): when the runner's page
 * tables have grown past the size they had with the window empty plus
 * the allowance, the next fill resets the shadow instead. A reset maps
 * the window again over itself (vm_mmap(MAP_FIXED) of the same file):
 * under one hold of the mmap_lock the old mapping goes with all its page
 * tables and an empty one takes its place; every vCPU simply refaults. It
 * needs the mmap_lock for write, which a fault handler cannot take, so a
 * fault from guest code queues it as task work and lets the access retry
 * once it ran, on the way back to the guest; multicall, whose entries
 * may touch guest memory many times, calls pvisor_window_keep_budget()
 * between them, which resets there and then. A reset is paid for by the
 * guest: it runs in the guest's vCPU thread, and its work is freeing the
 * tables and entries the guest's own faults made since the last one (at
 * least allowance / 16 KiB faults: one fill allocates at most four table
 * pages), plus one VMA and one TLB flush of the runner's own CPUs.
 *
 * Invalidation against fills. Both run under the mmap_lock for read, so
 * that alone orders nothing: a fill that walked the old entry before an
 * mmu_update could insert it after that update's zap, leaving a stale
 * entry behind an invalidation that returned. The window's zap_lock is
 * what orders them: a fill walks and inserts under it for read, an
 * invalidation zaps under it for write, after the guest's table write.
 * A fill that read the old entry has therefore inserted before the zap
 * starts, and the zap removes it; a fill that starts after the zap ends
 * reads the tables after the write (rwsem release/acquire). Because walk
 * and insert share one read-side section, no sequence count is needed:
 * KVM needs mmu_invalidate_seq since it resolves pfns outside mmu_lock.
 *
 * Locking: faults hold the runner's mmap_lock (read), then zap_lock
 * (read); invalidations hold mmap_lock (read), then zap_lock (write),
 * and sleep. A reset holds reset_lock, then takes mmap_lock (write,
 * inside vm_mmap()); nothing takes reset_lock under mmap_lock.
 */

#include <linux/file.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <pvisor/event.h>
#include <pvisor/hypercall.h>

#include "compat.h"
#include "domain.h"
#include "guest_addr.h"
#include "hypercall_page.h"
#include "pagetable.h"
#include "runner.h"
#include "stats.h"
#include "window.h"

/* The allowance: 1/16 of the reservation, plus this much for any guest. */
#define ALLOWANCE_SHIFT		4
#define ALLOWANCE_FLOOR		(256UL << 10)

/**
 * pvisor_window_allowance() - host page tables a window may use
 * @nr_frames: the domain's reservation, in frames
 *
 * Return: bytes of page tables the window may add to the runner's mm
 * before its shadow is reset (Documentation/admin-guide.rst).
 */
unsigned long pvisor_window_allowance(unsigned long nr_frames)
{
	return ((nr_frames << PAGE_SHIFT) >> ALLOWANCE_SHIFT) + ALLOWANCE_FLOOR;
}

/**
 * pvisor_shadow_over_budget() - has a shadow's mm outgrown its allowance?
 * @mm: the mm the shadow lives in
 * @baseline: its page-table bytes when the shadow was empty
 * @allowance: bytes the shadow's tables may add to that
 */
bool pvisor_shadow_over_budget(struct mm_struct *mm, unsigned long baseline,
			       unsigned long allowance)
{
	return mm_pgtables_bytes(mm) > baseline + allowance;
}

static bool over_budget(struct pvisor_window *w, struct mm_struct *mm)
{
	return pvisor_shadow_over_budget(mm, READ_ONCE(w->baseline),
					 READ_ONCE(w->allowance));
}

/**
 * pvisor_shadow_walk_verdict() - what a fault does with a walk's status
 * @dom: the walking domain
 * @walk: the walk of @va
 * @va: the faulting address
 * @kind: "" or "user ", for the crash reason
 *
 * A pfn beyond the reservation or a large page is what only a broken
 * guest kernel writes: the domain crashes.
 *
 * Return: 0 for a present leaf (its rights still to check),
 * VM_FAULT_SIGSEGV otherwise.
 */
vm_fault_t pvisor_shadow_walk_verdict(struct pvisor_domain *dom,
				      const struct pvisor_walk *walk,
				      unsigned long va, const char *kind)
{
	switch (walk->status) {
	case PVISOR_WALK_OK:
		return 0;
	case PVISOR_WALK_BAD_PFN:
		pvisor_domain_crash(dom, "%spage table maps pfn %#llx beyond the reservation (va %#lx, level %d)",
				    kind, walk->pfn, va, walk->level);
		break;
	case PVISOR_WALK_LARGE_PAGE:
		pvisor_domain_crash(dom, "large %spage at va %#lx (level %d): not supported",
				    kind, va, walk->level);
		break;
	case PVISOR_WALK_NOT_PRESENT:
		break;
	}
	return VM_FAULT_SIGSEGV;
}

/**
 * pvisor_shadow_queue_reset() - a fill found its shadow over budget
 * @vmf: the fault; its VMA's file is pinned until the work ran
 * @run: the task work, which ends with pvisor_shadow_reset_done()
 *
 * The reset needs the mmap_lock for write, which a fault cannot take: it
 * runs on the faulting thread's way back to user mode, and the access
 * retries then.
 *
 * Return: VM_FAULT_NOPAGE (retry after the reset), VM_FAULT_OOM, or
 * VM_FAULT_SIGSEGV (the thread is exiting and runs no code again).
 */
vm_fault_t pvisor_shadow_queue_reset(struct vm_fault *vmf,
				     task_work_func_t run)
{
	struct pvisor_shadow_reset *work;

	work = kmalloc(sizeof(*work), GFP_KERNEL_ACCOUNT);
	if (!work)
		return VM_FAULT_OOM;
	work->file = get_file(vmf->vma->vm_file);
	init_task_work(&work->cb, run);
	if (task_work_add(current, &work->cb, TWA_RESUME)) {
		pvisor_shadow_reset_done(work);
		return VM_FAULT_SIGSEGV;
	}
	return VM_FAULT_NOPAGE;
}

/** pvisor_shadow_reset_done() - free a queued reset's work */
void pvisor_shadow_reset_done(struct pvisor_shadow_reset *work)
{
	fput(work->file);
	kfree(work);
}

/**
 * pvisor_shadow_recheck_write() - may a present read-only entry turn writable?
 * @vmf: the write fault (pfn_mkwrite) on it
 * @pfn: the host frame the guest's entry names now, its rights checked
 *
 * The guest may have pointed its entry at another frame without
 * invalidating; the old frame must not become writable in place.
 *
 * Return: 0 (it may), or VM_FAULT_NOPAGE: the entry was dropped and the
 * write refaults through a fresh fill.
 */
vm_fault_t pvisor_shadow_recheck_write(struct vm_fault *vmf, unsigned long pfn)
{
	if (pte_pfn(vmf->orig_pte) == pfn)
		return 0;
	zap_vma_ptes(vmf->vma, vmf->address, PAGE_SIZE);
	return VM_FAULT_NOPAGE;
}

/**
 * pvisor_shadow_zap() - invalidate shadow entries, ordered against fills
 * @vma: the shadow's VMA, its mm's mmap_lock held
 * @zap_lock: the shadow's; fills hold it for read
 * @va: start, in @vma
 * @len: bytes, page multiples, inside @vma
 */
void pvisor_shadow_zap(struct vm_area_struct *vma,
		       struct rw_semaphore *zap_lock, u64 va, u64 len)
{
	down_write(zap_lock);
	zap_vma_ptes(vma, va, len);
	up_write(zap_lock);
}

/**
 * pvisor_shadow_may_split() - a shadow stays whole...
 * @vma: the shadow's VMA
 * @addr: where a split was asked
 *
 * ...and in place (pvisor_shadow_mremap()): invalidation finds it there.
 */
int pvisor_shadow_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

/** pvisor_shadow_mremap() - a shadow does not move */
int pvisor_shadow_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

static const struct vm_operations_struct window_vm_ops;

static bool is_window(struct vm_area_struct *vma, struct pvisor_runner *runner)
{
	return vma && vma->vm_ops == &window_vm_ops &&
	       vma->vm_private_data == runner;
}

/*
 * Reset the shadow of the calling runner thread's window if it is over
 * its budget. Sleeps; called with no lock held.
 */
static void window_reset(struct pvisor_runner *runner)
{
	struct pvisor_window *w = &runner->window;
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	struct file *file = NULL;
	unsigned long addr;

	if (mutex_lock_killable(&w->reset_lock))
		return;
	mmap_read_lock(mm);
	vma = vma_lookup(mm, PVISOR_WINDOW_BASE);
	if (is_window(vma, runner) && over_budget(w, mm))
		file = get_file(vma->vm_file);
	mmap_read_unlock(mm);
	if (!file)
		goto out_unlock;

	WRITE_ONCE(w->resetter, current);
	addr = vm_mmap(file, PVISOR_WINDOW_BASE, PVISOR_WINDOW_SIZE, w->prot,
		       MAP_SHARED | MAP_FIXED, 0);
	WRITE_ONCE(w->resetter, NULL);
	fput(file);

	if (addr == PVISOR_WINDOW_BASE) {
		if (!w->resets++)
			pr_info("domain %u (%s): guest window reset: its page tables passed %lu KiB\n",
				runner->dom->id, runner->dom->name,
				w->allowance >> 10);
	} else if (addr != (unsigned long)-EINTR) {
		/* The old mapping may be gone: the guest cannot go on. */
		pvisor_domain_crash(runner->dom, "cannot reset the guest window (error %ld)",
				    (long)addr);
	}
out_unlock:
	mutex_unlock(&w->reset_lock);
}

/* A reset queued by a fault; it pins the runner fd, and so the runner. */
static void reset_work_run(struct callback_head *cb)
{
	struct pvisor_shadow_reset *work =
		container_of(cb, struct pvisor_shadow_reset, cb);

	/* At exit the mm may be gone already, and nobody needs the reset. */
	if (!(current->flags & PF_EXITING))
		window_reset(work->file->private_data);
	pvisor_shadow_reset_done(work);
}

/*
 * A fill from guest code found the window over its budget: reset before
 * the guest goes on, and let the access retry then.
 */
static vm_fault_t queue_reset(struct vm_fault *vmf)
{
	struct pvisor_runner *runner = vmf->vma->vm_private_data;
	vm_fault_t ret = pvisor_shadow_queue_reset(vmf, reset_work_run);

	if (ret != VM_FAULT_OOM)
		return ret;
	pvisor_domain_crash(runner->dom, "out of memory resetting the guest window");
	return VM_FAULT_SIGSEGV;
}

/**
 * pvisor_window_keep_budget() - reset the shadow now if it is over budget
 * @runner: the calling runner (current must be one of its vCPU threads)
 *
 * For hypercalls that touch guest memory many times before returning
 * (multicall): their own faults fill the shadow past its budget without
 * the reset a fault from guest code would queue. Sleeps; call it with no
 * lock held.
 */
void pvisor_window_keep_budget(struct pvisor_runner *runner)
{
	if (pvisor_runner_window_mapped(runner) &&
	    over_budget(&runner->window, current->mm))
		window_reset(runner);
}

static pgprot_t guest_prot(bool writable, bool executable)
{
	return vm_get_page_prot(VM_SHARED | VM_READ |
				(writable ? VM_WRITE : 0) |
				(executable ? VM_EXEC : 0));
}

static vm_fault_t hypercall_page_fault(struct vm_fault *vmf)
{
	if (vmf->flags & FAULT_FLAG_WRITE)
		return VM_FAULT_SIGSEGV;
	return vmf_insert_pfn_prot(vmf->vma, vmf->address,
				   pvisor_hypercall_page_pfn(),
				   guest_prot(false, true));
}

/* Walk the faulting vCPU's tables; 0 and a usable walk, or a fault code. */
static vm_fault_t guest_translate(struct vm_fault *vmf, struct pvisor_walk *walk)
{
	struct pvisor_runner *runner = vmf->vma->vm_private_data;
	struct pvisor_domain *dom = runner->dom;
	struct pvisor_vcpu *vcpu = pvisor_runner_current_vcpu(runner);

	/* Only vCPU threads see guest memory; the runner's own code never
	 * touches the window.
	 */
	if (!vcpu)
		return VM_FAULT_SIGSEGV;

	pvisor_pt_walk(dom, READ_ONCE(vcpu->pt_base_pfn), vmf->address, walk);
	if (walk->status == PVISOR_WALK_NOT_PRESENT)
		vcpu->fault_va = vmf->address;
	if (pvisor_shadow_walk_verdict(dom, walk, vmf->address, ""))
		return VM_FAULT_SIGSEGV;

	if (((vmf->flags & FAULT_FLAG_WRITE) && !walk->writable) ||
	    ((vmf->flags & FAULT_FLAG_INSTRUCTION) && !walk->executable)) {
		vcpu->fault_va = vmf->address;
		return VM_FAULT_SIGSEGV;
	}
	return 0;
}

/* shared_info: the guest's to read and write, never to execute. */
static vm_fault_t shared_info_fault(struct vm_fault *vmf)
{
	struct pvisor_runner *runner = vmf->vma->vm_private_data;

	if (vmf->flags & FAULT_FLAG_INSTRUCTION)
		return VM_FAULT_SIGSEGV;
	return vmf_insert_pfn_prot(vmf->vma, vmf->address,
				   page_to_pfn(runner->dom->shared_info),
				   guest_prot(true, false));
}

/* The iret page: read-only data for the trampolines. */
static vm_fault_t iret_page_fault(struct vm_fault *vmf)
{
	struct pvisor_runner *runner = vmf->vma->vm_private_data;

	if (vmf->flags & (FAULT_FLAG_WRITE | FAULT_FLAG_INSTRUCTION))
		return VM_FAULT_SIGSEGV;
	return vmf_insert_pfn_prot(vmf->vma, vmf->address,
				   page_to_pfn(runner->iret_page),
				   guest_prot(false, false));
}

static vm_fault_t window_fault(struct vm_fault *vmf)
{
	struct pvisor_runner *runner = vmf->vma->vm_private_data;
	struct pvisor_window *w = &runner->window;
	struct pvisor_walk walk;
	vm_fault_t ret;

	if (vmf->address == PVISOR_HYPERCALL_PAGE)
		return hypercall_page_fault(vmf);
	if (vmf->address == PVISOR_IRET_PAGE)
		return iret_page_fault(vmf);
	if (vmf->address == PVISOR_SHARED_INFO_PAGE)
		return shared_info_fault(vmf);

	down_read(&w->zap_lock);
	ret = guest_translate(vmf, &walk);
	if (ret)
		goto out_unlock;
	/*
	 * Over budget: guest code waits for a reset; a fault of our own
	 * (a hypercall's copy) is let through: multicall resets between
	 * its entries, and otherwise the next fill from guest code does.
	 */
	if ((vmf->flags & FAULT_FLAG_USER) && over_budget(w, vmf->vma->vm_mm))
		ret = queue_reset(vmf);
	else
		ret = vmf_insert_pfn_prot(vmf->vma, vmf->address,
					  page_to_pfn(walk.frame),
					  guest_prot(walk.writable, walk.executable));
out_unlock:
	up_read(&w->zap_lock);
	pvisor_stats_fault(runner->dom, vmf->address,
			   vmf->flags & FAULT_FLAG_WRITE,
			   (__force unsigned int)ret);
	return ret;
}

/*
 * A write to a present read-only entry. The guest may have upgraded its
 * entry without invalidating, which makes the write fine; but it may also
 * have pointed the entry at another frame meanwhile, and the host would
 * then make the old frame writable in place. So the present entry must
 * still name the frame the guest's entry names; otherwise drop it and let
 * the write refault through a fresh fill.
 */
static vm_fault_t window_mkwrite(struct vm_fault *vmf)
{
	struct pvisor_runner *runner = vmf->vma->vm_private_data;
	struct pvisor_window *w = &runner->window;
	struct pvisor_walk walk;
	vm_fault_t ret;

	if (vmf->address >= PVISOR_GUEST_LIMIT)
		return VM_FAULT_SIGSEGV;
	down_read(&w->zap_lock);
	ret = guest_translate(vmf, &walk);
	if (!ret)
		ret = pvisor_shadow_recheck_write(vmf,
				page_to_pfn(walk.frame));
	up_read(&w->zap_lock);
	return ret;
}

static const struct vm_operations_struct window_vm_ops = {
	.fault = window_fault,
	.pfn_mkwrite = window_mkwrite,
	.may_split = pvisor_shadow_may_split,
	.mremap = pvisor_shadow_mremap,
};

static unsigned long prot_of(unsigned long vm_flags)
{
	return (vm_flags & VM_READ ? PROT_READ : 0) |
	       (vm_flags & VM_WRITE ? PROT_WRITE : 0) |
	       (vm_flags & VM_EXEC ? PROT_EXEC : 0);
}

/**
 * pvisor_window_mmap() - set up the guest window
 * @runner: the runner whose fd is being mapped
 * @vma: exactly PVISOR_WINDOW_SIZE bytes at PVISOR_WINDOW_BASE, shared,
 *       offset 0; one window per runner
 *
 * Also the second half of a reset, called back by vm_mmap() in the
 * resetting thread once the old mapping and its page tables are gone.
 *
 * Return: 0, -EINVAL (the wrong geometry), -EBUSY (mapped already).
 */
int pvisor_window_mmap(struct pvisor_runner *runner, struct vm_area_struct *vma)
{
	struct pvisor_window *w = &runner->window;

	if (vma->vm_start != PVISOR_WINDOW_BASE ||
	    vma->vm_end - vma->vm_start != PVISOR_WINDOW_SIZE ||
	    vma->vm_pgoff || !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (READ_ONCE(w->resetter) != current) {
		if (test_and_set_bit(RUNNER_WINDOW_MAPPED, &runner->flags))
			return -EBUSY;
		init_rwsem(&w->zap_lock);
		mutex_init(&w->reset_lock);
		w->allowance = pvisor_window_allowance(runner->dom->mem.nr_frames);
		w->prot = prot_of(vma->vm_flags);
	}
	/* The window is empty: whatever tables the mm has are the runner's. */
	WRITE_ONCE(w->baseline, mm_pgtables_bytes(vma->vm_mm));

	/*
	 * VM_IO: madvise(MADV_DOFORK) refuses it, so no fork ever copies
	 * entries that no invalidation of ours would reach.
	 */
	pvisor_vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND |
				 VM_DONTDUMP | VM_DONTCOPY);
	vma->vm_ops = &window_vm_ops;
	vma->vm_private_data = runner;
	return 0;
}

/**
 * pvisor_window_flush() - invalidate shadow entries
 * @runner: the calling runner (current must be one of its threads)
 * @va: start, inside the window
 * @len: bytes, page multiples; the range must stay inside the window
 *
 * When it returns, no entry filled from the guest's tables as they were
 * before the call is left in [@va, @va + @len). Costs at most a walk of
 * the window's page tables, which its budget bounds. Sleeps.
 */
void pvisor_window_flush(struct pvisor_runner *runner, u64 va, u64 len)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;

	mmap_read_lock(mm);
	vma = vma_lookup(mm, PVISOR_WINDOW_BASE);
	if (is_window(vma, runner))
		pvisor_shadow_zap(vma, &runner->window.zap_lock, va, len);
	mmap_read_unlock(mm);
}

/** pvisor_window_flush_all() - invalidate the whole window */
void pvisor_window_flush_all(struct pvisor_runner *runner)
{
	pvisor_window_flush(runner, PVISOR_WINDOW_BASE, PVISOR_WINDOW_SIZE);
}
