// SPDX-License-Identifier: GPL-2.0
/*
 * The event-channel bench guest: one half of a ping-pong between two
 * domains that Domain0 connected with an interdomain channel
 * (benchmarks/native/pingpong.c creates both, binds the channel and
 * starts a runner for each). The command line says which half:
 *
 *   role=ping port=N rounds=R    send, wait for the answer; R round trips
 *                                per repetition, timed with the TSC
 *   role=pong port=N rounds=R    answer every event, then power off
 *
 * Both wait the Xen way: mask upcalls, look at the counter the handler
 * bumps, block only if it has not moved. SCHEDOP_BLOCK unmasks and
 * returns at once when an event is pending, so an answer that arrives
 * between the look and the block is not lost; the upcall is delivered
 * on the way out of the block.
 *
 * The ping half prints, on its console:
 *
 *   evtchn.rtt          one round trip: SEND, the peer's wake-up, upcall
 *                       and answer, our own wake-up and upcall; ticks
 *   evtchn.send         SEND on a loopback port that is masked: the
 *                       hypercall alone, nothing delivered; ticks
 *   evtchn.self_upcall  SEND on an unmasked loopback port: the
 *                       hypercall, the kick (a SIGUSR1 to ourselves),
 *                       the runner's bounce into the module, the upcall
 *                       and the iret; ticks
 *
 * and "@@bench-done" when it has finished.
 */

#include <pvisor/event.h>
#include <pvisor/hypercall.h>

#include "bench.h"
#include "console.h"
#include "events.h"

static volatile u64 received;

static void on_event(u32 port, struct pvisor_trap_frame *frame, void *data)
{
	(void)port;
	(void)frame;
	(void)data;
	received++;
}

static void report(const char *name, uint64_t *v, unsigned int n,
		   const char *unit)
{
	u64 med = bench_median(v, n);

	printk("@@bench %s %llu %s min %llu max %llu n %u\n", name, med, unit,
	       (u64)v[0], (u64)v[n - 1], n);
}

/* The value of "@key=" on the command line, or NULL. */
static const char *cmdline_value(const char *key)
{
	const char *line = start_info->cmd_line, *p;
	size_t n = strlen(key);

	for (p = line; *p; p++)
		if ((p == line || p[-1] == ' ') && !strncmp(p, key, n) &&
		    p[n] == '=')
			return p + n + 1;
	return NULL;
}

/* A decimal number after "@key=", or 0 when there is none. */
static u64 cmdline_number(const char *key)
{
	const char *p = cmdline_value(key);
	u64 v = 0;

	for (; p && *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (u64)(*p - '0');
	return v;
}

static bool cmdline_is(const char *key, const char *want)
{
	const char *p = cmdline_value(key);
	size_t n = strlen(want);

	return p && !strncmp(p, want, n) && (p[n] == ' ' || p[n] == '\0');
}

/*
 * Until the handler has counted @target events. Checked with upcalls
 * masked: block_domain() unmasks only inside SCHEDOP_BLOCK, which
 * returns at once if something arrived after the check.
 */
static void wait_for(u64 target)
{
	local_irq_disable();
	while (received < target) {
		block_domain();
		local_irq_disable();
	}
	local_irq_enable();
}

/* One round trip: our event out, the peer's answer back. */
static void round_trip(u32 port)
{
	u64 target = received + 1;

	evtchn_send(port);
	wait_for(target);
}

static void bench_rtt(u32 port, u64 rounds)
{
	uint64_t v[BENCH_REPS], t0;
	unsigned int r;
	u64 i;

	for (i = 0; i < BENCH_RTT_WARMUP; i++)
		round_trip(port);
	for (r = 0; r < BENCH_REPS; r++) {
		t0 = bench_rdtsc();
		for (i = 0; i < rounds; i++)
			round_trip(port);
		v[r] = (bench_rdtsc() - t0) / rounds;
	}
	report("evtchn.rtt", v, BENCH_REPS, "ticks");
}

/* @n sends on @port, ticks per send. */
static uint64_t time_sends(u32 port, unsigned int n)
{
	uint64_t t0 = bench_rdtsc();
	unsigned int i;

	for (i = 0; i < n; i++)
		evtchn_send(port);
	return (bench_rdtsc() - t0) / n;
}

/*
 * A loopback pair (offered to ourselves, then bound): sending on @a
 * notifies @b. With @b masked only its pending bit is set, once; with
 * it unmasked every send comes back as an upcall before SEND returns.
 */
static void bench_self(void)
{
	uint64_t v[BENCH_REPS];
	u64 before;
	unsigned int r;
	u32 a, b;

	if (evtchn_alloc_unbound(PVISOR_DOMID_SELF, &a) ||
	    evtchn_bind_interdomain(PVISOR_DOMID_SELF, a, &b)) {
		printk("@@bench-error self: no loopback channel\n");
		return;
	}

	mask_evtchn(b);
	time_sends(a, 100);
	for (r = 0; r < BENCH_REPS; r++)
		v[r] = time_sends(a, BENCH_SELF_EVENTS);
	report("evtchn.send", v, BENCH_REPS, "ticks");
	clear_evtchn(b);

	before = received;
	if (bind_evtchn(b, on_event, NULL)) {
		printk("@@bench-error self: cannot bind port %u\n", b);
		return;
	}
	time_sends(a, 100);
	for (r = 0; r < BENCH_REPS; r++)
		v[r] = time_sends(a, BENCH_SELF_EVENTS);
	report("evtchn.self_upcall", v, BENCH_REPS, "ticks");
	if (received - before != 100 + (u64)BENCH_REPS * BENCH_SELF_EVENTS)
		printk("@@bench-error self: %llu upcalls for %llu sends\n",
		       received - before,
		       100 + (u64)BENCH_REPS * BENCH_SELF_EVENTS);
	unbind_evtchn(b);
	evtchn_close(b);
	evtchn_close(a);
}

static void pong(u32 port, u64 rounds)
{
	u64 total = BENCH_RTT_WARMUP + (u64)BENCH_REPS * rounds, n;

	for (n = 1; n <= total; n++) {
		wait_for(n);
		evtchn_send(port);
	}
}

void minnow_main(void)
{
	u32 port = (u32)cmdline_number("port");
	u64 rounds = cmdline_number("rounds");
	bool ping = cmdline_is("role", "ping");

	if (!port || !rounds || (!ping && !cmdline_is("role", "pong"))) {
		printk("@@bench-error pingpong: bad command line '%s' (want "
		       "role=ping|pong port=N rounds=R)\n",
		       start_info->cmd_line);
		return;
	}
	if (events_init() || bind_evtchn(port, on_event, NULL)) {
		printk("@@bench-error pingpong: cannot set up events\n");
		return;
	}
	if (ping) {
		bench_rtt(port, rounds);
		/* received counts on: the self figures check a difference. */
		bench_self();
	} else {
		pong(port, rounds);
	}
	printk("@@bench-done\n");
}
