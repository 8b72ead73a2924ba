// SPDX-License-Identifier: GPL-2.0
/*
 * Grant tables v1 (Documentation/grant-tables.rst), from both sides.
 *
 * The guest is a small engine: it runs grant_table_op(cmd, op, count)
 * whenever the host posts a command in its scratch page and reports the
 * result, until told to stop. The host plays the granting guest's
 * kernel too: it writes grant entries into the table frames through
 * Domain0's memory mapping, exactly as the guest would (flags last).
 *
 * - SETUP_TABLE and QUERY_SIZE, with bad frame lists, sizes and domains.
 * - Domain0 maps rw and ro grants (GRANT_MAP + mmap): contents both ways,
 *   GTF_READING/WRITING while mapped and cleared after, a write through
 *   a read-only mapping faults, PROT_WRITE and mprotect are refused.
 * - Hostile: refs out of range, grants to another domain, frames the
 *   domain does not own, invalid entries, an entry revoked during a map,
 *   flags flipped by another thread while maps are made, double unmap,
 *   a nonexistent domain, too many maps on one fd.
 * - Copies: Domain0's GRANT_COPY both ways and into a read-only grant;
 *   the guest's own GNTTABOP_COPY between its frames and grants; a
 *   guest copying through another guest's grant, until that one is
 *   destroyed.
 * - A backend that never unmaps: close() ends its mappings.
 * - Destroy of the granting domain while mapped: the frames stay
 *   charged and readable until the backend lets go, no new map is
 *   possible, and the accounting returns to the baseline after.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <pvisor/device.h>
#include <pvisor/grant.h>

#include "guestrun.h"
#include "pvtest.h"

#define PREFIX		"gnt-"
#define STR(x)		GR_STR(x)
#define HCALL(nr)	GR_HCALL(nr)
#define RES_VA		STR(GR_ASM_VA(GR_PFN_RESULTS))
#define SCRATCH_VA	STR(GR_ASM_VA(GR_PFN_SCRATCH))

/* Scratch: the host's command (grant cmd + 1, or STOP), count, op VA. */
#define S_CMD		0x00
#define S_COUNT		0x08
#define S_OP		0x10
#define S_SHUTDOWN	0x60
#define S_FRAMES	0x100	/* a frame list */
#define S_OPS		0x400	/* operations */
#define CMD_STOP	0x100
/* Results: the call's rax, and how many calls it made. */
#define R_RET		0x00
#define R_DONE		0x08

#define PFN_GT0		24	/* table frames */
#define PFN_GT1		25
#define PFN_RW		40	/* granted read-write */
#define PFN_RO		41	/* granted read-only */
#define PFN_OTHER	42	/* granted to another domain */
#define PFN_SRC		43	/* the guest's own copies */
#define PFN_DST		44

#define REF_RW		1
#define REF_RO		2
#define REF_OTHER	3
#define REF_NOT_OWNED	4
#define REF_INVALID	5
#define REF_SELF	6	/* granted to the guest itself */

asm(".pushsection .guest_text, \"ax\"\n"
    ".globl guest_start\n"
    "guest_start:\n"
    ".globl guest_engine\n"
    "guest_engine:\n"
    "movabs $" RES_VA ", %r13\n movabs $" SCRATCH_VA ", %r12\n"
    "0: mov " STR(S_CMD) "(%r12), %rax\n test %rax, %rax\n jnz 1f\n"
    "xor %edi, %edi\n" HCALL(29)	/* yield */
    "jmp 0b\n"
    "1: cmp $" STR(CMD_STOP) ", %rax\n je 9f\n"
    "lea -1(%rax), %rdi\n mov " STR(S_OP) "(%r12), %rsi\n"
    "mov " STR(S_COUNT) "(%r12), %rdx\n" HCALL(20)
    "mov %rax, " STR(R_RET) "(%r13)\n"
    "movq $0, " STR(S_CMD) "(%r12)\n"
    "lock incq " STR(R_DONE) "(%r13)\n"
    "jmp 0b\n"
    "9: mov $2, %edi\n lea " STR(S_SHUTDOWN) "(%r12), %rsi\n" HCALL(29)
    "ud2\n"
    ".globl guest_end\n"
    "guest_end:\n"
    ".popsection\n");

extern const char guest_engine[];

static struct pvnl *nl;
static int dev;

