// SPDX-License-Identifier: GPL-2.0
/*
 * pvctl create: make a domain with its whole memory reservation and,
 * given a kernel, start it: pvrun (launch.c) builds the domain and runs
 * it. A domain whose runner could not start is destroyed again, so that
 * a failed create leaves nothing behind.
 *
 * The domain is described by options (--name, --memory, ...) or by a
 * config file in xl.cfg's style (domcfg.c; pvisor.cfg(5)) with KEY=VALUE
 * overrides after it. Either way it becomes a struct domcfg, and when
 * pvisord runs the domain's effective config is handed to it (a CONTROL
 * request on its socket) before the runner starts, so that pvisord can
 * act on the guest's first shutdown. Without pvisord the domain is made
 * all the same; nothing keeps its config or acts on its on_* keys, and a
 * create from a file says so.
 *
 * What the command line or the file alone can tell is checked here and
 * is a usage error (exit 2): malformed numbers, a zero or unaligned
 * size, vCPUs out of the ABI's range, a bad config file. Everything that
 * depends on the module's state or policy (the name, limits, free
 * memory) is the kernel's call (exit 1), so that there is one authority
 * and its extack message is shown.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "domcfg.h"
#include "domcgroup.h"
#include "format.h"
#include "launch.h"
#include "parse.h"
#include "pvctl.h"
#include "session.h"
#include "xs_client.h"

/* pvisord's CONTROL command that takes a domain's effective config. */
#define XS_CONTROL_DOMAIN_CONFIG	"pvisor-domain-config"

/* A config file bigger than this is not a config file. */
#define CONFIG_FILE_MAX		(64 * 1024)
/* How long a failed create waits for its runner's cgroup to empty. */
#define UNDO_CGROUP_WAIT_SECS	10

