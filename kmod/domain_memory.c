// SPDX-License-Identifier: GPL-2.0
/*
 * Domain0's mapping of a domain's memory (PVISOR_IOCTL_DOMAIN_MEMORY).
 *
 * The domain builder writes the guest kernel, its page tables and
 * start_info straight into the domain's frames through this, and I/O
 * backends will read and write guest buffers the same way. It is the only
 * way into a domain's memory from outside, so it takes CAP_SYS_ADMIN.
 *
 * The fd owns a domain reference, and every mapping owns the fd, so the
 * frames stay valid for as long as anything maps them, even across a
 * DOMAIN_DEL: they return to the host when the last mapping goes.
 * Offsets are guest physical addresses; frames are inserted on first
 * touch, straight from the P2M.
 *
 * A frame the guest gives back (ballooning, memory_op.c) must leave
 * Domain0's mappings too. Each fd therefore has an inode of its own, and
 * so an address space of its own, and is listed in the domain's
 * reservation once mapped; pvisor_domain_memory_zap() unmaps the page
 * from every listed fd. A fault inserts inside the P2M read lock, so the
 * zap, which runs after pvisor_p2m_sync(), always comes after it; a
 * fault at a given-back pfn gets SIGBUS.
 */

#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <pvisor/device.h>

#include "compat.h"
#include "domain.h"
#include "domain_memory.h"

/* One fd: its domain and its place on the reservation's list. */
struct domain_memory_file {
	struct pvisor_domain *dom;	/* a reference */
	struct file *file;		/* no reference: it owns us */
	struct list_head node;		/* on dom->mem.mappers, once mapped */
	bool listed;			/* under dom->mem.mappers_lock */
};

static vm_fault_t domain_memory_fault(struct vm_fault *vmf)
{
	struct domain_memory_file *dmf = vmf->vma->vm_private_data;
	struct pvisor_domain *dom = dmf->dom;
	struct page *frame;
	vm_fault_t ret;
	int idx;

	/* mmap() checked the range; a failed mremap() cannot grow it. */
	if (WARN_ON_ONCE(vmf->pgoff >= dom->mem.nr_frames))
		return VM_FAULT_SIGBUS;
	idx = pvisor_p2m_read_lock();
	frame = pvisor_p2m_frame(&dom->mem, vmf->pgoff);
	ret = frame ? vmf_insert_pfn(vmf->vma, vmf->address,
				     page_to_pfn(frame)) : VM_FAULT_SIGBUS;
	pvisor_p2m_read_unlock(idx);
	return ret;
}

static const struct vm_operations_struct domain_memory_vm_ops = {
	.fault = domain_memory_fault,
};

static int domain_memory_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct domain_memory_file *dmf = file->private_data;
	struct pvisor_domain *dom = dmf->dom;
	unsigned long pages = vma_pages(vma);

	/* A private copy would be a snapshot nobody asked for. */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_pgoff >= dom->mem.nr_frames ||
	    pages > dom->mem.nr_frames - vma->vm_pgoff)
		return -EINVAL;

	/*
	 * No fork copies the frames' entries (VM_DONTCOPY), and VM_IO makes
	 * madvise(MADV_DOFORK) refuse to undo that: a child would keep the
	 * domain's frames mapped where nothing of the module reaches them.
	 */
	pvisor_vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND |
				 VM_DONTDUMP | VM_DONTCOPY);
	vma->vm_ops = &domain_memory_vm_ops;
	vma->vm_private_data = dmf;

	mutex_lock(&dom->mem.mappers_lock);
	if (!dmf->listed) {
		dmf->file = file;
		list_add(&dmf->node, &dom->mem.mappers);
		dmf->listed = true;
	}
	mutex_unlock(&dom->mem.mappers_lock);
	return 0;
}

static int domain_memory_release(struct inode *inode, struct file *file)
{
	struct domain_memory_file *dmf = file->private_data;
	struct pvisor_domain *dom = dmf->dom;

	mutex_lock(&dom->mem.mappers_lock);
	if (dmf->listed)
		list_del(&dmf->node);
	mutex_unlock(&dom->mem.mappers_lock);
	kfree(dmf);
	pvisor_domain_put(dom);
	return 0;
}

/**
 * pvisor_domain_memory_zap() - take a guest page out of Domain0's mappings
 * @dom: the domain
 * @pfn: the page, whose P2M entry is already gone and synced
 *
 * Sleeps. When it returns no Domain0 mapping reaches the old frame.
 */
void pvisor_domain_memory_zap(struct pvisor_domain *dom, u64 pfn)
{
	struct domain_memory_file *dmf;

	mutex_lock(&dom->mem.mappers_lock);
	list_for_each_entry(dmf, &dom->mem.mappers, node)
		unmap_mapping_range(dmf->file->f_mapping,
				    (loff_t)pfn << PAGE_SHIFT, PAGE_SIZE, 1);
	mutex_unlock(&dom->mem.mappers_lock);
}

static const struct file_operations domain_memory_fops = {
	.owner = THIS_MODULE,
	.mmap = domain_memory_mmap,
	.release = domain_memory_release,
	.llseek = noop_llseek,
};

/**
 * pvisor_domain_memory_open() - PVISOR_IOCTL_DOMAIN_MEMORY
 * @uarg: the caller's struct pvisor_domain_memory
 *
 * Return: a new fd mapping the domain's memory, or -EPERM, -EFAULT,
 * -EINVAL (flags set, domid 0), -ENOENT (no such domain), -EMFILE.
 */
int pvisor_domain_memory_open(const struct pvisor_domain_memory __user *uarg)
{
	struct pvisor_domain_memory arg;
	struct domain_memory_file *dmf;
	struct pvisor_domain *dom;
	int fd;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	dom = pvisor_domain_for_admin(arg.domid, arg.flags);
	if (IS_ERR(dom))
		return PTR_ERR(dom);

	fd = -ENOMEM;
	dmf = kzalloc(sizeof(*dmf), GFP_KERNEL_ACCOUNT);
	if (!dmf)
		goto err_put;
	dmf->dom = dom;

	/*
	 * An inode of its own, so that the zap unmaps through an address
	 * space only this fd's mappings use. On success the fd owns dmf
	 * and our reference.
	 */
	fd = pvisor_anon_inode_getfd_own("[pvisor-domain-memory]",
					 &domain_memory_fops, dmf,
					 O_RDWR | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	kfree(dmf);
err_put:
	pvisor_domain_put(dom);
	return fd;
}
