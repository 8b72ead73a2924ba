/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_PAGETABLE_H
#define PVISOR_PAGETABLE_H

#include <linux/types.h>

struct page;
struct pvisor_domain;

enum pvisor_walk_status {
	PVISOR_WALK_OK,			/* the leaf entry is present */
	PVISOR_WALK_NOT_PRESENT,	/* some level is not present */
	PVISOR_WALK_BAD_PFN,		/* an entry names a pfn we do not own */
	PVISOR_WALK_LARGE_PAGE,		/* PS set: not supported */
};

/* Where a walk ended, and what the entries on the way allow. */
struct pvisor_walk {
	enum pvisor_walk_status status;
	int level;		/* 4..1: where the walk stopped */
	u64 table_pfn;		/* the table holding the last entry read */
	unsigned int index;	/* its index in that table */
	u64 entry;		/* the last entry read */
	u64 pfn;		/* OK: the frame mapped; BAD_PFN: the bad pfn */
	struct page *frame;	/* OK: pfn's frame, while the zap_lock is held */
	bool writable;		/* RW on every level */
	bool executable;	/* NX on no level */
	bool user;		/* US on every level (pvisor_pt_walk_user()) */
	bool dirty;		/* D in the leaf (pvisor_pt_walk_user()) */
};

void pvisor_pt_walk(struct pvisor_domain *dom, u64 base_pfn, u64 va,
		    struct pvisor_walk *walk);
bool pvisor_pt_walk_user(struct pvisor_domain *dom, u64 base_pfn, u64 va,
			 bool write, struct pvisor_walk *walk);
bool pvisor_pt_write(struct pvisor_domain *dom, u64 pfn, unsigned int index,
		     u64 val);

#endif /* PVISOR_PAGETABLE_H */
