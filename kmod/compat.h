/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host kernels pvisor is built for differ in a few interfaces:
 * Debian 12's 6.1 and 6.12 cloud kernels are the reference pair
 * (Documentation/admin-guide.rst). Each difference is bridged here, once,
 * so that no other file needs a version test.
 */
#ifndef PVISOR_COMPAT_H
#define PVISOR_COMPAT_H

#include <linux/anon_inodes.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/version.h>
#include <net/genetlink.h>

/* The execution core is x86-64 machine code and x86-64 page tables. */
#ifndef CONFIG_X86_64
#error "pvisor runs on x86-64 hosts only"
#endif

/* 6.3 made vma->vm_flags read-only outside the mm core. */
static inline void pvisor_vm_flags_set(struct vm_area_struct *vma,
				       vm_flags_t flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

static inline void pvisor_vm_flags_clear(struct vm_area_struct *vma,
					 vm_flags_t flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

/*
 * 6.2 gave pre_doit its own ops type (split ops) and moved a dump's
 * parsed attributes into an embedded genl_info.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
typedef struct genl_split_ops pvisor_genl_doit_ops;

static inline struct nlattr **
pvisor_dumpit_attrs(const struct genl_dumpit_info *info)
{
	return info->info.attrs;
}
#else
typedef struct genl_ops pvisor_genl_doit_ops;

static inline struct nlattr **
pvisor_dumpit_attrs(const struct genl_dumpit_info *info)
{
	return info->attrs;
}
#endif

/*
 * An anonymous fd with an inode of its own (so an address space of its
 * own): 6.1 exports anon_inode_getfd_secure(); later kernels renamed it
 * and export only the file variant, anon_inode_create_getfile().
 */
static inline int pvisor_anon_inode_getfd_own(const char *name,
					      const struct file_operations *fops,
					      void *priv, int flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	struct file *file;
	int fd = get_unused_fd_flags(flags);

	if (fd < 0)
		return fd;
	file = anon_inode_create_getfile(name, fops, priv, flags, NULL);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	fd_install(fd, file);
	return fd;
#else
	return anon_inode_getfd_secure(name, fops, priv, flags, NULL);
#endif
}

#endif /* PVISOR_COMPAT_H */
