// SPDX-License-Identifier: GPL-2.0
/*
 * Interdomain event channels set up by Domain0 (PVISOR_CMD_EVTCHN_BIND),
 * from below (guestrun): two domains play ping-pong for ROUNDS round
 * trips with no lost and no spurious events; destroying a domain leaves
 * its peer's port closed, with nothing more delivered; and the netlink
 * operation rejects bad requests.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pvisor/event.h>

#include "guestrun.h"
#include "pvtest.h"

#define PREFIX		"id-"
#define ROUNDS		100000

#define STR(x)		GR_STR(x)
#define HCALL(nr)	GR_HCALL(nr)
#define RES		STR(GR_ASM_VA(GR_PFN_RESULTS))
#define SCRATCH		STR(GR_ASM_VA(GR_PFN_SCRATCH))
#define COUNT		STR(GR_EVENT_COUNT)

/* Scratch: callback, our port, the orphan's flag and status block. */
#define S_HANDLER	0x00
#define S_PORT		0x10	/* {port}: send on it */
#define S_DESTROYED	0x20	/* set by the host once the peer is gone */
#define S_STATUS	0x30	/* status {port, status, ...} */
#define S_SHUTDOWN	0x60
#define MARKER		0x600d

#define SETUP								\
	"movabs $" RES ", %rbx\n movabs $" SCRATCH ", %r12\n"		\
	"movabs $" STR(GR_SHINFO) ", %r13\n"				\
	"mov 0(%r12), %rdi\n" HCALL(4)
/*
 * Waiting for an event without losing it: mask upcalls ("cli") before
 * looking, so that one cannot slip in between the look and the block;
 * block unmasks and returns at once if one is pending, and the upcall
 * arrives on its way out. Unmask again before going on.
 */
#define CLI	"movb $1, 1(%r13)\n"
#define STI	"movb $0, 1(%r13)\n"
#define SEND	"mov $4, %edi\n lea 0x10(%r12), %rsi\n" HCALL(32)
#define BLOCK	"mov $1, %edi\n" HCALL(29)
#define FINISH								\
	"mov " COUNT "(%rbx), %rax\n mov %rax, 0(%rbx)\n"		\
	"movq $" STR(MARKER) ", 8(%rbx)\n"				\
	"mov $2, %edi\n lea 0x60(%r12), %rsi\n" HCALL(29) "ud2\n"

asm(".pushsection .guest_text, \"ax\"\n"
    ".globl guest_start\n"
    "guest_start:\n"
    GR_ASM_COUNTING_EVENT_HANDLER(guest_event_handler)

    /* Ping: send, then sleep until the reply has arrived; ROUNDS times. */
    ".globl guest_ping\n"
    "guest_ping:\n"
    SETUP
    "xor %r14d, %r14d\n"
    "1: cmp $" STR(ROUNDS) ", %r14\n je 3f\n"
    SEND "inc %r14\n"
    "2: " CLI "cmp %r14, " COUNT "(%rbx)\n jae 5f\n"
    BLOCK "jmp 2b\n"
    "5: " STI "jmp 1b\n"
    "3: " FINISH

    /* Pong: answer every event with one of its own. */
    ".globl guest_pong\n"
    "guest_pong:\n"
    SETUP
    "xor %r14d, %r14d\n"
    "1: cmp $" STR(ROUNDS) ", %r14\n je 3f\n"
    "2: " CLI "cmp " COUNT "(%rbx), %r14\n jb 4f\n"
    BLOCK "jmp 2b\n"
    "4: " STI SEND "inc %r14\n jmp 1b\n"
    "3: " FINISH

    /* Orphan: wait for the host's word, then look at the dead channel. */
    ".globl guest_orphan\n"
    "guest_orphan:\n"
    SETUP
    "1: cmpq $0, 0x20(%r12)\n jne 2f\n"
    "xor %edi, %edi\n" HCALL(29) "jmp 1b\n"
    "2: mov $5, %edi\n lea 0x30(%r12), %rsi\n" HCALL(32)
    "mov %rax, 16(%rbx)\n"
    "mov $4, %edi\n lea 0x30(%r12), %rsi\n" HCALL(32)
    "mov %rax, 24(%rbx)\n"
    FINISH
    ".globl guest_end\n"
    "guest_end:\n"
    ".popsection\n");

extern const char guest_event_handler[], guest_ping[], guest_pong[];
extern const char guest_orphan[];

static struct pvnl *nl;

static void prepare(uint8_t *mem)
{
	gr_put64(mem, GR_PFN_SCRATCH * 4096 + S_HANDLER,
		 gr_code_va(guest_event_handler));
}

static uint64_t result(const struct gr_run *run, int slot)
{
	return gr_get64(run->mem, GR_PFN_RESULTS * 4096 + slot * 8);
}

