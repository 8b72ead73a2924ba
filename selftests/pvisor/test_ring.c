// SPDX-License-Identifier: GPL-2.0
/*
 * The shared-ring protocol of uapi/pvisor/ring.h, between two threads on
 * one shared page, as a frontend and a backend would run it on a granted
 * page:
 *
 * - layouts: the 64-byte header, Xen's slot counts for a page;
 * - 200000 requests and their responses, in order, with each side
 *   sleeping only after its final check and woken only when the peer's
 *   push says to notify: a lost notification hangs the test (a hang
 *   detector ends it), a spurious one is counted;
 * - the same across the 2^32 wrap of every index;
 * - a hostile frontend: producer indices claiming more requests than the
 *   ring holds are detected, and the unconsumed count never exceeds the
 *   room the backend's own responses leave; a request is copied once.
 *
 * Needs no module: the protocol is the two sides' business.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pvisor/ring.h>

#include "tap.h"

struct test_req {
	uint64_t id;
	uint64_t value;
};

struct test_rsp {
	uint64_t id;
	uint64_t value;
};

PVISOR_RING_TYPES(test, struct test_req, struct test_rsp);

/* A request of blkif's size, for the slot count Xen's blkfront expects. */
struct big_req {
	uint8_t bytes[112];
};
PVISOR_RING_TYPES(big, struct big_req, struct big_req);

#define PAGE		4096
#define REQUESTS	200000
/* Hang detector: seconds a side may wait for a notification. */
#define WAIT_SECS	300

static union {
	struct test_sring s;
	uint8_t page[PAGE];
} shared __attribute__((aligned(PAGE)));

/* Each side's "event channel": a counter the peer bumps to notify it. */
static atomic_ulong kick_front, kick_back;
static atomic_ulong notifies;
static atomic_bool hung;

static void wait_kick(atomic_ulong *kick, unsigned long seen)
{
	time_t start = time(NULL);

	while (atomic_load(kick) == seen) {
		if (time(NULL) - start > WAIT_SECS) {
			atomic_store(&hung, true);
			return;
		}
		sched_yield();
	}
}

struct run {
	uint32_t start;		/* every index begins here */
	unsigned int requests;
	unsigned int bad_responses;
	unsigned int bad_requests;
};

static void *backend(void *arg)
{
	struct run *run = arg;
	struct test_back_ring back;
	unsigned int served = 0;
	uint64_t expect = 0;

	PVISOR_BACK_RING_INIT(&back, &shared.s, PAGE);
	back.rsp_prod_pvt = back.req_cons = run->start;
	while (served < run->requests && !atomic_load(&hung)) {
		unsigned long seen = atomic_load(&kick_back);
		pvisor_ring_idx_t prod;
		int work, notify;

		PVISOR_RING_FINAL_CHECK_FOR_REQUESTS(&back, work);
		if (!work) {
			wait_kick(&kick_back, seen);
			continue;
		}
		prod = back.sring->req_prod;
		PVISOR_RING_RMB();
		if (PVISOR_RING_REQUEST_PROD_OVERFLOW(&back, prod)) {
			run->bad_requests++;
			atomic_store(&hung, true);	/* the frontend stops too */
			break;
		}
		while (back.req_cons != prod) {
			struct test_req req;
			struct test_rsp *rsp;

			PVISOR_RING_COPY_REQUEST(&back, back.req_cons, &req);
			back.req_cons++;
			if (req.id != expect++)
				run->bad_requests++;
			rsp = PVISOR_RING_GET_RESPONSE(&back, back.rsp_prod_pvt);
			rsp->id = req.id;
			rsp->value = req.value * 3;
			back.rsp_prod_pvt++;
			served++;
		}
		PVISOR_RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&back, notify);
		if (notify) {
			atomic_fetch_add(&kick_front, 1);
			atomic_fetch_add(&notifies, 1);
		}
	}
	return NULL;
}

/* The frontend: fill the ring, push, take the responses. */
static void frontend(struct run *run)
{
	struct test_front_ring front;
	unsigned int sent = 0, received = 0;

	PVISOR_FRONT_RING_INIT(&front, &shared.s, PAGE);
	front.req_prod_pvt = front.rsp_cons = run->start;

	while (received < run->requests && !atomic_load(&hung)) {
		unsigned long seen = atomic_load(&kick_front);
		int work, notify;

		while (sent < run->requests && !PVISOR_RING_FULL(&front)) {
			struct test_req *req =
				PVISOR_RING_GET_REQUEST(&front, front.req_prod_pvt);

			req->id = sent;
			req->value = sent * 7ULL;
			front.req_prod_pvt++;
			sent++;
		}
		PVISOR_RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&front, notify);
		if (notify) {
			atomic_fetch_add(&kick_back, 1);
			atomic_fetch_add(&notifies, 1);
		}
		PVISOR_RING_FINAL_CHECK_FOR_RESPONSES(&front, work);
		if (!work) {
			wait_kick(&kick_front, seen);
			continue;
		}
		while (front.rsp_cons != front.sring->rsp_prod) {
			struct test_rsp *rsp =
				PVISOR_RING_GET_RESPONSE(&front, front.rsp_cons);

			if (rsp->id != received || rsp->value != received * 21ULL)
				run->bad_responses++;
			front.rsp_cons++;
			received++;
		}
	}
}

