// SPDX-License-Identifier: GPL-2.0
/*
 * Event channels, tested from below (guestrun's runner bounces SIGUSR1
 * kicks like traps, as pvrun does): an IPI reaches the event callback
 * exactly once; a masked port stays pending and unmask re-delivers it;
 * an interdomain channel (here looped back to the same domain) carries
 * events both ways and closing one end leaves the other unbound; a timer
 * VIRQ wakes a blocked vCPU; bad ports and arguments fail cleanly; ports
 * run out with ENOSPC and a destroyed domain gives everything back.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <pvisor/event.h>

#include "guestrun.h"
#include "pvtest.h"

#define PREFIX		"ev-"
#define STR(x)		GR_STR(x)
#define HCALL(nr)	GR_HCALL(nr)
#define RES		STR(GR_ASM_VA(GR_PFN_RESULTS))
#define SCRATCH		STR(GR_ASM_VA(GR_PFN_SCRATCH))
#define SHINFO		STR(GR_SHINFO)

/* Scratch layout: argument structures the guest hands to the module. */
#define S_HANDLER	0x000	/* the callback's address (the host writes it) */
#define S_IPI		0x010	/* bind_ipi {vcpu 0, port} */
#define S_UNBOUND	0x030	/* alloc_unbound {remote 0, port} */
#define S_INTERDOM	0x040	/* bind_interdomain {remote 0, remote port, port} */
#define S_STATUS	0x060	/* status {port, ...} */
#define S_BAD_PORTS	0x080	/* {0}, {4096}, {100}, {5000} */
#define S_BAD_VIRQ	0x090	/* bind_virq {99, 0} */
#define S_TIMER_VIRQ	0x0a0	/* bind_virq {TIMER, 0, port} */
#define S_BAD_VCPU	0x0b0	/* bind_ipi {vcpu 5} */
#define S_NO_DOMAIN	0x0c0	/* alloc_unbound {remote 32000} */
#define S_MANY		0x0d0	/* bind_ipi {vcpu 0, port}, for exhaustion */
#define S_STATUS2	0x100	/* status after close */
#define S_SHUTDOWN	0x140	/* reason 0 */

/* Results: hypercall returns and counters; the callback's log at LOG. */
enum {
	R_CALLBACKS, R_IPI, R_SEND, R_COUNT_SENT, R_COUNT_MASKED,
	R_PENDING_MASKED, R_UNMASK, R_COUNT_UNMASKED, R_UNBOUND, R_INTERDOM,
	R_SEND_A, R_SEND_B, R_STATUS, R_CLOSE, R_STATUS2, R_SEND_CLOSED,
	R_COUNT_CLOSED, R_BAD_SEND0, R_BAD_SEND4096, R_BAD_SEND100,
	R_BAD_CLOSE0, R_BAD_UNMASK, R_BAD_VIRQ, R_BAD_VCPU, R_NO_DOMAIN,
	R_BAD_CMD, R_OUTSIDE, R_TIMER_BIND, R_TIMER_SET, R_BLOCK,
	R_COUNT_TIMER, R_MANY_OK, R_MANY_ERR, R_MARKER, NR_RESULTS
};
#define COUNT		GR_EVENT_COUNT
#define LOG		GR_EVENT_LOG	/* handled port bits, one u64 per upcall */
#define MARKER		0x600d

/* Hypercall 32 with command @cmd on the scratch structure at @off. */
#define EVTCHN(cmd, off)						\
	"mov $" #cmd ", %edi\n lea " #off "(%r12), %rsi\n" HCALL(32)
#define SAVE(slot)	"mov %rax, " #slot " * 8(%rbx)\n"
#define SAVE_COUNT(slot) "mov " STR(COUNT) "(%rbx), %rax\n" SAVE(slot)

