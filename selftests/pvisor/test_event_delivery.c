// SPDX-License-Identifier: GPL-2.0
/*
 * Event delivery against the receiver's state, from below (guestrun):
 * an event reaches a vCPU spinning in guest code (only the kick can get
 * it there), one sent while the receiver is paused arrives once it is
 * unpaused, and closing a channel while the peer keeps sending leaves the
 * sender unharmed and the receiver with nothing stale.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <pvisor/event.h>

#include "guestrun.h"
#include "pvtest.h"

#define PREFIX		"ed-"
#define SENDS		20000

#define STR(x)		GR_STR(x)
#define HCALL(nr)	GR_HCALL(nr)
#define RES		STR(GR_ASM_VA(GR_PFN_RESULTS))
#define SCRATCH		STR(GR_ASM_VA(GR_PFN_SCRATCH))
#define COUNT		STR(GR_EVENT_COUNT)

#define S_HANDLER	0x00
#define S_PORT		0x10	/* {port} */
#define S_GO		0x18	/* set by the host */
#define S_SHUTDOWN	0x60
#define R_READY		0x20	/* results: the spinner is in its loop */
#define MARKER		0x600d

#define SETUP								\
	"movabs $" RES ", %rbx\n movabs $" SCRATCH ", %r12\n"		\
	"movabs $" STR(GR_SHINFO) ", %r13\n"				\
	"mov 0(%r12), %rdi\n" HCALL(4)
#define SEND	"mov $4, %edi\n lea 0x10(%r12), %rsi\n" HCALL(32)
#define FINISH								\
	"movq $" STR(MARKER) ", 8(%rbx)\n"				\
	"mov $2, %edi\n lea 0x60(%r12), %rsi\n" HCALL(29) "ud2\n"
/* Spin in guest code, no hypercall, until the host says go. */
#define AWAIT_GO	"7: cmpq $0, 0x18(%r12)\n je 7b\n"

asm(".pushsection .guest_text, \"ax\"\n"
    ".globl guest_start\n"
    "guest_start:\n"
    GR_ASM_COUNTING_EVENT_HANDLER(guest_event_handler)

    /* Sender: wait for go, send once, power off. */
    ".globl guest_send_once\n"
    "guest_send_once:\n"
    SETUP AWAIT_GO SEND "mov %rax, 0(%rbx)\n" FINISH

    /* Spinner: say it is ready, then no hypercalls until an upcall. */
    ".globl guest_spin\n"
    "guest_spin:\n"
    SETUP
    "movq $1, " STR(R_READY) "(%rbx)\n"
    "1: cmpq $0, " COUNT "(%rbx)\n je 1b\n"
    FINISH

    /* Flood: send SENDS times, keep every error, power off. */
    ".globl guest_flood\n"
    "guest_flood:\n"
    SETUP AWAIT_GO
    "xor %r14d, %r14d\n xor %r15d, %r15d\n"
    "1: " SEND "or %rax, %r15\n inc %r14\n cmp $" STR(SENDS) ", %r14\n jb 1b\n"
    "mov %r15, 0(%rbx)\n" FINISH

    /* Closer: after its first upcall, close the port; then spin a while
     * (16M iterations) and record any upcall that still came. */
    ".globl guest_closer\n"
    "guest_closer:\n"
    SETUP
    "1: cmpq $0, " COUNT "(%rbx)\n je 1b\n"
    "mov $3, %edi\n lea 0x10(%r12), %rsi\n" HCALL(32) "mov %rax, 16(%rbx)\n"
    "mov " COUNT "(%rbx), %r15\n"
    "mov $0x1000000, %ecx\n 2: dec %ecx\n jnz 2b\n"
    "xor %edi, %edi\n" HCALL(17)		/* deliver anything pending */
    "mov " COUNT "(%rbx), %rax\n sub %r15, %rax\n mov %rax, 24(%rbx)\n"
    FINISH
    ".globl guest_end\n"
    "guest_end:\n"
    ".popsection\n");

extern const char guest_event_handler[], guest_send_once[], guest_spin[];
extern const char guest_flood[], guest_closer[];

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

static uint64_t upcalls(const struct gr_run *run)
{
	return *(volatile uint64_t *)(run->mem + GR_PFN_RESULTS * 4096 +
				      GR_EVENT_COUNT);
}