static void test_ping_pong(void)
{
	struct gr_run ping, pong;
	struct timespec t0, t1;
	uint32_t pa, pb;
	double secs;

	gr_create(PREFIX "ping", guest_ping, true, prepare, &ping);
	gr_create(PREFIX "pong", guest_pong, true, prepare, &pong);
	pvt_expect(nl, pvnl_evtchn_bind(nl, ping.dom.id, pong.dom.id, &pa, &pb),
		   0, "Domain0 connects the two domains");
	tap_diag("ports %u and %u", pa, pb);
	gr_scratch_put32(ping.mem, S_PORT, pa);
	gr_scratch_put32(pong.mem, S_PORT, pb);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	gr_launch(&pong);
	gr_launch(&ping);
	/*
	 * However slow the host: wait as long as the round trips go on (each
	 * one is an upcall on both sides), and call it a hang only when a
	 * side's count has stood still for a minute.
	 */
	gr_wait_progress(&ping, GR_PFN_RESULTS * 4096 + GR_EVENT_COUNT, 60);
	gr_wait_progress(&pong, GR_PFN_RESULTS * 4096 + GR_EVENT_COUNT, 60);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	tap_diag("%d round trips in %.2f s: %.1f us each (TCG); upcalls seen: %llu, %llu",
		 ROUNDS, secs, secs * 1e6 / ROUNDS,
		 (unsigned long long)gr_get64(ping.mem, GR_PFN_RESULTS * 4096 + GR_EVENT_COUNT),
		 (unsigned long long)gr_get64(pong.mem, GR_PFN_RESULTS * 4096 + GR_EVENT_COUNT));

	tap_ok(result(&ping, 1) == MARKER &&
	       ping.dom.state == PVISOR_DOMAIN_STATE_SHUTDOWN &&
	       result(&pong, 1) == MARKER &&
	       pong.dom.state == PVISOR_DOMAIN_STATE_SHUTDOWN,
	       "both domains finished %d round trips and powered off ('%s' '%s')",
	       ROUNDS, ping.dom.crash_reason, pong.dom.crash_reason);
	tap_ok(result(&ping, 0) == ROUNDS && result(&pong, 0) == ROUNDS,
	       "exactly one upcall per event on each side: no lost, no spurious (%llu, %llu)",
	       (unsigned long long)result(&ping, 0),
	       (unsigned long long)result(&pong, 0));
	gr_finish(&ping);
	gr_finish(&pong);
}

static void test_orphaned_peer(void)
{
	struct gr_run gone, orphan;
	uint32_t pg, po;
	int32_t status;

	gr_create(PREFIX "gone", guest_orphan, true, prepare, &gone);
	gr_create(PREFIX "orphan", guest_orphan, true, prepare, &orphan);
	if (pvnl_evtchn_bind(nl, gone.dom.id, orphan.dom.id, &pg, &po))
		tap_bail("bind: %s", pvnl_error_msg(nl));
	gr_scratch_put32(orphan.mem, S_STATUS, po);
	gr_launch(&orphan);

	gr_finish(&gone);	/* destroyed while the channel is bound */
	gr_put64(orphan.mem, GR_PFN_SCRATCH * 4096 + S_DESTROYED, 1);
	gr_wait(&orphan, GR_HANG_SECS);

	memcpy(&status, orphan.mem + GR_PFN_SCRATCH * 4096 + S_STATUS + 4,
	       sizeof(status));
	tap_ok(result(&orphan, 1) == MARKER && result(&orphan, 2) == 0 &&
	       status == PVISOR_EVTCHNSTAT_CLOSED,
	       "the peer of a destroyed domain reads its port as closed (status %d)",
	       status);
	tap_ok((int64_t)result(&orphan, 3) == -EINVAL &&
	       result(&orphan, 0) == 0,
	       "sending on it fails and nothing was ever delivered");
	gr_finish(&orphan);
}

static void test_bad_requests(void)
{
	struct pvnl_domain a;
	uint32_t p1 = 0, p2 = 0;

	if (pvnl_domain_new(nl, PREFIX "self", GR_BYTES, 1, &a))
		tap_bail("create: %s", pvnl_error_msg(nl));
	pvt_expect(nl, pvnl_evtchn_bind(nl, a.id, 0, &p1, &p2), -EINVAL,
		   "EVTCHN_BIND without a peer: EINVAL");
	pvt_expect(nl, pvnl_evtchn_bind(nl, 0, a.id, &p1, &p2), -EINVAL,
		   "EVTCHN_BIND without a domain: EINVAL");
	pvt_expect(nl, pvnl_evtchn_bind(nl, a.id, PVISOR_DOMID_MAX, &p1, &p2),
		   -ENOENT, "EVTCHN_BIND to a domain that does not exist: ENOENT");
	pvt_expect(nl, pvnl_evtchn_bind(nl, a.id, a.id, &p1, &p2), 0,
		   "a domain can be connected to itself");
	tap_ok(p1 && p2 && p1 != p2, "on two different ports (%u, %u)", p1, p2);
	pvnl_domain_del(nl, a.id, NULL);
}

int main(void)
{
	struct pvnl_info base;

	nl = gr_setup(PREFIX, 3 + 2 + 5 + 1, &base);

	test_ping_pong();
	test_orphaned_peer();
	test_bad_requests();

	gr_done(&base);
}
