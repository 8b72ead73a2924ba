// SPDX-License-Identifier: GPL-2.0
/*
 * minnow: a small paravirtual guest kernel for pvisor, in the spirit of
 * Xen's Mini-OS. This round it boots from start_info, talks on the
 * console, allocates pages, builds and switches to its own page tables
 * and exercises the MMU hypercalls, then turns events on (the event
 * callback, the timer VIRQ) and sleeps once on the timer, checking each
 * step with the guest test library; then it powers off (or crashes, if
 * a check failed).
 * It installs its trap table first, so that a fault anywhere is printed
 * with its registers before the domain crashes.
 *
 * With "work=N" on the command line it then keeps busy for N rounds of
 * about a fifth of a second each (measured with rdtsc, the one clock a
 * guest has without a timer): it fills a page, yields, checks the page,
 * and prints "minnow: work: round R of N" after each round. The hostile
 * guest selftest runs it beside the guests it expects to crash.
 * "xenstore=1" then tests the xenstore ring with the host
 * (selftests/pvisor/test_xenstore_guest.sh; "peer=ID" names another
 * domain whose entries it must be refused), and "xenstore=2" to "=6"
 * abuse it instead: a bad req_prod, an oversized header, a flood, garbage
 * headers, a flood that reads its replies and never ends (xenstore.c).
 * "reboot=1" or "crash=1" ends it with that shutdown reason instead of
 * a power-off, for the toolstack's lifecycle tests.
 *
 * The boot lines ("minnow: booting", "minnow: cmdline: ...") are read by
 * selftests/pvisor/test_guest_boot.sh: change them together.
 */

#include <linux/errno.h>
#include <pvisor/hypercall.h>

#include "console.h"
#include "cpu.h"
#include "events.h"
#include "hypercall.h"
#include "mm.h"
#include "test.h"
#include "time.h"
#include "traps.h"
#include "usermode.h"
#include "xenstore.h"

/* An address no physmap reaches: 256 GiB into the window. */
#define ALIAS_VA	(PVISOR_WINDOW_BASE + (256ULL << 30))

/* The runner's own code, outside the window: never the guest's to read. */
#define RUNNER_TEXT	0x400000ULL

extern char __text_start[], __end[];

/* Not static: the compiler must not fold what the builder provides. */
u64 data_word = 0x6d696e6e6f77ULL;	/* "minnow" */
u64 bss_words[64];

static volatile u64 *page_word(u64 va)
{
	return (volatile u64 *)va;
}

/* TSC ticks per work round: about 0.2 s at 2.7 GHz. */
#define WORK_ROUND_TICKS	(1ULL << 29)

static u64 breakpoints;

static bool count_breakpoint(struct pvisor_trap_frame *f)
{
	(void)f;	/* int3 reports rip after it: resume as it is */
	breakpoints++;
	return true;
}

static void check_traps(void)
{
	long ret = trap_init();

	guest_report(ret == 0, "set_trap_table installs handlers for vectors "
		     "0-19 (%ld)", ret);
	trap_set_handler(TRAP_BP, count_breakpoint);
	asm volatile("int3" ::: "memory");
	guest_report(breakpoints == 1, "int3 reaches minnow's handler and "
		     "returns (%llu)", breakpoints);
	trap_set_handler(TRAP_BP, NULL);
}

static u64 rdtsc(void)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static void work(u64 rounds)
{
	u64 pfn = alloc_page_pfn(), r, i, bad = 0;
	volatile u64 *page;

	GUEST_ASSERT(pfn != MM_NO_PAGE);
	page = pfn_to_virt(pfn);
	for (r = 1; r <= rounds; r++) {
		u64 start = rdtsc();

		do {
			for (i = 0; i < PAGE_SIZE / 8; i++)
				page[i] = (r << 32) ^ i;
			hv_sched_yield();
			for (i = 0; i < PAGE_SIZE / 8; i++)
				bad += page[i] != ((r << 32) ^ i);
		} while (rdtsc() - start < WORK_ROUND_TICKS);
		printk("minnow: work: round %llu of %llu\n", r, rounds);
	}
	free_page_pfn(pfn);
	guest_report(!bad, "worked %llu rounds, memory intact (%llu bad words)",
		     rounds, bad);
}

