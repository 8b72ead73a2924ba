/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_DEVICE_H
#define PVISOR_DEVICE_H

int pvisor_device_init(void);
void pvisor_device_exit(void);

#endif /* PVISOR_DEVICE_H */