static volatile uint64_t *word(const struct gr_run *run, uint64_t gpa)
{
	return (volatile uint64_t *)(run->mem + gpa);
}

static uint64_t scratch_gpa(uint64_t off)
{
	return GR_PFN_SCRATCH * PVT_PAGE + off;
}

static void *scratch(const struct gr_run *run, uint64_t off)
{
	return run->mem + scratch_gpa(off);
}

/* Have the guest run grant_table_op(@cmd, ops at S_OPS, @count). */
static int64_t guest_op(const struct gr_run *run, unsigned int cmd,
			unsigned int count)
{
	volatile uint64_t *done = word(run, GR_PFN_RESULTS * PVT_PAGE + R_DONE);
	uint64_t before = *done;
	struct timespec tick = { 0, 5 * 1000 * 1000 };

	*word(run, scratch_gpa(S_COUNT)) = count;
	*word(run, scratch_gpa(S_OP)) = GR_VA(GR_PFN_SCRATCH) + S_OPS;
	__atomic_store_n(word(run, scratch_gpa(S_CMD)), cmd + 1,
			 __ATOMIC_RELEASE);
	for (int i = 0; *done == before; i++) {
		if (i > GR_HANG_SECS * 200)
			tap_bail("the guest never ran grant op %u", cmd);
		nanosleep(&tick, NULL);
	}
	return (int64_t)*word(run, GR_PFN_RESULTS * PVT_PAGE + R_RET);
}

static struct pvisor_grant_entry *entry(const struct gr_run *run, uint32_t ref)
{
	struct pvisor_grant_entry *table = (void *)(run->mem +
						     PFN_GT0 * PVT_PAGE);

	return &table[ref];
}

static uint16_t entry_flags(const struct gr_run *run, uint32_t ref)
{
	return __atomic_load_n(&entry(run, ref)->flags, __ATOMIC_ACQUIRE);
}

/* What the guest would do: domid and frame first, the flags last. */
static void grant(const struct gr_run *run, uint32_t ref, uint16_t domid,
		  uint32_t frame, uint16_t flags)
{
	struct pvisor_grant_entry *e = entry(run, ref);

	e->domid = domid;
	e->frame = frame;
	__atomic_store_n(&e->flags, flags, __ATOMIC_RELEASE);
}

static void fill(const struct gr_run *run, uint64_t pfn, uint8_t seed)
{
	for (unsigned int i = 0; i < PVT_PAGE; i++)
		run->mem[pfn * PVT_PAGE + i] = (uint8_t)(seed + i * 7);
}

static bool matches(const uint8_t *p, uint8_t seed)
{
	for (unsigned int i = 0; i < PVT_PAGE; i++)
		if (p[i] != (uint8_t)(seed + i * 7))
			return false;
	return true;
}

static int16_t setup_table(const struct gr_run *run, uint16_t dom,
			   uint32_t nr, const uint64_t *pfns, int64_t *ret)
{
	struct pvisor_gnttab_setup_table *op = scratch(run, S_OPS);

	memset(op, 0, sizeof(*op));
	op->dom = dom;
	op->nr_frames = nr;
	op->status = 99;
	op->frame_list = GR_VA(GR_PFN_SCRATCH) + S_FRAMES;
	memcpy(scratch(run, S_FRAMES), pfns, nr * sizeof(*pfns));
	*ret = guest_op(run, PVISOR_GNTTABOP_SETUP_TABLE, 1);
	return op->status;
}

/* GRANT_MAP: 0 and the mmap() offset in *@index, or -errno. */
static int map_grant(int fd, uint32_t domid, uint32_t ref, bool ro,
		     uint64_t *index)
{
	struct pvisor_grant_map arg = {
		.domid = domid, .ref = ref,
		.flags = ro ? PVISOR_GRANT_MAP_READONLY : 0,
	};

	if (ioctl(fd, PVISOR_IOCTL_GRANT_MAP, &arg))
		return -errno;
	*index = arg.index;
	return 0;
}

static int unmap_grant(int fd, uint64_t index)
{
	struct pvisor_grant_unmap arg = { .index = index };

	return ioctl(fd, PVISOR_IOCTL_GRANT_UNMAP, &arg) ? -errno : 0;
}

static int grant_open(void)
{
	int fd = ioctl(dev, PVISOR_IOCTL_GRANT_OPEN);

	if (fd < 0)
		tap_bail("GRANT_OPEN: %s", strerror(errno));
	return fd;
}