static void check_start_info(void)
{
	const struct pvisor_start_info *si = start_info;
	u64 end = PVISOR_WINDOW_BASE + si->nr_pages * PAGE_SIZE;

	guest_report(!memcmp(si->magic, PVISOR_START_MAGIC,
			     sizeof(PVISOR_START_MAGIC)),
		     "start_info magic is %s", PVISOR_START_MAGIC);
	guest_report(si->pt_base >= (u64)__end && si->pt_base < end &&
		     !(si->pt_base % PAGE_SIZE) && si->nr_pt_frames > 0 &&
		     si->first_free_pfn <= si->nr_pages && si->nr_vcpus >= 1 &&
		     boot_stack_top - BOOT_STACK_SIZE >=
		     si->pt_base + si->nr_pt_frames * PAGE_SIZE &&
		     (!si->store_mfn ||
		      boot_stack_top <= (u64)pfn_to_virt(si->store_mfn)),
		     "start_info layout is consistent (pt_base 0x%llx, %llu "
		     "table frames, boot stack top 0x%llx below the xenstore "
		     "ring at pfn %llu, first free pfn %llu)", si->pt_base,
		     si->nr_pt_frames, boot_stack_top, si->store_mfn,
		     si->first_free_pfn);
	guest_report(!si->mod_start ||
		     (si->mod_start >= (u64)__end &&
		      si->mod_start + si->mod_len <= si->pt_base),
		     "the ramdisk lies between the kernel and the tables");
}

static void check_image(void)
{
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bss_words); i++)
		sum |= bss_words[i];
	guest_report(data_word == 0x6d696e6e6f77ULL && !sum,
		     "data is initialised and bss is zero");
}

static void check_hypercalls(void)
{
	static const char msg[] = "minnow: console_io from a static buffer\n";
	long v;

	v = hv_version();
	guest_report(v == ((PVISOR_VERSION_MAJOR << 16) | PVISOR_VERSION_MINOR),
		     "version hypercall says %ld.%ld", v >> 16, v & 0xffff);
	guest_report(hv_console_write(msg, sizeof(msg) - 1) ==
		     sizeof(msg) - 1, "console_io writes a whole buffer");
	v = hv_console_write((const void *)RUNNER_TEXT, 16);
	guest_report(v == -EFAULT, "console_io refuses a buffer outside the "
		     "window (%ld)", v);
	v = hypercall5(PVISOR_HC_CONSOLE_IO, 42, 1, (u64)msg, 0, 0);
	guest_report(v == -EINVAL, "console_io refuses an unknown command "
		     "(%ld)", v);
	v = hv_sched_yield();
	guest_report(v == 0, "sched_op yield returns 0 (%ld)", v);
	v = hypercall0(PVISOR_NR_HYPERCALLS - 1);
	guest_report(v == -ENOSYS, "an unknown hypercall returns -ENOSYS "
		     "(%ld)", v);
	v = hypercall2(PVISOR_HC_SCHED_OP, PVISOR_SCHEDOP_SHUTDOWN,
		       RUNNER_TEXT);
	guest_report(v == -EFAULT, "shutdown refuses an argument outside the "
		     "window (%ld)", v);
}

/* Every free page, written and read back through the builder's tables. */
static void check_free_memory(void)
{
	u64 pfn, bad = 0, first = start_info->first_free_pfn;

	for (pfn = first; pfn < start_info->nr_pages; pfn++)
		*page_word((u64)pfn_to_virt(pfn)) = pfn ^ 0xa5a5a5a5ULL;
	for (pfn = first; pfn < start_info->nr_pages; pfn++) {
		if (*page_word((u64)pfn_to_virt(pfn)) != (pfn ^ 0xa5a5a5a5ULL))
			bad++;
		*page_word((u64)pfn_to_virt(pfn)) = 0;
	}
	guest_report(!bad, "all %llu free pages hold what was written (%llu "
		     "bad)", start_info->nr_pages - first, bad);
}

static void check_allocator(void)
{
	u64 a = alloc_page_pfn(), b = alloc_page_pfn(), c;
	u64 before = mm_free_pages();
	bool zero = true;
	unsigned int i;

	for (i = 0; a != MM_NO_PAGE && i < PAGE_SIZE / 8; i++)
		if (((u64 *)pfn_to_virt(a))[i])
			zero = false;
	guest_report(a != MM_NO_PAGE && b != MM_NO_PAGE && a != b && zero &&
		     a >= start_info->first_free_pfn && b < mm_nr_pages(),
		     "the allocator hands out distinct zeroed free pages");
	free_page_pfn(b);
	c = alloc_page_pfn();
	guest_report(c == b && mm_free_pages() == before,
		     "a freed page is handed out again");
	free_page_pfn(c);
	free_page_pfn(a);
}

