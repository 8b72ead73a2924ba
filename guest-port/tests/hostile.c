// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile guest: the command line picks one attack ("case=NAME",
 * below), the guest says on its console what it is about to do, and
 * does it. selftests/pvisor/test_hostile.sh runs every case beside a
 * well-behaved guest and checks how each ends:
 *
 * Killed by the runner's seccomp filter, "forbidden host system call":
 *   execve open openat mmap ptrace getpid   that host system call
 *   ioctl fd=N [cmd=C]                      ioctl on fd N (decimal or
 *                                           0x hex: 0, 4, 3 with upper
 *                                           bits set...), or on fd 3 with
 *                                           a pvisor cmd outside the
 *                                           allowed set (C: attach,
 *                                           setcontext, memory, abi)
 *   stub-syscall                            a jump to a hypercall stub's
 *                                           syscall instruction with rax
 *                                           = getpid
 *   stub-fd                                 a jump past the stub's fd
 *                                           load, with rdi = 0
 * Crashed by the module:
 *   hcpage-write                            a write over the hypercall
 *                                           page (after trying to map
 *                                           its own page there)
 *   pte-beyond, table-beyond                a leaf / a top-level entry
 *                                           naming a pfn beyond the
 *                                           reservation, then a touch
 * Refused with an errno; the guest reports and powers off:
 *   ioctl-highbits                          hypercalls with bits above
 *                                           31 of the ioctl cmd set
 *   mmu-bad                                 mmu_update, mmuext_op and
 *                                           update_va_mapping with bad
 *                                           pointers and huge batches
 * Never ends on its own:
 *   spin                                    jmp . (the host destroys it)
 *
 * It installs no trap table, so that every fault is the module's to
 * report.
 */

#include <linux/errno.h>
#include <pvisor/device.h>
#include <pvisor/hypercall.h>

#include "../minnow/console.h"
#include "../minnow/hypercall.h"
#include "../minnow/mm.h"
#include "../minnow/test.h"

#define SYS_open	2
#define SYS_mmap	9
#define SYS_getpid	39
#define SYS_execve	59
#define SYS_ptrace	101
#define SYS_openat	257
#define SYS_ioctl	16

#define RUNNER_TEXT	0x400000ULL	/* the runner's own code */
#define UNMAPPED_VA	(PVISOR_WINDOW_BASE + (300ULL << 30))
#define HC_VERSION_STUB	(PVISOR_HYPERCALL_PAGE + \
			 PVISOR_HC_VERSION * PVISOR_HYPERCALL_STRIDE)

static const char *cmdline;

/* The value of "@key=" on the command line, or NULL. */
static const char *option(const char *key)
{
	size_t n = strlen(key);
	const char *p;

	for (p = cmdline; *p; p++)
		if ((p == cmdline || p[-1] == ' ') && !strncmp(p, key, n) &&
		    p[n] == '=')
			return p + n + 1;
	return NULL;
}

/* Does the option's value (ending at a space) equal @s? */
static bool is(const char *v, const char *s)
{
	size_t n = strlen(s);

	return v && !strncmp(v, s, n) && (v[n] == ' ' || !v[n]);
}

static u64 number(const char *v)
{
	unsigned int base = 10;
	u64 n = 0;

	if (v[0] == '0' && v[1] == 'x') {
		base = 16;
		v += 2;
	}
	for (;; v++) {
		unsigned int d;

		if (*v >= '0' && *v <= '9')
			d = (unsigned int)(*v - '0');
		else if (base == 16 && *v >= 'a' && *v <= 'f')
			d = (unsigned int)(*v - 'a' + 10);
		else
			return n;
		n = n * base + d;
	}
}

static long syscall3(u64 nr, u64 a, u64 b, u64 c)
{
	long ret;

	asm volatile("syscall"
		     : "=a"(ret)
		     : "0"(nr), "D"(a), "S"(b), "d"(c)
		     : "rcx", "r11", "memory");
	return ret;
}

/* Whatever a forbidden call returns, getting here is the failure. */
static void survived(const char *what, long ret)
{
	guest_report(false, "%s returned %ld: the filter let it through",
		     what, ret);
	guest_done();
}

