// SPDX-License-Identifier: GPL-2.0
/*
 * Grant tables from a real guest kernel (Documentation/grant-tables.rst):
 * minnow sets its table up in pages of its own allocator, grants frames
 * read-write and read-only with known contents, and drives GNTTABOP_COPY
 * through its own grants, checking statuses and that the module leaves
 * no GTF_READING/WRITING behind. It then lists its grants on the
 * console, one "@@grant" line each, for the host:
 *
 *   @@grant ref=1 pfn=... seed=17 rw
 *
 * and powers off. selftests/pvisor/test_grant_guest.sh runs it through
 * pvrun; Domain0's mappings of such grants are tested by test_grants.c.
 */

#include <linux/errno.h>
#include <pvisor/event.h>
#include <pvisor/grant.h>
#include <pvisor/hypercall.h>

#include "../minnow/console.h"
#include "../minnow/events.h"
#include "../minnow/hypercall.h"
#include "../minnow/lib.h"
#include "../minnow/mm.h"
#include "../minnow/test.h"

#define TABLE_FRAMES	2
#define REF_RW		1
#define REF_RO		2
#define REF_SELF	3
#define SEED_RW		17
#define SEED_RO		29

/* The table is shared with the module, which changes flags under us. */
static volatile struct pvisor_grant_entry *table;
static u64 table_pfns[TABLE_FRAMES];

static long grant_table_op(unsigned int cmd, void *ops, unsigned int count)
{
	return hypercall3(PVISOR_HC_GRANT_TABLE_OP, cmd, ops, count);
}

static void fill(u64 pfn, u8 seed)
{
	u8 *p = pfn_to_virt(pfn);
	unsigned int i;

	for (i = 0; i < PAGE_SIZE; i++)
		p[i] = (u8)(seed + i * 3);
}

/* Xen's order: domid and frame, a barrier, then the flags. */
static void grant(u32 ref, u16 domid, u64 pfn, u16 flags)
{
	table[ref].domid = domid;
	table[ref].frame = pfn;
	barrier();
	table[ref].flags = flags;
}

/* Our own domain id, as event-channel status reports it. */
static u32 own_domid(void)
{
	struct pvisor_evtchn_status st = { 0 };
	u32 port;

	GUEST_ASSERT(evtchn_alloc_unbound(PVISOR_DOMID_SELF, &port) == 0);
	st.port = port;
	GUEST_ASSERT(evtchn_status(&st) == 0);
	return st.remote_dom;
}

static void setup(void)
{
	struct pvisor_gnttab_setup_table st = { 0 };
	struct pvisor_gnttab_query_size q = { 0 };
	u64 bad[1] = { mm_nr_pages() };
	long ret;
	int i;

	for (i = 0; i < TABLE_FRAMES; i++) {
		table_pfns[i] = alloc_page_pfn();
		GUEST_ASSERT(table_pfns[i] != MM_NO_PAGE);
	}
	/* The refs used here all live in the first frame. */
	table = pfn_to_virt(table_pfns[0]);

	st.nr_frames = 1;
	st.frame_list = (u64)bad;
	ret = grant_table_op(PVISOR_GNTTABOP_SETUP_TABLE, &st, 1);
	guest_report(ret == 0 && st.status == PVISOR_GNTST_BAD_PAGE,
		     "setup_table refuses a pfn beyond memory (%ld, %d)", ret,
		     st.status);

	st.nr_frames = TABLE_FRAMES;
	st.frame_list = (u64)table_pfns;
	ret = grant_table_op(PVISOR_GNTTABOP_SETUP_TABLE, &st, 1);
	guest_report(ret == 0 && st.status == PVISOR_GNTST_OKAY,
		     "setup_table of %d allocated frames (%ld, %d)",
		     TABLE_FRAMES, ret, st.status);
	GUEST_ASSERT(st.status == PVISOR_GNTST_OKAY);

	ret = grant_table_op(PVISOR_GNTTABOP_QUERY_SIZE, &q, 1);
	guest_report(ret == 0 && q.status == 0 && q.nr_frames == TABLE_FRAMES &&
		     q.max_nr_frames >= TABLE_FRAMES,
		     "query_size: %u of %u frames", q.nr_frames,
		     q.max_nr_frames);
}

