// SPDX-License-Identifier: GPL-2.0
/*
 * The ceilings on domains: memory above the module's guest memory limit
 * (E2BIG), more domains than max_domains (ENOSPC), the budget used up
 * (ENOMEM), and the host itself out of memory (ENOMEM, with nobody
 * OOM-killed). A refused request leaves the accounting as it was.
 *
 * The small limits come from reloading the module with parameters
 * (rmmod, then insmod $PVISOR_KO); the parameters it was loaded with are
 * restored at the end, also when the test bails out.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pvtest.h"

#define PREFIX		"limit-"
#define SMALL		(64 * PVT_KIB)
#define FILL_CHUNK	(16 * PVT_MIB)

#define PLAN_DEFAULTS	4
#define PLAN_SMALL	22
#define PLAN_HOST	10
#define PLAN_RESTORE	2

static uint64_t orig_max_domains = 1024, orig_max_memory_mb;
static bool reloaded;
static struct pvnl *nl;

static void reopen(void)
{
	if (nl)
		pvnl_close(nl);
	nl = pvnl_open();
	if (!nl)
		tap_bail("pvnl_open after reloading the module: %s",
			 pvt_errno_name(errno));
}

static int reload(const char *fmt, ...) TAP_PRINTF(1, 2);
static int reload(const char *fmt, ...)
{
	char params[256];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(params, sizeof(params), fmt, ap);
	va_end(ap);

	/* Our socket does not pin the module, but its family id goes stale. */
	if (nl) {
		pvnl_close(nl);
		nl = NULL;
	}
	reloaded = true;
	ret = pvt_reload_module(params);
	if (!ret)
		reopen();
	return ret;
}

static int restore(void)
{
	return reload("max_domains=%llu max_memory_mb=%llu",
		      (unsigned long long)orig_max_domains,
		      (unsigned long long)orig_max_memory_mb);
}

static void abort_hook(void)
{
	if (nl)
		pvt_destroy_prefix(nl, PREFIX);
	if (reloaded && restore())
		tap_diag("could not restore the module's parameters");
}

/* Lines of the kernel log that say the OOM killer struck. */
static long count_oom_lines(void)
{
	FILE *p = popen("dmesg | grep -ci -e 'killed process' -e 'out of memory'", "r");
	long n = -1;

	if (!p)
		return -1;
	if (fscanf(p, "%ld", &n) != 1)
		n = -1;
	pclose(p);
	return n;
}

