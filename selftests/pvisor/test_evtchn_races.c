// SPDX-License-Identifier: GPL-2.0
/*
 * Event channels under concurrency and across vCPUs (guestrun, 2 vCPUs):
 *
 * - close/bind stress: both vCPUs of a domain close and rebind the same
 *   ports to two peers at once; whatever interleaving the module sees,
 *   every channel's two ends agree, so destroying the three domains
 *   gives every frame back.
 * - A loop-back interdomain send (a channel from a domain to itself)
 *   notifies the vCPU the receiving port is bound to, here vCPU 1.
 * - SCHEDOP_POLL on vCPU 1 for a port that notifies vCPU 0 wakes when
 *   the port becomes pending, without a timeout.
 */
#include <errno.h>
#include <string.h>

#include <pvisor/event.h>
#include <pvisor/hypercall.h>

#include "guestrun.h"
#include "pvtest.h"

#define PREFIX		"er-"
#define ROUNDS		20000

#define STR(x)		GR_STR(x)
#define HCALL(nr)	GR_HCALL(nr)
#define RES		STR(GR_ASM_VA(GR_PFN_RESULTS))
#define SCRATCH		STR(GR_ASM_VA(GR_PFN_SCRATCH))
#define MARKER		0x600d

/*
 * Scratch layout. The stress: a start block for vCPU 1, and for each
 * vCPU its own argument blocks (bind results are written into them).
 */
#define S_START		0x000	/* struct pvisor_vcpu_start for vCPU 1 */
#define S_SHUTDOWN	0x020
#define S_PORTS		0x040	/* u32 a, u32 b: Domain0's loop-back pair */
#define S_BLOCKS(v)	(0x100 + 0x80 * (v))	/* per vCPU: */
#define B_CLOSE1	0x00	/* {port 1} */
#define B_CLOSE2	0x04	/* {port 2} */
#define B_BIND_Y	0x10	/* bind_interdomain to Y's port */
#define B_BIND_Z	0x20	/* bind_interdomain to Z's port */
#define B_BIND_Y0	0x30	/* pristine copies the loop restores */
#define B_BIND_Z0	0x40
#define S_POLL		0x300	/* struct pvisor_sched_poll */
#define S_POLL_PORT	0x320
#define S_IPI		0x330	/* bind_ipi {vcpu 0, port} */
#define S_BIND_VCPU	0x340	/* bind_vcpu {port, vcpu 1} */
#define S_SEND		0x350	/* {port} */

/* Results: slots of 8 bytes. */
#define R_MARKER	0
#define R_DONE1		1	/* vCPU 1 finished its part */
#define R_A		2
#define R_B		3
#define R_C		4
#define R_D		5
#define R_READY1	6	/* vCPU 1 is about to sleep */

#define VCPU_OP(cmd, vcpu)	"mov $" #cmd ", %edi\n mov $" #vcpu ", %esi\n"
#define SAVE(slot)		"mov %rax, " STR(slot) " * 8(%rbx)\n"
#define SHUTDOWN							\
	"movq $" STR(MARKER) ", 0(%rbx)\n"				\
	"mov $2, %edi\n lea " STR(S_SHUTDOWN) "(%r12), %rsi\n" HCALL(29) \
	"ud2\n"
/* Start vCPU 1 at the entry in S_START. */
#define UP_VCPU1							\
	VCPU_OP(0, 1) "lea " STR(S_START) "(%r12), %rdx\n" HCALL(24)	\
	VCPU_OP(1, 1) HCALL(24)
/* Spin until results slot @slot is non-zero. */
#define WAIT_FOR(slot)							\
	"1: pause\n cmpq $0, " STR(slot) " * 8(%rbx)\n je 1b\n"

/*
 * One stress round on this vCPU's blocks (r13): close ports 1 and 2,
 * bind to Y and Z again, restoring the blocks the binds wrote into.
 */
