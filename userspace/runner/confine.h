/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Confining the runner before the first guest instruction: nothing open
 * but the runner fd, no privileges, and a seccomp filter that lets through
 * only the pvisor ioctls on that fd, rt_sigreturn and exit.
 */
#ifndef PVRUN_CONFINE_H
#define PVRUN_CONFINE_H

#include <sys/types.h>

/*
 * Become user and group @id (the runner's own, uids.c), close every fd
 * but PVISOR_RUNNER_FD and @keep_fd (-1: none), the uid lock among them,
 * leave the file system (chdir "/"), drop every privilege, check that none is left,
 * set no_new_privs and make the process undumpable. Reports failures with
 * runner_error() and returns a negative errno.
 */
int confine_drop(int keep_fd, uid_t id);

/*
 * Install the seccomp filter (on every thread: SECCOMP_FILTER_FLAG_TSYNC).
 * Last step before the guest: afterwards only the pvisor ioctls work, so
 * failure is returned silently as a negative errno.
 */
int confine_seccomp(void);

#endif /* PVRUN_CONFINE_H */
