// SPDX-License-Identifier: GPL-2.0
/*
 * The guest window as a mapping of the runner's: what a process holding
 * it may do to it. A fork must never carry the window's entries into a
 * child, where no invalidation of the module reaches them: the window is
 * left out of every fork (VM_DONTCOPY), and madvise(MADV_DOFORK) cannot
 * put it back (VM_IO). The runner's own second mmap is refused even
 * though the module remaps the window itself when it resets the shadow.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pvisor/device.h>
#include <pvisor/hypercall.h>

#include "pvtest.h"

#define PREFIX	"win-"
#define MEMORY	PVT_MIB

/* Does this process map anything at the window's base? */
static bool maps_window(void)
{
	char line[256], want[32];
	bool found = false;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return true;	/* cannot tell: count it as a failure */
	snprintf(want, sizeof(want), "%llx-", (unsigned long long)PVISOR_WINDOW_BASE);
	while (fgets(line, sizeof(line), f))
		found |= !strncmp(line, want, strlen(want));
	fclose(f);
	return found;
}

int main(void)
{
	struct pvisor_runner_attach attach = { 0 };
	struct pvnl_domain created;
	struct pvnl_info base;
	struct pvnl *nl;
	void *window;
	int dev, fd, status;
	pid_t child;

	nl = pvt_open();
	tap_plan(8);
	pvt_cleanup_prefix_on_abort(PREFIX);
	pvt_destroy_prefix(nl, PREFIX);
	pvt_info(nl, &base);
	dev = open("/dev/pvisor", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		tap_bail("/dev/pvisor: %s", strerror(errno));
	if (pvnl_domain_new(nl, PREFIX "fork", MEMORY, 1, &created))
		tap_bail("create: %s", pvnl_error_msg(nl));
	attach.domid = created.id;
	fd = ioctl(dev, PVISOR_IOCTL_RUNNER_ATTACH, &attach);
	if (fd < 0)
		tap_bail("attach: %s", strerror(errno));
	window = mmap((void *)PVISOR_WINDOW_BASE, PVISOR_WINDOW_SIZE,
		      PROT_READ | PROT_WRITE | PROT_EXEC,
		      MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
	if (!tap_ok(window == (void *)PVISOR_WINDOW_BASE, "the window maps"))
		tap_bail("mmap: %s", strerror(errno));

	tap_ok(madvise(window, PVT_PAGE, MADV_DOFORK) == -1 && errno == EINVAL,
	       "madvise(MADV_DOFORK) on one page of the window: EINVAL");
	tap_ok(madvise(window, PVISOR_WINDOW_SIZE, MADV_DOFORK) == -1 &&
	       errno == EINVAL,
	       "madvise(MADV_DOFORK) on the whole window: EINVAL");

	child = fork();
	if (child == 0)
		_exit(maps_window() ? 1 : 0);
	tap_ok(child > 0 && waitpid(child, &status, 0) == child &&
	       WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "a forked child has no window");
	tap_ok(maps_window(), "the parent still has it");

	/* MAP_FIXED unmaps the old window first: this runner is done. */
	tap_ok(mmap(window, PVISOR_WINDOW_SIZE, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED &&
	       errno == EBUSY, "a second mmap of the runner fd: EBUSY");

	close(fd);
	close(dev);
	tap_ok(pvnl_domain_del(nl, created.id, NULL) == 0, "the domain goes");
	pvt_expect_accounting(nl, &base, 0, 0, "accounting is back at its baseline");
	tap_finish();
}
