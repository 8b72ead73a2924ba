/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guestrun: a minimal domain builder and runner for tests of the
 * execution core. A test writes guest code in assembly (in its own
 * .guest_text section, bracketed by guest_start/guest_end labels), and
 * guestrun lays out page tables, copies the code in through Domain0's
 * memory mapping, forks a runner that attaches, maps the window and
 * enters the guest, and reports how the domain stopped.
 *
 * The runner here is deliberately unconfined: confinement is pvrun's job
 * and is tested with it. This one tests the module.
 */
#ifndef PVISOR_SELFTEST_GUESTRUN_H
#define PVISOR_SELFTEST_GUESTRUN_H

#include <stdbool.h>
#include <stdint.h>

#include <pvnl.h>

/*
 * Guest memory layout, in pfns. The guest maps pfn p at GR_VA(p): a
 * direct map of its whole 1 MiB reservation through one L1 table, with a
 * few entries made special for tests.
 */
#define GR_BYTES	(1024 * 1024)
#define GR_PFN_L4	0
#define GR_PFN_L3	1
#define GR_PFN_L2	2
#define GR_PFN_L1	3
#define GR_PFN_CODE	4	/* 4 pages of guest code */
#define GR_PFN_RESULTS	8	/* the guest stores its results here */
#define GR_PFN_STACK	9
#define GR_PFN_SCRATCH	10	/* hypercall arguments the host prepares */
#define GR_PFN_RO	16	/* mapped read-only */
#define GR_PFN_NX	17	/* mapped no-execute */
#define GR_PFN_BAD	18	/* its entry names a pfn beyond the reservation */
#define GR_PFN_HOLE	19	/* not present */
#define GR_BAD_PFN	0x100000ULL

/*
 * The window and hypercall page as plain literals, for the guests'
 * assembly (the uapi constants carry C suffixes the assembler cannot
 * read); guestrun.c checks them against the uapi.
 */
#define GR_WINDOW	0x100000000000
#define GR_HCPAGE	0x10fffffff000
#define GR_VA(pfn)	((uint64_t)GR_WINDOW + (uint64_t)(pfn) * 4096)
#define GR_ASM_VA(pfn)	(GR_WINDOW + (pfn) * 0x1000)

#define GR_S(x)		#x
#define GR_STR(x)	GR_S(x)
/* Call hypercall @nr from guest assembly. */
#define GR_HCALL(nr)	"movabs $(" GR_STR(GR_HCPAGE) " + " GR_STR(nr) " * 32), %rax\n" \
			"call *%rax\n"

/*
 * An event callback for guest assembly, named @name: it takes every
 * pending, unmasked event of ports 0-63, logs their bits at results +
 * GR_EVENT_LOG (one u64 per upcall, the first GR_EVENT_LOG_MAX), counts
 * upcalls at results +
 * GR_EVENT_COUNT, unmasks upcalls and irets. The shared_info page is at
 * GR_SHINFO.
 */
#define GR_SHINFO	0x10ffffffd000
#define GR_EVENT_COUNT	0x800
#define GR_EVENT_LOG	0x808
#define GR_EVENT_LOG_MAX 32
#define GR_ASM_COUNTING_EVENT_HANDLER(name)				\
	".globl " #name "\n" #name ":\n"				\
	"movabs $" GR_STR(GR_SHINFO) ", %rsi\n"			\
	"movb $0, 0(%rsi)\n"		/* evtchn_upcall_pending */	\
	"xor %eax, %eax\n xchg %rax, 8(%rsi)\n" /* pending_sel */	\
	"mov 2048(%rsi), %rax\n mov 2560(%rsi), %rcx\n"		\
	"not %rcx\n and %rcx, %rax\n"					\
	"mov %rax, %rdx\n not %rdx\n lock and %rdx, 2048(%rsi)\n"	\
	"movabs $" GR_STR(GR_ASM_VA(GR_PFN_RESULTS)) ", %rbx\n"	\
	"mov " GR_STR(GR_EVENT_COUNT) "(%rbx), %rcx\n"			\
	"cmp $" GR_STR(GR_EVENT_LOG_MAX) ", %rcx\n jae 1f\n"		\
	"mov %rax, " GR_STR(GR_EVENT_LOG) "(%rbx, %rcx, 8)\n"		\
	"1: incq " GR_STR(GR_EVENT_COUNT) "(%rbx)\n"			\
	"movb $0, 1(%rsi)\n"		/* evtchn_upcall_mask */	\
	"mov %rsp, %rdi\n" GR_HCALL(23)				\
	"ud2\n"

