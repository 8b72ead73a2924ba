// SPDX-License-Identifier: GPL-2.0
/*
 * SMP end to end, through the real runner: a 4-vCPU domain whose runner
 * gives every vCPU a thread, and minnow's smp.c bringing the secondaries
 * up with vcpu_op INITIALISE and UP.
 *
 * Once they are online, each secondary finds its per-CPU area from its
 * stack, takes a trap through its own trap table and sleeps on its own
 * timer. Then the workload: each adds 1 to a shared counter ROUNDS times
 * with a locked add, and fills its own slice of a shared array; the
 * idle loop signals the end with an IPI to vCPU 0, which waits the Xen
 * way (mask upcalls, check, block) and checks the exact sum and every
 * slot. Last, vcpu_op's states: IS_UP, a secondary taken down by vCPU 0
 * while it idles, and one that takes itself down in the middle of work;
 * both go on where they stopped when brought up again. vcpu_op's bad
 * inputs are checked on the way.
 *
 * Waits are bounded by WAIT_NS of system time, so that a lost IPI shows
 * as a failed check and not as a hung domain.
 *
 * selftests/pvisor/test_smp_guest.sh turns the @@pvtest lines into TAP.
 */

#include <linux/errno.h>
#include <pvisor/event.h>
#include <pvisor/hypercall.h>

#include "../minnow/console.h"
#include "../minnow/cpu.h"
#include "../minnow/events.h"
#include "../minnow/mm.h"
#include "../minnow/smp.h"
#include "../minnow/test.h"
#include "../minnow/time.h"
#include "../minnow/traps.h"

#define NR_CPUS		4
#define ROUNDS		200000		/* increments per secondary */
#define SLICE		1024		/* array words per secondary */
#define WAIT_NS		(30 * NSEC_PER_SEC)	/* a hang detector */
#define SLEEP_NS	(10 * NSEC_PER_MSEC)

static volatile u64 counter;
static u64 slots[NR_CPUS * SLICE];

/* What each secondary saw of itself. */
static struct {
	volatile u64 id;
	volatile u64 stack;		/* an address on its stack */
	volatile u64 breakpoints;
	volatile u64 slept_ns;
	volatile u64 timer_events;
	volatile u64 resumed;		/* went on after taking itself down */
} seen[NR_CPUS];

static bool count_breakpoint(struct pvisor_trap_frame *f)
{
	(void)f;
	__atomic_add_fetch(&seen[smp_processor_id()].breakpoints, 1,
			   __ATOMIC_RELAXED);
	return true;
}

/*
 * Wait with the Xen idiom until @done(@arg) holds or WAIT_NS pass: mask
 * upcalls, check, block (which unmasks, and returns at once if an event
 * came after the check). Returns whether it held.
 */
static bool wait_for(bool (*done)(const void *arg), const void *arg)
{
	u64 deadline = monotonic_ns() + WAIT_NS;

	for (;;) {
		local_irq_disable();
		if (done(arg)) {
			local_irq_enable();
			return true;
		}
		if (monotonic_ns() >= deadline) {
			local_irq_enable();
			return false;
		}
		hv_set_timer_op(deadline);
		block_domain();
	}
}

struct calls {
	unsigned int cpu;
	u64 target;
};

static bool calls_reached(const void *arg)
{
	const struct calls *c = arg;

	return cpus[c->cpu].calls_done >= c->target;
}

/* Run @fn on @cpu and wait until its idle loop says it is done. */
static bool run_on(unsigned int cpu, void (*fn)(void *), void *arg)
{
	struct calls c = { cpu, cpus[cpu].calls_done + 1 };

	return smp_call(cpu, fn, arg) == 0 && wait_for(calls_reached, &c);
}

static void whoami(void *arg)
{
	struct cpu *c = this_cpu();
	u64 sp;

	(void)arg;
	asm volatile("mov %%rsp, %0" : "=r"(sp));
	seen[c->id].id = smp_processor_id();
	seen[c->id].stack = sp;
	asm volatile("int3" ::: "memory");
}

static void nap(void *arg)
{
	unsigned int me = smp_processor_id();
	u64 t0, t1;

	(void)arg;
	t0 = monotonic_ns();
	sleep_ns(SLEEP_NS);
	t1 = monotonic_ns();
	seen[me].slept_ns = t1 - t0;
	seen[me].timer_events = this_cpu()->timer_events;
}

static void workload(void *arg)
{
	unsigned int me = smp_processor_id();
	u64 *slice = &slots[me * SLICE];
	unsigned int i;

	(void)arg;
	for (i = 0; i < ROUNDS; i++) {
		__atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
		if (i < SLICE)
			slice[i] = ((u64)me << 32) | i;
	}
}

