// SPDX-License-Identifier: GPL-2.0
/*
 * The ring: requests in, I/O on the image, responses out.
 *
 * The frontend is hostile. Its producer index is read once per pass and
 * refused when it claims more than the ring holds (the ring is then
 * shut); each request is copied once out of the shared page
 * (PVISOR_RING_COPY_REQUEST) and only the copy is looked at: the
 * operation, the segment count, each segment's sectors, the disk range
 * (overflow included) and, through the module's grant copy, each grant
 * reference. A request that fails a check gets an error response at
 * once; nothing of it reaches the image.
 *
 * Data moves by grant copy between the guest's frames and a bounce
 * buffer of the request's own (11 pages), never by mapping the guest's
 * data frames: a write is copied in before the image is touched, a read
 * copied out after the I/O completed. Each request is one read or write
 * of its whole disk range on io_uring (a flush: a write linked to an
 * fsync, or the fsync alone); its response is written only once every
 * completion of it has arrived. At most the ring's 32 requests are in
 * flight, one per bounce buffer: the ring's own bound (responses owed
 * never exceed its slots).
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/falloc.h>
#include <pvisor/device.h>
#include <pvisor/event.h>
#include <pvisor/grant.h>

#include "blkback.h"

#define PAGE		4096u
#define BUF_BYTES	(PVISOR_BLKIF_MAX_SEGMENTS * PAGE)
#define XENBUS_POLL_MS	100

_Static_assert(sizeof(struct pvisor_blkif_request) == 112, "Xen's request");
_Static_assert(sizeof(struct pvisor_blkif_response) == 16, "Xen's response");
_Static_assert(PVISOR_BLKIF_RING_SIZE == 32, "Xen's ring of one page");

int io_connect(struct blkback *b)
{
	struct pvisor_evtchn_dom0 ev = { .domid = b->domid, .port = b->port };
	struct pvisor_grant_map map = { .domid = b->domid, .ref = b->ring_ref };
	void *page;
	int dev, ret;
	unsigned int i;

	ret = ioctl(b->gnt_fd, PVISOR_IOCTL_GRANT_MAP, &map);
	if (ret) {
		blk_log(b, "cannot map the frontend's ring-ref %u: %s",
			b->ring_ref, strerror(errno));
		return -errno;
	}
	b->ring_index = map.index;
	page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, b->gnt_fd,
		    map.index);
	if (page == MAP_FAILED) {
		blk_log(b, "cannot map the ring's grant: %s", strerror(errno));
		return -errno;
	}
	/* The frontend initialised the page; take its indices as they are. */
	PVISOR_BACK_RING_INIT(&b->ring, (struct pvisor_blkif_sring *)page,
			      PAGE);

	dev = open("/dev/pvisor", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		blk_log(b, "/dev/pvisor: %s", strerror(errno));
		return -errno;
	}
	b->evt_fd = ioctl(dev, PVISOR_IOCTL_EVTCHN_DOM0, &ev);
	ret = -errno;
	close(dev);
	if (b->evt_fd < 0) {
		blk_log(b, "cannot bind the frontend's event-channel %u: %s",
			b->port, strerror(-ret));
		return ret;
	}

	for (i = 0; i < PVISOR_BLKIF_RING_SIZE; i++) {
		b->pend[i].buf = aligned_alloc(PAGE, BUF_BYTES);
		if (!b->pend[i].buf) {
			blk_log(b, "out of memory");
			return -ENOMEM;
		}
	}
	return confine_uring(b);
}

static void notify(struct blkback *b)
{
	uint32_t one = 1;

	if (write(b->evt_fd, &one, sizeof(one)) != sizeof(one) &&
	    errno != EPIPE)
		blk_log(b, "cannot notify the frontend: %s", strerror(errno));
}

static void respond(struct blkback *b, const struct pvisor_blkif_request *req,
		    int16_t status)
{
	struct pvisor_blkif_response *rsp;
	bool kick;

	rsp = PVISOR_RING_GET_RESPONSE(&b->ring, b->ring.rsp_prod_pvt);
	rsp->id = req->id;
	rsp->operation = req->operation;
	rsp->pad = 0;
	rsp->status = status;
	rsp->pad2 = 0;
	b->ring.rsp_prod_pvt++;
	PVISOR_RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&b->ring, kick);
	if (kick)
		notify(b);
	if (status == PVISOR_BLKIF_RSP_OKAY)
		b->done++;
	else
		b->errors++;
}

