// SPDX-License-Identifier: GPL-2.0
/*
 * Domain0's grant mappings and copies (PVISOR_IOCTL_GRANT_OPEN): the
 * role of Xen's gntdev for backends in host user space.
 *
 * A grant-mapping fd holds mappings, each one page of a granting domain
 * that a backend named by (domid, ref). GRANT_MAP pins the grant at once
 * (pvisor_grant_begin(): the entry shows GTF_READING, GTF_WRITING if
 * writable) and hands back an index; the backend then mmap()s that
 * index. A mapping has users: its handle, until GRANT_UNMAP or close,
 * and each VMA of it. The grant ends when the last user goes, and a
 * VMA goes only after its page-table entries are torn down, so by the
 * time the entry's bits are cleared and the granting domain's
 * reference dropped, nothing reaches the frame through us any more.
 *
 * A granting domain destroyed while mapped keeps its frames (and their
 * charge) until the backend unmaps or closes; its grants can no longer
 * be mapped or copied. A backend that never unmaps loses its mappings
 * when its fd and VMAs are gone, at exit at the latest.
 *
 * Locking: each fd's lock (a mutex) protects its index table and count.
 * The grant table's lock (grant.c) is taken inside it, never the other
 * way round. VMAs reach their mapping without the fd's lock: they hold a
 * user reference.
 */

#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>
#include <pvisor/grant.h>

#include "compat.h"
#include "domain.h"
#include "grant.h"
#include "grant_map.h"

static unsigned int max_grant_maps = 1024;
module_param(max_grant_maps, uint, 0444);
#define GRANT_MAPS_MAX	65536
MODULE_PARM_DESC(max_grant_maps,
		 "Most grant mappings one Domain0 grant-mapping fd may hold (1-65536, default 1024)");

/* The limit on maps per fd, at most a 32-bit index. At load. */
bool pvisor_grant_map_params_ok(void)
{
	if (!max_grant_maps || max_grant_maps > GRANT_MAPS_MAX) {
		pr_err("max_grant_maps must be 1..%u\n", GRANT_MAPS_MAX);
		return false;
	}
	return true;
}

/* The most segments one GRANT_COPY runs, so that it stays short. */
#define GRANT_COPY_MAX	1024

struct grant_file {
	struct mutex lock;
	struct xarray maps;		/* index -> struct grant_mapping */
	unsigned int nr_maps;
};

struct grant_mapping {
	refcount_t users;		/* the handle and each VMA */
	struct pvisor_grant_use use;
};

static void mapping_put(struct grant_mapping *map)
{
	if (refcount_dec_and_test(&map->users)) {
		pvisor_grant_end(&map->use);
		kfree(map);
	}
}

static int gntst_errno(int status)
{
	switch (status) {
	case PVISOR_GNTST_OKAY:
		return 0;
	case PVISOR_GNTST_BAD_DOMAIN:
		return -ENOENT;
	case PVISOR_GNTST_BAD_GNTREF:
		return -EINVAL;
	default:
		return -EACCES;
	}
}

static long grant_map_ioctl(struct grant_file *gf, void __user *uarg)
{
	struct pvisor_grant_map arg;
	struct grant_mapping *map;
	u32 index;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags & ~PVISOR_GRANT_MAP_READONLY || arg.pad || !arg.domid)
		return -EINVAL;
	map = kzalloc(sizeof(*map), GFP_KERNEL_ACCOUNT);
	if (!map)
		return -ENOMEM;
	refcount_set(&map->users, 1);

	mutex_lock(&gf->lock);
	ret = -ENOSPC;
	if (gf->nr_maps >= max_grant_maps)
		goto err_unlock;
	ret = gntst_errno(pvisor_grant_begin(&map->use, arg.domid, arg.ref, 0,
				!(arg.flags & PVISOR_GRANT_MAP_READONLY)));
	if (ret)
		goto err_unlock;
	ret = xa_alloc(&gf->maps, &index, map,
		       XA_LIMIT(0, max_grant_maps - 1), GFP_KERNEL_ACCOUNT);
	if (ret) {
		ret = ret == -EBUSY ? -ENOSPC : ret;
		goto err_end;
	}
	gf->nr_maps++;
	mutex_unlock(&gf->lock);

	arg.index = (u64)index << PAGE_SHIFT;
	if (copy_to_user(uarg, &arg, sizeof(arg)))
		return -EFAULT;	/* the mapping stays; close ends it */
	return 0;

