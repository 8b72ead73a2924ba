// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU timers and SCHEDOP_POLL, from below (guestrun): a periodic timer
 * ticks until stopped and then stays quiet; a single-shot timer fires
 * once; poll wakes for a masked port without an upcall and times out when
 * nothing comes; bad periods and poll arguments fail.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <pvisor/event.h>

#include "guestrun.h"
#include "pvtest.h"

#define PREFIX		"tm-"
#define STR(x)		GR_STR(x)
#define HCALL(nr)	GR_HCALL(nr)
#define RES		STR(GR_ASM_VA(GR_PFN_RESULTS))
#define SCRATCH		STR(GR_ASM_VA(GR_PFN_SCRATCH))
#define COUNT		STR(GR_EVENT_COUNT)
#define TICKS		10

/* Scratch: callback, bind_virq, timers, poll blocks. */
#define S_HANDLER	0x00
#define S_VIRQ		0x10	/* bind_virq {TIMER, 0, port} */
#define S_PERIOD	0x20	/* {2 ms} */
#define S_SHORT		0x28	/* {1 us}: below the minimum */
#define S_ZERO		0x30	/* {0} */
#define S_ONESHOT	0x38	/* {deadline}, filled in by the guest */
#define S_POLL		0x40	/* {ports, nr, timeout} */
#define S_PORTS		0x60	/* u32 [2]: the timer port, then 5000 */
#define S_SHUTDOWN	0x80

enum {
	R_BIND, R_PERIODIC, R_TICKS, R_STOP, R_AFTER_STOP, R_SHORT, R_ZERO,
	R_POLL_MASKED, R_POLL_PENDING, R_POLL_UPCALLS, R_POLL_TIMEOUT,
	R_POLL_NONE, R_POLL_MANY, R_POLL_OUTSIDE, R_POLL_BAD_PORT, R_MARKER,
	NR_RESULTS
};
#define MARKER		0x600d

/* rax = this vCPU's system time + @ns (vcpu_info[0].time.system_time). */
#define DEADLINE(ns)	"mov 48(%r13), %rax\n add $" #ns ", %rax\n"
#define SAVE(slot)	"mov %rax, " #slot " * 8(%rbx)\n"
/* Wait, upcalls masked while looking, until the count reaches %r14. */
#define WAIT_COUNT							\
	"1: movb $1, 1(%r13)\n cmp %r14, " COUNT "(%rbx)\n jae 2f\n"	\
	"mov $1, %edi\n" HCALL(29) "jmp 1b\n"				\
	"2: movb $0, 1(%r13)\n"
#define POLL(nr, ports, timeout_insn)					\
	"movabs $(" SCRATCH " + " #ports "), %rax\n mov %rax, 0x40(%r12)\n" \
	"movl $" #nr ", 0x48(%r12)\n" timeout_insn "mov %rax, 0x50(%r12)\n" \
	"mov $3, %edi\n lea 0x40(%r12), %rsi\n" HCALL(29)

