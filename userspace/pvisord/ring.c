// SPDX-License-Identifier: GPL-2.0
/*
 * Guests' xenstore rings. The page is shared with a hostile guest, so:
 *
 * - the indices pvisord owns (req_cons, rsp_prod) live here and are only
 *   written to the page, never read back; the guest's (req_prod,
 *   rsp_cons) are read once per pass, then checked: more than the ring
 *   size ahead of ours, or behind what we already took, breaks the
 *   protocol;
 * - bytes are copied out of the page before anything looks at them, and
 *   a header is judged on the copy: a payload above PVISOR_XS_PAYLOAD_MAX
 *   breaks the protocol (as on the socket, the stream cannot be trusted
 *   after it);
 * - a guest that breaks the protocol is disconnected: its ring is no
 *   longer served (the page is unmapped, the port let go) until the
 *   domain goes, and the log says why. Nobody else notices;
 * - each pass serves one message, like a socket's round, and a ring with
 *   more waiting is served again between rounds (pvisor_ring_idle()), so
 *   a flooding guest gets its turn like everyone else; replies it does
 *   not take stop its requests being read (CONN_OUT_SOFT), and watch
 *   events beyond CONN_OUT_HARD are dropped.
 *
 * A request that fits in the ring is consumed (req_cons published) only
 * once it is whole, so that a pvisord restarted halfway through reads it
 * again from its start; a longer one (up to 16 + 4096 bytes) cannot be in
 * the ring at once and is consumed as it comes.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <pvisor/device.h>
#include <pvisor/netlink.h>

#include "conn.h"
#include "log.h"
#include "loop.h"
#include "outq.h"
#include "ring.h"
#include "xs.h"

#define HDR		sizeof(struct pvisor_xs_header)
#define RING_SIZE	PVISOR_XS_RING_SIZE
#define PAGE		4096

struct ring {
	struct xs_conn xs;
	struct loop_source src;		/* Domain0's end of the channel */
	struct list_head link;
	char label[32];
	volatile struct pvisor_xs_ring *page;
	uint32_t req_cons;		/* published to the guest */
	uint32_t req_seen;		/* copied out, maybe not published */
	uint32_t rsp_prod;		/* ours, published */
	unsigned char in[HDR + PVISOR_XS_PAYLOAD_MAX + 1];
	size_t in_len;
	struct outq out;		/* waiting for room in rsp */
	unsigned long dropped;
	bool more;			/* serve again between rounds */
	bool dead;
};

static struct list_head rings = LIST_HEAD_INIT(rings);
static int dev_fd = -1;
/* Per domain: 1 served, 2 disconnected for breaking the protocol. */
static uint8_t state[PVISOR_DOMID_MAX + 1];

