// SPDX-License-Identifier: GPL-2.0
/*
 * The isolation benchmark's guests (benchmarks/isolation.sh). One flag
 * on the command line picks a noisy neighbour, each loading the host a
 * different way for as long as it lives:
 *
 *   hog=1      a CPU-bound loop, no hypercall
 *   hcall=1    PVISOR_HC_VERSION hypercalls, back to back
 *   timer=1    1 µs sleeps: a host timer and VIRQ_TIMER each time
 *   fault=1    int3 traps, each bounced through the module to minnow's
 *              handler and back with the iret hypercall
 *   console=1  console writes of a line each
 *
 * Without one it is the victim: it runs bench_cpu_loop() for lead=S
 * seconds (default 2) so that every domain it is measured beside is at
 * full load, then counts the loop's chunks for seconds=S (default 6) and
 * prints
 *
 *   @@iso chunks N ns T
 *
 * and goes on looping until destroyed: a victim measured beside another
 * (the weighted pair) must not leave it alone at the end of its window.
 */

#include <pvisor/hypercall.h>

#include "bench.h"
#include "console.h"
#include "events.h"
#include "hypercall.h"
#include "lib.h"
#include "mm.h"
#include "test.h"
#include "time.h"
#include "traps.h"

/* About a millisecond of the loop natively; several under TCG. */
#define CHUNK_ITERS	200000ULL

static void spin_forever(void)
{
	for (;;)
		bench_cpu_loop(CHUNK_ITERS, BENCH_LOOP_SEED);
}

static bool skip_breakpoint(struct pvisor_trap_frame *f)
{
	(void)f;		/* rip is already past the int3 */
	return true;
}

static void fault_storm(void)
{
	GUEST_ASSERT(trap_init() == 0);
	trap_set_handler(TRAP_BP, skip_breakpoint);
	for (;;)
		asm volatile("int3" ::: "memory");
}

static void console_flood(void)
{
	static const char line[] = "noisy: a console flood line\n";

	for (;;)
		hv_console_write(line, sizeof(line) - 1);
}

static void victim(void)
{
	u64 lead = cmdline_number("lead", 2) * NSEC_PER_SEC;
	u64 window = cmdline_number("seconds", 6) * NSEC_PER_SEC;
	u64 start, end, now, chunks = 0;

	start = monotonic_ns();
	while (monotonic_ns() - start < lead)
		bench_cpu_loop(CHUNK_ITERS, BENCH_LOOP_SEED);
	start = monotonic_ns();
	end = start + window;
	do {
		bench_cpu_loop(CHUNK_ITERS, BENCH_LOOP_SEED);
		chunks++;
		now = monotonic_ns();
	} while (now < end);
	printk("@@iso chunks %llu ns %llu\n", chunks, now - start);
	spin_forever();
}

void minnow_main(void)
{
	mm_init();
	GUEST_ASSERT(events_init() == 0);
	GUEST_ASSERT(time_init() == 0);
	if (cmdline_number("hog", 0))
		spin_forever();
	if (cmdline_number("hcall", 0))
		for (;;)
			hv_version();
	if (cmdline_number("timer", 0))
		for (;;)
			sleep_ns(NSEC_PER_USEC);
	if (cmdline_number("fault", 0))
		fault_storm();
	if (cmdline_number("console", 0))
		console_flood();
	victim();
}
