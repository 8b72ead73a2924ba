/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_VERSION_H
#define PVISOR_VERSION_H

/*
 * The module's release, for modinfo and the load message. dkms.conf's
 * PACKAGE_VERSION must say the same (selftests/host/test_install.sh).
 * The ABI the module speaks is PVISOR_ABI_VERSION (uapi/pvisor/device.h).
 */
#define PVISOR_VERSION	"0.2.0"

#endif /* PVISOR_VERSION_H */
