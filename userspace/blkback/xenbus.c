// SPDX-License-Identifier: GPL-2.0
/*
 * The XenBus side of pvblkback: the two device directories in xenstore
 * and the handshake over their state nodes.
 *
 * In Xen the toolstack writes both directories before the guest looks;
 * here the backend does it as it starts, over pvisord's socket (a
 * Domain0 connection): the frontend's, owned by the guest so that it
 * may write its ring-ref, event-channel and state there, and the
 * backend's, Domain0's and readable by the guest. Then the backend
 * says InitWait and waits for the frontend's Initialised (or
 * Connected), reads what it published, and after io_connect() says
 * Connected. The frontend's state is polled (every 100 ms) rather than
 * watched: one request at a time on the socket, nothing queued.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pvisor/event.h>

#include "blkback.h"

#define POLL_NS		(100 * 1000 * 1000L)

static int xs_put(struct blkback *b, const char *dir, const char *key,
		  const char *value)
{
	char path[160];
	int ret;

	if (b->xs_lost)
		return -EPIPE;
	snprintf(path, sizeof(path), "%s%s%s", dir, key ? "/" : "",
		 key ? key : "");
	ret = xs_request(&b->xs, PVISOR_XS_WRITE, path, strlen(path) + 1,
			 value, strlen(value));
	if (ret) {
		blk_log(b, "xenstore: write %s: %s", path,
			ret > 0 ? b->xs.buf : strerror(-ret));
		return ret > 0 ? -EIO : ret;
	}
	return 0;
}

static int xs_put_u64(struct blkback *b, const char *dir, const char *key,
		      uint64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%" PRIu64, v);
	return xs_put(b, dir, key, s);
}

/* SET_PERMS @path to @a (the owner and everyone's access), then @b. */
static int xs_perms(struct blkback *b, const char *path, const char *a,
		    const char *c)
{
	char payload[160];
	size_t n;
	int ret;

	n = snprintf(payload, sizeof(payload), "%s%c%s%c%s", path, 0, a, 0, c);
	ret = xs_request(&b->xs, PVISOR_XS_SET_PERMS, payload, n + 1, NULL, 0);
	if (ret) {
		blk_log(b, "xenstore: set-perms %s: %s", path,
			ret > 0 ? b->xs.buf : strerror(-ret));
		return ret > 0 ? -EIO : ret;
	}
	return 0;
}

/*
 * A value the frontend wrote, as a decimal number of at most @max:
 * 0, -ENOENT (not there yet), or -EINVAL (anything else, logged).
 */
