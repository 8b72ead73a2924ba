// SPDX-License-Identifier: GPL-2.0
/*
 * Trap delivery, tested from below (guestrun's runner bounces its host
 * signals to the module, as pvrun does): privileged instructions and
 * faults reach the guest's handlers with the right vector, error code,
 * address and rip; registers survive a trap and iret; set_trap_table and
 * iret reject bad arguments; a trap without a handler, or without room
 * for its frame, crashes the domain with a reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <pvisor/device.h>
#include <pvisor/hypercall.h>

#include "guestrun.h"
#include "pvtest.h"

#define PREFIX		"tr-"

#define STR(x)		GR_STR(x)
#define HCALL(nr)	GR_HCALL(nr)
#define RES		STR(GR_ASM_VA(GR_PFN_RESULTS))
#define SCRATCH		STR(GR_ASM_VA(GR_PFN_SCRATCH))

/* Results page: hypercall results in slots, then trap records. */
enum {
	R_BAD_VECTOR, R_BAD_FLAGS, R_BAD_HANDLER, R_TABLE_OUTSIDE, R_TABLE_OK,
	R_RAX, R_R12, R_R13, R_R14, R_R15, R_RBP, R_IRET_OUTSIDE,
	R_IRET_BAD_RIP, R_CLEAR, NR_RESULTS
};
#define RECORDS		0x100	/* {vector, error, address, rip} each */
#define SKIP		0x800	/* bytes the handler skips */
#define COUNT		0x808	/* records written */

/* Scratch page: trap tables and a bad iret frame. */
#define TABLE_OK	0x000
#define TABLE_VECTOR32	0x100
#define TABLE_FLAGS	0x120
#define TABLE_OUTSIDE	0x140
#define FRAME_BAD_RIP	0x400

#define TRAP(label, skip, insn)						\
	"movq $" #skip ", " STR(SKIP) "(%rbx)\n"			\
	".globl " #label "\n" #label ": " insn "\n"

asm(".pushsection .guest_text, \"ax\"\n"
    ".globl guest_start\n"
    "guest_start:\n"

    ".globl guest_traps\n"
    "guest_traps:\n"
    "movabs $" RES ", %rbx\n"
    /* set_trap_table's bad inputs, then the real table */
    "movabs $(" SCRATCH " + 0x100), %rdi\n" HCALL(0) "mov %rax, 0(%rbx)\n"
    "movabs $(" SCRATCH " + 0x120), %rdi\n" HCALL(0) "mov %rax, 8(%rbx)\n"
    "movabs $(" SCRATCH " + 0x140), %rdi\n" HCALL(0) "mov %rax, 16(%rbx)\n"
    "mov $0x400000, %edi\n" HCALL(0) "mov %rax, 24(%rbx)\n"
    "movabs $" SCRATCH ", %rdi\n" HCALL(0) "mov %rax, 32(%rbx)\n"
    /* each of these traps; the handler records it and skips it */
    TRAP(t_cli, 1, "cli")
    TRAP(t_hlt, 1, "hlt")
    TRAP(t_cr3, 3, "mov %rax, %cr3")
    TRAP(t_in, 2, "in $0x60, %al")
    TRAP(t_out, 2, "out %al, $0x80")
    TRAP(t_int3, 0, "int3")
    TRAP(t_ud2, 2, "ud2")
    "xor %edx, %edx\n mov $1, %eax\n xor %ecx, %ecx\n"
    TRAP(t_div, 2, "div %ecx")
    "movabs $" STR(GR_ASM_VA(GR_PFN_HOLE)) ", %rcx\n"
    TRAP(t_pf_read, 3, "mov (%rcx), %rax")
    "movabs $" STR(GR_ASM_VA(GR_PFN_RO)) ", %rcx\n"
    TRAP(t_pf_write, 3, "mov %rax, (%rcx)")
    /* registers survive a trap */
    "movabs $0x55aa55aa55aa55aa, %rax\n"
    "movabs $0x1212121212121212, %r12\n"
    "movabs $0x1313131313131313, %r13\n"
    "movabs $0x1414141414141414, %r14\n"
    "movabs $0x1515151515151515, %r15\n"
    "movabs $0x0b0b0b0b0b0b0b0b, %rbp\n"
    TRAP(t_regs, 2, "ud2")
    "mov %rax, 40(%rbx)\n mov %r12, 48(%rbx)\n mov %r13, 56(%rbx)\n"
    "mov %r14, 64(%rbx)\n mov %r15, 72(%rbx)\n mov %rbp, 80(%rbx)\n"
    /* iret's bad inputs */
    "mov $0x400000, %edi\n" HCALL(23) "mov %rax, 88(%rbx)\n"
    "movabs $(" SCRATCH " + 0x400), %rdi\n" HCALL(23) "mov %rax, 96(%rbx)\n"
    /* without handlers, the next trap crashes the domain */
    "xor %edi, %edi\n" HCALL(0) "mov %rax, 104(%rbx)\n"
    ".globl t_unhandled\n"
    "t_unhandled: ud2\n"

    ".globl guest_trap_handler\n"
    "guest_trap_handler:\n"	/* rsp: the trap frame */
    "movabs $" RES ", %rbx\n"
    "mov " STR(COUNT) "(%rbx), %rcx\n shl $5, %rcx\n"
    "lea " STR(RECORDS) "(%rbx, %rcx), %rdx\n"
    "mov 0(%rsp), %rax\n mov %rax, 0(%rdx)\n"	/* vector */
    "mov 8(%rsp), %rax\n mov %rax, 8(%rdx)\n"	/* error code */
    "mov 16(%rsp), %rax\n mov %rax, 16(%rdx)\n"	/* address */
    "mov 144(%rsp), %rax\n mov %rax, 24(%rdx)\n"	/* rip */
    "incq " STR(COUNT) "(%rbx)\n"
    "mov " STR(SKIP) "(%rbx), %rax\n add %rax, 144(%rsp)\n"
    "mov %rsp, %rdi\n" HCALL(23)
    "ud2\n"

    ".globl guest_bad_stack\n"
    "guest_bad_stack:\n"
    "movabs $" SCRATCH ", %rdi\n" HCALL(0)
    "movabs $" STR(GR_ASM_VA(GR_PFN_HOLE + 1)) ", %rsp\n"
    "ud2\n"

    ".globl guest_end\n"
    "guest_end:\n"
    ".popsection\n");