/* One Domain0 copy segment; its status, or 100 + errno if the ioctl failed. */
static int copy_seg(int fd, struct pvisor_grant_copy_seg *seg)
{
	struct pvisor_grant_copy arg = { .count = 1,
					 .segments = (uint64_t)(uintptr_t)seg };

	seg->status = 99;
	if (ioctl(fd, PVISOR_IOCTL_GRANT_COPY, &arg))
		return 100 + errno;
	return seg->status;
}

static int copy_from_grant(int fd, uint32_t domid, uint32_t ref, void *buf,
			   uint16_t offset, uint16_t len)
{
	struct pvisor_grant_copy_seg seg = {
		.source.foreign = { .ref = ref, .offset = offset, .domid = domid },
		.dest.virt = (uint64_t)(uintptr_t)buf,
		.len = len, .flags = PVISOR_GNTCOPY_SOURCE_GREF,
	};

	return copy_seg(fd, &seg);
}

static int copy_to_grant(int fd, uint32_t domid, uint32_t ref,
			 const void *buf, uint16_t offset, uint16_t len)
{
	struct pvisor_grant_copy_seg seg = {
		.source.virt = (uint64_t)(uintptr_t)buf,
		.dest.foreign = { .ref = ref, .offset = offset, .domid = domid },
		.len = len, .flags = PVISOR_GNTCOPY_DEST_GREF,
	};

	return copy_seg(fd, &seg);
}

static sigjmp_buf fault_jump;

static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(fault_jump, 1);
}

/* Does a write of one byte at @p fault? */
static bool write_faults(volatile uint8_t *p)
{
	struct sigaction sa = { .sa_handler = on_segv }, old;
	bool faulted = false;

	sigaction(SIGSEGV, &sa, &old);
	if (sigsetjmp(fault_jump, 1))
		faulted = true;
	else
		*p = 0x5a;
	sigaction(SIGSEGV, &old, NULL);
	return faulted;
}

static void test_setup(struct gr_run *run)
{
	struct pvisor_gnttab_query_size *q = scratch(run, S_OPS);
	uint64_t pfns[2] = { PFN_GT0, PFN_GT1 };
	uint64_t bad[2] = { PFN_GT0, GR_BYTES / PVT_PAGE };
	uint64_t moved[2] = { PFN_GT1, PFN_GT0 };
	uint64_t twice[2] = { PFN_GT0, PFN_GT0 };
	uint32_t max;
	int64_t ret;
	int16_t st;

	/* Stale contents of a new table frame must not grant anything. */
	grant(run, REF_RW, 0, PFN_RW, PVISOR_GTF_PERMIT_ACCESS);

	st = setup_table(run, 0, 1, pfns, &ret);
	tap_ok(ret == 0 && st == PVISOR_GNTST_OKAY,
	       "SETUP_TABLE of one frame (rax %lld, status %d)",
	       (long long)ret, st);
	tap_ok(entry_flags(run, REF_RW) == 0, "the new table frame was zeroed");

	memset(q, 0, sizeof(*q));
	ret = guest_op(run, PVISOR_GNTTABOP_QUERY_SIZE, 1);
	max = q->max_nr_frames;
	tap_ok(ret == 0 && q->status == 0 && q->nr_frames == 1 && max >= 2 &&
	       max <= 64, "QUERY_SIZE: 1 of %u frames", max);

	st = setup_table(run, 0, 2, bad, &ret);
	tap_ok(ret == 0 && st == PVISOR_GNTST_BAD_PAGE,
	       "a frame beyond the reservation: BAD_PAGE (%d)", st);
	st = setup_table(run, 0, 2, moved, &ret);
	tap_ok(st == PVISOR_GNTST_GENERAL_ERROR,
	       "moving a table frame: GENERAL_ERROR (%d)", st);
	st = setup_table(run, 0, 2, twice, &ret);
	tap_ok(st == PVISOR_GNTST_GENERAL_ERROR,
	       "one frame twice: GENERAL_ERROR (%d)", st);
	st = setup_table(run, 0, max + 1, pfns, &ret);
	tap_ok(st == PVISOR_GNTST_GENERAL_ERROR,
	       "more than max_grant_frames: GENERAL_ERROR (%d)", st);
	st = setup_table(run, run->dom.id + 1, 1, pfns, &ret);
	tap_ok(st == PVISOR_GNTST_PERMISSION_DENIED,
	       "another domain's table: PERMISSION_DENIED (%d)", st);
	ret = guest_op(run, PVISOR_GNTTABOP_SETUP_TABLE, 2);
	tap_ok(ret == -EINVAL, "SETUP_TABLE with count 2: EINVAL (%lld)",
	       (long long)ret);

	st = setup_table(run, run->dom.id, 2, pfns, &ret);
	memset(q, 0, sizeof(*q));
	ret = guest_op(run, PVISOR_GNTTABOP_QUERY_SIZE, 1);
	tap_ok(st == 0 && q->nr_frames == 2,
	       "growing to two frames, named by own id (status %d, %u frames)",
	       st, q->nr_frames);
	ret = guest_op(run, PVISOR_GNTTABOP_MAP_GRANT_REF, 1);
	tap_ok(ret == -ENOSYS, "guest MAP_GRANT_REF: ENOSYS for now (%lld)",
	       (long long)ret);
}