/*
 * Copy the request's segments between its bounce buffer and the guest's
 * grants (@to_guest: after a read). The module checks every reference:
 * in the table, granted to Domain0, writable for a read's copy. Returns
 * true if every segment copied.
 */
static bool grant_copy(struct blkback *b, struct blk_pending *p, bool to_guest)
{
	struct pvisor_grant_copy_seg segs[PVISOR_BLKIF_MAX_SEGMENTS];
	struct pvisor_grant_copy op = {
		.count = p->req.nr_segments,
		.segments = (uintptr_t)segs,
	};
	uint32_t off = 0;
	unsigned int i;

	memset(segs, 0, sizeof(segs));
	for (i = 0; i < p->req.nr_segments; i++) {
		const struct pvisor_blkif_segment *s = &p->req.u.seg[i];
		uint16_t len = (s->last_sect - s->first_sect + 1) *
			       PVISOR_BLKIF_SECTOR_SIZE;
		uint16_t goff = s->first_sect * PVISOR_BLKIF_SECTOR_SIZE;

		if (to_guest) {
			segs[i].source.virt = (uintptr_t)(p->buf + off);
			segs[i].dest.foreign.ref = s->gref;
			segs[i].dest.foreign.offset = goff;
			segs[i].dest.foreign.domid = b->domid;
			segs[i].flags = PVISOR_GNTCOPY_DEST_GREF;
		} else {
			segs[i].source.foreign.ref = s->gref;
			segs[i].source.foreign.offset = goff;
			segs[i].source.foreign.domid = b->domid;
			segs[i].dest.virt = (uintptr_t)(p->buf + off);
			segs[i].flags = PVISOR_GNTCOPY_SOURCE_GREF;
		}
		segs[i].len = len;
		off += len;
	}
	if (ioctl(b->gnt_fd, PVISOR_IOCTL_GRANT_COPY, &op))
		return false;
	for (i = 0; i < p->req.nr_segments; i++)
		if (segs[i].status != PVISOR_GNTST_OKAY)
			return false;
	return true;
}

/*
 * Check a data request's segments and range on the copy: the length in
 * bytes, or 0 when the request is malformed.
 */
static uint32_t check_segments(const struct blkback *b,
			       const struct pvisor_blkif_request *req)
{
	uint64_t sectors = 0;
	unsigned int i;

	if (req->nr_segments < 1 || req->nr_segments > PVISOR_BLKIF_MAX_SEGMENTS)
		return 0;
	for (i = 0; i < req->nr_segments; i++) {
		const struct pvisor_blkif_segment *s = &req->u.seg[i];

		if (s->first_sect > s->last_sect ||
		    s->last_sect >= PVISOR_BLKIF_SECTORS_PER_PAGE)
			return 0;
		sectors += s->last_sect - s->first_sect + 1;
	}
	if (req->sector_number > b->sectors ||
	    sectors > b->sectors - req->sector_number)
		return 0;
	return sectors * PVISOR_BLKIF_SECTOR_SIZE;
}

static struct blk_pending *free_pending(struct blkback *b)
{
	unsigned int i;

	for (i = 0; i < PVISOR_BLKIF_RING_SIZE; i++)
		if (!b->pend[i].busy)
			return &b->pend[i];
	return NULL;	/* cannot happen: the ring bounds what is owed */
}

/*
 * An entry for @p: its user data is @p's index and what it must return
 * (IO_DATA: the request's length; IO_SYNC: 0).
 */
#define IO_DATA		0
#define IO_SYNC		1

static struct io_uring_sqe *sqe_for(struct blkback *b, struct blk_pending *p,
				    unsigned int kind)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&b->uring);

	if (!sqe) {
		io_uring_submit(&b->uring);
		sqe = io_uring_get_sqe(&b->uring);
	}
	if (sqe) {
		io_uring_sqe_set_data64(sqe, (uint64_t)(p - b->pend) |
					     (uint64_t)kind << 32);
		p->left++;
	}
	return sqe;
}

static void fixed(struct io_uring_sqe *sqe)
{
	sqe->flags |= IOSQE_FIXED_FILE;
}