extern const char guest_traps[], guest_trap_handler[], guest_bad_stack[];
extern const char t_cli[], t_hlt[], t_cr3[], t_in[], t_out[], t_int3[];
extern const char t_ud2[], t_div[], t_pf_read[], t_pf_write[], t_regs[];
extern const char t_unhandled[];

static struct pvnl *nl;

static void put_entry(uint8_t *mem, uint64_t off, uint8_t vector,
		      uint8_t flags, uint64_t address)
{
	struct pvisor_trap_info info = {
		.vector = vector, .flags = flags, .address = address,
	};

	memcpy(mem + GR_PFN_SCRATCH * 4096 + off, &info, sizeof(info));
}

static void prepare(uint8_t *mem)
{
	static const uint8_t vectors[] = { 0, 3, 6, 13, 14 };
	uint64_t handler = gr_code_va(guest_trap_handler);
	struct pvisor_trap_frame bad = { .rip = 0x400000 };
	unsigned int i;

	for (i = 0; i < sizeof(vectors); i++)
		put_entry(mem, TABLE_OK + i * 16, vectors[i], 0, handler);
	put_entry(mem, TABLE_VECTOR32, 32, 0, handler);
	put_entry(mem, TABLE_FLAGS, 13, 1, handler);
	put_entry(mem, TABLE_OUTSIDE, 13, 0, 0x400000);
	memcpy(mem + GR_PFN_SCRATCH * 4096 + FRAME_BAD_RIP, &bad, sizeof(bad));
}

struct expected_trap {
	const char *what;
	uint64_t vector, error, address, rip;
};

static void check_records(const uint8_t *mem)
{
	const uint64_t res = GR_PFN_RESULTS * 4096;
	const struct expected_trap want[] = {
		{ "cli", 13, 0, 0, gr_code_va(t_cli) },
		{ "hlt", 13, 0, 0, gr_code_va(t_hlt) },
		{ "mov to %cr3", 13, 0, 0, gr_code_va(t_cr3) },
		{ "in", 13, 0, 0, gr_code_va(t_in) },
		{ "out", 13, 0, 0, gr_code_va(t_out) },
		{ "int3 (rip after it)", 3, 0, 0, gr_code_va(t_int3) + 1 },
		{ "ud2", 6, 0, 0, gr_code_va(t_ud2) },
		{ "divide by zero", 0, 0, 0, gr_code_va(t_div) },
		{ "read of a page that is not present", 14, 0,
		  GR_VA(GR_PFN_HOLE), gr_code_va(t_pf_read) },
		{ "write to a read-only page (P|W)", 14, 3,
		  GR_VA(GR_PFN_RO), gr_code_va(t_pf_write) },
		{ "ud2 with patterned registers", 6, 0, 0, gr_code_va(t_regs) },
	};
	uint64_t count = gr_get64(mem, res + COUNT);

	tap_ok(count == PVT_ARRAY_SIZE(want),
	       "the handler ran once per trap (%llu of %zu)",
	       (unsigned long long)count, PVT_ARRAY_SIZE(want));
	for (size_t i = 0; i < PVT_ARRAY_SIZE(want); i++) {
		uint64_t rec = res + RECORDS + i * 32;
		uint64_t vector = gr_get64(mem, rec);
		uint64_t error = gr_get64(mem, rec + 8);
		uint64_t address = gr_get64(mem, rec + 16);
		uint64_t rip = gr_get64(mem, rec + 24);

		tap_ok(vector == want[i].vector && error == want[i].error &&
		       address == want[i].address && rip == want[i].rip,
		       "%s reaches the handler: vector %llu, error %#llx, address %#llx, rip %#llx",
		       want[i].what, (unsigned long long)vector,
		       (unsigned long long)error, (unsigned long long)address,
		       (unsigned long long)rip);
	}
}