static int fe_number(struct blkback *b, const char *key, uint64_t max,
		     uint64_t *out)
{
	char path[160];
	char *end;
	uint64_t v;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", b->fe_path, key);
	ret = xs_read(&b->xs, path);
	if (ret < 0)
		return ret;
	if (ret > 0)
		return strcmp(b->xs.buf, "ENOENT") ? -EACCES : -ENOENT;
	errno = 0;
	v = strtoull(b->xs.buf, &end, 10);
	if (b->xs.buf[0] < '0' || b->xs.buf[0] > '9' || *end || errno ||
	    v > max) {
		blk_log(b, "frontend's %s is not a number up to %" PRIu64
			": \"%.32s\"", key, max, b->xs.buf);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int xenbus_frontend_state(struct blkback *b)
{
	uint64_t state;
	int ret = fe_number(b, "state", PVISOR_XENBUS_CLOSED, &state);

	return ret ? ret : (int)state;
}

int xenbus_set_state(struct blkback *b, unsigned int state)
{
	return xs_put_u64(b, b->be_path, "state", state);
}

void xenbus_error(struct blkback *b, const char *why)
{
	xs_put(b, b->be_path, "error", why);
}

int xenbus_setup(struct blkback *b)
{
	char perm_guest[16], perm_read[16];
	int ret;

	snprintf(b->fe_path, sizeof(b->fe_path),
		 "/local/domain/%" PRIu32 "/device/vbd/%" PRIu32, b->domid,
		 b->devid);
	snprintf(b->be_path, sizeof(b->be_path),
		 "/local/domain/0/backend/vbd/%" PRIu32 "/%" PRIu32, b->domid,
		 b->devid);
	snprintf(perm_guest, sizeof(perm_guest), "n%" PRIu32, b->domid);
	snprintf(perm_read, sizeof(perm_read), "r%" PRIu32, b->domid);

	/*
	 * Each directory gets its permissions before its entries, which
	 * inherit them: the frontend's is the guest's (Domain0 bypasses
	 * the checks), the backend's Domain0's and readable by the guest.
	 */
	ret = xs_put(b, b->be_path, NULL, "");
	if (!ret)
		ret = xs_perms(b, b->be_path, "n0", perm_read);
	if (!ret)
		ret = xs_put(b, b->be_path, "frontend", b->fe_path);
	if (!ret)
		ret = xs_put_u64(b, b->be_path, "frontend-id", b->domid);
	if (!ret)
		ret = xs_put(b, b->be_path, "params", b->image);
	if (!ret)
		ret = xs_put(b, b->be_path, "mode", b->readonly ? "r" : "w");
	if (!ret)
		ret = xs_put(b, b->be_path, "dev", b->vdev);
	if (!ret)
		ret = xs_put(b, b->be_path, "type", "file");
	if (!ret)
		ret = xs_put_u64(b, b->be_path, "sectors", b->sectors);
	if (!ret)
		ret = xs_put_u64(b, b->be_path, "sector-size",
				 PVISOR_BLKIF_SECTOR_SIZE);
	if (!ret)
		ret = xs_put_u64(b, b->be_path, "info",
				 b->readonly ? PVISOR_VDISK_READONLY : 0);
	if (!ret)
		ret = xs_put(b, b->be_path, "feature-flush-cache", "1");
	if (!ret)
		ret = xs_put(b, b->be_path, "feature-barrier", "0");
	if (!ret)
		ret = xs_put(b, b->be_path, "feature-discard",
			     b->readonly ? "0" : "1");
	if (!ret && !b->readonly)
		ret = xs_put(b, b->be_path, "discard-granularity", "4096");
	if (!ret && !b->readonly)
		ret = xs_put(b, b->be_path, "discard-alignment", "0");
	if (!ret)
		ret = xs_put_u64(b, b->be_path, "state",
				 PVISOR_XENBUS_INITIALISING);

	if (!ret)
		ret = xs_put(b, b->fe_path, NULL, "");
	if (!ret)
		ret = xs_perms(b, b->fe_path, perm_guest, "r0");
	if (!ret)
		ret = xs_put_u64(b, b->fe_path, "state",
				 PVISOR_XENBUS_INITIALISING);
	if (!ret)
		ret = xs_put(b, b->fe_path, "backend-id", "0");
	if (!ret)
		ret = xs_put_u64(b, b->fe_path, "virtual-device", b->devid);
	if (!ret)
		ret = xs_put(b, b->fe_path, "device-type", "disk");
	if (!ret)
		ret = xenbus_set_state(b, PVISOR_XENBUS_INITWAIT);
	/*
	 * Last: a frontend that does not wait for InitWait may start as
	 * soon as it sees it, and nothing of ours may overwrite what it
	 * writes from then on.
	 */
	if (!ret)
		ret = xs_put(b, b->fe_path, "backend", b->be_path);
	return ret;
}

int xenbus_wait_frontend(struct blkback *b)
{
	const struct timespec tick = { 0, POLL_NS };
	uint64_t ref, port;
	int state, seen = -1, ret;

	for (;;) {
		state = xenbus_frontend_state(b);
		if (state != seen && state >= 0)
			blk_log(b, "the frontend is in state %d", state);
		seen = state;
		if (state == -ENOENT || state == -EACCES) {
			blk_log(b, "the frontend's directory is gone: the domain is");
			return -ENOENT;
		}
		if (state < 0)
			return state;
		if (state >= PVISOR_XENBUS_CLOSING) {
			blk_log(b, "the frontend closed before connecting");
			return -ECONNABORTED;
		}
		if (state == PVISOR_XENBUS_INITIALISED ||
		    state == PVISOR_XENBUS_CONNECTED)
			break;
		nanosleep(&tick, NULL);
	}
	ret = fe_number(b, "ring-ref", UINT32_MAX, &ref);
	if (!ret)
		ret = fe_number(b, "event-channel", PVISOR_NR_EVENT_CHANNELS - 1,
				&port);
	if (ret == -ENOENT)
		blk_log(b, "the frontend is initialised without a ring-ref and an event-channel");
	if (ret)
		return ret;
	ret = xs_read(&b->xs, b->fe_path);	/* still there */
	b->ring_ref = ref;
	b->port = port;
	return ret < 0 ? ret : 0;
}
