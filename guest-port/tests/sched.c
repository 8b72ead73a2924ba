// SPDX-License-Identifier: GPL-2.0
/*
 * Threads end to end, through the real runner: minnow's scheduler
 * (minnow/sched.c) preempting threads on the periodic VIRQ_TIMER,
 * switching in the event callback's exit path, sleeping on the one-shot
 * timer, and reaping threads that exit.
 *
 * The checks: the bad inputs before and after sched_init(); two
 * CPU-bound threads that never yield both start within a few ticks and
 * both keep advancing (neither starves), and their registers survive
 * every preemption (each runs a recurrence main recomputes afterwards);
 * sleepers wake in deadline order and never early, alone and with the
 * CPU-bound threads running; a thread that exits (by returning or with
 * thread_exit()) is joined and its stack goes back to the page
 * allocator; two threads that yield alternate; NR_MANY threads that
 * compute, yield and sleep all finish, and do again with the hogs beside
 * them under a 100 us tick.
 *
 * Nothing here depends on how fast the host is. The host may stop the
 * vCPU for any time (QEMU's TCG on a loaded machine does, for tens of
 * milliseconds), so checks count ticks, not milliseconds: a window of
 * ticks in which the host stopped us shows as fewer ticks (missed
 * periods are not made up) and is measured again. Lateness is only
 * reported; the bound on it is WAIT_NS, a hang detector. Early is never
 * allowed.
 *
 * Every wait is bounded (WAIT_NS of system time), so a scheduler that
 * loses a thread fails a check instead of hanging the domain.
 *
 * selftests/pvisor/test_sched_guest.sh turns the @@pvtest lines into TAP.
 */

#include <linux/errno.h>
#include <pvisor/event.h>
#include <pvisor/hypercall.h>

#include "../minnow/console.h"
#include "../minnow/cpu.h"
#include "../minnow/events.h"
#include "../minnow/mm.h"
#include "../minnow/sched.h"
#include "../minnow/smp.h"
#include "../minnow/test.h"
#include "../minnow/time.h"
#include "../minnow/traps.h"

#define WAIT_NS		(10 * NSEC_PER_SEC)
#define NR_HOGS		2
#define NR_SLEEPERS	5
#define NR_YIELDS	50
#define NR_MANY		16
#define MANY_ROUNDS	20
/* How often a measurement the host disturbed is taken again. */
#define ATTEMPTS	50

/* Knuth's MMIX recurrence: a long chain of register-only arithmetic. */
#define LCG_A		6364136223846793005ULL
#define LCG_C		1442695040888963407ULL

static u64 lcg(u64 x, u64 n)
{
	while (n--)
		x = x * LCG_A + LCG_C;
	return x;
}

static u64 us_of(u64 ns)
{
	return ns / NSEC_PER_USEC;
}

/* --- bad inputs, and starting the scheduler --------------------------- */

static void never_runs(void *arg)
{
	(void)arg;
	guest_report(false, "a thread ran before sched_init()");
}

static void check_init(void)
{
	u64 free0 = mm_free_pages();
	struct thread *self;
	long ret;

	guest_report(thread_create(never_runs, NULL) == NULL,
		     "thread_create before sched_init() is refused");
	guest_report(thread_join(NULL) == -EINVAL && thread_self() == NULL,
		     "thread_join and thread_self before sched_init()");
	ret = sched_init(PVISOR_TIMER_MIN_PERIOD / 2);
	guest_report(ret == -EINVAL && mm_free_pages() == free0,
		     "sched_init with a %llu us tick is refused, its idle "
		     "stack given back (%ld)",
		     us_of(PVISOR_TIMER_MIN_PERIOD / 2), ret);
	ret = sched_init(SCHED_TICK_NS);
	guest_report(ret == 0, "sched_init starts a %llu ms tick (%ld)",
		     SCHED_TICK_NS / NSEC_PER_MSEC, ret);
	GUEST_ASSERT(ret == 0);
	ret = sched_init(SCHED_TICK_NS);
	guest_report(ret == -EBUSY, "sched_init twice: %ld", ret);
	self = thread_self();
	guest_report(self && self->state == THREAD_RUNNING &&
		     this_cpu()->current == self && this_cpu()->idle &&
		     sched_nr_threads() == 2, "the boot thread runs, idle "
		     "waits (%u threads)", sched_nr_threads());
	guest_report(thread_create(NULL, NULL) == NULL &&
		     thread_join(self) == -EINVAL &&
		     thread_join(this_cpu()->idle) == -EINVAL,
		     "no thread without a function; joining oneself or the "
		     "idle thread is refused");
}

