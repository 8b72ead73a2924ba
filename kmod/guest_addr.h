/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest addresses: which host virtual addresses a guest may name.
 *
 * A guest names memory by its virtual address in the guest window
 * (uapi/pvisor/hypercall.h). Every pointer a hypercall or a trap frame
 * hands the module is checked here before anything reads or writes
 * through it.
 */
#ifndef PVISOR_GUEST_ADDR_H
#define PVISOR_GUEST_ADDR_H

#include <linux/types.h>
#include <pvisor/hypercall.h>

/**
 * pvisor_guest_range_ok() - is [addr, addr + len) guest memory?
 * @addr: a guest virtual address
 * @len: bytes from it
 *
 * Guest pointers handed to hypercalls must lie in the window, below the
 * module's two pages; the runner's own memory is not the guest's to name.
 */
static inline bool pvisor_guest_range_ok(u64 addr, u64 len)
{
	return addr >= PVISOR_WINDOW_BASE && addr < PVISOR_GUEST_LIMIT &&
	       len <= PVISOR_GUEST_LIMIT - addr;
}

/**
 * pvisor_in_window() - is @addr inside the guest window?
 * @addr: an address, e.g. a guest rip
 *
 * Guest code may run anywhere in the window, the hypercall stubs
 * included; guest memory (pvisor_guest_range_ok()) ends below the
 * module's pages.
 */
static inline bool pvisor_in_window(u64 addr)
{
	return addr >= PVISOR_WINDOW_BASE &&
	       addr - PVISOR_WINDOW_BASE < PVISOR_WINDOW_SIZE;
}

#endif /* PVISOR_GUEST_ADDR_H */
