/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_SHADOW_H
#define PVISOR_SHADOW_H

#include <linux/types.h>

struct pvisor_runner;
struct vm_area_struct;

int pvisor_shadow_init(void);
void pvisor_shadow_exit(void);
int pvisor_shadow_mmap(struct pvisor_runner *runner,
		       struct vm_area_struct *vma);
void pvisor_shadow_flush(struct pvisor_runner *runner, u64 va, u64 len);
void pvisor_shadow_flush_all(struct pvisor_runner *runner);
bool pvisor_guest_range_ok(u64 addr, u64 len);
bool pvisor_in_window(u64 addr);

#endif /* PVISOR_SHADOW_H */
