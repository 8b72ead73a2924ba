/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * Grant tables, version 1: how a guest lets another domain (Domain0's
 * backends, or a peer guest) read or write chosen frames of its own.
 *
 * The numbers, flag bits, status codes and structure layouts are Xen's
 * (public/grant_table.h), so a Xen frontend finds what it expects; the
 * one difference is GNTTABOP_SETUP_TABLE's frame list, an input here:
 * the guest names the frames of its own memory that hold its table
 * (Documentation/grant-tables.rst). Documentation/hypercalls.rst is the
 * reference for the calls, grant-tables.rst for the design.
 */
#ifndef _UAPI_PVISOR_GRANT_H
#define _UAPI_PVISOR_GRANT_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* grant_table_op(cmd, ops, count) */
#define PVISOR_HC_GRANT_TABLE_OP	20

#define PVISOR_GNTTABOP_MAP_GRANT_REF	0	/* -ENOSYS for now */
#define PVISOR_GNTTABOP_UNMAP_GRANT_REF	1	/* -ENOSYS for now */
#define PVISOR_GNTTABOP_SETUP_TABLE	2
#define PVISOR_GNTTABOP_COPY		5
#define PVISOR_GNTTABOP_QUERY_SIZE	6

/* Domain ids in grant calls: as in event channels, 0 is the caller. */
#define PVISOR_GNT_DOMID_SELF		0

/* A grant reference: an index into the granting domain's table. */
typedef __u32 pvisor_grant_ref_t;

/*
 * One v1 entry, 8 bytes, 512 to a frame. The granting guest fills in
 * domid and frame, then sets flags last (after a write barrier). The
 * module sets GTF_READING and GTF_WRITING while it uses the grant and
 * clears them afterwards, with atomic operations on the flags word.
 */
struct pvisor_grant_entry {
	__u16 flags;		/* PVISOR_GTF_* */
	__u16 domid;		/* who may use it (0: Domain0) */
	__u32 frame;		/* the granting domain's guest pfn */
};
#define PVISOR_GRANT_ENTRIES_PER_FRAME	(4096 / sizeof(struct pvisor_grant_entry))

#define PVISOR_GTF_INVALID		0
#define PVISOR_GTF_PERMIT_ACCESS	1
#define PVISOR_GTF_TYPE_MASK		3
#define PVISOR_GTF_READONLY		(1U << 2)	/* no write access */
#define PVISOR_GTF_READING		(1U << 3)	/* in use, set by pvisor */
#define PVISOR_GTF_WRITING		(1U << 4)	/* in writable use, by pvisor */

/* Per-operation status, Xen's GNTST_* values. */
#define PVISOR_GNTST_OKAY		0
#define PVISOR_GNTST_GENERAL_ERROR	(-1)
#define PVISOR_GNTST_BAD_DOMAIN		(-2)
#define PVISOR_GNTST_BAD_GNTREF		(-3)
#define PVISOR_GNTST_BAD_HANDLE		(-4)
#define PVISOR_GNTST_BAD_VIRT_ADDR	(-5)
#define PVISOR_GNTST_PERMISSION_DENIED	(-8)
#define PVISOR_GNTST_BAD_PAGE		(-9)
#define PVISOR_GNTST_BAD_COPY_ARG	(-10)

/*
 * SETUP_TABLE: make the table nr_frames frames long. frame_list points
 * at nr_frames guest pfns of the caller's memory: those the table
 * already has must be repeated unchanged, the new ones become table
 * frames and are zeroed. The table never shrinks.
 */
struct pvisor_gnttab_setup_table {
	__u16 dom;		/* in: 0 or the caller's own id */
	__u16 pad;
	__u32 nr_frames;	/* in */
	__s16 status;		/* out: PVISOR_GNTST_* */
	__u16 pad2[3];
	__u64 frame_list;	/* in: guest address of nr_frames __u64 pfns */
};