static void test_traps(void)
{
	const uint64_t res = GR_PFN_RESULTS * 4096;
	struct gr_run run;
	char want[128];

#define SLOT(r)	((int64_t)gr_get64(run.mem, res + (r) * 8))
	gr_run(PREFIX "traps", guest_traps, true, prepare, &run);

	tap_ok(SLOT(R_BAD_VECTOR) == -EINVAL, "set_trap_table: vector 32: -EINVAL");
	tap_ok(SLOT(R_BAD_FLAGS) == -EINVAL, "set_trap_table: flags: -EINVAL");
	tap_ok(SLOT(R_BAD_HANDLER) == -EINVAL,
	       "set_trap_table: a handler outside the window: -EINVAL");
	tap_ok(SLOT(R_TABLE_OUTSIDE) == -EFAULT,
	       "set_trap_table: a table outside the window: -EFAULT");
	tap_ok(SLOT(R_TABLE_OK) == 0, "set_trap_table: a valid table: 0");
	check_records(run.mem);
	tap_ok(SLOT(R_RAX) == (int64_t)0x55aa55aa55aa55aaULL &&
	       SLOT(R_R12) == 0x1212121212121212LL &&
	       SLOT(R_R13) == 0x1313131313131313LL &&
	       SLOT(R_R14) == 0x1414141414141414LL &&
	       SLOT(R_R15) == 0x1515151515151515LL &&
	       SLOT(R_RBP) == 0x0b0b0b0b0b0b0b0bLL,
	       "rax, rbp and r12-r15 survive a trap and iret");
	tap_ok(SLOT(R_IRET_OUTSIDE) == -EFAULT,
	       "iret with a frame outside the window: -EFAULT");
	tap_ok(SLOT(R_IRET_BAD_RIP) == -EINVAL,
	       "iret to a rip outside the window: -EINVAL");
	tap_ok(SLOT(R_CLEAR) == 0, "set_trap_table(NULL) clears the table");
	snprintf(want, sizeof(want), "unhandled invalid opcode (vector 6, signal 4) at rip %#llx",
		 (unsigned long long)gr_code_va(t_unhandled));
	tap_ok(run.dom.state == PVISOR_DOMAIN_STATE_CRASHED &&
	       !strcmp(run.dom.crash_reason, want),
	       "a trap without a handler crashes the domain: '%s'",
	       run.dom.crash_reason);
	gr_finish(&run);
#undef SLOT
}

static void test_no_room_for_frame(void)
{
	struct gr_run run;

	gr_run(PREFIX "bad-stack", guest_bad_stack, true, prepare, &run);
	tap_ok(run.dom.state == PVISOR_DOMAIN_STATE_CRASHED &&
	       strstr(run.dom.crash_reason, "cannot push a trap frame"),
	       "a trap with the stack on a missing page crashes the domain: '%s'",
	       run.dom.crash_reason);
	gr_finish(&run);
}

/* PVISOR_IOCTL_VCPU_TRAP from a thread that runs no vCPU. */
static void test_trap_ioctl_outside_vcpu(int dev)
{
	struct pvisor_runner_attach attach = { 0 };
	struct pvisor_trap_report rep = { 0 };
	struct pvnl_domain created;
	int fd;

	if (pvnl_domain_new(nl, PREFIX "idle", GR_BYTES, 1, &created))
		tap_bail("create: %s", pvnl_error_msg(nl));
	attach.domid = created.id;
	fd = ioctl(dev, PVISOR_IOCTL_RUNNER_ATTACH, &attach);
	tap_ok(fd >= 0 && ioctl(fd, PVISOR_IOCTL_VCPU_TRAP, &rep) == -1 &&
	       errno == EPERM, "a trap report from a thread that is no vCPU: EPERM");
	if (fd >= 0)
		close(fd);
	pvnl_domain_del(nl, created.id, NULL);
}

int main(void)
{
	struct pvnl_info base;

	nl = gr_setup(PREFIX, 5 + 12 + 5 + 1 + 1 + 1, &base);

	test_traps();
	test_no_room_for_frame();
	test_trap_ioctl_outside_vcpu(gr_dev());

	gr_done(&base);
}