static uint32_t load_acquire(volatile uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store_release(volatile uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static void ring_close(struct ring *r, bool broken, const char *why)
{
	if (r->dead)
		return;
	if (broken)
		log_warn("%s: broke the xenstore ring protocol (%s): "
			 "disconnected", r->label, why);
	else
		log_debug("%s: closed: %s", r->label, why);
	state[r->xs.domid] = broken ? 2 : 0;
	pvisor_loop_remove(&r->src);
	close(r->src.fd);
	r->src.fd = -1;
	munmap((void *)r->page, PAGE);
	r->page = NULL;
	r->dead = true;
}

static void notify(struct ring *r)
{
	uint32_t one = 1;

	if (write(r->src.fd, &one, sizeof(one)) < 0 && errno == EPIPE)
		ring_close(r, false, "the guest closed its port");
}

/* Move queued output into rsp. True if anything moved. */
static bool flush(struct ring *r)
{
	uint32_t cons, used, room, n, at, first;

	cons = load_acquire(&r->page->rsp_cons);
	used = r->rsp_prod - cons;
	if (used > RING_SIZE) {
		ring_close(r, true, "rsp_cons beyond rsp_prod");
		return false;
	}
	room = RING_SIZE - used;
	n = r->out.len < room ? r->out.len : room;
	if (!n)
		return false;
	at = r->rsp_prod % RING_SIZE;
	first = RING_SIZE - at < n ? RING_SIZE - at : n;
	memcpy((char *)r->page->rsp + at, outq_data(&r->out), first);
	memcpy((char *)r->page->rsp, outq_data(&r->out) + first, n - first);
	r->rsp_prod += n;
	store_release(&r->page->rsp_prod, r->rsp_prod);
	outq_consume(&r->out, n);
	return true;
}

static void ring_send(struct xs_conn *xc, const struct pvisor_xs_header *h,
		      const void *payload, bool event)
{
	struct ring *r = container_of(xc, struct ring, xs);
	size_t len = HDR + h->len;

	if (r->dead)
		return;
	if (event && r->out.len + len > CONN_OUT_HARD) {
		if (!r->dropped++)
			log_warn("%s: not reading: dropping watch events", r->label);
		return;
	}
	if (!outq_put(&r->out, h, HDR, payload, h->len)) {
		ring_close(r, false, "out of memory");
		return;
	}
	if (flush(r))
		notify(r);
}

/* Copy @n bytes from req at req_seen to the end of r->in. */
static void copy_out(struct ring *r, uint32_t n)
{
	uint32_t at = r->req_seen % RING_SIZE;
	uint32_t first = RING_SIZE - at < n ? RING_SIZE - at : n;

	memcpy(r->in + r->in_len, (const char *)r->page->req + at, first);
	memcpy(r->in + r->in_len + first, (const char *)r->page->req, n - first);
	r->in_len += n;
	r->req_seen += n;
}

/*
 * Copy what the guest has produced of the current message into r->in.
 * Returns 1 when the message is whole, 0 when more must come, -1 when
 * the guest broke the protocol (the ring is closed). *@consumed says
 * whether req_cons moved (the guest has room again).
 */
static int read_message(struct ring *r, bool *consumed)
{
	const struct pvisor_xs_header *h = (const void *)r->in;
	uint32_t prod, want, avail;
	size_t total;

	prod = load_acquire(&r->page->req_prod);
	if (prod - r->req_cons > RING_SIZE ||
	    prod - r->req_seen > prod - r->req_cons) {
		ring_close(r, true, "req_prod out of range");
		return -1;
	}
	for (;;) {
		want = r->in_len < HDR ? HDR - r->in_len
				       : HDR + h->len - r->in_len;
		avail = prod - r->req_seen;
		copy_out(r, avail < want ? avail : want);
		if (r->in_len < HDR)
			return 0;
		/* Judged on our copy: the guest may change the page meanwhile. */
		if (h->len > PVISOR_XS_PAYLOAD_MAX) {
			ring_close(r, true, "payload longer than 4096 bytes");
			return -1;
		}
		total = HDR + h->len;
		/* One longer than the ring cannot wait to be whole: stream it. */
		if (total > RING_SIZE || r->in_len == total) {
			*consumed |= r->req_cons != r->req_seen;
			r->req_cons = r->req_seen;
			store_release(&r->page->req_cons, r->req_cons);
		}
		if (r->in_len == total)
			return 1;
		if (r->req_seen == prod)
			return 0;
	}
}

/* One pass: output first, then at most one request. */
static void serve(struct ring *r)
{
	struct pvisor_xs_header h;
	bool progress = false, consumed = false;
	int ret;

	r->more = false;
	if (r->dead)
		return;
	progress = flush(r);
	if (r->dead)
		return;
	if (r->out.len <= CONN_OUT_SOFT) {
		ret = read_message(r, &consumed);
		if (ret < 0)
			return;
		progress |= consumed;
		if (ret > 0) {
			memcpy(&h, r->in, HDR);
			r->in[HDR + h.len] = '\0';
			r->in_len = 0;
			pvisor_xs_handle(&r->xs, &h, (const char *)r->in + HDR);
			if (r->dead)
				return;
			/* Anything else waiting is for the next round. */
			r->more = load_acquire(&r->page->req_prod) != r->req_seen;
		}
	}
	if (progress)
		notify(r);
}

static void ring_ready(struct loop_source *src, uint32_t events)
{
	struct ring *r = container_of(src, struct ring, src);
	uint32_t count;
	ssize_t n;

	(void)events;
	if (r->dead)
		return;
	n = read(src->fd, &count, sizeof(count));
	if (n == 0) {
		ring_close(r, false, "the guest closed its port");
		return;
	}
	if (n < 0 && errno != EAGAIN && errno != EINTR) {
		ring_close(r, false, strerror(errno));
		return;
	}
	serve(r);
}

static struct ring *find(uint32_t domid)
{
	struct ring *r;

	list_for_each_entry(r, &rings, link)
		if (!r->dead && r->xs.domid == domid)
			return r;
	return NULL;
}

/* Map the page and bind the port; 0 or -errno. */
static int connect_ring(struct ring *r, uint32_t domid, uint64_t pfn,
			uint32_t port)
{
	struct pvisor_domain_memory mreq = { .domid = domid };
	struct pvisor_evtchn_dom0 ereq = { .domid = domid, .port = port };
	int memfd, ret;
	void *page;

	if (dev_fd < 0) {
		dev_fd = open("/dev/pvisor", O_RDWR | O_CLOEXEC);
		if (dev_fd < 0)
			return -errno;
	}
	if (pfn > (UINT64_MAX >> 12) / 2)
		return -EINVAL;
	memfd = ioctl(dev_fd, PVISOR_IOCTL_DOMAIN_MEMORY, &mreq);
	if (memfd < 0)
		return -errno;
	page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd,
		    (off_t)(pfn << 12));
	ret = page == MAP_FAILED ? -errno : 0;
	close(memfd);	/* the mapping keeps what it needs */
	if (ret)
		return ret;
	r->src.fd = ioctl(dev_fd, PVISOR_IOCTL_EVTCHN_DOM0, &ereq);
	if (r->src.fd < 0) {
		ret = -errno;
		munmap(page, PAGE);
		return ret;
	}
	fcntl(r->src.fd, F_SETFL, O_NONBLOCK);
	r->page = page;
	return 0;
}

int pvisor_ring_attach(uint32_t domid, uint64_t pfn, uint32_t port)
{
	struct ring *r;
	int ret;

	if (!domid || domid > PVISOR_DOMID_MAX || !port)
		return -EINVAL;
	if (state[domid])
		return 0;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	ret = connect_ring(r, domid, pfn, port);
	if (ret)
		goto err_free;
	snprintf(r->label, sizeof(r->label), "ring of domain %u", domid);
	pvisor_xs_conn_init(&r->xs, domid, false);
	r->xs.label = r->label;
	r->xs.send = ring_send;
	r->src.ready = ring_ready;
	/*
	 * Carry on where the guest and any earlier pvisord left off: our
	 * indices start from the page, once, and are ours from now on.
	 */
	r->req_cons = r->req_seen = r->page->req_cons;
	r->rsp_prod = r->page->rsp_prod;
	r->page->server_features = 0;
	r->page->connection = PVISOR_XS_CONNECTED;
	ret = pvisor_loop_add(&r->src, EPOLLIN);
	if (ret)
		goto err_unmap;
	list_add_tail(&r->link, &rings);
	state[domid] = 1;
	log_info("%s: serving xenstore (pfn %llu, port %u)", r->label,
		 (unsigned long long)pfn, port);
	/* Whatever the guest wrote before we came. */
	serve(r);
	return 0;

err_unmap:
	pvisor_xs_conn_release(&r->xs);
	close(r->src.fd);
	munmap((void *)r->page, PAGE);
err_free:
	free(r);
	return ret;
}

bool pvisor_ring_served(uint32_t domid)
{
	return domid <= PVISOR_DOMID_MAX && state[domid] == 1;
}

void pvisor_ring_detach(uint32_t domid)
{
	struct ring *r = domid <= PVISOR_DOMID_MAX ? find(domid) : NULL;

	if (r)
		ring_close(r, false, "its domain is gone");
	if (domid <= PVISOR_DOMID_MAX)
		state[domid] = 0;
}

bool pvisor_ring_idle(void)
{
	struct ring *r, *next;
	bool more = false;

	list_for_each_entry(r, &rings, link)
		if (r->more)
			serve(r);
	list_for_each_entry_safe(r, next, &rings, link) {
		more |= r->more && !r->dead;
		if (!r->dead)
			continue;
		if (r->dropped)
			log_warn("%s: %lu watch events were dropped", r->label,
				 r->dropped);
		pvisor_xs_conn_release(&r->xs);
		list_del(&r->link);
		outq_free(&r->out);
		free(r);
	}
	return more;
}

void pvisor_ring_shutdown(void)
{
	struct ring *r;

	list_for_each_entry(r, &rings, link)
		ring_close(r, false, "pvisord stops");
	pvisor_ring_idle();
	if (dev_fd >= 0)
		close(dev_fd);
	dev_fd = -1;
}
