/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The context factory: a process forked before the runner confines
 * itself, which makes the host processes the guest's user contexts run
 * in (Documentation/guest-processes.rst), so that the runner never needs
 * clone. The test harness (selftests/lib/guestrun.c) uses it too.
 */
#ifndef PVRUN_FACTORY_H
#define PVRUN_FACTORY_H

#include <stdint.h>
#include <sys/types.h>

/*
 * Fork the factory of domain @domid, whose contexts get @nr_vcpus
 * threads each. Returns the factory's pid once it is attached to the
 * domain, or a negative errno (the attach failed, or the fork). The
 * factory drops every privilege but the uid and gid @id (the runner's
 * own: no other domain's contexts, and no other host process, share
 * them), dies with its parent, and serves until the module lets it go
 * (the domain's runner is gone or the domain destroyed) or it is killed.
 */
pid_t factory_start(uint32_t domid, uint32_t nr_vcpus, uid_t id);

/*
 * Install the factory's seccomp filter on the calling thread (it needs
 * no_new_privs). factory_start() does it once the factory holds only its
 * factory fd; a test uses it to try the filter. Returns 0 or -1 (errno).
 */
int factory_confine(void);

/* Exit statuses of a context process that could not start. */
#define FACTORY_CTX_SETUP_FAILED	120
#define FACTORY_CTX_THREAD_FAILED	121

#endif /* PVRUN_FACTORY_H */
