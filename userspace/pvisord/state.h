/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What survives a restart: the xenstore tree and the backends pvisord
 * watches (backend_watch.h), in one file with a format version, replaced
 * atomically (write a temporary file, fsync, rename).
 * Watches and transactions belong to connections, which a restart ends;
 * domains come back from the module (domains.c).
 */
#ifndef PVISORD_STATE_H
#define PVISORD_STATE_H

#define PVISOR_STATE_MAGIC	"pvisord-xenstore-state"
#define PVISOR_STATE_VERSION	2

/*
 * Load @path into the (fresh) main tree. 0, or -ENOENT when there is no
 * file (a first start), or another -errno when it is unreadable or
 * malformed: then the tree may hold part of the file, and the caller
 * must not serve it (pvisord refuses to start).
 */
int pvisor_state_load(const char *path);

/* Write the main tree to @path. 0 or -errno (the old file stays). */
int pvisor_state_save(const char *path);

#endif /* PVISORD_STATE_H */
