// SPDX-License-Identifier: GPL-2.0
/*
 * Traps end to end: every kind of trap a guest kernel meets must reach
 * its own handler through the module's trap table, with a frame that
 * tells the truth, and come back through iret with every register as it
 * was (or as the handler edited it).
 *
 * Each probe is one instruction between two labels. The probe stores
 * both labels' addresses before running it; the handler records the
 * frame and resumes at the second label. So a probe checks the vector,
 * the rip the frame reports (at the instruction for a fault, after it
 * for int3) and, for page faults, the address and error code.
 *
 * selftests/pvisor/test_traps_guest.sh turns the @@pvtest lines into TAP.
 */

#include <linux/errno.h>
#include <pvisor/hypercall.h>

#include "../minnow/console.h"
#include "../minnow/hypercall.h"
#include "../minnow/mm.h"
#include "../minnow/test.h"
#include "../minnow/traps.h"

/* Window addresses no physmap reaches, one per test. */
#define UNMAPPED_VA	(PVISOR_WINDOW_BASE + (300ULL << 30))
#define RO_VA		(PVISOR_WINDOW_BASE + (301ULL << 30))
#define DEMAND_VA	(PVISOR_WINDOW_BASE + (302ULL << 30))
#define DEMAND_PAGES	8
#define NESTED_VA	(PVISOR_WINDOW_BASE + (303ULL << 30))
#define RUNNER_TEXT	0x400000ULL	/* the runner's code: outside */

/* What the last probe saw: written by the handler. */
static struct pvisor_trap_frame seen;
static u64 nr_seen;
/* The probe's labels: the instruction, and where to resume. */
static volatile u64 probe_at, probe_after;

static bool record(struct pvisor_trap_frame *f)
{
	seen = *f;
	nr_seen++;
	f->rip = probe_after;
	return true;
}

/*
 * PROBE(insn, rcx): run @insn with rcx = @rcx, rax = rdx = 0. The
 * instruction may use rax, rcx and rdx; the handler resumes after it.
 */
#define PROBE(insn, rcx_val)						\
	do {								\
		u64 __c = (rcx_val);					\
		asm volatile("lea 1f(%%rip), %%rax\n\t"			\
			     "mov %%rax, %0\n\t"			\
			     "lea 2f(%%rip), %%rax\n\t"			\
			     "mov %%rax, %1\n\t"			\
			     "xor %%eax, %%eax\n\t"			\
			     "xor %%edx, %%edx\n"			\
			     "1:\t" insn "\n"				\
			     "2:"					\
			     : "=m"(probe_at), "=m"(probe_after), "+c"(__c) \
			     : : "rax", "rdx", "memory", "cc");		\
	} while (0)

static void reset(void)
{
	memset(&seen, 0xff, sizeof(seen));
	nr_seen = 0;
}

static void hook_all(void)
{
	unsigned int v;

	for (v = 0; v < NR_TRAPS; v++)
		trap_set_handler(v, record);
}

static void check_privileged(const char *name, u64 insn_len)
{
	bool ok = nr_seen == 1 && seen.vector == TRAP_GP &&
		  seen.rip == probe_at && probe_after - probe_at == insn_len;

	guest_report(ok, "%s reaches the #GP handler with rip at it (vector "
		     "%llu, rip at+%lld, error 0x%llx)", name, seen.vector,
		     (long long)(seen.rip - probe_at), seen.error_code);
}

static void check_set_trap_table(void)
{
	struct pvisor_trap_info t[3];
	long ret;

	memset(t, 0, sizeof(t));
	t[0].vector = 32;
	t[0].address = trap_entry_address(TRAP_UD);
	ret = hypercall1(PVISOR_HC_SET_TRAP_TABLE, t);
	guest_report(ret == -EINVAL, "set_trap_table refuses vector 32 (%ld)",
		     ret);

	t[0].vector = TRAP_UD;
	t[0].flags = 1;
	ret = hypercall1(PVISOR_HC_SET_TRAP_TABLE, t);
	guest_report(ret == -EINVAL, "set_trap_table refuses flags != 0 (%ld)",
		     ret);

	t[0].flags = 0;
	t[0].address = RUNNER_TEXT;
	ret = hypercall1(PVISOR_HC_SET_TRAP_TABLE, t);
	guest_report(ret == -EINVAL, "set_trap_table refuses a handler outside "
		     "the window (%ld)", ret);

	ret = hypercall1(PVISOR_HC_SET_TRAP_TABLE, RUNNER_TEXT);
	guest_report(ret == -EFAULT, "set_trap_table refuses a table outside "
		     "the window (%ld)", ret);

	ret = hypercall1(PVISOR_HC_SET_TRAP_TABLE, UNMAPPED_VA);
	guest_report(ret == -EFAULT, "set_trap_table refuses a table at an "
		     "unmapped address (%ld)", ret);
}