static void check_tick(void)
{
	u64 ticks = sched_ticks(), t0 = monotonic_ns(), t1;
	bool early = false;

	/*
	 * Nothing else runs: the idle thread blocks the vCPU. Sleep in
	 * steps of five ticks until three have come: a host that stops us
	 * costs ticks, never the check.
	 */
	do {
		u64 s0 = monotonic_ns();

		thread_sleep_ns(5 * SCHED_TICK_NS);
		early |= monotonic_ns() - s0 < 5 * SCHED_TICK_NS;
	} while (sched_ticks() - ticks < 3 && monotonic_ns() - t0 < WAIT_NS);
	t1 = monotonic_ns();
	guest_report(sched_ticks() - ticks >= 3 && !early,
		     "the tick runs while the boot thread sleeps %llu ms at a "
		     "time, never waking early (%llu ticks in %llu us)",
		     5 * SCHED_TICK_NS / NSEC_PER_MSEC, sched_ticks() - ticks,
		     us_of(t1 - t0));
	guest_report(cpus[0].idle->runs >= 1, "the idle thread ran while "
		     "nothing else could (%llu times)", cpus[0].idle->runs);
}

/* --- two threads that never yield ------------------------------------- */

struct hog {
	u64 seed;
	volatile u64 count;		/* recurrence steps so far */
	volatile u64 value;		/* the recurrence after count steps */
	volatile u64 first_tick;	/* sched_ticks() + 1 when it started */
	volatile u64 stack;		/* an address on its stack */
	struct thread *volatile self;
};

static struct hog hogs[NR_HOGS];
static volatile bool stop_hogs;

static void hog(void *arg)
{
	struct hog *h = arg;
	u64 x = h->seed, n = 0;

	h->first_tick = sched_ticks() + 1;
	h->stack = current_sp();
	h->self = thread_self();
	while (!stop_hogs) {
		x = x * LCG_A + LCG_C;
		n++;
		h->value = x;
		h->count = n;
	}
}

static struct thread *hog_threads[NR_HOGS];

static void start_hogs(void)
{
	unsigned int i;

	stop_hogs = false;
	for (i = 0; i < NR_HOGS; i++) {
		hogs[i] = (struct hog){ .seed = 0x5eed0000 + i };
		hog_threads[i] = thread_create(hog, &hogs[i]);
	}
}

static bool stop_and_join_hogs(void)
{
	unsigned int i;
	bool ok = true;

	stop_hogs = true;
	for (i = 0; i < NR_HOGS; i++)
		ok &= hog_threads[i] && thread_join(hog_threads[i]) == 0;
	return ok;
}