/* Can the host still start a process that allocates and touches memory? */
static bool host_is_alive(void)
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		size_t len = 4 * PVT_MIB;
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			_exit(1);
		memset(p, 0x5a, len);
		_exit(execl("/bin/sh", "sh", "-c", "exit 0", (char *)NULL) ? 2 : 0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void test_default_limit(void)
{
	struct pvnl_info base;
	struct pvnl_domain dom;
	int ret;

	pvt_info(nl, &base);
	ret = pvnl_domain_new(nl, PREFIX "over", (base.frames_limit + 1) * PVT_PAGE,
			      0, &dom);
	pvt_expect(nl, ret, -E2BIG, "one frame above frames_limit (%llu): E2BIG",
		   (unsigned long long)base.frames_limit);
	ret = pvnl_domain_new(nl, PREFIX "over", 1ULL << 63, 0, &dom);
	pvt_expect(nl, ret, -E2BIG, "2^63 bytes: E2BIG");
	ret = pvnl_domain_new(nl, PREFIX "over", ~0ULL & ~(PVT_PAGE - 1), 0, &dom);
	pvt_expect(nl, ret, -E2BIG, "2^64 - 4096 bytes: E2BIG");
	pvt_expect_accounting(nl, &base, 0, 0,
			      "the refused requests left the accounting alone");
}

static void test_small_limits(void)
{
	const uint64_t limit_frames = 64 * PVT_MIB / PVT_PAGE;
	struct pvnl_info info;
	struct pvnl_domain dom, big, rest;
	uint64_t param;
	uint32_t ids[8];
	unsigned int n;
	int ret, err;

	ret = reload("max_domains=8 max_memory_mb=64");
	if (!tap_ok(!ret, "reload with max_domains=8 max_memory_mb=64")) {
		tap_skip(PLAN_SMALL - 1, "the module could not be reloaded");
		return;
	}
	pvt_info(nl, &info);
	tap_ok(info.max_domains == 8 && info.frames_limit == limit_frames &&
	       info.domains == 0 && info.frames_used == 0,
	       "INFO: max_domains 8, frames_limit %llu, nothing used (%u, %llu, %u, %llu)",
	       (unsigned long long)limit_frames, info.max_domains,
	       (unsigned long long)info.frames_limit, info.domains,
	       (unsigned long long)info.frames_used);
	tap_ok(!pvt_read_u64(PVT_PARAM_DIR "/max_domains", &param) && param == 8 &&
	       !pvt_read_u64(PVT_PARAM_DIR "/max_memory_mb", &param) && param == 64,
	       "the parameters in sysfs say so too");

	n = pvt_create_many(nl, PREFIX, 8, SMALL, ids, &err);
	if (!tap_ok(n == 8, "8 domains fit (%u, %s)", n, pvt_errno_name(err)))
		tap_bail("cannot fill the domain slots");
	ret = pvnl_domain_new(nl, PREFIX "ninth", SMALL, 0, &dom);
	pvt_expect(nl, ret, -ENOSPC, "a ninth: ENOSPC");
	tap_ok(*pvnl_error_msg(nl) != '\0', "with an extack message (\"%s\")",
	       pvnl_error_msg(nl));
	pvt_expect_accounting(nl, &info, 8, 8 * SMALL / PVT_PAGE,
			      "the refusal left 8 domains and their frames");
	ret = pvnl_domain_del(nl, ids[3], NULL);
	pvt_expect(nl, ret, 0, "destroy one of the eight");
	ret = pvnl_domain_new(nl, PREFIX "ninth", SMALL, 0, &dom);
	pvt_expect(nl, ret, 0, "then a new one fits in its slot");
	ret = pvnl_domain_new(nl, PREFIX "tenth", SMALL, 0, &dom);
	pvt_expect(nl, ret, -ENOSPC, "and another: ENOSPC again");
	ret = pvt_destroy_prefix(nl, PREFIX);
	tap_ok(ret == 8, "destroy all eight (%d)", ret);
	pvt_expect_accounting(nl, &info, 0, 0, "nothing is left");

	ret = pvnl_domain_new(nl, PREFIX "forty", 40 * PVT_MIB, 0, &big);
	pvt_expect(nl, ret, 0, "40 of 64 MiB: created");
	ret = pvnl_domain_new(nl, PREFIX "more", 32 * PVT_MIB, 0, &dom);
	pvt_expect(nl, ret, -ENOMEM, "32 more MiB: ENOMEM (budget)");
	pvt_expect_accounting(nl, &info, 1, 40 * PVT_MIB / PVT_PAGE,
			      "the refusal left the accounting alone");
	ret = pvnl_domain_new(nl, PREFIX "rest", 24 * PVT_MIB, 0, &rest);
	pvt_expect(nl, ret, 0, "the remaining 24 MiB: created (budget full)");
	ret = pvnl_domain_new(nl, PREFIX "page", PVT_PAGE, 0, &dom);
	pvt_expect(nl, ret, -ENOMEM, "one more page: ENOMEM");
	ret = pvnl_domain_new(nl, PREFIX "huge", 64 * PVT_MIB + PVT_PAGE, 0, &dom);
	pvt_expect(nl, ret, -E2BIG, "64 MiB + 4 KiB: E2BIG, above the limit itself");
	ret = pvt_destroy_prefix(nl, PREFIX);
	tap_ok(ret == 2, "destroy both (%d)", ret);

	ret = pvnl_domain_new(nl, PREFIX "all", 64 * PVT_MIB, 0, &big);
	pvt_expect(nl, ret, 0, "exactly 64 MiB: created");
	ret = pvt_destroy_prefix(nl, PREFIX);
	tap_ok(ret == 1, "destroy it (%d)", ret);
	pvt_expect_accounting(nl, &info, 0, 0, "nothing is left");
}

static void test_host_memory(void)
{
	long long total_kb = pvt_meminfo_kb("MemTotal");
	long long avail_before, avail_after, oom_before, oom_after;
	long lines_before, lines_after;
	unsigned long long limit_mb = 4 * (total_kb / 1024);
	uint64_t ask = ((total_kb * 1024 + 64 * PVT_MIB) / PVT_PAGE) * PVT_PAGE;
	struct pvnl_info info, full;
	struct pvnl_domain dom;
	char name[PVISOR_NAME_MAX];
	unsigned int n, max_n;
	bool alive;
	int ret = 0;

	if (total_kb <= 0) {
		tap_skip(PLAN_HOST, "no MemTotal in /proc/meminfo");
		return;
	}
	ret = reload("max_memory_mb=%llu", limit_mb);
	if (!tap_ok(!ret, "reload with max_memory_mb=%llu, 4 x MemTotal", limit_mb)) {
		tap_skip(PLAN_HOST - 1, "the module could not be reloaded");
		return;
	}
	pvt_info(nl, &info);
	oom_before = pvt_vmstat("oom_kill");
	lines_before = count_oom_lines();
	avail_before = pvt_meminfo_kb("MemAvailable") + pvt_pcp_kb();

	ret = pvnl_domain_new(nl, PREFIX "toobig", ask, 0, &dom);
	pvt_expect(nl, ret, -ENOMEM,
		   "MemTotal + 64 MiB (%llu MiB, under the limit): ENOMEM",
		   (unsigned long long)(ask / PVT_MIB));
	pvt_expect_accounting(nl, &info, 0, 0,
			      "the refusal left the accounting alone");

	/* Now take the host's memory 16 MiB at a time until it says no. */
	max_n = total_kb * 1024 / FILL_CHUNK + 4;
	for (n = 0; n < max_n; n++) {
		snprintf(name, sizeof(name), PREFIX "fill%u", n);
		ret = pvnl_domain_new(nl, name, FILL_CHUNK, 0, &dom);
		if (ret)
			break;
	}
	tap_diag("filled %u x 16 MiB before: %s (%s); MemAvailable %lld KiB",
		 n, pvt_errno_name(ret), pvnl_error_msg(nl),
		 pvt_meminfo_kb("MemAvailable"));
	tap_ok(ret == -ENOMEM && (uint64_t)n * FILL_CHUNK >= (uint64_t)total_kb * 1024 / 4,
	       "filling the host ends in ENOMEM after at least MemTotal/4 (%u MiB)",
	       n * 16);
	alive = host_is_alive();
	tap_ok(alive, "with the host full, a new process can still run and use 4 MiB");
	pvt_info(nl, &full);
	tap_ok(full.domains == n && full.frames_used == n * FILL_CHUNK / PVT_PAGE,
	       "INFO counts exactly the %u domains that were created (%u, %llu frames)",
	       n, full.domains, (unsigned long long)full.frames_used);

	ret = pvt_destroy_prefix(nl, PREFIX);
	tap_ok(ret == (int)n, "destroy them all (%d)", ret);
	pvt_expect_accounting(nl, &info, 0, 0, "nothing is left");

	oom_after = pvt_vmstat("oom_kill");
	lines_after = count_oom_lines();
	tap_ok(oom_before >= 0 && oom_after == oom_before &&
	       lines_after == lines_before,
	       "nobody was OOM-killed (oom_kill %lld -> %lld, log lines %ld -> %ld)",
	       oom_before, oom_after, lines_before, lines_after);
	avail_after = pvt_meminfo_kb("MemAvailable") + pvt_pcp_kb();
	tap_ok(avail_after >= avail_before - 8 * 1024,
	       "MemAvailable (+ per-cpu lists) recovered (%lld KiB before, %lld after)",
	       avail_before, avail_after);
}

int main(void)
{
	struct pvnl_info info;
	bool can_reload;

	nl = pvt_open();
	tap_on_abort(abort_hook);
	tap_plan(PLAN_DEFAULTS + PLAN_SMALL + PLAN_HOST + PLAN_RESTORE);

	pvt_read_u64(PVT_PARAM_DIR "/max_domains", &orig_max_domains);
	pvt_read_u64(PVT_PARAM_DIR "/max_memory_mb", &orig_max_memory_mb);
	pvt_info(nl, &info);
	can_reload = pvt_module_path() != NULL;

	test_default_limit();

	if (!can_reload) {
		tap_skip(PLAN_SMALL + PLAN_HOST + PLAN_RESTORE,
			 "PVISOR_KO does not name the module file: cannot reload it");
		pvnl_close(nl);
		tap_finish();
	}
	if (info.domains) {
		tap_skip(PLAN_SMALL + PLAN_HOST + PLAN_RESTORE,
			 "%u domains exist: reloading the module would destroy them",
			 info.domains);
		pvnl_close(nl);
		tap_finish();
	}

	test_small_limits();
	test_host_memory();

	tap_on_abort(NULL);
	if (tap_ok(!restore(), "reload with the original parameters (max_domains=%llu max_memory_mb=%llu)",
		   (unsigned long long)orig_max_domains,
		   (unsigned long long)orig_max_memory_mb)) {
		struct pvnl_info now;

		pvt_info(nl, &now);
		tap_ok(now.max_domains == info.max_domains &&
		       now.frames_limit <= info.frames_limit + info.frames_limit / 100 &&
		       now.frames_limit >= info.frames_limit - info.frames_limit / 100 &&
		       now.domains == 0 && now.frames_used == 0,
		       "the original limits are back (max_domains %u, frames_limit %llu)",
		       now.max_domains, (unsigned long long)now.frames_limit);
	} else {
		tap_skip(1, "the module could not be reloaded");
	}

	if (nl)
		pvnl_close(nl);
	tap_finish();
}
