// SPDX-License-Identifier: GPL-2.0
/*
 * SMP from below (guestrun): a 4-vCPU guest's boot vCPU initialises and
 * ups three secondaries, which run a shared-memory workload (atomic
 * increments of one counter) and wake the boot vCPU with an IPI before
 * taking themselves down; the boot vCPU blocks until all three are done.
 * vcpu_op's bad inputs and the up/down states are checked on the way.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <pvisor/event.h>

#include "guestrun.h"
#include "pvtest.h"

#define PREFIX		"smp-"
#define VCPUS		4
#define ROUNDS		100000	/* increments per secondary */

#define STR(x)		GR_STR(x)
#define HCALL(nr)	GR_HCALL(nr)
#define RES		STR(GR_ASM_VA(GR_PFN_RESULTS))
#define SCRATCH		STR(GR_ASM_VA(GR_PFN_SCRATCH))

/* Scratch: the callback, the IPI binding, the secondaries' start blocks. */
#define S_HANDLER	0x000
#define S_IPI		0x010	/* bind_ipi {vcpu 0, port} */
#define S_START(v)	(0x20 * (v))	/* v = 1..3: struct pvisor_vcpu_start */
#define S_BAD_START	0x080
#define S_SHUTDOWN	0x0c0
#define COUNTER		0x900
#define DONE		0x908
#define MAY_GO_DOWN	0x910	/* set by the boot vCPU once it probed EBUSY */

enum {
	R_CALLBACKS, R_IPI, R_IS_UP_BEFORE, R_UP_UNINIT, R_INIT_BAD,
	R_NO_SUCH_VCPU, R_INIT1, R_INIT2, R_INIT3, R_UP1, R_UP2, R_UP3,
	R_INIT_WHILE_UP, R_COUNTER, R_UPCALLS, R_DOWN1, R_DOWN2, R_DOWN3,
	R_MARKER, NR_RESULTS
};
#define MARKER		0x600d

#define VCPU_OP(cmd, vcpu)	"mov $" #cmd ", %edi\n mov $" #vcpu ", %esi\n"
#define SAVE(slot)		"mov %rax, " #slot " * 8(%rbx)\n"

asm(".pushsection .guest_text, \"ax\"\n"
    ".globl guest_start\n"
    "guest_start:\n"
    GR_ASM_COUNTING_EVENT_HANDLER(guest_event_handler)

    /* A secondary: rdi is its index. */
    ".globl guest_secondary\n"
    "guest_secondary:\n"
    "mov %rdi, %r13\n"
    "movabs $" RES ", %rbx\n movabs $" SCRATCH ", %r12\n"
    "mov $" STR(ROUNDS) ", %ecx\n"
    "1: lock incq " STR(COUNTER) "(%rbx)\n dec %ecx\n jnz 1b\n"
    "lock incq " STR(DONE) "(%rbx)\n"
    "mov $4, %edi\n lea 0x14(%r12), %rsi\n" HCALL(32)	/* wake vCPU 0 */
    /* stay up until the boot vCPU has tried to initialise vCPU 1 while
     * it is up: on a slow host the rounds can end before that probe */
    "8: cmpq $0, " STR(MAY_GO_DOWN) "(%rbx)\n jne 9f\n pause\n jmp 8b\n"
    "9: mov $2, %edi\n mov %r13, %rsi\n" HCALL(24)	/* down: myself */
    "2: pause\n jmp 2b\n"

    ".globl guest_smp\n"
    "guest_smp:\n"
    "movabs $" RES ", %rbx\n movabs $" SCRATCH ", %r12\n"
    "mov 0(%r12), %rdi\n" HCALL(4) SAVE(0)
    "mov $7, %edi\n lea 0x10(%r12), %rsi\n" HCALL(32) SAVE(1)
    VCPU_OP(3, 1) HCALL(24) SAVE(2)
    VCPU_OP(1, 1) HCALL(24) SAVE(3)
    VCPU_OP(0, 1) "lea 0x80(%r12), %rdx\n" HCALL(24) SAVE(4)
    VCPU_OP(3, 7) HCALL(24) SAVE(5)
    VCPU_OP(0, 1) "lea 0x20(%r12), %rdx\n" HCALL(24) SAVE(6)
    VCPU_OP(0, 2) "lea 0x40(%r12), %rdx\n" HCALL(24) SAVE(7)
    VCPU_OP(0, 3) "lea 0x60(%r12), %rdx\n" HCALL(24) SAVE(8)
    VCPU_OP(1, 1) HCALL(24) SAVE(9)
    VCPU_OP(1, 2) HCALL(24) SAVE(10)
    VCPU_OP(1, 3) HCALL(24) SAVE(11)
    VCPU_OP(0, 1) "lea 0x20(%r12), %rdx\n" HCALL(24) SAVE(12)
    "movq $1, " STR(MAY_GO_DOWN) "(%rbx)\n"
    /* sleep until every secondary is done; upcalls masked while
     * looking, so an IPI cannot slip between the look and the block */
    "movabs $" STR(GR_SHINFO) ", %r13\n"
    "3: movb $1, 1(%r13)\n cmpq $3, " STR(DONE) "(%rbx)\n je 4f\n"
    "mov $1, %edi\n" HCALL(29) "jmp 3b\n"
    "4: movb $0, 1(%r13)\n"
    "mov " STR(COUNTER) "(%rbx), %rax\n" SAVE(13)
    "mov " STR(GR_EVENT_COUNT) "(%rbx), %rax\n" SAVE(14)
    /* each takes itself down */
    "5: " VCPU_OP(3, 1) HCALL(24) "test %rax, %rax\n jnz 5b\n" SAVE(15)
    "6: " VCPU_OP(3, 2) HCALL(24) "test %rax, %rax\n jnz 6b\n" SAVE(16)
    "7: " VCPU_OP(3, 3) HCALL(24) "test %rax, %rax\n jnz 7b\n" SAVE(17)
    "movq $" STR(MARKER) ", 18 * 8(%rbx)\n"
    "mov $2, %edi\n lea 0xc0(%r12), %rsi\n" HCALL(29)
    "ud2\n"
    ".globl guest_end\n"
    "guest_end:\n"
    ".popsection\n");

