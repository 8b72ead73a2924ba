// SPDX-License-Identifier: GPL-2.0
/*
 * Batching and reservation queries, from below (guestrun): multicall runs
 * each entry with its own result, batches page-table updates, refuses
 * nesting and iret, and rejects bad batches; memory_op reports the
 * reservation. A shutdown inside a batch stops the domain.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <pvisor/hypercall.h>

#include "guestrun.h"
#include "pvtest.h"

#define PREFIX		"mc-"
#define STR(x)		GR_STR(x)
#define HCALL(nr)	GR_HCALL(nr)
#define RES		STR(GR_ASM_VA(GR_PFN_RESULTS))
#define SCRATCH		STR(GR_ASM_VA(GR_PFN_SCRATCH))

/* Batches in the scratch page, and what they point at. */
#define BATCH_MIXED	0x000	/* 4 entries */
#define BATCH_REFUSED	0x100	/* 2 entries */
#define BATCH_MMU	0x200	/* 1 entry */
#define BATCH_SHUTDOWN	0x300	/* 2 entries: shutdown, then version */
#define CONSOLE_TEXT	0x400
#define MMU_REQ		0x480
#define SHUTDOWN_ARG	0x4c0

enum {
	R_CURRENT, R_MAXIMUM, R_MEMOP_BAD_CMD, R_MEMOP_FOREIGN,
	R_MIXED, R_REFUSED, R_TOO_MANY, R_OUTSIDE, R_MMU, R_READ_BACK,
	NR_RESULTS
};

asm(".pushsection .guest_text, \"ax\"\n"
    ".globl guest_start\n"
    "guest_start:\n"
    ".globl guest_batches\n"
    "guest_batches:\n"
    "movabs $" RES ", %rbx\n"
    "mov $3, %edi\n xor %esi, %esi\n" HCALL(12) "mov %rax, 0(%rbx)\n"
    "mov $4, %edi\n xor %esi, %esi\n" HCALL(12) "mov %rax, 8(%rbx)\n"
    "mov $99, %edi\n xor %esi, %esi\n" HCALL(12) "mov %rax, 16(%rbx)\n"
    "mov $3, %edi\n mov $7, %esi\n" HCALL(12) "mov %rax, 24(%rbx)\n"
    "movabs $" SCRATCH ", %rdi\n mov $4, %esi\n" HCALL(13) "mov %rax, 32(%rbx)\n"
    "movabs $(" SCRATCH " + 0x100), %rdi\n mov $2, %esi\n" HCALL(13)
    "mov %rax, 40(%rbx)\n"
    "movabs $" SCRATCH ", %rdi\n mov $1025, %esi\n" HCALL(13) "mov %rax, 48(%rbx)\n"
    "mov $0x400000, %edi\n mov $1, %esi\n" HCALL(13) "mov %rax, 56(%rbx)\n"
    "movabs $(" SCRATCH " + 0x200), %rdi\n mov $1, %esi\n" HCALL(13)
    "mov %rax, 64(%rbx)\n"
    "movabs $" STR(GR_ASM_VA(GR_PFN_HOLE)) ", %rcx\n mov (%rcx), %rax\n"
    "mov %rax, 72(%rbx)\n"
    "movabs $(" SCRATCH " + 0x300), %rdi\n mov $2, %esi\n" HCALL(13)
    "ud2\n"
    ".globl guest_end\n"
    "guest_end:\n"
    ".popsection\n");

extern const char guest_batches[];

static void put_entry(uint8_t *mem, uint64_t off, uint64_t op, uint64_t a0,
		      uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct pvisor_multicall_entry e = {
		.op = op, .result = 0xdeadbeef, .args = { a0, a1, a2, a3 },
	};

	memcpy(mem + GR_PFN_SCRATCH * 4096 + off, &e, sizeof(e));
}

static int64_t entry_result(const uint8_t *mem, uint64_t off, int n)
{
	return (int64_t)gr_get64(mem, GR_PFN_SCRATCH * 4096 + off +
			   n * sizeof(struct pvisor_multicall_entry) +
			   offsetof(struct pvisor_multicall_entry, result));
}

