// SPDX-License-Identifier: GPL-2.0
/*
 * minnow's grant table (gnttab.h). Refs are handed out from a free
 * bitmap; an entry is written domid and frame first, the flags last,
 * after a barrier, so the module never sees a half-made grant.
 */

#include <linux/errno.h>
#include <pvisor/hypercall.h>

#include "events.h"
#include "gnttab.h"
#include "hypercall.h"
#include "mm.h"

static volatile struct pvisor_grant_entry *table;
static u64 used[GNTTAB_NR_REFS / 64];

long gnttab_init(void)
{
	struct pvisor_gnttab_setup_table st = { .nr_frames = 1 };
	u64 pfn = alloc_page_pfn();
	long ret;

	if (pfn == MM_NO_PAGE)
		return -ENOMEM;
	st.frame_list = (u64)&pfn;
	ret = hypercall3(PVISOR_HC_GRANT_TABLE_OP, PVISOR_GNTTABOP_SETUP_TABLE,
			 &st, 1);
	if (ret)
		return ret;
	if (st.status != PVISOR_GNTST_OKAY)
		return -EINVAL;
	table = pfn_to_virt(pfn);
	used[0] = (1ULL << GNTTAB_FIRST_FREE) - 1;
	return 0;
}

void gnttab_set(u32 ref, u16 domid, u64 pfn, u16 flags)
{
	table[ref].domid = domid;
	table[ref].frame = (u32)pfn;
	barrier();
	table[ref].flags = flags;
}

u32 gnttab_grant(u16 domid, u64 pfn, bool ro)
{
	u32 ref;

	for (ref = GNTTAB_FIRST_FREE; ref < GNTTAB_NR_REFS; ref++) {
		if (used[ref / 64] & (1ULL << (ref % 64)))
			continue;
		used[ref / 64] |= 1ULL << (ref % 64);
		gnttab_set(ref, domid, pfn, PVISOR_GTF_PERMIT_ACCESS |
			   (ro ? PVISOR_GTF_READONLY : 0));
		return ref;
	}
	return GNTTAB_NO_REF;
}

u16 gnttab_flags(u32 ref)
{
	return table[ref].flags;
}

bool gnttab_end(u32 ref)
{
	u16 flags = table[ref].flags;

	while (!(flags & (PVISOR_GTF_READING | PVISOR_GTF_WRITING))) {
		u16 seen = __sync_val_compare_and_swap(&table[ref].flags,
						       flags, 0);
		if (seen == flags) {
			used[ref / 64] &= ~(1ULL << (ref % 64));
			return true;
		}
		flags = seen;
	}
	return false;
}
