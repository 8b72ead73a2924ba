/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvblkback, the block backend: one process per disk of one domain,
 * serving the blkif ring (uapi/pvisor/blkif.h) of that domain's
 * frontend from a raw image file with io_uring. Documentation/block.rst
 * tells the whole story; the parts:
 *
 *   pvblkback.c  the command line, the image, the process's life
 *   xenbus.c     the xenstore nodes and the XenBus handshake
 *   io.c         the ring: each request copied, checked, done, answered
 *   confine.c    the uid, the io_uring restrictions, the seccomp filter
 */
#ifndef PVBLKBACK_H
#define PVBLKBACK_H

#include <stdbool.h>
#include <stdint.h>

#include <liburing.h>
#include <pvisor/blkif.h>

#include "xs_client.h"

#define BLK_PROG	"pvblkback"

/* A request in flight, in its bounce buffer. */
struct blk_pending {
	struct pvisor_blkif_request req;	/* the one copy of it */
	uint8_t *buf;				/* 11 pages, page aligned */
	uint32_t len;				/* bytes of the disk range */
	unsigned int left;			/* completions still to come */
	bool busy;
	bool failed;
};

struct blkback {
	/* From the command line. */
	uint32_t domid;
	uint32_t devid;
	const char *vdev;
	const char *image;
	bool readonly;

	/* The image. */
	int img_fd;
	uint64_t sectors;
	bool direct;			/* opened O_DIRECT */

	/* xenstore. */
	struct xs_client xs;
	char fe_path[96];		/* /local/domain/D/device/vbd/N */
	char be_path[96];		/* /local/domain/0/backend/vbd/D/N */

	/* The connection, once the frontend published it. */
	uint32_t ring_ref;
	uint32_t port;
	int gnt_fd;			/* grant-mapping fd */
	int evt_fd;			/* Domain0's end of the port */
	uint64_t ring_index;		/* the ring's map handle */
	struct pvisor_blkif_back_ring ring;
	struct io_uring uring;
	struct blk_pending pend[PVISOR_BLKIF_RING_SIZE];
	unsigned int in_flight;

	/* pvisord went away (its restart): xenstore is not used again. */
	bool xs_lost;

	/* Why the ring was shut, when the frontend broke the protocol. */
	const char *broken;

	/* Counters, logged at the end. */
	uint64_t done, errors;
};

/* One "pvblkback: dom D xvdX: ..." line on stderr. */
void blk_log(const struct blkback *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* xenbus.c */
/* Write both directories (the toolstack's part) and go to InitWait. */
int xenbus_setup(struct blkback *b);
/*
 * Wait for the frontend to publish ring-ref and event-channel and reach
 * Initialised or Connected; 0 with them in @b, or -errno after logging
 * (the domain went away, the frontend closed, a malformed node).
 */
int xenbus_wait_frontend(struct blkback *b);
int xenbus_set_state(struct blkback *b, unsigned int state);
/* Write the backend's error node (why the ring was shut). */
void xenbus_error(struct blkback *b, const char *why);
/* The frontend's state now; -errno when it cannot be read. */
int xenbus_frontend_state(struct blkback *b);

/* io.c */
/* Map the ring, bind the port, set up io_uring and the buffers. */
int io_connect(struct blkback *b);
/*
 * Serve the ring until the frontend closes, its port goes, or it
 * breaks the protocol; every request in flight has completed and been
 * answered (or the ring was shut) when it returns.
 */
void io_serve(struct blkback *b);

/* confine.c */
/* Restrict the io_uring to the image's I/O and enable it. */
int confine_uring(struct blkback *b);
/* A uid of its own, no privileges, no other fds, the seccomp filter. */
int confine(struct blkback *b);

#endif /* PVBLKBACK_H */
