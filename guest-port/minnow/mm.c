// SPDX-License-Identifier: GPL-2.0
/*
 * minnow's memory.
 *
 * The builder hands over a physmap in its own page tables. minnow builds
 * its own (finer permissions, and tables it owns), switches to them with
 * MMUEXT_NEW_BASEPTR, and from then on changes live entries only through
 * the hypervisor (mmu_update, update_va_mapping), which writes and
 * invalidates together. A table that is not yet reachable is ordinary
 * memory and is written directly.
 *
 * Demand paging: the page-fault path (traps.c) asks mm_demand_fault()
 * whether a not-present fault lies in a zone the kernel registered; if
 * so a fresh page is mapped there with update_va_mapping and the access
 * retried, the guest handling its own page fault from start to end.
 *
 * The allocator is a bump pointer over [first_free_pfn, nr_pages) with a
 * free list threaded through freed pages: minnow frees little. Runs of
 * aligned pages (stacks, cpu.h) come from the bump pointer alone. One
 * lock, taken with events masked, makes it safe on every vCPU.
 */

#include <linux/errno.h>
#include <pvisor/hypercall.h>

#include "cpu.h"
#include "events.h"
#include "hypercall.h"
#include "mm.h"

#define PTRS		512
#define TABLE_FLAGS	(PVISOR_PTE_PRESENT | PVISOR_PTE_RW)

extern char __text_start[], __text_end[], __rodata_end[];

static u64 nr_pages, next_pfn, free_list = MM_NO_PAGE, nr_free;
static u64 top_pfn;
/* The allocator is shared by every vCPU and by event handlers. */
static spinlock_t alloc_lock = SPINLOCK_INIT;

void mm_init(void)
{
	nr_pages = start_info->nr_pages;
	next_pfn = start_info->first_free_pfn;
	nr_free = nr_pages - next_pfn;
	top_pfn = virt_to_pfn((void *)start_info->pt_base);
}

u64 mm_nr_pages(void)
{
	return nr_pages;
}

u64 mm_free_pages(void)
{
	return nr_free;
}

u64 mm_top_pfn(void)
{
	return top_pfn;
}

u64 alloc_page_pfn(void)
{
	unsigned long flags = local_irq_save();
	u64 pfn;

	spin_lock(&alloc_lock);
	if (free_list != MM_NO_PAGE) {
		pfn = free_list;
		free_list = *(u64 *)pfn_to_virt(pfn);
	} else if (next_pfn < nr_pages) {
		pfn = next_pfn++;
	} else {
		pfn = MM_NO_PAGE;
	}
	if (pfn != MM_NO_PAGE)
		nr_free--;
	spin_unlock(&alloc_lock);
	local_irq_restore(flags);
	if (pfn != MM_NO_PAGE)
		memset(pfn_to_virt(pfn), 0, PAGE_SIZE);
	return pfn;
}

/* Called with alloc_lock held. */
static void free_locked(u64 pfn)
{
	*(u64 *)pfn_to_virt(pfn) = free_list;
	free_list = pfn;
	nr_free++;
}

void free_page_pfn(u64 pfn)
{
	unsigned long flags = local_irq_save();

	spin_lock(&alloc_lock);
	free_locked(pfn);
	spin_unlock(&alloc_lock);
	local_irq_restore(flags);
}

/*
 * Only the bump pointer has runs of pages; the pages skipped to align it
 * go to the free list.
 */
u64 alloc_pages_aligned(u64 n)
{
	unsigned long flags = local_irq_save();
	u64 pfn = MM_NO_PAGE, start;

	spin_lock(&alloc_lock);
	start = (next_pfn + n - 1) & ~(n - 1);
	if (n && !(n & (n - 1)) && start >= next_pfn && start + n <= nr_pages) {
		/* Still counted free: only their list changes. */
		for (; next_pfn < start; next_pfn++) {
			*(u64 *)pfn_to_virt(next_pfn) = free_list;
			free_list = next_pfn;
		}
		pfn = start;
		next_pfn = start + n;
		nr_free -= n;
	}
	spin_unlock(&alloc_lock);
	local_irq_restore(flags);
	if (pfn != MM_NO_PAGE)
		memset(pfn_to_virt(pfn), 0, n * PAGE_SIZE);
	return pfn;
}

static unsigned int index_of(u64 va, int level)
{
	return (va >> (PAGE_SHIFT + 9 * (level - 1))) & (PTRS - 1);
}

static u64 *table(u64 pfn)
{
	return pfn_to_virt(pfn);
}

static u64 leaf_flags(u64 pfn)
{
	u64 va = (u64)pfn_to_virt(pfn);

	if (va >= (u64)__text_start && va < (u64)__text_end)
		return PVISOR_PTE_PRESENT;
	if (va >= (u64)__text_end && va < (u64)__rodata_end)
		return PVISOR_PTE_PRESENT | PVISOR_PTE_NX;
	return PVISOR_PTE_PRESENT | PVISOR_PTE_RW | PVISOR_PTE_NX;
}