static const struct option longopts[] = {
	{ "name", required_argument, NULL, 'n' },
	{ "memory", required_argument, NULL, 'm' },
	{ "vcpus", required_argument, NULL, 'c' },
	{ "kernel", required_argument, NULL, 'k' },
	{ "ramdisk", required_argument, NULL, 'r' },
	{ "cmdline", required_argument, NULL, 'l' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct cli cli = {
	.name = "create",
	.shortopts = "+n:m:c:k:r:l:h",
	.longopts = longopts,
	.usage =
	"Usage: pvctl create FILE [KEY=VALUE...]\n"
	"       pvctl create --name NAME --memory SIZE [--vcpus N]\n"
	"                    [--kernel FILE [--ramdisk FILE] [--cmdline S]]\n"
	"\n"
	"Create a domain and allocate its whole memory reservation; with a\n"
	"kernel, build it from that kernel and start it (pvrun).\n"
	"\n"
	"FILE is a domain config file in the style of xl.cfg (see\n"
	"pvisor.cfg(5)); each KEY=VALUE after it replaces the file's value\n"
	"(a string needs no quotes there: name=web).\n"
	"\n"
	"  -n, --name NAME     1-63 characters of [A-Za-z0-9_.-], starting\n"
	"                      with a letter; unique among domains\n"
	"  -m, --memory SIZE   bytes, or with a binary unit: K, M, G, T\n"
	"                      (also KiB, MiB, GiB, TiB); a non-zero\n"
	"                      multiple of 4 KiB\n"
	"  -c, --vcpus N       virtual CPUs, 1-32 (default 1)\n"
	"  -k, --kernel FILE   a guest kernel (static x86-64 ELF linked in\n"
	"                      the guest window) to boot\n"
	"  -r, --ramdisk FILE  a module for the guest (needs --kernel)\n"
	"  -l, --cmdline S     the guest's command line (needs --kernel)\n"
	"  -h, --help          show this help\n"
	"\n"
	"When pvisord runs it keeps the domain's config (pvctl config) and\n"
	"acts on on_poweroff, on_reboot and on_crash (destroy, restart or\n"
	"preserve); a domain made with options is preserved when it stops.\n",
};

static const struct errtext errors[] = {
	{ EEXIST, "name already in use" },
	{ ENOSPC, "no room for another domain (max_domains reached)" },
	{ E2BIG, "memory exceeds the module's guest memory limit" },
	{ ENOMEM, "not enough memory left for the reservation" },
	{ EINVAL, "invalid domain parameters" },
	{ ERANGE, "value out of range" },
	{ EINTR, "interrupted while allocating the reservation" },
	{ 0, NULL },
};

static int parse_memory(const char *arg, uint64_t *bytes)
{
	int ret = parse_size(arg, bytes);

	if (ret == -ERANGE)
		return cli_usage_error(&cli, "size '%s' is too large", arg);
	if (ret)
		return cli_usage_error(&cli, "invalid size '%s'", arg);
	if (!*bytes)
		return cli_usage_error(&cli, "memory must not be zero");
	if (*bytes % FRAME_SIZE)
		return cli_usage_error(&cli, "memory must be a multiple of "
				       "4 KiB, not %" PRIu64 " bytes", *bytes);
	return PVCTL_EXIT_OK;
}

static int parse_vcpus(const char *arg, uint32_t *vcpus)
{
	if (parse_u32(arg, vcpus) || *vcpus < 1 || *vcpus > PVISOR_MAX_VCPUS)
		return cli_usage_error(&cli, "invalid vCPU count '%s' "
				       "(1-%d)", arg, PVISOR_MAX_VCPUS);
	return PVCTL_EXIT_OK;
}

/* @src into @dst, or a usage error naming @option if it does not fit. */
static int copy_option(char *dst, size_t size, const char *src,
		       const char *option)
{
	if (strlen(src) >= size)
		return cli_usage_error(&cli, "%s: longer than %zu characters",
				       option, size - 1);
	strcpy(dst, src);
	return PVCTL_EXIT_OK;
}

/* A bad config: the message alone (the usage would drown it). */
static int config_error(const char *msg)
{
	fprintf(stderr, "%s: %s: %s\n", PROG_NAME, cli.name, msg);
	return PVCTL_EXIT_USAGE;
}

/* The whole of @path, nul-terminated, in a buffer to free(). */
static int read_file(const char *path, char **text)
{
	char msg[PATH_MAX + 128];
	struct stat st;
	ssize_t n;
	size_t len = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CONFIG_FILE_MAX) {
		snprintf(msg, sizeof(msg), "%s: not a config file (%s)", path,
			 S_ISREG(st.st_mode) ? "over 64 KiB" : "not a regular "
			 "file");
		goto fail;
	}
	*text = malloc((size_t)st.st_size + 1);
	if (!*text) {
		snprintf(msg, sizeof(msg), "%s: out of memory", path);
		goto fail;
	}
	while (len < (size_t)st.st_size &&
	       (n = read(fd, *text + len, (size_t)st.st_size - len)) > 0)
		len += (size_t)n;
	close(fd);
	(*text)[len] = '\0';
	if (strlen(*text) != len) {
		free(*text);
		snprintf(msg, sizeof(msg), "%s: not a config file (it holds a "
			 "nul byte)", path);
		return config_error(msg);
	}
	return PVCTL_EXIT_OK;
fail:
	if (fd >= 0)
		close(fd);
	return config_error(msg);
}

/*
 * A path in the config as an absolute one, since pvisord (whose working
 * directory is /) may start the runner again later: relative paths are
 * taken from the current directory, as xl does.
 */
static int absolute(char *path, const char *source, const char *key)
{
	char real[PATH_MAX], msg[PATH_MAX + 256];

	if (!path[0])
		return PVCTL_EXIT_OK;
	if (!realpath(path, real)) {
		snprintf(msg, sizeof(msg), "%s: %s: cannot find \"%s\": %s",
			 source, key, path, strerror(errno));
		return config_error(msg);
	}
	if (strlen(real) >= DOMCFG_PATH_MAX) {
		snprintf(msg, sizeof(msg), "%s: %s: \"%s\" is longer than %d "
			 "characters", source, key, real, DOMCFG_PATH_MAX - 1);
		return config_error(msg);
	}
	strcpy(path, real);
	return PVCTL_EXIT_OK;
}

static void absolute_if_found(char *path)
{
	char real[PATH_MAX];

	if (path[0] && realpath(path, real) && strlen(real) < DOMCFG_PATH_MAX)
		strcpy(path, real);
}

/* FILE [KEY=VALUE...] into @cfg. */
static int from_file(int argc, char *argv[], struct domcfg *cfg)
{
	const char *file = argv[optind++];
	char err[512], msg[600];
	uint32_t i;
	char *text;
	int ret;

	ret = read_file(file, &text);
	if (ret)
		return ret;
	ret = domcfg_parse(cfg, file, text, err, sizeof(err));
	free(text);
	for (; !ret && optind < argc; optind++)
		ret = domcfg_override(cfg, argv[optind], err, sizeof(err));
	if (ret)
		return config_error(err);
	if (domcfg_check(cfg, true, err, sizeof(err))) {
		snprintf(msg, sizeof(msg), "%s: %s", file, err);
		return config_error(msg);
	}
	ret = absolute(cfg->kernel, file, "kernel") ?:
	      absolute(cfg->ramdisk, file, "ramdisk");
	for (i = 0; !ret && i < cfg->nr_disks; i++)
		ret = absolute(cfg->disks[i].path, file, "disk");
	return ret;
}

/*
 * Hand the new domain's config to pvisord. Returns 0, 1 when pvisord is
 * not running (nobody to hand it to), or the exit code of a failure
 * already reported.
 */
static int tell_pvisord(const struct pvnl_domain *dom,
			const struct domcfg *cfg)
{
	static const char cmd[] = XS_CONTROL_DOMAIN_CONFIG;
	char text[DOMCFG_TEXT_MAX], args[sizeof(cmd) + 16 + DOMCFG_TEXT_MAX];
	struct xs_client *s;
	int len, n, ret;

	len = domcfg_format(cfg, text, sizeof(text));
	if (len < 0) {
		fprintf(stderr, "%s: %s: %s: the config does not fit in one "
			"xenstore value\n", PROG_NAME, cli.name, dom->name);
		return PVCTL_EXIT_FAILED;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return PVCTL_EXIT_FAILED;
	s->fd = xs_connect(xs_socket_path());
	if (s->fd == -ENOENT || s->fd == -ECONNREFUSED) {
		free(s);
		return 1;
	}
	if (s->fd < 0) {
		fprintf(stderr, "%s: %s: cannot reach pvisord at %s: %s\n",
			PROG_NAME, cli.name, xs_socket_path(), strerror(-s->fd));
		free(s);
		return PVCTL_EXIT_FAILED;
	}
	n = snprintf(args, sizeof(args), "%s%c%" PRIu32 "%c", cmd, 0, dom->id,
		     0);
	ret = xs_request(s, PVISOR_XS_CONTROL, args, (size_t)n, text,
			 (size_t)len + 1);
	if (ret) {
		fprintf(stderr, "%s: %s: %s: pvisord did not take the "
			"config: %s\n", PROG_NAME, cli.name, dom->name,
			ret > 0 ? s->buf : strerror(-ret));
		ret = PVCTL_EXIT_FAILED;
	}
	close(s->fd);
	free(s);
	return ret;
}

/*
 * Undo a create that could not be finished; the caller said why. The
 * runner may have made the domain's cgroup before it failed: it goes
 * too, once the runner's processes are reaped.
 */
static void undo(struct pvnl *nl, const struct pvnl_domain *dom)
{
	int ret = pvnl_domain_del(nl, dom->id, NULL);

	if (ret)
		session_fail(nl, cli.name, dom->name, ret, NULL);
	else
		domcg_remove_wait(dom->id, UNDO_CGROUP_WAIT_SECS);
}

/* Start the new domain; on failure destroy it and say why. */
static int start(struct pvnl *nl, const struct pvnl_domain *dom,
		 const struct domcfg *cfg)
{
	struct launch l = {
		.domid = dom->id,
		.kernel = cfg->kernel,
		.ramdisk = cfg->ramdisk[0] ? cfg->ramdisk : NULL,
		.cmdline = cfg->cmdline[0] ? cfg->cmdline : NULL,
		.weight = cfg->cpu_weight,
		.cap = cfg->cap,
	};
	char why[1024];

	if (!launch_runner(&l, why, sizeof(why)))
		return PVCTL_EXIT_OK;
	fprintf(stderr, "%s: %s: %s: cannot start the domain: %s\n",
		PROG_NAME, cli.name, dom->name, why);
	undo(nl, dom);
	return PVCTL_EXIT_FAILED;
}

/*
 * Make the domain @cfg describes (named @name: the kernel judges it),
 * hand it to pvisord, start it. @from_file: warn when pvisord is away.
 */
static int create(struct domcfg *cfg, const char *name, bool from_file)
{
	struct pvnl_domain dom;
	char size[SIZE_BUF_LEN];
	struct pvnl *nl;
	int ret;

	ret = session_open(cli.name, &nl);
	if (ret)
		return ret;
	ret = pvnl_domain_new(nl, name, cfg->memory, cfg->vcpus, &dom);
	if (ret) {
		ret = session_fail(nl, cli.name, name, ret, errors);
		goto out;
	}
	/* The kernel took the name, so it fits. */
	snprintf(cfg->name, sizeof(cfg->name), "%s", dom.name);
	cfg->vcpus = dom.vcpus;
	ret = tell_pvisord(&dom, cfg);
	if (ret == 1 && cfg->nr_disks) {
		fprintf(stderr, "%s: %s: %s: pvisord is not running: it starts "
			"the backends of the disk key\n", PROG_NAME, cli.name,
			dom.name);
		ret = PVCTL_EXIT_FAILED;
	} else if (ret == 1) {
		if (from_file)
			fprintf(stderr, "%s: %s: %s: pvisord is not running: "
				"the config is not kept and on_poweroff, "
				"on_reboot and on_crash are not acted on\n",
				PROG_NAME, cli.name, dom.name);
		ret = PVCTL_EXIT_OK;
	}
	if (ret) {
		undo(nl, &dom);
		goto out;
	}
	/* Say "created" only of a domain that is still there. */
	if (cfg->kernel[0]) {
		fflush(stdout);		/* nothing buffered may reach pvrun */
		ret = start(nl, &dom, cfg);
		if (ret)
			goto out;
	}
	printf("created domain %" PRIu32 " (%s): %" PRIu32 " vcpus, "
	       "%s, %" PRIu64 " frames\n", dom.id, dom.name, dom.vcpus,
	       format_size(dom.memory, size), dom.frames);
	if (cfg->kernel[0])
		printf("started domain %" PRIu32 " (%s) from %s\n", dom.id,
		       dom.name, cfg->kernel);
out:
	pvnl_close(nl);
	return ret;
}

int create_main(int argc, char *argv[])
{
	const char *name = NULL;
	struct domcfg cfg;
	bool options = false;
	int c, ret;

	domcfg_init(&cfg);
	/* "+": options end at FILE, whose overrides are not options. */
	while ((c = cli_next(&cli, argc, argv)) != -1) {
		options = c != 'h';
		switch (c) {
		case 'n':
			name = optarg;
			break;
		case 'm':
			ret = parse_memory(optarg, &cfg.memory);
			if (ret)
				return ret;
			break;
		case 'c':
			ret = parse_vcpus(optarg, &cfg.vcpus);
			if (ret)
				return ret;
			break;
		case 'k':
			ret = copy_option(cfg.kernel, sizeof(cfg.kernel),
					  optarg, "--kernel");
			if (ret)
				return ret;
			if (!optarg[0])
				return cli_usage_error(&cli, "empty --kernel");
			break;
		case 'r':
			ret = copy_option(cfg.ramdisk, sizeof(cfg.ramdisk),
					  optarg, "--ramdisk");
			if (ret)
				return ret;
			break;
		case 'l':
			ret = copy_option(cfg.cmdline, sizeof(cfg.cmdline),
					  optarg, "--cmdline");
			if (ret)
				return ret;
			break;
		case 'h':
			return cli_help(&cli);
		default:
			return PVCTL_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		if (options)
			return cli_usage_error(&cli, "a config file or "
					       "options, not both");
		ret = from_file(argc, argv, &cfg);
		return ret ? ret : create(&cfg, cfg.name, true);
	}
	if (!name)
		return cli_usage_error(&cli, "missing --name");
	if (!cfg.memory)
		return cli_usage_error(&cli, "missing --memory");
	if (!cfg.kernel[0] && (cfg.ramdisk[0] || cfg.cmdline[0]))
		return cli_usage_error(&cli, "--ramdisk and --cmdline need "
				       "--kernel");
	/*
	 * A domain described by options stays as it stopped, as before
	 * pvisord had policies: only a config file asks for xl's defaults.
	 */
	cfg.on_poweroff = cfg.on_reboot = cfg.on_crash = DOMCFG_PRESERVE;
	/* For pvisord's later restarts; pvrun explains a missing file. */
	absolute_if_found(cfg.kernel);
	absolute_if_found(cfg.ramdisk);
	return create(&cfg, name, false);
}
