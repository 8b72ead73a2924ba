// SPDX-License-Identifier: GPL-2.0
/*
 * minnow's xenstore client (xenstore.h), and the guest halves of
 * selftests/pvisor/test_xenstore_guest.sh: the ring test (xenstore=1)
 * and the hostile modes (xenstore=2..6) that break the protocol or keep
 * pvisord busy, for it to survive.
 *
 * The ring: the guest produces requests into req and consumes replies
 * from rsp, with free-running indices (a byte's place is its index
 * modulo the ring's size). Data is written before the producer index
 * (a release store), and read after it (an acquire load); after moving
 * an index the guest notifies the port, and while it waits it idles
 * until any event or a millisecond passes (pvisord's notifications wake
 * it early; the timer bounds a lost one).
 */

#include <linux/errno.h>
#include <pvisor/hypercall.h>
#include <pvisor/xs_wire.h>

#include "console.h"
#include "events.h"
#include "format.h"
#include "mm.h"
#include "test.h"
#include "time.h"
#include "xenstore.h"

#define HDR		sizeof(struct pvisor_xs_header)
#define RING_SIZE	PVISOR_XS_RING_SIZE
#define XS_EVENTS_KEPT	8

static volatile struct pvisor_xs_ring *ring;
static u32 port;
static u32 next_req_id = 1;
static char reply[PVISOR_XS_PAYLOAD_MAX + 1];

/* Watch events received while waiting for replies: their paths. */
static char events[XS_EVENTS_KEPT][256];
static unsigned int ev_head, ev_count;

static void notify_handler(u32 p, struct pvisor_trap_frame *frame, void *data)
{
	(void)p;
	(void)frame;
	(void)data;	/* waking the vCPU is all it is for */
}

long xs_init(void)
{
	if (!start_info->store_mfn || !start_info->store_evtchn)
		return -ENODEV;
	ring = pfn_to_virt(start_info->store_mfn);
	port = start_info->store_evtchn;
	return bind_evtchn(port, notify_handler, NULL);
}