#define STRESS_LOOP							\
	"mov $" STR(ROUNDS) ", %r14d\n"					\
	"2: mov $3, %edi\n lea " STR(B_CLOSE1) "(%r13), %rsi\n" HCALL(32) \
	"mov $3, %edi\n lea " STR(B_CLOSE2) "(%r13), %rsi\n" HCALL(32)	\
	"mov " STR(B_BIND_Y0) "(%r13), %rax\n mov %rax, " STR(B_BIND_Y) "(%r13)\n" \
	"mov " STR(B_BIND_Z0) "(%r13), %rax\n mov %rax, " STR(B_BIND_Z) "(%r13)\n" \
	"mov $0, %edi\n lea " STR(B_BIND_Z) "(%r13), %rsi\n" HCALL(32)	\
	"mov $0, %edi\n lea " STR(B_BIND_Y) "(%r13), %rsi\n" HCALL(32)	\
	"dec %r14d\n jnz 2b\n"

asm(".pushsection .guest_text, \"ax\"\n"
    ".globl guest_start\n"
    "guest_start:\n"

    /* The stress, vCPU 1's half. */
    ".globl guest_stress1\n"
    "guest_stress1:\n"
    "movabs $" RES ", %rbx\n movabs $" SCRATCH ", %r12\n"
    "lea " STR(S_BLOCKS(1)) "(%r12), %r13\n"
    STRESS_LOOP
    "movq $1, " STR(R_DONE1) " * 8(%rbx)\n"
    "3: pause\n jmp 3b\n"

    /* The stress, vCPU 0: start vCPU 1, do its own half, wait. */
    ".globl guest_stress\n"
    "guest_stress:\n"
    "movabs $" RES ", %rbx\n movabs $" SCRATCH ", %r12\n"
    UP_VCPU1
    "lea " STR(S_BLOCKS(0)) "(%r12), %r13\n"
    STRESS_LOOP
    WAIT_FOR(R_DONE1)
    SHUTDOWN

    /* Loop-back: bind port b to vCPU 1, send on a, look at both. */
    ".globl guest_loopback\n"
    "guest_loopback:\n"
    "movabs $" RES ", %rbx\n movabs $" SCRATCH ", %r12\n"
    "movabs $" STR(GR_SHINFO) ", %r13\n"
    "mov " STR(S_PORTS) " + 4(%r12), %eax\n mov %eax, " STR(S_BIND_VCPU) "(%r12)\n"
    "movl $1, " STR(S_BIND_VCPU) " + 4(%r12)\n"
    "mov $8, %edi\n lea " STR(S_BIND_VCPU) "(%r12), %rsi\n" HCALL(32) SAVE(2)
    "mov " STR(S_PORTS) "(%r12), %eax\n mov %eax, " STR(S_SEND) "(%r12)\n"
    "mov $4, %edi\n lea " STR(S_SEND) "(%r12), %rsi\n" HCALL(32) SAVE(3)
    "mov 64 + 8(%r13), %rax\n" SAVE(4)		/* vcpu_info[1].pending_sel */
    "mov 8(%r13), %rax\n" SAVE(5)		/* vcpu_info[0].pending_sel */
    SHUTDOWN

    /* Poll, vCPU 1: wait, without a timeout, for vCPU 0's IPI port. */
    ".globl guest_poller\n"
    "guest_poller:\n"
    "movabs $" RES ", %rbx\n movabs $" SCRATCH ", %r12\n"
    "movq $1, " STR(R_READY1) " * 8(%rbx)\n"
    "mov $3, %edi\n lea " STR(S_POLL) "(%r12), %rsi\n" HCALL(29) SAVE(2)
    "movq $1, " STR(R_DONE1) " * 8(%rbx)\n"
    "3: pause\n jmp 3b\n"

    /* Poll, vCPU 0: bind the IPI, start the poller, send late. */
    ".globl guest_poll\n"
    "guest_poll:\n"
    "movabs $" RES ", %rbx\n movabs $" SCRATCH ", %r12\n"
    "mov $7, %edi\n lea " STR(S_IPI) "(%r12), %rsi\n" HCALL(32) SAVE(3)
    "mov " STR(S_IPI) " + 4(%r12), %eax\n"
    "mov %eax, " STR(S_POLL_PORT) "(%r12)\n mov %eax, " STR(S_SEND) "(%r12)\n"
    UP_VCPU1
    WAIT_FOR(R_READY1)
    /* Give vCPU 1 ample time to fall asleep in the poll. */
    "mov $20000000, %ecx\n 4: dec %ecx\n jnz 4b\n"
    "mov $4, %edi\n lea " STR(S_SEND) "(%r12), %rsi\n" HCALL(32) SAVE(4)
    WAIT_FOR(R_DONE1)
    SHUTDOWN
    ".globl guest_end\n"
    "guest_end:\n"
    ".popsection\n");

