// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's page tables, seen from the hypervisor.
 *
 * A guest keeps ordinary x86-64 4-level tables in its own memory, but
 * every entry holds a guest pfn rather than a machine frame: the guest
 * never learns host frame numbers. Walking a table therefore means
 * translating each pfn through the P2M, and refusing any pfn the domain
 * does not own. The guest can rewrite its tables under our feet; every
 * entry is read once, and a torn view only ever yields a walk the guest
 * could have asked for anyway.
 */

#include <linux/highmem.h>
#include <pvisor/hypercall.h>

#include "domain.h"
#include "pagetable.h"

#define ENTRIES_PER_TABLE	512

static u64 read_entry(struct pvisor_domain *dom, u64 pfn, unsigned int index)
{
	u64 *table = kmap_local_page(dom->mem.p2m[pfn]);
	u64 entry = READ_ONCE(table[index]);

	kunmap_local(table);
	return entry;
}

/**
 * pvisor_pt_write() - store one entry into a guest page table
 * @dom: the domain
 * @pfn: the table's pfn, below the reservation size (the caller checked)
 * @index: 0..511
 * @val: the entry
 */
void pvisor_pt_write(struct pvisor_domain *dom, u64 pfn, unsigned int index,
		     u64 val)
{
	u64 *table = kmap_local_page(dom->mem.p2m[pfn]);

	WRITE_ONCE(table[index], val);
	kunmap_local(table);
}

/**
 * pvisor_pt_walk() - translate a guest virtual address
 * @dom: the domain
 * @base_pfn: the vCPU's top-level table
 * @va: the address
 * @walk: the result; see struct pvisor_walk
 *
 * Stops at the first level that is not present, names a pfn outside the
 * reservation, or maps a large page.
 */
void pvisor_pt_walk(struct pvisor_domain *dom, u64 base_pfn, u64 va,
		    struct pvisor_walk *walk)
{
	u64 table = base_pfn;
	int level;

	walk->writable = true;
	walk->executable = true;
	walk->entry = 0;
	for (level = 4; level >= 1; level--) {
		walk->level = level;
		if (table >= dom->mem.nr_frames) {
			walk->status = PVISOR_WALK_BAD_PFN;
			walk->pfn = table;
			return;
		}
		walk->table_pfn = table;
		walk->index = (va >> (PAGE_SHIFT + 9 * (level - 1))) &
			      (ENTRIES_PER_TABLE - 1);
		walk->entry = read_entry(dom, table, walk->index);

		if (!(walk->entry & PVISOR_PTE_PRESENT)) {
			walk->status = PVISOR_WALK_NOT_PRESENT;
			return;
		}
		if (level > 1 && (walk->entry & PVISOR_PTE_PS)) {
			walk->status = PVISOR_WALK_LARGE_PAGE;
			return;
		}
		walk->writable &= !!(walk->entry & PVISOR_PTE_RW);
		walk->executable &= !(walk->entry & PVISOR_PTE_NX);
		table = (walk->entry & PVISOR_PTE_PFN_MASK) >> PAGE_SHIFT;
	}
	if (table >= dom->mem.nr_frames) {
		walk->status = PVISOR_WALK_BAD_PFN;
		walk->pfn = table;
		return;
	}
	walk->status = PVISOR_WALK_OK;
	walk->pfn = table;
}