static void check_hogs(void)
{
	u64 ticks0 = sched_ticks(), pre0 = sched_preemptions();
	u64 deadline, last[NR_HOGS], stalls = 0, windows = 0, tries, bad = 0;
	u64 free0 = mm_free_pages();
	unsigned int i, ids = 0;
	bool started;

	start_hogs();
	guest_report(hog_threads[0] && hog_threads[1] &&
		     sched_nr_threads() == 4, "two CPU-bound threads created "
		     "(%u threads)", sched_nr_threads());
	GUEST_ASSERT(hog_threads[0] && hog_threads[1]);

	/* Both must get going within a few ticks of their creation. */
	deadline = monotonic_ns() + WAIT_NS;
	do {
		thread_sleep_ns(SCHED_TICK_NS);
		started = hogs[0].first_tick && hogs[1].first_tick;
	} while (!started && monotonic_ns() < deadline);
	guest_report(started && hogs[1].first_tick - 1 - ticks0 <= 4 &&
		     hogs[0].first_tick - 1 - ticks0 <= 4,
		     "both start within a few ticks (ticks %llu and %llu after "
		     "creation)", hogs[0].first_tick - 1 - ticks0,
		     hogs[1].first_tick - 1 - ticks0);

	/*
	 * Each of eight windows of at least three ticks: both advance. A
	 * window the host cut short of ticks (it stopped the vCPU through
	 * them) does not count and is slept again.
	 */
	for (i = 0; i < NR_HOGS; i++)
		last[i] = hogs[i].count;
	for (tries = 0; windows < 8 && tries < 8 + ATTEMPTS; tries++) {
		u64 t = sched_ticks();

		thread_sleep_ns(3 * SCHED_TICK_NS);
		if (sched_ticks() - t >= 3) {
			windows++;
			for (i = 0; i < NR_HOGS; i++)
				stalls += hogs[i].count == last[i];
		}
		for (i = 0; i < NR_HOGS; i++)
			last[i] = hogs[i].count;
	}
	guest_report(windows == 8 && !stalls, "neither starves: both advanced "
		     "in each of %llu windows of 3 ticks (%llu stalls; %llu "
		     "and %llu steps; %llu windows short of ticks)", windows,
		     stalls, hogs[0].count, hogs[1].count, tries - windows);
	guest_report(sched_preemptions() - pre0 >= 4 &&
		     hog_threads[0]->runs >= 2 && hog_threads[1]->runs >= 2,
		     "the tick preempted them (%llu preemptions; ran %llu and "
		     "%llu times)", sched_preemptions() - pre0,
		     hog_threads[0]->runs, hog_threads[1]->runs);
	for (i = 0; i < NR_HOGS; i++) {
		struct stack_head *h = stack_head_of(hogs[i].stack);

		ids += h->magic == STACK_MAGIC && h->cpu == &cpus[0] &&
		       h->thread == hog_threads[i] &&
		       hogs[i].self == hog_threads[i];
	}
	guest_report(ids == NR_HOGS, "each runs on a labelled stack of its "
		     "own, naming it and vCPU 0 (%u)", ids);

	guest_report(stop_and_join_hogs(), "both stop and are joined");
	for (i = 0; i < NR_HOGS; i++)
		bad += hogs[i].value != lcg(hogs[i].seed, hogs[i].count);
	guest_report(!bad, "their registers survived every preemption (%llu "
		     "recurrences wrong)", bad);
	guest_report(mm_free_pages() == free0 && sched_nr_threads() == 2,
		     "their stacks are back in the allocator (%llu pages "
		     "short)", free0 - mm_free_pages());
}

/* --- sleeping ---------------------------------------------------------- */

struct sleeper {
	u64 deadline;
	volatile u64 end;
	volatile unsigned int order;
};

static struct sleeper sleepers[NR_SLEEPERS];
static volatile unsigned int woken;

static void sleeper(void *arg)
{
	struct sleeper *s = arg;

	thread_sleep_until(s->deadline);
	s->end = monotonic_ns();
	s->order = ++woken;
}

/*
 * One round of @label's sleepers, created longest first, their deadlines
 * 20 ms apart from one base. The base leaves room for the hogs' slices
 * (up to two ticks each) before the sleepers first run. Whether they
 * wake in order is the scheduler's doing only if all of them were
 * asleep before the first deadline: false, with nothing reported, when
 * the host stopped us longer than that.
 */
