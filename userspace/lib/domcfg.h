/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Domain config files in the style of Xen's xl.cfg(5): what a domain is
 * (name, memory, vCPUs, kernel) and what to do when it stops. pvctl
 * create reads them; pvisord keeps each domain's effective config in
 * xenstore and reads it back when the domain stops. Documentation/man/
 * pvisor.cfg.5.rst is the reference of every key.
 *
 * Parsing stops at the first error, which comes back as one line naming
 * the source, the line and the key:
 *
 *   guest.cfg:3: memory: bad value "lots": a whole number of MiB ...
 */
#ifndef PVNL_DOMCFG_H
#define PVNL_DOMCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pvisor/hypercall.h>
#include <pvisor/netlink.h>

/* Longest kernel or ramdisk path, nul included. */
#define DOMCFG_PATH_MAX		1024

/* Disks a domain may have (disk = [...]), each served by a pvblkback. */
#define DOMCFG_DISKS_MAX	4
#define DOMCFG_VDEV_MAX		8	/* "xvda" and its nul, with room */

struct domcfg_disk {
	char path[DOMCFG_PATH_MAX];	/* a raw image file */
	char vdev[DOMCFG_VDEV_MAX];	/* xvda .. xvdz */
	bool readonly;
};

/* Room for a formatted config: it must fit one xenstore value. */
#define DOMCFG_TEXT_MAX		4096

/* What to do when a domain powers off, reboots or crashes (xl.cfg's). */
enum domcfg_action {
	DOMCFG_DESTROY,		/* destroy it: memory freed, id gone */
	DOMCFG_RESTART,		/* destroy it and create it again, fresh */
	DOMCFG_PRESERVE,	/* leave it stopped, for inspection */
};

/* Xen's credit scheduler: weights 1..65535, 256 by default. */
#define DOMCFG_WEIGHT_DEFAULT	256
#define DOMCFG_WEIGHT_MAX	65535

struct domcfg {
	char name[PVISOR_NAME_MAX];
	uint64_t memory;		/* bytes */
	uint64_t maxmem;		/* bytes; 0: not given */
	uint32_t vcpus;
	char kernel[DOMCFG_PATH_MAX];	/* "": none */
	char ramdisk[DOMCFG_PATH_MAX];	/* "": none */
	char cmdline[PVISOR_CMDLINE_MAX];
	enum domcfg_action on_poweroff, on_reboot, on_crash;
	uint32_t cpu_weight;
	uint32_t cap;			/* percent of one CPU; 0: none */
	uint32_t nr_disks;
	struct domcfg_disk disks[DOMCFG_DISKS_MAX];
	uint32_t given;			/* keys set, a bit per key */
	uint32_t overridden;		/* keys set on the command line */
};

/* Every key at its default; nothing given. */
void domcfg_init(struct domcfg *c);

/*
 * Read @text (a whole file; @source names it in messages) into @c.
 * Returns 0, or -EINVAL with one line in @err: a syntax error, an
 * unknown, duplicate, unsupported or bad key. Keys already in @c from an
 * earlier call are replaced, not duplicates.
 */
int domcfg_parse(struct domcfg *c, const char *source, const char *text,
		 char *err, size_t errlen);

/*
 * One "KEY=VALUE" from the command line, replacing the file's value. A
 * string key's VALUE may be given without quotes. 0 or -EINVAL.
 */
int domcfg_override(struct domcfg *c, const char *arg, char *err,
		    size_t errlen);

/*
 * After the last parse: the required keys are there (name, memory, and
 * with @need_kernel the kernel) and the keys agree with each other.
 * 0 or -EINVAL with the message in @err.
 */
int domcfg_check(const struct domcfg *c, bool need_kernel, char *err,
		 size_t errlen);

/*
 * The effective config, every key with its value, as a file that
 * domcfg_parse() reads back to the same thing. Returns the length, or
 * -ENOSPC if @size is too small.
 */
int domcfg_format(const struct domcfg *c, char *buf, size_t size);

/*
 * Xen's device number of xvda .. xvdz (major 202, 16 minors a disk: xvda
 * is 51712), which names the disk's xenstore directories; 0 for any
 * other name.
 */
uint32_t domcfg_vdev_number(const char *vdev);

/* "destroy", "restart", "preserve". */
const char *domcfg_action_name(enum domcfg_action a);

/* Is key @name (a domcfg key's name) set in @c? */
bool domcfg_given(const struct domcfg *c, const char *name);

#endif /* PVNL_DOMCFG_H */