/*
 * A table whose second entry is bad must change nothing, the good first
 * entry included: #UD still reaches minnow's entry afterwards.
 */
static void check_table_unchanged(void)
{
	struct pvisor_trap_info t[3];
	long ret;

	memset(t, 0, sizeof(t));
	t[0].vector = TRAP_UD;
	t[0].address = trap_entry_address(TRAP_DE);	/* the wrong entry */
	t[1].vector = 200;
	t[1].address = trap_entry_address(TRAP_UD);
	ret = hypercall1(PVISOR_HC_SET_TRAP_TABLE, t);
	reset();
	PROBE("ud2", 0);
	guest_report(ret == -EINVAL && nr_seen == 1 && seen.vector == TRAP_UD,
		     "a refused table changes no handler (%ld, vector %llu)",
		     ret, seen.vector);
}

static void check_vectors(void)
{
	reset();
	PROBE("cli", 0);
	check_privileged("cli", 1);
	reset();
	PROBE("hlt", 0);
	check_privileged("hlt", 1);
	reset();
	PROBE("mov %%rax, %%cr3", 0);
	check_privileged("mov %rax,%cr3", 3);
	reset();
	PROBE("in $0x60, %%al", 0);
	check_privileged("in $0x60,%al", 2);
	reset();
	PROBE("out %%al, $0x80", 0);
	check_privileged("out %al,$0x80", 2);

	reset();
	PROBE("int3", 0);
	guest_report(nr_seen == 1 && seen.vector == TRAP_BP &&
		     seen.rip == probe_after,
		     "int3 reaches vector 3 with rip after it (vector %llu, "
		     "rip at+%lld)", seen.vector,
		     (long long)(seen.rip - probe_at));

	reset();
	PROBE("ud2", 0);
	guest_report(nr_seen == 1 && seen.vector == TRAP_UD &&
		     seen.rip == probe_at,
		     "ud2 reaches vector 6 with rip at it (vector %llu)",
		     seen.vector);

	reset();
	PROBE("div %%rcx", 0);
	guest_report(nr_seen == 1 && seen.vector == TRAP_DE &&
		     seen.rip == probe_at,
		     "a division by zero reaches vector 0 with rip at it "
		     "(vector %llu)", seen.vector);
}

static void check_page_faults(void)
{
	u64 pfn = alloc_page_pfn(), target;
	long ret;

	reset();
	PROBE("mov (%%rcx), %%rax", UNMAPPED_VA + 0x18);
	guest_report(nr_seen == 1 && seen.vector == TRAP_PF &&
		     seen.rip == probe_at && seen.address == UNMAPPED_VA + 0x18 &&
		     seen.error_code == 0,
		     "a read of an unmapped address: vector 14, its address, "
		     "error 0 (vector %llu, address 0x%llx, error 0x%llx)",
		     seen.vector, seen.address, seen.error_code);

	GUEST_ASSERT(pfn != MM_NO_PAGE);
	((u64 *)pfn_to_virt(pfn))[0] = 0x1234;
	ret = map_page(RO_VA, pfn, PVISOR_PTE_NX);
	GUEST_ASSERT(ret == 0);
	reset();
	PROBE("mov (%%rcx), %%rax", RO_VA);
	guest_report(nr_seen == 0, "a read-only page can be read");
	reset();
	PROBE("movq $1, 8(%%rcx)", RO_VA);
	guest_report(nr_seen == 1 && seen.vector == TRAP_PF &&
		     seen.rip == probe_at && seen.address == RO_VA + 8 &&
		     seen.error_code == (PF_PRESENT | PF_WRITE) &&
		     ((u64 *)pfn_to_virt(pfn))[1] == 0,
		     "a write to a read-only page: error 3, nothing written "
		     "(address 0x%llx, error 0x%llx)", seen.address,
		     seen.error_code);

	/* Data pages are no-execute: jump into one (jmp pushes nothing). */
	target = (u64)pfn_to_virt(pfn);
	reset();
	PROBE("jmp *%%rcx", target);
	guest_report(nr_seen == 1 && seen.vector == TRAP_PF &&
		     seen.rip == target && seen.address == target &&
		     (seen.error_code & PF_INSTR) &&
		     (seen.error_code & PF_PRESENT),
		     "a fetch from a no-execute page: the instruction-fetch "
		     "bit (rip 0x%llx, error 0x%llx)", seen.rip,
		     seen.error_code);
	unmap_page(RO_VA);
	free_page_pfn(pfn);
}