extern const char guest_stress[], guest_stress1[], guest_loopback[];
extern const char guest_poll[], guest_poller[];

static struct pvnl *nl;
static const char *vcpu1_entry;
static uint32_t y_id, y_port, z_id, z_port, loop_a, loop_b;

static void put_start(uint8_t *mem)
{
	struct pvisor_vcpu_start start = {
		.rip = gr_code_va(vcpu1_entry),
		.rsp = GR_VA(GR_PFN_SCRATCH + 2),	/* top of pfn 11 */
		.pt_base_pfn = GR_PFN_L4,
	};

	memcpy(mem + GR_PFN_SCRATCH * 4096 + S_START, &start, sizeof(start));
}

static void prepare_stress(uint8_t *mem)
{
	uint8_t *scratch = mem + GR_PFN_SCRATCH * 4096;
	struct pvisor_evtchn_bind_interdomain by = {
		.remote_dom = y_id, .remote_port = y_port,
	}, bz = {
		.remote_dom = z_id, .remote_port = z_port,
	};
	uint32_t one = 1, two = 2;

	put_start(mem);
	for (int v = 0; v < 2; v++) {
		uint8_t *b = scratch + S_BLOCKS(v);

		memcpy(b + B_CLOSE1, &one, 4);
		memcpy(b + B_CLOSE2, &two, 4);
		memcpy(b + B_BIND_Y0, &by, sizeof(by));
		memcpy(b + B_BIND_Z0, &bz, sizeof(bz));
	}
}

static void prepare_loopback(uint8_t *mem)
{
	gr_scratch_put32(mem, S_PORTS, loop_a);
	gr_scratch_put32(mem, S_PORTS + 4, loop_b);
}

static void prepare_poll(uint8_t *mem)
{
	struct pvisor_sched_poll poll = {
		.ports = GR_VA(GR_PFN_SCRATCH) + S_POLL_PORT,
		.nr_ports = 1,
		.timeout = 0,
	};

	put_start(mem);
	memcpy(mem + GR_PFN_SCRATCH * 4096 + S_POLL, &poll, sizeof(poll));
}

static int64_t slot(const struct gr_run *run, int i)
{
	return (int64_t)gr_get64(run->mem, GR_PFN_RESULTS * 4096 + i * 8);
}

static bool ran_to_end(const struct gr_run *run)
{
	return slot(run, R_MARKER) == MARKER &&
	       run->dom.state == PVISOR_DOMAIN_STATE_SHUTDOWN;
}

/* Every open port of a few domains, for the ends-agree check. */
#define MAX_ENDS	64

struct ends {
	struct pvnl_evtchn e[MAX_ENDS];
	unsigned int n;
};

static int collect(const struct pvnl_evtchn *chn, void *arg)
{
	struct ends *ends = arg;

	if (ends->n == MAX_ENDS)
		return -ENOSPC;
	ends->e[ends->n++] = *chn;
	return 0;
}

/* How many interdomain ends do not point at an end pointing back. */
static unsigned int ends_astray(const struct ends *ends, unsigned int *total)
{
	unsigned int i, j, bad = 0;

	*total = 0;
	for (i = 0; i < ends->n; i++) {
		const struct pvnl_evtchn *a = &ends->e[i];
		bool back = false;

		if (a->state != PVISOR_EVTCHNSTAT_INTERDOMAIN)
			continue;
		(*total)++;
		for (j = 0; j < ends->n; j++) {
			const struct pvnl_evtchn *b = &ends->e[j];

			if (b->domid == a->peer_id && b->port == a->peer_port)
				back = b->state == PVISOR_EVTCHNSTAT_INTERDOMAIN &&
				       b->peer_id == a->domid &&
				       b->peer_port == a->port;
		}
		bad += !back;
	}
	return bad;
}

