// SPDX-License-Identifier: GPL-2.0
/*
 * The trampoline page: the only code in a context process from which a
 * system call reaches the host (the context's seccomp filter gates on
 * the instruction pointer, Documentation/guest-processes.rst). One page
 * for every context of every domain, mapped read and execute only at
 * PVISOR_CTX_TRAMPOLINE (context_window.c). It holds three pieces:
 *
 * trap_entry, the SA_SIGINFO handler of every signal guest user code
 * raises: ioctl(PVISOR_CTX_FD, PVISOR_IOCTL_CTX_TRAP, ucontext), which
 * reports the trap and sleeps until the guest kernel runs the thread
 * again (user_run.c), then returns to the restorer; a refused report
 * (the context is dying, or the call was forged) executes ud2 with every
 * signal blocked, which the host turns into the process's death.
 *
 * restorer, every handler's sa_restorer: rt_sigreturn, which loads the
 * registers the module wrote into the ucontext.
 *
 * start, where vCPU 0's thread of a new context process jumps once the
 * other threads are parked, on its trap stack, with rdi pointing at the
 * filter (a struct sock_fprog outside the user window): it unmaps the
 * whole user range (the factory's code and data included), maps the
 * user window there, installs the filter for every thread and parks
 * (ud2, reported like any trap). Any failure exits the process.
 *
 * Anything else on the page is int3. Nothing on it reads or writes
 * memory but the stack (ret), so jumping into it with crafted registers
 * gains nothing a trap report would not give.
 */

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/seccomp.h>
#include <asm/unistd.h>
#include <pvisor/context.h>
#include <pvisor/device.h>

#include "trampoline.h"

/* Exit status of a context process whose start failed. */
#define START_FAILED	126

static struct page *trampoline_page;

struct asm_buf {
	u8 *p;
};

static void emit(struct asm_buf *a, const u8 *bytes, size_t n)
{
	memcpy(a->p, bytes, n);
	a->p += n;
}

#define EMIT(a, ...) do {					\
	static const u8 b_[] = { __VA_ARGS__ };			\
	emit(a, b_, sizeof(b_));				\
} while (0)

/* mov $imm32, %reg32 (eax 0, edx 2, esi 6, edi 7): b8+reg imm32 */
static void mov32(struct asm_buf *a, u8 reg, u32 imm)
{
	*a->p++ = 0xb8 + reg;
	memcpy(a->p, &imm, 4);
	a->p += 4;
}

/* movabs $imm64, %rsi */
static void movabs_rsi(struct asm_buf *a, u64 imm)
{
	EMIT(a, 0x48, 0xbe);
	memcpy(a->p, &imm, 8);
	a->p += 8;
}

#define REG_EAX	0
#define REG_EDX	2
#define REG_ESI	6
#define REG_EDI	7

static void syscall_insn(struct asm_buf *a)
{
	EMIT(a, 0x0f, 0x05);
}

static void ud2(struct asm_buf *a)
{
	EMIT(a, 0x0f, 0x0b);
}

/* jnz to @target (a short jump; both inside the start code) */
static u8 *jnz_placeholder(struct asm_buf *a)
{
	EMIT(a, 0x75, 0x00);
	return a->p - 1;
}

static void patch_jump(u8 *disp, u8 *target)
{
	*disp = (u8)(target - (disp + 1));
}

/* Where @a is, as an address in a context process. */
static u64 at(const struct asm_buf *a, const u8 *page)
{
	return PVISOR_CTX_TRAMPOLINE + (a->p - page);
}

static int write_trap_entry(u8 *page)
{
	struct asm_buf a = { page + (PVISOR_CTX_TRAP_ENTRY - PVISOR_CTX_TRAMPOLINE) };
	u64 call_end;

	/* rdx already holds the handler's third argument, the ucontext */
	mov32(&a, REG_EDI, PVISOR_CTX_FD);
	mov32(&a, REG_ESI, PVISOR_IOCTL_CTX_TRAP);
	mov32(&a, REG_EAX, __NR_ioctl);
	syscall_insn(&a);
	call_end = at(&a, page);
	EMIT(&a, 0x85, 0xc0);		/* test %eax, %eax */
	EMIT(&a, 0x75, 0x01);		/* jnz 1f */
	EMIT(&a, 0xc3);			/* ret: to the restorer */
	if (call_end != PVISOR_CTX_TRAP_CALL_END ||
	    at(&a, page) != call_end + PVISOR_CTX_TRAP_TAIL)
		return -EINVAL;		/* the filter and kicks rely on these */
	ud2(&a);			/* 1: refused */
	return 0;
}

