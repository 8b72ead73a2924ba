// SPDX-License-Identifier: GPL-2.0
/*
 * pvrun, the domain runner: the host process a domain lives in.
 *
 *   1. Look the domain up (it must be "created"), fork the context
 *      factory (factory.c), and move into the domain's cgroup with the
 *      factory (domcgroup.c), so that everything the build costs the
 *      host (page cache, page tables) is charged to the domain.
 *   2. Map the domain's memory through a Domain0 memory fd
 *      (PVISOR_IOCTL_DOMAIN_MEMORY) and build it: kernel, ramdisk,
 *      start_info, page tables, stack (builder.c). Then let go of that
 *      mapping.
 *   3. Attach as the domain's runner, move the runner fd to
 *      PVISOR_RUNNER_FD, map the guest window, set vCPU 0's context.
 *   4. Catch the host signals guest traps raise, to bounce them into the
 *      guest's handlers (traps.c). Claim a uid of the runner's own
 *      (uids.c). Confine (confine.c): that uid, nothing open, no
 *      privileges. Start a thread for every other vCPU (vcpu.c), which
 *      waits in the module until the guest ups it. Then seccomp, for
 *      every thread at once.
 *   5. Become vCPU 0 (vcpu.c), never to return.
 *
 * With --ready-fd, pvrun writes "ready\n" there once nothing but the
 * seccomp filter and the jump into the guest is left, and closes it:
 * pvctl create waits for that line and reports pvrun's stderr otherwise.
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
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <pvisor/device.h>
#include <pvisor/hypercall.h>

#include "builder.h"
#include "domcgroup.h"
#include "confine.h"
#include "factory.h"
#include "pvnl.h"
#include "runner.h"
#include "traps.h"
#include "uids.h"
#include "vcpu.h"

/* Nobody boots a kernel or ramdisk larger than this through pvrun. */
#define MAX_FILE_SIZE	(1ULL << 30)

#define PVISOR_DEVICE	"/dev/pvisor"

struct options {
	uint32_t domid;
	const char *kernel;
	const char *ramdisk;
	const char *cmdline;
	int ready_fd;
	uint32_t weight;	/* Xen credit weight */
	uint32_t cap;		/* percent of one CPU, 0: none */
};

void runner_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", PROG_NAME);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s --domain ID --kernel FILE [--ramdisk FILE] "
		"[--cmdline STRING]\n"
		"             [--ready-fd N] [--weight W] [--cap C]\n"
		"\n"
		"Build domain ID (in state created) from an ELF kernel and run "
		"it in this\nprocess, confined. Run as root; normally started "
		"by 'pvctl create --kernel'.\n"
		"\n"
		"  -d, --domain ID      the domain to run\n"
		"  -k, --kernel FILE    the guest kernel, a static x86-64 ELF "
		"executable linked\n"
		"                       inside the guest window\n"
		"  -r, --ramdisk FILE   a module the guest finds through "
		"start_info\n"
		"  -c, --cmdline S      the guest's command line (at most %d "
		"bytes)\n"
		"      --ready-fd N     write \"ready\" to fd N when the guest "
		"is about to start\n"
		"      --weight W       credit-scheduler weight, 1-65535 "
		"(default 256)\n"
		"      --cap C          CPU cap in percent of one CPU, 0 for "
		"none (default)\n"
		"  -h, --help           show this help\n",
		PROG_NAME, PVISOR_CMDLINE_MAX - 1);
}

static int parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoul(s, &end, 10);
	if (errno || *end || *v > max)
		return -EINVAL;
	return 0;
}