static u32 load_acquire(volatile u32 *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store_release(volatile u32 *p, u32 v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* Wait a little for pvisord; false once @deadline has passed. */
static bool wait_a_little(u64 deadline)
{
	u64 now = monotonic_ns();

	if (now >= deadline)
		return false;
	idle_until(now + NSEC_PER_MSEC);
	return true;
}

static long write_all(const void *data, size_t len, u64 deadline)
{
	const char *p = data;

	while (len) {
		u32 prod = ring->req_prod;
		u32 room = RING_SIZE - (prod - load_acquire(&ring->req_cons));
		u32 n = len < room ? (u32)len : room, i;

		for (i = 0; i < n; i++)
			ring->req[(prod + i) % RING_SIZE] = p[i];
		if (n) {
			store_release(&ring->req_prod, prod + n);
			evtchn_send(port);
			p += n;
			len -= n;
		} else if (!wait_a_little(deadline)) {
			return -ETIMEDOUT;
		}
	}
	return 0;
}

static long read_all(void *data, size_t len, u64 deadline)
{
	char *p = data;

	while (len) {
		u32 cons = ring->rsp_cons;
		u32 avail = load_acquire(&ring->rsp_prod) - cons;
		u32 n = len < avail ? (u32)len : avail, i;

		if (avail > RING_SIZE)
			return -EIO;	/* pvisord would never */
		for (i = 0; i < n; i++)
			p[i] = ring->rsp[(cons + i) % RING_SIZE];
		if (n) {
			store_release(&ring->rsp_cons, cons + n);
			evtchn_send(port);
			p += n;
			len -= n;
		} else if (!wait_a_little(deadline)) {
			return -ETIMEDOUT;
		}
	}
	return 0;
}

static void keep_event(const char *payload, u32 len)
{
	char *slot = events[(ev_head + ev_count) % XS_EVENTS_KEPT];
	u32 n = len < 255 ? len : 255;

	memcpy(slot, payload, n);
	slot[n] = '\0';	/* the path: the payload's first string */
	if (ev_count < XS_EVENTS_KEPT)
		ev_count++;
	else
		ev_head = (ev_head + 1) % XS_EVENTS_KEPT;
}

/* Read one message into hdr and reply[]; 0 or a negative errno. */
static long read_message(struct pvisor_xs_header *h, u64 deadline)
{
	long ret = read_all(h, HDR, deadline);

	if (ret)
		return ret;
	if (h->len > PVISOR_XS_PAYLOAD_MAX)
		return -EIO;
	ret = read_all(reply, h->len, deadline);
	reply[h->len] = '\0';
	return ret;
}

static long error_code(const char *name)
{
	static const struct { const char *name; long err; } names[] = {
		{ "ENOENT", -ENOENT }, { "EACCES", -EACCES },
		{ "EINVAL", -EINVAL }, { "EEXIST", -EEXIST },
		{ "EPERM", -EPERM }, { "EQUOTA", -EDQUOT },
		{ "E2BIG", -E2BIG }, { "EAGAIN", -EAGAIN },
		{ "ENOSYS", -ENOSYS }, { "EBUSY", -EBUSY },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(name, names[i].name))
			return names[i].err;
	return -EIO;
}

/*
 * Send @type with the payload @a (nul included if @a_nul) then @b, and
 * wait for its reply in reply[]: its length, or a negative errno.
 */
static long request(u32 type, const char *a, bool a_nul, const char *b,
		    size_t b_len)
{
	size_t a_len = strlen(a) + (a_nul ? 1 : 0);
	struct pvisor_xs_header h = {
		.type = type,
		.req_id = next_req_id++,
		.len = (u32)(a_len + b_len),
	};
	u64 deadline = monotonic_ns() + XS_TIMEOUT_NS;
	long ret;

	if (!ring)
		return -ENODEV;
	if (a_len + b_len > PVISOR_XS_PAYLOAD_MAX)
		return -E2BIG;
	ret = write_all(&h, HDR, deadline);
	if (!ret)
		ret = write_all(a, a_len, deadline);
	if (!ret && b_len)
		ret = write_all(b, b_len, deadline);
	while (!ret) {
		struct pvisor_xs_header r;

		ret = read_message(&r, deadline);
		if (ret)
			break;
		if (r.type == PVISOR_XS_WATCH_EVENT) {
			keep_event(reply, r.len);
			continue;
		}
		if (r.req_id != h.req_id)
			return -EIO;
		if (r.type == PVISOR_XS_ERROR)
			return error_code(reply);
		return r.type == type ? (long)r.len : -EIO;
	}
	return ret;
}

long xs_write(const char *path, const char *value)
{
	long ret = request(PVISOR_XS_WRITE, path, true, value, strlen(value));

	return ret < 0 ? ret : 0;
}

long xs_read(const char *path, char *buf, size_t size)
{
	long ret = request(PVISOR_XS_READ, path, true, NULL, 0);
	size_t n;

	if (ret < 0)
		return ret;
	n = (size_t)ret < size - 1 ? (size_t)ret : size - 1;
	memcpy(buf, reply, n);
	buf[n] = '\0';
	return ret;
}

long xs_directory(const char *path, char *buf, size_t size)
{
	long ret = request(PVISOR_XS_DIRECTORY, path, true, NULL, 0);

	if (ret < 0)
		return ret;
	if ((size_t)ret > size)
		return -E2BIG;
	memcpy(buf, reply, (size_t)ret);
	return ret;
}

long xs_watch(const char *path, const char *token)
{
	char tok[64];
	long ret;

	snprintf(tok, sizeof(tok), "%s", token);
	ret = request(PVISOR_XS_WATCH, path, true, tok, strlen(tok) + 1);
	return ret < 0 ? ret : 0;
}

long xs_wait_event(char *path, size_t size, u64 timeout_ns)
{
	u64 deadline = monotonic_ns() + timeout_ns;
	struct pvisor_xs_header r;
	long ret;

	while (!ev_count) {
		/* Nothing outstanding: anything that comes is an event. */
		ret = read_message(&r, deadline);
		if (ret) {
			printk("minnow: xenstore: no event: req %u/%u rsp %u/%u\n",
			       ring->req_cons, ring->req_prod, ring->rsp_cons,
			       ring->rsp_prod);
			return ret;
		}
		if (r.type != PVISOR_XS_WATCH_EVENT) {
			/* Nothing was asked: pvisord would never; say so. */
			printk("minnow: xenstore: unexpected message (type %u, "
			       "req_id %u, %u bytes) while waiting for an "
			       "event\n", r.type, r.req_id, r.len);
			return -EIO;
		}
		keep_event(reply, r.len);
	}
	snprintf(path, size, "%s", events[ev_head]);
	ev_head = (ev_head + 1) % XS_EVENTS_KEPT;
	ev_count--;
	return 0;
}

/* --- the guest test (xenstore=1) ------------------------------------------ */

static bool children_have(const char *list, long len, const char *name)
{
	long at = 0;

	while (at < len) {
		if (!strcmp(list + at, name))
			return true;
		at += (long)strlen(list + at) + 1;
	}
	return false;
}

/*
 * Answer the host's pings (data/ping) with pongs (data/pong) until it
 * says "stop". Polled, not watched: watches belong to pvisord's
 * connections, which a restart of pvisord ends, and the host restarts it
 * in the middle to see that the ring is served again.
 */
static void answer_pings(void)
{
	char ping[64], last[64] = "";
	unsigned int answered = 0, failed = 0;
	long ret;

	for (;;) {
		ret = xs_read("data/ping", ping, sizeof(ping));
		if (ret >= 0 && strcmp(ping, last)) {
			snprintf(last, sizeof(last), "%s", ping);
			if (!strcmp(ping, "stop"))
				break;
			if (xs_write("data/pong", ping))
				failed++;
			else
				answered++;
		} else if (ret < 0 && ret != -ENOENT) {
			failed++;
			if (failed > 3)
				break;
		}
		sleep_ns(20 * NSEC_PER_MSEC);
	}
	guest_report(!failed, "answered %u pings over the ring, through "
		     "everything the host did meanwhile (%u failed)", answered,
		     failed);
}

/* Another guest's entries are not ours. */
static void check_peer(u64 peer)
{
	char path[64], buf[64];
	long ret;

	snprintf(path, sizeof(path), "/local/domain/%llu/name", peer);
	ret = xs_read(path, buf, sizeof(buf));
	guest_report(ret == -EACCES, "domain %llu's name is not ours to read "
		     "(%ld)", peer, ret);
	snprintf(path, sizeof(path), "/local/domain/%llu/data/intruder", peer);
	ret = xs_write(path, "x");
	guest_report(ret == -EACCES, "nor its data to write (%ld)", ret);
}

/*
 * A value longer than the ring, both ways: the request and the reply are
 * streamed through the 1 KiB rings, and what follows must still frame.
 */
static void long_value_round_trip(void)
{
	static char value[1501], back[1600];
	long ret;
	int i;

	for (i = 0; i < 1500; i++)
		value[i] = (char)('a' + i % 26);
	value[1500] = '\0';
	ret = xs_write("data/long", value);
	guest_report(ret == 0, "a 1500-byte value is written, streamed (%ld)",
		     ret);
	ret = xs_read("data/long", back, sizeof(back));
	guest_report(ret == 1500 && !strcmp(back, value),
		     "and read back whole (%ld bytes)", ret);
}

void xs_selftest(u64 peer)
{
	char buf[256], path[256];
	long ret;

	ret = xs_init();
	guest_report(ret == 0, "start_info names a xenstore ring (pfn %llu, "
		     "port %u) and its port binds (%ld)", start_info->store_mfn,
		     start_info->store_evtchn, ret);
	if (ret)
		return;
	ret = xs_write("data/guest-key", "from-guest");
	guest_report(ret == 0, "a write of a relative path (%ld)", ret);
	ret = xs_read("data/guest-key", buf, sizeof(buf));
	guest_report(ret == 10 && !strcmp(buf, "from-guest"),
		     "reads back what it wrote (%ld: %s)", ret, buf);
	long_value_round_trip();
	ret = xs_read("name", buf, sizeof(buf));
	guest_report(ret > 0, "reads its own name, which Domain0 wrote (%s)",
		     ret > 0 ? buf : "");
	ret = xs_directory("data", buf, sizeof(buf));
	guest_report(ret > 0 && children_have(buf, ret, "guest-key"),
		     "a directory lists the new key (%ld)", ret);
	ret = xs_read("/local/domain/0/name", buf, sizeof(buf));
	guest_report(ret == -EACCES, "Domain0's entry is not the guest's to "
		     "read (%ld)", ret);
	ret = xs_write("/local/domain/0/data/intruder", "x");
	guest_report(ret == -EACCES, "nor to write (%ld)", ret);
	ret = xs_write("/vm/intruder", "x");
	guest_report(ret == -EACCES, "nor /vm (%ld)", ret);
	if (peer)
		check_peer(peer);

	ret = xs_watch("data/host-key", "hk");
	guest_report(ret == 0, "a watch on data/host-key (%ld)", ret);
	ret = xs_wait_event(path, sizeof(path), XS_TIMEOUT_NS);
	guest_report(ret == 0 && !strcmp(path, "data/host-key"),
		     "the watch fires once when set up (%ld: %s)", ret,
		     ret ? "" : path);
	/* The host writes data/host-key once it sees data/ready. */
	ret = xs_write("data/ready", "1");
	guest_report(ret == 0, "tells the host it is ready (%ld)", ret);
	ret = xs_wait_event(path, sizeof(path), XS_TIMEOUT_NS);
	guest_report(ret == 0 && !strcmp(path, "data/host-key"),
		     "the watch fires when Domain0 writes (%ld: %s)", ret,
		     ret ? "" : path);
	ret = xs_read("data/host-key", buf, sizeof(buf));
	guest_report(ret == 9 && !strcmp(buf, "from-dom0"),
		     "reads Domain0's value (%ld: %s)", ret, buf);
	xs_write("data/host-seen", ret == 9 ? buf : "nothing");
	answer_pings();
}

/* --- the hostile modes (xenstore=2..6) ------------------------------------ */

/* Produces @len bytes into the request ring without notifying. */
static void put_quietly(const void *data, u32 len)
{
	u32 prod = ring->req_prod, i;

	for (i = 0; i < len; i++)
		ring->req[(prod + i) % RING_SIZE] = ((const char *)data)[i];
	store_release(&ring->req_prod, prod + len);
}

static void put_raw(const void *data, u32 len)
{
	put_quietly(data, len);
	evtchn_send(port);
}

/* Send events and requests for about @ns, reading no reply. */
static void flood(u64 ns)
{
	u64 end = monotonic_ns() + ns, sent = 0;
	static const char req[] = "data/flood\0x";
	struct pvisor_xs_header h = { .type = PVISOR_XS_WRITE, .len = sizeof(req) };

	while (monotonic_ns() < end) {
		u32 room = RING_SIZE - (ring->req_prod - load_acquire(&ring->req_cons));

		if (room >= HDR + sizeof(req)) {
			h.req_id = (u32)++sent;
			put_raw(&h, HDR);
			put_raw(req, sizeof(req));
		} else {
			evtchn_send(port);
		}
	}
	printk("minnow: xenstore: flooded %llu requests\n", sent);
}

/*
 * Keep the ring full of writes for ever, taking every reply as it comes
 * (so pvisord always has a request waiting and never a reason to stop
 * reading), and say how far it got every 4096 requests. It notifies only
 * when the ring is full: refilling costs the guest memory writes alone,
 * far less than pvisord's handling of a request, so the ring never
 * drains. It ends only with the domain.
 */
static void __attribute__((noreturn)) flood_for_ever(void)
{
	static const char req[] = "data/flood\0x";
	struct pvisor_xs_header h = { .type = PVISOR_XS_WRITE, .len = sizeof(req) };
	u64 sent = 0;

	for (;;) {
		u32 room = RING_SIZE - (ring->req_prod - load_acquire(&ring->req_cons));

		store_release(&ring->rsp_cons, load_acquire(&ring->rsp_prod));
		if (room < HDR + sizeof(req)) {
			evtchn_send(port);
			continue;
		}
		h.req_id = (u32)++sent;
		put_quietly(&h, HDR);
		put_quietly(req, sizeof(req));
		if (sent % 4096 == 0)
			printk("minnow: xenstore: flooding, %llu requests\n", sent);
	}
}

void xs_hostile(u64 mode)
{
	struct pvisor_xs_header h = { .type = PVISOR_XS_WRITE, .req_id = 1 };
	long ret = xs_init();
	u64 i, seed = 12345;

	GUEST_ASSERT(ret == 0);
	ret = xs_write("data/hostile", "before");
	guest_report(ret == 0, "a good write before misbehaving (%ld)", ret);
	switch (mode) {
	case 2:		/* req_prod far beyond req_cons */
		store_release(&ring->req_prod, ring->req_prod + 5000);
		evtchn_send(port);
		break;
	case 3:		/* a header announcing more than 4096 bytes */
		h.len = 1u << 20;
		put_raw(&h, HDR);
		break;
	case 4:		/* a flood of requests and events, replies unread */
		flood(3 * NSEC_PER_SEC);
		break;
	case 6:		/* a flood with every reply read, until destroyed */
		flood_for_ever();
	default:	/* headers of garbage, then a long one */
		for (i = 0; i < 64; i++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			h.type = (u32)(seed >> 33) % 64;
			h.req_id = (u32)(seed >> 20);
			h.tx_id = (u32)(seed >> 40);
			h.len = (u32)(seed >> 50) % 8;
			if (RING_SIZE - (ring->req_prod - load_acquire(&ring->req_cons)) <
			    HDR + 8)
				break;
			put_raw(&h, HDR);
			put_raw(&seed, h.len);
		}
		break;
	}
	/* Give pvisord time to notice, then go. */
	sleep_ns(500 * NSEC_PER_MSEC);
	printk("minnow: xenstore: hostile mode %llu done\n", mode);
}