extern const char guest_start[], guest_end[];

/* How a guest run ended. */
struct gr_run {
	struct pvnl_domain dom;	/* as it stopped */
	uint8_t *mem;		/* its memory (GR_BYTES), to read results */
	int mem_fd;
	int status;		/* the runner's wait status, -1 if it hung */
	int pid;		/* the runner */
	const char *entry;	/* where it starts */
	bool bounce_traps;
	int factory_pid;	/* its context factory, or -1 */
};

/*
 * Give later runs a context factory (pvrun's, forked by the test before
 * the runner), so that their guests can create user contexts.
 */
void gr_factory(bool on);

/* Use this netlink connection and open /dev/pvisor fd for every run. */
void gr_init(struct pvnl *nl, int dev);

/*
 * The common start of a guestrun test: connect (skipping the test when
 * the module is not loaded), open /dev/pvisor, print the plan of @plan
 * checks, destroy leftovers named @prefix* (and again if the test bails
 * out), and take the accounting baseline into @base.
 */
struct pvnl *gr_setup(const char *prefix, unsigned int plan,
		      struct pvnl_info *base);

/* The /dev/pvisor fd gr_setup() opened. */
int gr_dev(void);

/* The common end: one check that the accounting is back at @base. */
void gr_done(const struct pvnl_info *base) __attribute__((noreturn));

/* Give later domains @n vCPUs (default 1): the runner starts a thread for
 * each, and the guest brings the secondaries up with vcpu_op. */
void gr_vcpus(unsigned int n);

/*
 * Create domain @name, build it, let @prepare (may be NULL) add to its
 * memory, and run it from @entry until it stops. With @bounce_traps the
 * runner passes its host signals to the module (PVISOR_IOCTL_VCPU_TRAP),
 * as pvrun does; without, a trap kills the runner.
 */
void gr_run(const char *name, const char *entry, bool bounce_traps,
	    void (*prepare)(uint8_t *mem), struct gr_run *run);

/* The same in steps: create and build the domain, launch its runner,
 * and later wait (up to @secs, then kill it) until it has stopped.
 * gr_start() is gr_create() and gr_launch(). */
void gr_create(const char *name, const char *entry, bool bounce_traps,
	       void (*prepare)(uint8_t *mem), struct gr_run *run);
void gr_launch(struct gr_run *run);
void gr_start(const char *name, const char *entry, bool bounce_traps,
	      void (*prepare)(uint8_t *mem), struct gr_run *run);
void gr_wait(struct gr_run *run, int secs);

/*
 * Wait until it has stopped, however long that takes, while the 64-bit
 * word at guest-physical @gpa keeps changing; kill it once the word has
 * stood still for @stall_secs (a hang detector that no slow host trips).
 */
void gr_wait_progress(struct gr_run *run, uint64_t gpa, int stall_secs);

/*
 * Conditions a test waits for instead of sleeping, each for up to @secs
 * (a hang detector): the 64-bit word at guest-physical @gpa is no longer
 * zero (a guest says it got somewhere); every thread of the runner is
 * stopped (a pause has taken effect: pausing sends SIGSTOP and returns).
 * False if it never happened.
 */
bool gr_await64(const struct gr_run *run, uint64_t gpa, int secs);
bool gr_await_stopped(const struct gr_run *run, int secs);

/* Unmap its memory and destroy the domain. */
void gr_finish(struct gr_run *run);

/* The guest window address of a label in .guest_text. */
uint64_t gr_code_va(const char *label);

uint64_t gr_get64(const uint8_t *mem, uint64_t gpa);
void gr_put64(uint8_t *mem, uint64_t gpa, uint64_t val);

/* 32-bit values at offset @off of the scratch page (event ports, say). */
uint32_t gr_scratch_get32(const uint8_t *mem, uint64_t off);
void gr_scratch_put32(uint8_t *mem, uint64_t off, uint32_t val);

/*
 * Wait for @pid, killing it after @secs; its wait status, or -1.
 * GR_HANG_SECS is the usual @secs: a hang detector, which no slow or
 * loaded host should trip.
 */
#define GR_HANG_SECS	120
int gr_reap(int pid, int secs);

#endif /* PVISOR_SELFTEST_GUESTRUN_H */