err_end:
	pvisor_grant_end(&map->use);
err_unlock:
	mutex_unlock(&gf->lock);
	kfree(map);
	return ret;
}

static long grant_unmap_ioctl(struct grant_file *gf, void __user *uarg)
{
	struct pvisor_grant_unmap arg;
	struct grant_mapping *map;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (!PAGE_ALIGNED(arg.index) || arg.index >> PAGE_SHIFT > U32_MAX)
		return -EINVAL;
	mutex_lock(&gf->lock);
	map = xa_erase(&gf->maps, arg.index >> PAGE_SHIFT);
	if (map)
		gf->nr_maps--;
	mutex_unlock(&gf->lock);
	if (!map)
		return -EINVAL;
	mapping_put(map);	/* a VMA may keep it until munmap() */
	return 0;
}

/* One side of a Domain0 copy: a grant in use, or the caller's buffer. */
struct seg_side {
	struct pvisor_grant_use use;	/* use.dom set: a grant */
	void *kaddr;			/* the grant's frame, mapped */
};

static int seg_side_begin(struct seg_side *side, u64 virt, u32 domid,
			  u32 ref, bool gref, bool write)
{
	int ret;

	side->use.dom = NULL;
	if (!gref) {
		side->kaddr = NULL;
		return PVISOR_GNTST_OKAY;
	}
	if (!domid)
		return PVISOR_GNTST_BAD_DOMAIN;
	ret = pvisor_grant_begin(&side->use, domid, ref, 0, write);
	if (ret == PVISOR_GNTST_OKAY)
		side->kaddr = kmap_local_page(side->use.page);
	return ret;
}

static void seg_side_end(struct seg_side *side)
{
	if (side->use.dom) {
		kunmap_local(side->kaddr);
		pvisor_grant_end(&side->use);
	}
}

/* One segment: its status. */
static s16 copy_seg(const struct pvisor_grant_copy_seg *seg)
{
	bool src_gref = seg->flags & PVISOR_GNTCOPY_SOURCE_GREF;
	bool dst_gref = seg->flags & PVISOR_GNTCOPY_DEST_GREF;
	struct seg_side src, dst;
	int ret;

	if (seg->flags & ~(PVISOR_GNTCOPY_SOURCE_GREF | PVISOR_GNTCOPY_DEST_GREF))
		return PVISOR_GNTST_BAD_COPY_ARG;
	if ((src_gref && !pvisor_grant_range_ok(seg->source.foreign.offset, seg->len)) ||
	    (dst_gref && !pvisor_grant_range_ok(seg->dest.foreign.offset, seg->len)))
		return PVISOR_GNTST_BAD_COPY_ARG;
	ret = seg_side_begin(&src, seg->source.virt, seg->source.foreign.domid,
			     seg->source.foreign.ref, src_gref, false);
	if (ret)
		return ret;
	ret = seg_side_begin(&dst, seg->dest.virt, seg->dest.foreign.domid,
			     seg->dest.foreign.ref, dst_gref, true);
	if (ret)
		goto out_src;

	if (src_gref && dst_gref)
		memmove(dst.kaddr + seg->dest.foreign.offset,
			src.kaddr + seg->source.foreign.offset, seg->len);
	else if (src_gref && copy_to_user(u64_to_user_ptr(seg->dest.virt),
					  src.kaddr + seg->source.foreign.offset,
					  seg->len))
		ret = PVISOR_GNTST_BAD_VIRT_ADDR;
	else if (dst_gref && copy_from_user(dst.kaddr + seg->dest.foreign.offset,
					    u64_to_user_ptr(seg->source.virt),
					    seg->len))
		ret = PVISOR_GNTST_BAD_VIRT_ADDR;
	else if (!src_gref && !dst_gref)
		ret = PVISOR_GNTST_BAD_COPY_ARG;	/* no grant at all */
	seg_side_end(&dst);
out_src:
	seg_side_end(&src);
	return ret;
}

