// SPDX-License-Identifier: GPL-2.0
/*
 * Module-wide accounting: INFO_GET, the sysfs files beside /dev/pvisor and
 * the module parameters agree with each other, with the domains that
 * exist, and with the host memory those domains really hold.
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <pvisor/device.h>

#include "pvtest.h"

#define PREFIX	"acct-"

/* Host memory other than ours moves a little while the test runs. */
#define BIG		(64 * PVT_MIB)
#define SLACK_KB	(4 * 1024)

struct dump_sum {
	unsigned int domains;
	uint64_t frames;
	unsigned int torn;
};

static int sum_domain(const struct pvnl_domain *dom, void *arg)
{
	struct dump_sum *sum = arg;

	sum->domains++;
	sum->frames += dom->frames;
	if (dom->memory != dom->frames * PVT_PAGE)
		sum->torn++;
	return 0;
}

/* Writing must fail, and the value must stay what it was. */
static bool is_read_only(const char *path)
{
	uint64_t before, after;
	bool refused;
	int fd;

	if (pvt_read_u64(path, &before))
		return false;
	fd = open(path, O_WRONLY);
	refused = fd < 0;
	if (fd >= 0) {
		refused = write(fd, "1\n", 2) < 0;
		close(fd);
	}
	if (pvt_read_u64(path, &after))
		return false;
	if (!refused || before != after)
		tap_diag("%s: write %s, %llu -> %llu", path,
			 refused ? "refused" : "accepted",
			 (unsigned long long)before, (unsigned long long)after);
	return refused && before == after;
}

