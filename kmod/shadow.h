/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Transitional: shadow.c became window.c (the guest window: faults,
 * invalidation), hypercall_page.c (the stubs and iret trampolines) and
 * guest_addr.h (which addresses a guest may name). Include those instead;
 * this header goes once nothing includes it.
 */
#ifndef PVISOR_SHADOW_H
#define PVISOR_SHADOW_H

#include "guest_addr.h"
#include "hypercall_page.h"
#include "window.h"

static inline int pvisor_shadow_init(void)
{
	return pvisor_hypercall_page_init();
}

static inline void pvisor_shadow_exit(void)
{
	pvisor_hypercall_page_exit();
}

static inline int pvisor_shadow_mmap(struct pvisor_runner *runner,
				     struct vm_area_struct *vma)
{
	return pvisor_window_mmap(runner, vma);
}

#endif /* PVISOR_SHADOW_H */
