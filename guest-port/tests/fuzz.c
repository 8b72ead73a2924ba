// SPDX-License-Identifier: GPL-2.0
/*
 * The hypercall fuzzer: seeded random hypercalls on every vCPU at once.
 * selftests/pvisor/test_fuzz.sh runs it, domain after domain, beside a
 * well-behaved neighbour until its call budget is spent; what must hold
 * is on the host's side (no kernel report, the neighbour unharmed, the
 * accounting back to its baseline). Documentation/testing.rst, "The
 * hypercall fuzzer", is the manual.
 *
 * Command line: "seed=S calls=N [mode=safe|wild] [trace=T]" (trace:
 * print every call from the Tth of each vCPU on). vCPU c draws from
 * its own generator, seeded from S and c, so a seed names a run (up to
 * the order in which the vCPUs' calls reach the module). N is the total
 * over every vCPU. The guest prints "fuzz: seed S vcpus V calls N mode
 * M" first, "fuzz: calls K" as it goes (vCPU 0 sums the per-vCPU
 * counters) and "fuzz: done K" at the end, then powers off.
 *
 * Every hypercall number of the page is drawn (0..63), the known ones
 * more often, with arguments from a mix of edge values, random numbers
 * and pointers into and around the window: scratch buffers (some running
 * into an unmapped guard page), the module's own pages (hypercall, iret
 * and shared_info), the window's edges, unmapped window addresses, the
 * runner's memory, kernel and non-canonical addresses. Batches
 * (multicall, mmu_update, mmuext_op) are filled the same way.
 *
 * "safe" mode keeps the fuzzer alive so that the calls add up: no
 * shutdown, no iret, no vCPU taken down, no sleep without a near
 * timeout, no event callback or trap handler of the fuzzer's choosing,
 * page-table writes only to a sandbox (two leaf tables of a region
 * nothing else uses, pointing only at the sandbox's own pages, or beyond
 * the reservation but not present), no pointer to the fuzzer's own code,
 * data, stacks or tables except into its scratch buffers, and no batch
 * read from memory that could hold another call's data. The module may
 * still crash the domain: the test starts another. "wild" mode lifts
 * those limits (shutdown, iret, block, DOWN, NEW_BASEPTR and page-table
 * writes anywhere, present entries beyond the reservation, hypercall
 * numbers beyond the page): most runs end early, and the test only
 * counts them.
 *
 * The fuzzer checks a few things itself: every result is a value or an
 * errno (-4095..-1), and a canary area no call was given is intact.
 */

#include <linux/errno.h>
#include <pvisor/device.h>
#include <pvisor/event.h>
#include <pvisor/hypercall.h>

#include "../minnow/console.h"
#include "../minnow/cpu.h"
#include "../minnow/events.h"
#include "../minnow/mm.h"
#include "../minnow/smp.h"
#include "../minnow/test.h"
#include "../minnow/time.h"
#include "../minnow/traps.h"

#define SYS_ioctl	16
#define RUNNER_TEXT	0x400000ULL		/* the runner's own code */
#define RUNNER_HIGH	0x00007ffff7fff000ULL	/* where its stacks live */
#define KERNEL_VA	0xffff888000000000ULL
#define NONCANONICAL	0x8000000000000000ULL

/* The sandbox: 4 MiB at 512 GiB into the window, two leaf tables. */
#define SANDBOX_VA	(PVISOR_WINDOW_BASE + (512ULL << 30))
#define SANDBOX_TABLES	2
#define SANDBOX_PAGES	16			/* pages it may point at */
#define SANDBOX_SIZE	(SANDBOX_TABLES * 512 * PAGE_SIZE)

#define SCRATCH_VA	(PVISOR_WINDOW_BASE + (600ULL << 30))
#define SCRATCH_PAGES	8			/* per vCPU, then a guard */
#define SCRATCH_STRIDE	((SCRATCH_PAGES + 1) * PAGE_SIZE)
#define BATCH_MAX	64			/* entries we fill ourselves */
#define PROGRESS_EVERY	(1ULL << 10)		/* vCPU 0's calls per line */
#define CANARY		0x63616e6172792121ULL	/* "!!yranac" */

struct rng {
	u64 s;
};