/* QUERY_SIZE: the table's current and largest size, in frames. */
struct pvisor_gnttab_query_size {
	__u16 dom;		/* in: 0 or the caller's own id */
	__u16 pad;
	__u32 nr_frames;	/* out */
	__u32 max_nr_frames;	/* out: the max_grant_frames parameter */
	__s16 status;		/* out */
	__u16 pad2;
};

/*
 * COPY: len bytes from source to dest, neither crossing its frame. A
 * side flagged PVISOR_GNTCOPY_*_GREF names a grant of domain domid
 * (granted to the caller); otherwise u.gmfn is one of the caller's own
 * pfns, and domid must name the caller.
 */
#define PVISOR_GNTCOPY_SOURCE_GREF	(1U << 0)
#define PVISOR_GNTCOPY_DEST_GREF	(1U << 1)

struct pvisor_gnttab_copy_ptr {
	union {
		pvisor_grant_ref_t ref;
		__u64 gmfn;
	} u;
	__u16 domid;
	__u16 offset;
	__u32 pad;
};

struct pvisor_gnttab_copy {
	struct pvisor_gnttab_copy_ptr source;
	struct pvisor_gnttab_copy_ptr dest;
	__u16 len;
	__u16 flags;		/* PVISOR_GNTCOPY_* */
	__s16 status;		/* out */
	__u16 pad;
};

/*
 * Domain0's side (gntdev's role), on /dev/pvisor. CAP_SYS_ADMIN.
 *
 * PVISOR_IOCTL_GRANT_OPEN returns a grant-mapping fd. On it:
 *
 * PVISOR_IOCTL_GRANT_MAP maps grant ref of domain domid (which must be
 * granted to Domain0) and returns, in index, the mmap() offset at which
 * the caller then maps that one page (MAP_SHARED; PROT_WRITE only
 * without PVISOR_GRANT_MAP_READONLY). The grant is in use (GTF_READING,
 * and GTF_WRITING if writable) from the ioctl until it is unmapped and
 * its mmap() is gone, or the fd is closed.
 *
 * PVISOR_IOCTL_GRANT_UNMAP gives the handle back; EINVAL if it is not
 * one. A live mmap() of it keeps the grant until munmap().
 *
 * PVISOR_IOCTL_GRANT_COPY runs count segments, each a grant on one side
 * and a buffer of the caller's on the other (or grants on both), and
 * sets each segment's status; returns 0 or -EFAULT.
 */
struct pvisor_grant_map {
	__u32 domid;		/* in: the granting domain */
	pvisor_grant_ref_t ref;	/* in */
	__u32 flags;		/* in: PVISOR_GRANT_MAP_* */
	__u32 pad;
	__u64 index;		/* out: the mmap() offset, page aligned */
};
#define PVISOR_GRANT_MAP_READONLY	(1U << 0)

struct pvisor_grant_unmap {
	__u64 index;		/* from PVISOR_IOCTL_GRANT_MAP */
};

struct pvisor_grant_copy_seg {
	union {
		__u64 virt;	/* the caller's buffer */
		struct {
			pvisor_grant_ref_t ref;
			__u16 offset;
			__u16 domid;
		} foreign;
	} source, dest;
	__u16 len;
	__u16 flags;		/* PVISOR_GNTCOPY_* */
	__s16 status;		/* out: PVISOR_GNTST_* */
	__u16 pad;
};

struct pvisor_grant_copy {
	__u32 count;
	__u32 pad;
	__u64 segments;		/* struct pvisor_grant_copy_seg[count] */
};

#define PVISOR_IOCTL_GRANT_OPEN		_IO(0xAF, 0x04)
#define PVISOR_IOCTL_GRANT_MAP \
	_IOWR(0xAF, 0x30, struct pvisor_grant_map)
#define PVISOR_IOCTL_GRANT_UNMAP \
	_IOW(0xAF, 0x31, struct pvisor_grant_unmap)
#define PVISOR_IOCTL_GRANT_COPY \
	_IOW(0xAF, 0x32, struct pvisor_grant_copy)

#endif /* _UAPI_PVISOR_GRANT_H */
