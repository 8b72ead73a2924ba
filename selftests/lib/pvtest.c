// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the pvisor selftests; see pvtest.h.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pvtest.h"

const char *pvt_errno_name(int err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ 0, "success" },
		{ EPERM, "EPERM" },
		{ ENOENT, "ENOENT" },
		{ EINTR, "EINTR" },
		{ E2BIG, "E2BIG" },
		{ EBADF, "EBADF" },
		{ EAGAIN, "EAGAIN" },
		{ ENOMEM, "ENOMEM" },
		{ EACCES, "EACCES" },
		{ EFAULT, "EFAULT" },
		{ EBUSY, "EBUSY" },
		{ EEXIST, "EEXIST" },
		{ ENODEV, "ENODEV" },
		{ EINVAL, "EINVAL" },
		{ ENOTTY, "ENOTTY" },
		{ ENOSPC, "ENOSPC" },
		{ ERANGE, "ERANGE" },
		{ EMSGSIZE, "EMSGSIZE" },
		{ EPROTO, "EPROTO" },
		{ EOPNOTSUPP, "EOPNOTSUPP" },
		{ ENOBUFS, "ENOBUFS" },
		{ ETIMEDOUT, "ETIMEDOUT" },
	};
	static __thread char other[16];
	unsigned int i;

	if (err < 0)
		err = -err;
	for (i = 0; i < PVT_ARRAY_SIZE(names); i++)
		if (names[i].err == err)
			return names[i].name;
	snprintf(other, sizeof(other), "E%d", err);
	return other;
}

struct pvnl *pvt_open(void)
{
	struct pvnl *nl = pvnl_open();
	struct stat st;

	if (nl)
		return nl;
	if (stat("/sys/module/pvisor", &st))
		tap_skip_all("the pvisor module is not loaded");
	tap_bail("pvnl_open: %s with the pvisor module loaded",
		 pvt_errno_name(errno));
}

void pvt_info(struct pvnl *nl, struct pvnl_info *info)
{
	int ret = pvnl_info_get(nl, info);

	if (ret)
		tap_bail("INFO_GET failed: %s (%s)", pvt_errno_name(ret),
			 pvnl_error_msg(nl));
}

struct id_list {
	const char *prefix;
	uint32_t *ids;
	unsigned int count;
	unsigned int size;
};

static bool has_prefix(const char *name, const char *prefix)
{
	return !prefix || !strncmp(name, prefix, strlen(prefix));
}

static int collect_id(const struct pvnl_domain *dom, void *arg)
{
	struct id_list *list = arg;

	if (!has_prefix(dom->name, list->prefix))
		return 0;
	if (list->count == list->size) {
		unsigned int size = list->size ? list->size * 2 : 64;
		uint32_t *ids = realloc(list->ids, size * sizeof(*ids));

		if (!ids)
			return -ENOMEM;
		list->ids = ids;
		list->size = size;
	}
	list->ids[list->count++] = dom->id;
	return 0;
}

static int list_prefix(struct pvnl *nl, const char *prefix,
		       struct id_list *list)
{
	memset(list, 0, sizeof(*list));
	list->prefix = prefix;
	return pvnl_domain_dump(nl, collect_id, list, NULL);
}

int pvt_count_prefix(struct pvnl *nl, const char *prefix)
{
	struct id_list list;
	int ret = list_prefix(nl, prefix, &list);

	free(list.ids);
	return ret ? ret : (int)list.count;
}

int pvt_destroy_prefix(struct pvnl *nl, const char *prefix)
{
	struct id_list list;
	unsigned int i;
	int ret, destroyed = 0;

	ret = list_prefix(nl, prefix, &list);
	for (i = 0; !ret && i < list.count; i++) {
		int err = pvnl_domain_del(nl, list.ids[i], NULL);

		if (!err)
			destroyed++;
		else if (err != -ENOENT)	/* someone else may race us */
			ret = err;
	}
	free(list.ids);
	return ret ? ret : destroyed;
}

unsigned int pvt_create_many(struct pvnl *nl, const char *prefix,
			     unsigned int count, uint64_t memory,
			     uint32_t *ids, int *err)
{
	struct pvnl_domain dom;
	char name[PVISOR_NAME_MAX];
	unsigned int i;
	int ret = 0;

	for (i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "%s%u", prefix, i);
		ret = pvnl_domain_new(nl, name, memory, 0, &dom);
		if (ret)
			break;
		if (ids)
			ids[i] = dom.id;
	}
	if (err)
		*err = ret;
	return i;
}

static const char *abort_prefix;

static void cleanup_on_abort(void)
{
	struct pvnl *nl = pvnl_open();
	int ret;

	if (!nl)
		return;
	ret = pvt_destroy_prefix(nl, abort_prefix);
	if (ret > 0)
		tap_diag("cleanup: destroyed %d leftover %s* domains", ret,
			 abort_prefix);
	else if (ret < 0)
		tap_diag("cleanup of %s* domains failed: %s", abort_prefix,
			 pvt_errno_name(ret));
	pvnl_close(nl);
}

void pvt_cleanup_prefix_on_abort(const char *prefix)
{
	abort_prefix = prefix;
	tap_on_abort(cleanup_on_abort);
}

static bool expect_one_of(struct pvnl *nl, int got, int want1, int want2,
			  const char *desc)
{
	if (tap_ok(got == want1 || got == want2, "%s", desc))
		return true;
	if (want1 == want2)
		tap_diag("got %s (%d), want %s; extack: \"%s\"",
			 pvt_errno_name(got), got, pvt_errno_name(want1),
			 nl ? pvnl_error_msg(nl) : "");
	else
		tap_diag("got %s (%d), want %s or %s; extack: \"%s\"",
			 pvt_errno_name(got), got, pvt_errno_name(want1),
			 pvt_errno_name(want2), nl ? pvnl_error_msg(nl) : "");
	return false;
}