static void copies(u32 self, u64 rw, u64 ro, u64 dst)
{
	struct pvisor_gnttab_copy ops[3] = { 0 };
	u8 *d = pfn_to_virt(dst);
	long ret;

	/* Our own rw grant to ourselves, into a plain frame of ours. */
	grant(REF_SELF, self, rw, PVISOR_GTF_PERMIT_ACCESS);
	ops[0].source.u.ref = REF_SELF;
	ops[0].dest.u.gmfn = dst;
	ops[0].len = PAGE_SIZE;
	ops[0].flags = PVISOR_GNTCOPY_SOURCE_GREF;
	/* Into the read-only grant (to Domain0, not to us anyway). */
	ops[1].source.u.gmfn = dst;
	ops[1].dest.u.ref = REF_RO;
	ops[1].len = 8;
	ops[1].flags = PVISOR_GNTCOPY_DEST_GREF;
	/* A ref beyond the table. */
	ops[2].source.u.ref = TABLE_FRAMES * PVISOR_GRANT_ENTRIES_PER_FRAME;
	ops[2].dest.u.gmfn = dst;
	ops[2].len = 8;
	ops[2].flags = PVISOR_GNTCOPY_SOURCE_GREF;
	ret = grant_table_op(PVISOR_GNTTABOP_COPY, ops, 3);
	guest_report(ret == 0 && ops[0].status == 0 &&
		     ops[1].status == PVISOR_GNTST_GENERAL_ERROR &&
		     ops[2].status == PVISOR_GNTST_BAD_GNTREF,
		     "copy: own grant, ro grant, bad ref (%ld: %d %d %d)", ret,
		     ops[0].status, ops[1].status, ops[2].status);
	guest_report(d[0] == SEED_RW && d[100] == (u8)(SEED_RW + 300) &&
		     *(u8 *)pfn_to_virt(ro) == SEED_RO,
		     "the grant's bytes arrived; the ro frame is untouched");
	guest_report(table[REF_SELF].flags ==
		     PVISOR_GTF_PERMIT_ACCESS &&
		     table[REF_RO].flags ==
		     (PVISOR_GTF_PERMIT_ACCESS | PVISOR_GTF_READONLY),
		     "no GTF_reading/writing left after the copies");
	/* End our self-grant the way Linux does: flags to 0 when idle. */
	guest_report(__sync_val_compare_and_swap(&table[REF_SELF].flags,
						 PVISOR_GTF_PERMIT_ACCESS, 0) ==
		     PVISOR_GTF_PERMIT_ACCESS, "ending an idle grant");
	ret = grant_table_op(PVISOR_GNTTABOP_COPY, ops, 1);
	guest_report(ret == 0 && ops[0].status == PVISOR_GNTST_GENERAL_ERROR,
		     "an ended grant copies no more (%d)", ops[0].status);
	ret = grant_table_op(PVISOR_GNTTABOP_MAP_GRANT_REF, ops, 1);
	guest_report(ret == -ENOSYS, "map_grant_ref: ENOSYS for now (%ld)",
		     ret);
}

void minnow_main(void)
{
	u64 rw, ro, dst;
	u32 self;

	mm_init();
	GUEST_ASSERT(events_init() == 0);
	self = own_domid();
	setup();

	rw = alloc_page_pfn();
	ro = alloc_page_pfn();
	dst = alloc_page_pfn();
	GUEST_ASSERT(rw != MM_NO_PAGE && ro != MM_NO_PAGE && dst != MM_NO_PAGE);
	fill(rw, SEED_RW);
	fill(ro, SEED_RO);
	grant(REF_RW, 0, rw, PVISOR_GTF_PERMIT_ACCESS);
	grant(REF_RO, 0, ro, PVISOR_GTF_PERMIT_ACCESS | PVISOR_GTF_READONLY);
	copies(self, rw, ro, dst);

	printk("@@grant ref=%u pfn=%llu seed=%u rw\n", REF_RW,
	       (unsigned long long)rw, SEED_RW);
	printk("@@grant ref=%u pfn=%llu seed=%u ro\n", REF_RO,
	       (unsigned long long)ro, SEED_RO);
	guest_done();
}
