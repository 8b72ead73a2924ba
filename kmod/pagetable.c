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
 *
 * A pfn the guest gave back (ballooning) has no frame: as a table it
 * reads as empty, so a walk through it finds nothing present, and as a
 * leaf it is not present either; writes to it are dropped.
 */

#include <linux/highmem.h>
#include <pvisor/hypercall.h>

#include "domain.h"
#include "pagetable.h"

#define ENTRIES_PER_TABLE	512

static u64 read_entry(struct pvisor_domain *dom, u64 pfn, unsigned int index)
{
	int idx = pvisor_p2m_read_lock();
	struct page *frame = pvisor_p2m_frame(&dom->mem, pfn);
	u64 *table, entry = 0;

	if (frame) {
		table = kmap_local_page(frame);
		entry = READ_ONCE(table[index]);
		kunmap_local(table);
	}
	pvisor_p2m_read_unlock(idx);
	return entry;
}

/**
 * pvisor_pt_write() - store one entry into a guest page table
 * @dom: the domain
 * @pfn: the table's pfn, below the reservation size (the caller checked)
 * @index: 0..511
 * @val: the entry
 *
 * Return: false if the guest gave the table's frame back: nothing was
 * written.
 */
bool pvisor_pt_write(struct pvisor_domain *dom, u64 pfn, unsigned int index,
		     u64 val)
{
	int idx = pvisor_p2m_read_lock();
	struct page *frame = pvisor_p2m_frame(&dom->mem, pfn);
	u64 *table;

	if (frame) {
		table = kmap_local_page(frame);
		WRITE_ONCE(table[index], val);
		kunmap_local(table);
	}
	pvisor_p2m_read_unlock(idx);
	return frame;
}

/* The entries a walk went through, level 4 first, for setting A/D. */
struct walk_trail {
	u64 tables[4], entries[4];
	unsigned int indices[4];
};

/*
 * The one walk, in both modes: the supervisor's (pvisor_pt_walk()) and,
 * with @trail to record the entries read, the user's
 * (pvisor_pt_walk_user()). US is gathered in either; only the user mode
 * acts on it.
 */
static void walk_tables(struct pvisor_domain *dom, u64 base_pfn, u64 va,
			struct pvisor_walk *walk, struct walk_trail *trail)
{
	u64 table = base_pfn;
	int level;

	walk->writable = true;
	walk->executable = true;
	walk->user = true;
	walk->dirty = false;
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
		if (trail) {
			trail->tables[4 - level] = table;
			trail->indices[4 - level] = walk->index;
			trail->entries[4 - level] = walk->entry;
		}

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
		walk->user &= !!(walk->entry & PVISOR_PTE_USER);
		table = (walk->entry & PVISOR_PTE_PFN_MASK) >> PAGE_SHIFT;
	}
	if (table >= dom->mem.nr_frames) {
		walk->status = PVISOR_WALK_BAD_PFN;
		walk->pfn = table;
		return;
	}
	/* Callers hold a zap_lock, which keeps the frame until they insert. */
	walk->frame = pvisor_p2m_frame(&dom->mem, table);
	walk->pfn = table;
	walk->status = walk->frame ? PVISOR_WALK_OK : PVISOR_WALK_NOT_PRESENT;
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
	walk_tables(dom, base_pfn, va, walk, NULL);
}

#define PTE_ACCESSED	(1ULL << 5)
#define PTE_DIRTY	(1ULL << 6)

/*
 * Set @bits in entry @index of table @pfn if it still holds @old, as the
 * hardware's locked update does; false if the guest changed it first.
 */
static bool set_entry_bits(struct pvisor_domain *dom, u64 pfn,
			   unsigned int index, u64 old, u64 bits)
{
	struct page *frame;
	bool done = false;
	u64 *table;
	int idx;

	if ((old & bits) == bits)
		return true;
	idx = pvisor_p2m_read_lock();
	frame = pvisor_p2m_frame(&dom->mem, pfn);
	if (frame) {
		table = kmap_local_page(frame);
		done = cmpxchg64(&table[index], old, old | bits) == old;
		kunmap_local(table);
	}
	pvisor_p2m_read_unlock(idx);
	return done;
}

/**
 * pvisor_pt_walk_user() - translate a guest user address, as the CPU does
 * @dom: the domain
 * @base_pfn: the context's top-level table
 * @va: the address
 * @write: the access writes (set D in the leaf)
 * @walk: the result
 *
 * Like pvisor_pt_walk(), and a mapping is usable from user mode only if
 * every level has US: walk->user says so. For a usable translation the
 * accessed bit is set in every entry on the way, and the dirty bit in
 * the leaf for a write, with a compare-and-exchange on the guest's own
 * entries, as x86 does; an entry the guest changes meanwhile makes the
 * walk start again (a bounded number of times: the guest can only make
 * itself wait).
 *
 * Return: true when the walk is final, false when the guest kept
 * changing its entries under it (walk->status is then NOT_PRESENT).
 */
bool pvisor_pt_walk_user(struct pvisor_domain *dom, u64 base_pfn, u64 va,
			 bool write, struct pvisor_walk *walk)
{
	struct walk_trail trail;
	int tries, i;

	for (tries = 0; tries < 8; tries++) {
		bool raced = false;

		walk_tables(dom, base_pfn, va, walk, &trail);
		if (walk->status != PVISOR_WALK_OK)
			return true;
		walk->dirty = !!(trail.entries[3] & PTE_DIRTY);
		/* Nothing is set for an access the entries refuse. */
		if (!walk->user || (write && !walk->writable))
			return true;

		for (i = 0; i < 4 && !raced; i++) {
			u64 bits = PTE_ACCESSED;

			if (i == 3 && write)
				bits |= PTE_DIRTY;	/* the leaf */
			raced = !set_entry_bits(dom, trail.tables[i],
						trail.indices[i],
						trail.entries[i], bits);
		}
		if (!raced) {
			walk->dirty |= write;
			return true;
		}
	}
	walk->status = PVISOR_WALK_NOT_PRESENT;
	return false;
}
