// SPDX-License-Identifier: GPL-2.0
/*
 * The bench guest: minnow's library with a main that measures, from
 * inside a domain, what benchmarks/native/ measures on the host, and
 * prints "@@bench" lines on the console (common/bench.h) for
 * benchmarks/run-bench.sh to pair with the native figures.
 *
 *   hc.null             one PVISOR_HC_VERSION hypercall, TSC ticks
 *   fill.first_touch    the first write to a page the guest has never
 *                       touched: a shadow fill by the module, TSC ticks
 *   fill.refill         the same write after TLB_FLUSH_LOCAL zapped the
 *                       shadow (host page tables already there), ticks
 *   cpu.loop            one run of bench_cpu_loop(), TSC ticks
 *   cpu.checksum        its result, to compare with the native run's
 *   timer.late          how late a sleep of BENCH_TIMER_DELAY_NS wakes:
 *                       SET_TIMER_OP at the deadline, block, and the
 *                       pvclock read once the VIRQ_TIMER upcall has run;
 *                       ns, the median over BENCH_TIMER_SLEEPS sleeps
 *
 * The pages for fill.* are the top BENCH_REPS * BENCH_TOUCH_PAGES pfns of
 * the physmap: the builder's tables map them, and nothing in this guest
 * touches them before the measurement (no allocator runs here). The
 * domain needs 192 MiB for them.
 */

#include <pvisor/hypercall.h>

#include "bench.h"
#include "console.h"
#include "events.h"
#include "hypercall.h"
#include "mm.h"
#include "time.h"

static void report(const char *name, uint64_t *v, unsigned int n,
		   const char *unit)
{
	u64 med = bench_median(v, n);

	printk("@@bench %s %llu %s min %llu max %llu n %u\n", name, med, unit,
	       (u64)v[0], (u64)v[n - 1], n);
}

static void bench_null_hypercall(void)
{
	uint64_t v[BENCH_REPS], t0;
	unsigned int r, i;

	/* Warm up: the stack page and the hypercall page get their shadow. */
	for (i = 0; i < 100; i++)
		hv_version();
	for (r = 0; r < BENCH_REPS; r++) {
		t0 = bench_rdtsc();
		for (i = 0; i < BENCH_NULL_CALLS; i++)
			hv_version();
		v[r] = (bench_rdtsc() - t0) / BENCH_NULL_CALLS;
	}
	report("hc.null", v, BENCH_REPS, "ticks");
}

static uint64_t touch(u64 first_pfn)
{
	uint64_t t0 = bench_rdtsc();
	unsigned int i;

	for (i = 0; i < BENCH_TOUCH_PAGES; i++)
		*(volatile u64 *)pfn_to_virt(first_pfn + i) = i;
	return (bench_rdtsc() - t0) / BENCH_TOUCH_PAGES;
}

static void bench_fill(void)
{
	u64 need = (u64)BENCH_REPS * BENCH_TOUCH_PAGES;
	u64 nr = start_info->nr_pages, base;
	struct pvisor_mmuext_op op = { .cmd = PVISOR_MMUEXT_TLB_FLUSH_LOCAL };
	uint64_t v[BENCH_REPS];
	unsigned int r;

	if (nr < start_info->first_free_pfn + need) {
		printk("@@bench-error fill: %llu pages of memory, need %llu "
		       "free above pfn %llu\n", nr, need,
		       start_info->first_free_pfn);
		return;
	}
	base = nr - need;
	for (r = 0; r < BENCH_REPS; r++)
		v[r] = touch(base + (u64)r * BENCH_TOUCH_PAGES);
	report("fill.first_touch", v, BENCH_REPS, "ticks");

	for (r = 0; r < BENCH_REPS; r++) {
		if (hv_mmuext_op(&op, 1, NULL)) {
			printk("@@bench-error fill: TLB_FLUSH_LOCAL failed\n");
			return;
		}
		v[r] = touch(base + (u64)r * BENCH_TOUCH_PAGES);
	}
	report("fill.refill", v, BENCH_REPS, "ticks");
}

static void bench_cpu(void)
{
	uint64_t v[BENCH_REPS], t0, sum = 0;
	unsigned int r;

	bench_cpu_loop(BENCH_LOOP_ITERS / 16, BENCH_LOOP_SEED);
	for (r = 0; r < BENCH_REPS; r++) {
		t0 = bench_rdtsc();
		sum = bench_cpu_loop(BENCH_LOOP_ITERS, BENCH_LOOP_SEED);
		v[r] = bench_rdtsc() - t0;
	}
	report("cpu.loop", v, BENCH_REPS, "ticks");
	printk("@@bench cpu.checksum %llu value min 0 max 0 n 1\n", (u64)sum);
}

/*
 * minnow's sleep_until() masks upcalls, checks the clock, arms the timer
 * and blocks, looping should it wake early: the lateness is what a guest
 * sleeping on the one-shot timer sees.
 */
static void bench_timer(void)
{
	uint64_t v[BENCH_TIMER_SLEEPS];
	u64 deadline;
	unsigned int i;

	if (events_init() || time_init()) {
		printk("@@bench-error timer: cannot set up events and time\n");
		return;
	}
	sleep_ns(BENCH_TIMER_DELAY_NS);		/* warm up */
	for (i = 0; i < BENCH_TIMER_SLEEPS; i++) {
		deadline = monotonic_ns() + BENCH_TIMER_DELAY_NS;
		sleep_until(deadline);
		v[i] = monotonic_ns() - deadline;
	}
	report("timer.late", v, BENCH_TIMER_SLEEPS, "ns");
}

void minnow_main(void)
{
	printk("bench: guest benchmarks, %llu pages of memory\n",
	       start_info->nr_pages);
	bench_null_hypercall();
	bench_fill();
	bench_cpu();
	bench_timer();
	printk("@@bench-done\n");
}