static void test_close_bind_stress(const struct pvnl_info *base)
{
	struct pvnl_domain y, z;
	struct gr_run x;
	uint32_t px, unused;
	int err;

	if (pvnl_domain_new(nl, PREFIX "y", GR_BYTES, 1, &y) ||
	    pvnl_domain_new(nl, PREFIX "z", GR_BYTES, 1, &z))
		tap_bail("create: %s", pvnl_error_msg(nl));
	y_id = y.id;
	z_id = z.id;
	vcpu1_entry = guest_stress1;
	gr_create(PREFIX "x", guest_stress, true, prepare_stress, &x);
	/*
	 * Bind x to y and z from Domain0 (x's ports 1 and 2). The guest's
	 * first round closes x's ends, which leaves y's and z's ports
	 * unbound and offered to x, for its binds.
	 */
	err = pvnl_evtchn_bind(nl, y.id, x.dom.id, &y_port, &px);
	err = err ?: pvnl_evtchn_bind(nl, z.id, x.dom.id, &z_port, &unused);
	tap_ok(!err, "x is bound to y (port %u) and z (port %u)", y_port, z_port);
	prepare_stress(x.mem);	/* again, now that the ports are known */

	gr_launch(&x);
	gr_wait(&x, 240);
	tap_ok(ran_to_end(&x),
	       "both vCPUs closed and rebound ports 1 and 2 %d times each ('%s')",
	       ROUNDS, x.dom.crash_reason);
	{
		struct ends ends = { .n = 0 };
		unsigned int total, bad;

		err = pvnl_evtchn_dump(nl, x.dom.id, NULL, collect, &ends);
		err = err ?: pvnl_evtchn_dump(nl, y.id, NULL, collect, &ends);
		err = err ?: pvnl_evtchn_dump(nl, z.id, NULL, collect, &ends);
		bad = ends_astray(&ends, &total);
		tap_ok(!err && !bad,
		       "afterwards every interdomain end points at one pointing back (%u of %u astray; %s)",
		       bad, total, pvt_errno_name(err));
	}
	gr_finish(&x);
	pvnl_domain_del(nl, y.id, NULL);
	pvnl_domain_del(nl, z.id, NULL);
	pvt_expect_accounting(nl, base, 0, 0,
			      "x, y and z destroyed: every reference the channels held is gone");
}

static void test_loopback_vcpu(void)
{
	struct gr_run x;
	int err;

	gr_create(PREFIX "loop", guest_loopback, true, NULL, &x);
	err = pvnl_evtchn_bind(nl, x.dom.id, x.dom.id, &loop_a, &loop_b);
	tap_ok(!err, "x is bound to itself: ports %u and %u", loop_a, loop_b);
	prepare_loopback(x.mem);
	gr_launch(&x);
	gr_wait(&x, GR_HANG_SECS);
	tap_ok(ran_to_end(&x) && slot(&x, R_A) == 0 && slot(&x, R_B) == 0,
	       "port %u bound to vCPU 1, and a send on port %u ('%s'; %lld, %lld)",
	       loop_b, loop_a, x.dom.crash_reason,
	       (long long)slot(&x, R_A), (long long)slot(&x, R_B));
	tap_ok(slot(&x, R_C) == 1 && slot(&x, R_D) == 0,
	       "the loop-back send notified vCPU 1, not vCPU 0 (selectors %#llx, %#llx)",
	       (unsigned long long)slot(&x, R_C),
	       (unsigned long long)slot(&x, R_D));
	gr_finish(&x);
}

static void test_poll_other_vcpu(void)
{
	struct gr_run x;

	vcpu1_entry = guest_poller;
	gr_create(PREFIX "poll", guest_poll, true, prepare_poll, &x);
	gr_launch(&x);
	gr_wait(&x, GR_HANG_SECS);
	tap_ok(ran_to_end(&x) && slot(&x, R_DONE1) == 1,
	       "vCPU 1's poll for a port that notifies vCPU 0 woke at the send (state %u, '%s', run status %d)",
	       x.dom.state, x.dom.crash_reason, x.status);
	tap_ok(slot(&x, R_A) == 0 && slot(&x, R_B) == 0 && slot(&x, R_C) == 0,
	       "poll returned 0; the IPI bind and the send did too (%lld, %lld, %lld)",
	       (long long)slot(&x, R_A), (long long)slot(&x, R_B),
	       (long long)slot(&x, R_C));
	gr_finish(&x);
}

int main(void)
{
	struct pvnl_info base;

	gr_vcpus(2);
	nl = gr_setup(PREFIX, 4 + 3 + 2 + 1, &base);

	test_close_bind_stress(&base);
	test_loopback_vcpu();
	test_poll_other_vcpu();

	gr_done(&base);
}
