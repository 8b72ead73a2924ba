// SPDX-License-Identifier: GPL-2.0
/*
 * Guests that test the shadow's edges: its host page-table budget, long
 * invalidation batches, write upgrades and invalidation against a
 * concurrent fill. The command line is exactly "case=NAME";
 * selftests/pvisor/test_shadow.sh runs each and checks how it ends and
 * what it cost the host.
 *
 *   alias    one frame that is every level of its own tables and the data
 *            too, installed in the window's second top-level slot; then a
 *            read of one page per 2 MiB across 64 GiB, twice. Without a
 *            budget each read costs the host a page-table page that
 *            nothing frees (128 MiB); with one the shadow is reset and the
 *            guest goes on, checks what it read, and powers off.
 *   flood    the same tables, then mmuext_op batches of 4096 whole-window
 *            flushes, forever: the host destroys it, promptly.
 *   mkwrite  a read-only page read (so the shadow holds it read-only),
 *            then its entry rewritten in place, without an invalidation,
 *            to a writable entry naming another frame, and a write: it
 *            must land in the new frame, never the old one. Then the same
 *            upgrade keeping the frame, which must just work.
 *   race     two vCPUs: vCPU 0 points one page at three frames in turn
 *            with mmu_update, publishing each step once the call has
 *            returned; vCPU 1 reads the page all along and checks it never
 *            sees the frame from before the last published step.
 */

#include <linux/errno.h>
#include <pvisor/hypercall.h>

#include "../minnow/console.h"
#include "../minnow/cpu.h"
#include "../minnow/events.h"
#include "../minnow/hypercall.h"
#include "../minnow/mm.h"
#include "../minnow/smp.h"
#include "../minnow/test.h"
#include "../minnow/time.h"
#include "../minnow/traps.h"

#define PTRS		512
#define SLOT_SIZE	(1ULL << 39)		/* one top-level entry's span */
#define PMD_SIZE	(1ULL << 21)
#define ALIAS_BASE	(PVISOR_WINDOW_BASE + SLOT_SIZE)
#define ALIAS_TOUCHES	32768			/* 64 GiB, one page per 2 MiB */
#define ALIAS_PASSES	2
#define FLOOD_BATCH	4096
#define RACE_NS		(5 * NSEC_PER_SEC)
#define RACE_VA		(PVISOR_WINDOW_BASE + (256ULL << 30))
#define RACE_PAUSE	(1U << 12)		/* spins, at most, between reads */
#define WAIT_NS		(5 * NSEC_PER_SEC)

static bool is_case(const char *name)
{
	const char *c = start_info->cmd_line;

	return !strncmp(c, "case=", 5) && !strcmp(c + 5, name);
}

/*
 * One frame, every entry naming itself: it is the top table's second
 * slot, and every table below, and the data. Returns the value each read
 * through it must give: its own entry.
 */
static u64 install_alias(void)
{
	struct pvisor_mmu_update req;
	u64 f = alloc_page_pfn(), entry, *t;
	unsigned int i, slot = ((ALIAS_BASE >> 39) & (PTRS - 1));

	GUEST_ASSERT(f != MM_NO_PAGE);
	entry = (f << PAGE_SHIFT) | PVISOR_PTE_PRESENT | PVISOR_PTE_RW |
		PVISOR_PTE_NX;
	t = pfn_to_virt(f);
	for (i = 0; i < PTRS; i++)
		t[i] = entry;
	req.ptr = (mm_top_pfn() << PAGE_SHIFT) + slot * sizeof(u64);
	req.val = entry;
	GUEST_ASSERT(hv_mmu_update(&req, 1, NULL) == 0);
	return entry;
}

/* Read one word per 2 MiB through the alias; how many read @want. */
static u64 touch_alias(u64 want)
{
	u64 i, good = 0;

	for (i = 0; i < ALIAS_TOUCHES; i++)
		good += *(volatile u64 *)(ALIAS_BASE + i * PMD_SIZE) == want;
	return good;
}

