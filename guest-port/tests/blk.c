// SPDX-License-Identifier: GPL-2.0
/*
 * The block device end to end (Documentation/block.rst), the guest half
 * of selftests/pvisor/test_blkback.sh: minnow's blkfront against
 * pvblkback in Domain0.
 *
 * blk=1: two disks, xvda read-write and xvdb read-only, whose images
 *   the host made. The guest reads sectors 0-255 of xvda (random bytes
 *   from the host) and writes them to sectors 1024-1279 in half-page
 *   segments, flushes, reads them back and compares; a one-sector read
 *   into the middle of a page; the last sector and beyond; discard;
 *   then hostile requests, each answered with an error while the ring
 *   goes on working: too many and too few segments, sectors outside a
 *   frame, refs not granted, beyond the table, granted to someone else,
 *   read-only for a read, unknown and barrier operations, secure
 *   discard, sectors beyond the end; a full ring of 32 at once; xvdb's
 *   first page copied to xvda sector 3072 and every write to xvdb
 *   refused; xvdb closed cleanly; last, a producer index 1000 ahead on
 *   xvda, for which the backend must shut the ring (Closed, with an
 *   error node).
 * blk=3: a hostile handshake on xvda, published without waiting for
 *   the backend, which must refuse it with an error node and Closed (the
 *   host checks): hs=1 a ring-ref never granted, hs=2 an event-channel
 *   not offered to Domain0, hs=3 a ring-ref that is no number.
 * blk=2: xvda only: numbered one-sector writes ("blk-seq-NNNNNNNN"),
 *   each acknowledged one counted, until the host kills the backend;
 *   then the ring must be gone (no response, the backend's mapping of
 *   the ring page released) and the guest powers off.
 * blk=4: xvda only, connected, then idle until destroyed: a domain whose
 *   backend a test kills without a busy writer beside it
 *   (test_backend_watch.sh).
 *
 * @@pvtest lines become TAP; "@@blk ..." lines carry figures the host
 * checks against the images.
 */

#include <linux/errno.h>
#include <pvisor/blkif.h>

#include "../minnow/blkfront.h"
#include "../minnow/console.h"
#include "../minnow/events.h"
#include "../minnow/format.h"
#include "../minnow/gnttab.h"
#include "../minnow/lib.h"
#include "../minnow/mm.h"
#include "../minnow/test.h"
#include "../minnow/time.h"
#include "../minnow/xenstore.h"

#define XVDA		(202 << 8)
#define XVDB		(202 << 8 | 1 << 4)
#define TIMEOUT		(30 * NSEC_PER_SEC)
#define SRC_SECTOR	0
#define DST_SECTOR	1024
#define RO_COPY_SECTOR	3072
#define DISCARD_SECTOR	2048
#define PAGES		32	/* 128 KiB: sectors 0-255 */
#define SPP		PVISOR_BLKIF_SECTORS_PER_PAGE
#define OK		PVISOR_BLKIF_RSP_OKAY
#define ERR		PVISOR_BLKIF_RSP_ERROR

struct buf {
	u64 pfn;
	u32 ref;	/* granted read-write to Domain0 */
};

static struct buf src[PAGES], dst[PAGES];

/* How long a request may take before the ring counts as gone. */
static u64 req_timeout = TIMEOUT;

static void alloc_bufs(struct buf *b, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		b[i].pfn = alloc_page_pfn();
		GUEST_ASSERT(b[i].pfn != MM_NO_PAGE);
		b[i].ref = gnttab_grant(0, b[i].pfn, false);
		GUEST_ASSERT(b[i].ref != GNTTAB_NO_REF);
	}
}

static u8 *va(const struct buf *b)
{
	return pfn_to_virt(b->pfn);
}

static void seg(struct pvisor_blkif_request *r, u32 ref, u8 first, u8 last)
{
	struct pvisor_blkif_segment *s = &r->u.seg[r->nr_segments++];

	s->gref = ref;
	s->first_sect = first;
	s->last_sect = last;
	s->pad = 0;
}

static void init_req(struct pvisor_blkif_request *r, u8 op, u64 sector)
{
	memset(r, 0, sizeof(*r));
	r->operation = op;
	r->sector_number = sector;
}

