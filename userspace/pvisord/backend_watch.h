/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Watching the backends pvisord starts, so that one that dies is noticed
 * (Documentation/block.rst, "Lifetimes and failures"): each is watched
 * through a pidfd in the event loop, and when it ends pvisord logs how,
 * and, unless its domain is gone or stopped, closes its XenBus device
 * with an error node saying why. Nothing restarts it. The records go
 * into the state file, so that a restarted pvisord watches the backends
 * of its predecessor too.
 */
#ifndef PVISORD_BACKEND_WATCH_H
#define PVISORD_BACKEND_WATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "domcfg.h"

/* One backend, as the state file keeps it. */
struct backend_rec {
	uint32_t domid;
	char vdev[DOMCFG_VDEV_MAX];
	pid_t pid;
	/*
	 * Field 22 of /proc/PID/stat, clock ticks after boot: with the pid,
	 * it names one process, so a pid reused by another is recognised.
	 */
	uint64_t start;
};

/*
 * Can this kernel watch a process (pidfd_open, Linux 5.3)? Asked once;
 * when it cannot, that is logged once and backends go unwatched.
 */
bool pvisor_backend_watch_supported(void);

/*
 * Watch @pid, a child just forked (so not yet reaped, and the pid still
 * its), which serves disk @vdev of domain @domid. 0, or -errno when it
 * cannot be watched: then the caller kills and reaps it.
 */
int pvisor_backend_watch_child(uint32_t domid, const char *vdev, pid_t pid);

/*
 * A backend an earlier pvisord started, read from the state file. It is
 * looked at by pvisor_backend_watch_resume(); until then it is kept as
 * it is. 0, -EINVAL for a record that cannot be one, or -ENOMEM.
 */
int pvisor_backend_watch_restore(const struct backend_rec *r);

/*
 * At start-up, once the module's domains are known: watch each restored
 * backend again if its pid is still that process (its start time
 * matches); one that is gone, or whose pid another process has now,
 * ended while pvisord was away, and is reported as such.
 */
void pvisor_backend_watch_resume(void);

/*
 * Call @fn for each backend still watched (or restored and not yet
 * looked at), for the state file; stops at the first non-zero return,
 * and returns it.
 */
int pvisor_backend_watch_for_each(int (*fn)(const struct backend_rec *r,
					    void *arg), void *arg);

/* Between rounds of the loop: free the records of backends that ended. */
void pvisor_backend_watch_reap(void);

#endif /* PVISORD_BACKEND_WATCH_H */