static long grant_copy_ioctl(void __user *uarg)
{
	struct pvisor_grant_copy_seg __user *segs;
	struct pvisor_grant_copy_seg seg;
	struct pvisor_grant_copy arg;
	u32 i;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.pad || arg.count > GRANT_COPY_MAX)
		return -EINVAL;
	segs = u64_to_user_ptr(arg.segments);
	for (i = 0; i < arg.count; i++) {
		if (fatal_signal_pending(current))
			return -EINTR;
		if (copy_from_user(&seg, &segs[i], sizeof(seg)))
			return -EFAULT;
		if (put_user(copy_seg(&seg), &segs[i].status))
			return -EFAULT;
		cond_resched();
	}
	return 0;
}

static long grant_file_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	struct grant_file *gf = file->private_data;

	switch (cmd) {
	case PVISOR_IOCTL_GRANT_MAP:
		return grant_map_ioctl(gf, (void __user *)arg);
	case PVISOR_IOCTL_GRANT_UNMAP:
		return grant_unmap_ioctl(gf, (void __user *)arg);
	case PVISOR_IOCTL_GRANT_COPY:
		return grant_copy_ioctl((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static void grant_vma_open(struct vm_area_struct *vma)
{
	struct grant_mapping *map = vma->vm_private_data;

	refcount_inc(&map->users);	/* a copy of the VMA (mremap) */
}

/* The VMA's page-table entries are gone by now: the frame is unreachable. */
static void grant_vma_close(struct vm_area_struct *vma)
{
	mapping_put(vma->vm_private_data);
}

static vm_fault_t grant_vma_fault(struct vm_fault *vmf)
{
	struct grant_mapping *map = vmf->vma->vm_private_data;

	return vmf_insert_pfn(vmf->vma, vmf->address,
			      page_to_pfn(map->use.page));
}

static const struct vm_operations_struct grant_vm_ops = {
	.open = grant_vma_open,
	.close = grant_vma_close,
	.fault = grant_vma_fault,
};

static int grant_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct grant_file *gf = file->private_data;
	struct grant_mapping *map;
	int ret = 0;

	if (vma_pages(vma) != 1 || !(vma->vm_flags & VM_SHARED) ||
	    vma->vm_pgoff > U32_MAX)
		return -EINVAL;
	mutex_lock(&gf->lock);
	map = xa_load(&gf->maps, vma->vm_pgoff);
	if (!map)
		ret = -EINVAL;
	else if (!map->use.write && (vma->vm_flags & VM_WRITE))
		ret = -EPERM;
	else
		refcount_inc(&map->users);
	mutex_unlock(&gf->lock);
	if (ret)
		return ret;

	/* A read-only grant stays read-only: no mprotect() to writable. */
	if (!map->use.write)
		pvisor_vm_flags_clear(vma, VM_MAYWRITE);
	/* As domain_memory.c: no child inherits a domain's frame. */
	pvisor_vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND |
				 VM_DONTDUMP | VM_DONTCOPY);
	vma->vm_ops = &grant_vm_ops;
	vma->vm_private_data = map;
	return 0;
}

static int grant_file_release(struct inode *inode, struct file *file)
{
	struct grant_file *gf = file->private_data;
	struct grant_mapping *map;
	unsigned long index;

	/* No VMA is left: each holds the file. */
	xa_for_each(&gf->maps, index, map)
		mapping_put(map);
	xa_destroy(&gf->maps);
	kfree(gf);
	return 0;
}

static const struct file_operations grant_file_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = grant_file_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = grant_file_mmap,
	.release = grant_file_release,
	.llseek = noop_llseek,
};

/**
 * pvisor_grant_file_open() - PVISOR_IOCTL_GRANT_OPEN
 *
 * Return: a new grant-mapping fd, or -EPERM (no CAP_SYS_ADMIN),
 * -ENOMEM, -EMFILE.
 */
int pvisor_grant_file_open(void)
{
	struct grant_file *gf;
	int fd;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	gf = kzalloc(sizeof(*gf), GFP_KERNEL_ACCOUNT);
	if (!gf)
		return -ENOMEM;
	mutex_init(&gf->lock);
	xa_init_flags(&gf->maps, XA_FLAGS_ALLOC);
	fd = anon_inode_getfd("pvisor-grant-map", &grant_file_fops, gf,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0)
		kfree(gf);
	return fd;
}
