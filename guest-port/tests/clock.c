// SPDX-License-Identifier: GPL-2.0
/*
 * The clock a guest sees: system time from the pvclock, the one-shot
 * timer's handling of deadlines already past, and the wall clock in
 * shared_info following the host's real time.
 *
 *   (no cmdline)   the pvclock never goes back, read raw (not through
 *                  monotonic_ns(), which hides steps) across hundreds of
 *                  refreshes; a past deadline is pending when
 *                  set_timer_op returns, not a softirq later.
 *   wallclock      prints the wall clock, then waits (up to 60 s) for
 *                  the module to republish it after Domain0 sets the
 *                  host's clock, and prints it again: the selftest
 *                  compares both with the host's date.
 *   storm          STORM_CALLS set_timer_op calls with a deadline long
 *                  past, events masked: the selftest counts the host's
 *                  HRTIMER softirqs around it, which must not grow with
 *                  the calls.
 *
 * selftests/pvisor/test_clock_guest.sh drives both.
 */

#include <linux/errno.h>
#include <pvisor/event.h>
#include <pvisor/hypercall.h>

#include "../minnow/console.h"
#include "../minnow/events.h"
#include "../minnow/lib.h"
#include "../minnow/test.h"
#include "../minnow/time.h"

#define REFRESHES	300
#define STORM_CALLS	20000

/* Wall-clock seconds now: shared_info's base plus system time. */
static u64 wall_seconds(void)
{
	volatile struct pvisor_shared_info *si = shared_info();
	u32 version, sec, sec_hi, nsec;

	do {
		version = si->wc_version;
		barrier();
		sec = si->wc_sec;
		sec_hi = si->wc_sec_hi;
		nsec = si->wc_nsec;
		barrier();
	} while ((version & 1) || version != si->wc_version);
	return ((u64)sec_hi << 32 | sec) +
	       (nsec + pvclock_read()) / NSEC_PER_SEC;
}

static void check_never_back(void)
{
	u64 prev = pvclock_read(), now, worst = 0, refreshes = 0;
	unsigned int i, j;

	for (i = 0; i < REFRESHES; i++) {
		/* A sleep ends in an upcall, and every upcall refreshes. */
		sleep_ns(200 * NSEC_PER_USEC);
		refreshes++;
		for (j = 0; j < 200; j++) {
			now = pvclock_read();
			if (now < prev && prev - now > worst)
				worst = prev - now;
			prev = now;
		}
	}
	guest_report(worst == 0, "the pvclock never goes back across %llu "
		     "refreshes (worst step back %llu ns)", refreshes, worst);
}

static void check_past_deadline(void)
{
	u32 port = time_timer_port();
	bool pending;
	long ret;

	local_irq_disable();
	clear_evtchn(port);
	ret = hv_set_timer_op(1);	/* system time 1 ns: long past */
	pending = evtchn_is_pending(port);
	clear_evtchn(port);
	local_irq_enable();
	guest_report(ret == 0 && pending, "a past deadline is pending when "
		     "set_timer_op returns (%ld, %s)", ret,
		     pending ? "pending" : "not yet");
}

/*
 * The wall clock may be republished for small drifts too (NTP slew, or
 * TCG's TSC against the host's clock): wait for the jump itself.
 */
#define WALL_JUMP	1000	/* s: far less than the selftest's step */

static void wait_for_wallclock(void)
{
	u64 deadline = monotonic_ns() + 60 * NSEC_PER_SEC;
	u64 before = wall_seconds(), now = before;

	printk("clock: wall %llu, waiting for the host's clock to be set\n",
	       before);
	while (now < before + WALL_JUMP && monotonic_ns() < deadline) {
		sleep_ns(10 * NSEC_PER_MSEC);
		now = wall_seconds();
	}
	guest_report(now >= before + WALL_JUMP, "the wall clock jumped with "
		     "the host's (by %lld s)", (long long)(now - before));
	printk("clock: wall now %llu\n", now);
}

static void timer_storm(void)
{
	unsigned int i, failed = 0;

	local_irq_disable();
	for (i = 0; i < STORM_CALLS; i++)
		if (hv_set_timer_op(1))
			failed++;
	clear_evtchn(time_timer_port());
	local_irq_enable();
	guest_report(failed == 0, "%u past-deadline set_timer_op calls "
		     "succeed (%u failed)", STORM_CALLS, failed);
}

void minnow_main(void)
{
	long ret;

	ret = events_init();
	if (!ret)
		ret = time_init();
	GUEST_ASSERT(ret == 0);
	local_irq_enable();

	if (!strcmp(start_info->cmd_line, "wallclock")) {
		wait_for_wallclock();
	} else if (!strcmp(start_info->cmd_line, "storm")) {
		timer_storm();
	} else {
		check_never_back();
		check_past_deadline();
	}
	guest_done();
}
