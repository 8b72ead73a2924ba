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
 * VMA has .pfn_mkwrite, so window_mkwrite() re-checks the guest entry. A
 * fetch from a present NX entry never reaches us: x86 treats it as an
 * access error and raises SIGSEGV itself.
 *
 * The last page of the window is the hypercall page (hypercall_page.c),
 * read-only and executable whatever the guest's tables say. Below it sits
 * the runner's iret page, read-only, where its trampolines find rax and
 * rip, and below that the domain's shared_info page.
 *
 * Locking: faults run under the runner's mmap_lock (read); invalidations
 * take it for read to keep the VMA alive while zapping.
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
	struct pvisor_walk walk;
	vm_fault_t ret;

	if (vmf->address == PVISOR_HYPERCALL_PAGE)
		return hypercall_page_fault(vmf);
	if (vmf->address == PVISOR_IRET_PAGE)
		return iret_page_fault(vmf);
	if (vmf->address == PVISOR_SHARED_INFO_PAGE)
		return shared_info_fault(vmf);

	ret = guest_translate(vmf, &walk);
	if (ret)
		return ret;
	return vmf_insert_pfn_prot(vmf->vma, vmf->address,
				   page_to_pfn(runner->dom->mem.p2m[walk.pfn]),
				   guest_prot(walk.writable, walk.executable));
}

/* A write to a present read-only entry: allowed only if the guest's own
 * entry now allows it (it may have been upgraded without an invalidate).
 */
static vm_fault_t window_mkwrite(struct vm_fault *vmf)
{
	struct pvisor_walk walk;

	if (vmf->address >= PVISOR_GUEST_LIMIT)
		return VM_FAULT_SIGSEGV;
	return guest_translate(vmf, &walk);
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

/**
 * pvisor_window_mmap() - set up the guest window
 * @runner: the runner whose fd is being mapped
 * @vma: exactly PVISOR_WINDOW_SIZE bytes at PVISOR_WINDOW_BASE, shared,
 *       offset 0; one window per runner
 */
int pvisor_window_mmap(struct pvisor_runner *runner, struct vm_area_struct *vma)
{
	if (vma->vm_start != PVISOR_WINDOW_BASE ||
	    vma->vm_end - vma->vm_start != PVISOR_WINDOW_SIZE ||
	    vma->vm_pgoff || !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (test_and_set_bit(RUNNER_WINDOW_MAPPED, &runner->flags))
		return -EBUSY;

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
 */
void pvisor_window_flush(struct pvisor_runner *runner, u64 va, u64 len)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;

	mmap_read_lock(mm);
	vma = vma_lookup(mm, PVISOR_WINDOW_BASE);
	if (vma && vma->vm_ops == &window_vm_ops &&
	    vma->vm_private_data == runner)
		zap_vma_ptes(vma, va, len);
	mmap_read_unlock(mm);
}

/** pvisor_window_flush_all() - invalidate the whole window */
void pvisor_window_flush_all(struct pvisor_runner *runner)
{
	pvisor_window_flush(runner, PVISOR_WINDOW_BASE, PVISOR_WINDOW_SIZE);
}