/* Two domains, connected, neither launched yet. */
static void pair(const char *a_name, const char *a_entry, struct gr_run *a,
		 const char *b_name, const char *b_entry, struct gr_run *b)
{
	uint32_t pa, pb;

	gr_create(a_name, a_entry, true, prepare, a);
	gr_create(b_name, b_entry, true, prepare, b);
	if (pvnl_evtchn_bind(nl, a->dom.id, b->dom.id, &pa, &pb))
		tap_bail("bind: %s", pvnl_error_msg(nl));
	gr_scratch_put32(a->mem, S_PORT, pa);
	gr_scratch_put32(b->mem, S_PORT, pb);
}

static void go(struct gr_run *run)
{
	gr_put64(run->mem, GR_PFN_SCRATCH * 4096 + S_GO, 1);
}

/* The spinner is in its loop: its callback is registered. */
static bool spinning(const struct gr_run *run)
{
	return gr_await64(run, GR_PFN_RESULTS * 4096 + R_READY, 60);
}

static void finished(const struct gr_run *run, const char *what)
{
	tap_ok(result(run, 1) == MARKER &&
	       run->dom.state == PVISOR_DOMAIN_STATE_SHUTDOWN,
	       "%s ran to its end (state %u, '%s')", what, run->dom.state,
	       run->dom.crash_reason);
}

static void test_running_receiver(void)
{
	struct gr_run sender, spinner;

	pair(PREFIX "s1", guest_send_once, &sender, PREFIX "spin", guest_spin,
	     &spinner);
	gr_launch(&spinner);
	gr_launch(&sender);
	if (!spinning(&spinner))
		tap_diag("the spinner never got to its loop");
	go(&sender);
	gr_wait(&sender, GR_HANG_SECS);
	gr_wait(&spinner, GR_HANG_SECS);
	finished(&spinner, "a receiver spinning in guest code got the event and");
	tap_ok(upcalls(&spinner) == 1 && result(&sender, 0) == 0,
	       "exactly one upcall for one send");
	gr_finish(&sender);
	gr_finish(&spinner);
}

static void test_paused_receiver(void)
{
	struct gr_run sender, sleeper;

	pair(PREFIX "s2", guest_send_once, &sender, PREFIX "paused", guest_spin,
	     &sleeper);
	gr_launch(&sleeper);
	gr_launch(&sender);
	if (!spinning(&sleeper))
		tap_diag("the receiver never got to its loop");
	pvt_expect(nl, pvnl_domain_pause(nl, sleeper.dom.id, NULL), 0,
		   "pause the receiver");
	/* Pausing sends SIGSTOP: the send must come once it has stopped. */
	if (!gr_await_stopped(&sleeper, 60))
		tap_diag("the paused runner's threads never all stopped");
	go(&sender);
	gr_wait(&sender, GR_HANG_SECS);
	usleep(200 * 1000);	/* a wrong upcall would show in this time */
	tap_ok(upcalls(&sleeper) == 0,
	       "while paused, the receiver takes no upcall");
	pvt_expect(nl, pvnl_domain_unpause(nl, sleeper.dom.id, NULL), 0,
		   "unpause it");
	gr_wait(&sleeper, GR_HANG_SECS);
	finished(&sleeper, "the event sent while it was paused arrived, and it");
	tap_ok(upcalls(&sleeper) == 1, "exactly once");
	gr_finish(&sender);
	gr_finish(&sleeper);
}

static void test_close_while_sending(void)
{
	struct gr_run flood, closer;

	pair(PREFIX "flood", guest_flood, &flood, PREFIX "closer",
	     guest_closer, &closer);
	gr_launch(&closer);
	gr_launch(&flood);
	go(&flood);
	gr_wait(&closer, GR_HANG_SECS);
	gr_wait(&flood, GR_HANG_SECS);
	finished(&flood, "a sender whose peer closed mid-flood");
	tap_ok(result(&flood, 0) == 0,
	       "every one of its %d sends returned 0 (dropped once unbound)",
	       SENDS);
	finished(&closer, "the closer");
	tap_ok(result(&closer, 2) == 0 && result(&closer, 3) == 0,
	       "after closing it got no further upcall (%llu)",
	       (unsigned long long)result(&closer, 3));
	gr_finish(&flood);
	gr_finish(&closer);
}

int main(void)
{
	struct pvnl_info base;

	nl = gr_setup(PREFIX, 2 + 5 + 4 + 1, &base);

	test_running_receiver();
	test_paused_receiver();
	test_close_while_sending();

	gr_done(&base);
}