static bool sleepers_round(const char *label, unsigned int *joined)
{
	struct thread *t[NR_SLEEPERS];
	u64 base, early = 0, worst = 0;
	unsigned int i, ordered = 0, asleep = 0;
	bool in_time;

	woken = 0;
	base = monotonic_ns() + (2 * NR_HOGS + 2) * SCHED_TICK_NS;
	for (i = 0; i < NR_SLEEPERS; i++) {
		sleepers[i] = (struct sleeper){
			.deadline = base + (NR_SLEEPERS - i) * 2 *
				    SCHED_TICK_NS + NSEC_PER_MSEC,
		};
		t[i] = thread_create(sleeper, &sleepers[i]);
	}
	/* The run queue is FIFO: one yield lets every sleeper lie down. */
	thread_yield();
	while (t[NR_SLEEPERS - 1] &&
	       t[NR_SLEEPERS - 1]->state == THREAD_RUNNABLE &&
	       monotonic_ns() < base)
		thread_yield();
	local_irq_disable();
	for (i = 0; i < NR_SLEEPERS; i++)
		asleep += t[i] && t[i]->state == THREAD_SLEEPING;
	in_time = monotonic_ns() < sleepers[NR_SLEEPERS - 1].deadline;
	local_irq_enable();
	*joined = 0;
	for (i = 0; i < NR_SLEEPERS; i++)
		*joined += t[i] && thread_join(t[i]) == 0;
	if (asleep != NR_SLEEPERS || !in_time)
		return false;
	for (i = 0; i < NR_SLEEPERS; i++) {
		struct sleeper *s = &sleepers[i];

		if (s->end < s->deadline)
			early++;
		else if (s->end - s->deadline > worst)
			worst = s->end - s->deadline;
		ordered += s->order == NR_SLEEPERS - i;
	}
	guest_report(*joined == NR_SLEEPERS && !early && worst <= WAIT_NS,
		     "%s: %u sleepers of %llu to %llu ms wake, never early "
		     "(%llu early; at most %llu us late)", label, *joined,
		     (sleepers[NR_SLEEPERS - 1].deadline - base) /
		     NSEC_PER_MSEC, (sleepers[0].deadline - base) /
		     NSEC_PER_MSEC, early, us_of(worst));
	guest_report(ordered == NR_SLEEPERS, "%s: they wake in deadline order "
		     "(%u of %u)", label, ordered, NR_SLEEPERS);
	return true;
}

static void run_sleepers(const char *label)
{
	unsigned int tries, joined = NR_SLEEPERS;

	for (tries = 0; tries < ATTEMPTS && joined == NR_SLEEPERS; tries++)
		if (sleepers_round(label, &joined))
			return;
	guest_report(false, "%s: no round of sleepers was all asleep before "
		     "the first deadline (%u tries, %u of %u joined)", label,
		     tries, joined, NR_SLEEPERS);
}

static void check_sleep(void)
{
	u64 free0 = mm_free_pages(), t0, t1, sw0, ns = 3 * SCHED_TICK_NS + 7;

	sw0 = sched_switches();
	t0 = monotonic_ns();
	thread_sleep_ns(0);
	t1 = monotonic_ns();
	guest_report(sched_switches() == sw0, "thread_sleep_ns(0) returns at "
		     "once, without a switch (%llu us)", us_of(t1 - t0));

	run_sleepers("idle vCPU");

	start_hogs();
	t0 = monotonic_ns();
	thread_sleep_ns(ns);
	t1 = monotonic_ns();
	guest_report(t1 - t0 >= ns && t1 - t0 - ns <= WAIT_NS,
		     "the boot thread sleeps %llu us beside two CPU-bound "
		     "threads, never early: woke after %llu us", us_of(ns),
		     us_of(t1 - t0));
	run_sleepers("busy vCPU");
	guest_report(stop_and_join_hogs() && mm_free_pages() == free0,
		     "every sleeper and hog joined, every stack given back");
}

/* --- exit, join, reaping ---------------------------------------------- */

static volatile u64 after_exit, returned;

static void exits_early(void *arg)
{
	(void)arg;
	thread_exit();
	after_exit++;		/* never */
}

static void returns(void *arg)
{
	(void)arg;
	returned++;
}

static struct thread *nap_thread;

static void naps(void *arg)
{
	(void)arg;
	thread_sleep_ns(4 * SCHED_TICK_NS);
}

static volatile long inner_join = 1;

static void joins_nap(void *arg)
{
	(void)arg;
	inner_join = thread_join(nap_thread);
}

