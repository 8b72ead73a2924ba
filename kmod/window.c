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
 * and sleep.
 */

#include <linux/mm.h>
#include <linux/sched.h>
#include <pvisor/event.h>
#include <pvisor/hypercall.h>

#include "domain.h"
#include "guest_addr.h"
#include "hypercall_page.h"
#include "pagetable.h"
#include "runner.h"
#include "window.h"

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
	switch (walk->status) {
	case PVISOR_WALK_OK:
		break;
	case PVISOR_WALK_BAD_PFN:
		pvisor_domain_crash(dom, "page table maps pfn %#llx beyond the reservation (va %#lx, level %d)",
				    walk->pfn, vmf->address, walk->level);
		return VM_FAULT_SIGSEGV;
	case PVISOR_WALK_LARGE_PAGE:
		pvisor_domain_crash(dom, "large page at va %#lx (level %d): not supported",
				    vmf->address, walk->level);
		return VM_FAULT_SIGSEGV;
	case PVISOR_WALK_NOT_PRESENT:
		vcpu->fault_va = vmf->address;
		return VM_FAULT_SIGSEGV;
	}

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
	ret = vmf_insert_pfn_prot(vmf->vma, vmf->address,
				  page_to_pfn(runner->dom->mem.p2m[walk.pfn]),
				  guest_prot(walk.writable, walk.executable));
out_unlock:
	up_read(&w->zap_lock);
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
	if (!ret && pte_pfn(vmf->orig_pte) !=
		    page_to_pfn(runner->dom->mem.p2m[walk.pfn])) {
		zap_vma_ptes(vmf->vma, vmf->address, PAGE_SIZE);
		ret = VM_FAULT_NOPAGE;
	}
	up_read(&w->zap_lock);
	return ret;
}

/* The window stays whole and in place: invalidation finds it there. */
static int window_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

static int window_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

static const struct vm_operations_struct window_vm_ops = {
	.fault = window_fault,
	.pfn_mkwrite = window_mkwrite,
	.may_split = window_may_split,
	.mremap = window_mremap,
};

static bool is_window(struct vm_area_struct *vma, struct pvisor_runner *runner)
{
	return vma && vma->vm_ops == &window_vm_ops &&
	       vma->vm_private_data == runner;
}

/**
 * pvisor_window_mmap() - set up the guest window
 * @runner: the runner whose fd is being mapped
 * @vma: exactly PVISOR_WINDOW_SIZE bytes at PVISOR_WINDOW_BASE, shared,
 *       offset 0; one window per runner
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
	if (test_and_set_bit(RUNNER_WINDOW_MAPPED, &runner->flags))
		return -EBUSY;
	init_rwsem(&w->zap_lock);

	/*
	 * VM_IO: madvise(MADV_DOFORK) refuses it, so no fork ever copies
	 * entries that no invalidation of ours would reach.
	 */
	vma->vm_flags |= VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP |
			 VM_DONTCOPY;
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
 * before the call is left in [@va, @va + @len). Sleeps.
 */
void pvisor_window_flush(struct pvisor_runner *runner, u64 va, u64 len)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;

	mmap_read_lock(mm);
	vma = vma_lookup(mm, PVISOR_WINDOW_BASE);
	if (is_window(vma, runner)) {
		down_write(&runner->window.zap_lock);
		zap_vma_ptes(vma, va, len);
		up_write(&runner->window.zap_lock);
	}
	mmap_read_unlock(mm);
}

/** pvisor_window_flush_all() - invalidate the whole window */
void pvisor_window_flush_all(struct pvisor_runner *runner)
{
	pvisor_window_flush(runner, PVISOR_WINDOW_BASE, PVISOR_WINDOW_SIZE);
}