static void noop(void *arg)
{
	(void)arg;
}

static void take_myself_down(void *arg)
{
	unsigned int me = smp_processor_id();

	(void)arg;
	smp_cpu_down(me);
	/* Here only once vCPU 0 has brought us up again. */
	seen[me].resumed = 1;
}

static bool all_calls(const void *arg)
{
	const u64 *target = arg;
	unsigned int i;

	for (i = 1; i < NR_CPUS; i++)
		if (cpus[i].calls_done < target[i])
			return false;
	return true;
}

static void check_before(void)
{
	struct pvisor_vcpu_start bad = {
		.rip = 0x400000,		/* the runner's code */
		.rsp = (u64)pfn_to_virt(mm_nr_pages() - 1) + PAGE_SIZE,
		.pt_base_pfn = mm_top_pfn(),
	};
	struct pvisor_vcpu_timer period = { .ns = 10 * NSEC_PER_MSEC };
	long ret;

	guest_report(start_info->nr_vcpus == NR_CPUS, "start_info says %u "
		     "vCPUs", start_info->nr_vcpus);
	GUEST_ASSERT(start_info->nr_vcpus == NR_CPUS);
	guest_report(smp_processor_id() == 0 && this_cpu() == &cpus[0],
		     "the boot vCPU finds its per-CPU area from its stack");
	ret = smp_cpu_is_up(1);
	guest_report(ret == 0, "a secondary starts down (IS_UP %ld)", ret);
	ret = smp_cpu_up(1);
	guest_report(ret == -EINVAL, "UP of a vCPU never initialised: %ld",
		     ret);
	ret = hv_vcpu_op(PVISOR_VCPUOP_INITIALISE, 1, &bad);
	guest_report(ret == -EINVAL, "INITIALISE with an entry outside the "
		     "window: %ld", ret);
	ret = smp_cpu_is_up(NR_CPUS + 3);
	guest_report(ret == -EINVAL, "vcpu_op on vCPU %u of %u: %ld",
		     NR_CPUS + 3, NR_CPUS, ret);
	ret = hv_vcpu_op(PVISOR_VCPUOP_SET_PERIODIC_TIMER, 1, &period);
	guest_report(ret == -EINVAL, "another vCPU's periodic timer: %ld",
		     ret);
	ret = smp_start(NR_CPUS + 1);
	guest_report(ret == -EINVAL, "smp_start beyond nr_vcpus: %ld", ret);
}

static void check_start(void)
{
	struct pvisor_vcpu_start again = { 0 };
	unsigned int i, up = 0;
	long ret;

	ret = smp_start(NR_CPUS);
	guest_report(ret == NR_CPUS, "smp_start brings up %d vCPUs (%ld)",
		     NR_CPUS, ret);
	GUEST_ASSERT(ret == NR_CPUS);
	for (i = 1; i < NR_CPUS; i++)
		up += smp_cpu_is_up(i) == 1;
	guest_report(up == NR_CPUS - 1, "IS_UP says 1 for every secondary "
		     "(%u)", up);
	again.rip = (u64)whoami;
	again.rsp = (u64)pfn_to_virt(mm_nr_pages() - 1) + PAGE_SIZE;
	again.rdi = 1;
	again.pt_base_pfn = mm_top_pfn();
	ret = hv_vcpu_op(PVISOR_VCPUOP_INITIALISE, 1, &again);
	guest_report(ret == -EBUSY, "INITIALISE of a vCPU that is up: %ld",
		     ret);
	guest_report(cpus[0].ipis >= 1, "the secondaries announced "
		     "themselves with IPIs (%llu)", cpus[0].ipis);
}

static void check_per_cpu(void)
{
	unsigned int i, ids = 0, stacks = 0, traps = 0, naps = 0;
	u64 before = trap_count();

	trap_set_handler(TRAP_BP, count_breakpoint);
	for (i = 1; i < NR_CPUS; i++) {
		if (!run_on(i, whoami, NULL))
			continue;
		ids += seen[i].id == i;
		/* Its own stack: labelled for it, and nobody else's. */
		stacks += stack_head_of(seen[i].stack)->cpu == &cpus[i] &&
			  stack_head_of(seen[i].stack)->magic == STACK_MAGIC &&
			  !on_boot_stack(seen[i].stack);
		traps += seen[i].breakpoints == 1 && cpus[i].traps >= 1;
	}
	trap_set_handler(TRAP_BP, NULL);
	guest_report(ids == NR_CPUS - 1, "each secondary knows its id (%u of "
		     "%u)", ids, NR_CPUS - 1);
	guest_report(stacks == NR_CPUS - 1, "each runs on a labelled stack "
		     "of its own (%u)", stacks);
	guest_report(traps == NR_CPUS - 1 && trap_count() - before ==
		     NR_CPUS - 1, "int3 on each secondary reaches its own "
		     "trap table (%u, %llu traps)", traps,
		     trap_count() - before);

	for (i = 1; i < NR_CPUS; i++)
		naps += run_on(i, nap, NULL) && seen[i].slept_ns >= SLEEP_NS &&
			seen[i].timer_events >= 1;
	guest_report(naps == NR_CPUS - 1, "each secondary sleeps 10 ms on its "
		     "own VIRQ_TIMER (%u; cpu 1 slept %llu us)", naps,
		     seen[1].slept_ns / NSEC_PER_USEC);
}

