/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A cgroup v2 per domain, /sys/fs/cgroup/pvisor.slice/dom-<id>, holding
 * its runner and everything the runner starts (context factory,
 * contexts): CPU weight and cap in Xen credit-scheduler terms, and
 * bounds on the runner's own host memory and process count.
 */
#ifndef PVNL_DOMCGROUP_H
#define PVNL_DOMCGROUP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <pvisor/netlink.h>

#define DOMCG_ROOT		"/sys/fs/cgroup"
#define DOMCG_SLICE		DOMCG_ROOT "/pvisor.slice"

/* Xen credit weights 1..65535 (256 default); caps in percent of a CPU. */
#define DOMCG_WEIGHT_DEFAULT	256
#define DOMCG_WEIGHT_MAX	65535
#define DOMCG_CAP_MAX		(100u * PVISOR_MAX_VCPUS)
/* cpu.max's period, in microseconds. */
#define DOMCG_PERIOD_US		100000u

struct domcg_limits {
	uint32_t weight;	/* Xen credit weight */
	uint32_t cap;		/* percent of one CPU, 0: none */
	uint64_t memory_max;	/* bytes */
	uint64_t pids_max;
};

/* Xen weight -> cpu.weight: 256 is 100, clamped to 1..10000. */
uint32_t domcg_cpu_weight(uint32_t xen_weight);
/* cpu.weight -> the Xen weight it stands for (rounded). */
uint32_t domcg_xen_weight(uint32_t cpu_weight);

/* The cgroup's directory, into @buf. */
void domcg_path(uint32_t domid, char *buf, size_t size);

/*
 * Make domain @domid's cgroup (and the slice, with the cpu, memory and
 * pids controllers enabled for it), set @l, and move the processes
 * @pids[0..n) into it. 0, or a negative errno with the reason in @why.
 */
int domcg_create(uint32_t domid, const struct domcg_limits *l,
		 const pid_t *pids, size_t n, char *why, size_t why_len);

/* Set the weight and cap (either may be left: weight 0, cap < 0). */
int domcg_set_sched(uint32_t domid, uint32_t weight, int64_t cap, char *why,
		    size_t why_len);

/* Read them back: cpu.weight as a Xen weight, cpu.max as a cap. */
int domcg_get_sched(uint32_t domid, uint32_t *weight, uint32_t *cap,
		    char *why, size_t why_len);

/*
 * Remove domain @domid's cgroup. 0 when it is gone (or never was),
 * -EBUSY while processes are still in it, another negative errno else.
 */
int domcg_remove(uint32_t domid);

/*
 * domcg_remove(), retried for up to @secs seconds while the cgroup is
 * busy: a killed runner's processes take a moment to be reaped.
 */
int domcg_remove_wait(uint32_t domid, unsigned int secs);

#endif /* PVNL_DOMCGROUP_H */