/* @n whole pages of @b to or from the disk at @sector, 11 to a request. */
static long pages_io(struct blkfront *f, u8 op, u64 sector,
		     const struct buf *b, unsigned int n)
{
	struct pvisor_blkif_request r;
	unsigned int i = 0, k;
	long ret;

	while (i < n) {
		init_req(&r, op, sector + (u64)i * SPP);
		for (k = 0; k < PVISOR_BLKIF_MAX_SEGMENTS && i < n; k++, i++)
			seg(&r, b[i].ref, 0, SPP - 1);
		ret = blkfront_do(f, &r, TIMEOUT);
		if (ret)
			return ret;
	}
	return 0;
}

/* The same in half-page segments: the sector arithmetic of pieces. */
static long halves_write(struct blkfront *f, u64 sector, const struct buf *b,
			 unsigned int n)
{
	struct pvisor_blkif_request r;
	unsigned int h = 0, k;
	long ret;

	while (h < 2 * n) {
		init_req(&r, PVISOR_BLKIF_OP_WRITE, sector + (u64)h * SPP / 2);
		for (k = 0; k < PVISOR_BLKIF_MAX_SEGMENTS && h < 2 * n; k++, h++)
			seg(&r, b[h / 2].ref, h % 2 ? 4 : 0, h % 2 ? 7 : 3);
		ret = blkfront_do(f, &r, TIMEOUT);
		if (ret)
			return ret;
	}
	return 0;
}

static long one(struct blkfront *f, u8 op, u64 sector, u32 ref, u8 first,
		u8 last)
{
	struct pvisor_blkif_request r;

	init_req(&r, op, sector);
	seg(&r, ref, first, last);
	return blkfront_do(f, &r, req_timeout);
}

