// SPDX-License-Identifier: GPL-2.0
/*
 * Ballooning against Domain0's mapping of the domain's memory (guestrun):
 * the host maps the memory and touches three pages before the guest
 * runs; the guest gives two of them back and populates one of them
 * again. Through the same mapping, the repopulated page must then read
 * as a fresh zeroed frame, never the old one (a stale entry would reach
 * a frame the host has freed), the page still given back must fault
 * (SIGBUS), and the page not given back keeps its contents. Netlink and
 * the module's accounting count exactly the frames it owns.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <pvisor/hypercall.h>

#include "guestrun.h"
#include "pvtest.h"

#define PREFIX		"bm-"
#define STR(x)		GR_STR(x)
#define HCALL(nr)	GR_HCALL(nr)
#define RES		STR(GR_ASM_VA(GR_PFN_RESULTS))
#define SCRATCH		STR(GR_ASM_VA(GR_PFN_SCRATCH))

#define PFN_AGAIN	12	/* given back, then populated again */
#define PFN_GONE	13	/* given back */
#define PFN_KEPT	14	/* untouched by the guest */
#define PATTERN		0x5a

/* In the scratch page. */
#define REQ_DOWN	0x000
#define REQ_UP		0x040
#define LIST_DOWN	0x100
#define LIST_UP		0x180
#define SHUTDOWN_ARG	0x200

enum { R_DOWN, R_UP, R_CURRENT, NR_RESULTS };

asm(".pushsection .guest_text, \"ax\"\n"
    ".globl guest_start\n"
    "guest_start:\n"
    ".globl guest_balloon\n"
    "guest_balloon:\n"
    "movabs $" RES ", %rbx\n"
    "mov $1, %edi\n movabs $(" SCRATCH " + 0x000), %rsi\n" HCALL(12)
    "mov %rax, 0(%rbx)\n"
    "mov $6, %edi\n movabs $(" SCRATCH " + 0x040), %rsi\n" HCALL(12)
    "mov %rax, 8(%rbx)\n"
    "mov $3, %edi\n xor %esi, %esi\n" HCALL(12) "mov %rax, 16(%rbx)\n"
    "mov $2, %edi\n movabs $(" SCRATCH " + 0x200), %rsi\n" HCALL(29)
    "ud2\n"
    ".globl guest_end\n"
    "guest_end:\n"
    ".popsection\n");

extern const char guest_balloon[];

static void put_request(uint8_t *mem, uint64_t off, uint64_t list,
			uint64_t nr)
{
	struct pvisor_memory_reservation req = {
		.extent_start = GR_VA(GR_PFN_SCRATCH) + list,
		.nr_extents = nr,
	};

	memcpy(mem + GR_PFN_SCRATCH * 4096 + off, &req, sizeof(req));
}

/* Runs before the guest: these writes fault the pages into our mapping. */
static void prepare(uint8_t *mem)
{
	const uint64_t scratch = GR_PFN_SCRATCH * 4096;

	memset(mem + PFN_AGAIN * 4096, PATTERN, 4096);
	memset(mem + PFN_GONE * 4096, PATTERN, 4096);
	memset(mem + PFN_KEPT * 4096, PATTERN, 4096);
	put_request(mem, REQ_DOWN, LIST_DOWN, 2);
	gr_put64(mem, scratch + LIST_DOWN, PFN_AGAIN);
	gr_put64(mem, scratch + LIST_DOWN + 8, PFN_GONE);
	put_request(mem, REQ_UP, LIST_UP, 1);
	gr_put64(mem, scratch + LIST_UP, PFN_AGAIN);
	gr_put64(mem, scratch + SHUTDOWN_ARG, PVISOR_SHUTDOWN_POWEROFF);
}

static sigjmp_buf bus_jump;

static void on_sigbus(int sig)
{
	siglongjmp(bus_jump, sig);
}

/* Does reading @p fault with SIGBUS? */
static bool read_faults(const volatile uint8_t *p)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	bool faulted = true;

	sigaction(SIGBUS, &sa, &old);
	if (!sigsetjmp(bus_jump, 1)) {
		(void)*p;
		faulted = false;
	}
	sigaction(SIGBUS, &old, NULL);
	return faulted;
}

static bool page_is(const uint8_t *p, uint8_t byte)
{
	for (int i = 0; i < 4096; i++)
		if (p[i] != byte)
			return false;
	return true;
}

int main(void)
{
	const uint64_t res = GR_PFN_RESULTS * 4096;
	const int64_t pages = GR_BYTES / 4096;
	struct pvnl_domain dom;
	struct pvnl_info base;
	struct gr_run run;
	struct pvnl *nl;

	nl = gr_setup(PREFIX, 10, &base);

	gr_run(PREFIX "balloon", guest_balloon, false, prepare, &run);
#define SLOT(r)	((int64_t)gr_get64(run.mem, res + (r) * 8))
	tap_ok(run.dom.state == PVISOR_DOMAIN_STATE_SHUTDOWN,
	       "the guest ran to its shutdown");
	tap_ok(SLOT(R_DOWN) == 2, "decrease_reservation gave 2 pages back "
	       "(%lld)", (long long)SLOT(R_DOWN));
	tap_ok(SLOT(R_UP) == 1, "populate_physmap gave one back (%lld)",
	       (long long)SLOT(R_UP));
	tap_ok(SLOT(R_CURRENT) == pages - 1, "current reservation: %lld "
	       "pages (%lld)", (long long)pages - 1, (long long)SLOT(R_CURRENT));
#undef SLOT
	tap_ok(page_is(run.mem + PFN_AGAIN * 4096, 0),
	       "Domain0's mapping of the repopulated page reads a fresh "
	       "zeroed frame, not the old one");
	tap_ok(read_faults(run.mem + PFN_GONE * 4096),
	       "Domain0's mapping of the page given back faults (SIGBUS)");
	tap_ok(page_is(run.mem + PFN_KEPT * 4096, PATTERN),
	       "the page not given back keeps its contents");
	tap_ok(!pvnl_domain_get(nl, run.dom.id, NULL, &dom) &&
	       dom.frames == (uint64_t)pages - 1 && dom.memory == GR_BYTES,
	       "netlink: %lld frames of a %d-byte maximum", (long long)pages - 1,
	       GR_BYTES);
	pvt_expect_accounting(nl, &base, 1, pages - 1,
			      "frames_used counts the frames it owns");
	gr_finish(&run);

	gr_done(&base);
}