asm(".pushsection .guest_text, \"ax\"\n"
    ".globl guest_start\n"
    "guest_start:\n"
    GR_ASM_COUNTING_EVENT_HANDLER(guest_event_handler)

    ".globl guest_timers\n"
    "guest_timers:\n"
    "movabs $" RES ", %rbx\n movabs $" SCRATCH ", %r12\n"
    "movabs $" STR(GR_SHINFO) ", %r13\n"
    "mov 0(%r12), %rdi\n" HCALL(4)
    "mov $1, %edi\n lea 0x10(%r12), %rsi\n" HCALL(32) SAVE(0)
    /* periodic: TICKS ticks, then stop */
    "mov $6, %edi\n xor %esi, %esi\n lea 0x20(%r12), %rdx\n" HCALL(24) SAVE(1)
    "mov $" STR(TICKS) ", %r14d\n" WAIT_COUNT
    "mov " COUNT "(%rbx), %rax\n" SAVE(2)
    "mov $7, %edi\n xor %esi, %esi\n" HCALL(24) SAVE(3)
    /* a 20 ms single-shot: exactly one more tick if the periodic stopped */
    "mov " COUNT "(%rbx), %r15\n"
    DEADLINE(20000000) "mov %rax, 0x38(%r12)\n"
    "mov $8, %edi\n xor %esi, %esi\n lea 0x38(%r12), %rdx\n" HCALL(24)
    "lea 1(%r15), %r14\n" WAIT_COUNT
    "mov " COUNT "(%rbx), %rax\n sub %r15, %rax\n" SAVE(4)
    "mov $6, %edi\n xor %esi, %esi\n lea 0x28(%r12), %rdx\n" HCALL(24) SAVE(5)
    "mov $6, %edi\n xor %esi, %esi\n lea 0x30(%r12), %rdx\n" HCALL(24) SAVE(6)
    /* poll a masked port: it wakes, with no upcall */
    "mov 0x18(%r12), %eax\n mov %eax, 0x60(%r12)\n"
    "lock bts %rax, 2560(%r13)\n"
    "mov " COUNT "(%rbx), %r15\n"
    DEADLINE(5000000) "mov %rax, %rdi\n" HCALL(15)
    POLL(1, 0x60, "xor %eax, %eax\n") SAVE(7)
    "mov 0x18(%r12), %eax\n bt %rax, 2048(%r13)\n setc %al\n movzbl %al, %eax\n"
    SAVE(8)
    "mov " COUNT "(%rbx), %rax\n sub %r15, %rax\n" SAVE(9)
    /* nothing pending: poll times out */
    "mov 0x18(%r12), %eax\n lock btr %rax, 2048(%r13)\n"
    POLL(1, 0x60, DEADLINE(3000000)) SAVE(10)
    /* bad polls */
    POLL(0, 0x60, "xor %eax, %eax\n") SAVE(11)
    POLL(200, 0x60, "xor %eax, %eax\n") SAVE(12)
    "movq $0x400000, 0x40(%r12)\n movl $1, 0x48(%r12)\n"
    "mov $3, %edi\n lea 0x40(%r12), %rsi\n" HCALL(29) SAVE(13)
    POLL(1, 0x64, "xor %eax, %eax\n") SAVE(14)
    "movq $" STR(MARKER) ", 15 * 8(%rbx)\n"
    "mov $2, %edi\n lea 0x80(%r12), %rsi\n" HCALL(29)
    "ud2\n"
    ".globl guest_end\n"
    "guest_end:\n"
    ".popsection\n");

extern const char guest_event_handler[], guest_timers[];

static void prepare(uint8_t *mem)
{
	const uint64_t scratch = GR_PFN_SCRATCH * 4096;
	uint32_t bad_port = 5000;

	gr_put64(mem, scratch + S_HANDLER, gr_code_va(guest_event_handler));
	gr_put64(mem, scratch + S_PERIOD, 2000000);
	gr_put64(mem, scratch + S_SHORT, 1000);
	gr_put64(mem, scratch + S_ZERO, 0);
	memcpy(mem + scratch + S_PORTS + 4, &bad_port, sizeof(bad_port));
}

int main(void)
{
	const uint64_t res = GR_PFN_RESULTS * 4096;
	struct pvnl_info base;
	struct gr_run run;

	gr_setup(PREFIX, 11, &base);

	gr_run(PREFIX "timers", guest_timers, true, prepare, &run);
#define SLOT(r)	((int64_t)gr_get64(run.mem, res + (r) * 8))
	tap_ok(SLOT(R_MARKER) == MARKER &&
	       run.dom.state == PVISOR_DOMAIN_STATE_SHUTDOWN,
	       "the guest ran to its end (state %u, '%s')", run.dom.state,
	       run.dom.crash_reason);
	tap_ok(SLOT(R_BIND) == 0 && SLOT(R_PERIODIC) == 0 &&
	       SLOT(R_TICKS) >= TICKS,
	       "a 2 ms periodic timer ticked %d times", TICKS);
	tap_ok(SLOT(R_STOP) == 0 && SLOT(R_AFTER_STOP) == 1,
	       "stopped, it stays quiet: a 20 ms single-shot brought exactly one more tick (%lld)",
	       (long long)SLOT(R_AFTER_STOP));
	tap_ok(SLOT(R_SHORT) == -EINVAL && SLOT(R_ZERO) == -EINVAL,
	       "periods of 1 us and 0: -EINVAL");
	tap_ok(SLOT(R_POLL_MASKED) == 0 && SLOT(R_POLL_PENDING) == 1,
	       "poll on a masked port wakes when it becomes pending");
	tap_ok(SLOT(R_POLL_UPCALLS) == 0, "and no upcall was made for it");
	tap_ok(SLOT(R_POLL_TIMEOUT) == -ETIME,
	       "poll with nothing pending times out: -ETIME");
	tap_ok(SLOT(R_POLL_NONE) == -EINVAL && SLOT(R_POLL_MANY) == -EINVAL,
	       "poll of 0 or 200 ports: -EINVAL");
	tap_ok(SLOT(R_POLL_OUTSIDE) == -EFAULT,
	       "poll with ports outside the window: -EFAULT");
	tap_ok(SLOT(R_POLL_BAD_PORT) == -EINVAL, "poll of port 5000: -EINVAL");
#undef SLOT
	gr_finish(&run);
	gr_done(&base);
}