static void grant_all(const struct gr_run *run)
{
	fill(run, PFN_RW, 1);
	fill(run, PFN_RO, 2);
	fill(run, PFN_OTHER, 3);
	fill(run, PFN_SRC, 4);
	grant(run, REF_RW, 0, PFN_RW, PVISOR_GTF_PERMIT_ACCESS);
	grant(run, REF_RO, 0, PFN_RO,
	      PVISOR_GTF_PERMIT_ACCESS | PVISOR_GTF_READONLY);
	grant(run, REF_OTHER, run->dom.id + 100, PFN_OTHER,
	      PVISOR_GTF_PERMIT_ACCESS);
	grant(run, REF_NOT_OWNED, 0, GR_BYTES / PVT_PAGE + 5,
	      PVISOR_GTF_PERMIT_ACCESS);
	grant(run, REF_INVALID, 0, PFN_RW, 2 /* accept_transfer */);
	grant(run, REF_SELF, run->dom.id, PFN_DST, PVISOR_GTF_PERMIT_ACCESS);
}

static void test_maps(const struct gr_run *run)
{
	const uint16_t rw_busy = PVISOR_GTF_PERMIT_ACCESS |
				 PVISOR_GTF_READING | PVISOR_GTF_WRITING;
	uint32_t id = run->dom.id;
	uint64_t irw, iro, ix;
	uint8_t *prw, *pro;
	int fd = grant_open();
	int ret;

	ret = map_grant(fd, id, REF_RW, false, &irw);
	tap_ok(ret == 0 && entry_flags(run, REF_RW) == rw_busy,
	       "a rw map sets GTF_reading|writing (%d, flags %#x)", ret,
	       entry_flags(run, REF_RW));
	prw = mmap(NULL, PVT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, irw);
	tap_ok(prw != MAP_FAILED && matches(prw, 1),
	       "the rw mapping shows the granted frame");
	if (prw != MAP_FAILED) {
		prw[100] = 0xee;
		tap_ok(run->mem[PFN_RW * PVT_PAGE + 100] == 0xee,
		       "a write through it reaches the guest's frame");
	} else {
		tap_ok(false, "a write through it reaches the guest's frame");
	}

	ret = map_grant(fd, id, REF_RO, false, &ix);
	tap_ok(ret == -EACCES, "a rw map of a ro grant: EACCES (%s)",
	       pvt_errno_name(ret));
	ret = map_grant(fd, id, REF_RO, true, &iro);
	tap_ok(ret == 0 && entry_flags(run, REF_RO) ==
	       (PVISOR_GTF_PERMIT_ACCESS | PVISOR_GTF_READONLY |
		PVISOR_GTF_READING),
	       "a ro map sets GTF_reading only (flags %#x)",
	       entry_flags(run, REF_RO));
	tap_ok(mmap(NULL, PVT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    iro) == MAP_FAILED && errno == EPERM,
	       "PROT_WRITE on a ro map: EPERM");
	pro = mmap(NULL, PVT_PAGE, PROT_READ, MAP_SHARED, fd, iro);
	tap_ok(pro != MAP_FAILED && matches(pro, 2),
	       "the ro mapping shows the granted frame");
	tap_ok(pro != MAP_FAILED && write_faults(pro + 8) &&
	       matches(pro, 2), "a write through the ro mapping faults");
	tap_ok(pro != MAP_FAILED &&
	       mprotect(pro, PVT_PAGE, PROT_READ | PROT_WRITE) && errno == EACCES,
	       "mprotect to writable: EACCES");

	/* Hostile references. */
	tap_ok(map_grant(fd, id, 2 * 512, false, &ix) == -EINVAL &&
	       map_grant(fd, id, 0xffffffffu, false, &ix) == -EINVAL,
	       "refs beyond the table: EINVAL");
	tap_ok(map_grant(fd, id, REF_OTHER, false, &ix) == -EACCES,
	       "a grant to another domain: EACCES");
	tap_ok(map_grant(fd, id, REF_NOT_OWNED, true, &ix) == -EACCES,
	       "a grant of a frame the domain does not own: EACCES");
	tap_ok(map_grant(fd, id, REF_INVALID, true, &ix) == -EACCES &&
	       map_grant(fd, id, 100, true, &ix) == -EACCES,
	       "an entry not permitting access: EACCES");
	tap_ok(map_grant(fd, PVISOR_DOMID_MAX, REF_RW, true, &ix) == -ENOENT &&
	       map_grant(fd, 0, REF_RW, true, &ix) == -EINVAL,
	       "no such domain: ENOENT; domain 0: EINVAL");

	/* Unmapping: the bits stay while a VMA is left, go with the last. */
	tap_ok(unmap_grant(fd, iro) == 0 &&
	       entry_flags(run, REF_RO) & PVISOR_GTF_READING,
	       "an unmapped handle whose mmap is live stays in use");
	tap_ok(unmap_grant(fd, iro) == -EINVAL && unmap_grant(fd, 12345) == -EINVAL &&
	       unmap_grant(fd, 1) == -EINVAL, "double unmap, bad handles: EINVAL");
	if (pro != MAP_FAILED)
		munmap(pro, PVT_PAGE);
	tap_ok(entry_flags(run, REF_RO) ==
	       (PVISOR_GTF_PERMIT_ACCESS | PVISOR_GTF_READONLY),
	       "munmap of the last use clears GTF_reading (flags %#x)",
	       entry_flags(run, REF_RO));
	tap_ok(mmap(NULL, PVT_PAGE, PROT_READ, MAP_SHARED, fd, iro) ==
	       MAP_FAILED && errno == EINVAL,
	       "an unmapped handle cannot be mmapped again");

	/* The guest revokes during the map: we keep what we pinned. */
	__atomic_store_n(&entry(run, REF_RW)->flags, 0, __ATOMIC_RELEASE);
	tap_ok(prw != MAP_FAILED && prw[100] == 0xee,
	       "a grant revoked during a map still maps the pinned frame");
	tap_ok(map_grant(fd, id, REF_RW, true, &ix) == -EACCES,
	       "a revoked grant cannot be mapped again");
	if (prw != MAP_FAILED)
		munmap(prw, PVT_PAGE);
	unmap_grant(fd, irw);
	tap_ok(entry_flags(run, REF_RW) == 0,
	       "the end clears only our bits (flags %#x)",
	       entry_flags(run, REF_RW));
	grant(run, REF_RW, 0, PFN_RW, PVISOR_GTF_PERMIT_ACCESS);
	close(fd);
}