static void check_exit(void)
{
	u64 free0 = mm_free_pages(), free1, deadline;
	struct thread *a, *b, *j;
	long ra, rb, rj, busy;

	a = thread_create(exits_early, NULL);
	b = thread_create(returns, NULL);
	free1 = mm_free_pages();
	guest_report(a && b && free0 - free1 == 2 * STACK_PAGES &&
		     sched_nr_threads() == 4, "two threads take %llu pages of "
		     "stack", free0 - free1);
	GUEST_ASSERT(a && b);
	/* One yield is enough, unless a tick preempted one of them. */
	deadline = monotonic_ns() + WAIT_NS;
	do
		thread_yield();
	while ((a->state != THREAD_DEAD || b->state != THREAD_DEAD) &&
	       monotonic_ns() < deadline);
	guest_report(a->state == THREAD_DEAD && b->state == THREAD_DEAD &&
		     sched_nr_threads() == 4 && mm_free_pages() == free1,
		     "after yielding both have exited, and stay until joined");
	ra = thread_join(a);
	rb = thread_join(b);
	guest_report(ra == 0 && rb == 0 && !after_exit && returned == 1,
		     "thread_exit() never returns, and returning from the "
		     "function exits too (%ld, %ld)", ra, rb);
	guest_report(mm_free_pages() == free0 && sched_nr_threads() == 2,
		     "joined: their stacks are back in the allocator (%llu "
		     "pages short)", free0 - mm_free_pages());

	/* Two joiners of one thread: the second is refused. */
	nap_thread = thread_create(naps, NULL);
	j = thread_create(joins_nap, NULL);
	GUEST_ASSERT(nap_thread && j);
	deadline = monotonic_ns() + WAIT_NS;
	while (nap_thread->joiner != j && monotonic_ns() < deadline)
		thread_yield();
	busy = thread_join(nap_thread);
	rj = thread_join(j);
	guest_report(busy == -EBUSY && rj == 0 && inner_join == 0,
		     "a second joiner is refused (%ld), the first reaps it "
		     "(%ld)", busy, inner_join);
	guest_report(mm_free_pages() == free0 && sched_nr_threads() == 2,
		     "and every stack is back (%llu pages short)",
		     free0 - mm_free_pages());
}

/* --- yielding ---------------------------------------------------------- */

static char yield_log[2 * NR_YIELDS + 1];
static volatile unsigned int yield_pos;

static void yielder(void *arg)
{
	char id = (char)(u64)arg;
	unsigned int i;

	for (i = 0; i < NR_YIELDS; i++) {
		/* Masked: the entry and the switch are one step. */
		local_irq_disable();
		yield_log[yield_pos++] = id;
		thread_yield();
	}
}

static void check_yield(void)
{
	u64 pre0 = sched_preemptions(), pre, sw0 = sched_switches();
	unsigned int i, swaps = 0;
	struct thread *a, *b;
	bool joined;

	yield_pos = 0;
	a = thread_create(yielder, (void *)'a');
	b = thread_create(yielder, (void *)'b');
	joined = a && b && thread_join(a) == 0 && thread_join(b) == 0;
	pre = sched_preemptions() - pre0;
	for (i = 1; i < yield_pos; i++)
		swaps += yield_log[i] != yield_log[i - 1];
	guest_report(joined && yield_pos == 2 * NR_YIELDS, "two threads yield "
		     "%u times each (%u entries)", NR_YIELDS, yield_pos);
	/*
	 * A preemption just after a yield returns gives the other thread
	 * a second turn; only that may break the alternation.
	 */
	guest_report(yield_log[0] == 'a' &&
		     (swaps == yield_pos - 1 || yield_pos - 1 - swaps <= pre),
		     "thread_yield alternates them: %u of %u turns changed "
		     "hands (%llu preemptions meanwhile)", swaps,
		     yield_pos - 1, pre);
	guest_report(sched_switches() - sw0 >= 2 * NR_YIELDS,
		     "each yield was a switch (%llu switches)",
		     sched_switches() - sw0);
}

/* --- many threads ------------------------------------------------------ */

static struct {
	volatile u64 sum;
	volatile bool done;
} many[NR_MANY];

static void worker(void *arg)
{
	unsigned int me = (unsigned int)(u64)arg, r;

	for (r = 0; r < MANY_ROUNDS; r++) {
		many[me].sum += lcg(me, 1000) & 0xff;
		if (r % 5 == 4)
			thread_sleep_ns(NSEC_PER_MSEC * (1 + me % 3));
		else
			thread_yield();
	}
	many[me].done = true;
}

