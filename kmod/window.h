/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_WINDOW_H
#define PVISOR_WINDOW_H

#include <linux/types.h>

struct pvisor_runner;
struct vm_area_struct;

int pvisor_window_mmap(struct pvisor_runner *runner,
		       struct vm_area_struct *vma);
void pvisor_window_flush(struct pvisor_runner *runner, u64 va, u64 len);
void pvisor_window_flush_all(struct pvisor_runner *runner);

#endif /* PVISOR_WINDOW_H */
