// SPDX-License-Identifier: GPL-2.0
/*
 * pvblkback: the block backend for one disk of one domain.
 *
 *   pvblkback --domain ID --vdev xvdX --image FILE [--mode r|w]
 *
 * (pvblkback(8)). Its life, in order: open the image (O_DIRECT when the file system
 * allows it) and size it; connect to pvisord's xenstore and write the
 * device's two directories (xenbus.c); open a grant-mapping fd; wait for
 * the frontend's ring-ref and event-channel; map the ring and bind the
 * port (io.c); confine itself (confine.c); say Connected; serve the
 * ring until the frontend closes, its port goes (the domain died) or it
 * breaks the protocol; then Closing, Closed, and exit. One connection
 * per process: a frontend that reconnects needs a new backend.
 *
 * Exit status: 0 when the frontend closed or went away, 1 when the
 * backend could not start or connect, 2 for a usage error, 3 when the
 * frontend broke the ring protocol and the ring was shut.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pvisor/device.h>
#include <pvisor/netlink.h>
#include <pvisor/grant.h>

#include "blkback.h"
#include "domcfg.h"

void blk_log(const struct blkback *b, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), BLK_PROG ": dom %" PRIu32 " %s: ",
		     b->domid, b->vdev ? b->vdev : "?");
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	/* One write: the line stays whole beside other backends' lines. */
	n = strlen(line);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(2, line, n) < 0)
		return;
}

static const char usage_text[] =
	"Usage: " BLK_PROG " --domain ID --vdev xvdX --image FILE [--mode r|w]\n"
	"\n"
	"Serve disk xvdX of domain ID from the raw image FILE: the block backend,\n"
	"normally started by pvisord for a domain's disk = [...] config line.\n"
	"\n"
	"  -d, --domain ID    the domain (its frontend connects over xenstore)\n"
	"  -v, --vdev xvdX    the virtual disk, xvda to xvdz\n"
	"  -i, --image FILE   a raw image file, its size the disk's\n"
	"  -m, --mode r|w     read-only or read-write (default w)\n"
	"  -h, --help         show this help\n";

static void usage(void)
{
	fputs(usage_text, stderr);
	exit(2);
}

/* xvda .. xvdz, as Xen numbers them. */
static int parse_vdev(const char *s, uint32_t *devid)
{
	*devid = domcfg_vdev_number(s);
	return *devid ? 0 : -EINVAL;
}

static int open_image(struct blkback *b)
{
	int flags = (b->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOCTTY;
	struct stat st;

	b->img_fd = open(b->image, flags | O_DIRECT);
	b->direct = b->img_fd >= 0;
	if (b->img_fd < 0 && errno == EINVAL) {
		/* tmpfs and a few others: buffered, fsync still honoured. */
		b->img_fd = open(b->image, flags);
	}
	if (b->img_fd < 0) {
		blk_log(b, "%s: %s", b->image, strerror(errno));
		return -errno;
	}
	if (fstat(b->img_fd, &st)) {
		blk_log(b, "%s: %s", b->image, strerror(errno));
		return -errno;
	}
	if (!S_ISREG(st.st_mode)) {
		blk_log(b, "%s: not a regular file (a raw image)", b->image);
		return -EINVAL;
	}
	b->sectors = (uint64_t)st.st_size >> PVISOR_BLKIF_SECTOR_SHIFT;
	if (!b->sectors) {
		blk_log(b, "%s: smaller than one sector (512 bytes)", b->image);
		return -EINVAL;
	}
	if (st.st_size & (PVISOR_BLKIF_SECTOR_SIZE - 1))
		blk_log(b, "%s: the last %u bytes are not a whole sector and are not used",
			b->image,
			(unsigned int)(st.st_size & (PVISOR_BLKIF_SECTOR_SIZE - 1)));
	blk_log(b, "%s: %" PRIu64 " sectors, %s, %s", b->image, b->sectors,
		b->readonly ? "read-only" : "read-write",
		b->direct ? "O_DIRECT" : "buffered (no O_DIRECT here)");
	return 0;
}

static int open_grants(struct blkback *b)
{
	int dev = open("/dev/pvisor", O_RDWR | O_CLOEXEC);

	if (dev < 0) {
		blk_log(b, "/dev/pvisor: %s", strerror(errno));
		return -errno;
	}
	b->gnt_fd = ioctl(dev, PVISOR_IOCTL_GRANT_OPEN);
	if (b->gnt_fd < 0)
		blk_log(b, "cannot open a grant-mapping fd: %s",
			strerror(errno));
	close(dev);
	return b->gnt_fd < 0 ? -errno : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "domain", required_argument, NULL, 'd' },
		{ "vdev", required_argument, NULL, 'v' },
		{ "image", required_argument, NULL, 'i' },
		{ "mode", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct blkback blk = { .img_fd = -1, .gnt_fd = -1, .evt_fd = -1 };
	struct blkback *b = &blk;
	bool connected = false;
	unsigned long v;
	char *end;
	int c, fd;

	while ((c = getopt_long(argc, argv, "d:v:i:m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (*optarg < '1' || *optarg > '9' || *end || errno ||
			    v > PVISOR_DOMID_MAX) {
				fprintf(stderr, BLK_PROG ": invalid domain id '%s'\n",
					optarg);
				usage();
			}
			b->domid = v;
			break;
		case 'v':
			b->vdev = optarg;
			if (parse_vdev(optarg, &b->devid)) {
				fprintf(stderr, BLK_PROG ": invalid vdev '%s': xvda to xvdz\n",
					optarg);
				usage();
			}
			break;
		case 'i':
			b->image = optarg;
			break;
		case 'm':
			if (strcmp(optarg, "r") && strcmp(optarg, "w")) {
				fprintf(stderr, BLK_PROG ": invalid mode '%s': r or w\n",
					optarg);
				usage();
			}
			b->readonly = !strcmp(optarg, "r");
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			usage();
		}
	}
	if (optind != argc || !b->domid || !b->vdev || !b->image)
		usage();

	if (open_image(b))
		return 1;
	fd = xs_connect(xs_socket_path());
	if (fd < 0) {
		blk_log(b, "cannot reach pvisord at %s: %s", xs_socket_path(),
			strerror(-fd));
		return 1;
	}
	b->xs.fd = fd;
	if (xenbus_setup(b) || open_grants(b) || xenbus_wait_frontend(b) ||
	    io_connect(b) || confine(b) ||
	    xenbus_set_state(b, PVISOR_XENBUS_CONNECTED))
		goto closed;
	connected = true;
	blk_log(b, "connected: ring-ref %" PRIu32 ", event-channel %" PRIu32,
		b->ring_ref, b->port);
	io_serve(b);
	blk_log(b, "%" PRIu64 " requests done, %" PRIu64 " answered with an error",
		b->done, b->errors);
closed:
	if (b->broken)
		xenbus_error(b, b->broken);
	else if (!connected)
		xenbus_error(b, "the backend could not connect (its log says why)");
	xenbus_set_state(b, PVISOR_XENBUS_CLOSING);
	xenbus_set_state(b, PVISOR_XENBUS_CLOSED);
	if (b->broken)
		return 3;
	return connected ? 0 : 1;
}
