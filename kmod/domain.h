/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_DOMAIN_H
#define PVISOR_DOMAIN_H

#include <linux/hrtimer.h>
#include <linux/kref.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/types.h>
#include <pvisor/device.h>
#include <pvisor/event.h>
#include <pvisor/hypercall.h>
#include <pvisor/netlink.h>

#include "console.h"
#include "context.h"
#include "grant.h"
#include "reservation.h"
#include "stats.h"
#include "time.h"

struct netlink_ext_ack;
struct pid;
struct pvisor_domain;
struct pvisor_evtchn;

#define PVISOR_CRASH_REASON_MAX	96

/*
 * A virtual CPU. Bound to the runner thread that first runs it: the task
 * pointer is set once when that thread first runs the vCPU and cleared
 * when the runner fd is released, both under the domain's state_lock.
 * The fault and hypercall paths read it without the lock, but only to
 * compare it with current, which cannot change under them.
 */
struct pvisor_vcpu {
	u32 id;
	bool ready;				/* boot context set */
	bool up;				/* may run guest code (vcpu.c) */
	bool blocked;				/* asleep in SCHEDOP_BLOCK */
	bool in_user;				/* in RUN_USER (user_run.c) */
	atomic64_t user_time_ns;		/* its context threads' CPU time */
	struct task_struct *task;		/* its thread, once it runs */
	u64 cpu_time_ns;			/* its thread's, when the runner went */
	struct pvisor_vcpu_context boot;	/* where it starts */
	u64 pt_base_pfn;			/* the guest's current top table */
	u64 fault_va;				/* last unhandled guest fault */
	u64 traps[PVISOR_NR_TRAP_VECTORS];	/* guest handlers, or 0 */

	/* Events and time (evtchn.c, time.c). */
	struct pvisor_domain *dom;		/* its domain; no reference */
	u64 event_callback;			/* guest address, or 0 */
	wait_queue_head_t wait;			/* SCHEDOP_BLOCK sleeps here */
	struct hrtimer timer;			/* SET_TIMER_OP's one-shot */
	struct hrtimer periodic;		/* vcpu_op's periodic timer */
	u64 period_ns;				/* 0: none */
	u16 virq_port[PVISOR_NR_VIRQS];		/* under evtchn_lock; 0: none */
};

/*
 * A domain: one guest. The module owns it, not any process: it lives from
 * DOMAIN_NEW until DOMAIN_DEL or module unload. Its identity (id, name,
 * vCPU count) never changes after creation, so readers holding a reference
 * need no lock to read it.
 */
struct pvisor_domain {
	struct kref ref;
	struct rcu_head rcu;			/* lookups under RCU (domain.c) */
	u32 id;
	u32 nr_vcpus;
	char name[PVISOR_NAME_MAX];
	struct pvisor_reservation mem;
	struct pvisor_console console;
	struct pvisor_vcpu *vcpus;		/* nr_vcpus of them */
	struct page *shared_info;		/* struct pvisor_shared_info */
	struct pvisor_domain_time time;		/* its clock (time.c) */
	struct pvisor_contexts contexts;	/* user contexts (context.c) */
	struct pvisor_grant_table grants;	/* its grant table (grant.c) */
	struct pvisor_stats stats;		/* counters (stats.c) */

	/* evtchn_lock (a spinlock, bh-safe) protects the port table. */
	spinlock_t evtchn_lock;
	struct pvisor_evtchn *evtchns;		/* allocated on first use */
	wait_queue_head_t poll_wait;		/* SCHEDOP_POLL sleeps here */

	/* state_lock protects the fields below. */
	spinlock_t state_lock;
	u32 state;				/* enum pvisor_domain_state */
	u32 shutdown_reason;			/* PVISOR_SHUTDOWN_* */
	char crash_reason[PVISOR_CRASH_REASON_MAX];
	struct pid *runner_pid;			/* the runner process's tgid */
	u64 store_pfn;				/* xenstore ring (store.c) */
	u32 store_port;				/* 0: none yet */
	/*
	 * Set once, by DOMAIN_DEL, under state_lock and before the event
	 * channels are torn down; never cleared. See "Dying" in domain.c.
	 */
	bool dying;
};

/* A consistent copy of a domain's state, for reporting. */
struct pvisor_domain_status {
	u32 state;
	u32 shutdown_reason;
	char crash_reason[PVISOR_CRASH_REASON_MAX];
};

/* What one vCPU is doing, for reporting. */
struct pvisor_vcpu_report {
	u32 state;			/* enum pvisor_vcpu_state */
	u64 cpu_time_ns;		/* host CPU time its thread used */
};

int pvisor_domains_init(unsigned int max_domains);
void pvisor_domains_exit(void);

struct pvisor_domain *pvisor_domain_create(const char *name, u64 memory,
					   u32 nr_vcpus,
					   struct netlink_ext_ack *extack);
int pvisor_domain_destroy(struct pvisor_domain *dom);
struct pvisor_domain *pvisor_domain_find(u32 id, const char *name,
					 struct netlink_ext_ack *extack);
struct pvisor_domain *pvisor_domain_for_admin(u32 domid, u32 flags);
struct pvisor_domain *pvisor_domain_next(u32 *id);
struct pvisor_domain *pvisor_domain_get(u32 id);
void pvisor_domain_put(struct pvisor_domain *dom);
bool pvisor_domain_dying(struct pvisor_domain *dom);

void pvisor_domain_status(struct pvisor_domain *dom,
			  struct pvisor_domain_status *status);
void pvisor_domain_vcpu_report(struct pvisor_domain *dom, u32 id,
			       struct pvisor_vcpu_report *report);
int pvisor_domain_attach_runner(struct pvisor_domain *dom);
void pvisor_domain_runner_gone(struct pvisor_domain *dom, const char *why);
bool pvisor_domain_shutdown(struct pvisor_domain *dom, u32 reason);
int pvisor_domain_pause(struct pvisor_domain *dom,
			struct netlink_ext_ack *extack);
int pvisor_domain_unpause(struct pvisor_domain *dom,
			  struct netlink_ext_ack *extack);
void pvisor_domain_crash(struct pvisor_domain *dom, const char *fmt, ...)
	__printf(2, 3);

unsigned int pvisor_domain_count(void);
unsigned int pvisor_domain_max(void);
unsigned int pvisor_domains_generation(void);

#endif /* PVISOR_DOMAIN_H */
