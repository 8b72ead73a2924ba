// SPDX-License-Identifier: GPL-2.0
/*
 * Domain0's mapping of a domain's memory (PVISOR_IOCTL_DOMAIN_MEMORY):
 * fresh memory reads as zero, writes persist across mappings, offsets are
 * guest physical addresses, domains are isolated from each other, bad
 * requests fail with the documented errnos, and a mapping keeps the frames
 * alive across DOMAIN_DEL until it goes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pvisor/device.h>

#include "pvtest.h"

#define PREFIX		"dm-"
#define DOM_BYTES	(1 * PVT_MIB)
#define DOM_FRAMES	(DOM_BYTES / PVT_PAGE)

static int dev = -1;

/* The fd onto @domid's memory, or a negative errno. */
static int memory_fd(uint32_t domid, uint32_t flags)
{
	struct pvisor_domain_memory arg = { .domid = domid, .flags = flags };
	int fd = ioctl(dev, PVISOR_IOCTL_DOMAIN_MEMORY, &arg);

	return fd < 0 ? -errno : fd;
}

/* mmap() of @fd as the test wants it: a pointer, or MAP_FAILED + errno. */
static void *map(int fd, uint64_t bytes, uint64_t gpa, int flags)
{
	return mmap(NULL, bytes, PROT_READ | PROT_WRITE, flags, fd, gpa);
}

static int map_errno(int fd, uint64_t bytes, uint64_t gpa, int flags)
{
	void *p = map(fd, bytes, gpa, flags);

	if (p != MAP_FAILED) {
		munmap(p, bytes);
		return 0;
	}
	return -errno;
}

/* Is anything mapped at @p in this process? (mincore fails with ENOMEM
 * on an unmapped address.) */
static bool mincore_mapped(void *p)
{
	unsigned char vec;

	return mincore(p, PVT_PAGE, &vec) == 0;
}

static uint64_t stamp(uint64_t pfn)
{
	return 0x5eed000000000000ULL | pfn;
}

static bool all_zero(const uint8_t *p, uint64_t bytes)
{
	for (uint64_t i = 0; i < bytes; i++)
		if (p[i])
			return false;
	return true;
}