/* Queue @p's I/O on the image (file 0 of the ring's fixed files). */
static bool submit(struct blkback *b, struct blk_pending *p)
{
	const struct pvisor_blkif_request *req = &p->req;
	off_t pos = req->sector_number << PVISOR_BLKIF_SECTOR_SHIFT;
	struct io_uring_sqe *sqe;

	switch (req->operation) {
	case PVISOR_BLKIF_OP_READ:
		sqe = sqe_for(b, p, IO_DATA);
		if (sqe) {
			io_uring_prep_read(sqe, 0, p->buf, p->len, pos);
			fixed(sqe);
		}
		return sqe;
	case PVISOR_BLKIF_OP_WRITE:
	case PVISOR_BLKIF_OP_FLUSH_DISKCACHE:
		if (p->len) {
			sqe = sqe_for(b, p, IO_DATA);
			if (!sqe)
				return false;
			io_uring_prep_write(sqe, 0, p->buf, p->len, pos);
			fixed(sqe);
			if (req->operation == PVISOR_BLKIF_OP_WRITE)
				return true;
			sqe->flags |= IOSQE_IO_LINK;	/* the fsync after it */
		}
		sqe = sqe_for(b, p, IO_SYNC);
		if (sqe) {
			io_uring_prep_fsync(sqe, 0, 0);
			fixed(sqe);
		}
		return sqe;
	case PVISOR_BLKIF_OP_DISCARD:
		sqe = sqe_for(b, p, IO_SYNC);
		if (sqe) {
			io_uring_prep_fallocate(sqe, 0,
				FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				pos, p->len);
			fixed(sqe);
		}
		return sqe;
	}
	return false;
}

/* Judge one request (already copied into @p) and start it, or answer. */
static void start(struct blkback *b, struct blk_pending *p)
{
	struct pvisor_blkif_request *req = &p->req;
	int16_t status = PVISOR_BLKIF_RSP_ERROR;

	p->len = 0;
	p->left = 0;
	p->failed = false;
	switch (req->operation) {
	case PVISOR_BLKIF_OP_READ:
	case PVISOR_BLKIF_OP_WRITE:
		p->len = check_segments(b, req);
		if (!p->len)
			goto answer;
		break;
	case PVISOR_BLKIF_OP_FLUSH_DISKCACHE:
		/* A flush may carry a write (Linux's REQ_FUA/PREFLUSH). */
		if (req->nr_segments) {
			p->len = check_segments(b, req);
			if (!p->len)
				goto answer;
		}
		break;
	case PVISOR_BLKIF_OP_DISCARD:
		if (req->nr_segments ||		/* Xen's flag: no secure discard */
		    req->u.discard.nr_sectors > b->sectors ||
		    req->sector_number > b->sectors - req->u.discard.nr_sectors ||
		    req->u.discard.nr_sectors > UINT32_MAX / PVISOR_BLKIF_SECTOR_SIZE)
			goto answer;
		p->len = req->u.discard.nr_sectors * PVISOR_BLKIF_SECTOR_SIZE;
		if (!p->len) {
			status = PVISOR_BLKIF_RSP_OKAY;
			goto answer;
		}
		break;
	default:
		status = PVISOR_BLKIF_RSP_EOPNOTSUPP;	/* barriers, indirect */
		goto answer;
	}
	if (b->readonly && req->operation != PVISOR_BLKIF_OP_READ &&
	    (req->operation != PVISOR_BLKIF_OP_FLUSH_DISKCACHE || p->len))
		goto answer;
	if (req->operation != PVISOR_BLKIF_OP_READ &&
	    req->operation != PVISOR_BLKIF_OP_DISCARD && p->len &&
	    !grant_copy(b, p, false))
		goto answer;
	p->busy = true;
	b->in_flight++;
	if (submit(b, p))
		return;
	p->busy = false;
	b->in_flight--;
	blk_log(b, "io_uring: no submission queue entry");
answer:
	respond(b, req, status);
}

/* A completion for @p; the response once the last one has come. */
static void complete(struct blkback *b, struct blk_pending *p,
		     unsigned int kind, int res)
{
	const struct pvisor_blkif_request *req = &p->req;
	int16_t status;

	if (kind == IO_DATA ? res < 0 || (uint32_t)res != p->len : res != 0)
		p->failed = true;
	if (res < 0 && res != -ECANCELED)
		blk_log(b, "I/O at sector %llu: %s",
			(unsigned long long)req->sector_number, strerror(-res));
	else if (p->failed && res >= 0)
		blk_log(b, "I/O at sector %llu: %d of %u bytes",
			(unsigned long long)req->sector_number, res, p->len);
	if (--p->left)
		return;
	if (!p->failed && req->operation == PVISOR_BLKIF_OP_READ &&
	    !grant_copy(b, p, true))
		p->failed = true;
	status = p->failed ? PVISOR_BLKIF_RSP_ERROR : PVISOR_BLKIF_RSP_OKAY;
	p->busy = false;
	b->in_flight--;
	respond(b, req, status);
}