bool pvt_expect(struct pvnl *nl, int got, int want, const char *fmt, ...)
{
	char desc[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	return expect_one_of(nl, got, want, want, desc);
}

bool pvt_expect2(struct pvnl *nl, int got, int want1, int want2,
		 const char *fmt, ...)
{
	char desc[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	return expect_one_of(nl, got, want1, want2, desc);
}

bool pvt_expect_accounting(struct pvnl *nl, const struct pvnl_info *base,
			   int ddomains, int64_t dframes, const char *fmt, ...)
{
	uint64_t want_frames = base->frames_used + dframes;
	uint32_t want_domains = base->domains + ddomains;
	struct pvnl_info now, sys;
	char desc[512];
	bool good;
	va_list ap;
	int ret, sret;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);

	/*
	 * A domain's frames go with its last reference, which an exiting
	 * runner may still hold for a moment after it was killed: wait for
	 * the figures, up to PVT_SETTLE_SECS (a hang detector).
	 */
	for (int i = 0; i < PVT_SETTLE_SECS * 50; i++) {
		memset(&now, 0, sizeof(now));
		memset(&sys, 0, sizeof(sys));
		ret = pvnl_info_get(nl, &now);
		sret = pvt_sysfs_info(&sys);
		good = !ret && !sret &&
		       now.domains == want_domains &&
		       now.frames_used == want_frames &&
		       sys.domains == want_domains &&
		       sys.frames_used == want_frames;
		if (good || ret || sret)
			break;
		usleep(20000);
	}
	if (!tap_ok(good, "%s", desc))
		tap_diag("want domains %u frames_used %llu; INFO_GET (%s): %u %llu; sysfs (%s): %u %llu",
			 want_domains, (unsigned long long)want_frames,
			 pvt_errno_name(ret), now.domains,
			 (unsigned long long)now.frames_used,
			 pvt_errno_name(sret), sys.domains,
			 (unsigned long long)sys.frames_used);
	return good;
}

int pvt_read_u64(const char *path, uint64_t *val)
{
	unsigned long long v;
	char buf[64], *end;
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, sizeof(buf), f)) {
		ret = -EIO;
	} else {
		errno = 0;
		v = strtoull(buf, &end, 10);
		if (errno || end == buf || (*end != '\n' && *end != '\0'))
			ret = -EINVAL;
		else
			*val = v;
	}
	fclose(f);
	return ret;
}

int pvt_sysfs_info(struct pvnl_info *info)
{
	uint64_t domains, max_domains, used, limit;
	int ret;

	ret = pvt_read_u64(PVT_SYSFS_DIR "/domains", &domains);
	if (!ret)
		ret = pvt_read_u64(PVT_SYSFS_DIR "/max_domains", &max_domains);
	if (!ret)
		ret = pvt_read_u64(PVT_SYSFS_DIR "/frames_used", &used);
	if (!ret)
		ret = pvt_read_u64(PVT_SYSFS_DIR "/frames_limit", &limit);
	if (ret)
		return ret;
	memset(info, 0, sizeof(*info));
	info->domains = domains;
	info->max_domains = max_domains;
	info->frames_used = used;
	info->frames_limit = limit;
	return 0;
}

/* "<field><sep><number>" from a /proc file of such lines. */
static long long proc_field(const char *path, const char *field, char sep)
{
	size_t len = strlen(field);
	long long val = -1;
	char line[256];
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, len) && line[len] == sep) {
			val = strtoll(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return val;
}

long long pvt_meminfo_kb(const char *field)
{
	return proc_field("/proc/meminfo", field, ':');
}

long long pvt_pcp_kb(void)
{
	long long pages = 0, n;
	char line[256];
	FILE *f = fopen("/proc/zoneinfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %lld", &n) == 1)
			pages += n;
	fclose(f);
	return pages * (PVT_PAGE / 1024);
}

long long pvt_free_kb(void)
{
	long long free_kb = pvt_meminfo_kb("MemFree");
	long long pcp_kb = pvt_pcp_kb();

	return free_kb < 0 || pcp_kb < 0 ? -1 : free_kb + pcp_kb;
}

long long pvt_vmstat(const char *field)
{
	return proc_field("/proc/vmstat", field, ' ');
}

const char *pvt_module_path(void)
{
	const char *path = getenv("PVISOR_KO");

	if (!path || !*path || access(path, R_OK))
		return NULL;
	return path;
}

int pvt_system(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int status;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);

	fflush(stdout);
	status = system(cmd);
	if (status == -1 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int pvt_reload_module(const char *params)
{
	const char *ko = pvt_module_path();
	int ret;

	if (!ko)
		return -1;
	ret = pvt_system("rmmod pvisor");
	if (ret) {
		tap_diag("rmmod pvisor: exit status %d", ret);
		return ret;
	}
	ret = pvt_system("insmod '%s' %s", ko, params);
	if (ret)
		tap_diag("insmod %s %s: exit status %d", ko, params, ret);
	return ret;
}

int pvt_drop_privileges(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		return -errno;
	/* setuid() away from root clears every set unless keepcaps is on. */
	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	if (data[0].effective || data[1].effective ||
	    data[0].permitted || data[1].permitted)
		return -EPERM;
	if (getuid() != 65534 || geteuid() != 65534)
		return -EPERM;
	return 0;
}

double pvt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