static void check_own_tables(void)
{
	u64 boot_top = mm_top_pfn();
	long ret;

	ret = mm_switch_tables();
	guest_report(ret == 0 && mm_top_pfn() != boot_top,
		     "built own page tables and switched with NEW_BASEPTR "
		     "(%ld, top pfn %llu)", ret, mm_top_pfn());
	GUEST_ASSERT(ret == 0);
	guest_report(data_word == 0x6d696e6e6f77ULL &&
		     !memcmp(start_info->magic, PVISOR_START_MAGIC,
			     sizeof(PVISOR_START_MAGIC)),
		     "data and start_info read the same through the new tables");
}

/* Pages with a recognisable first word, to tell mappings apart. */
static u64 marked_page(u64 mark)
{
	u64 pfn = alloc_page_pfn();

	GUEST_ASSERT(pfn != MM_NO_PAGE);
	*(u64 *)pfn_to_virt(pfn) = mark;
	return pfn;
}

static void check_mappings(void)
{
	u64 a = marked_page(0xaaaa), b = marked_page(0xbbbb);
	struct pvisor_mmuext_op op;
	struct pvisor_mmu_update reqs[2];
	u64 *pte, rw = PVISOR_PTE_RW | PVISOR_PTE_NX;
	u32 done;
	long ret;

	ret = map_page(ALIAS_VA, a, rw);
	guest_report(ret == 0 && *page_word(ALIAS_VA) == 0xaaaa,
		     "mmu_update maps an alias of a page (%ld)", ret);
	GUEST_ASSERT(ret == 0);
	*page_word(ALIAS_VA + 8) = 0x1234;
	guest_report(((u64 *)pfn_to_virt(a))[1] == 0x1234,
		     "a write through the alias reaches the page");

	ret = hv_update_va_mapping(ALIAS_VA, (b << PAGE_SHIFT) |
				   PVISOR_PTE_PRESENT | rw, PVISOR_UVMF_INVLPG);
	guest_report(ret == 0 && *page_word(ALIAS_VA) == 0xbbbb,
		     "update_va_mapping moves the alias (%ld)", ret);

	pte = lookup_pte(ALIAS_VA);
	GUEST_ASSERT(pte);
	*pte = (a << PAGE_SHIFT) | PVISOR_PTE_PRESENT | rw;
	op = (struct pvisor_mmuext_op){ .cmd = PVISOR_MMUEXT_INVLPG_LOCAL,
					.arg1 = ALIAS_VA };
	done = 0;
	ret = hv_mmuext_op(&op, 1, &done);
	guest_report(ret == 0 && done == 1 && *page_word(ALIAS_VA) == 0xaaaa,
		     "a direct PTE write takes effect after INVLPG_LOCAL (%ld)",
		     ret);

	*pte = (b << PAGE_SHIFT) | PVISOR_PTE_PRESENT | rw;
	op = (struct pvisor_mmuext_op){ .cmd = PVISOR_MMUEXT_TLB_FLUSH_LOCAL };
	ret = hv_mmuext_op(&op, 1, NULL);
	guest_report(ret == 0 && *page_word(ALIAS_VA) == 0xbbbb,
		     "a direct PTE write takes effect after TLB_FLUSH_LOCAL "
		     "(%ld)", ret);

	/* A batch: the same entry twice, the last write wins. */
	reqs[0].ptr = (virt_to_pfn(pte) << PAGE_SHIFT) + ((u64)pte % PAGE_SIZE);
	reqs[0].val = (b << PAGE_SHIFT) | PVISOR_PTE_PRESENT | rw;
	reqs[1] = reqs[0];
	reqs[1].val = (a << PAGE_SHIFT) | PVISOR_PTE_PRESENT | rw;
	done = 0;
	ret = hv_mmu_update(reqs, 2, &done);
	guest_report(ret == 0 && done == 2 && *page_word(ALIAS_VA) == 0xaaaa,
		     "mmu_update applies a batch in order (%ld, %u done)", ret,
		     done);

	reqs[1].ptr = mm_nr_pages() << PAGE_SHIFT;
	done = 0;
	ret = hv_mmu_update(reqs, 2, &done);
	guest_report(ret < 0 && done == 1,
		     "mmu_update stops at a PTE outside memory (%ld, %u done)",
		     ret, done);

	ret = hv_mmu_update(reqs, PVISOR_MMU_UPDATE_MAX + 1, NULL);
	guest_report(ret < 0, "mmu_update refuses an oversized batch (%ld)",
		     ret);

	op = (struct pvisor_mmuext_op){ .cmd = PVISOR_MMUEXT_NEW_BASEPTR,
					.arg1 = mm_nr_pages() };
	ret = hv_mmuext_op(&op, 1, NULL);
	guest_report(ret < 0, "NEW_BASEPTR refuses a pfn beyond memory (%ld)",
		     ret);
	op = (struct pvisor_mmuext_op){ .cmd = 0x7fff };
	ret = hv_mmuext_op(&op, 1, NULL);
	guest_report(ret < 0, "mmuext_op refuses an unknown command (%ld)",
		     ret);
	op = (struct pvisor_mmuext_op){ .cmd = PVISOR_MMUEXT_TLB_FLUSH_LOCAL };
	ret = hv_mmuext_op(&op, 1, (u32 *)RUNNER_TEXT);
	guest_report(ret == -EFAULT, "mmuext_op refuses done_out outside the "
		     "window (%ld)", ret);

	ret = hv_update_va_mapping(RUNNER_TEXT, 0, PVISOR_UVMF_INVLPG);
	guest_report(ret < 0, "update_va_mapping refuses an address outside "
		     "the window (%ld)", ret);
	ret = unmap_page(ALIAS_VA);
	guest_report(ret == 0 && !(*pte & PVISOR_PTE_PRESENT),
		     "update_va_mapping unmaps the alias (%ld)", ret);
	guest_report(*(u64 *)pfn_to_virt(a) == 0xaaaa &&
		     *(u64 *)pfn_to_virt(b) == 0xbbbb,
		     "the pages survive the alias");
}