static void run_pair(const char *what, uint32_t start)
{
	struct run run = { .start = start, .requests = REQUESTS };
	pthread_t thread;

	atomic_store(&hung, false);
	atomic_store(&notifies, 0);
	/* The shared page is ready before the backend looks at it. */
	memset(&shared, 0, sizeof(shared));
	PVISOR_SRING_INIT(&shared.s);
	shared.s.req_prod = shared.s.rsp_prod = start;
	shared.s.req_event = shared.s.rsp_event = start + 1;
	if (pthread_create(&thread, NULL, backend, &run))
		tap_bail("pthread_create");
	frontend(&run);
	/* A hung frontend may leave the backend waiting: wake it to end. */
	atomic_store(&hung, true);
	atomic_fetch_add(&kick_back, 1);
	pthread_join(thread, NULL);
	tap_ok(!run.bad_requests && !run.bad_responses,
	       "%s: %u requests and responses, in order (%u bad requests, %u bad responses)",
	       what, run.requests, run.bad_requests, run.bad_responses);
	tap_ok(atomic_load(&notifies) > 0 &&
	       atomic_load(&notifies) <= 2ULL * REQUESTS &&
	       shared.s.req_prod == start + REQUESTS &&
	       shared.s.rsp_prod == start + REQUESTS,
	       "%s: no notification lost, %lu given, indices at %#x", what,
	       atomic_load(&notifies), shared.s.rsp_prod);
}

static void test_layout(void)
{
	tap_ok(offsetof(struct test_sring, ring) == PVISOR_RING_HEADER_SIZE &&
	       offsetof(struct test_sring, rsp_event) == 12,
	       "the header is Xen's: four indices, slots at 64");
	tap_ok(PVISOR_RING_SIZE(test, PAGE) == 128 &&
	       PVISOR_RING_SIZE(big, PAGE) == 32 &&
	       PVISOR_RING_SIZE(big, 4 * PAGE) == 128,
	       "slots a ring holds: 128 of 16 bytes, 32 of 112 (blkif's), 128 in 4 pages");
}

static void test_hostile(void)
{
	struct test_back_ring back;
	struct test_req copy;
	struct test_req *slot;
	pvisor_ring_idx_t n;

	memset(&shared, 0, sizeof(shared));
	PVISOR_SRING_INIT(&shared.s);
	PVISOR_BACK_RING_INIT(&back, &shared.s, PAGE);
	tap_ok(shared.s.req_event == 1 && shared.s.rsp_event == 1 &&
	       back.nr_ents == 128, "a fresh ring asks for the first event");

	back.rsp_prod_pvt = back.req_cons = 1000;
	shared.s.req_prod = 1000 + 128;
	tap_ok(!PVISOR_RING_REQUEST_PROD_OVERFLOW(&back, shared.s.req_prod),
	       "a full ring of requests is no overflow");
	shared.s.req_prod = 1000 + 129;
	tap_ok(PVISOR_RING_REQUEST_PROD_OVERFLOW(&back, shared.s.req_prod) &&
	       PVISOR_RING_REQUEST_PROD_OVERFLOW(&back, 999u) &&
	       PVISOR_RING_REQUEST_PROD_OVERFLOW(&back, 0xffffffffu),
	       "producer indices past the ring, or behind it, are overflows");
	n = PVISOR_RING_HAS_UNCONSUMED_REQUESTS(&back);
	back.req_cons = 1000 + 100;
	tap_ok(n == 128 && PVISOR_RING_HAS_UNCONSUMED_REQUESTS(&back) == 28,
	       "unconsumed requests never exceed the room left (%u, then %u)",
	       n, PVISOR_RING_HAS_UNCONSUMED_REQUESTS(&back));
	back.req_cons = 1000 + 128;
	tap_ok(PVISOR_RING_REQUEST_CONS_OVERFLOW(&back, back.req_cons) &&
	       !PVISOR_RING_REQUEST_CONS_OVERFLOW(&back, 1000 + 127),
	       "consuming past the responses owed is an overflow");

	slot = PVISOR_RING_GET_REQUEST(&back, 5);
	slot->id = 42;
	PVISOR_RING_COPY_REQUEST(&back, 5 + 128, &copy);
	slot->id = 43;	/* the frontend changes it after the copy */
	tap_ok(copy.id == 42 && PVISOR_RING_GET_REQUEST(&back, 5 + 256) == slot,
	       "a request is copied once, from its slot modulo the ring");
}

int main(void)
{
	tap_plan(2 + 6 + 2 + 2);
	test_layout();
	test_hostile();
	run_pair("from 0", 0);
	run_pair("across the 2^32 wrap", 0xffffffffu - REQUESTS / 2);
	tap_finish();
}
