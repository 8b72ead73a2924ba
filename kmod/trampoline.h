/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_TRAMPOLINE_H
#define PVISOR_TRAMPOLINE_H

#include <linux/mm.h>
#include <linux/types.h>
#include <pvisor/device.h>

int pvisor_trampoline_init(void);
void pvisor_trampoline_exit(void);
unsigned long pvisor_trampoline_pfn(void);

/* Is @ip on the trampoline page of a context process? */
static inline bool pvisor_in_trampoline(u64 ip)
{
	return ip >= PVISOR_CTX_TRAMPOLINE &&
	       ip - PVISOR_CTX_TRAMPOLINE < PAGE_SIZE;
}

#endif /* PVISOR_TRAMPOLINE_H */
