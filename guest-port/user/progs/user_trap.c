// SPDX-License-Identifier: GPL-2.0
/*
 * One trap from user mode, named by argv[1]; the process must die of the
 * signal Linux sends for it (the test reads the kill reason minnow
 * prints, or the exit status natively). It says what it raises first,
 * and "survived" if it ever gets past it, which is a failure.
 *
 *   de     divide error (#DE)              SIGFPE
 *   int3   breakpoint (#BP)                SIGTRAP
 *   into   into: invalid in 64-bit (#UD)   SIGILL
 *   bound  bound: invalid in 64-bit (#UD)  SIGILL
 *   ud2    invalid opcode (#UD)            SIGILL
 *   hlt    privileged instruction (#GP)    SIGSEGV
 *   cli    privileged instruction (#GP)    SIGSEGV
 *   noncanon  a non-canonical load (#GP)   SIGSEGV
 *   kernel a read of minnow's memory (#PF) SIGSEGV: 16 MiB into
 *          minnow's window, which minnow maps supervisor-only (the
 *          first MiB and a bit above 16 TiB are the module's trampoline
 *          and the context's own trap stacks, Documentation/
 *          minnow-user-mode.rst)
 *   unmapped  a read of an unmapped page   SIGSEGV
 *   null   a write through NULL            SIGSEGV
 *   rocode a write to its own code         SIGSEGV
 *   nxstack  a jump to the stack (NX)      SIGSEGV
 *   ac     a misaligned load with EFLAGS.AC (#AC)  SIGBUS
 */

#include "../ulib.h"

static void raise_it(const char *what)
{
	static const char code_byte = 0;

	if (!strcmp(what, "de")) {
		volatile int zero = 0, one = 1;

		u_printf("%d\n", one / zero);
	} else if (!strcmp(what, "int3")) {
		asm volatile("int3");
	} else if (!strcmp(what, "into")) {
		asm volatile(".byte 0xce");		/* into */
	} else if (!strcmp(what, "bound")) {
		asm volatile(".byte 0x62, 0x00");	/* bound (%rax), %eax */
	} else if (!strcmp(what, "ud2")) {
		asm volatile("ud2");
	} else if (!strcmp(what, "hlt")) {
		asm volatile("hlt");
	} else if (!strcmp(what, "cli")) {
		asm volatile("cli");
	} else if (!strcmp(what, "noncanon")) {
		u_printf("%ld\n", *(volatile long *)0x8000000000000000UL);
	} else if (!strcmp(what, "kernel")) {
		u_printf("%ld\n", *(volatile long *)0x100001000000UL);
	} else if (!strcmp(what, "unmapped")) {
		u_printf("%ld\n", *(volatile long *)0x7000000000UL);
	} else if (!strcmp(what, "null")) {
		*(volatile long *)0 = 1;
	} else if (!strcmp(what, "rocode")) {
		*(volatile char *)(unsigned long)&main = 0;
		*(volatile char *)&code_byte = 1;
	} else if (!strcmp(what, "nxstack")) {
		volatile unsigned char insn[16] = { 0xc3 };	/* ret */

		((void (*)(void))(unsigned long)insn)();
	} else if (!strcmp(what, "ac")) {
		static long words[4];
		char *p = (char *)words + 1;

		asm volatile("pushf\n orq $0x40000, (%%rsp)\n popf\n"
			     "mov (%0), %%rax\n" :: "r"(p) : "rax", "memory");
	}
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";

	u_printf("user_trap: raising %s\n", what);
	raise_it(what);
	u_printf("user_trap: survived %s\n", what);
	return 1;
}
