/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minnow's block frontend (uapi/pvisor/blkif.h, Documentation/
 * block.rst): one ring per disk, a request at a time or a ring full,
 * for the ABI tests. The handshake is XenBus's over the guest's
 * xenstore ring: wait for the toolstack's device directory
 * (device/vbd/N/backend), grant the ring page to Domain0, offer a port
 * to Domain0, publish ring-ref and event-channel, say Initialised, wait
 * for the backend's Connected, read the disk's size and features, say
 * Connected.
 *
 * Needs events_init(), time_init(), xs_init() and gnttab_init() first.
 * Calls return 0 or a negative errno.
 */
#ifndef MINNOW_BLKFRONT_H
#define MINNOW_BLKFRONT_H

#include <pvisor/blkif.h>

#include "lib.h"

struct blkfront {
	u32 devid;
	char dir[48];			/* device/vbd/N */
	char backend[96];		/* the backend's directory */
	u64 sectors;
	u64 info;			/* PVISOR_VDISK_* */
	bool flush;			/* feature-flush-cache */
	bool discard;			/* feature-discard */
	u64 ring_pfn;
	u32 ring_ref;
	u32 port;
	struct pvisor_blkif_front_ring ring;
};

/* Connect to the backend of disk @devid, waiting up to @timeout_ns. */
long blkfront_connect(struct blkfront *f, u32 devid, u64 timeout_ns);

/*
 * Put @req in the next slot (its id: the slot's index), push and notify
 * when the backend asked to be: -EBUSY when the ring is full.
 */
long blkfront_queue(struct blkfront *f, const struct pvisor_blkif_request *req);

/* Push what was queued; notify if the backend wants to hear of it. */
void blkfront_push(struct blkfront *f);

/*
 * The next response into @rsp, waiting up to @timeout_ns: 0, or
 * -ETIMEDOUT (none came), -ENOTCONN (the backend is closing or closed).
 */
long blkfront_response(struct blkfront *f, struct pvisor_blkif_response *rsp,
		       u64 timeout_ns);

/*
 * One request and its response: the response's status
 * (PVISOR_BLKIF_RSP_*), or a negative errno (as blkfront_response, or
 * -EIO: a response for another request).
 */
long blkfront_do(struct blkfront *f, struct pvisor_blkif_request *req,
		 u64 timeout_ns);

/* The backend's state node (PVISOR_XENBUS_*), or a negative errno. */
long blkfront_backend_state(struct blkfront *f);

/* Close: Closing, wait for the backend's Closed, Closed. */
long blkfront_close(struct blkfront *f, u64 timeout_ns);

#endif /* MINNOW_BLKFRONT_H */
