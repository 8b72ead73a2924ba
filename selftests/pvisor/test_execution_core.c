// SPDX-License-Identifier: GPL-2.0
/*
 * The execution core, tested from below: guestrun (selftests/lib) is this
 * program's domain builder and runner, and the guests are hand-written
 * assembly. The test checks what each guest did (results it stored in its
 * memory, console output, and how the domain stopped).
 *
 * It covers the module's side: hypercall dispatch and argument checks,
 * shadow fills honouring present/RW/NX and the reservation, invalidation,
 * shutdown and crash reasons, and the runner fd's own bad inputs. The
 * confinement (seccomp, privileges) belongs to pvrun and is tested with
 * it; this runner runs unconfined on purpose.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pvisor/device.h>
#include <pvisor/hypercall.h>

#include "guestrun.h"
#include "pvtest.h"

#define PREFIX		"xc-"

#define PFN_L1		GR_PFN_L1
#define PFN_CODE	GR_PFN_CODE
#define PFN_RESULTS	GR_PFN_RESULTS
#define PFN_SCRATCH	GR_PFN_SCRATCH
#define PFN_HOLE	GR_PFN_HOLE
#define BAD_PFN		GR_BAD_PFN
#define VA(pfn)		GR_VA(pfn)
#define GVA(pfn)	GR_ASM_VA(pfn)
#define G_HCPAGE	GR_HCPAGE
#define STR(x)		GR_STR(x)
#define HCALL(nr)	GR_HCALL(nr)

/* Results the main guest stores, as u64 slots of its results page. */
enum {
	R_VERSION, R_CONSOLE, R_CONSOLE_OUTSIDE, R_UNKNOWN_HC,
	R_MMU_BAD_PFN, R_MMU_GOOD, R_READ_REMAPPED, R_UVM_UNMAP,
	R_NEW_BASEPTR_BAD, R_MMU_FOREIGN, R_MMU_TOO_MANY, R_TLB_FLUSH,
	R_BAD_REASON, R_MARKER, NR_RESULTS
};
#define MARKER		0x600d

#define CONSOLE_TEXT	"hello from the guest\n"

/*
 * The guests. rbx points at the results page throughout; hypercalls
 * clobber rax, rcx, r11, r9 and the argument registers, never rbx.
 */