static bool all_bytes(const u8 *p, size_t n, u8 v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static void connect(struct blkfront *f, u32 devid, const char *name)
{
	long ret = blkfront_connect(f, devid, 60 * NSEC_PER_SEC);

	guest_report(ret == 0, "%s: XenBus handshake to Connected, ring-ref %u, "
		     "port %u (%ld)", name, f->ring_ref, f->port, ret);
	GUEST_ASSERT(ret == 0);
	printk("@@blk %s sectors=%llu info=%llu flush=%d discard=%d\n", name,
	       f->sectors, f->info, f->flush, f->discard);
}

static void data_path(struct blkfront *a)
{
	struct pvisor_blkif_request r;
	struct buf mid;
	unsigned int i;
	long ret;
	bool same = true;

	ret = pages_io(a, PVISOR_BLKIF_OP_READ, SRC_SECTOR, src, PAGES);
	guest_report(ret == OK, "xvda: 256 sectors read in 11-segment requests "
		     "(%ld)", ret);
	guest_report(!all_bytes(va(&src[0]), PAGE_SIZE, 0) &&
		     !all_bytes(va(&src[PAGES - 1]), PAGE_SIZE, 0),
		     "... they hold the host's bytes, not zeros");
	ret = halves_write(a, DST_SECTOR, src, PAGES);
	guest_report(ret == OK, "xvda: written to sector %u in half-page "
		     "segments (%ld)", DST_SECTOR, ret);
	init_req(&r, PVISOR_BLKIF_OP_FLUSH_DISKCACHE, 0);
	ret = blkfront_do(a, &r, TIMEOUT);
	guest_report(ret == OK, "xvda: a flush (no data) completes (%ld)", ret);
	init_req(&r, PVISOR_BLKIF_OP_FLUSH_DISKCACHE,
		 DST_SECTOR + (PAGES - 1) * SPP);
	seg(&r, src[PAGES - 1].ref, 0, SPP - 1);
	ret = blkfront_do(a, &r, TIMEOUT);
	guest_report(ret == OK, "xvda: a flush carrying a write completes (%ld)",
		     ret);

	ret = pages_io(a, PVISOR_BLKIF_OP_READ, DST_SECTOR, dst, PAGES);
	for (i = 0; i < PAGES; i++)
		same = same && !memcmp(va(&src[i]), va(&dst[i]), PAGE_SIZE);
	guest_report(ret == OK && same, "xvda: read back, all 128 KiB equal "
		     "(%ld)", ret);

	alloc_bufs(&mid, 1);
	memset(va(&mid), 0xee, PAGE_SIZE);
	ret = one(a, PVISOR_BLKIF_OP_READ, DST_SECTOR + 5, mid.ref, 2, 2);
	guest_report(ret == OK &&
		     !memcmp(va(&mid) + 1024, va(&src[0]) + 5 * 512, 512) &&
		     all_bytes(va(&mid), 1024, 0xee) &&
		     all_bytes(va(&mid) + 1536, PAGE_SIZE - 1536, 0xee),
		     "xvda: one sector read into sector 2 of a page, the rest "
		     "untouched (%ld)", ret);

	ret = one(a, PVISOR_BLKIF_OP_WRITE, a->sectors - 1, mid.ref, 0, 0);
	guest_report(ret == OK, "xvda: the last sector can be written (%ld)",
		     ret);
	ret = one(a, PVISOR_BLKIF_OP_WRITE, a->sectors - 1, mid.ref, 0, 1);
	guest_report(ret == ERR, "xvda: a write past the end is refused (%ld)",
		     ret);
	ret = one(a, PVISOR_BLKIF_OP_READ, a->sectors, mid.ref, 0, 0);
	guest_report(ret == ERR, "xvda: a read at the end is refused (%ld)",
		     ret);
	ret = one(a, PVISOR_BLKIF_OP_READ, ~0ULL, mid.ref, 0, 7);
	guest_report(ret == ERR, "xvda: sector 2^64-1 (an overflow) is "
		     "refused (%ld)", ret);

	memset(va(&mid), 0x5a, PAGE_SIZE);
	ret = one(a, PVISOR_BLKIF_OP_WRITE, DISCARD_SECTOR, mid.ref, 0, 7);
	init_req(&r, PVISOR_BLKIF_OP_DISCARD, DISCARD_SECTOR);
	r.u.discard.nr_sectors = SPP;
	if (ret == OK)
		ret = blkfront_do(a, &r, TIMEOUT);
	guest_report(ret == OK, "xvda: discard of a written page (%ld)", ret);
	memset(va(&mid), 0x77, PAGE_SIZE);
	ret = one(a, PVISOR_BLKIF_OP_READ, DISCARD_SECTOR, mid.ref, 0, 7);
	guest_report(ret == OK && all_bytes(va(&mid), PAGE_SIZE, 0),
		     "xvda: ... it reads as zeros afterwards (%ld)", ret);
}

/* A hostile request: @what, expected status @want, then a good read. */
static void hostile(struct blkfront *a, struct pvisor_blkif_request *r,
		    long want, const char *what)
{
	long ret = blkfront_do(a, r, TIMEOUT), after;

	memset(va(&dst[0]), 0, PAGE_SIZE);
	after = one(a, PVISOR_BLKIF_OP_READ, DST_SECTOR, dst[0].ref, 0, 7);
	guest_report(ret == want && after == OK &&
		     !memcmp(va(&dst[0]), va(&src[0]), PAGE_SIZE),
		     "hostile: %s: status %ld, and the ring still serves (%ld)",
		     what, ret, after);
}

static void hostile_requests(struct blkfront *a)
{
	struct pvisor_blkif_request r;
	struct buf ro, other;
	unsigned int i;

	init_req(&r, PVISOR_BLKIF_OP_READ, DST_SECTOR);
	for (i = 0; i < PVISOR_BLKIF_MAX_SEGMENTS; i++)
		seg(&r, dst[i].ref, 0, 7);
	r.nr_segments = PVISOR_BLKIF_MAX_SEGMENTS + 1;
	hostile(a, &r, ERR, "12 segments");
	r.nr_segments = 255;
	hostile(a, &r, ERR, "255 segments");
	init_req(&r, PVISOR_BLKIF_OP_WRITE, DST_SECTOR);
	hostile(a, &r, ERR, "a write of no segment");
	init_req(&r, PVISOR_BLKIF_OP_READ, DST_SECTOR);
	seg(&r, dst[1].ref, 0, 8);
	hostile(a, &r, ERR, "last_sect 8, beyond the frame");
	init_req(&r, PVISOR_BLKIF_OP_READ, DST_SECTOR);
	seg(&r, dst[1].ref, 5, 4);
	hostile(a, &r, ERR, "first_sect after last_sect");

	init_req(&r, PVISOR_BLKIF_OP_READ, DST_SECTOR);
	seg(&r, 5, 0, 7);	/* never granted */
	hostile(a, &r, ERR, "a ref it never granted");
	init_req(&r, PVISOR_BLKIF_OP_WRITE, DST_SECTOR);
	seg(&r, 100000, 0, 7);
	hostile(a, &r, ERR, "a ref beyond its table");
	other.pfn = alloc_page_pfn();
	GUEST_ASSERT(other.pfn != MM_NO_PAGE);
	gnttab_set(6, 77, other.pfn, PVISOR_GTF_PERMIT_ACCESS);
	init_req(&r, PVISOR_BLKIF_OP_WRITE, DST_SECTOR);
	seg(&r, 6, 0, 7);
	hostile(a, &r, ERR, "a ref granted to domain 77, not Domain0");
	ro.pfn = alloc_page_pfn();
	GUEST_ASSERT(ro.pfn != MM_NO_PAGE);
	ro.ref = gnttab_grant(0, ro.pfn, true);
	memset(va(&ro), 0x33, PAGE_SIZE);
	init_req(&r, PVISOR_BLKIF_OP_READ, DST_SECTOR);
	seg(&r, dst[2].ref, 0, 7);
	seg(&r, ro.ref, 0, 7);
	hostile(a, &r, ERR, "a read into a read-only grant");
	guest_report(all_bytes(va(&ro), PAGE_SIZE, 0x33),
		     "... which the backend left untouched");
	init_req(&r, PVISOR_BLKIF_OP_WRITE, DST_SECTOR);
	seg(&r, ro.ref, 0, 7);
	seg(&r, dst[2].ref, 0, 7);
	r.sector_number = a->sectors - 15;
	hostile(a, &r, ERR, "16 sectors where 15 are left");

	init_req(&r, 99, DST_SECTOR);
	hostile(a, &r, PVISOR_BLKIF_RSP_EOPNOTSUPP, "operation 99");
	init_req(&r, PVISOR_BLKIF_OP_WRITE_BARRIER, DST_SECTOR);
	seg(&r, dst[1].ref, 0, 7);
	hostile(a, &r, PVISOR_BLKIF_RSP_EOPNOTSUPP, "a write barrier");
	init_req(&r, PVISOR_BLKIF_OP_INDIRECT, DST_SECTOR);
	hostile(a, &r, PVISOR_BLKIF_RSP_EOPNOTSUPP, "an indirect request");
	init_req(&r, PVISOR_BLKIF_OP_DISCARD, DISCARD_SECTOR);
	r.nr_segments = 1;	/* Xen's BLKIF_DISCARD_SECURE */
	r.u.discard.nr_sectors = SPP;
	hostile(a, &r, ERR, "a secure discard");
	init_req(&r, PVISOR_BLKIF_OP_DISCARD, a->sectors - 4);
	r.u.discard.nr_sectors = SPP;
	hostile(a, &r, ERR, "a discard past the end");
}

/* 32 requests published at once: a full ring, answered in any order. */
static void full_ring(struct blkfront *a)
{
	struct pvisor_blkif_response rsp;
	struct pvisor_blkif_request r;
	u64 seen = 0;
	unsigned int i, ok = 0;
	bool same = true;
	long ret = 0;

	for (i = 0; i < PAGES; i++)
		memset(va(&dst[i]), 0, PAGE_SIZE);
	for (i = 0; i < PVISOR_BLKIF_RING_SIZE; i++) {
		init_req(&r, PVISOR_BLKIF_OP_READ, DST_SECTOR + i * SPP);
		seg(&r, dst[i].ref, 0, 7);
		r.id = 1000 + i;
		ret = blkfront_queue(a, &r);
		if (ret)
			break;
	}
	guest_report(ret == 0 && PVISOR_RING_FULL(&a->ring),
		     "a full ring of %u requests queued (%ld)", i, ret);
	blkfront_push(a);
	for (i = 0; i < PVISOR_BLKIF_RING_SIZE; i++) {
		ret = blkfront_response(a, &rsp, TIMEOUT);
		if (ret)
			break;
		if (rsp.id >= 1000 && rsp.id < 1000 + PVISOR_BLKIF_RING_SIZE &&
		    rsp.status == OK)
			ok++;
		seen |= 1ULL << (rsp.id - 1000);
	}
	for (i = 0; i < PAGES; i++)
		same = same && !memcmp(va(&src[i]), va(&dst[i]), PAGE_SIZE);
	guest_report(ok == PVISOR_BLKIF_RING_SIZE && seen == 0xffffffffULL &&
		     same, "... all %u answered OK, each id once, the data "
		     "right (%ld)", ok, ret);
}

static void readonly_disk(struct blkfront *a, struct blkfront *b)
{
	struct pvisor_blkif_request r;
	long ret;

	guest_report(b->info & PVISOR_VDISK_READONLY && !b->discard,
		     "xvdb: info says read-only (%llu), no discard", b->info);
	ret = one(b, PVISOR_BLKIF_OP_READ, 0, dst[3].ref, 0, 7);
	guest_report(ret == OK && !all_bytes(va(&dst[3]), PAGE_SIZE, 0),
		     "xvdb: its first page reads (%ld)", ret);
	ret = one(a, PVISOR_BLKIF_OP_WRITE, RO_COPY_SECTOR, dst[3].ref, 0, 7);
	guest_report(ret == OK, "... and is copied to xvda sector %u (%ld)",
		     RO_COPY_SECTOR, ret);
	ret = one(b, PVISOR_BLKIF_OP_WRITE, 0, src[0].ref, 0, 7);
	guest_report(ret == ERR, "xvdb: a write is refused (%ld)", ret);
	init_req(&r, PVISOR_BLKIF_OP_FLUSH_DISKCACHE, 8);
	seg(&r, src[0].ref, 0, 7);
	ret = blkfront_do(b, &r, TIMEOUT);
	guest_report(ret == ERR, "xvdb: a flush carrying a write is refused "
		     "(%ld)", ret);
	init_req(&r, PVISOR_BLKIF_OP_DISCARD, 0);
	r.u.discard.nr_sectors = SPP;
	ret = blkfront_do(b, &r, TIMEOUT);
	guest_report(ret == ERR, "xvdb: a discard is refused (%ld)", ret);
	ret = blkfront_close(b, TIMEOUT);
	guest_report(ret == 0, "xvdb: closed: Closing, the backend's Closed, "
		     "Closed (%ld)", ret);
}

static void bad_producer(struct blkfront *a)
{
	char why[128];
	char path[160];
	long ret, state;
	u64 deadline;

	a->ring.sring->req_prod = a->ring.req_prod_pvt + 1000;
	evtchn_send(a->port);
	deadline = monotonic_ns() + TIMEOUT;
	while ((state = blkfront_backend_state(a)) != PVISOR_XENBUS_CLOSED &&
	       monotonic_ns() < deadline)
		sleep_ns(10 * NSEC_PER_MSEC);
	snprintf(path, sizeof(path), "%s/error", a->backend);
	ret = xs_read(path, why, sizeof(why));
	guest_report(state == PVISOR_XENBUS_CLOSED && ret > 0,
		     "hostile: req_prod 1000 ahead: the backend shut the ring "
		     "(state %ld, error \"%s\")", state, ret > 0 ? why : "");
}

/* blk=2: numbered writes until the backend is killed. */
static void until_killed(struct blkfront *a)
{
	struct buf w;
	u64 acked = 0, deadline;
	long ret = 0;
	unsigned int i;
	u16 flags;

	alloc_bufs(&w, 1);
	/*
	 * A write takes milliseconds, but a debug host kernel restarting
	 * pvisord beside us can stall the backend for seconds: only a
	 * long silence means the backend is gone.
	 */
	req_timeout = 30 * NSEC_PER_SEC;
	while (acked < a->sectors && acked < 1000000) {
		for (i = 0; i < 512; i += 16)
			snprintf((char *)va(&w) + i, 17, "blk-seq-%08llu\n",
				 acked);
		ret = one(a, PVISOR_BLKIF_OP_WRITE, acked, w.ref, 0, 0);
		if (ret)
			break;
		acked++;
		if (acked == 64 || acked % 256 == 0)
			printk("@@blk acked %llu\n", acked);
	}
	printk("@@blk ring gone after %llu acknowledged writes\n", acked);
	guest_report(ret == -ETIMEDOUT || ret == -ENOTCONN,
		     "the ring went away: no response after %llu acknowledged "
		     "writes (%ld)", acked, ret);
	deadline = monotonic_ns() + TIMEOUT;
	while ((flags = gnttab_flags(a->ring_ref)) &
	       (PVISOR_GTF_READING | PVISOR_GTF_WRITING) &&
	       monotonic_ns() < deadline)
		sleep_ns(10 * NSEC_PER_MSEC);
	guest_report(gnttab_end(a->ring_ref),
		     "the dead backend's mapping of the ring page is gone: the "
		     "grant ends (flags 0x%x)", flags);
}

/*
 * blk=3: publish @ring_ref and @port for disk @devid by hand and say
 * Initialised, without waiting for the backend's InitWait. What the
 * backend makes of it (an error node, Closed, its exit) Domain0 checks:
 * this guest powers off once all three are published.
 */
static void bad_handshake(u32 devid, const char *ring_ref, const char *port,
			  const char *what)
{
	char dir[48], path[96], backend[96];
	u64 deadline = monotonic_ns() + 60 * NSEC_PER_SEC;
	const char *step = "backend";
	long ret;

	snprintf(dir, sizeof(dir), "device/vbd/%u", devid);
	snprintf(path, sizeof(path), "%s/backend", dir);
	while ((ret = xs_read(path, backend, sizeof(backend))) <= 0 &&
	       monotonic_ns() < deadline)
		sleep_ns(50 * NSEC_PER_MSEC);
	if (ret > 0) {
		step = "ring-ref";
		snprintf(path, sizeof(path), "%s/ring-ref", dir);
		ret = xs_write(path, ring_ref);
	}
	if (!ret) {
		step = "event-channel";
		snprintf(path, sizeof(path), "%s/event-channel", dir);
		ret = xs_write(path, port);
	}
	if (!ret) {
		step = "state";
		snprintf(path, sizeof(path), "%s/state", dir);
		ret = xs_write(path, "3");
	}
	guest_report(ret == 0, "hostile handshake published: %s (%s: %ld)",
		     what, step, ret);
}

/* hs=1..3: which one (one a boot: the host judges each separately). */
static void bad_handshakes(u64 which)
{
	char port[16];
	u32 p;

	GUEST_ASSERT(evtchn_alloc_unbound(PVISOR_DOMID_DOM0, &p) == 0);
	snprintf(port, sizeof(port), "%u", p);
	if (which == 1)
		bad_handshake(XVDA, "5", port, "a ring-ref never granted");
	else if (which == 2)
		bad_handshake(XVDA, "9", "4000", "an event-channel not "
			      "offered to Domain0");
	else
		bad_handshake(XVDA, "12abc", port, "a ring-ref that is no "
			      "number");
}

void minnow_main(void)
{
	static struct blkfront a, b;
	u64 mode = cmdline_number("blk", 1);
	long ret;

	mm_init();
	GUEST_ASSERT(events_init() == 0);
	GUEST_ASSERT(time_init() == 0);
	ret = xs_init();
	guest_report(ret == 0, "the xenstore ring binds (%ld)", ret);
	GUEST_ASSERT(ret == 0);
	ret = gnttab_init();
	guest_report(ret == 0, "a grant table of one frame (%ld)", ret);
	GUEST_ASSERT(ret == 0);

	if (mode == 3) {
		/* Ref 9: granted, but to nobody's ring (xvdb's case). */
		GUEST_ASSERT(gnttab_grant(0, alloc_page_pfn(), false) == 8);
		GUEST_ASSERT(gnttab_grant(0, alloc_page_pfn(), false) == 9);
		bad_handshakes(cmdline_number("hs", 1));
		guest_done();
	}
	connect(&a, XVDA, "xvda");
	guest_report(a.info == 0 && a.flush && a.discard && a.sectors > 4096,
		     "xvda: read-write, flush and discard, %llu sectors",
		     a.sectors);
	if (mode == 2) {
		until_killed(&a);
		guest_done();
	}
	if (mode == 4) {
		printk("@@blk connected\n");
		for (;;)
			sleep_ns(NSEC_PER_SEC);
	}
	connect(&b, XVDB, "xvdb");
	alloc_bufs(src, PAGES);
	alloc_bufs(dst, PAGES);
	data_path(&a);
	hostile_requests(&a);
	full_ring(&a);
	readonly_disk(&a, &b);
	bad_producer(&a);
	guest_done();
}