static void alias(void)
{
	u64 want, good, pass, t0, *p;

	printk("shadow: alias: one frame at every level, %u reads 2 MiB "
	       "apart\n", ALIAS_TOUCHES);
	want = install_alias();
	for (pass = 1; pass <= ALIAS_PASSES; pass++) {
		t0 = pvclock_read();
		good = touch_alias(want);
		printk("shadow: alias: pass %llu: %llu reads in %llu ms\n",
		       pass, good, (pvclock_read() - t0) / NSEC_PER_MSEC);
		guest_report(good == ALIAS_TOUCHES, "pass %llu: every read "
			     "through the alias gives the frame's own entry "
			     "(%llu of %u)", pass, good, ALIAS_TOUCHES);
	}
	p = pfn_to_virt(alloc_page_pfn());
	*(volatile u64 *)p = 0x600d;
	guest_report(*(volatile u64 *)p == 0x600d, "the guest's own memory "
		     "still works");
	guest_done();
}

static struct pvisor_mmuext_op flood_ops[FLOOD_BATCH];

static void flood(void)
{
	u64 want, batches = 0;
	unsigned int i;
	long ret;

	printk("shadow: flood: filling the shadow\n");
	want = install_alias();
	GUEST_ASSERT(touch_alias(want) == ALIAS_TOUCHES);
	for (i = 0; i < FLOOD_BATCH; i++)
		flood_ops[i].cmd = PVISOR_MMUEXT_TLB_FLUSH_LOCAL;
	printk("shadow: flood: flushing, %u flushes a batch\n", FLOOD_BATCH);
	for (;;) {
		ret = hv_mmuext_op(flood_ops, FLOOD_BATCH, NULL);
		if (ret) {
			guest_report(false, "batch %llu failed: %ld", batches,
				     ret);
			guest_done();
		}
		batches++;
	}
}

#define TAG_OLD	0x01d01d01d01dULL
#define TAG_NEW	0x0e40e40e40e4ULL

static void mkwrite(void)
{
	u64 x = alloc_page_pfn(), y = alloc_page_pfn();
	volatile u64 *va = (volatile u64 *)RACE_VA, *px, *py, *pte;
	u64 v;

	GUEST_ASSERT(x != MM_NO_PAGE && y != MM_NO_PAGE);
	px = pfn_to_virt(x);
	py = pfn_to_virt(y);
	*px = TAG_OLD;
	*py = TAG_OLD;
	printk("shadow: mkwrite: 0x%llx read-only to frame 0x%llx, then "
	       "rewritten in place to frame 0x%llx read-write\n",
	       (u64)va, x, y);
	GUEST_ASSERT(map_page((u64)va, x, PVISOR_PTE_NX) == 0);
	pte = lookup_pte((u64)va);
	GUEST_ASSERT(pte);
	v = *va;
	guest_report(v == TAG_OLD, "the read-only page reads its frame "
		     "(0x%llx)", v);

	/* No invalidation: the shadow still holds x, read-only. */
	*pte = (y << PAGE_SHIFT) | PVISOR_PTE_PRESENT | PVISOR_PTE_RW |
	       PVISOR_PTE_NX;
	*va = TAG_NEW;
	guest_report(*px == TAG_OLD, "the write did not land in the old "
		     "frame (it holds 0x%llx)", *px);
	guest_report(*py == TAG_NEW, "it landed in the frame the entry names "
		     "now (0x%llx)", *py);

	/* The same frame, upgraded in place: a plain write upgrade. */
	GUEST_ASSERT(hv_update_va_mapping((u64)va, (x << PAGE_SHIFT) |
					  PVISOR_PTE_PRESENT | PVISOR_PTE_NX,
					  PVISOR_UVMF_INVLPG) == 0);
	v = *va;
	*pte = (x << PAGE_SHIFT) | PVISOR_PTE_PRESENT | PVISOR_PTE_RW |
	       PVISOR_PTE_NX;
	*va = TAG_NEW;
	guest_report(v == TAG_OLD && *px == TAG_NEW, "an upgrade keeping the "
		     "frame writes it (0x%llx, then 0x%llx)", v, *px);
	guest_done();
}

/* The race: frames[k % 3] is mapped, and invalidated, at step k + 1. */
static u64 frames[3];
static volatile u64 step, racer_stop;
static volatile u64 racer_checks, racer_stale, racer_odd;

