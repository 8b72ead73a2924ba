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
 */

#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <pvisor/device.h>

#include "compat.h"
#include "domain.h"
#include "domain_memory.h"

static vm_fault_t domain_memory_fault(struct vm_fault *vmf)
{
	struct pvisor_domain *dom = vmf->vma->vm_private_data;

	/* mmap() checked the range; a failed mremap() cannot grow it. */
	if (WARN_ON_ONCE(vmf->pgoff >= dom->mem.nr_frames))
		return VM_FAULT_SIGBUS;
	return vmf_insert_pfn(vmf->vma, vmf->address,
			      page_to_pfn(dom->mem.p2m[vmf->pgoff]));
}

static const struct vm_operations_struct domain_memory_vm_ops = {
	.fault = domain_memory_fault,
};

static int domain_memory_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct pvisor_domain *dom = file->private_data;
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
	vma->vm_private_data = dom;
	return 0;
}

static int domain_memory_release(struct inode *inode, struct file *file)
{
	pvisor_domain_put(file->private_data);
	return 0;
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
	struct pvisor_domain *dom;
	int fd;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	dom = pvisor_domain_for_admin(arg.domid, arg.flags);
	if (IS_ERR(dom))
		return PTR_ERR(dom);

	/* On success the fd owns our reference. */
	fd = anon_inode_getfd("pvisor-domain-memory", &domain_memory_fops,
			      dom, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		pvisor_domain_put(dom);
	return fd;
}
