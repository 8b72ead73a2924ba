// SPDX-License-Identifier: GPL-2.0
/*
 * Baseline for benchmark (6): how late a host process wakes from a sleep
 * of BENCH_TIMER_DELAY_NS, clock_nanosleep() on CLOCK_MONOTONIC to an
 * absolute deadline, measured as the bench guest measures its one-shot
 * timer (common/bench.h): ns past the deadline, the median over
 * BENCH_TIMER_SLEEPS sleeps.
 *
 *   timer.late          with the default timer slack (50 us for a normal
 *                       task): what any host program gets
 *   timer.late_noslack  with PR_SET_TIMERSLACK 1 ns, as the module arms
 *                       a guest's timer (an hrtimer without slack)
 */

#include <errno.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <time.h>

#include "bench.h"
#include "report.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void sleep_until(uint64_t deadline)
{
	struct timespec ts = {
		.tv_sec = (time_t)(deadline / 1000000000ULL),
		.tv_nsec = (long)(deadline % 1000000000ULL),
	};

	/* An interrupted sleep goes back to sleep, as sleep_until() does. */
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
}

static void measure(const char *name)
{
	uint64_t v[BENCH_TIMER_SLEEPS], deadline;
	unsigned int i;

	sleep_until(now_ns() + BENCH_TIMER_DELAY_NS);	/* warm up */
	for (i = 0; i < BENCH_TIMER_SLEEPS; i++) {
		deadline = now_ns() + BENCH_TIMER_DELAY_NS;
		sleep_until(deadline);
		v[i] = now_ns() - deadline;
	}
	report(name, v, BENCH_TIMER_SLEEPS, "ns");
}

int main(void)
{
	measure("timer.late");
	if (prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0) < 0) {
		perror("timer: PR_SET_TIMERSLACK");
		return 1;
	}
	measure("timer.late_noslack");
	return 0;
}