/* Direct writes: @top is not live. Returns false when memory ran out. */
static bool build_map(u64 top, u64 va, u64 pfn, u64 flags)
{
	u64 t = top;
	int level;

	for (level = 4; level > 1; level--) {
		u64 *e = &table(t)[index_of(va, level)];

		if (!(*e & PVISOR_PTE_PRESENT)) {
			u64 n = alloc_page_pfn();

			if (n == MM_NO_PAGE)
				return false;
			*e = (n << PAGE_SHIFT) | TABLE_FLAGS;
		}
		t = (*e & PVISOR_PTE_PFN_MASK) >> PAGE_SHIFT;
	}
	table(t)[index_of(va, 1)] = (pfn << PAGE_SHIFT) | flags;
	return true;
}

long mm_switch_tables(void)
{
	struct pvisor_mmuext_op op = { .cmd = PVISOR_MMUEXT_NEW_BASEPTR };
	u64 top, pfn;
	u32 done = 0;
	long ret;

	top = alloc_page_pfn();
	if (top == MM_NO_PAGE)
		return -ENOMEM;
	/* Every pfn, the tables being built included: all are allocated. */
	for (pfn = 0; pfn < nr_pages; pfn++)
		if (!build_map(top, (u64)pfn_to_virt(pfn), pfn,
			       leaf_flags(pfn)))
			return -ENOMEM;
	op.arg1 = top;
	ret = hv_mmuext_op(&op, 1, &done);
	if (ret)
		return ret;
	if (done != 1)
		return -EIO;
	top_pfn = top;
	return 0;
}

u64 *lookup_pte(u64 va)
{
	u64 t = top_pfn;
	int level;

	for (level = 4; level > 1; level--) {
		u64 e = table(t)[index_of(va, level)];

		if (!(e & PVISOR_PTE_PRESENT))
			return NULL;
		t = (e & PVISOR_PTE_PFN_MASK) >> PAGE_SHIFT;
	}
	return &table(t)[index_of(va, 1)];
}

/*
 * The pfn of the last-level table for @va, allocating (through
 * mmu_update: the tables are live) whatever level is missing.
 */
static long leaf_table(u64 va, u64 *pfn)
{
	struct pvisor_mmu_update req;
	u64 t = top_pfn;
	int level;
	long ret;

	for (level = 4; level > 1; level--) {
		unsigned int i = index_of(va, level);
		u64 e = table(t)[i];

		if (!(e & PVISOR_PTE_PRESENT)) {
			u64 n = alloc_page_pfn();

			if (n == MM_NO_PAGE)
				return -ENOMEM;
			req.ptr = (t << PAGE_SHIFT) + i * sizeof(u64);
			req.val = (n << PAGE_SHIFT) | TABLE_FLAGS;
			ret = hv_mmu_update(&req, 1, NULL);
			if (ret) {
				free_page_pfn(n);
				return ret;
			}
			e = req.val;
		}
		t = (e & PVISOR_PTE_PFN_MASK) >> PAGE_SHIFT;
	}
	*pfn = t;
	return 0;
}

long map_page(u64 va, u64 pfn, u64 flags)
{
	struct pvisor_mmu_update req;
	long ret;
	u64 t;

	ret = leaf_table(va, &t);
	if (ret)
		return ret;
	req.ptr = (t << PAGE_SHIFT) + index_of(va, 1) * sizeof(u64);
	req.val = (pfn << PAGE_SHIFT) | flags | PVISOR_PTE_PRESENT;
	return hv_mmu_update(&req, 1, NULL);
}

/* Demand paging: zones whose pages appear on first touch. */
#define MAX_ZONES	4

static struct { u64 start, end; } zones[MAX_ZONES];
static u64 nr_demand_mapped;

long mm_demand_zone(u64 va, u64 pages)
{
	unsigned int i;

	if (va % PAGE_SIZE || !pages || va < PVISOR_WINDOW_BASE ||
	    pages > (PVISOR_HYPERCALL_PAGE - va) / PAGE_SIZE)
		return -EINVAL;
	for (i = 0; i < MAX_ZONES; i++) {
		if (zones[i].end)
			continue;
		zones[i].start = va;
		zones[i].end = va + pages * PAGE_SIZE;
		return 0;
	}
	return -ENOSPC;
}

bool mm_demand_fault(u64 va, bool present)
{
	u64 page = va & ~(PAGE_SIZE - 1), table_pfn, pfn;
	unsigned int i;

	/* A present entry that refused the access is a real fault. */
	if (present)
		return false;
	for (i = 0; i < MAX_ZONES; i++)
		if (va >= zones[i].start && va < zones[i].end)
			break;
	if (i == MAX_ZONES || leaf_table(page, &table_pfn))
		return false;
	pfn = alloc_page_pfn();
	if (pfn == MM_NO_PAGE)
		return false;
	if (hv_update_va_mapping(page, (pfn << PAGE_SHIFT) | PVISOR_PTE_PRESENT |
				 PVISOR_PTE_RW | PVISOR_PTE_NX,
				 PVISOR_UVMF_INVLPG)) {
		free_page_pfn(pfn);
		return false;
	}
	nr_demand_mapped++;
	return true;
}

u64 mm_demand_mapped(void)
{
	return nr_demand_mapped;
}

long unmap_page(u64 va)
{
	return hv_update_va_mapping(va, 0, PVISOR_UVMF_INVLPG);
}