int main(void)
{
	struct pvnl_info base, sys;
	struct pvnl_domain a, b, big;
	struct dump_sum sum = { 0 };
	uint64_t param_domains = 0, param_mb = ~0ULL, b_frames;
	long long free_before, free_during, free_after, total_kb;
	struct pvnl *nl;
	int ret;

	nl = pvt_open();
	pvt_cleanup_prefix_on_abort(PREFIX);
	tap_plan(25);
	pvt_info(nl, &base);

	tap_ok(base.abi_version == PVISOR_ABI_VERSION,
	       "INFO abi_version is %u (got %u)", PVISOR_ABI_VERSION,
	       base.abi_version);
	tap_ok(base.max_vcpus == PVISOR_MAX_VCPUS, "INFO max_vcpus is %u (got %u)",
	       PVISOR_MAX_VCPUS, base.max_vcpus);

	ret = pvt_sysfs_info(&sys);
	pvt_expect(NULL, ret, 0, "the accounting files in " PVT_SYSFS_DIR
		   " hold one number each");
	if (!tap_ok(!ret && sys.domains == base.domains &&
		    sys.max_domains == base.max_domains &&
		    sys.frames_used == base.frames_used &&
		    sys.frames_limit == base.frames_limit,
		    "sysfs agrees with INFO_GET"))
		tap_diag("INFO %u/%u/%llu/%llu sysfs %u/%u/%llu/%llu (domains/max_domains/frames_used/frames_limit)",
			 base.domains, base.max_domains,
			 (unsigned long long)base.frames_used,
			 (unsigned long long)base.frames_limit, sys.domains,
			 sys.max_domains, (unsigned long long)sys.frames_used,
			 (unsigned long long)sys.frames_limit);

	ret = pvt_read_u64(PVT_PARAM_DIR "/max_domains", &param_domains);
	tap_ok(!ret && param_domains == base.max_domains,
	       "parameter max_domains (%llu) is INFO max_domains (%u)",
	       (unsigned long long)param_domains, base.max_domains);

	ret = pvt_read_u64(PVT_PARAM_DIR "/max_memory_mb", &param_mb);
	total_kb = pvt_meminfo_kb("MemTotal");
	if (ret) {
		tap_ok(false, "parameter max_memory_mb is readable (%s)",
		       pvt_errno_name(ret));
	} else if (param_mb) {
		tap_ok(base.frames_limit == param_mb * (PVT_MIB / PVT_PAGE),
		       "frames_limit %llu is max_memory_mb=%llu in frames",
		       (unsigned long long)base.frames_limit,
		       (unsigned long long)param_mb);
	} else {
		/* Half of RAM at load time; RAM may have moved a little since. */
		uint64_t half = total_kb / 4 / 2;

		tap_ok(total_kb > 0 && base.frames_limit <= half + half / 50 &&
		       base.frames_limit >= half - half / 50,
		       "max_memory_mb=0: frames_limit %llu is half of MemTotal (%llu frames)",
		       (unsigned long long)base.frames_limit,
		       (unsigned long long)half);
	}
	tap_ok(is_read_only(PVT_PARAM_DIR "/max_domains") &&
	       is_read_only(PVT_PARAM_DIR "/max_memory_mb"),
	       "the module parameters are read-only");
	tap_ok(is_read_only(PVT_SYSFS_DIR "/domains") &&
	       is_read_only(PVT_SYSFS_DIR "/max_domains") &&
	       is_read_only(PVT_SYSFS_DIR "/frames_used") &&
	       is_read_only(PVT_SYSFS_DIR "/frames_limit"),
	       "the accounting files are read-only");

	ret = pvnl_domain_new(nl, PREFIX "a", 1 * PVT_MIB, 0, &a);
	if (!pvt_expect(nl, ret, 0, "create " PREFIX "a with 1 MiB"))
		tap_bail("cannot create domains");
	tap_ok(a.frames == 256 && a.memory == PVT_MIB,
	       "its reply says 256 frames (got %llu)",
	       (unsigned long long)a.frames);
	pvt_expect_accounting(nl, &base, 1, 256,
			      "frames_used grew by 256, domains by 1");

	b_frames = (3 * PVT_MIB + PVT_PAGE) / PVT_PAGE;
	ret = pvnl_domain_new(nl, PREFIX "b", 3 * PVT_MIB + PVT_PAGE, 4, &b);
	if (!pvt_expect(nl, ret, 0, "create " PREFIX "b with 3 MiB + 4 KiB"))
		tap_bail("cannot create domains");
	tap_ok(b.frames == b_frames, "its reply says %llu frames (got %llu)",
	       (unsigned long long)b_frames, (unsigned long long)b.frames);
	pvt_expect_accounting(nl, &base, 2, 256 + b_frames,
			      "frames_used grew by another %llu",
			      (unsigned long long)b_frames);

	/*
	 * The frames must be real host memory, not just a number. Free memory
	 * is MemFree plus the per-cpu lists (pvt_free_kb()).
	 */
	free_before = pvt_free_kb();
	ret = pvnl_domain_new(nl, PREFIX "big", BIG, 0, &big);
	free_during = pvt_free_kb();
	if (!pvt_expect(nl, ret, 0, "create " PREFIX "big with %llu MiB",
			BIG / PVT_MIB))
		tap_bail("cannot create domains");
	tap_ok(free_before - free_during >= (long long)(BIG / 1024) - SLACK_KB,
	       "free host memory fell by %lld KiB (%llu KiB allocated)",
	       free_before - free_during, BIG / 1024);
	pvt_expect_accounting(nl, &base, 3, 256 + b_frames + BIG / PVT_PAGE,
			      "frames_used grew by %llu", BIG / PVT_PAGE);

	ret = pvnl_domain_dump(nl, sum_domain, &sum, NULL);
	pvt_info(nl, &sys);
	tap_ok(!ret && sum.domains == sys.domains && sum.frames == sys.frames_used &&
	       !sum.torn,
	       "the dump's domains (%u) and frames (%llu) add up to INFO's (%u, %llu)",
	       sum.domains, (unsigned long long)sum.frames, sys.domains,
	       (unsigned long long)sys.frames_used);

	ret = pvnl_domain_del(nl, big.id, NULL);
	pvt_expect(nl, ret, 0, "destroy " PREFIX "big");
	free_after = pvt_free_kb();
	tap_ok(free_after >= free_before - SLACK_KB,
	       "free host memory recovered (%lld KiB before, %lld after)", free_before,
	       free_after);
	pvt_expect_accounting(nl, &base, 2, 256 + b_frames,
			      "its %llu frames were returned", BIG / PVT_PAGE);

	ret = pvnl_domain_del(nl, a.id, NULL);
	pvt_expect(nl, ret, 0, "destroy " PREFIX "a");
	pvt_expect_accounting(nl, &base, 1, b_frames,
			      "its 256 frames were returned");
	ret = pvnl_domain_del(nl, b.id, NULL);
	pvt_expect(nl, ret, 0, "destroy " PREFIX "b");
	pvt_expect_accounting(nl, &base, 0, 0,
			      "domains and frames are back at the baseline");

	pvnl_close(nl);
	tap_finish();
}
