/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * pvisor character device /dev/pvisor: the ioctl interface.
 *
 * Domain runners and Domain0 tools open /dev/pvisor; everything that
 * creates or destroys domains goes over netlink instead.
 */
#ifndef _UAPI_PVISOR_DEVICE_H
#define _UAPI_PVISOR_DEVICE_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Bumped on every incompatible change of any pvisor ABI. */
#define PVISOR_ABI_VERSION	1

#define PVISOR_IOCTL_TYPE	0xAF

/* Returns PVISOR_ABI_VERSION; takes no argument. */
#define PVISOR_IOCTL_ABI_VERSION	_IO(PVISOR_IOCTL_TYPE, 0x00)

/*
 * Domain0's window onto a domain's memory, for the domain builder and
 * backends: returns a new fd whose mmap() offset is a guest physical
 * address (pfn << 12). Only MAP_SHARED mappings inside the reservation
 * are allowed. The fd keeps the domain's memory alive until it and every
 * mapping of it are gone, even if the domain is destroyed meanwhile.
 * Needs CAP_SYS_ADMIN.
 */
struct pvisor_domain_memory {
	__u32 domid;
	__u32 flags;		/* must be 0 */
};
#define PVISOR_IOCTL_DOMAIN_MEMORY \
	_IOW(PVISOR_IOCTL_TYPE, 0x01, struct pvisor_domain_memory)

#endif /* _UAPI_PVISOR_DEVICE_H */