static void forbidden_syscall(const char *name, u64 nr)
{
	static const char path[] = "/bin/sh";
	long ret;

	printk("hostile: %s: trying host system call %llu\n", name, nr);
	switch (nr) {
	case SYS_execve:
		ret = syscall3(nr, (u64)path, 0, 0);
		break;
	case SYS_open:
		ret = syscall3(nr, (u64)"/etc/passwd", 0, 0);
		break;
	case SYS_openat:
		ret = syscall3(nr, (u64)-100, (u64)"/etc/passwd", 0);
		break;
	case SYS_mmap: {
		register u64 r10 asm("r10") = 0x22;	/* private anonymous */
		register u64 r8 asm("r8") = (u64)-1;
		register u64 r9 asm("r9") = 0;

		asm volatile("syscall"
			     : "=a"(ret)
			     : "0"(nr), "D"(0ULL), "S"(4096ULL), "d"(7ULL),
			       "r"(r10), "r"(r8), "r"(r9)
			     : "rcx", "r11", "memory");
		break;
	}
	case SYS_ptrace:
		ret = syscall3(nr, 0 /* PTRACE_TRACEME */, 0, 0);
		break;
	default:
		ret = syscall3(nr, 0, 0, 0);
		break;
	}
	survived(name, ret);
}

static void forbidden_ioctl(void)
{
	struct pvisor_runner_attach attach = { .domid = 1 };
	struct pvisor_vcpu_context ctx = { .vcpu = 0 };
	struct pvisor_domain_memory mem = { .domid = 1 };
	const char *fd_opt = option("fd"), *cmd_opt = option("cmd");
	u64 fd = fd_opt ? number(fd_opt) : PVISOR_RUNNER_FD;
	u64 cmd = PVISOR_IOCTL_HYPERCALL(PVISOR_HC_VERSION), arg = 0;

	if (is(cmd_opt, "attach")) {
		cmd = PVISOR_IOCTL_RUNNER_ATTACH;
		arg = (u64)&attach;
	} else if (is(cmd_opt, "setcontext")) {
		cmd = PVISOR_IOCTL_VCPU_SET_CONTEXT;
		arg = (u64)&ctx;
	} else if (is(cmd_opt, "memory")) {
		cmd = PVISOR_IOCTL_DOMAIN_MEMORY;
		arg = (u64)&mem;
	} else if (is(cmd_opt, "abi")) {
		cmd = PVISOR_IOCTL_ABI_VERSION;
	}
	printk("hostile: ioctl: fd 0x%llx, cmd 0x%llx\n", fd, cmd);
	survived("the ioctl", syscall3(SYS_ioctl, fd, cmd, arg));
}

/*
 * Hypercall @nr the way the stub makes it, but with @hi in the upper
 * half of the ioctl cmd: argument 1 in r9, argument 2 in rbx.
 */
static long hypercall_hi(u64 hi, unsigned int nr, u64 a1, u64 a2, u64 a3)
{
	register u64 r9 asm("r9") = a1;
	register u64 rbx asm("rbx") = a2;
	long ret;

	asm volatile("syscall"
		     : "=a"(ret), "+r"(rbx), "+r"(r9)
		     : "0"((u64)SYS_ioctl), "D"((u64)PVISOR_RUNNER_FD),
		       "S"(hi << 32 | PVISOR_IOCTL_HYPERCALL(nr)), "d"(a3)
		     : "rcx", "r11", "memory");
	return ret;
}

/*
 * The kernel's ioctl takes an unsigned int cmd, and the filter checks
 * only the low 32 bits (DESIGN.md): set upper bits are let through and
 * dropped, so the call is the plain hypercall. Harmless, and checked.
 */
static void high_bits(void)
{
	static const char line[] = "hostile: ioctl-highbits: a console line "
				   "through a cmd with bit 32 set\n";
	long v;

	printk("hostile: ioctl-highbits: hypercalls with upper cmd bits\n");
	v = hypercall_hi(1, PVISOR_HC_VERSION, PVISOR_VERSION_VERSION, 0, 0);
	guest_report(v == hv_version(), "version with bit 32 of the cmd set "
		     "works as the plain call (0x%lx)", v);
	v = hypercall_hi(0xffffffff, PVISOR_HC_VERSION,
			 PVISOR_VERSION_VERSION, 0, 0);
	guest_report(v == hv_version(), "... with bits 32-63 set too (0x%lx)",
		     v);
	v = hypercall_hi(1, PVISOR_HC_CONSOLE_IO, PVISOR_CONSOLEIO_WRITE,
			 sizeof(line) - 1, (u64)line);
	guest_report(v == sizeof(line) - 1, "console_io with bit 32 set "
		     "writes its line (%ld)", v);
	v = hypercall_hi(1, PVISOR_HC_CONSOLE_IO, PVISOR_CONSOLEIO_WRITE, 16,
			 RUNNER_TEXT);
	guest_report(v == -EFAULT, "... and still checks its buffer (%ld)", v);
	guest_done();
}

/* Offset in the version stub of the first byte @op after offset @from. */
static int stub_find(const u8 *stub, u8 op, int from)
{
	int i;

	for (i = from; i < PVISOR_HYPERCALL_STRIDE - 1; i++)
		if (stub[i] == op)
			return i;
	return -1;
}

/*
 * Jump into the middle of a stub. The page is readable, so find the
 * places: the syscall instruction (0f 05), and the cmd load that follows
 * the fd load (mov $imm32,%edi is bf, then mov $imm32,%esi is be).
 */