static int write_restorer(u8 *page)
{
	struct asm_buf a = { page + (PVISOR_CTX_RESTORER - PVISOR_CTX_TRAMPOLINE) };

	mov32(&a, REG_EAX, __NR_rt_sigreturn);
	syscall_insn(&a);
	if (at(&a, page) != PVISOR_CTX_RESTORER_CALL_END)
		return -EINVAL;
	ud2(&a);
	return 0;
}

static void write_start(u8 *page)
{
	struct asm_buf a = { page + (PVISOR_CTX_START - PVISOR_CTX_TRAMPOLINE) };
	u8 *fail[3];

	EMIT(&a, 0x48, 0x89, 0xfb);	/* mov %rdi, %rbx: the filter */

	/* munmap(0, PVISOR_USER_TOP): the factory's memory goes */
	mov32(&a, REG_EAX, __NR_munmap);
	EMIT(&a, 0x31, 0xff);		/* xor %edi, %edi */
	movabs_rsi(&a, PVISOR_USER_TOP);
	syscall_insn(&a);
	EMIT(&a, 0x85, 0xc0);		/* test %eax, %eax */
	fail[0] = jnz_placeholder(&a);

	/* mmap(USER_BASE, USER_TOP - USER_BASE, RWX, SHARED|FIXED, fd, 0) */
	mov32(&a, REG_EAX, __NR_mmap);
	mov32(&a, REG_EDI, PVISOR_USER_BASE);
	movabs_rsi(&a, PVISOR_USER_TOP - PVISOR_USER_BASE);
	mov32(&a, REG_EDX, PROT_READ | PROT_WRITE | PROT_EXEC);
	EMIT(&a, 0x41, 0xba);		/* mov $flags, %r10d */
	{
		u32 flags = MAP_SHARED | MAP_FIXED;

		memcpy(a.p, &flags, 4);
		a.p += 4;
	}
	EMIT(&a, 0x41, 0xb8);		/* mov $fd, %r8d */
	{
		u32 fd = PVISOR_CTX_FD;

		memcpy(a.p, &fd, 4);
		a.p += 4;
	}
	EMIT(&a, 0x45, 0x31, 0xc9);	/* xor %r9d, %r9d */
	syscall_insn(&a);
	EMIT(&a, 0x48, 0x3d);		/* cmp $USER_BASE, %rax */
	{
		u32 base = PVISOR_USER_BASE;

		memcpy(a.p, &base, 4);
		a.p += 4;
	}
	fail[1] = jnz_placeholder(&a);

	/* seccomp(SET_MODE_FILTER, TSYNC, filter) */
	mov32(&a, REG_EAX, __NR_seccomp);
	mov32(&a, REG_EDI, SECCOMP_SET_MODE_FILTER);
	mov32(&a, REG_ESI, SECCOMP_FILTER_FLAG_TSYNC);
	EMIT(&a, 0x48, 0x89, 0xda);	/* mov %rbx, %rdx */
	syscall_insn(&a);
	EMIT(&a, 0x85, 0xc0);		/* test %eax, %eax */
	fail[2] = jnz_placeholder(&a);

	ud2(&a);			/* park: the first trap report */

	patch_jump(fail[0], a.p);
	patch_jump(fail[1], a.p);
	patch_jump(fail[2], a.p);
	mov32(&a, REG_EDI, START_FAILED);
	mov32(&a, REG_EAX, __NR_exit_group);
	syscall_insn(&a);
	ud2(&a);
}

/** pvisor_trampoline_init() - build the trampoline page */
int pvisor_trampoline_init(void)
{
	u8 *page;

	BUILD_BUG_ON(PVISOR_CTX_TRAMPOLINE < PVISOR_USER_TOP);
	BUILD_BUG_ON(PVISOR_CTX_STACKS < PVISOR_CTX_TRAMPOLINE + PAGE_SIZE);
	BUILD_BUG_ON(PVISOR_USER_BASE > 0x7fffffff);

	trampoline_page = alloc_page(GFP_KERNEL);
	if (!trampoline_page)
		return -ENOMEM;
	page = page_address(trampoline_page);
	memset(page, 0xcc, PAGE_SIZE);	/* int3 */
	if (WARN_ON(write_trap_entry(page) || write_restorer(page))) {
		__free_page(trampoline_page);
		return -EINVAL;
	}
	write_start(page);
	return 0;
}

/** pvisor_trampoline_exit() - free it */
void pvisor_trampoline_exit(void)
{
	__free_page(trampoline_page);
}

/** pvisor_trampoline_pfn() - the frame every context maps there */
unsigned long pvisor_trampoline_pfn(void)
{
	return page_to_pfn(trampoline_page);
}
