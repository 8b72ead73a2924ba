/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A user and group id of its own for each runner, from the range the
 * pvisor module's runner_uid_base and runner_uid_count parameters name.
 */
#ifndef PVRUN_UIDS_H
#define PVRUN_UIDS_H

#include <sys/types.h>

/* Where the range is configured, and the defaults the module has. */
#define UIDS_PARAM_DIR		"/sys/module/pvisor/parameters"
#define UIDS_LOCK_FILE		"/run/pvisor/runner-uids.lock"

/*
 * Claim the lowest id of the range that no process on the host holds as
 * a user or group id (real, effective, saved or file system). The claim
 * is serialised by a lock on UIDS_LOCK_FILE, whose fd stays open (and
 * the lock held) until confine_drop() has taken the id and closes every
 * fd, so that no other runner can pick the same one meanwhile.
 * Returns 0, or a negative errno after runner_error() said why: -EINVAL
 * for a bad range, -EUSERS when every id of it is taken.
 */
int uids_claim(uid_t *id);

#endif /* PVRUN_UIDS_H */