static void test_limits_and_close(const struct gr_run *run)
{
	uint64_t limit = 0, n = 0, ix;
	int fd = grant_open();
	int ret = 0;

	if (pvt_read_u64(PVT_PARAM_DIR "/max_grant_maps", &limit) || !limit ||
	    limit > 4096)
		tap_bail("max_grant_maps: %llu", (unsigned long long)limit);
	while (n <= limit && !(ret = map_grant(fd, run->dom.id, REF_RO, true, &ix)))
		n++;
	tap_ok(n == limit && ret == -ENOSPC,
	       "max_grant_maps (%llu) per fd, then ENOSPC (%llu, %s)",
	       (unsigned long long)limit, (unsigned long long)n,
	       pvt_errno_name(ret));
	tap_ok(entry_flags(run, REF_RO) & PVISOR_GTF_READING,
	       "the grant is in use by them");
	close(fd);
	tap_ok(entry_flags(run, REF_RO) ==
	       (PVISOR_GTF_PERMIT_ACCESS | PVISOR_GTF_READONLY),
	       "a backend that never unmaps: close() ends its maps");
}

/*
 * A guest that keeps flipping GTF_readonly on an entry while we map it
 * for writing: each map sees one version of the entry, so it is either
 * made or refused, never half made. Maps go on until both have been seen
 * (FLIP_MAX_MAPS is a hang detector), and none leaves a bit behind.
 */
