/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minnow's xenstore client: requests over the ring page and event
 * channel that start_info names (store_mfn, store_evtchn), in Xen's
 * xs_wire.h protocol (uapi/pvisor/xs_wire.h), served by pvisord.
 * One request at a time; watch events that arrive meanwhile are kept
 * (the last XS_EVENTS_KEPT of them) for xs_wait_event().
 *
 * Every call returns 0 (or a length) or a negative errno: the reply's
 * error name mapped back (-ENOENT, -EACCES, ...), -ETIMEDOUT when
 * pvisord did not answer within XS_TIMEOUT_NS, -ENODEV without a ring.
 * Call with events enabled, after events_init() and time_init().
 */
#ifndef MINNOW_XENSTORE_H
#define MINNOW_XENSTORE_H

#include "lib.h"

#define XS_TIMEOUT_NS	(120ULL * 1000000000ULL)

/* Bind the ring's port. */
long xs_init(void);

long xs_write(const char *path, const char *value);
/* The value into @buf (nul-terminated, cut to @size - 1): its length. */
long xs_read(const char *path, char *buf, size_t size);
/* The children's names, each nul-terminated, into @buf: the bytes used. */
long xs_directory(const char *path, char *buf, size_t size);
long xs_watch(const char *path, const char *token);

/*
 * The next watch event: its path into @path (cut to @size - 1); waits up
 * to @timeout_ns. 0, -ETIMEDOUT, or -EIO for a message that is no event
 * (nothing was asked, so pvisord or the ring is broken).
 */
long xs_wait_event(char *path, size_t size, u64 timeout_ns);

/*
 * The hostile test modes (xenstore=2..5 on the command line; see
 * main.c): raw access to the ring, breaking the protocol on purpose.
 */
void xs_hostile(u64 mode);

/*
 * The guest test of the ring (xenstore=1): Documentation/xenstore.rst.
 * @peer: another domain's id, whose entries must be refused (0: none).
 */
void xs_selftest(u64 peer);

#endif /* MINNOW_XENSTORE_H */