asm(".pushsection .guest_text, \"ax\"\n"
    ".globl guest_start\n"
    "guest_start:\n"

    GR_ASM_COUNTING_EVENT_HANDLER(guest_event_handler)

    ".globl guest_events\n"
    "guest_events:\n"
    "movabs $" RES ", %rbx\n movabs $" SCRATCH ", %r12\n"
    "movabs $" SHINFO ", %r13\n"
    "mov 0(%r12), %rdi\n" HCALL(4) SAVE(0)
    /* an IPI to ourselves: one upcall */
    EVTCHN(7, 0x010) SAVE(1)
    EVTCHN(4, 0x014) SAVE(2) SAVE_COUNT(3)
    /* masked: no upcall, the bit stays pending; unmask delivers it */
    "mov 0x14(%r12), %eax\n lock bts %rax, 2560(%r13)\n"
    EVTCHN(4, 0x014) SAVE_COUNT(4)
    "mov 2048(%r13), %rax\n" SAVE(5)
    EVTCHN(9, 0x014) SAVE(6) SAVE_COUNT(7)
    /* a channel to ourselves through the interdomain machinery */
    EVTCHN(6, 0x030) SAVE(8)
    "mov 0x34(%r12), %eax\n mov %eax, 0x44(%r12)\n"
    EVTCHN(0, 0x040) SAVE(9)
    "mov 0x48(%r12), %eax\n mov %eax, 0x50(%r12)\n"	/* {local port} */
    EVTCHN(4, 0x050) SAVE(10)
    EVTCHN(4, 0x034) SAVE(11)
    "mov 0x48(%r12), %eax\n mov %eax, 0x60(%r12)\n"
    EVTCHN(5, 0x060) SAVE(12)
    /* close one end: the other reads as unbound and sends are dropped */
    EVTCHN(3, 0x034) SAVE(13)
    "mov 0x48(%r12), %eax\n mov %eax, 0x100(%r12)\n"
    EVTCHN(5, 0x100) SAVE(14)
    EVTCHN(4, 0x050) SAVE(15) SAVE_COUNT(16)
    /* bad inputs */
    EVTCHN(4, 0x080) SAVE(17)
    EVTCHN(4, 0x084) SAVE(18)
    EVTCHN(4, 0x088) SAVE(19)
    EVTCHN(3, 0x080) SAVE(20)
    EVTCHN(9, 0x08c) SAVE(21)
    EVTCHN(1, 0x090) SAVE(22)
    EVTCHN(7, 0x0b0) SAVE(23)
    EVTCHN(6, 0x0c0) SAVE(24)
    "mov $77, %edi\n lea 0x10(%r12), %rsi\n" HCALL(32) SAVE(25)
    "mov $4, %edi\n mov $0x400000, %esi\n" HCALL(32) SAVE(26)
    /* a timer in the past fires at once; block wakes for it */
    EVTCHN(1, 0x0a0) SAVE(27)
    "movb $1, 1(%r13)\n"			/* mask upcalls */
    "mov $1, %edi\n" HCALL(15) SAVE(28)
    "mov $1, %edi\n" HCALL(29) SAVE(29)		/* SCHEDOP_BLOCK */
    "xor %edi, %edi\n" HCALL(17)		/* any hypercall delivers */
    SAVE_COUNT(30)
    /* ports run out */
    "xor %r14d, %r14d\n"
    "1: " EVTCHN(7, 0x0d0) "test %rax, %rax\n jnz 2f\n inc %r14\n jmp 1b\n"
    "2: mov %r14, 31 * 8(%rbx)\n" SAVE(32)
    "movq $" STR(MARKER) ", 33 * 8(%rbx)\n"
    "mov $2, %edi\n lea 0x140(%r12), %rsi\n" HCALL(29)
    "ud2\n"

    ".globl guest_end\n"
    "guest_end:\n"
    ".popsection\n");

extern const char guest_event_handler[], guest_events[];

static void prepare(uint8_t *mem)
{
	gr_put64(mem, GR_PFN_SCRATCH * 4096 + S_HANDLER,
		 gr_code_va(guest_event_handler));
	gr_scratch_put32(mem, S_BAD_PORTS, 0);
	gr_scratch_put32(mem, S_BAD_PORTS + 4, PVISOR_NR_EVENT_CHANNELS);
	gr_scratch_put32(mem, S_BAD_PORTS + 8, 100);
	gr_scratch_put32(mem, S_BAD_PORTS + 12, 5000);
	gr_scratch_put32(mem, S_BAD_VIRQ, 99);
	gr_scratch_put32(mem, S_TIMER_VIRQ, PVISOR_VIRQ_TIMER);
	gr_scratch_put32(mem, S_BAD_VCPU, 5);
	gr_scratch_put32(mem, S_NO_DOMAIN, 32000);
}

