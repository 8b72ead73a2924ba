// SPDX-License-Identifier: GPL-2.0
/*
 * iretq and lretq executed natively. A ported guest should resume from a
 * trap with the iret hypercall, but nothing stops it from running the
 * instruction itself: it is legal in host user mode, where the guest
 * runs, and the CPU reads its frame from the guest's stack with user
 * privilege. QEMU's TCG reads it with supervisor privilege instead, which
 * the host kernel takes for a kernel bug (Documentation/testing.rst,
 * "iretq and SMAP"); selftests/pvisor/test_iret.sh runs every case beside
 * a well-behaved domain to show that the test host survives them.
 *
 * The command line picks the case ("case=NAME"):
 *
 *   user        iretq to the next instruction with its own cs, ss, rsp
 *               and rflags: it simply goes on; reports and powers off
 *   lret        lretq to the next instruction with its own cs: the same
 *   kernel-cs   iretq naming the host kernel's code segment: #GP, no
 *               trap table -> crashed(unhandled general protection ...)
 *   kernel-cs-trap  the same with a #GP handler installed: the handler
 *               gets the #GP at the iretq, resumes past it, reports and
 *               powers off
 *   nc-stack    iretq with a non-canonical rsp: #GP -> crashed(...)
 *   bad-stack   iretq with rsp at an unmapped address in the window.
 *               On hardware a user-mode page fault, the domain crashes;
 *               under TCG the read is a supervisor one and the host
 *               kernel oopses, so the test runs it only under KVM.
 *
 * Each case says on the console what it is about to do first.
 */

#include "../minnow/console.h"
#include "../minnow/mm.h"
#include "../minnow/test.h"
#include "../minnow/traps.h"

#define KERNEL_CS	0x10ULL		/* the host's __KERNEL_CS */
#define NONCANONICAL	0x8000000000000000ULL
#define UNMAPPED_VA	(PVISOR_WINDOW_BASE + (300ULL << 30))

static const char *cmdline;

/* Does "case=" on the command line name @s? */
static bool is_case(const char *s)
{
	static const char key[] = "case=";
	size_t n = strlen(s);
	const char *p;

	for (p = cmdline; *p; p++)
		if ((p == cmdline || p[-1] == ' ') &&
		    !strncmp(p, key, sizeof(key) - 1) &&
		    !strncmp(p + sizeof(key) - 1, s, n) &&
		    (p[sizeof(key) - 1 + n] == ' ' ||
		     !p[sizeof(key) - 1 + n]))
			return true;
	return false;
}

static u64 read_cs(void)
{
	u64 cs;

	asm volatile("mov %%cs, %0" : "=r"(cs));
	return cs;
}

static u64 read_ss(void)
{
	u64 ss;

	asm volatile("mov %%ss, %0" : "=r"(ss));
	return ss;
}

/*
 * iretq with the frame (rip = the label after it, @cs, rflags as they
 * are, rsp = @rsp or the current one when 0, @ss). Returns whether it
 * came back at the label with its own stack.
 */
static bool iretq(u64 cs, u64 rsp, u64 ss)
{
	u64 before, after;

	asm volatile("mov %%rsp, %0" : "=r"(before));
	asm volatile("mov %%rsp, %%rax\n\t"
		     "test %[rsp], %[rsp]\n\t"
		     "cmovnz %[rsp], %%rax\n\t"
		     "pushq %[ss]\n\t"
		     "pushq %%rax\n\t"
		     "pushfq\n\t"
		     "pushq %[cs]\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     ".globl iret_insn\n"
		     "iret_insn:\n\t"
		     "iretq\n"
		     "1:\n\t"
		     ".globl iret_resume\n"
		     "iret_resume:\n\t"
		     : : [cs] "r"(cs), [rsp] "r"(rsp), [ss] "r"(ss)
		     : "rax", "memory", "cc");
	asm volatile("mov %%rsp, %0" : "=r"(after));
	return before == after;
}

extern const char iret_insn[], iret_resume[];

/* lretq to the next instruction with our own cs. */
static bool lretq(void)
{
	u64 before, after;

	asm volatile("mov %%rsp, %0" : "=r"(before));
	asm volatile("pushq %[cs]\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:\n\t"
		     : : [cs] "r"(read_cs()) : "rax", "memory");
	asm volatile("mov %%rsp, %0" : "=r"(after));
	return before == after;
}

static volatile u64 gp_seen, gp_rip;

/*
 * The #GP of the kernel-cs case: note it and go on at iret_resume with
 * the stack as it was before the frame was pushed.
 */
static bool gp_handler(struct pvisor_trap_frame *f)
{
	gp_seen++;
	gp_rip = f->rip;
	if (f->rip != (u64)iret_insn)
		return false;
	f->rip = (u64)iret_resume;
	f->rsp += 5 * 8;
	return true;
}

void minnow_main(void)
{
	cmdline = start_info->cmd_line;
	mm_init();

	if (is_case("user")) {
		printk("iret: user: iretq to the next instruction (cs 0x%llx, ss 0x%llx)\n",
		       read_cs(), read_ss());
		guest_report(iretq(read_cs(), 0, read_ss()),
			     "iretq with our own cs and ss goes on at the next "
			     "instruction");
		guest_report(iretq(read_cs(), 0, read_ss()), "... twice");
		guest_done();
	}
	if (is_case("lret")) {
		printk("iret: lret: lretq to the next instruction\n");
		guest_report(lretq(), "lretq with our own cs goes on at the "
			     "next instruction");
		guest_done();
	}
	if (is_case("kernel-cs")) {
		printk("iret: kernel-cs: iretq to cs 0x%llx\n", KERNEL_CS);
		iretq(KERNEL_CS, 0, read_ss());
		guest_report(false, "iretq to the kernel's cs came back");
		guest_done();
	}
	if (is_case("kernel-cs-trap")) {
		GUEST_ASSERT(trap_init() == 0);
		trap_set_handler(TRAP_GP, gp_handler);
		printk("iret: kernel-cs-trap: iretq to cs 0x%llx with a #GP handler\n",
		       KERNEL_CS);
		iretq(KERNEL_CS, 0, read_ss());
		guest_report(gp_seen == 1 && gp_rip == (u64)iret_insn,
			     "the #GP reached our handler, at the iretq "
			     "(%llu, rip 0x%llx)", gp_seen, gp_rip);
		guest_report(iretq(read_cs(), 0, read_ss()),
			     "a good iretq still works afterwards");
		guest_done();
	}
	if (is_case("nc-stack")) {
		printk("iret: nc-stack: iretq with rsp 0x%llx\n", NONCANONICAL);
		asm volatile("mov %0, %%rsp\n\tiretq" : : "r"(NONCANONICAL));
	}
	if (is_case("bad-stack")) {
		printk("iret: bad-stack: iretq with rsp 0x%llx\n", UNMAPPED_VA);
		asm volatile("mov %0, %%rsp\n\tiretq" : : "r"(UNMAPPED_VA));
	}
	guest_report(false, "unknown case '%s'", cmdline);
	guest_done();
}
