// SPDX-License-Identifier: GPL-2.0
/*
 * Ballooning from a real guest kernel (Documentation/ballooning.rst):
 * minnow gives pages back with memory_op(DECREASE_RESERVATION) and asks
 * for them again with POPULATE_PHYSMAP, checking the reservation the
 * module reports after every step, that a page given back faults when
 * touched and comes back zeroed, that bad requests change nothing, and
 * that its page tables and grant-table frames cannot be given back.
 *
 * The command line sets the sizes, as a balloon driver would read a
 * target from xenstore: "balloon=N" pages per step (default 16),
 * "cycles=C" down/up cycles (default 1000) and "keep=K" pages left given
 * back at the end (default 8), which it reports for the host, that then
 * checks the module's accounting of the stopped domain:
 *
 *   @@balloon kept K current=C max=M
 *
 * selftests/pvisor/test_balloon.sh runs it.
 */

#include <linux/errno.h>
#include <pvisor/grant.h>
#include <pvisor/hypercall.h>

#include "../minnow/console.h"
#include "../minnow/hypercall.h"
#include "../minnow/lib.h"
#include "../minnow/mm.h"
#include "../minnow/test.h"
#include "../minnow/traps.h"

#define STEP_MAX	256
#define RUNNER_TEXT	0x400000ULL	/* the runner's code: outside */

static u64 pfns[STEP_MAX];
static u64 max_pages;

static long memory_op(unsigned int cmd, u64 arg)
{
	return hypercall2(PVISOR_HC_MEMORY_OP, cmd, arg);
}

static long current_pages(void)
{
	return memory_op(PVISOR_MEMOP_CURRENT_RESERVATION, 0);
}

static long reservation_op(unsigned int cmd, const u64 *list, u64 nr)
{
	struct pvisor_memory_reservation req = {
		.extent_start = (u64)list,
		.nr_extents = nr,
	};

	return memory_op(cmd, (u64)&req);
}

static long give_back(const u64 *list, u64 nr)
{
	return reservation_op(PVISOR_MEMOP_DECREASE_RESERVATION, list, nr);
}

static long populate(const u64 *list, u64 nr)
{
	return reservation_op(PVISOR_MEMOP_POPULATE_PHYSMAP, list, nr);
}

/* A page-fault probe: the handler resumes after the read. */
static volatile u64 faults, fault_addr, resume_at;

static bool count_fault(struct pvisor_trap_frame *f)
{
	faults++;
	fault_addr = f->address;
	f->rip = resume_at;
	return true;
}

/* Read @va; true if it faulted (at @va). */
static bool read_faults(u64 va)
{
	u64 before = faults, v = 0;

	asm volatile("lea 1f(%%rip), %%rax\n\t"
		     "mov %%rax, %1\n\t"
		     "mov (%2), %0\n"
		     "1:"
		     : "+r"(v), "=m"(resume_at)
		     : "r"(va)
		     : "rax", "memory");
	return faults == before + 1 && fault_addr == va;
}

static void check_queries(void)
{
	long cur = current_pages();

	max_pages = memory_op(PVISOR_MEMOP_MAXIMUM_RESERVATION, 0);
	guest_report(cur > 0 && (u64)cur == max_pages &&
		     max_pages == mm_nr_pages(),
		     "current and maximum reservation are the %llu pages it "
		     "booted with (%ld, %llu)", mm_nr_pages(), cur, max_pages);
	guest_report(memory_op(PVISOR_MEMOP_CURRENT_RESERVATION, 1) == -EPERM,
		     "another domain's reservation: EPERM");
}

/* A bad request must fail with @err and change nothing. */
static void expect_refused(struct pvisor_memory_reservation *req, long err,
			   const char *what)
{
	long ret = memory_op(PVISOR_MEMOP_DECREASE_RESERVATION, (u64)req);

	guest_report(ret == err && (u64)current_pages() == max_pages,
		     "decrease with %s: %ld, nothing lost (%ld)", what, err,
		     ret);
}

static void check_bad_requests(u64 pfn)
{
	struct pvisor_memory_reservation req;
	u64 list[2];
	long ret;

	list[0] = pfn;
#define RESET() (req = (struct pvisor_memory_reservation){		\
		.extent_start = (u64)list, .nr_extents = 1 })
	RESET(); req.extent_order = 1;
	expect_refused(&req, -EINVAL, "extent_order 1");
	RESET(); req.mem_flags = 1;
	expect_refused(&req, -EINVAL, "mem_flags set");
	RESET(); req.pad[1] = 1;
	expect_refused(&req, -EINVAL, "padding set");
	RESET(); req.domid = 1;
	expect_refused(&req, -EPERM, "another domid");
	RESET(); req.nr_extents = PVISOR_MEMOP_EXTENTS_MAX + 1;
	expect_refused(&req, -E2BIG, "nr_extents past the maximum");
	RESET(); req.nr_extents = ~0ULL;
	expect_refused(&req, -E2BIG, "nr_extents ~0");
	RESET(); req.extent_start = (u64)list + 1;
	expect_refused(&req, -EINVAL, "an unaligned extent list");
	RESET(); req.extent_start = RUNNER_TEXT;
	expect_refused(&req, -EFAULT, "an extent list outside the window");
	RESET(); req.extent_start = PVISOR_GUEST_LIMIT - 8;
	req.nr_extents = 2;
	expect_refused(&req, -EFAULT, "an extent list running past guest memory");
	ret = memory_op(PVISOR_MEMOP_DECREASE_RESERVATION, RUNNER_TEXT);
	guest_report(ret == -EFAULT, "a request outside the window: EFAULT (%ld)",
		     ret);

	list[0] = max_pages;
	RESET();
	expect_refused(&req, -EINVAL, "a pfn at the maximum");
	list[0] = ~0ULL;
	expect_refused(&req, -EINVAL, "pfn ~0");
	list[0] = mm_top_pfn();
	expect_refused(&req, -EBUSY, "the top page table");
	list[0] = virt_to_pfn(lookup_pte((u64)pfn_to_virt(pfn)));
	expect_refused(&req, -EBUSY, "a last-level page table");

	ret = populate(&pfn, 1);
	guest_report(ret == -EEXIST && (u64)current_pages() == max_pages,
		     "populate of a pfn that has its frame: EEXIST (%ld)", ret);
	list[0] = max_pages;
	ret = populate(list, 1);
	guest_report(ret == -EINVAL && (u64)current_pages() == max_pages,
		     "populate beyond the maximum reservation: EINVAL (%ld)", ret);

	/* A duplicate: the first gives the frame back, the second stops. */
	list[0] = list[1] = pfn;
	ret = give_back(list, 2);
	guest_report(ret == 1 && (u64)current_pages() == max_pages - 1,
		     "a duplicated pfn: one extent done (%ld, current %ld)",
		     ret, current_pages());
	ret = give_back(list, 1);
	guest_report(ret == -ENOENT, "a pfn given back already: ENOENT (%ld)",
		     ret);
	ret = populate(list, 2);
	guest_report(ret == 1 && (u64)current_pages() == max_pages,
		     "populated again, the duplicate refused (%ld)", ret);