/* In a child without privileges: the ioctl must fail with EPERM. */
static int unprivileged_errno(uint32_t domid)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int ret = pvt_drop_privileges();

		if (ret == 0)
			ret = memory_fd(domid, 0);
		_exit(ret == -EPERM ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(void)
{
	struct pvnl *nl = pvt_open();
	struct pvnl_domain a, b;
	struct pvnl_info base;
	uint64_t *words;
	uint8_t *mem;
	int fd, fd2, ret;
	bool ok;

	dev = open("/dev/pvisor", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		tap_skip_all("cannot open /dev/pvisor: %s", strerror(errno));

	tap_plan(23);
	pvt_cleanup_prefix_on_abort(PREFIX);
	pvt_destroy_prefix(nl, PREFIX);
	pvt_info(nl, &base);

	if (pvnl_domain_new(nl, PREFIX "a", DOM_BYTES, 1, &a) ||
	    pvnl_domain_new(nl, PREFIX "b", DOM_BYTES, 1, &b))
		tap_bail("cannot create the test domains: %s",
			 pvnl_error_msg(nl));

	fd = memory_fd(a.id, 0);
	tap_ok(fd >= 0, "the ioctl returns an fd onto the domain's memory");
	if (fd < 0)
		tap_bail("no memory fd: %s", strerror(-fd));
	tap_ok(fcntl(fd, F_GETFD) & FD_CLOEXEC, "the fd is close-on-exec");

	mem = map(fd, DOM_BYTES, 0, MAP_SHARED);
	tap_ok(mem != MAP_FAILED, "the whole reservation maps MAP_SHARED");
	if (mem == MAP_FAILED)
		tap_bail("mmap: %s", strerror(errno));
	tap_ok(all_zero(mem, DOM_BYTES), "a new domain's memory reads as zero");

	words = (uint64_t *)mem;
	for (uint64_t pfn = 0; pfn < DOM_FRAMES; pfn++)
		words[pfn * PVT_PAGE / 8] = stamp(pfn);
	munmap(mem, DOM_BYTES);
	close(fd);

	fd = memory_fd(a.id, 0);
	mem = map(fd, DOM_BYTES, 0, MAP_SHARED);
	ok = mem != MAP_FAILED;
	for (uint64_t pfn = 0; ok && pfn < DOM_FRAMES; pfn++)
		ok = ((uint64_t *)mem)[pfn * PVT_PAGE / 8] == stamp(pfn);
	tap_ok(ok, "writes persist in the domain's frames across mappings");
	if (mem != MAP_FAILED)
		munmap(mem, DOM_BYTES);

	/* No fork may take the frames along (VM_DONTCOPY; VM_IO keeps it). */
	mem = map(fd, DOM_BYTES, 0, MAP_SHARED);
	tap_ok(mem != MAP_FAILED && madvise(mem, DOM_BYTES, MADV_DOFORK) == -1 &&
	       errno == EINVAL,
	       "madvise(MADV_DOFORK) on a mapping of the memory: EINVAL");
	if (mem != MAP_FAILED) {
		pid_t child = fork();
		int status;

		if (child == 0)
			_exit(mincore_mapped(mem) ? 1 : 0);
		tap_ok(child > 0 && waitpid(child, &status, 0) == child &&
		       WIFEXITED(status) && WEXITSTATUS(status) == 0,
		       "a forked child does not have the mapping");
		munmap(mem, DOM_BYTES);
	} else {
		tap_ok(false, "a forked child does not have the mapping");
	}

	mem = map(fd, PVT_PAGE, 10 * PVT_PAGE, MAP_SHARED);
	tap_ok(mem != MAP_FAILED && *(uint64_t *)mem == stamp(10),
	       "the mmap offset is a guest physical address (pfn 10)");
	if (mem != MAP_FAILED)
		munmap(mem, PVT_PAGE);

	mem = map(fd, PVT_PAGE, (DOM_FRAMES - 1) * PVT_PAGE, MAP_SHARED);
	tap_ok(mem != MAP_FAILED && *(uint64_t *)mem == stamp(DOM_FRAMES - 1),
	       "the last frame of the reservation maps");
	if (mem != MAP_FAILED)
		munmap(mem, PVT_PAGE);

	fd2 = memory_fd(b.id, 0);
	mem = fd2 < 0 ? MAP_FAILED : map(fd2, DOM_BYTES, 0, MAP_SHARED);
	tap_ok(mem != MAP_FAILED && all_zero(mem, DOM_BYTES),
	       "another domain's memory does not see the first one's data");
	if (mem != MAP_FAILED)
		munmap(mem, DOM_BYTES);
	if (fd2 >= 0)
		close(fd2);

	/* Bad requests. */
	tap_ok(map_errno(fd, DOM_BYTES + PVT_PAGE, 0, MAP_SHARED) == -EINVAL,
	       "a mapping larger than the reservation: EINVAL");
	tap_ok(map_errno(fd, PVT_PAGE, DOM_BYTES, MAP_SHARED) == -EINVAL,
	       "a mapping starting past the reservation: EINVAL");
	tap_ok(map_errno(fd, 2 * PVT_PAGE, DOM_BYTES - PVT_PAGE,
			 MAP_SHARED) == -EINVAL,
	       "a mapping running past the reservation: EINVAL");
	tap_ok(map_errno(fd, PVT_PAGE, 0, MAP_PRIVATE) == -EINVAL,
	       "a private mapping: EINVAL");
	tap_ok(memory_fd(a.id, 1) == -EINVAL, "non-zero flags: EINVAL");
	tap_ok(memory_fd(0, 0) == -EINVAL, "domid 0: EINVAL");
	tap_ok(memory_fd(PVISOR_DOMID_MAX, 0) == -ENOENT,
	       "an unknown domid: ENOENT");
	ret = ioctl(dev, PVISOR_IOCTL_DOMAIN_MEMORY, (void *)16);
	tap_ok(ret == -1 && errno == EFAULT, "an unreadable argument: EFAULT");
	tap_ok(unprivileged_errno(a.id) == 0,
	       "without CAP_SYS_ADMIN: EPERM (on an fd opened by root)");

	/* A mapping outlives DOMAIN_DEL; the frames go with the mapping. */
	mem = map(fd, DOM_BYTES, 0, MAP_SHARED);
	close(fd);
	if (mem == MAP_FAILED)
		tap_bail("mmap: %s", strerror(errno));
	pvt_expect(nl, pvnl_domain_del(nl, a.id, NULL), 0,
		   "destroying a domain that Domain0 still maps succeeds");
	ok = true;
	for (uint64_t pfn = 0; ok && pfn < DOM_FRAMES; pfn++)
		ok = ((uint64_t *)mem)[pfn * PVT_PAGE / 8] == stamp(pfn);
	tap_ok(ok, "the mapping still reads the destroyed domain's data");
	/* Domain b is still there: one domain, and a's frames on top. */
	pvt_expect_accounting(nl, &base, 1, 2 * DOM_FRAMES,
			      "its frames stay counted while mapped");
	munmap(mem, DOM_BYTES);
	pvt_expect_accounting(nl, &base, 1, DOM_FRAMES,
			      "the frames return to the host with the last mapping");

	pvnl_domain_del(nl, b.id, NULL);
	close(dev);
	pvnl_close(nl);
	tap_finish();
}