asm(".pushsection .guest_text, \"ax\"\n"
    ".globl guest_start\n"
    "guest_start:\n"

    ".globl guest_main\n"
    "guest_main:\n"
    "movabs $" STR(GVA(PFN_RESULTS)) ", %rbx\n"
    /* version */
    "xor %edi, %edi\n" HCALL(17) "mov %rax, 0(%rbx)\n"
    /* console write of the text the host left at scratch + 0x100 */
    "xor %edi, %edi\n mov $21, %esi\n"
    "movabs $(" STR(GVA(PFN_SCRATCH)) " + 0x100), %rdx\n"
    HCALL(18) "mov %rax, 8(%rbx)\n"
    /* console write from outside the window */
    "xor %edi, %edi\n mov $4, %esi\n mov $0x400000, %edx\n"
    HCALL(18) "mov %rax, 16(%rbx)\n"
    /* an unknown hypercall */
    HCALL(63) "mov %rax, 24(%rbx)\n"
    /* mmu_update naming a table beyond the reservation (scratch + 0) */
    "movabs $" STR(GVA(PFN_SCRATCH)) ", %rdi\n mov $1, %esi\n"
    "movabs $(" STR(GVA(PFN_SCRATCH)) " + 0x80), %rdx\n xor %r10d, %r10d\n"
    HCALL(1) "mov %rax, 32(%rbx)\n"
    /* mmu_update mapping the hole onto the results page, read-only */
    "movabs $(" STR(GVA(PFN_SCRATCH)) " + 0x10), %rdi\n mov $1, %esi\n"
    "movabs $(" STR(GVA(PFN_SCRATCH)) " + 0x88), %rdx\n xor %r10d, %r10d\n"
    HCALL(1) "mov %rax, 40(%rbx)\n"
    /* read the version back through the new mapping */
    "movabs $" STR(GVA(PFN_HOLE)) ", %rcx\n mov (%rcx), %rax\n"
    "mov %rax, 48(%rbx)\n"
    /* update_va_mapping: unmap it again */
    "movabs $" STR(GVA(PFN_HOLE)) ", %rdi\n xor %esi, %esi\n mov $2, %edx\n"
    HCALL(14) "mov %rax, 56(%rbx)\n"
    /* mmuext NEW_BASEPTR beyond the reservation (scratch + 0x20) */
    "movabs $(" STR(GVA(PFN_SCRATCH)) " + 0x20), %rdi\n mov $1, %esi\n"
    "xor %edx, %edx\n xor %r10d, %r10d\n"
    HCALL(26) "mov %rax, 64(%rbx)\n"
    /* mmu_update on behalf of another domain */
    "movabs $(" STR(GVA(PFN_SCRATCH)) " + 0x10), %rdi\n mov $1, %esi\n"
    "xor %edx, %edx\n mov $7, %r10d\n"
    HCALL(1) "mov %rax, 72(%rbx)\n"
    /* mmu_update with more requests than a batch may hold */
    "movabs $(" STR(GVA(PFN_SCRATCH)) " + 0x10), %rdi\n mov $4097, %esi\n"
    "xor %edx, %edx\n xor %r10d, %r10d\n"
    HCALL(1) "mov %rax, 80(%rbx)\n"
    /* mmuext TLB_FLUSH_LOCAL (scratch + 0x40) */
    "movabs $(" STR(GVA(PFN_SCRATCH)) " + 0x40), %rdi\n mov $1, %esi\n"
    "xor %edx, %edx\n xor %r10d, %r10d\n"
    HCALL(26) "mov %rax, 88(%rbx)\n"
    /* shutdown with a reason that does not exist (scratch + 0x208) */
    "mov $2, %edi\n movabs $(" STR(GVA(PFN_SCRATCH)) " + 0x208), %rsi\n"
    HCALL(29) "mov %rax, 96(%rbx)\n"
    "movq $" STR(MARKER) ", 104(%rbx)\n"
    /* power off (scratch + 0x200 holds reason 0) */
    "mov $2, %edi\n movabs $(" STR(GVA(PFN_SCRATCH)) " + 0x200), %rsi\n"
    HCALL(29)
    "ud2\n"

    ".globl guest_crash_request\n"
    "guest_crash_request:\n"
    "mov $2, %edi\n movabs $(" STR(GVA(PFN_SCRATCH)) " + 0x210), %rsi\n"
    HCALL(29)
    "ud2\n"

    ".globl guest_touch_hole\n"
    "guest_touch_hole:\n"
    "movabs $" STR(GVA(PFN_HOLE)) ", %rcx\n mov (%rcx), %rax\n ud2\n"

    ".globl guest_write_ro\n"
    "guest_write_ro:\n"
    "movabs $" STR(GVA(GR_PFN_RO)) ", %rcx\n movq $1, (%rcx)\n ud2\n"

    ".globl guest_exec_nx\n"
    "guest_exec_nx:\n"
    "movabs $" STR(GVA(GR_PFN_NX)) ", %rax\n jmp *%rax\n"

    ".globl guest_bad_pfn\n"
    "guest_bad_pfn:\n"
    "movabs $" STR(GVA(GR_PFN_BAD)) ", %rcx\n mov (%rcx), %rax\n ud2\n"

    ".globl guest_write_hcpage\n"
    "guest_write_hcpage:\n"
    "movabs $" STR(G_HCPAGE) ", %rcx\n movb $0, (%rcx)\n ud2\n"

    ".globl guest_mid_stub\n"
    "guest_mid_stub:\n"
    "movabs $(" STR(G_HCPAGE) " + 18 * 32 + 7), %rax\n jmp *%rax\n"

    ".globl guest_cli\n"
    "guest_cli:\n"
    "cli\n ud2\n"

    ".globl guest_end\n"
    "guest_end:\n"
    ".popsection\n");

extern const char guest_main[];
extern const char guest_crash_request[], guest_touch_hole[], guest_write_ro[];
extern const char guest_exec_nx[], guest_bad_pfn[], guest_write_hcpage[];
extern const char guest_mid_stub[], guest_cli[];

static struct pvnl *nl;
static int dev = -1;

#define put64 gr_put64
#define get64 gr_get64