#undef RESET
}

static void check_grant_frame(void)
{
	struct pvisor_gnttab_setup_table st = { 0 };
	u64 pfn = alloc_page_pfn();
	long ret;

	GUEST_ASSERT(pfn != MM_NO_PAGE);
	st.nr_frames = 1;
	st.frame_list = (u64)&pfn;
	ret = hypercall3(PVISOR_HC_GRANT_TABLE_OP, PVISOR_GNTTABOP_SETUP_TABLE,
			 &st, 1);
	GUEST_ASSERT(ret == 0 && st.status == PVISOR_GNTST_OKAY);
	ret = give_back(&pfn, 1);
	guest_report(ret == -EBUSY && (u64)current_pages() == max_pages,
		     "a grant-table frame cannot be given back: EBUSY (%ld)",
		     ret);
}

static bool all_zero(u64 pfn)
{
	const u64 *p = pfn_to_virt(pfn);
	unsigned int i;

	for (i = 0; i < PAGE_SIZE / 8; i++)
		if (p[i])
			return false;
	return true;
}

static void check_down_up(u64 n)
{
	u64 i, touched = 0, zero = 0;
	long ret;

	for (i = 0; i < n; i++)
		*(volatile u64 *)pfn_to_virt(pfns[i]) = 0x62616c6c6f6f6eULL;
	ret = give_back(pfns, n);
	guest_report(ret == (long)n && (u64)current_pages() == max_pages - n,
		     "gave %llu pages back (%ld, current %ld)", n, ret,
		     current_pages());
	for (i = 0; i < n; i++)
		touched += read_faults((u64)pfn_to_virt(pfns[i]));
	guest_report(touched == n, "every page given back faults when read "
		     "(%llu of %llu)", touched, n);
	ret = hv_mmu_update(&(struct pvisor_mmu_update){
				.ptr = pfns[0] << PAGE_SHIFT, .val = 0 },
			    1, NULL);
	guest_report(ret == -EINVAL, "mmu_update into a page given back: "
		     "EINVAL (%ld)", ret);

	ret = populate(pfns, n);
	guest_report(ret == (long)n && (u64)current_pages() == max_pages,
		     "populated %llu pages again (%ld, current %ld)", n, ret,
		     current_pages());
	for (i = 0; i < n; i++)
		zero += all_zero(pfns[i]);
	guest_report(zero == n, "they come back zeroed and mapped (%llu of "
		     "%llu)", zero, n);
}

static void check_cycles(u64 n, u64 cycles)
{
	u64 c, bad = 0;

	for (c = 0; c < cycles; c++) {
		bad += give_back(pfns, n) != (long)n;
		bad += populate(pfns, n) != (long)n;
	}
	guest_report(!bad && (u64)current_pages() == max_pages,
		     "%llu down/up cycles of %llu pages, back to %llu pages "
		     "(%llu failed calls)", cycles, n, max_pages, bad);
}

void minnow_main(void)
{
	u64 n = cmdline_number("balloon", 16);
	u64 cycles = cmdline_number("cycles", 1000);
	u64 keep = cmdline_number("keep", 8);
	u64 i;
	long ret;

	mm_init();
	GUEST_ASSERT(trap_init() == 0);
	trap_set_handler(TRAP_PF, count_fault);
	if (n > STEP_MAX)
		n = STEP_MAX;
	if (keep > n)
		keep = n;
	for (i = 0; i < n; i++) {
		pfns[i] = alloc_page_pfn();
		GUEST_ASSERT(pfns[i] != MM_NO_PAGE);
	}

	check_queries();
	check_bad_requests(pfns[0]);
	check_grant_frame();
	check_down_up(n);
	check_cycles(n, cycles);

	ret = give_back(pfns, keep);
	guest_report(ret == (long)keep &&
		     (u64)current_pages() == max_pages - keep,
		     "left %llu pages given back (%ld)", keep, ret);
	printk("@@balloon kept %llu current=%ld max=%llu\n", keep,
	       current_pages(), max_pages);
	guest_done();
}