static int parse_options(int argc, char *argv[], struct options *o)
{
	static const struct option longopts[] = {
		{ "domain", required_argument, NULL, 'd' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "ramdisk", required_argument, NULL, 'r' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "ready-fd", required_argument, NULL, 'R' },
		{ "weight", required_argument, NULL, 'W' },
		{ "cap", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	int c;

	memset(o, 0, sizeof(*o));
	o->ready_fd = -1;
	o->weight = DOMCG_WEIGHT_DEFAULT;
	while ((c = getopt_long(argc, argv, "d:k:r:c:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'd':
			if (parse_uint(optarg, PVISOR_DOMID_MAX, &v) || !v) {
				runner_error("invalid domain id '%s'", optarg);
				return 2;
			}
			o->domid = (uint32_t)v;
			break;
		case 'k':
			o->kernel = optarg;
			break;
		case 'r':
			o->ramdisk = optarg;
			break;
		case 'c':
			o->cmdline = optarg;
			break;
		case 'R':
			if (parse_uint(optarg, 1U << 20, &v) ||
			    v == PVISOR_RUNNER_FD) {
				runner_error("invalid --ready-fd '%s'", optarg);
				return 2;
			}
			o->ready_fd = (int)v;
			break;
		case 'W':
			if (parse_uint(optarg, DOMCG_WEIGHT_MAX, &v) || !v) {
				runner_error("invalid --weight '%s' (1-%d)",
					     optarg, DOMCG_WEIGHT_MAX);
				return 2;
			}
			o->weight = (uint32_t)v;
			break;
		case 'C':
			if (parse_uint(optarg, DOMCG_CAP_MAX, &v)) {
				runner_error("invalid --cap '%s' (0-%u)",
					     optarg, DOMCG_CAP_MAX);
				return 2;
			}
			o->cap = (uint32_t)v;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		runner_error("unexpected argument '%s'", argv[optind]);
		return 2;
	}
	if (!o->domid || !o->kernel) {
		runner_error("--domain and --kernel are required");
		usage(stderr);
		return 2;
	}
	return 0;
}

/* The whole of a regular file, in a buffer that is never freed. */
static int read_file(const char *what, const char *path, void **buf,
		     size_t *len)
{
	struct stat st;
	size_t done = 0;
	char *p;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		runner_error("%s: cannot open '%s': %s", what, path,
			     strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		runner_error("%s: '%s' is not a regular file", what, path);
		close(fd);
		return -EINVAL;
	}
	if ((uint64_t)st.st_size > MAX_FILE_SIZE) {
		runner_error("%s: '%s' is too large", what, path);
		close(fd);
		return -EFBIG;
	}
	p = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!p) {
		runner_error("%s: out of memory", what);
		close(fd);
		return -ENOMEM;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, p + done, (size_t)st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			runner_error("%s: cannot read '%s': %s", what, path,
				     n ? strerror(errno) : "file shrank");
			free(p);
			close(fd);
			return -EIO;
		}
		done += (size_t)n;
	}
	close(fd);
	*buf = p;
	*len = done;
	return 0;
}

/* The domain must exist and never have run: a runner attaches once. */
static int lookup_domain(uint32_t domid, struct pvnl_domain *dom)
{
	struct pvnl *nl;
	int ret;

	nl = pvnl_open();
	if (!nl) {
		runner_error("cannot reach the pvisor module: %s",
			     errno == ENOENT ? "module not loaded"
					     : strerror(errno));
		return -ENOENT;
	}
	ret = pvnl_domain_get(nl, domid, NULL, dom);
	if (ret)
		runner_error("domain %" PRIu32 ": %s", domid,
			     ret == -ENOENT ? "no such domain"
					    : strerror(-ret));
	else if (dom->state != PVISOR_DOMAIN_STATE_CREATED) {
		runner_error("domain %" PRIu32 " is %s, not created",
			     domid, pvnl_state_name(dom->state));
		ret = -EBUSY;
	}
	pvnl_close(nl);
	return ret;
}

/*
 * The xenstore ring's port: the module opens it, offered to Domain0, and
 * remembers it with the frame for pvisord (Documentation/xenstore.rst).
 */
static int store_setup(int dev, uint32_t domid, void *mem,
		       const struct builder_output *boot)
{
	struct pvisor_store_setup req = {
		.domid = domid,
		.pfn = boot->store_pfn,
	};

	if (ioctl(dev, PVISOR_IOCTL_STORE_SETUP, &req)) {
		int err = errno;

		runner_error("cannot set up domain %" PRIu32 "'s xenstore "
			     "ring: %s", domid, strerror(err));
		return -err;
	}
	builder_set_store_evtchn(mem, boot, req.port);
	return 0;
}

static int build(int dev, const struct options *o,
		 const struct pvnl_domain *dom, struct builder_output *boot)
{
	struct pvisor_domain_memory req = { .domid = o->domid };
	struct builder_input in = {
		.cmdline = o->cmdline,
		.nr_vcpus = dom->vcpus,
	};
	uint64_t nr_pages = dom->memory / BUILDER_PAGE_SIZE;
	void *kernel, *ramdisk = NULL, *mem;
	int memfd, ret;

	ret = read_file("kernel", o->kernel, &kernel, &in.kernel_len);
	if (ret)
		return ret;
	in.kernel = kernel;
	if (o->ramdisk) {
		ret = read_file("ramdisk", o->ramdisk, &ramdisk,
				&in.ramdisk_len);
		if (ret)
			return ret;
		in.ramdisk = ramdisk;
	}

	memfd = ioctl(dev, PVISOR_IOCTL_DOMAIN_MEMORY, &req);
	if (memfd < 0) {
		runner_error("cannot open domain %" PRIu32 "'s memory: %s",
			     o->domid, strerror(errno));
		return -errno;
	}
	mem = mmap(NULL, nr_pages * BUILDER_PAGE_SIZE, PROT_READ | PROT_WRITE,
		   MAP_SHARED, memfd, 0);
	if (mem == MAP_FAILED) {
		ret = -errno;
		runner_error("cannot map domain %" PRIu32 "'s memory: %s",
			     o->domid, strerror(errno));
		close(memfd);
		return ret;
	}
	ret = builder_build(mem, nr_pages, &in, boot);
	if (!ret)
		ret = store_setup(dev, o->domid, mem, boot);
	/* Domain0's mapping must not outlive the build into the guest. */
	munmap(mem, nr_pages * BUILDER_PAGE_SIZE);
	close(memfd);
	free(kernel);
	free(ramdisk);
	return ret;
}

/* The contexts one domain may have, for pids.max; 64 if unknown. */
static uint64_t max_contexts(void)
{
	unsigned long v = 64;
	FILE *f = fopen("/sys/module/pvisor/parameters/max_contexts", "re");

	if (f) {
		if (fscanf(f, "%lu", &v) != 1)
			v = 64;
		fclose(f);
	}
	return v;
}

/*
 * Into the domain's own cgroup (domcgroup.c), with the factory: what
 * they start from now on is born there. The bounds are generous for a
 * runner: 64 MiB plus an eighth of the guest's memory (its window's
 * page tables are bounded by a sixteenth plus 256 KiB, runner.rst), and
 * 64 processes plus a thread per vCPU for the runner and every context
 * the module allows.
 */
static int join_cgroup(const struct options *o,
		       const struct pvnl_domain *dom, pid_t factory)
{
	struct domcg_limits l = {
		.weight = o->weight,
		.cap = o->cap,
		.memory_max = (64ULL << 20) + dom->memory / 8,
		.pids_max = 64 + (max_contexts() + 1) * (dom->vcpus + 1),
	};
	pid_t pids[2] = { getpid(), factory };
	char why[512];
	int ret;

	ret = domcg_create(o->domid, &l, pids, 2, why, sizeof(why));
	/*
	 * A host without cgroup v2 (a minimal kernel) can still run the
	 * domain, unisolated, unless its config asked for a weight or cap,
	 * which only a cgroup can give: then the domain must not start as
	 * if it had them.
	 */
	if (ret == -ENOTSUP && o->weight == DOMCG_WEIGHT_DEFAULT && !o->cap) {
		runner_error("warning: domain %" PRIu32 " runs without a "
			     "cgroup (%s): its CPU, memory and processes are "
			     "not bounded by one", o->domid, why);
		return 0;
	}
	if (ret)
		runner_error("domain %" PRIu32 "'s cgroup: %s%s", o->domid, why,
			     ret == -ENOTSUP ? " (needed for a weight or cap)"
					     : "");
	return ret;
}

/*
 * Become the domain's runner: fd PVISOR_RUNNER_FD, the window mapped.
 * Closes @dev, which may well be using fd PVISOR_RUNNER_FD.
 */
static int attach(int dev, uint32_t domid)
{
	struct pvisor_runner_attach req = { .domid = domid };
	void *window;
	int fd;

	fd = ioctl(dev, PVISOR_IOCTL_RUNNER_ATTACH, &req);
	if (fd < 0) {
		runner_error("cannot attach to domain %" PRIu32 ": %s", domid,
			     strerror(errno));
		return -errno;
	}
	close(dev);
	if (fd != PVISOR_RUNNER_FD) {
		if (dup2(fd, PVISOR_RUNNER_FD) < 0) {
			runner_error("dup2: %s", strerror(errno));
			return -errno;
		}
		close(fd);
	}
	window = mmap((void *)PVISOR_WINDOW_BASE, PVISOR_WINDOW_SIZE,
		      PROT_READ | PROT_WRITE | PROT_EXEC,
		      MAP_SHARED | MAP_FIXED_NOREPLACE, PVISOR_RUNNER_FD, 0);
	if (window == MAP_FAILED) {
		runner_error("cannot map the guest window at 0x%llx: %s",
			     PVISOR_WINDOW_BASE, strerror(errno));
		return -errno;
	}
	if (window != (void *)PVISOR_WINDOW_BASE) {
		runner_error("the guest window landed at %p", window);
		return -EEXIST;
	}
	return 0;
}

static int report_ready(int fd)
{
	static const char msg[] = "ready\n";

	if (fd < 0)
		return 0;
	if (write(fd, msg, sizeof(msg) - 1) != sizeof(msg) - 1)
		return -EIO;
	close(fd);
	return 0;
}

int main(int argc, char *argv[])
{
	struct builder_output boot;
	struct pvnl_domain dom;
	struct options o;
	int dev, ret;
	pid_t factory;
	uid_t id;

	ret = parse_options(argc, argv, &o);
	if (ret)
		return ret;
	/* The runner fd's number must be free for dup2 to take it. */
	if (o.ready_fd >= 0 && fcntl(o.ready_fd, F_GETFD) < 0) {
		runner_error("--ready-fd %d is not open", o.ready_fd);
		return 2;
	}

	if (lookup_domain(o.domid, &dom))
		return 1;
	/*
	 * The runner's uid first: the factory and every context run under
	 * it too. The claim's lock stays held until confine_drop() (the
	 * factory's inherited copy goes with its other fds once it is
	 * attached).
	 */
	if (uids_claim(&id))
		return 1;
	/*
	 * The factory next, before anything of the guest is read: what it
	 * holds, every guest process starts from (factory.c).
	 */
	factory = factory_start(o.domid, dom.vcpus, id);
	ret = factory < 0 ? (int)factory : 0;
	if (ret < 0) {
		runner_error("cannot start the context factory: %s",
			     strerror(-ret));
		return 1;
	}
	if (join_cgroup(&o, &dom, factory))
		return 1;
	dev = open(PVISOR_DEVICE, O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		runner_error("cannot open %s: %s", PVISOR_DEVICE,
			     strerror(errno));
		return 1;
	}
	ret = ioctl(dev, PVISOR_IOCTL_ABI_VERSION);
	if (ret != PVISOR_ABI_VERSION) {
		runner_error("module ABI version %d, pvrun speaks %d", ret,
			     PVISOR_ABI_VERSION);
		return 1;
	}
	if (build(dev, &o, &dom, &boot))
		return 1;
	if (attach(dev, o.domid))
		return 1;
	if (vcpu_set_boot_context(&boot))
		return 1;
	/* Before confinement: sigaction is not allowed under the filter. */
	if (traps_init())
		return 1;
	if (confine_drop(o.ready_fd, id))
		return 1;
	/* After the drop, so that they are born unprivileged. */
	if (vcpu_start_secondaries(dom.vcpus))
		return 1;
	if (vcpu_name_thread(0))
		return 1;
	if (report_ready(o.ready_fd))
		return 1;
	/* From here on, only the exit status speaks. */
	if (confine_seccomp())
		return 1;
	vcpu_run(0);
}
