/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * The block device of the split-driver model: Xen's blkif protocol
 * (public/io/blkif.h), so that a Xen blkfront and pvisor's backend
 * (pvblkback) agree on every byte. Documentation/block.rst is the
 * reference: the XenBus handshake and its xenstore nodes, what the
 * backend checks, the limits.
 *
 * One shared ring (uapi/pvisor/ring.h) of requests and responses, one
 * page, granted by the frontend to Domain0, 32 slots. A request moves
 * up to PVISOR_BLKIF_MAX_SEGMENTS pieces of granted frames to or from
 * consecutive 512-byte sectors of the disk, starting at sector_number:
 * segment i covers sectors first_sect..last_sect (0..7) of its frame,
 * so the disk range is the sum of the pieces, in segment order. The
 * response echoes the request's id and operation with a status; the
 * backend sends it only after the I/O has completed (for a write: it
 * reached the image file; it is durable only after a flush).
 */
#ifndef _UAPI_PVISOR_BLKIF_H
#define _UAPI_PVISOR_BLKIF_H

#include <linux/types.h>
#include <pvisor/grant.h>
#include <pvisor/ring.h>

/* Sectors are 512 bytes, whatever the image's sector-size node says. */
#define PVISOR_BLKIF_SECTOR_SHIFT	9
#define PVISOR_BLKIF_SECTOR_SIZE	512
#define PVISOR_BLKIF_SECTORS_PER_PAGE	8

/* Operations (Xen's BLKIF_OP_* numbers). */
#define PVISOR_BLKIF_OP_READ		0
#define PVISOR_BLKIF_OP_WRITE		1
#define PVISOR_BLKIF_OP_WRITE_BARRIER	2	/* not offered: EOPNOTSUPP */
#define PVISOR_BLKIF_OP_FLUSH_DISKCACHE	3	/* every completed write durable */
#define PVISOR_BLKIF_OP_DISCARD		5	/* sectors need not be kept */
#define PVISOR_BLKIF_OP_INDIRECT	6	/* not offered: EOPNOTSUPP */

/* Segments in one request: as many as fit Xen's 112-byte request. */
#define PVISOR_BLKIF_MAX_SEGMENTS	11

/* Response status (Xen's BLKIF_RSP_*). */
#define PVISOR_BLKIF_RSP_EOPNOTSUPP	(-2)
#define PVISOR_BLKIF_RSP_ERROR		(-1)
#define PVISOR_BLKIF_RSP_OKAY		0

/* The info node's bits (Xen's VDISK_*). */
#define PVISOR_VDISK_CDROM		1
#define PVISOR_VDISK_REMOVABLE		2
#define PVISOR_VDISK_READONLY		4

/* One piece of a granted frame: sectors first_sect..last_sect of it. */
struct pvisor_blkif_segment {
	pvisor_grant_ref_t gref;	/* granted to Domain0 */
	__u8 first_sect;
	__u8 last_sect;			/* first_sect <= last_sect <= 7 */
	__u16 pad;
};

/*
 * A request, 112 bytes. For READ and WRITE, nr_segments (1..11) of seg[]
 * are used; FLUSH_DISKCACHE uses none (nr_segments 0). For DISCARD the
 * second byte is Xen's flag (only 0 is accepted: no secure discard) and
 * discard.nr_sectors, from sector_number on, replaces the segments.
 */
struct pvisor_blkif_request {
	__u8 operation;			/* PVISOR_BLKIF_OP_* */
	__u8 nr_segments;		/* DISCARD: flag, must be 0 */
	__u16 handle;			/* the virtual device; ignored */
	__u32 pad;
	__u64 id;			/* echoed in the response */
	__u64 sector_number;		/* the first sector on the disk */
	union {
		struct pvisor_blkif_segment seg[PVISOR_BLKIF_MAX_SEGMENTS];
		struct {
			__u64 nr_sectors;
		} discard;
	} u;
};

/* A response, 16 bytes (Xen's 12 and the slot's alignment). */
struct pvisor_blkif_response {
	__u64 id;			/* the request's */
	__u8 operation;			/* the request's */
	__u8 pad;
	__s16 status;			/* PVISOR_BLKIF_RSP_* */
	__u32 pad2;
};

PVISOR_RING_TYPES(pvisor_blkif, struct pvisor_blkif_request,
		  struct pvisor_blkif_response);

/* Slots in the one-page ring: 32. */
#define PVISOR_BLKIF_RING_SIZE	PVISOR_RING_SIZE(pvisor_blkif, 4096)

/*
 * XenBus states (Xen's io/xenbus.h), the value of each side's state
 * node, written in decimal.
 */
#define PVISOR_XENBUS_UNKNOWN		0
#define PVISOR_XENBUS_INITIALISING	1
#define PVISOR_XENBUS_INITWAIT		2
#define PVISOR_XENBUS_INITIALISED	3
#define PVISOR_XENBUS_CONNECTED		4
#define PVISOR_XENBUS_CLOSING		5
#define PVISOR_XENBUS_CLOSED		6

#endif /* _UAPI_PVISOR_BLKIF_H */