/* splitmix64: small, fast, and any seed is a good one. */
static u64 next(struct rng *r)
{
	u64 z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static u64 below(struct rng *r, u64 n)
{
	return n ? next(r) % n : 0;
}

static bool chance(struct rng *r, unsigned int one_in)
{
	return below(r, one_in) == 0;
}

struct fuzzer {
	struct rng rng;
	unsigned int cpu;
	u8 *scratch;			/* SCRATCH_PAGES, then unmapped */
	u64 used;			/* bytes of it this call's buffers use */
	volatile u64 calls;
	volatile u64 bad_results;
	volatile bool finished;
	u64 budget;
};

static const char *cmdline;
static bool wild;
static u64 trace;		/* print each call from number @trace on */
static unsigned int nr_cpus;
static struct fuzzer fuzzers[MINNOW_MAX_CPUS];
static u64 sandbox_pfns[SANDBOX_PAGES];
static u64 sandbox_table_pa[SANDBOX_TABLES];
static u64 canary[512];

static u64 option(const char *key, u64 def)
{
	size_t n = strlen(key);
	const char *p;
	u64 v = 0;

	for (p = cmdline; *p; p++) {
		if ((p != cmdline && p[-1] != ' ') || strncmp(p, key, n) ||
		    p[n] != '=')
			continue;
		for (p += n + 1; *p >= '0' && *p <= '9'; p++)
			v = v * 10 + (u64)(*p - '0');
		return v;
	}
	return def;
}

static bool option_is(const char *key, const char *val)
{
	size_t n = strlen(key), m = strlen(val);
	const char *p;

	for (p = cmdline; *p; p++)
		if ((p == cmdline || p[-1] == ' ') && !strncmp(p, key, n) &&
		    p[n] == '=' && !strncmp(p + n + 1, val, m) &&
		    (p[n + 1 + m] == ' ' || !p[n + 1 + m]))
			return true;
	return false;
}

/* --- what the arguments are made of ---------------------------------- */

static u64 edge_number(struct rng *r)
{
	static const u64 edges[] = {
		0, 1, 2, 3, 7, 8, 31, 32, 63, 64, 255, 256, 511, 512,
		1023, 1024, 1025, 4095, 4096, 4097, 0x7fff, 0xffff, 0x10000,
		0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
		0x100000001ULL, 0x7fffffffffffffffULL, NONCANONICAL,
		~0ULL, ~0ULL - 1, PVISOR_MULTICALL_MAX,
		PVISOR_MULTICALL_MAX + 1, PVISOR_MMU_UPDATE_MAX,
		PVISOR_MMU_UPDATE_MAX + 1, PVISOR_TRAP_TABLE_MAX,
		PVISOR_NR_EVENT_CHANNELS - 1, PVISOR_NR_EVENT_CHANNELS,
		PVISOR_POLL_PORTS_MAX, PVISOR_POLL_PORTS_MAX + 1,
		PVISOR_NR_VIRQS, PVISOR_NR_TRAP_VECTORS, PVISOR_SHARED_INFO_VCPUS,
		PVISOR_EVENT_VECTOR,
	};

	return edges[below(r, ARRAY_SIZE(edges))];
}

static u64 number(struct rng *r)
{
	switch (below(r, 4)) {
	case 0:
		return edge_number(r);
	case 1:
		return below(r, 16);
	case 2:
		return below(r, 4096);
	default:
		return next(r);
	}
}

/*
 * A pointer the module must check: mostly into our scratch buffers
 * (which it may read and write), else anywhere it must refuse or
 * handle. Never into our own code, data, stacks or tables; in wild
 * mode, sometimes anywhere in the window.
 */
static u64 pointer(struct fuzzer *f)
{
	struct rng *r = &f->rng;
	u64 scratch = (u64)f->scratch, span = SCRATCH_PAGES * PAGE_SIZE;

	switch (below(r, 16)) {
	case 0: case 1: case 2: case 3: case 4: case 5:
		return scratch + (below(r, span) & ~7ULL);
	case 6:		/* running into the guard page */
		return scratch + span - below(r, 64);
	case 7:
		return scratch + below(r, span);	/* unaligned */
	case 8: {
		static const u64 module_pages[] = {
			PVISOR_HYPERCALL_PAGE, PVISOR_IRET_PAGE,
			PVISOR_SHARED_INFO_PAGE,
		};

		return module_pages[below(r, 3)] + below(r, PAGE_SIZE + 64);
	}
	case 9:		/* the window's edges */
		return chance(r, 2) ? PVISOR_WINDOW_BASE - below(r, 64) :
		       PVISOR_GUEST_LIMIT - below(r, 128);
	case 10: {	/* the sandbox, unmapped window addresses */
		u64 p = PVISOR_WINDOW_BASE + (below(r, 1ULL << 40) & ~7ULL);

		if (chance(r, 2))
			return SANDBOX_VA + below(r, SANDBOX_SIZE + PAGE_SIZE);
		/* not into the physmap: our code, data and stacks */
		if (!wild && p - PVISOR_WINDOW_BASE < mm_nr_pages() * PAGE_SIZE)
			p += 1ULL << 30;
		return p;
	}
	case 11: {
		static const u64 outside[] = {
			0, 8, 0x1000, RUNNER_TEXT, RUNNER_HIGH, KERNEL_VA,
			NONCANONICAL, ~0ULL - 7, 0xffffffffff600000ULL,
		};

		return outside[below(r, ARRAY_SIZE(outside))];
	}
	case 12:
		if (wild)
			return PVISOR_WINDOW_BASE +
			       below(r, mm_nr_pages() * PAGE_SIZE);
		return 0;
	case 13:
		return edge_number(r);
	default:
		return next(r);
	}
}

/* A pfn for a page-table entry: the sandbox's own pages, or beyond. */
static u64 entry_pfn(struct fuzzer *f)
{
	struct rng *r = &f->rng;

	switch (below(r, 8)) {
	case 0:
		return mm_nr_pages() + below(r, 64);
	case 1:
		return next(r) & (PVISOR_PTE_PFN_MASK >> PAGE_SHIFT);
	case 2:
		/*
		 * Our own pages, or the sandbox's tables (through which
		 * out-parameters would write table entries naming any pfn).
		 */
		if (wild)
			return chance(r, 2) ? below(r, mm_nr_pages()) :
			       sandbox_table_pa[below(r, SANDBOX_TABLES)] >> PAGE_SHIFT;
		return sandbox_pfns[below(r, SANDBOX_PAGES)];
	default:
		return sandbox_pfns[below(r, SANDBOX_PAGES)];
	}
}

static u64 entry(struct fuzzer *f)
{
	struct rng *r = &f->rng;
	u64 flags = PVISOR_PTE_PRESENT;
	u64 pfn = entry_pfn(f);

	if (chance(r, 8)) {
		u64 v = next(r);

		/* a random entry names a random pfn: beyond, if safe */
		if (!wild)
			v = (v | 1ULL << 51) & ~PVISOR_PTE_PRESENT;
		return v;
	}
	if (chance(r, 2))
		flags |= PVISOR_PTE_RW;
	if (chance(r, 4))
		flags |= PVISOR_PTE_USER;
	if (chance(r, 8))
		flags |= PVISOR_PTE_PS;
	if (chance(r, 2))
		flags |= PVISOR_PTE_NX;
	if (chance(r, 8))
		flags = next(r) & ~PVISOR_PTE_PFN_MASK;
	/*
	 * A present entry beyond the reservation crashes the domain at the
	 * first touch (of an out-parameter, say): wild mode only.
	 */
	if (!wild && pfn >= mm_nr_pages())
		flags &= ~PVISOR_PTE_PRESENT;
	return ((pfn << PAGE_SHIFT) & PVISOR_PTE_PFN_MASK) | flags;
}

/* The guest-physical address of a page-table entry to rewrite. */
static u64 entry_address(struct fuzzer *f)
{
	struct rng *r = &f->rng;
	u64 table = sandbox_table_pa[below(r, SANDBOX_TABLES)];

	switch (below(r, 16)) {
	case 0:
		return (mm_nr_pages() + below(r, 16)) << PAGE_SHIFT;
	case 1:
		return table + below(r, PAGE_SIZE);		/* unaligned */
	case 2:
		return next(r);
	case 3:
		if (wild)
			return below(r, mm_nr_pages() << PAGE_SHIFT) & ~7ULL;
		return table;
	default:
		return table + below(r, 512) * 8;
	}
}

/* A window address for update_va_mapping and invlpg. */
static u64 mapping_va(struct fuzzer *f)
{
	struct rng *r = &f->rng;

	u64 va;

	switch (below(r, 8)) {
	case 0:
		/* not our scratch pages: we use them */
		va = pointer(f);
		if (!wild && va - SCRATCH_VA < MINNOW_MAX_CPUS * SCRATCH_STRIDE)
			va = SANDBOX_VA;
		return va;
	case 1:
		if (wild)
			return PVISOR_WINDOW_BASE +
			       (below(r, mm_nr_pages()) << PAGE_SHIFT);
		return SANDBOX_VA;
	case 2:
		return SANDBOX_VA + below(r, SANDBOX_SIZE);	/* unaligned */
	default:
		return SANDBOX_VA + (below(r, SANDBOX_SIZE / PAGE_SIZE + 4) << PAGE_SHIFT);
	}
}

static u64 count(struct fuzzer *f, u64 max)
{
	struct rng *r = &f->rng;

	switch (below(r, 8)) {
	case 0:
		return edge_number(r);
	case 1:
		return max + below(r, 3);
	default:
		return below(r, BATCH_MAX + 1);
	}
}

/* A domain id: ourselves mostly, else others (the neighbour among them). */
static u64 domid(struct fuzzer *f)
{
	struct rng *r = &f->rng;

	if (chance(r, 4))
		return chance(r, 2) ? below(r, 64) : number(r);
	return PVISOR_DOMID_SELF;
}

/* Fill @len bytes at @p (8-byte aligned) with random bytes. */
static void fill(struct fuzzer *f, void *p, size_t len)
{
	u64 *w = p;

	for (len = (len + 7) / 8; len; len--)
		*w++ = next(&f->rng);
}

/*
 * A scratch buffer of @len random bytes for the call to read, from the
 * pages before the last (a multicall's entries). A multicall's calls get
 * buffers of their own: one call's batch read as another's would turn
 * random bytes into page-table writes and new base pointers.
 */
static void *buffer(struct fuzzer *f, size_t len)
{
	u64 arena = (SCRATCH_PAGES - 1) * PAGE_SIZE;
	u8 *b;

	len = (len + 63) & ~63ULL;
	if (f->used + len > arena)
		f->used = 0;		/* cannot happen with BATCH_MAX */
	b = f->scratch + f->used;
	f->used += len;
	fill(f, b, len);
	return b;
}

/*
 * A pointer for a batch the module reads requests from, when it is not
 * ours: nothing there may read as a valid request (in safe mode), so
 * not our scratch, the shared_info page or the sandbox.
 */
static u64 foreign_pointer(struct fuzzer *f)
{
	struct rng *r = &f->rng;
	u64 p = pointer(f);

	if (wild)
		return p;
	if (p - (u64)f->scratch < SCRATCH_PAGES * PAGE_SIZE ||
	    p - PVISOR_SHARED_INFO_PAGE < PAGE_SIZE + 64 ||
	    p - SANDBOX_VA < SANDBOX_SIZE + PAGE_SIZE)
		p = chance(r, 2) ? (u64)f->scratch + SCRATCH_PAGES * PAGE_SIZE +
				   below(r, PAGE_SIZE) : RUNNER_TEXT;
	return p;
}

/* --- one call ---------------------------------------------------------- */

struct call {
	u64 nr;
	u64 a[5];
};

static void gen_mmu_update(struct fuzzer *f, struct call *c)
{
	u64 n = below(&f->rng, BATCH_MAX) + 1;
	struct pvisor_mmu_update *req = buffer(f, n * sizeof(*req));

	for (u64 i = 0; i < n; i++) {
		req[i].ptr = entry_address(f);
		req[i].val = entry(f);
	}
	c->a[0] = chance(&f->rng, 8) ? foreign_pointer(f) : (u64)req;
	c->a[1] = chance(&f->rng, 8) ? count(f, PVISOR_MMU_UPDATE_MAX) : n;
	c->a[2] = chance(&f->rng, 2) ? 0 : pointer(f);
	c->a[3] = domid(f);
}

static void gen_mmuext_op(struct fuzzer *f, struct call *c)
{
	u64 n = below(&f->rng, BATCH_MAX) + 1;
	struct pvisor_mmuext_op *op = buffer(f, n * sizeof(*op));

	for (u64 i = 0; i < n; i++) {
		struct rng *r = &f->rng;

		switch (below(r, 4)) {
		case 0:
			op[i].cmd = PVISOR_MMUEXT_NEW_BASEPTR;
			if (wild)
				op[i].arg1 = below(r, mm_nr_pages() + 8);
			else if (chance(r, 2))
				op[i].arg1 = mm_top_pfn();
			else	/* beyond, without wrapping round */
				op[i].arg1 = chance(r, 2) ? ~0ULL - below(r, 16) :
					     mm_nr_pages() + below(r, 1ULL << 40);
			break;
		case 1:
			op[i].cmd = PVISOR_MMUEXT_TLB_FLUSH_LOCAL;
			break;
		case 2:
			op[i].cmd = PVISOR_MMUEXT_INVLPG_LOCAL;
			op[i].arg1 = chance(r, 2) ? mapping_va(f) : next(r);
			break;
		default:
			op[i].cmd = (u32)number(r);
			/* an unknown cmd may not be NEW_BASEPTR in disguise */
			if (!wild && op[i].cmd == PVISOR_MMUEXT_NEW_BASEPTR)
				op[i].cmd = PVISOR_MMUEXT_TLB_FLUSH_LOCAL;
			op[i].arg1 = number(r);
			break;
		}
		op[i].pad = chance(r, 8) ? (u32)next(r) : 0;
		op[i].arg2 = chance(r, 4) ? next(r) : 0;
	}
	c->a[0] = chance(&f->rng, 8) ? foreign_pointer(f) : (u64)op;
	c->a[1] = chance(&f->rng, 8) ? count(f, 4096) : n;
	c->a[2] = chance(&f->rng, 2) ? 0 : pointer(f);
	c->a[3] = domid(f);
}

static void gen_trap_table(struct fuzzer *f, struct call *c)
{
	u64 n = below(&f->rng, 40);
	struct pvisor_trap_info *t = buffer(f, (n + 1) * sizeof(*t));

	for (u64 i = 0; i < n; i++) {
		struct rng *r = &f->rng;

		t[i].vector = chance(r, 4) ? (u8)next(r) : (u8)below(r, 32);
		t[i].flags = chance(r, 8) ? (u8)next(r) : 0;
		if (wild)
			t[i].address = chance(r, 2) ? pointer(f) : next(r);
		else if (chance(r, 2))
			/* minnow's own entries: a trap still reports itself */
			t[i].address = trap_entry_address(t[i].vector % NR_TRAPS);
		else
			/* outside the window: must be refused */
			t[i].address = chance(r, 2) ? RUNNER_TEXT + below(r, 1 << 20) :
				       KERNEL_VA + next(r) % (1ULL << 40);
		if (!t[i].address)
			t[i].address = 1;
	}
	if (!chance(&f->rng, 4))
		memset(&t[n], 0, sizeof(t[n]));
	c->a[0] = chance(&f->rng, 4) ? (chance(&f->rng, 2) ? 0 : foreign_pointer(f)) :
		  (u64)t;
}

static void gen_event_channel_op(struct fuzzer *f, struct call *c)
{
	struct rng *r = &f->rng;
	u32 *arg = buffer(f, 32);

	c->a[0] = chance(r, 8) ? number(r) : below(r, 10);
	/* small ports and vCPUs, so that some calls find their target */
	for (unsigned int i = 0; i < 6; i++)
		if (chance(r, 2))
			arg[i] = (u32)below(r, i == 0 ? 64 : 8);
	if (c->a[0] == PVISOR_EVTCHNOP_BIND_VIRQ && chance(r, 2))
		arg[0] = (u32)below(r, PVISOR_NR_VIRQS + 2);
	c->a[1] = chance(r, 8) ? pointer(f) : (u64)arg;
}

static void gen_sched_op(struct fuzzer *f, struct call *c)
{
	struct rng *r = &f->rng;
	struct pvisor_sched_poll *poll = buffer(f, sizeof(*poll) +
						PVISOR_POLL_PORTS_MAX * sizeof(u32));
	u32 *ports = (u32 *)(poll + 1);
	u64 cmd = chance(r, 8) ? number(r) : below(r, 5);

	/* the module may look at the low 32 bits only: judge by those */
	switch ((u32)cmd) {
	case PVISOR_SCHEDOP_SHUTDOWN:
		/* in wild mode, rarely, a real shutdown */
		if (!wild || !chance(r, 64))
			cmd = PVISOR_SCHEDOP_YIELD;
		c->a[1] = pointer(f);
		break;
	case PVISOR_SCHEDOP_BLOCK:
		/*
		 * It sleeps until an event, and the fuzzer may have closed
		 * every port that would bring one: wild mode only.
		 */
		if (!wild)
			cmd = PVISOR_SCHEDOP_YIELD;
		break;
	case PVISOR_SCHEDOP_POLL:
		for (unsigned int i = 0; i < PVISOR_POLL_PORTS_MAX; i++)
			ports[i] = (u32)below(r, chance(r, 4) ? 1ULL << 32 : 64);
		poll->ports = chance(r, 8) ? pointer(f) : (u64)ports;
		poll->nr_ports = (u32)(chance(r, 8) ? number(r) :
				       below(r, PVISOR_POLL_PORTS_MAX + 1));
		poll->pad = chance(r, 8) ? (u32)next(r) : 0;
		/* a near timeout, or one in the past; never none */
		poll->timeout = chance(r, 4) ? 1 + below(r, monotonic_ns()) :
				monotonic_ns() + below(r, 200000);
		c->a[1] = (u64)poll;
		break;
	default:
		c->a[1] = pointer(f);
		break;
	}
	c->a[0] = cmd;
}

static void gen_vcpu_op(struct fuzzer *f, struct call *c)
{
	struct rng *r = &f->rng;
	u64 cmd = chance(r, 8) ? number(r) : below(r, 11);
	u64 *arg = buffer(f, 64);

	c->a[0] = cmd;
	c->a[1] = chance(r, 2) ? f->cpu : (chance(r, 2) ? below(r, 40) : number(r));
	/*
	 * A periodic timer stays until stopped: one at the minimum period
	 * would spend the vCPU on its events (and the test host, under
	 * TCG, on their signals). Mostly 10 ms and up, then.
	 */
	if (cmd == PVISOR_VCPUOP_SET_PERIODIC_TIMER)
		arg[0] = chance(r, 16) ? number(r) :
			 10000000 + below(r, 100000000);
	if (cmd == PVISOR_VCPUOP_SET_SINGLESHOT_TIMER)
		arg[0] = chance(r, 2) ? monotonic_ns() + below(r, 2000000) :
			 number(r);
	/*
	 * A vCPU taken down stays down: only ids that name none, unless
	 * wild (judged by the low 32 bits, in case the module is).
	 */
	if (!wild && (u32)cmd == PVISOR_VCPUOP_DOWN && (u32)c->a[1] < nr_cpus)
		c->a[1] = nr_cpus + below(r, 64);
	c->a[2] = chance(r, 4) ? pointer(f) : (u64)arg;
}

/* Fill @c with a random call of number @nr. */
static void gen(struct fuzzer *f, struct call *c, u64 nr)
{
	struct rng *r = &f->rng;
	unsigned int i;

	c->nr = nr;
	for (i = 0; i < 5; i++)
		c->a[i] = chance(r, 2) ? number(r) : pointer(f);
	switch (nr) {
	case PVISOR_HC_SET_TRAP_TABLE:
		gen_trap_table(f, c);
		break;
	case PVISOR_HC_MMU_UPDATE:
		gen_mmu_update(f, c);
		break;
	case PVISOR_HC_SET_CALLBACKS:
		/* the fuzzer keeps minnow's callback; others must be refused */
		if (!wild)
			c->a[0] = chance(r, 2) ? RUNNER_TEXT :
				  (chance(r, 2) ? NONCANONICAL : KERNEL_VA);
		break;
	case PVISOR_HC_MEMORY_OP:
		c->a[0] = chance(r, 2) ? 3 + below(r, 2) : number(r);
		c->a[1] = domid(f);
		break;
	case PVISOR_HC_UPDATE_VA_MAPPING:
		c->a[0] = mapping_va(f);
		c->a[1] = entry(f);
		c->a[2] = chance(r, 2) ? below(r, 3) : number(r);
		break;
	case PVISOR_HC_SET_TIMER_OP:
		c->a[0] = chance(r, 2) ? monotonic_ns() + below(r, 2000000) :
			  number(r);
		break;
	case PVISOR_HC_VERSION:
		c->a[0] = chance(r, 2) ? 0 : number(r);
		break;
	case PVISOR_HC_CONSOLE_IO: {
		char *line = buffer(f, 64);
		u64 len = 11 + below(r, 40);

		/* printable, ending in a newline: the console stays readable */
		for (u64 j = 0; j < len; j++)
			line[j] = (char)(' ' + (line[j] & 63));
		memcpy(line, "fuzz-noise ", 11);
		line[len] = '\n';
		c->a[0] = chance(r, 2) ? PVISOR_CONSOLEIO_WRITE : number(r);
		if (chance(r, 2)) {
			c->a[1] = len + 1;
			c->a[2] = (u64)line;
		} else {
			c->a[1] = number(r);
			c->a[2] = pointer(f);
			/* only pointers the console cannot print from */
			if ((c->a[2] - (u64)f->scratch) < SCRATCH_PAGES * PAGE_SIZE ||
			    c->a[2] - PVISOR_SHARED_INFO_PAGE < 3 * PAGE_SIZE ||
			    c->a[2] - SANDBOX_VA < SANDBOX_SIZE + PAGE_SIZE)
				c->a[2] = RUNNER_TEXT;
		}
		break;
	}
	case PVISOR_HC_IRET:
		if (!wild)
			c->nr = PVISOR_HC_VERSION;
		else
			c->a[0] = pointer(f);
		break;
	case PVISOR_HC_VCPU_OP:
		gen_vcpu_op(f, c);
		break;
	case PVISOR_HC_MMUEXT_OP:
		gen_mmuext_op(f, c);
		break;
	case PVISOR_HC_SCHED_OP:
		gen_sched_op(f, c);
		break;
	case PVISOR_HC_EVENT_CHANNEL_OP:
		gen_event_channel_op(f, c);
		break;
	default:
		break;
	}
}

static const u64 known[] = {
	PVISOR_HC_SET_TRAP_TABLE, PVISOR_HC_SET_CALLBACKS,
	PVISOR_HC_MEMORY_OP, PVISOR_HC_SET_TIMER_OP, PVISOR_HC_VERSION,
	PVISOR_HC_CONSOLE_IO, PVISOR_HC_IRET, PVISOR_HC_VCPU_OP,
	PVISOR_HC_SCHED_OP, PVISOR_HC_EVENT_CHANNEL_OP,
};

/*
 * The calls that change page tables (and multicall, which batches
 * them): under TCG each costs about a hundred of the others, mostly
 * in refilling the shadow after an invalidation, so they get
 * HEAVY_ONE_IN of the draws to let the rest add up.
 */
static const u64 heavy[] = {
	PVISOR_HC_MMU_UPDATE, PVISOR_HC_UPDATE_VA_MAPPING,
	PVISOR_HC_MMUEXT_OP, PVISOR_HC_MULTICALL,
};
#define HEAVY_ONE_IN	32

static u64 pick_nr(struct fuzzer *f)
{
	struct rng *r = &f->rng;
	u64 nr;

	if (chance(r, HEAVY_ONE_IN))
		return heavy[below(r, ARRAY_SIZE(heavy))];
	do
		nr = chance(r, 4) ? below(r, PVISOR_NR_HYPERCALLS) :
		     known[below(r, ARRAY_SIZE(known))];
	while (nr == heavy[0] || nr == heavy[1] || nr == heavy[2] ||
	       nr == heavy[3]);
	return nr;
}

static void gen_multicall(struct fuzzer *f, struct call *c)
{
	struct rng *r = &f->rng;
	u64 n = below(r, 16) + 1;
	struct pvisor_multicall_entry *e;

	/* buffer() may hand out the page the entries' own buffers use */
	e = (void *)(f->scratch + (SCRATCH_PAGES - 1) * PAGE_SIZE);
	for (u64 i = 0; i < n; i++) {
		struct call sub;
		u64 nr = pick_nr(f);

		if (nr == PVISOR_HC_MULTICALL && !chance(r, 4))
			nr = PVISOR_HC_VERSION;
		gen(f, &sub, nr);
		e[i].op = chance(r, 16) ? number(r) : sub.nr;
		e[i].result = next(r);
		memcpy(e[i].args, sub.a, sizeof(sub.a));
		e[i].args[5] = next(r);
		/*
		 * A random op must not run another call's arguments as
		 * one of the calls safe mode filters.
		 */
		if (!wild && (e[i].op == PVISOR_HC_SCHED_OP ||
			      e[i].op == PVISOR_HC_VCPU_OP ||
			      e[i].op == PVISOR_HC_SET_CALLBACKS ||
			      e[i].op == PVISOR_HC_MMUEXT_OP ||
			      e[i].op == PVISOR_HC_IRET ||
			      e[i].op == PVISOR_HC_MMU_UPDATE ||
			      e[i].op == PVISOR_HC_CONSOLE_IO ||
			      e[i].op == PVISOR_HC_UPDATE_VA_MAPPING) &&
		    e[i].op != sub.nr)
			e[i].op = PVISOR_HC_VERSION;
	}
	c->nr = PVISOR_HC_MULTICALL;
	c->a[0] = chance(r, 8) ? foreign_pointer(f) : (u64)e;
	c->a[1] = chance(r, 8) ? count(f, PVISOR_MULTICALL_MAX) : n;
	/* multicall reads at most what its count says: keep it in bounds */
	if (!wild && c->a[0] == (u64)e && c->a[1] > n &&
	    c->a[1] * sizeof(*e) <= PAGE_SIZE)
		c->a[1] = n;
}

/* A call number beyond the hypercall page: straight to the ioctl. */
static long beyond_page(struct fuzzer *f)
{
	u64 nr = PVISOR_NR_HYPERCALLS + below(&f->rng, 256);
	long ret;

	asm volatile("syscall"
		     : "=a"(ret)
		     : "0"((u64)SYS_ioctl), "D"((u64)PVISOR_RUNNER_FD),
		       "S"((u64)PVISOR_IOCTL_HYPERCALL(nr)), "d"(0ULL)
		     : "rcx", "r11", "memory");
	return ret;
}

/* trace=N: the call about to be made, and a multicall's entries. */
static void show(struct fuzzer *f, const struct call *c)
{
	const struct pvisor_multicall_entry *e = (const void *)c->a[0];

	printk("fuzz: cpu %u call %llu: %llu(0x%llx, 0x%llx, 0x%llx, 0x%llx, "
	       "0x%llx)\n", f->cpu, f->calls, c->nr, c->a[0], c->a[1],
	       c->a[2], c->a[3], c->a[4]);
	if (c->nr != PVISOR_HC_MULTICALL ||
	    c->a[0] - (u64)f->scratch >= SCRATCH_PAGES * PAGE_SIZE)
		return;
	for (u64 i = 0; i < c->a[1] && i < 16 &&
	     (u64)&e[i + 1] <= (u64)f->scratch + SCRATCH_PAGES * PAGE_SIZE; i++)
		printk("fuzz:   entry %llu: %llu(0x%llx, 0x%llx, 0x%llx, "
		       "0x%llx, 0x%llx)\n", i, e[i].op, e[i].args[0],
		       e[i].args[1], e[i].args[2], e[i].args[3], e[i].args[4]);
}

static bool result_ok(long ret)
{
	return ret >= -4095;
}

static void fuzz(void *arg)
{
	struct fuzzer *f = arg;

	while (f->calls < f->budget) {
		struct call c = { 0 };
		long ret;

		if (wild && chance(&f->rng, 4096)) {
			ret = beyond_page(f);	/* the filter kills us */
		} else {
			u64 nr = pick_nr(f);

			f->used = 0;
			if (nr == PVISOR_HC_MULTICALL)
				gen_multicall(f, &c);
			else
				gen(f, &c, nr);
			if (trace && f->calls + 1 >= trace)
				show(f, &c);
			ret = hypercall5((unsigned int)c.nr, c.a[0], c.a[1],
					 c.a[2], c.a[3], c.a[4]);
		}
		if (!result_ok(ret))
			f->bad_results++;
		f->calls++;
		if (f->cpu == 0 && !(f->calls % PROGRESS_EVERY)) {
			u64 total = 0;

			for (unsigned int i = 0; i < nr_cpus; i++)
				total += fuzzers[i].calls;
			printk("fuzz: calls %llu\n", total);
		}
	}
	__atomic_store_n(&f->finished, true, __ATOMIC_RELEASE);
}

/* The sandbox: map its first page, so that both leaf tables exist. */
static void sandbox_init(void)
{
	unsigned int i;

	for (i = 0; i < SANDBOX_PAGES; i++) {
		sandbox_pfns[i] = alloc_page_pfn();
		GUEST_ASSERT(sandbox_pfns[i] != MM_NO_PAGE);
	}
	for (i = 0; i < SANDBOX_TABLES; i++) {
		u64 va = SANDBOX_VA + i * 512 * PAGE_SIZE;
		u64 *pte;

		GUEST_ASSERT(map_page(va, sandbox_pfns[i], PVISOR_PTE_RW |
				      PVISOR_PTE_NX) == 0);
		pte = lookup_pte(va);
		GUEST_ASSERT(pte);
		sandbox_table_pa[i] = virt_to_pfn(pte) << PAGE_SHIFT;
	}
}

/* Scratch buffers: SCRATCH_PAGES mapped pages, then an unmapped guard. */
static u8 *scratch_init(unsigned int cpu)
{
	u64 va = SCRATCH_VA + cpu * SCRATCH_STRIDE;

	for (unsigned int i = 0; i < SCRATCH_PAGES; i++) {
		u64 pfn = alloc_page_pfn();

		GUEST_ASSERT(pfn != MM_NO_PAGE);
		GUEST_ASSERT(map_page(va + i * PAGE_SIZE, pfn,
				      PVISOR_PTE_RW | PVISOR_PTE_NX) == 0);
	}
	return (u8 *)va;
}

static bool all_finished(void)
{
	for (unsigned int i = 0; i < nr_cpus; i++)
		if (!__atomic_load_n(&fuzzers[i].finished, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

void minnow_main(void)
{
	u64 seed, budget, total = 0, bad = 0;
	unsigned int i;
	long ret;

	cmdline = start_info->cmd_line;
	mm_init();
	GUEST_ASSERT(trap_init() == 0);
	GUEST_ASSERT(events_init() == 0);
	GUEST_ASSERT(time_init() == 0);
	seed = option("seed", 1);
	budget = option("calls", 100000);
	wild = option_is("mode", "wild");
	trace = option("trace", 0);
	nr_cpus = start_info->nr_vcpus;
	if (nr_cpus > MINNOW_MAX_CPUS)
		nr_cpus = MINNOW_MAX_CPUS;
	for (i = 0; i < ARRAY_SIZE(canary); i++)
		canary[i] = CANARY ^ i;
	sandbox_init();
	for (i = 0; i < nr_cpus; i++) {
		fuzzers[i].cpu = i;
		fuzzers[i].rng.s = seed * 0x100000001b3ULL + i;
		fuzzers[i].scratch = scratch_init(i);
		fuzzers[i].budget = budget / nr_cpus +
				    (i < budget % nr_cpus ? 1 : 0);
	}
	printk("fuzz: seed %llu vcpus %u calls %llu mode %s\n", seed,
	       nr_cpus, budget, wild ? "wild" : "safe");
	if (nr_cpus > 1) {
		ret = smp_start(nr_cpus);
		GUEST_ASSERT(ret == (long)nr_cpus);
	}
	/* Every vCPU starts before any fuzzing: fuzzing may break the IPIs. */
	for (i = 1; i < nr_cpus; i++) {
		ret = smp_call(i, fuzz, &fuzzers[i]);
		if (ret)
			printk("fuzz: cannot start vCPU %u's fuzzer: %ld\n", i, ret);
		GUEST_ASSERT(ret == 0);
	}
	fuzz(&fuzzers[0]);
	while (!all_finished())
		hv_sched_yield();

	for (i = 0; i < nr_cpus; i++) {
		total += fuzzers[i].calls;
		bad += fuzzers[i].bad_results;
	}
	printk("fuzz: done %llu\n", total);
	guest_report(total >= budget, "%llu calls on %u vCPUs (budget %llu)",
		     total, nr_cpus, budget);
	guest_report(!bad, "every result a value or an errno (%llu were not)",
		     bad);
	for (i = 0; i < ARRAY_SIZE(canary) && canary[i] == (CANARY ^ i); i++)
		;
	guest_report(i == ARRAY_SIZE(canary), "memory no call was given is "
		     "intact (first bad word %u)", i);
	guest_done();
}