/* Hypercall arguments for the main guest, at the scratch page. */
static void prepare(uint8_t *mem)
{
	const uint64_t P = PVISOR_PTE_PRESENT;
	uint64_t scratch = PFN_SCRATCH * PVT_PAGE;

	/* mmu_update: a table beyond the reservation; the hole -> results */
	put64(mem, scratch + 0x00, BAD_PFN * PVT_PAGE);
	put64(mem, scratch + 0x08, 0);
	put64(mem, scratch + 0x10, PFN_L1 * PVT_PAGE + PFN_HOLE * 8);
	put64(mem, scratch + 0x18, (uint64_t)PFN_RESULTS << 12 | P);
	/* mmuext: NEW_BASEPTR beyond the reservation; TLB_FLUSH_LOCAL */
	put64(mem, scratch + 0x20, PVISOR_MMUEXT_NEW_BASEPTR);
	put64(mem, scratch + 0x28, BAD_PFN);
	put64(mem, scratch + 0x40, PVISOR_MMUEXT_TLB_FLUSH_LOCAL);
	memcpy(mem + scratch + 0x100, CONSOLE_TEXT, strlen(CONSOLE_TEXT));
	put64(mem, scratch + 0x200, PVISOR_SHUTDOWN_POWEROFF);
	put64(mem, scratch + 0x208, 99);
	put64(mem, scratch + 0x210, PVISOR_SHUTDOWN_CRASH);
}

static struct pvisor_vcpu_context boot_context(const char *entry)
{
	struct pvisor_vcpu_context ctx = {
		.vcpu = 0,
		.rip = gr_code_va(entry),
		.rsp = VA(GR_PFN_STACK + 1),
		.rsi = VA(PFN_SCRATCH),
		.pt_base_pfn = GR_PFN_L4,
	};
	return ctx;
}

static void expect_crash(const char *what, const char *entry,
			 const char *reason_part)
{
	struct gr_run run;
	char name[32];

	snprintf(name, sizeof(name), PREFIX "%s", what);
	gr_run(name, entry, false, prepare, &run);
	tap_ok(run.dom.state == PVISOR_DOMAIN_STATE_CRASHED &&
	       strstr(run.dom.crash_reason, reason_part),
	       "%s: the domain crashed with a reason naming '%s' (state %u, '%s')",
	       what, reason_part, run.dom.state, run.dom.crash_reason);
	gr_finish(&run);
}

