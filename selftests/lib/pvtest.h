/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the pvisor selftests: opening the control plane,
 * snapshots of the module's accounting (netlink and sysfs), bulk create
 * and destroy, errno checks with the kernel's extack message, /proc
 * readers, module reloads and dropping privileges.
 *
 * Each test names its domains with a prefix of its own ("lc-", "churn-"
 * ...) so that it only ever touches what it created.
 */
#ifndef PVISOR_SELFTEST_PVTEST_H
#define PVISOR_SELFTEST_PVTEST_H

#include <stdbool.h>
#include <stdint.h>

#include <pvnl.h>

#include "tap.h"

#define PVT_PAGE	4096ULL
#define PVT_KIB		1024ULL
#define PVT_MIB		(1024ULL * 1024)

#define PVT_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define PVT_SYSFS_DIR		"/sys/class/misc/pvisor"
#define PVT_PARAM_DIR		"/sys/module/pvisor/parameters"

/* "EINVAL" for EINVAL or -EINVAL; "E<n>" for what it does not know. */
const char *pvt_errno_name(int err);

/*
 * Connect to the module. Skips the whole test when the module is not
 * loaded, bails out when it is loaded but the family cannot be reached.
 */
struct pvnl *pvt_open(void);

/* INFO_GET, bailing out on failure. */
void pvt_info(struct pvnl *nl, struct pvnl_info *info);

/*
 * Destroy every domain whose name starts with @prefix (all of them when
 * @prefix is NULL). Returns how many were destroyed, or a negative errno.
 */
int pvt_destroy_prefix(struct pvnl *nl, const char *prefix);

/* Domains whose name starts with @prefix (NULL: all), or a negative errno. */
int pvt_count_prefix(struct pvnl *nl, const char *prefix);

/*
 * Create "<prefix><i>" for i in [0, @count) with @memory bytes each,
 * storing the ids in @ids (may be NULL). Stops at the first failure and
 * returns how many were created; *@err gets that failure (0 if none).
 */
unsigned int pvt_create_many(struct pvnl *nl, const char *prefix,
			     unsigned int count, uint64_t memory,
			     uint32_t *ids, int *err);

/*
 * Arrange for domains named @prefix* to be destroyed if the test bails
 * out or skips early (tap_on_abort()).
 */
void pvt_cleanup_prefix_on_abort(const char *prefix);

/*
 * Report a check that a call returned exactly @want (0 or a negative
 * errno). On a mismatch the diagnostic names both errnos and the extack.
 */
bool pvt_expect(struct pvnl *nl, int got, int want, const char *fmt, ...)
	TAP_PRINTF(4, 5);

/* The same, accepting either of two results. */
bool pvt_expect2(struct pvnl *nl, int got, int want1, int want2,
		 const char *fmt, ...) TAP_PRINTF(5, 6);

/*
 * Report a check that the module's accounting, over netlink and in sysfs
 * alike, equals @base plus @ddomains domains and @dframes frames, waiting
 * up to PVT_SETTLE_SECS for it to get there: a killed runner frees its
 * domain's frames only as it exits.
 */
#define PVT_SETTLE_SECS		10
bool pvt_expect_accounting(struct pvnl *nl, const struct pvnl_info *base,
			   int ddomains, int64_t dframes, const char *fmt, ...)
	TAP_PRINTF(5, 6);

/* One decimal number from a sysfs-style file. 0 or a negative errno. */
int pvt_read_u64(const char *path, uint64_t *val);

/* The four accounting files under PVT_SYSFS_DIR, as a struct pvnl_info. */
int pvt_sysfs_info(struct pvnl_info *info);

/* A field of /proc/meminfo in KiB, or -1. */
long long pvt_meminfo_kb(const char *field);

/*
 * Pages parked in the per-cpu free lists, in KiB, or -1. MemFree and
 * MemAvailable leave them out, and a freshly freed domain's frames can
 * sit there by the tens of MiB; add them back to compare before/after.
 */
long long pvt_pcp_kb(void);

/* MemFree plus pvt_pcp_kb(): free host memory, wherever it sits. */
long long pvt_free_kb(void);

/* A counter from /proc/vmstat, or -1. */
long long pvt_vmstat(const char *field);

/* The module file to insmod ($PVISOR_KO), or NULL when unavailable. */
const char *pvt_module_path(void);

/*
 * Unload the module and load it again from pvt_module_path() with
 * @params (may be empty). Returns 0 or the first failing command's
 * exit status (positive), or -1.
 */
int pvt_reload_module(const char *params);

/* Run a shell command line; its exit status, or -1. */
int pvt_system(const char *fmt, ...) TAP_PRINTF(1, 2);

/*
 * Become uid/gid 65534 with no supplementary groups and no capabilities.
 * Returns 0, or a negative errno when a step failed.
 */
int pvt_drop_privileges(void);

/* Monotonic time in seconds. */
double pvt_now(void);

#endif /* PVISOR_SELFTEST_PVTEST_H */