static void stub_middle(bool at_syscall)
{
	const u8 *stub = (const u8 *)HC_VERSION_STUB;
	u64 target;
	int sys = stub_find(stub, 0x0f, 0), fd = stub_find(stub, 0xbf, 0);
	long ret;

	GUEST_ASSERT(sys > 0 && stub[sys + 1] == 0x05);
	GUEST_ASSERT(fd >= 0 && stub[fd + 5] == 0xbe);
	if (at_syscall) {
		printk("hostile: stub-syscall: jumping to stub+%d with rax = "
		       "getpid\n", sys);
		target = HC_VERSION_STUB + sys;
		asm volatile("call *%%rcx"
			     : "=a"(ret), "+c"(target)
			     : "0"((u64)SYS_getpid)
			     : "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
			       "memory");
	} else {
		printk("hostile: stub-fd: jumping to stub+%d with rdi = 0\n",
		       fd + 5);
		target = HC_VERSION_STUB + fd + 5;
		asm volatile("call *%%rcx"
			     : "=a"(ret), "+c"(target)
			     : "D"(0ULL)
			     : "rdx", "rsi", "r8", "r9", "r10", "r11",
			       "memory");
	}
	survived("the stub", ret);
}

static void hcpage_write(void)
{
	u64 pfn = alloc_page_pfn();
	long ret;

	printk("hostile: hcpage-write: mapping a page of its own there\n");
	ret = hv_update_va_mapping(PVISOR_HYPERCALL_PAGE,
				   (pfn << PAGE_SHIFT) | PVISOR_PTE_PRESENT |
				   PVISOR_PTE_RW, PVISOR_UVMF_INVLPG);
	guest_report(ret < 0, "update_va_mapping refuses the hypercall page "
		     "(%ld)", ret);
	printk("hostile: hcpage-write: writing over the hypercall page\n");
	*(volatile u8 *)(PVISOR_HYPERCALL_PAGE + 0x20) = 0xc3;
	guest_report(false, "wrote over the hypercall page");
	guest_done();
}

static void beyond(bool top_level)
{
	u64 bad_pfn = mm_nr_pages() + 0x100;
	u64 va, v;

	if (top_level) {
		/* A free top-level slot: 256 GiB-aligned, above the physmap. */
		struct pvisor_mmu_update req;
		u64 top = mm_top_pfn();
		unsigned int slot = ((PVISOR_WINDOW_BASE >> 39) & 511) + 1;

		va = PVISOR_WINDOW_BASE + (1ULL << 39);
		req.ptr = (top << PAGE_SHIFT) + slot * 8;
		req.val = (bad_pfn << PAGE_SHIFT) | PVISOR_PTE_PRESENT |
			  PVISOR_PTE_RW;
		printk("hostile: table-beyond: top-level entry %u names pfn "
		       "0x%llx\n", slot, bad_pfn);
		GUEST_ASSERT(hv_mmu_update(&req, 1, NULL) == 0);
	} else {
		struct pvisor_mmuext_op op = {
			.cmd = PVISOR_MMUEXT_INVLPG_LOCAL,
		};
		u64 *pte;

		va = (u64)pfn_to_virt(alloc_page_pfn());
		pte = lookup_pte(va);
		GUEST_ASSERT(pte);
		printk("hostile: pte-beyond: the entry for 0x%llx names pfn "
		       "0x%llx\n", va, bad_pfn);
		*pte = (bad_pfn << PAGE_SHIFT) | PVISOR_PTE_PRESENT |
		       PVISOR_PTE_RW | PVISOR_PTE_NX;
		op.arg1 = va;
		GUEST_ASSERT(hv_mmuext_op(&op, 1, NULL) == 0);
	}
	v = *(volatile u64 *)va;
	guest_report(false, "read 0x%llx through a pfn beyond memory", v);
	guest_done();
}

