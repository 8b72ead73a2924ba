/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory: the physmap (guest pfn p at PVISOR_WINDOW_BASE + p * 4096, as
 * the builder set it up), a page allocator over the pages the builder
 * left free, and minnow's own page tables.
 */
#ifndef MINNOW_MM_H
#define MINNOW_MM_H

#include <pvisor/hypercall.h>

#include "lib.h"

#define MM_NO_PAGE	(~0ULL)

static inline void *pfn_to_virt(u64 pfn)
{
	return (void *)(PVISOR_WINDOW_BASE + (pfn << PAGE_SHIFT));
}

static inline u64 virt_to_pfn(const void *va)
{
	return ((u64)va - PVISOR_WINDOW_BASE) >> PAGE_SHIFT;
}

/* Take over the pages above start_info->first_free_pfn. */
void mm_init(void);

u64 mm_nr_pages(void);
u64 mm_free_pages(void);

/* A zeroed page, or MM_NO_PAGE. Safe on any vCPU. */
u64 alloc_page_pfn(void);
void free_page_pfn(u64 pfn);

/*
 * @n (a power of two) zeroed contiguous pages whose first pfn is a
 * multiple of @n: the first pfn, or MM_NO_PAGE. Freed page by page with
 * free_page_pfn().
 */
u64 alloc_pages_aligned(u64 n);

/*
 * Build minnow's own tables for the physmap (code read-only and
 * executable, read-only data, everything else read-write and
 * no-execute) and switch to them with MMUEXT_NEW_BASEPTR. The builder's
 * tables stay where they are, unused. Returns 0 or the hypercall's error.
 */
long mm_switch_tables(void);

/* The pfn of the top table in use (the builder's until the switch). */
u64 mm_top_pfn(void);

/*
 * Map @va to @pfn with @flags (PVISOR_PTE_*; PRESENT is implied) through
 * mmu_update, allocating missing intermediate tables. Returns 0 or a
 * negative errno.
 */
long map_page(u64 va, u64 pfn, u64 flags);

/* Unmap @va with update_va_mapping (invalidating it). */
long unmap_page(u64 va);

/*
 * Demand paging: from now on, a not-present page fault in [@va, @va +
 * @pages pages) maps a fresh zeroed page there (read-write, no-execute)
 * with update_va_mapping, and the access is retried. @va is page
 * aligned. Returns 0, -EINVAL or -ENOSPC (at most 4 zones).
 */
long mm_demand_zone(u64 va, u64 pages);

/*
 * The page-fault handler's part (traps.c): true when @va lies in a zone,
 * the guest's entry was not @present, and a page is now mapped there.
 */
bool mm_demand_fault(u64 va, bool present);

/* Pages mapped on demand so far. */
u64 mm_demand_mapped(void);

/* The leaf entry translating @va in the current tables, or NULL. */
u64 *lookup_pte(u64 va);

#endif /* MINNOW_MM_H */
