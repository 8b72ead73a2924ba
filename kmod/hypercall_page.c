// SPDX-License-Identifier: GPL-2.0
/*
 * The hypercall page: one page shared by every domain, mapped read-only
 * and executable as the last page of each guest window (window.c),
 * whatever the guest's tables say. It holds a 32-byte stub per hypercall
 * and a trampoline per vCPU for the iret hypercall; the trampolines find
 * rax and rip on the runner's iret page just below it.
 *
 * A guest calls PVISOR_HYPERCALL_PAGE + N * 32 like any function; the
 * stub turns the call into the runner fd's ioctl (hypercall.c).
 */

#include <linux/gfp.h>
#include <linux/mm.h>
#include <asm/unistd.h>
#include <pvisor/device.h>
#include <pvisor/hypercall.h>
#include <pvisor/netlink.h>

#include "hypercall_page.h"

static struct page *hypercall_page;

/* x86-64 machine code, assembled by hand; see write_stub(). */
#define OP_PUSH_RBX		0x53
#define OP_POP_RBX		0x5b
#define OP_RET			0xc3
#define OP_INT3			0xcc
#define OP_MOV_IMM32_EAX	0xb8
#define OP_MOV_IMM32_ESI	0xbe
#define OP_MOV_IMM32_EDI	0xbf

static u8 *put_imm32(u8 *p, u8 opcode, u32 imm)
{
	*p++ = opcode;
	memcpy(p, &imm, sizeof(imm));
	return p + sizeof(imm);
}

/*
 * Hypercall N becomes ioctl(PVISOR_RUNNER_FD, PVISOR_IOCTL_HYPERCALL(N)).
 * The ioctl needs rdi and rsi, which hold the guest's first two
 * arguments, so argument 1 moves to r9 and argument 2 to rbx, saved on
 * the guest stack around the call; hypercall.c reads both from the saved
 * registers, never from guest memory:
 *
 *	push %rbx; mov %rsi,%rbx; mov %rdi,%r9; mov $fd,%edi;
 *	mov $cmd,%esi; mov $__NR_ioctl,%eax; syscall; pop %rbx; ret
 */
static void write_stub(u8 *p, unsigned int nr)
{
	*p++ = OP_PUSH_RBX;
	*p++ = 0x48; *p++ = 0x89; *p++ = 0xf3;		/* mov %rsi,%rbx */
	*p++ = 0x49; *p++ = 0x89; *p++ = 0xf9;		/* mov %rdi,%r9 */
	p = put_imm32(p, OP_MOV_IMM32_EDI, PVISOR_RUNNER_FD);
	p = put_imm32(p, OP_MOV_IMM32_ESI, PVISOR_IOCTL_HYPERCALL(nr));
	p = put_imm32(p, OP_MOV_IMM32_EAX, __NR_ioctl);
	*p++ = 0x0f; *p++ = 0x05;			/* syscall */
	*p++ = OP_POP_RBX;
	*p++ = OP_RET;
}

/*
 * Where the iret hypercall resumes vCPU @vcpu (trap.c): every register
 * but rax, rip is already the frame's; its slot on the iret page holds
 * rax and rip. Neither instruction touches rsp or the flags.
 *
 *	mov slot(%rip), %rax; jmp *slot+8(%rip)
 */
static void write_iret_trampoline(u8 *page, unsigned int vcpu)
{
	u64 tramp = PVISOR_IRET_TRAMPOLINE(vcpu);
	u64 slot = PVISOR_IRET_PAGE + vcpu * 2 * sizeof(u64);
	u8 *p = page + (tramp - PVISOR_HYPERCALL_PAGE);
	s32 disp;

	*p++ = 0x48; *p++ = 0x8b; *p++ = 0x05;		/* mov disp(%rip),%rax */
	disp = slot - (tramp + 7);
	memcpy(p, &disp, sizeof(disp));
	p += sizeof(disp);
	*p++ = 0xff; *p++ = 0x25;			/* jmp *disp(%rip) */
	disp = slot + 8 - (tramp + 13);
	memcpy(p, &disp, sizeof(disp));
}

/** pvisor_hypercall_page_init() - build the hypercall page */
int pvisor_hypercall_page_init(void)
{
	unsigned int nr;
	u8 *page;

	BUILD_BUG_ON(PVISOR_NR_HYPERCALLS * PVISOR_HYPERCALL_STRIDE > PAGE_SIZE);
	BUILD_BUG_ON(PVISOR_IOCTL_HYPERCALL_BASE + PVISOR_NR_HYPERCALLS > 0x100);
	BUILD_BUG_ON(PVISOR_IRET_TRAMPOLINE(PVISOR_MAX_VCPUS) >
		     PVISOR_HYPERCALL_PAGE + PAGE_SIZE);
	BUILD_BUG_ON(PVISOR_MAX_VCPUS * 2 * sizeof(u64) > PAGE_SIZE);

	hypercall_page = alloc_page(GFP_KERNEL);
	if (!hypercall_page)
		return -ENOMEM;
	page = page_address(hypercall_page);
	/* Anything but a stub's first byte traps. */
	memset(page, OP_INT3, PAGE_SIZE);
	for (nr = 0; nr < PVISOR_NR_HYPERCALLS; nr++)
		write_stub(page + nr * PVISOR_HYPERCALL_STRIDE, nr);
	for (nr = 0; nr < PVISOR_MAX_VCPUS; nr++)
		write_iret_trampoline(page, nr);
	return 0;
}

/** pvisor_hypercall_page_exit() - free the hypercall page */
void pvisor_hypercall_page_exit(void)
{
	__free_page(hypercall_page);
}

/** pvisor_hypercall_page_pfn() - the frame every guest window maps last */
unsigned long pvisor_hypercall_page_pfn(void)
{
	return page_to_pfn(hypercall_page);
}