static u64 tag_of(unsigned int i)
{
	return 0x7a6000 + i;
}

static void racer(void *arg)
{
	volatile u64 *va = (volatile u64 *)RACE_VA;
	u64 rnd = 1;

	(void)arg;
	while (!racer_stop) {
		u64 s1 = __atomic_load_n(&step, __ATOMIC_ACQUIRE);
		u64 v = *va;
		u64 s2 = __atomic_load_n(&step, __ATOMIC_ACQUIRE);

		/*
		 * Between the two loads the page maps frame s-1's, or step
		 * s's frame already (its mmu_update may be under way), but
		 * never the frame of step s-2: that mapping's invalidation
		 * has returned.
		 */
		if (s1 == s2 && s1 >= 2) {
			racer_checks++;
			if (v == tag_of((s1 - 2) % 3))
				racer_stale++;
			else if (v != tag_of((s1 - 1) % 3) &&
				 v != tag_of(s1 % 3))
				racer_odd++;
		}
		/*
		 * Pause a random while, so that the next read's fill starts
		 * anywhere in vCPU 0's cycle instead of just after its zap.
		 */
		rnd = rnd * 6364136223846793005ULL + 1442695040888963407ULL;
		for (u64 n = (rnd >> 33) % RACE_PAUSE; n; n--)
			cpu_relax();
	}
}

static void race(void)
{
	struct pvisor_mmu_update req;
	u64 deadline, *pte, target;
	unsigned int i;
	long ret;

	GUEST_ASSERT(trap_init() == 0);
	GUEST_ASSERT(events_init() == 0);
	GUEST_ASSERT(time_init() == 0);
	for (i = 0; i < 3; i++) {
		frames[i] = alloc_page_pfn();
		GUEST_ASSERT(frames[i] != MM_NO_PAGE);
		*(u64 *)pfn_to_virt(frames[i]) = tag_of(i);
	}
	GUEST_ASSERT(map_page(RACE_VA, frames[0], PVISOR_PTE_NX) == 0);
	pte = lookup_pte(RACE_VA);
	GUEST_ASSERT(pte);
	req.ptr = (virt_to_pfn(pte) << PAGE_SHIFT) + ((u64)pte % PAGE_SIZE);
	step = 1;

	ret = smp_start(2);
	GUEST_ASSERT(ret == 2);
	target = cpus[1].calls_done + 1;
	GUEST_ASSERT(smp_call(1, racer, NULL) == 0);
	printk("shadow: race: remapping 0x%llx for %llu s\n", RACE_VA,
	       RACE_NS / NSEC_PER_SEC);
	deadline = monotonic_ns() + RACE_NS;
	while (monotonic_ns() < deadline) {
		req.val = (frames[step % 3] << PAGE_SHIFT) |
			  PVISOR_PTE_PRESENT | PVISOR_PTE_NX;
		GUEST_ASSERT(hv_mmu_update(&req, 1, NULL) == 0);
		__atomic_store_n(&step, step + 1, __ATOMIC_RELEASE);
	}
	racer_stop = 1;
	deadline = monotonic_ns() + WAIT_NS;
	while (cpus[1].calls_done < target && monotonic_ns() < deadline)
		hv_sched_yield();
	printk("shadow: race: %llu remaps, %llu checked reads\n", step - 1,
	       racer_checks);
	guest_report(cpus[1].calls_done >= target, "vCPU 1 stopped reading");
	guest_report(step > 100 && racer_checks > 100, "both sides got "
		     "going (%llu remaps, %llu checked reads)", step - 1,
		     racer_checks);
	guest_report(!racer_stale && !racer_odd, "no read saw a frame from "
		     "before an invalidation that had returned (%llu stale, "
		     "%llu other)", racer_stale, racer_odd);
	guest_done();
}

void minnow_main(void)
{
	mm_init();
	if (is_case("alias"))
		alias();
	if (is_case("flood"))
		flood();
	if (is_case("mkwrite"))
		mkwrite();
	if (is_case("race"))
		race();
	guest_report(false, "unknown case '%s'", start_info->cmd_line);
	guest_done();
}