static void test_main_guest(void)
{
	const uint64_t res = PFN_RESULTS * PVT_PAGE;
	char console[256] = "";
	uint64_t next = 0;
	struct gr_run run;
	int len;

	gr_run(PREFIX "main", guest_main, false, prepare, &run);
	tap_ok(WIFSIGNALED(run.status) && WTERMSIG(run.status) == SIGKILL,
	       "the runner is killed once the guest powers off (status %#x)",
	       run.status);
	tap_ok(run.dom.state == PVISOR_DOMAIN_STATE_SHUTDOWN &&
	       run.dom.shutdown_reason == PVISOR_SHUTDOWN_POWEROFF,
	       "the domain is shut down with reason poweroff (state %u, reason %u)",
	       run.dom.state, run.dom.shutdown_reason);
	tap_ok(get64(run.mem, res + R_MARKER * 8) == MARKER,
	       "the guest ran every step up to the shutdown");
	tap_ok(get64(run.mem, res + R_VERSION * 8) ==
	       (PVISOR_VERSION_MAJOR << 16 | PVISOR_VERSION_MINOR),
	       "version hypercall: %#llx",
	       (unsigned long long)get64(run.mem, res + R_VERSION * 8));
	tap_ok(get64(run.mem, res + R_CONSOLE * 8) == strlen(CONSOLE_TEXT),
	       "console_io write returns the bytes written");
	len = pvnl_console_read(nl, run.dom.id, NULL, 0, console,
				sizeof(console) - 1, &next, NULL);
	tap_ok(len == (int)strlen(CONSOLE_TEXT) &&
	       !memcmp(console, CONSOLE_TEXT, len) && next == (uint64_t)len,
	       "the console log holds exactly what the guest wrote (%d bytes)",
	       len);
	tap_ok((int64_t)get64(run.mem, res + R_CONSOLE_OUTSIDE * 8) == -EFAULT,
	       "console_io from a buffer outside the window: -EFAULT");
	tap_ok((int64_t)get64(run.mem, res + R_UNKNOWN_HC * 8) == -ENOSYS,
	       "an unknown hypercall: -ENOSYS");
	tap_ok((int64_t)get64(run.mem, res + R_MMU_BAD_PFN * 8) == -EINVAL &&
	       get64(run.mem, PFN_SCRATCH * PVT_PAGE + 0x80) == 0,
	       "mmu_update on a table beyond the reservation: -EINVAL, 0 done");
	tap_ok(get64(run.mem, res + R_MMU_GOOD * 8) == 0 &&
	       (uint32_t)get64(run.mem, PFN_SCRATCH * PVT_PAGE + 0x88) == 1,
	       "mmu_update of a valid entry: 0, 1 done");
	tap_ok(get64(run.mem, res + R_READ_REMAPPED * 8) ==
	       get64(run.mem, res + R_VERSION * 8),
	       "the new mapping takes effect: a read through it sees the results page");
	tap_ok(get64(run.mem, res + R_UVM_UNMAP * 8) == 0 &&
	       get64(run.mem, PFN_L1 * PVT_PAGE + PFN_HOLE * 8) == 0,
	       "update_va_mapping writes the guest's last-level entry");
	tap_ok((int64_t)get64(run.mem, res + R_NEW_BASEPTR_BAD * 8) == -EINVAL,
	       "NEW_BASEPTR beyond the reservation: -EINVAL");
	tap_ok((int64_t)get64(run.mem, res + R_MMU_FOREIGN * 8) == -EPERM,
	       "mmu_update for another domain: -EPERM");
	tap_ok((int64_t)get64(run.mem, res + R_MMU_TOO_MANY * 8) == -E2BIG,
	       "mmu_update with more than %d requests: -E2BIG",
	       PVISOR_MMU_UPDATE_MAX);
	tap_ok(get64(run.mem, res + R_TLB_FLUSH * 8) == 0,
	       "mmuext TLB_FLUSH_LOCAL: 0");
	tap_ok((int64_t)get64(run.mem, res + R_BAD_REASON * 8) == -EINVAL,
	       "shutdown with an unknown reason: -EINVAL, and the guest goes on");
	gr_finish(&run);
}

/* The runner fd's own bad inputs, from a domain nobody runs. */
static void test_runner_fd(void)
{
	struct pvisor_runner_attach attach = { 0 };
	struct pvisor_vcpu_context ctx;
	struct pvnl_domain created, now;
	int fd, fd2;

	if (pvnl_domain_new(nl, PREFIX "fd", GR_BYTES, 1, &created))
		tap_bail("create: %s", pvnl_error_msg(nl));
	attach.domid = 0;
	tap_ok(ioctl(dev, PVISOR_IOCTL_RUNNER_ATTACH, &attach) == -1 &&
	       errno == EINVAL, "attach to domid 0: EINVAL");
	attach.domid = PVISOR_DOMID_MAX;
	tap_ok(ioctl(dev, PVISOR_IOCTL_RUNNER_ATTACH, &attach) == -1 &&
	       errno == ENOENT, "attach to an unknown domain: ENOENT");
	attach.domid = created.id;
	attach.flags = 1;
	tap_ok(ioctl(dev, PVISOR_IOCTL_RUNNER_ATTACH, &attach) == -1 &&
	       errno == EINVAL, "attach with flags: EINVAL");
	attach.flags = 0;
	fd = ioctl(dev, PVISOR_IOCTL_RUNNER_ATTACH, &attach);
	tap_ok(fd >= 0, "attach returns the runner fd");
	pvnl_domain_get(nl, created.id, NULL, &now);
	tap_ok(now.state == PVISOR_DOMAIN_STATE_RUNNING,
	       "an attached domain reads as running");
	fd2 = ioctl(dev, PVISOR_IOCTL_RUNNER_ATTACH, &attach);
	tap_ok(fd2 == -1 && errno == EBUSY, "a second runner: EBUSY");

	tap_ok(mmap((void *)(PVISOR_WINDOW_BASE + PVT_PAGE), PVT_PAGE,
		    PROT_READ, MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0) ==
	       MAP_FAILED && errno == EINVAL,
	       "a window of the wrong size or place: EINVAL");
	tap_ok(ioctl(fd, PVISOR_IOCTL_VCPU_RUN, 0) == -1 && errno == EINVAL,
	       "running before the window is mapped: EINVAL");
	ctx = boot_context(guest_main);
	ctx.vcpu = 1;
	tap_ok(ioctl(fd, PVISOR_IOCTL_VCPU_SET_CONTEXT, &ctx) == -1 &&
	       errno == EINVAL, "a context for a vCPU the domain lacks: EINVAL");
	ctx = boot_context(guest_main);
	ctx.rip = 0x400000;
	tap_ok(ioctl(fd, PVISOR_IOCTL_VCPU_SET_CONTEXT, &ctx) == -1 &&
	       errno == EINVAL, "an entry point outside the window: EINVAL");
	ctx = boot_context(guest_main);
	ctx.pt_base_pfn = BAD_PFN;
	tap_ok(ioctl(fd, PVISOR_IOCTL_VCPU_SET_CONTEXT, &ctx) == -1 &&
	       errno == EINVAL, "a top table beyond the reservation: EINVAL");
	tap_ok(ioctl(fd, PVISOR_IOCTL_HYPERCALL(PVISOR_HC_VERSION), 0) == -1 &&
	       errno == EPERM, "a hypercall from a thread that is no vCPU: EPERM");
	tap_ok(ioctl(fd, _IO(PVISOR_IOCTL_TYPE, 0x7f), 0) == -1 &&
	       errno == ENOTTY, "an unknown runner ioctl: ENOTTY");

	close(fd);
	pvnl_domain_get(nl, created.id, NULL, &now);
	tap_ok(now.state == PVISOR_DOMAIN_STATE_CRASHED &&
	       strstr(now.crash_reason, "closed"),
	       "closing the runner fd stops the domain ('%s')",
	       now.crash_reason);
	pvnl_domain_del(nl, created.id, NULL);
}