int main(void)
{
	const uint64_t res = GR_PFN_RESULTS * 4096;
	uint32_t ipi, unbound, local;
	struct pvnl_info base;
	struct gr_run run;

	gr_setup(PREFIX, 22, &base);

	gr_run(PREFIX "events", guest_events, true, prepare, &run);
#define SLOT(r)	((int64_t)gr_get64(run.mem, res + (r) * 8))
#define LOGGED(n) gr_get64(run.mem, res + LOG + (n) * 8)
	ipi = gr_scratch_get32(run.mem, S_IPI + 4);
	unbound = gr_scratch_get32(run.mem, S_UNBOUND + 4);
	local = gr_scratch_get32(run.mem, S_INTERDOM + 8);

	tap_ok(SLOT(R_MARKER) == MARKER && run.dom.state == PVISOR_DOMAIN_STATE_SHUTDOWN,
	       "the guest ran to its end and powered off (state %u, '%s')",
	       run.dom.state, run.dom.crash_reason);
	tap_ok(SLOT(R_CALLBACKS) == 0 && SLOT(R_IPI) == 0 && ipi >= 1,
	       "set_callbacks and bind_ipi succeed (port %u)", ipi);
	tap_ok(SLOT(R_SEND) == 0 && SLOT(R_COUNT_SENT) == 1 &&
	       LOGGED(0) == 1ULL << ipi,
	       "a send on the IPI port reaches the callback once, for that port");
	tap_ok(SLOT(R_COUNT_MASKED) == 1 &&
	       (SLOT(R_PENDING_MASKED) & (1LL << ipi)),
	       "a masked port: no upcall, its pending bit set");
	tap_ok(SLOT(R_UNMASK) == 0 && SLOT(R_COUNT_UNMASKED) == 2 &&
	       LOGGED(1) == 1ULL << ipi,
	       "unmask re-delivers the pending event exactly once");
	tap_ok(SLOT(R_UNBOUND) == 0 && SLOT(R_INTERDOM) == 0 && unbound != local,
	       "alloc_unbound and bind_interdomain connect ports %u and %u",
	       unbound, local);
	tap_ok(SLOT(R_SEND_A) == 0 && SLOT(R_SEND_B) == 0 &&
	       LOGGED(2) == 1ULL << unbound && LOGGED(3) == 1ULL << local,
	       "events cross the channel both ways, each to the other end");
	tap_ok(SLOT(R_STATUS) == 0 &&
	       gr_scratch_get32(run.mem, S_STATUS + 4) == PVISOR_EVTCHNSTAT_INTERDOMAIN &&
	       gr_scratch_get32(run.mem, S_STATUS + 16) == unbound,
	       "status: interdomain, to the right port");
	tap_ok(SLOT(R_CLOSE) == 0 && SLOT(R_STATUS2) == 0 &&
	       gr_scratch_get32(run.mem, S_STATUS2 + 4) == PVISOR_EVTCHNSTAT_UNBOUND,
	       "closing one end leaves the other unbound");
	tap_ok(SLOT(R_SEND_CLOSED) == 0 && SLOT(R_COUNT_CLOSED) == 4,
	       "a send on the orphaned end is dropped (no upcall)");
	tap_ok(SLOT(R_BAD_SEND0) == -EINVAL && SLOT(R_BAD_SEND4096) == -EINVAL &&
	       SLOT(R_BAD_SEND100) == -EINVAL,
	       "send on port 0, 4096, or a port never allocated: -EINVAL");
	tap_ok(SLOT(R_BAD_CLOSE0) == -EINVAL, "close of port 0: -EINVAL");
	tap_ok(SLOT(R_BAD_UNMASK) == -EINVAL, "unmask of port 5000: -EINVAL");
	tap_ok(SLOT(R_BAD_VIRQ) == -EINVAL, "bind_virq of virq 99: -EINVAL");
	tap_ok(SLOT(R_BAD_VCPU) == -EINVAL, "bind_ipi to a vCPU it lacks: -EINVAL");
	tap_ok(SLOT(R_NO_DOMAIN) == -ENOENT,
	       "alloc_unbound for a domain that does not exist: -ENOENT");
	tap_ok(SLOT(R_BAD_CMD) == -EINVAL, "an unknown command: -EINVAL");
	tap_ok(SLOT(R_OUTSIDE) == -EFAULT,
	       "an argument outside the window: -EFAULT");
	tap_ok(SLOT(R_TIMER_BIND) == 0 && SLOT(R_TIMER_SET) == 0 &&
	       SLOT(R_BLOCK) == 0,
	       "bind_virq(TIMER), set_timer_op and block succeed");
	tap_ok(SLOT(R_COUNT_TIMER) == 5 &&
	       LOGGED(4) == 1ULL << gr_scratch_get32(run.mem, S_TIMER_VIRQ + 8),
	       "the timer's VIRQ woke the block and reached the callback (%lld upcalls)",
	       (long long)SLOT(R_COUNT_TIMER));
	tap_ok(SLOT(R_MANY_ERR) == -ENOSPC && SLOT(R_MANY_OK) > 4000 &&
	       SLOT(R_MANY_OK) < PVISOR_NR_EVENT_CHANNELS,
	       "ports run out with -ENOSPC after %lld more",
	       (long long)SLOT(R_MANY_OK));
#undef SLOT
#undef LOGGED
	gr_finish(&run);
	gr_done(&base);
}
