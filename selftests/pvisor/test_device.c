// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/pvisor: a misc character device that answers the ABI version ioctl
 * and refuses every ioctl it does not know with ENOTTY.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <pvisor/device.h>

#include "tap.h"

#define DEV_PATH	"/dev/pvisor"
#define SYSFS_DEV	"/sys/class/misc/pvisor/dev"
#define MISC_MAJOR	10

/* ioctl() returning -1 with errno ENOTTY. */
static void expect_enotty(int fd, unsigned long cmd, const char *what)
{
	int ret;

	errno = 0;
	ret = ioctl(fd, cmd, 0);
	if (!tap_ok(ret == -1 && errno == ENOTTY, "ioctl %s (0x%lx): ENOTTY",
		    what, cmd))
		tap_diag("got %d, errno %d (%s)", ret, errno, strerror(errno));
}

int main(void)
{
	unsigned int major_nr = 0, minor_nr = 0;
	struct stat st;
	char buf[16];
	FILE *f;
	int fd, fd2, ret, ret2;
	bool is_chr;

	if (stat("/sys/module/pvisor", &st))
		tap_skip_all("the pvisor module is not loaded");
	tap_plan(13);

	ret = stat(DEV_PATH, &st);
	is_chr = !ret && S_ISCHR(st.st_mode);
	if (!tap_ok(is_chr, DEV_PATH " exists and is a character device"))
		tap_bail(DEV_PATH " is missing");

	f = fopen(SYSFS_DEV, "re");
	ret = f ? fscanf(f, "%u:%u", &major_nr, &minor_nr) : -1;
	if (f)
		fclose(f);
	tap_ok(ret == 2 && major(st.st_rdev) == major_nr &&
	       minor(st.st_rdev) == minor_nr,
	       DEV_PATH " is %u:%u, as " SYSFS_DEV " says (%u:%u)",
	       major(st.st_rdev), minor(st.st_rdev), major_nr, minor_nr);
	tap_ok(major(st.st_rdev) == MISC_MAJOR, "it is a misc device (major %u)",
	       major(st.st_rdev));

	fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	if (!tap_ok(fd >= 0, "open " DEV_PATH " read-write"))
		tap_bail("open: %s", strerror(errno));

	ret = ioctl(fd, PVISOR_IOCTL_ABI_VERSION, 0);
	tap_ok(ret == PVISOR_ABI_VERSION, "PVISOR_IOCTL_ABI_VERSION returns %d (got %d)",
	       PVISOR_ABI_VERSION, ret);

	/* Every open file answers the same. */
	fd2 = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	ret2 = fd2 >= 0 ? ioctl(fd2, PVISOR_IOCTL_ABI_VERSION, 0) : -1;
	tap_ok(ret2 == PVISOR_ABI_VERSION,
	       "a second open file answers the same (got %d)", ret2);
	if (fd2 >= 0)
		close(fd2);

	expect_enotty(fd, _IO(PVISOR_IOCTL_TYPE, 0x7f), "an unused number of ours");
	expect_enotty(fd, _IO('x', 0x00), "of another type with number 0");
	/* The direction and size are part of the command. */
	expect_enotty(fd, _IOR(PVISOR_IOCTL_TYPE, 0x00, int),
		      "ABI_VERSION's number with _IOR/int");
	expect_enotty(fd, 0, "0");
	expect_enotty(fd, 0xffffffffUL, "0xffffffff");
	expect_enotty(fd, FIONREAD, "FIONREAD");

	/* No read or write interface: neither may produce or consume data. */
	errno = 0;
	ret = read(fd, buf, sizeof(buf));
	ret2 = write(fd, "x", 1);
	tap_ok(ret < 0 && ret2 < 0, "read and write are refused (%d, %d)",
	       ret, ret2);

	close(fd);
	tap_finish();
}