static void check_many(void)
{
	u64 free0 = mm_free_pages(), bad = 0;
	struct thread *t[NR_MANY];
	unsigned int i, created = 0, joined = 0, done = 0;

	for (i = 0; i < NR_MANY; i++) {
		t[i] = thread_create(worker, (void *)(u64)i);
		created += t[i] != NULL;
	}
	guest_report(created == NR_MANY && sched_nr_threads() == NR_MANY + 2,
		     "%u threads created (%u alive)", created,
		     sched_nr_threads());
	for (i = 0; i < NR_MANY; i++)
		joined += t[i] && thread_join(t[i]) == 0;
	for (i = 0; i < NR_MANY; i++) {
		done += many[i].done;
		bad += many[i].sum != MANY_ROUNDS * (lcg(i, 1000) & 0xff);
	}
	guest_report(joined == NR_MANY && done == NR_MANY && !bad,
		     "all %u ran to completion and were joined (%u done, %llu "
		     "wrong sums)", NR_MANY, done, bad);
	guest_report(mm_free_pages() == free0 && sched_nr_threads() == 2,
		     "every stack is back in the allocator (%llu pages short)",
		     free0 - mm_free_pages());
}

/*
 * A tick at the module's fastest, PVISOR_TIMER_MIN_PERIOD: upcalls land
 * everywhere, the exit path's window between opening the mask and the
 * iret included, while the hogs are preempted and the workers yield and
 * sleep. Everything must still come out exact.
 */
static void check_storm(void)
{
	struct pvisor_vcpu_timer fast = { .ns = PVISOR_TIMER_MIN_PERIOD };
	struct pvisor_vcpu_timer tick = { .ns = SCHED_TICK_NS };
	u64 free0 = mm_free_pages(), ticks0 = sched_ticks(), bad = 0;
	struct thread *t[NR_MANY];
	unsigned int i, joined = 0;
	long ret;

	ret = hv_vcpu_op(PVISOR_VCPUOP_SET_PERIODIC_TIMER, 0, &fast);
	guest_report(ret == 0, "the tick at %llu us (%ld)",
		     us_of(PVISOR_TIMER_MIN_PERIOD), ret);
	for (i = 0; i < NR_MANY; i++)
		many[i].sum = many[i].done = 0;
	start_hogs();
	for (i = 0; i < NR_MANY; i++)
		t[i] = thread_create(worker, (void *)(u64)i);
	for (i = 0; i < NR_MANY; i++)
		joined += t[i] && thread_join(t[i]) == 0;
	thread_sleep_ns(5 * SCHED_TICK_NS);
	joined += stop_and_join_hogs() ? NR_HOGS : 0;
	ret = hv_vcpu_op(PVISOR_VCPUOP_SET_PERIODIC_TIMER, 0, &tick);
	for (i = 0; i < NR_HOGS; i++)
		bad += hogs[i].value != lcg(hogs[i].seed, hogs[i].count);
	for (i = 0; i < NR_MANY; i++)
		bad += !many[i].done ||
		       many[i].sum != MANY_ROUNDS * (lcg(i, 1000) & 0xff);
	guest_report(joined == NR_MANY + NR_HOGS && !bad && ret == 0,
		     "%u threads under %llu ticks: all finish, nothing wrong "
		     "(%llu bad)", joined, sched_ticks() - ticks0, bad);
	guest_report(mm_free_pages() == free0 && sched_nr_threads() == 2,
		     "every stack is back in the allocator (%llu pages short)",
		     free0 - mm_free_pages());
}

void minnow_main(void)
{
	mm_init();
	GUEST_ASSERT(trap_init() == 0);
	GUEST_ASSERT(events_init() == 0);
	GUEST_ASSERT(time_init() == 0);

	check_init();
	check_tick();
	check_hogs();
	check_sleep();
	check_exit();
	check_yield();
	check_many();
	check_storm();
	printk("sched: %llu ticks, %llu switches, %llu preemptions\n",
	       sched_ticks(), sched_switches(), sched_preemptions());
	guest_done();
}