static void check_demand_paging(void)
{
	volatile u64 *p = (volatile u64 *)DEMAND_VA;
	u64 traps0 = trap_count(), mapped0 = mm_demand_mapped();
	u64 i, bad = 0;
	long ret;

	trap_set_handler(TRAP_PF, NULL);	/* minnow's own path */
	ret = mm_demand_zone(DEMAND_VA, DEMAND_PAGES);
	GUEST_ASSERT(ret == 0);
	for (i = 0; i < DEMAND_PAGES; i++)
		p[i * PAGE_SIZE / 8 + i] = 0xd00d0000 + i;
	for (i = 0; i < DEMAND_PAGES; i++)
		bad += p[i * PAGE_SIZE / 8 + i] != 0xd00d0000 + i;
	guest_report(trap_count() - traps0 == DEMAND_PAGES &&
		     mm_demand_mapped() - mapped0 == DEMAND_PAGES && !bad,
		     "demand paging: %d touches, %llu faults, %llu pages "
		     "mapped by the guest, %llu words lost", DEMAND_PAGES,
		     trap_count() - traps0, mm_demand_mapped() - mapped0, bad);
	for (i = 0; i < DEMAND_PAGES; i++)
		bad += p[i * PAGE_SIZE / 8 + i] != 0xd00d0000 + i;
	guest_report(trap_count() - traps0 == DEMAND_PAGES && !bad,
		     "the demand-mapped pages keep their data, no more faults");
	trap_set_handler(TRAP_PF, record);
}

/*
 * Every register but rip and rsp survives a trap: patterns in the 15
 * others, ud2, then all 15 stored to out[] (rax, rbx, rcx, rdx, rsi,
 * rdi, rbp, r8-r15 in that order). rdi carries @out, so it is parked on
 * the stack across the trap.
 */
void regs_across_trap(u64 *out);
asm(".pushsection .text\n"
    ".globl regs_across_trap\n"
    "regs_across_trap:\n"
    "	push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15\n"
    "	push %rdi\n"
    "	movabs $0x1111111111111101, %rax\n"
    "	movabs $0x2222222222222202, %rbx\n"
    "	movabs $0x3333333333333303, %rcx\n"
    "	movabs $0x4444444444444404, %rdx\n"
    "	movabs $0x5555555555555505, %rsi\n"
    "	movabs $0x6666666666666606, %rdi\n"
    "	movabs $0x7777777777777707, %rbp\n"
    "	movabs $0x8888888888888808, %r8\n"
    "	movabs $0x9999999999999909, %r9\n"
    "	movabs $0xaaaaaaaaaaaaaa0a, %r10\n"
    "	movabs $0xbbbbbbbbbbbbbb0b, %r11\n"
    "	movabs $0xcccccccccccccc0c, %r12\n"
    "	movabs $0xdddddddddddddd0d, %r13\n"
    "	movabs $0xeeeeeeeeeeeeee0e, %r14\n"
    "	movabs $0x0f0f0f0f0f0f0f0f, %r15\n"
    "	ud2\n"
    "	push %rdi\n"
    "	mov 8(%rsp), %rdi\n"
    "	mov %rax, 0(%rdi)\n"
    "	mov %rbx, 8(%rdi)\n"
    "	mov %rcx, 16(%rdi)\n"
    "	mov %rdx, 24(%rdi)\n"
    "	mov %rsi, 32(%rdi)\n"
    "	pop %rax\n"
    "	mov %rax, 40(%rdi)\n"
    "	mov %rbp, 48(%rdi)\n"
    "	mov %r8, 56(%rdi)\n"
    "	mov %r9, 64(%rdi)\n"
    "	mov %r10, 72(%rdi)\n"
    "	mov %r11, 80(%rdi)\n"
    "	mov %r12, 88(%rdi)\n"
    "	mov %r13, 96(%rdi)\n"
    "	mov %r14, 104(%rdi)\n"
    "	mov %r15, 112(%rdi)\n"
    "	add $8, %rsp\n"
    "	pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n"
    "	ret\n"
    ".popsection\n");

static bool skip_ud2(struct pvisor_trap_frame *f)
{
	seen = *f;
	nr_seen++;
	f->rip += 2;
	return true;
}

static void check_registers(void)
{
	static const u64 want[15] = {
		0x1111111111111101, 0x2222222222222202, 0x3333333333333303,
		0x4444444444444404, 0x5555555555555505, 0x6666666666666606,
		0x7777777777777707, 0x8888888888888808, 0x9999999999999909,
		0xaaaaaaaaaaaaaa0a, 0xbbbbbbbbbbbbbb0b, 0xcccccccccccccc0c,
		0xdddddddddddddd0d, 0xeeeeeeeeeeeeee0e, 0x0f0f0f0f0f0f0f0f,
	};
	u64 out[15], framed[15];
	unsigned int i, bad = 0, bad_frame = 0;

	reset();
	trap_set_handler(TRAP_UD, skip_ud2);
	memset(out, 0, sizeof(out));
	regs_across_trap(out);
	trap_set_handler(TRAP_UD, record);
	/* The frame's registers, in out[]'s order. */
	framed[0] = seen.rax; framed[1] = seen.rbx; framed[2] = seen.rcx;
	framed[3] = seen.rdx; framed[4] = seen.rsi; framed[5] = seen.rdi;
	framed[6] = seen.rbp; framed[7] = seen.r8; framed[8] = seen.r9;
	framed[9] = seen.r10; framed[10] = seen.r11; framed[11] = seen.r12;
	framed[12] = seen.r13; framed[13] = seen.r14; framed[14] = seen.r15;
	for (i = 0; i < 15; i++) {
		bad += out[i] != want[i];
		bad_frame += framed[i] != want[i];
	}
	guest_report(nr_seen == 1 && !bad_frame, "the frame holds every "
		     "register at the trap (%u wrong)", bad_frame);
	guest_report(nr_seen == 1 && !bad, "every register but rip and rsp "
		     "survives a trap and iret (%u changed)", bad);
}

