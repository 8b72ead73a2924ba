/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_TRAMPOLINE_H
#define PVISOR_TRAMPOLINE_H

#include <linux/mm.h>
#include <linux/types.h>
#include <pvisor/device.h>

/* test %eax,%eax; jnz 1f; ret: what follows the handler's ioctl */
#define PVISOR_CTX_TRAP_TAIL	5

int pvisor_trampoline_init(void);
void pvisor_trampoline_exit(void);
unsigned long pvisor_trampoline_pfn(void);

/* Is @ip on the trampoline page of a context process? */
static inline bool pvisor_in_trampoline(u64 ip)
{
	return ip >= PVISOR_CTX_TRAMPOLINE &&
	       ip - PVISOR_CTX_TRAMPOLINE < PAGE_SIZE;
}

/*
 * Is @ip where a thread resumed by CTX_TRAP goes on to rt_sigreturn:
 * after the handler's ioctl up to its ud2, or the restorer before its
 * system call returns? Its frame then holds the registers to run next.
 */
static inline bool pvisor_trampoline_resuming(u64 ip)
{
	return (ip >= PVISOR_CTX_TRAP_CALL_END &&
		ip < PVISOR_CTX_TRAP_CALL_END + PVISOR_CTX_TRAP_TAIL) ||
	       (ip >= PVISOR_CTX_RESTORER && ip < PVISOR_CTX_RESTORER_CALL_END);
}

#endif /* PVISOR_TRAMPOLINE_H */