static void mmu_bad(void)
{
	struct pvisor_mmu_update req[2];
	struct pvisor_mmuext_op op = { .cmd = PVISOR_MMUEXT_TLB_FLUSH_LOCAL };
	u64 va = (u64)pfn_to_virt(alloc_page_pfn());
	u64 *pte = lookup_pte(va);
	u32 done;
	long ret;

	printk("hostile: mmu-bad: bad pointers and huge batches\n");
	GUEST_ASSERT(pte);
	/* A harmless request: the entry's own value, written again. */
	req[0].ptr = (virt_to_pfn(pte) << PAGE_SHIFT) + ((u64)pte % PAGE_SIZE);
	req[0].val = *pte;
	req[1] = req[0];

	ret = hv_mmu_update((void *)RUNNER_TEXT, 1, NULL);
	guest_report(ret == -EFAULT, "mmu_update: requests in the runner's "
		     "code -> -EFAULT (%ld)", ret);
	ret = hv_mmu_update((void *)(PVISOR_HYPERCALL_PAGE - 16), 2, NULL);
	guest_report(ret == -EFAULT, "mmu_update: requests running past the "
		     "window's end -> -EFAULT (%ld)", ret);
	ret = hv_mmu_update((void *)UNMAPPED_VA, 1, NULL);
	guest_report(ret == -EFAULT, "mmu_update: requests at an unmapped "
		     "address -> -EFAULT (%ld)", ret);
	ret = hv_mmu_update(req, 1, (u32 *)RUNNER_TEXT);
	guest_report(ret == -EFAULT, "mmu_update: done count in the runner's "
		     "code -> -EFAULT (%ld)", ret);
	ret = hv_mmu_update(req, 1U << 30, NULL);
	guest_report(ret == -E2BIG, "mmu_update: 1<<30 requests -> -E2BIG "
		     "(%ld)", ret);
	ret = hypercall4(PVISOR_HC_MMU_UPDATE, req, (1ULL << 32) | 1, 0, 0);
	guest_report(ret == -E2BIG, "mmu_update: (1<<32)+1 requests, not "
		     "truncated to 1 -> -E2BIG (%ld)", ret);
	ret = hv_mmu_update(req, PVISOR_MMU_UPDATE_MAX + 1, NULL);
	guest_report(ret == -E2BIG, "mmu_update: %d requests -> -E2BIG (%ld)",
		     PVISOR_MMU_UPDATE_MAX + 1, ret);
	ret = hypercall4(PVISOR_HC_MMU_UPDATE, req, 1, 0, 7);
	guest_report(ret == -EPERM, "mmu_update: another domain -> -EPERM "
		     "(%ld)", ret);
	req[1].ptr = mm_nr_pages() << PAGE_SHIFT;
	done = 99;
	ret = hv_mmu_update(req, 2, &done);
	guest_report(ret == -EINVAL && done == 1, "mmu_update: an entry "
		     "beyond the reservation -> -EINVAL after 1 (%ld, %u)",
		     ret, done);
	req[1].ptr = req[0].ptr + 4;
	ret = hv_mmu_update(&req[1], 1, NULL);
	guest_report(ret == -EINVAL, "mmu_update: an unaligned entry -> "
		     "-EINVAL (%ld)", ret);

	ret = hv_mmuext_op((void *)RUNNER_TEXT, 1, NULL);
	guest_report(ret == -EFAULT, "mmuext_op: ops in the runner's code -> "
		     "-EFAULT (%ld)", ret);
	ret = hv_mmuext_op(&op, 1U << 30, NULL);
	guest_report(ret == -E2BIG, "mmuext_op: 1<<30 ops -> -E2BIG (%ld)",
		     ret);
	ret = hv_update_va_mapping(PVISOR_HYPERCALL_PAGE, 0,
				   PVISOR_UVMF_INVLPG);
	guest_report(ret < 0, "update_va_mapping: the hypercall page -> "
		     "refused (%ld)", ret);
	ret = hv_update_va_mapping(va, 0, 0x40);
	guest_report(ret == -EINVAL, "update_va_mapping: unknown flags -> "
		     "-EINVAL (%ld)", ret);
	*(volatile u64 *)va = 0x600d;
	guest_report(*(volatile u64 *)va == 0x600d, "the guest still runs and "
		     "its memory still works");
	guest_done();
}

void minnow_main(void)
{
	static const struct { const char *name; u64 nr; } calls[] = {
		{ "execve", SYS_execve }, { "open", SYS_open },
		{ "openat", SYS_openat }, { "mmap", SYS_mmap },
		{ "ptrace", SYS_ptrace }, { "getpid", SYS_getpid },
	};
	const char *c;
	unsigned int i;

	cmdline = start_info->cmd_line;
	mm_init();
	c = option("case");
	for (i = 0; i < ARRAY_SIZE(calls); i++)
		if (is(c, calls[i].name))
			forbidden_syscall(calls[i].name, calls[i].nr);
	if (is(c, "ioctl"))
		forbidden_ioctl();
	if (is(c, "ioctl-highbits"))
		high_bits();
	if (is(c, "stub-syscall") || is(c, "stub-fd"))
		stub_middle(is(c, "stub-syscall"));
	if (is(c, "hcpage-write"))
		hcpage_write();
	if (is(c, "pte-beyond") || is(c, "table-beyond"))
		beyond(is(c, "table-beyond"));
	if (is(c, "mmu-bad"))
		mmu_bad();
	if (is(c, "spin")) {
		printk("hostile: spin: spinning\n");
		asm volatile("1: jmp 1b");
	}
	guest_report(false, "unknown case '%s'", cmdline);
	guest_done();
}