/*
 * A fault inside a handler: the #UD handler touches an unmapped page
 * (its own fault maps it on demand) and runs int3, then resumes; the
 * outer frame must come through intact.
 */
static u64 inner_traps;

static bool nested_ud(struct pvisor_trap_frame *f)
{
	u64 before = trap_count();
	volatile u64 *p = (volatile u64 *)NESTED_VA;

	*p = 0x4e57;			/* #PF, handled by demand paging */
	asm volatile("int3" ::: "memory");	/* #BP, counted below */
	inner_traps = trap_count() - before;
	seen = *f;
	nr_seen++;
	f->rip = probe_after;
	return *p == 0x4e57;
}

static bool count_bp(struct pvisor_trap_frame *f)
{
	(void)f;
	return true;
}

static void check_nested(void)
{
	GUEST_ASSERT(mm_demand_zone(NESTED_VA, 1) == 0);
	trap_set_handler(TRAP_PF, NULL);
	trap_set_handler(TRAP_BP, count_bp);
	trap_set_handler(TRAP_UD, nested_ud);
	reset();
	PROBE("ud2", 0);
	guest_report(nr_seen == 1 && inner_traps == 2 &&
		     seen.vector == TRAP_UD && seen.rip == probe_at,
		     "a fault and a breakpoint inside a handler are handled "
		     "and the outer trap resumes (%llu inner traps)",
		     inner_traps);
	hook_all();
}

/*
 * Single-stepping: with TF set, every guest instruction traps once, with
 * rip after it. The handler must run without TF (or it would trap at its
 * own first instruction for ever), and its iret, which goes through the
 * module's trampoline, must not add steps of its own.
 */
#define MAX_STEPS	8
#define EFLAGS_TF	0x100ULL
static volatile u64 step_rips[MAX_STEPS], nr_steps;
static volatile u64 step_start, step_end;

static bool count_step(struct pvisor_trap_frame *f)
{
	if (nr_steps < MAX_STEPS)
		step_rips[nr_steps] = f->rip;
	nr_steps++;
	if (f->rip == step_end || nr_steps >= MAX_STEPS)
		f->rflags &= ~EFLAGS_TF;
	return true;
}

static void check_single_step(void)
{
	bool ok;

	trap_set_handler(TRAP_DB, count_step);
	nr_steps = 0;
	/* TF takes effect after the instruction that follows popf. */
	asm volatile("lea 1f(%%rip), %%rax\n\t"
		     "mov %%rax, %0\n\t"
		     "lea 2f(%%rip), %%rax\n\t"
		     "mov %%rax, %1\n\t"
		     "pushfq\n\t"
		     "orq $0x100, (%%rsp)\n\t"
		     "popfq\n"
		     "1:\tnop\n\t"
		     "nop\n\t"
		     "nop\n"
		     "2:"
		     : "=m"(step_start), "=m"(step_end) : : "rax", "memory", "cc");
	ok = nr_steps == 3 && step_rips[0] == step_start + 1 &&
	     step_rips[1] == step_start + 2 && step_rips[2] == step_end;
	guest_report(ok, "single-stepping three nops traps once after each "
		     "(%llu steps, first at start+%lld)", nr_steps,
		     nr_steps ? (long long)(step_rips[0] - step_start) : -1LL);
	hook_all();
}

void minnow_main(void)
{
	long ret;

	printk("traps: starting\n");
	mm_init();
	check_set_trap_table();
	ret = trap_init();
	guest_report(ret == 0, "set_trap_table accepts minnow's table (%ld)",
		     ret);
	hook_all();
	check_table_unchanged();
	check_vectors();
	check_page_faults();
	check_demand_paging();
	check_registers();
	check_nested();
	check_single_step();
	ret = hypercall1(PVISOR_HC_SET_TRAP_TABLE, 0);
	guest_report(ret == 0, "set_trap_table(NULL) clears the table (%ld)",
		     ret);
	guest_done();
}
