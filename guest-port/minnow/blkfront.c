// SPDX-License-Identifier: GPL-2.0
/*
 * minnow's block frontend (blkfront.h). The backend is in Domain0: the
 * ring page is granted to domain 0 and the port offered to it
 * (PVISOR_DOMID_DOM0). While it waits for a response the frontend asks
 * to be notified (the ring's final check), then idles until any event
 * or a millisecond passes; every 100 ms it looks at the backend's state,
 * so that a backend that shut the ring is noticed.
 */

#include <linux/errno.h>
#include <pvisor/event.h>

#include "blkfront.h"
#include "events.h"
#include "format.h"
#include "gnttab.h"
#include "mm.h"
#include "time.h"
#include "xenstore.h"

#define STATE_POLL_NS	(100 * NSEC_PER_MSEC)

static void notified(u32 port, struct pvisor_trap_frame *frame, void *data)
{
	(void)port;
	(void)frame;
	(void)data;	/* waking the vCPU is all it is for */
}

/* A decimal number from xenstore at @dir/@key. */
static long read_number(const char *dir, const char *key, u64 *out)
{
	char path[160], buf[32];
	long ret;
	u64 v = 0;
	int i;

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	ret = xs_read(path, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	if (!ret)
		return -EINVAL;
	for (i = 0; buf[i]; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return -EINVAL;
		v = v * 10 + (u64)(buf[i] - '0');
	}
	*out = v;
	return 0;
}

static long write_number(const char *dir, const char *key, u64 v)
{
	char path[160], buf[24];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	snprintf(buf, sizeof(buf), "%llu", v);
	return xs_write(path, buf);
}

long blkfront_backend_state(struct blkfront *f)
{
	u64 state;
	long ret = read_number(f->backend, "state", &state);

	return ret ? ret : (long)state;
}

/* Wait until the backend's state is @want (or past it). */
static long wait_backend(struct blkfront *f, u64 want, u64 deadline)
{
	long state;

	for (;;) {
		state = blkfront_backend_state(f);
		if (state >= (long)want)
			return state;
		if (monotonic_ns() >= deadline)
			return -ETIMEDOUT;
		sleep_ns(10 * NSEC_PER_MSEC);
	}
}

long blkfront_connect(struct blkfront *f, u32 devid, u64 timeout_ns)
{
	u64 deadline = monotonic_ns() + timeout_ns;
	struct pvisor_blkif_sring *s;
	char path[80];
	long ret, state;
	u64 v;

	memset(f, 0, sizeof(*f));
	f->devid = devid;
	snprintf(f->dir, sizeof(f->dir), "device/vbd/%u", devid);
	snprintf(path, sizeof(path), "%s/backend", f->dir);
	/* The toolstack's part (the backend writes it as it starts). */
	while ((ret = xs_read(path, f->backend, sizeof(f->backend))) <= 0) {
		if (monotonic_ns() >= deadline)
			return ret ? ret : -EINVAL;
		sleep_ns(10 * NSEC_PER_MSEC);
	}
	state = wait_backend(f, PVISOR_XENBUS_INITWAIT, deadline);
	if (state < 0)
		return state;
	if (state != PVISOR_XENBUS_INITWAIT)
		return -ECONNREFUSED;

	f->ring_pfn = alloc_page_pfn();
	if (f->ring_pfn == MM_NO_PAGE)
		return -ENOMEM;
	s = pfn_to_virt(f->ring_pfn);
	PVISOR_SRING_INIT(s);
	PVISOR_FRONT_RING_INIT(&f->ring, s, PAGE_SIZE);
	f->ring_ref = gnttab_grant(0, f->ring_pfn, false);
	if (f->ring_ref == GNTTAB_NO_REF)
		return -ENOSPC;
	ret = evtchn_alloc_unbound(PVISOR_DOMID_DOM0, &f->port);
	if (!ret)
		ret = bind_evtchn(f->port, notified, f);
	if (!ret)
		ret = write_number(f->dir, "ring-ref", f->ring_ref);
	if (!ret)
		ret = write_number(f->dir, "event-channel", f->port);
	if (!ret) {
		snprintf(path, sizeof(path), "%s/protocol", f->dir);
		ret = xs_write(path, "x86_64-abi");
	}
	if (!ret)
		ret = write_number(f->dir, "state", PVISOR_XENBUS_INITIALISED);
	if (ret)
		return ret;

	state = wait_backend(f, PVISOR_XENBUS_CONNECTED, deadline);
	if (state < 0)
		return state;
	if (state != PVISOR_XENBUS_CONNECTED)
		return -ECONNREFUSED;
	ret = read_number(f->backend, "sectors", &f->sectors);
	if (!ret)
		ret = read_number(f->backend, "info", &f->info);
	if (ret)
		return ret;
	f->flush = !read_number(f->backend, "feature-flush-cache", &v) && v;
	f->discard = !read_number(f->backend, "feature-discard", &v) && v;
	return write_number(f->dir, "state", PVISOR_XENBUS_CONNECTED);
}

long blkfront_queue(struct blkfront *f, const struct pvisor_blkif_request *req)
{
	struct pvisor_blkif_request *slot;

	if (PVISOR_RING_FULL(&f->ring))
		return -EBUSY;
	slot = PVISOR_RING_GET_REQUEST(&f->ring, f->ring.req_prod_pvt);
	*slot = *req;
	f->ring.req_prod_pvt++;
	return 0;
}

void blkfront_push(struct blkfront *f)
{
	bool kick;

	PVISOR_RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f->ring, kick);
	if (kick)
		evtchn_send(f->port);
}

long blkfront_response(struct blkfront *f, struct pvisor_blkif_response *rsp,
		       u64 timeout_ns)
{
	u64 now = monotonic_ns(), deadline = now + timeout_ns;
	u64 next_look = now + STATE_POLL_NS;
	long state;
	int more;

	for (;;) {
		PVISOR_RING_FINAL_CHECK_FOR_RESPONSES(&f->ring, more);
		if (more) {
			PVISOR_RING_RMB();	/* the response after its index */
			*rsp = *PVISOR_RING_GET_RESPONSE(&f->ring,
							 f->ring.rsp_cons);
			f->ring.rsp_cons++;
			return 0;
		}
		now = monotonic_ns();
		if (now >= deadline)
			return -ETIMEDOUT;
		if (now >= next_look) {
			state = blkfront_backend_state(f);
			if (state < 0 || state >= PVISOR_XENBUS_CLOSING)
				return -ENOTCONN;
			next_look = now + STATE_POLL_NS;
		}
		idle_until(now + NSEC_PER_MSEC);
	}
}

long blkfront_do(struct blkfront *f, struct pvisor_blkif_request *req,
		 u64 timeout_ns)
{
	struct pvisor_blkif_response rsp;
	long ret;

	req->id = f->ring.req_prod_pvt;
	ret = blkfront_queue(f, req);
	if (ret)
		return ret;
	blkfront_push(f);
	ret = blkfront_response(f, &rsp, timeout_ns);
	if (ret)
		return ret;
	if (rsp.id != req->id || rsp.operation != req->operation)
		return -EIO;
	return rsp.status;
}

long blkfront_close(struct blkfront *f, u64 timeout_ns)
{
	long ret = write_number(f->dir, "state", PVISOR_XENBUS_CLOSING);

	if (ret)
		return ret;
	ret = wait_backend(f, PVISOR_XENBUS_CLOSED, monotonic_ns() + timeout_ns);
	if (ret < 0)
		return ret;
	unbind_evtchn(f->port);
	evtchn_close(f->port);
	return write_number(f->dir, "state", PVISOR_XENBUS_CLOSED);
}