/* Events on, the timer bound, and one sleep on it. */
static void check_events(void)
{
	u64 t0, t1;
	long ret;

	ret = events_init();
	guest_report(ret == 0, "set_callbacks registers the event callback "
		     "(%ld)", ret);
	if (ret)
		return;
	ret = time_init();
	guest_report(ret == 0, "VIRQ_TIMER is bound (%ld, port %u)", ret,
		     time_timer_port());
	if (ret)
		return;
	t0 = monotonic_ns();
	sleep_ns(10 * NSEC_PER_MSEC);
	t1 = monotonic_ns();
	guest_report(t1 - t0 >= 10 * NSEC_PER_MSEC,
		     "sleep_ns(10 ms) returns after %llu us, never early",
		     (t1 - t0) / NSEC_PER_USEC);
	/*
	 * A vCPU preempted on the host for longer than the sleep finds its
	 * deadline past before it arms the timer, and rightly returns at
	 * once: the timer is then proven by an armed tick, waited for.
	 */
	while (!time_timer_events() &&
	       monotonic_ns() - t1 < 10 * NSEC_PER_SEC)
		idle_until(monotonic_ns() + NSEC_PER_MSEC);
	guest_report(time_timer_events() > 0,
		     "VIRQ_TIMER fires for an armed timer (%llu events)",
		     time_timer_events());
}

static void show_ramdisk(void)
{
	const char *p = (const char *)start_info->mod_start;
	char head[33];
	u64 i, n = start_info->mod_len < 32 ? start_info->mod_len : 32;

	if (!start_info->mod_start)
		return;
	for (i = 0; i < n; i++)
		head[i] = p[i] >= ' ' && p[i] < 0x7f ? p[i] : '.';
	head[n] = '\0';
	printk("minnow: ramdisk: %llu bytes at %p: %s\n", start_info->mod_len,
	       (void *)start_info->mod_start, head);
}

void minnow_main(void)
{
	printk("minnow: booting\n");
	printk("minnow: cmdline: %s\n", start_info->cmd_line);
	mm_init();
	printk("minnow: memory: %llu KiB (%llu pages), kernel at %p, %llu pages "
	       "free from pfn %llu\n", mm_nr_pages() * 4, mm_nr_pages(),
	       (void *)__text_start, mm_free_pages(),
	       start_info->first_free_pfn);
	show_ramdisk();
	if (usermode_requested())
		usermode_main();

	check_traps();
	check_start_info();
	check_image();
	check_hypercalls();
	check_free_memory();
	check_allocator();
	check_own_tables();
	check_mappings();
	check_events();
	/* The xenstore ring: 1 tests it, 2..6 abuse it (xenstore.c). */
	if (cmdline_number("xenstore", 0) == 1)
		xs_selftest(cmdline_number("peer", 0));
	else if (cmdline_number("xenstore", 0))
		xs_hostile(cmdline_number("xenstore", 0));
	if (cmdline_number("work", 0))
		work(cmdline_number("work", 0));

	/* For the toolstack's lifecycle tests: other ways to stop. */
	if (cmdline_number("reboot", 0)) {
		printk("minnow: self-checks done, rebooting\n");
		minnow_shutdown(PVISOR_SHUTDOWN_REBOOT);
	}
	if (cmdline_number("crash", 0)) {
		printk("minnow: self-checks done, crashing\n");
		minnow_shutdown(PVISOR_SHUTDOWN_CRASH);
	}
	printk("minnow: self-checks done, powering off\n");
	guest_done();
}