#define FLIP_MAX_MAPS	100000

static atomic_bool flipping;
static atomic_ulong flips;

static void *flipper(void *arg)
{
	uint16_t *flags = arg;

	while (atomic_load(&flipping)) {
		__atomic_fetch_xor(flags, PVISOR_GTF_READONLY, __ATOMIC_SEQ_CST);
		atomic_fetch_add(&flips, 1);
	}
	return NULL;
}

static void test_flags_changing(const struct gr_run *run)
{
	unsigned int made = 0, refused = 0, other = 0, tries = 0;
	struct timespec tick = { 0, 1000 * 1000 };
	pthread_t thread;
	uint64_t ix = 0;
	int fd = grant_open();

	atomic_store(&flipping, true);
	if (pthread_create(&thread, NULL, flipper, &entry(run, REF_RW)->flags))
		tap_bail("pthread_create");
	while (atomic_load(&flips) < 1000)
		nanosleep(&tick, NULL);
	while ((!made || !refused) && tries < FLIP_MAX_MAPS) {
		int ret = map_grant(fd, run->dom.id, REF_RW, false, &ix);

		tries++;
		if (!ret)
			made++;
		else if (ret == -EACCES)
			refused++;
		else
			other++;
		/* The fd holds max_grant_maps; give each made map back. */
		if (!ret && unmap_grant(fd, ix))
			other++;
	}
	atomic_store(&flipping, false);
	pthread_join(thread, NULL);
	__atomic_fetch_and(&entry(run, REF_RW)->flags,
			   (uint16_t)~PVISOR_GTF_READONLY, __ATOMIC_SEQ_CST);
	tap_ok(made && refused && !other,
	       "rw maps while the guest flips GTF_readonly: %u made, %u refused, %u other",
	       made, refused, other);
	close(fd);
	tap_ok(entry_flags(run, REF_RW) == PVISOR_GTF_PERMIT_ACCESS,
	       "after them the entry holds none of our bits (flags %#x)",
	       entry_flags(run, REF_RW));
}