/* Take every request published; false once the ring is shut. */
static bool take_requests(struct blkback *b)
{
	pvisor_ring_idx_t prod, cons;
	struct blk_pending *p;
	int more;

	do {
		prod = *(volatile pvisor_ring_idx_t *)&b->ring.sring->req_prod;
		PVISOR_RING_RMB();	/* the requests after their index */
		if (PVISOR_RING_REQUEST_PROD_OVERFLOW(&b->ring, prod)) {
			b->broken = "req_prod claims more requests than the ring holds";
			return false;
		}
		for (cons = b->ring.req_cons; cons != prod; cons++) {
			if (PVISOR_RING_REQUEST_CONS_OVERFLOW(&b->ring, cons))
				break;
			p = free_pending(b);
			if (!p)
				break;
			PVISOR_RING_COPY_REQUEST(&b->ring, cons, &p->req);
			b->ring.req_cons = cons + 1;
			start(b, p);
		}
		PVISOR_RING_FINAL_CHECK_FOR_REQUESTS(&b->ring, more);
	} while (more && b->ring.req_cons != b->ring.sring->req_prod &&
		 !PVISOR_RING_REQUEST_CONS_OVERFLOW(&b->ring, b->ring.req_cons));
	io_uring_submit(&b->uring);
	return true;
}

static void reap(struct blkback *b, bool wait)
{
	struct io_uring_cqe *cqe;
	uint64_t i;

	while ((wait && b->in_flight ? io_uring_wait_cqe(&b->uring, &cqe) :
		io_uring_peek_cqe(&b->uring, &cqe)) == 0) {
		i = io_uring_cqe_get_data64(cqe);
		if ((uint32_t)i < PVISOR_BLKIF_RING_SIZE &&
		    b->pend[(uint32_t)i].busy)
			complete(b, &b->pend[(uint32_t)i], i >> 32, cqe->res);
		io_uring_cqe_seen(&b->uring, cqe);
		if (wait && !b->in_flight)
			break;
	}
}

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void io_serve(struct blkback *b)
{
	struct pollfd fds[2] = {
		{ .fd = b->evt_fd, .events = POLLIN },
		{ .fd = b->uring.ring_fd, .events = POLLIN },
	};
	uint64_t next_look = 0;
	uint32_t sends;
	int state, n;

	for (;;) {
		if (!take_requests(b)) {
			blk_log(b, "the frontend broke the ring protocol (%s): ring shut",
				b->broken);
			break;
		}
		n = poll(fds, 2, XENBUS_POLL_MS);
		if (n < 0 && errno != EINTR) {
			blk_log(b, "poll: %s", strerror(errno));
			break;
		}
		if (fds[0].revents & (POLLHUP | POLLERR)) {
			blk_log(b, "the frontend closed its event channel");
			break;
		}
		if (fds[0].revents & POLLIN &&
		    read(b->evt_fd, &sends, sizeof(sends)) < 0 && errno != EAGAIN)
			blk_log(b, "event channel: %s", strerror(errno));
		reap(b, false);
		/* Busy or not, the frontend's state every 100 ms. */
		if (!b->xs_lost && now_ms() >= next_look) {
			next_look = now_ms() + XENBUS_POLL_MS;
			state = xenbus_frontend_state(b);
			if (state == -ENOENT || state == -EACCES) {
				blk_log(b, "the frontend is gone");
				break;
			}
			if (state >= PVISOR_XENBUS_CLOSING) {
				blk_log(b, "the frontend is closing");
				break;
			}
			if (state == -EINVAL) {
				b->broken = "the frontend's state node is malformed";
				blk_log(b, "%s: ring shut", b->broken);
				break;
			}
			if (state < 0) {
				/*
				 * A restarted pvisord keeps the tree but not
				 * this connection, which cannot be made again
				 * under the filter: serve on, until the port
				 * closes.
				 */
				blk_log(b, "lost pvisord's xenstore (%s): serving on "
					"until the frontend's port closes",
					strerror(-state));
				b->xs_lost = true;
			}
		}
	}
	/* Nothing is answered before its I/O is done: wait for the rest. */
	reap(b, true);
}