extern const char guest_event_handler[], guest_secondary[], guest_smp[];

static void prepare(uint8_t *mem)
{
	const uint64_t scratch = GR_PFN_SCRATCH * 4096;

	gr_put64(mem, scratch + S_HANDLER, gr_code_va(guest_event_handler));
	for (unsigned int v = 1; v < VCPUS; v++) {
		struct pvisor_vcpu_start start = {
			.rip = gr_code_va(guest_secondary),
			/* Its own stack: the top of pfn 10 + v (11..13). */
			.rsp = GR_VA(GR_PFN_SCRATCH + v + 1),
			.rdi = v,
			.pt_base_pfn = GR_PFN_L4,
		};

		memcpy(mem + scratch + S_START(v), &start, sizeof(start));
	}
	gr_put64(mem, scratch + S_BAD_START, 0x400000);	/* rip outside */
}

int main(void)
{
	const uint64_t res = GR_PFN_RESULTS * 4096;
	struct pvnl_info base;
	struct gr_run run;

	gr_vcpus(VCPUS);
	gr_setup(PREFIX, 11, &base);

	gr_run(PREFIX "count", guest_smp, true, prepare, &run);
#define SLOT(r)	((int64_t)gr_get64(run.mem, res + (r) * 8))
	tap_ok(SLOT(R_MARKER) == MARKER &&
	       run.dom.state == PVISOR_DOMAIN_STATE_SHUTDOWN,
	       "the 4-vCPU guest ran to its end and powered off (state %u, '%s')",
	       run.dom.state, run.dom.crash_reason);
	tap_ok(SLOT(R_CALLBACKS) == 0 && SLOT(R_IPI) == 0,
	       "the boot vCPU set its callback and bound an IPI");
	tap_ok(SLOT(R_IS_UP_BEFORE) == 0, "a secondary starts down");
	tap_ok(SLOT(R_UP_UNINIT) == -EINVAL,
	       "upping a vCPU that was never initialised: -EINVAL");
	tap_ok(SLOT(R_INIT_BAD) == -EINVAL,
	       "initialising with an entry outside the window: -EINVAL");
	tap_ok(SLOT(R_NO_SUCH_VCPU) == -EINVAL, "vcpu_op on vCPU 7 of 4: -EINVAL");
	tap_ok(SLOT(R_INIT1) == 0 && SLOT(R_INIT2) == 0 && SLOT(R_INIT3) == 0 &&
	       SLOT(R_UP1) == 0 && SLOT(R_UP2) == 0 && SLOT(R_UP3) == 0,
	       "three secondaries initialised and up");
	tap_ok(SLOT(R_INIT_WHILE_UP) == -EBUSY,
	       "initialising a vCPU that is up: -EBUSY");
	tap_ok(SLOT(R_COUNTER) == 3LL * ROUNDS,
	       "the shared counter holds every increment: %lld of %lld",
	       (long long)SLOT(R_COUNTER), 3LL * ROUNDS);
	tap_ok(SLOT(R_UPCALLS) >= 1 && SLOT(R_UPCALLS) <= 3 &&
	       SLOT(R_DOWN1) == 0 && SLOT(R_DOWN2) == 0 && SLOT(R_DOWN3) == 0,
	       "the IPIs woke the boot vCPU (%lld upcalls); all three went down",
	       (long long)SLOT(R_UPCALLS));
#undef SLOT
	gr_finish(&run);
	gr_done(&base);
}