static void test_copies(struct gr_run *run)
{
	struct pvisor_gnttab_copy *ops = scratch(run, S_OPS);
	uint32_t id = run->dom.id;
	uint8_t buf[PVT_PAGE], in[64];
	int fd = grant_open();
	int64_t ret;

	tap_ok(copy_from_grant(fd, id, REF_RW, buf, 0, PVT_PAGE) == 0 &&
	       buf[100] == 0xee && buf[1] == (uint8_t)(1 + 7),
	       "GRANT_COPY from a rw grant");
	tap_ok(copy_from_grant(fd, id, REF_RO, buf, 0, PVT_PAGE) == 0 &&
	       matches(buf, 2), "GRANT_COPY from a ro grant");
	memset(in, 0x77, sizeof(in));
	tap_ok(copy_to_grant(fd, id, REF_RW, in, 4000, 64) == 0 &&
	       run->mem[PFN_RW * PVT_PAGE + 4000] == 0x77 &&
	       run->mem[PFN_RW * PVT_PAGE + 4063] == 0x77,
	       "GRANT_COPY into a rw grant at an offset");
	tap_ok(copy_to_grant(fd, id, REF_RO, in, 0, 64) ==
	       PVISOR_GNTST_GENERAL_ERROR &&
	       run->mem[PFN_RO * PVT_PAGE] == 2,
	       "GRANT_COPY into a ro grant: GENERAL_ERROR, frame untouched");
	tap_ok(copy_to_grant(fd, id, REF_RW, in, 4000, 100) ==
	       PVISOR_GNTST_BAD_COPY_ARG,
	       "a segment crossing its frame: BAD_COPY_ARG");
	tap_ok(copy_from_grant(fd, PVISOR_DOMID_MAX, REF_RW, buf, 0, 8) ==
	       PVISOR_GNTST_BAD_DOMAIN &&
	       copy_from_grant(fd, id, 5000, buf, 0, 8) == PVISOR_GNTST_BAD_GNTREF,
	       "no such domain: BAD_DOMAIN; no such ref: BAD_GNTREF");
	tap_ok(copy_from_grant(fd, id, REF_RW, (void *)16, 0, 8) ==
	       PVISOR_GNTST_BAD_VIRT_ADDR &&
	       entry_flags(run, REF_RW) == PVISOR_GTF_PERMIT_ACCESS,
	       "a bad buffer: BAD_VIRT_ADDR, and the grant is left idle");
	close(fd);

	/* The guest's own copies: frame to frame, and through a grant. */
	memset(ops, 0, 3 * sizeof(*ops));
	ops[0].source.u.gmfn = PFN_SRC;
	ops[0].dest.u.gmfn = PFN_DST;
	ops[0].len = PVT_PAGE;
	ops[1].source.u.gmfn = PFN_SRC;
	ops[1].source.offset = 10;
	ops[1].dest.u.ref = REF_SELF;
	ops[1].dest.offset = 2000;
	ops[1].len = 16;
	ops[1].flags = PVISOR_GNTCOPY_DEST_GREF;
	ops[2].source.u.ref = REF_RW;	/* granted to Domain0, not to it */
	ops[2].dest.u.gmfn = PFN_DST;
	ops[2].len = 8;
	ops[2].flags = PVISOR_GNTCOPY_SOURCE_GREF;
	ret = guest_op(run, PVISOR_GNTTABOP_COPY, 3);
	tap_ok(ret == 0 && ops[0].status == 0 && ops[1].status == 0 &&
	       ops[2].status == PVISOR_GNTST_GENERAL_ERROR,
	       "guest GNTTABOP_COPY: frame, own grant, not its grant (%lld: %d %d %d)",
	       (long long)ret, ops[0].status, ops[1].status, ops[2].status);
	tap_ok(run->mem[PFN_DST * PVT_PAGE + 2000] == (uint8_t)(4 + 10 * 7) &&
	       run->mem[PFN_DST * PVT_PAGE + 1] == (uint8_t)(4 + 7),
	       "the copied bytes arrived");

	memset(ops, 0, 4 * sizeof(*ops));
	ops[0].source.u.gmfn = GR_BYTES / PVT_PAGE;
	ops[0].dest.u.gmfn = PFN_DST;
	ops[0].len = 8;
	ops[1].source.u.gmfn = PFN_SRC;
	ops[1].source.domid = id + 1;
	ops[1].dest.u.gmfn = PFN_DST;
	ops[1].len = 8;
	ops[2].source.u.ref = REF_SELF;
	ops[2].source.domid = PVISOR_DOMID_MAX;
	ops[2].dest.u.gmfn = PFN_DST;
	ops[2].len = 8;
	ops[2].flags = PVISOR_GNTCOPY_SOURCE_GREF;
	ops[3].source.u.gmfn = PFN_SRC;
	ops[3].dest.u.gmfn = PFN_DST;
	ops[3].len = 8;
	ops[3].flags = 0x80;
	ret = guest_op(run, PVISOR_GNTTABOP_COPY, 4);
	tap_ok(ret == 0 && ops[0].status == PVISOR_GNTST_BAD_PAGE &&
	       ops[1].status == PVISOR_GNTST_PERMISSION_DENIED &&
	       ops[2].status == PVISOR_GNTST_BAD_DOMAIN &&
	       ops[3].status == PVISOR_GNTST_BAD_COPY_ARG,
	       "guest copy: not its frame, another's frame, no domain, bad flags (%d %d %d %d)",
	       ops[0].status, ops[1].status, ops[2].status, ops[3].status);
	ret = guest_op(run, PVISOR_GNTTABOP_COPY, 0);
	tap_ok(ret == 0, "guest copy of no operations: 0 (%lld)", (long long)ret);
	tap_ok(entry_flags(run, REF_SELF) == PVISOR_GTF_PERMIT_ACCESS,
	       "copies leave no GTF_reading/writing behind");
}

/*
 * Guest to guest: domain b grants a frame to a, a copies both ways
 * through the grant, then b is destroyed: a's next copy finds a dying
 * (gone) domain and fails cleanly.
 */