static void check_workload(void)
{
	u64 target[NR_CPUS] = { 0 }, ipis = cpus[0].ipis, bad = 0;
	unsigned int i, started = 0;
	bool done;

	for (i = 1; i < NR_CPUS; i++) {
		target[i] = cpus[i].calls_done + 1;
		started += smp_call(i, workload, NULL) == 0;
	}
	done = wait_for(all_calls, target);
	guest_report(started == NR_CPUS - 1 && done, "three secondaries ran "
		     "the workload and said so");
	guest_report(counter == (u64)(NR_CPUS - 1) * ROUNDS, "the shared "
		     "counter holds every increment: %llu of %llu", counter,
		     (u64)(NR_CPUS - 1) * ROUNDS);
	for (i = 1; i < NR_CPUS; i++)
		for (unsigned int k = 0; k < SLICE; k++)
			bad += slots[i * SLICE + k] != (((u64)i << 32) | k);
	for (i = 0; i < SLICE; i++)
		bad += slots[i] != 0;
	guest_report(!bad, "each filled its own slice of the array (%llu bad "
		     "words)", bad);
	guest_report(cpus[0].ipis - ipis >= 1, "their IPIs woke vCPU 0 (%llu "
		     "IPIs)", cpus[0].ipis - ipis);
}

struct above {
	volatile u64 *counter;
	u64 value;
};

static bool counter_above(const void *arg)
{
	const struct above *a = arg;

	return *a->counter > a->value;
}

static bool is_down(const void *arg)
{
	return smp_cpu_is_up(*(const unsigned int *)arg) == 0;
}

static void check_down_up(void)
{
	u64 before = cpus[3].calls_done;
	struct above ipi = { &cpus[2].ipis, cpus[2].ipis };
	struct calls c3 = { 3, before + 1 }, c2;
	unsigned int two = 2;
	long ret;
	bool ok;

	ret = smp_send_ipi(2);
	ok = ret == 0 && wait_for(counter_above, &ipi);
	guest_report(ok, "an IPI reaches vCPU 2 (%llu)",
		     cpus[2].ipis - ipi.value);

	/* vCPU 3 idles: taken down by vCPU 0, it must not pick up work. */
	ret = smp_cpu_down(3);
	guest_report(ret == 0 && smp_cpu_is_up(3) == 0, "DOWN of an idle "
		     "vCPU 3 (%ld), IS_UP says 0", ret);
	ret = smp_call(3, noop, NULL);
	sleep_ns(50 * NSEC_PER_MSEC);
	guest_report(ret == 0 && cpus[3].calls_done == before,
		     "a vCPU that is down does no work (%llu calls)",
		     cpus[3].calls_done - before);
	ret = smp_cpu_up(3);
	guest_report(ret == 0 && wait_for(calls_reached, &c3) &&
		     smp_cpu_is_up(3) == 1, "UP again: it resumes and does "
		     "the work (%ld)", ret);

	/* vCPU 2 takes itself down in the middle of a call. */
	c2 = (struct calls){ 2, cpus[2].calls_done + 1 };
	ret = smp_call(2, take_myself_down, NULL);
	guest_report(ret == 0 && wait_for(is_down, &two) && !seen[2].resumed,
		     "vCPU 2 takes itself down (%ld)", ret);
	ret = smp_cpu_up(2);
	guest_report(ret == 0 && wait_for(calls_reached, &c2) &&
		     seen[2].resumed == 1, "UP again: it goes on after its own "
		     "DOWN (%ld)", ret);
}

void minnow_main(void)
{
	long ret;

	mm_init();
	GUEST_ASSERT(trap_init() == 0);
	ret = events_init();
	GUEST_ASSERT(ret == 0);
	ret = time_init();
	GUEST_ASSERT(ret == 0);

	check_before();
	check_start();
	check_per_cpu();
	check_workload();
	check_down_up();
	guest_done();
}