static void prepare(uint8_t *mem)
{
	const uint64_t scratch_va = GR_VA(GR_PFN_SCRATCH);
	const uint64_t entry = sizeof(struct pvisor_multicall_entry);

	put_entry(mem, BATCH_MIXED, PVISOR_HC_VERSION, 0, 0, 0, 0);
	put_entry(mem, BATCH_MIXED + entry, PVISOR_HC_CONSOLE_IO,
		  PVISOR_CONSOLEIO_WRITE, 3, scratch_va + CONSOLE_TEXT, 0);
	put_entry(mem, BATCH_MIXED + 2 * entry, 63, 0, 0, 0, 0);
	put_entry(mem, BATCH_MIXED + 3 * entry, PVISOR_HC_MULTICALL,
		  scratch_va, 1, 0, 0);
	put_entry(mem, BATCH_REFUSED, PVISOR_HC_IRET, scratch_va, 0, 0, 0);
	put_entry(mem, BATCH_REFUSED + entry, 1ULL << 40, 0, 0, 0, 0);
	put_entry(mem, BATCH_MMU, PVISOR_HC_MMU_UPDATE, scratch_va + MMU_REQ,
		  1, 0, 0);
	put_entry(mem, BATCH_SHUTDOWN, PVISOR_HC_SCHED_OP,
		  PVISOR_SCHEDOP_SHUTDOWN, scratch_va + SHUTDOWN_ARG, 0, 0);
	put_entry(mem, BATCH_SHUTDOWN + entry, PVISOR_HC_VERSION, 0, 0, 0, 0);
	memcpy(mem + GR_PFN_SCRATCH * 4096 + CONSOLE_TEXT, "mc\n", 3);
	/* The hole maps the results page, read-only. */
	gr_put64(mem, GR_PFN_SCRATCH * 4096 + MMU_REQ,
		 GR_PFN_L1 * 4096 + GR_PFN_HOLE * 8);
	gr_put64(mem, GR_PFN_SCRATCH * 4096 + MMU_REQ + 8,
		 (uint64_t)GR_PFN_RESULTS << 12 | PVISOR_PTE_PRESENT);
	gr_put64(mem, GR_PFN_SCRATCH * 4096 + SHUTDOWN_ARG,
		 PVISOR_SHUTDOWN_POWEROFF);
}

int main(void)
{
	const uint64_t res = GR_PFN_RESULTS * 4096;
	struct pvnl_info base;
	struct gr_run run;
	char console[16] = "";
	struct pvnl *nl;
	uint64_t next;

	nl = gr_setup(PREFIX, 17, &base);

	gr_run(PREFIX "batches", guest_batches, false, prepare, &run);
#define SLOT(r)	((int64_t)gr_get64(run.mem, res + (r) * 8))
	tap_ok(SLOT(R_CURRENT) == GR_BYTES / 4096 &&
	       SLOT(R_MAXIMUM) == GR_BYTES / 4096,
	       "memory_op: current and maximum reservation are %d pages",
	       GR_BYTES / 4096);
	tap_ok(SLOT(R_MEMOP_BAD_CMD) == -EINVAL, "memory_op: unknown command: -EINVAL");
	tap_ok(SLOT(R_MEMOP_FOREIGN) == -EPERM, "memory_op: another domain: -EPERM");

	tap_ok(SLOT(R_MIXED) == 0, "multicall of four entries returns 0");
	tap_ok(entry_result(run.mem, BATCH_MIXED, 0) ==
	       (PVISOR_VERSION_MAJOR << 16 | PVISOR_VERSION_MINOR),
	       "entry 1 (version) holds its result");
	tap_ok(entry_result(run.mem, BATCH_MIXED, 1) == 3,
	       "entry 2 (console_io) holds its result");
	tap_ok(entry_result(run.mem, BATCH_MIXED, 2) == -ENOSYS,
	       "entry 3 (an unknown hypercall): -ENOSYS");
	tap_ok(entry_result(run.mem, BATCH_MIXED, 3) == -EINVAL,
	       "entry 4 (a nested multicall): -EINVAL");
	tap_ok(SLOT(R_REFUSED) == 0 &&
	       entry_result(run.mem, BATCH_REFUSED, 0) == -EINVAL &&
	       entry_result(run.mem, BATCH_REFUSED, 1) == -ENOSYS,
	       "iret in a batch: -EINVAL; a number beyond 32 bits: -ENOSYS");
	tap_ok(SLOT(R_TOO_MANY) == -E2BIG, "multicall of %d entries: -E2BIG",
	       PVISOR_MULTICALL_MAX + 1);
	tap_ok(SLOT(R_OUTSIDE) == -EFAULT,
	       "multicall with entries outside the window: -EFAULT");
	tap_ok(SLOT(R_MMU) == 0 && entry_result(run.mem, BATCH_MMU, 0) == 0,
	       "a batched mmu_update succeeds");
	tap_ok(SLOT(R_READ_BACK) == SLOT(R_CURRENT),
	       "and takes effect: the remapped page reads the results page");
	tap_ok(pvnl_console_read(nl, run.dom.id, NULL, 0, console,
				 sizeof(console) - 1, &next, NULL) == 3 &&
	       !memcmp(console, "mc\n", 3),
	       "the batched console write reached the console");
	tap_ok(run.dom.state == PVISOR_DOMAIN_STATE_SHUTDOWN &&
	       run.dom.shutdown_reason == PVISOR_SHUTDOWN_POWEROFF,
	       "a shutdown inside a batch shuts the domain down");
	tap_ok(entry_result(run.mem, BATCH_SHUTDOWN, 1) == 0xdeadbeef,
	       "entries after the shutdown do not run");
#undef SLOT
	gr_finish(&run);

	gr_done(&base);
}
