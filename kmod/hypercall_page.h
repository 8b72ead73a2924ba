/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_HYPERCALL_PAGE_H
#define PVISOR_HYPERCALL_PAGE_H

#include <linux/types.h>

int pvisor_hypercall_page_init(void);
void pvisor_hypercall_page_exit(void);
unsigned long pvisor_hypercall_page_pfn(void);

#endif /* PVISOR_HYPERCALL_PAGE_H */
