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

#endif /* _UAPI_PVISOR_DEVICE_H */