/* Destroying a running domain kills its runner and frees its memory. */
static void test_destroy_running(const struct pvnl_info *base)
{
	struct pvnl_domain created;
	int status;
	pid_t pid;

	if (pvnl_domain_new(nl, PREFIX "spin", GR_BYTES, 1, &created))
		tap_bail("create: %s", pvnl_error_msg(nl));
	pid = fork();
	if (pid == 0) {
		struct pvisor_runner_attach attach = { .domid = created.id };
		int fd = ioctl(dev, PVISOR_IOCTL_RUNNER_ATTACH, &attach);

		if (fd < 0)
			_exit(101);
		pause();	/* a runner that holds its domain */
		_exit(0);
	}
	/* Until it has attached: 60 s at most, a hang detector. */
	for (int i = 0; i < 3000; i++) {
		struct pvnl_domain now;

		if (!pvnl_domain_get(nl, created.id, NULL, &now) &&
		    now.state == PVISOR_DOMAIN_STATE_RUNNING)
			break;
		usleep(20000);
	}
	pvt_expect(nl, pvnl_domain_del(nl, created.id, NULL), 0,
		   "destroy a running domain");
	status = gr_reap(pid, GR_HANG_SECS);
	tap_ok(status != -1 && WIFSIGNALED(status) &&
	       WTERMSIG(status) == SIGKILL, "its runner is killed");
	pvt_expect_accounting(nl, base, 0, 0,
			      "its memory is back once the runner is gone");
}

int main(void)
{
	struct pvnl_info base;

	nl = gr_setup(PREFIX, 17 + 14 + 3 + 8 + 1, &base);
	dev = gr_dev();

	test_main_guest();
	test_runner_fd();
	test_destroy_running(&base);

	expect_crash("crash-request", guest_crash_request, "requested a crash");
	expect_crash("hole", guest_touch_hole, "page fault at 0x100000013000");
	expect_crash("write-ro", guest_write_ro, "page fault at 0x100000010000");
	expect_crash("exec-nx", guest_exec_nx, "page fault at 0x100000011000");
	expect_crash("bad-pfn", guest_bad_pfn, "beyond the reservation");
	expect_crash("write-hcpage", guest_write_hcpage, "fault");
	expect_crash("mid-stub", guest_mid_stub, "unhandled");
	expect_crash("cli", guest_cli, "general protection");

	gr_done(&base);
}