static void test_guest_to_guest(struct gr_run *a)
{
	struct pvisor_gnttab_copy *ops = scratch(a, S_OPS);
	uint64_t pfns[1] = { PFN_GT0 };
	struct gr_run b;
	int64_t ret, ret2;
	int16_t st;

	gr_start(PREFIX "b", guest_engine, false, NULL, &b);
	st = setup_table(&b, 0, 1, pfns, &ret);
	if (ret || st)
		tap_bail("b's SETUP_TABLE: %lld, %d", (long long)ret, st);
	fill(&b, PFN_RW, 9);
	grant(&b, REF_RW, a->dom.id, PFN_RW, PVISOR_GTF_PERMIT_ACCESS);

	memset(ops, 0, 2 * sizeof(*ops));
	ops[0].source.u.ref = REF_RW;
	ops[0].source.domid = b.dom.id;
	ops[0].dest.u.gmfn = PFN_DST;
	ops[0].len = 64;
	ops[0].flags = PVISOR_GNTCOPY_SOURCE_GREF;
	ops[1].source.u.gmfn = PFN_SRC;
	ops[1].dest.u.ref = REF_RW;
	ops[1].dest.domid = b.dom.id;
	ops[1].dest.offset = 1000;
	ops[1].len = 8;
	ops[1].flags = PVISOR_GNTCOPY_DEST_GREF;
	ret = guest_op(a, PVISOR_GNTTABOP_COPY, 2);
	tap_ok(ret == 0 && !ops[0].status && !ops[1].status &&
	       a->mem[PFN_DST * PVT_PAGE + 1] == (uint8_t)(9 + 7) &&
	       b.mem[PFN_RW * PVT_PAGE + 1000] == 4 &&
	       entry_flags(&b, REF_RW) == PVISOR_GTF_PERMIT_ACCESS,
	       "a guest copies from and into another guest's grant (%d %d)",
	       ops[0].status, ops[1].status);

	ret = pvnl_domain_del(nl, b.dom.id, NULL);
	ret2 = gr_reap(b.pid, GR_HANG_SECS);
	tap_ok(ret == 0 && ret2 != -1, "destroy the granting guest");
	ops[0].status = 99;
	ret = guest_op(a, PVISOR_GNTTABOP_COPY, 1);
	tap_ok(ret == 0 && ops[0].status == PVISOR_GNTST_BAD_DOMAIN,
	       "a grant from a destroyed guest: BAD_DOMAIN (%d)", ops[0].status);
	munmap(b.mem, GR_BYTES);
	close(b.mem_fd);
}

/* The granting domain is destroyed while Domain0 maps its frame. */
static void test_destroy_while_mapped(struct gr_run *run,
				      const struct pvnl_info *base)
{
	uint32_t id = run->dom.id;
	uint64_t irw, ix;
	uint8_t buf[8];
	uint8_t *p;
	int fd = grant_open();
	int ret;

	ret = map_grant(fd, id, REF_RW, false, &irw);
	p = mmap(NULL, PVT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, irw);
	if (ret || p == MAP_FAILED)
		tap_bail("map before the destroy: %s", pvt_errno_name(ret));
	tap_ok(pvnl_domain_del(nl, id, NULL) == 0, "destroy the granting domain");
	if (gr_reap(run->pid, GR_HANG_SECS) == -1)
		tap_diag("the runner had to be killed");
	pvt_expect_accounting(nl, base, 0, GR_BYTES / PVT_PAGE,
			      "its frames stay charged while mapped");
	tap_ok(p[100] == 0xee, "the mapping still reads the frame");
	p[200] = 1;
	tap_ok(map_grant(fd, id, REF_RO, true, &ix) == -ENOENT &&
	       copy_from_grant(fd, id, REF_RW, buf, 0, 8) ==
	       PVISOR_GNTST_BAD_DOMAIN,
	       "a dying domain's grants: map ENOENT, copy BAD_DOMAIN");
	munmap(p, PVT_PAGE);
	munmap(run->mem, GR_BYTES);
	close(run->mem_fd);
	pvt_expect_accounting(nl, base, 0, GR_BYTES / PVT_PAGE,
			      "the handle alone still holds them");
	close(fd);	/* gr_done() checks that this freed the domain */
}

int main(void)
{
	struct pvnl_info base;
	struct gr_run run;

	nl = gr_setup(PREFIX, 11 + 21 + 3 + 2 + 12 + 3 + 5 + 1, &base);
	dev = gr_dev();
	gr_start(PREFIX "a", guest_engine, false, NULL, &run);

	test_setup(&run);
	grant_all(&run);
	test_maps(&run);
	test_limits_and_close(&run);
	test_flags_changing(&run);
	test_copies(&run);
	test_guest_to_guest(&run);
	test_destroy_while_mapped(&run, &base);
	gr_done(&base);
}
