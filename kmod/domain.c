// SPDX-License-Identifier: GPL-2.0
/*
 * Domains: creation, lookup by id or name, destruction.
 *
 * Locking: domains_lock (a mutex) protects the id table, nr_domains and
 * generation. It is never held while memory is allocated for a domain's
 * reservation, so creators of large domains do not serialise each other.
 * Lock order: domains_lock is the outermost pvisor lock; the netlink
 * layer takes none of its own.
 *
 * Lifetime: the table holds one reference to each domain; every lookup
 * returns another, dropped with pvisor_domain_put(). The domain and its
 * memory go when the last reference does. A runner holds one for as long
 * as it lives, so destroying a running domain kills its runner and the
 * memory follows when the runner is gone.
 *
 * State: each domain's state_lock (a bh-safe spinlock, innermost; event
 * kicks take it from timer softirqs) guards its
 * state, reasons and runner pid. CREATED -> RUNNING when a runner
 * attaches; RUNNING <-> PAUSED at Domain0's request; RUNNING or PAUSED ->
 * SHUTDOWN or CRASHED, once, after which the runner is killed. Nothing
 * leaves SHUTDOWN or CRASHED.
 *
 * Pausing stops the runner with SIGSTOP: every vCPU thread stops on its
 * way back to guest code, a safe point, and SIGKILL still ends a paused
 * runner. The runner cannot resume itself (seccomp forbids kill).
 *
 * Dying: DOMAIN_DEL removes the domain from the table and then, under
 * state_lock, marks it dying, for good. From then on nothing may take a
 * new hold on it: lookups miss it (it is out of the table, and RCU
 * lookups check the flag too), a runner cannot attach (checked under
 * state_lock, which also hands the destroyer the runner to kill), Domain0
 * cannot pause, unpause or shut it down, hypercalls fail at entry, and
 * no event channel can be bound to or from it: every bind checks the
 * flag of both ends under their evtchn_locks, and the destroyer sets it
 * before its teardown first takes evtchn_lock, so a bind either happened
 * before (and the teardown sees it) or sees the flag. The teardown is
 * then a single pass over the ports, and the domain's frames go when the
 * last reference (the runner's, a Domain0 mapping's, an operation's in
 * flight) does. A dying domain is never listed: it left the table.
 *
 * Lookups by id for guests (pvisor_domain_get()) take no lock: the table
 * is an xarray read under RCU, the domain structure is freed after a
 * grace period, and a reference is taken only while the count is not
 * yet zero. Domain0's lookups (pvisor_domain_find()) take domains_lock
 * for the name index.
 */

#include <linux/capability.h>
#include <linux/err.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xarray.h>
#include <pvisor/hypercall.h>

#include "domain.h"
#include "evtchn.h"
#include "time.h"

static DEFINE_MUTEX(domains_lock);
static DEFINE_XARRAY_ALLOC(domains);	/* id -> struct pvisor_domain */
static u32 next_id;			/* cursor for cyclic id allocation */
static unsigned int nr_domains;		/* created, plus creations under way */
static unsigned int max_domains;
static unsigned int generation;		/* bumped on every add and remove */

/**
 * pvisor_domains_init() - prepare the domain table
 * @max: the most domains that may exist at once
 */
int pvisor_domains_init(unsigned int max)
{
	max_domains = max;
	return 0;
}

static void domain_release(struct kref *ref)
{
	struct pvisor_domain *dom = container_of(ref, struct pvisor_domain, ref);

	WARN_ON_ONCE(dom->runner_pid);
	pvisor_events_free(dom);
	pvisor_grants_free(dom);
	pvisor_console_free(&dom->console);
	pvisor_reservation_free(&dom->mem);
	kfree(dom->vcpus);
	kfree_rcu(dom, rcu);	/* a lockless lookup may still look at it */
}

/** pvisor_domain_put() - drop a reference taken by a lookup or create */
void pvisor_domain_put(struct pvisor_domain *dom)
{
	kref_put(&dom->ref, domain_release);
}

/*
 * Names are restricted so they can never be mistaken for a numeric id and
 * are safe to print, log and use in file names. The kernel's ctype also
 * accepts Latin-1 letters, so plain ASCII ranges are spelled out here.
 */
static bool name_char_ok(char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	if (first)
		return false;
	return (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

static bool name_is_valid(const char *name)
{
	size_t i, len = strlen(name);

	if (len == 0 || len >= PVISOR_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!name_char_ok(name[i], i == 0))
			return false;
	return true;
}

/* Caller holds domains_lock. */
static struct pvisor_domain *find_by_name_locked(const char *name)
{
	struct pvisor_domain *dom;
	unsigned long id;

	xa_for_each(&domains, id, dom)
		if (!strcmp(dom->name, name))
			return dom;
	return NULL;
}

/* Claim one of max_domains before the slow part of a creation. */
static int claim_slot(const char *name, struct netlink_ext_ack *extack)
{
	int ret = 0;

	mutex_lock(&domains_lock);
	if (find_by_name_locked(name)) {
		NL_SET_ERR_MSG(extack, "domain name already in use");
		ret = -EEXIST;
	} else if (nr_domains >= max_domains) {
		NL_SET_ERR_MSG(extack, "maximum number of domains reached (max_domains)");
		ret = -ENOSPC;
	} else {
		nr_domains++;
	}
	mutex_unlock(&domains_lock);
	return ret;
}

static void release_slot(void)
{
	mutex_lock(&domains_lock);
	nr_domains--;
	mutex_unlock(&domains_lock);
}

/* Make a fully built domain visible. The name is checked again: a
 * concurrent creator of the same name may have won while we allocated.
 */
static int publish(struct pvisor_domain *dom, struct netlink_ext_ack *extack)
{
	int ret;

	mutex_lock(&domains_lock);
	if (find_by_name_locked(dom->name)) {
		NL_SET_ERR_MSG(extack, "domain name already in use");
		ret = -EEXIST;
		goto out_unlock;
	}
	ret = xa_alloc_cyclic(&domains, &dom->id, dom,
			      XA_LIMIT(1, PVISOR_DOMID_MAX), &next_id,
			      GFP_KERNEL);
	if (ret < 0) {
		NL_SET_ERR_MSG(extack, "no free domain id");
		ret = ret == -EBUSY ? -ENOSPC : ret;
		goto out_unlock;
	}
	ret = 0;
	generation++;
out_unlock:
	mutex_unlock(&domains_lock);
	return ret;
}

/**
 * pvisor_domain_create() - create a domain with its memory reservation
 * @name: a name not in use (checked here)
 * @memory: bytes of memory, a non-zero multiple of PAGE_SIZE (checked here)
 * @nr_vcpus: vCPU count, 1..PVISOR_MAX_VCPUS (the caller's policy checks it)
 * @extack: where to explain a failure
 *
 * Return: the new domain with a reference for the caller, or an ERR_PTR:
 * -EINVAL, -EEXIST, -ENOSPC, or the reservation's errors.
 */
struct pvisor_domain *pvisor_domain_create(const char *name, u64 memory,
					   u32 nr_vcpus,
					   struct netlink_ext_ack *extack)
{
	struct pvisor_domain *dom;
	unsigned int i;
	int ret;

	if (!name_is_valid(name)) {
		NL_SET_ERR_MSG(extack, "domain name must be 1-63 characters of [A-Za-z0-9_.-] starting with a letter");
		return ERR_PTR(-EINVAL);
	}
	if (memory == 0 || !PAGE_ALIGNED(memory)) {
		NL_SET_ERR_MSG(extack, "memory must be a non-zero multiple of 4096 bytes");
		return ERR_PTR(-EINVAL);
	}

	ret = claim_slot(name, extack);
	if (ret)
		return ERR_PTR(ret);

	ret = -ENOMEM;
	dom = kzalloc(sizeof(*dom), GFP_KERNEL);
	if (!dom)
		goto err_release_slot;
	kref_init(&dom->ref);
	spin_lock_init(&dom->state_lock);
	init_waitqueue_head(&dom->poll_wait);
	pvisor_contexts_init(&dom->contexts, pvisor_max_contexts());
	pvisor_grants_init(dom);
	strscpy(dom->name, name, sizeof(dom->name));
	dom->nr_vcpus = nr_vcpus;
	dom->state = PVISOR_DOMAIN_STATE_CREATED;

	dom->vcpus = kcalloc(nr_vcpus, sizeof(*dom->vcpus), GFP_KERNEL);
	if (!dom->vcpus)
		goto err_free_domain;
	for (i = 0; i < nr_vcpus; i++) {
		dom->vcpus[i].id = i;
		dom->vcpus[i].dom = dom;
		init_waitqueue_head(&dom->vcpus[i].wait);
		pvisor_time_init_vcpu(&dom->vcpus[i]);
	}

	ret = pvisor_console_init(&dom->console);
	if (ret)
		goto err_free_vcpus;

	ret = pvisor_events_init(dom);
	if (ret)
		goto err_free_console;
	pvisor_time_init_domain(dom);

	ret = pvisor_reservation_alloc(&dom->mem, memory >> PAGE_SHIFT, extack);
	if (ret)
		goto err_free_console;

	ret = publish(dom, extack);
	if (ret)
		goto err_free_reservation;

	/* One reference for the table, one for the caller. */
	kref_get(&dom->ref);
	return dom;

err_free_reservation:
	pvisor_reservation_free(&dom->mem);
err_free_console:
	pvisor_events_free(dom);
	pvisor_console_free(&dom->console);
err_free_vcpus:
	kfree(dom->vcpus);
err_free_domain:
	kfree(dom);
err_release_slot:
	release_slot();
	return ERR_PTR(ret);
}

/* Kill @runner, if any (a reference). Its exit drops its domain's. */
static void kill_runner(struct pid *runner)
{
	if (runner) {
		kill_pid(runner, SIGKILL, 1);
		put_pid(runner);
	}
}

/* The runner process, or NULL: a reference for kill_runner(). */
static struct pid *get_runner(struct pvisor_domain *dom)
{
	struct pid *runner;

	spin_lock_bh(&dom->state_lock);
	runner = get_pid(dom->runner_pid);
	spin_unlock_bh(&dom->state_lock);
	return runner;
}

/**
 * pvisor_domain_dying() - has DOMAIN_DEL begun to destroy the domain?
 * @dom: the domain
 *
 * Once true, always true. A check without the locks named in domain.c's
 * "Dying" is only a hint: it may miss a destroy that is starting.
 */
bool pvisor_domain_dying(struct pvisor_domain *dom)
{
	return READ_ONCE(dom->dying);
}

/**
 * pvisor_domain_status() - copy a domain's state for reporting
 * @dom: the domain
 * @status: filled in
 */
void pvisor_domain_status(struct pvisor_domain *dom,
			  struct pvisor_domain_status *status)
{
	spin_lock_bh(&dom->state_lock);
	status->state = dom->state;
	status->shutdown_reason = dom->shutdown_reason;
	strscpy(status->crash_reason, dom->crash_reason,
		sizeof(status->crash_reason));
	spin_unlock_bh(&dom->state_lock);
}

/* Caller holds state_lock, which orders the domain state and vcpu->up. */
static u32 vcpu_state_locked(struct pvisor_domain *dom, struct pvisor_vcpu *v)
{
	if (dom->state == PVISOR_DOMAIN_STATE_SHUTDOWN ||
	    dom->state == PVISOR_DOMAIN_STATE_CRASHED)
		return PVISOR_VCPU_STATE_STOPPED;
	if (dom->state == PVISOR_DOMAIN_STATE_CREATED || !v->up || !v->task)
		return PVISOR_VCPU_STATE_OFFLINE;
	if (dom->state == PVISOR_DOMAIN_STATE_PAUSED)
		return PVISOR_VCPU_STATE_PAUSED;
	/* Set and cleared by the vCPU's own thread, without a lock. */
	if (READ_ONCE(v->blocked))
		return PVISOR_VCPU_STATE_BLOCKED;
	return PVISOR_VCPU_STATE_RUNNING;
}

/**
 * pvisor_domain_vcpu_report() - what one vCPU is doing, for reporting
 * @dom: the domain
 * @id: a vCPU id below @dom->nr_vcpus
 * @report: filled in
 *
 * The CPU time is its thread's while the runner lives, and what it had
 * used when the runner went afterwards.
 */
void pvisor_domain_vcpu_report(struct pvisor_domain *dom, u32 id,
			       struct pvisor_vcpu_report *report)
{
	struct pvisor_vcpu *v = &dom->vcpus[id];
	struct task_struct *task;

	spin_lock_bh(&dom->state_lock);
	report->state = vcpu_state_locked(dom, v);
	report->cpu_time_ns = v->cpu_time_ns;
	/* The runner lets go of the thread under this lock: pin it first. */
	task = v->task;
	if (task)
		get_task_struct(task);
	spin_unlock_bh(&dom->state_lock);
	if (task) {
		report->cpu_time_ns = READ_ONCE(task->se.sum_exec_runtime);
		put_task_struct(task);
	}
	/* guest user code ran in context threads for this vCPU */
	report->cpu_time_ns += pvisor_vcpu_user_time(v);
}

/**
 * pvisor_domain_attach_runner() - the calling process becomes the runner
 * @dom: a domain that has never run
 *
 * Return: 0, -ENOENT if the domain is dying, or -EBUSY if it has (or
 * had) a runner.
 */
int pvisor_domain_attach_runner(struct pvisor_domain *dom)
{
	int ret = -EBUSY;

	spin_lock_bh(&dom->state_lock);
	if (dom->dying) {
		ret = -ENOENT;
	} else if (dom->state == PVISOR_DOMAIN_STATE_CREATED &&
		   !dom->runner_pid) {
		dom->runner_pid = get_pid(task_tgid(current));
		dom->state = PVISOR_DOMAIN_STATE_RUNNING;
		ret = 0;
	}
	spin_unlock_bh(&dom->state_lock);
	return ret;
}

/* Leave RUNNING or PAUSED for @state, once. Caller holds state_lock. */
static bool stop_locked(struct pvisor_domain *dom, u32 state)
{
	if (dom->state != PVISOR_DOMAIN_STATE_RUNNING &&
	    dom->state != PVISOR_DOMAIN_STATE_PAUSED)
		return false;
	dom->state = state;
	return true;
}

/* Move from @from to @to and signal the runner with @sig. */
static int change_run_state(struct pvisor_domain *dom, u32 from, u32 to,
			    int sig)
{
	struct pid *runner = NULL;

	spin_lock_bh(&dom->state_lock);
	if (dom->state == from && dom->runner_pid && !dom->dying) {
		dom->state = to;
		runner = get_pid(dom->runner_pid);
	}
	spin_unlock_bh(&dom->state_lock);
	if (!runner)
		return -EINVAL;
	kill_pid(runner, sig, 1);
	put_pid(runner);
	return 0;
}

/**
 * pvisor_domain_pause() - stop a running domain's vCPUs
 * @dom: the domain
 * @extack: where to explain a refusal
 *
 * Return: 0, or -EINVAL if it is not running.
 */
int pvisor_domain_pause(struct pvisor_domain *dom,
			struct netlink_ext_ack *extack)
{
	int ret = change_run_state(dom, PVISOR_DOMAIN_STATE_RUNNING,
				   PVISOR_DOMAIN_STATE_PAUSED, SIGSTOP);

	if (ret)
		NL_SET_ERR_MSG(extack, "only a running domain can be paused");
	return ret;
}

/**
 * pvisor_domain_unpause() - let a paused domain run again
 * @dom: the domain
 * @extack: where to explain a refusal
 *
 * Return: 0, or -EINVAL if it is not paused.
 */
int pvisor_domain_unpause(struct pvisor_domain *dom,
			  struct netlink_ext_ack *extack)
{
	int ret = change_run_state(dom, PVISOR_DOMAIN_STATE_PAUSED,
				   PVISOR_DOMAIN_STATE_RUNNING, SIGCONT);

	if (ret)
		NL_SET_ERR_MSG(extack, "only a paused domain can be unpaused");
	return ret;
}

/**
 * pvisor_domain_shutdown() - stop a domain as shut down
 * @dom: a running or paused domain
 * @reason: PVISOR_SHUTDOWN_*; a crash request makes the domain CRASHED
 *
 * The runner is killed; the domain keeps its memory until destroyed.
 *
 * Return: true if the domain stopped now, false if it was not running
 * (or is dying).
 */
bool pvisor_domain_shutdown(struct pvisor_domain *dom, u32 reason)
{
	bool stopped = false;

	spin_lock_bh(&dom->state_lock);
	if (dom->dying) {
		/* being destroyed: its runner is already being killed */
	} else if (reason == PVISOR_SHUTDOWN_CRASH) {
		stopped = stop_locked(dom, PVISOR_DOMAIN_STATE_CRASHED);
		if (stopped)
			strscpy(dom->crash_reason, "the guest requested a crash",
				sizeof(dom->crash_reason));
	} else {
		stopped = stop_locked(dom, PVISOR_DOMAIN_STATE_SHUTDOWN);
	}
	if (stopped)
		dom->shutdown_reason = reason;
	spin_unlock_bh(&dom->state_lock);
	if (stopped)
		kill_runner(get_runner(dom));
	return stopped;
}

/**
 * pvisor_domain_crash() - stop a domain that broke the rules
 * @dom: a running domain
 * @fmt: the reason, shown by pvctl list and info
 *
 * The first reason given sticks; the runner is killed.
 */
void pvisor_domain_crash(struct pvisor_domain *dom, const char *fmt, ...)
{
	char reason[PVISOR_CRASH_REASON_MAX];
	va_list args;
	bool stopped;

	va_start(args, fmt);
	vscnprintf(reason, sizeof(reason), fmt, args);
	va_end(args);

	spin_lock_bh(&dom->state_lock);
	stopped = stop_locked(dom, PVISOR_DOMAIN_STATE_CRASHED);
	if (stopped) {
		dom->shutdown_reason = PVISOR_SHUTDOWN_CRASH;
		strscpy(dom->crash_reason, reason, sizeof(dom->crash_reason));
	}
	spin_unlock_bh(&dom->state_lock);
	if (stopped) {
		pr_info_ratelimited("domain %u (%s) crashed: %s\n", dom->id,
				    dom->name, reason);
		kill_runner(get_runner(dom));
	}
}

/**
 * pvisor_domain_runner_gone() - the runner has exited
 * @dom: its domain
 * @why: the crash reason if the guest was still running
 */
void pvisor_domain_runner_gone(struct pvisor_domain *dom, const char *why)
{
	struct task_struct *task;
	struct pid *runner;
	unsigned int i;

	spin_lock_bh(&dom->state_lock);
	if (stop_locked(dom, PVISOR_DOMAIN_STATE_CRASHED)) {
		dom->shutdown_reason = PVISOR_SHUTDOWN_CRASH;
		strscpy(dom->crash_reason, why, sizeof(dom->crash_reason));
	}
	/*
	 * The runner is about to let go of its threads (runner.c, which
	 * still holds them): keep what they used for VCPU_GET.
	 */
	for (i = 0; i < dom->nr_vcpus; i++) {
		task = dom->vcpus[i].task;
		if (task)
			dom->vcpus[i].cpu_time_ns =
				READ_ONCE(task->se.sum_exec_runtime);
	}
	runner = dom->runner_pid;
	dom->runner_pid = NULL;
	spin_unlock_bh(&dom->state_lock);
	put_pid(runner);
}

/**
 * pvisor_domain_destroy() - remove a domain from the table
 * @dom: a domain the caller holds a reference to
 *
 * The domain becomes dying (see "Dying" above), its runner is killed and
 * its event channels are closed; the memory goes when the last
 * reference is dropped.
 *
 * Return: 0, or -ENOENT if someone else destroyed it first.
 */
int pvisor_domain_destroy(struct pvisor_domain *dom)
{
	struct pid *runner;
	bool removed;

	mutex_lock(&domains_lock);
	removed = xa_cmpxchg(&domains, dom->id, dom, NULL, GFP_KERNEL) == dom;
	if (removed) {
		nr_domains--;
		generation++;
	}
	mutex_unlock(&domains_lock);

	if (!removed)
		return -ENOENT;

	spin_lock_bh(&dom->state_lock);
	WRITE_ONCE(dom->dying, true);
	runner = get_pid(dom->runner_pid);
	spin_unlock_bh(&dom->state_lock);
	kill_runner(runner);
	pvisor_contexts_kill_all(dom);
	/*
	 * Channels hold references both ways: break them before ours goes.
	 * The teardown's first evtchn_lock orders the flag before it.
	 */
	pvisor_evtchn_teardown(dom);
	pvisor_grants_teardown(dom);	/* live grant uses keep it */
	pvisor_domain_put(dom);		/* the table's reference */
	return 0;
}

/**
 * pvisor_domain_find() - look a domain up by id, name, or both
 * @id: the id, or 0 to look up by name alone
 * @name: the name, or NULL to look up by id alone
 * @extack: where to explain a failure
 *
 * Return: the domain with a reference for the caller, or ERR_PTR(-EINVAL)
 * (neither given, or they name different domains) or ERR_PTR(-ENOENT).
 */
struct pvisor_domain *pvisor_domain_find(u32 id, const char *name,
					 struct netlink_ext_ack *extack)
{
	struct pvisor_domain *dom;

	if (!id && !name) {
		NL_SET_ERR_MSG(extack, "name the domain by id or name");
		return ERR_PTR(-EINVAL);
	}

	mutex_lock(&domains_lock);
	dom = id ? xa_load(&domains, id) : find_by_name_locked(name);
	if (dom && id && name && strcmp(dom->name, name)) {
		mutex_unlock(&domains_lock);
		NL_SET_ERR_MSG(extack, "id and name refer to different domains");
		return ERR_PTR(-EINVAL);
	}
	if (dom)
		kref_get(&dom->ref);
	mutex_unlock(&domains_lock);

	if (!dom) {
		NL_SET_ERR_MSG(extack, "no such domain");
		return ERR_PTR(-ENOENT);
	}
	return dom;
}

/**
 * pvisor_domain_get() - a guest's lookup of another domain by id
 * @id: the domain id
 *
 * Takes no lock, so a guest naming domains cannot contend with Domain0
 * or with other guests on domains_lock.
 *
 * Return: the domain with a reference for the caller, or NULL if there is
 * none by that id or it is dying.
 */
struct pvisor_domain *pvisor_domain_get(u32 id)
{
	struct pvisor_domain *dom;

	rcu_read_lock();
	dom = xa_load(&domains, id);
	if (dom && (READ_ONCE(dom->dying) || !kref_get_unless_zero(&dom->ref)))
		dom = NULL;
	rcu_read_unlock();
	return dom;
}

/**
 * pvisor_domain_for_admin() - the domain a Domain0 ioctl names
 * @domid: from the caller's argument
 * @flags: from the caller's argument; none are defined
 *
 * Domain0's ioctls on /dev/pvisor (memory mapping, runner attach) reach
 * into a domain, so they take CAP_SYS_ADMIN like the control plane.
 *
 * Return: the domain with a reference for the caller, or ERR_PTR(-EPERM,
 * -EINVAL (flags set or domid 0), -ENOENT (none, or dying)).
 */
struct pvisor_domain *pvisor_domain_for_admin(u32 domid, u32 flags)
{
	struct pvisor_domain *dom;

	if (!capable(CAP_SYS_ADMIN))
		return ERR_PTR(-EPERM);
	if (flags || !domid)
		return ERR_PTR(-EINVAL);
	dom = pvisor_domain_find(domid, NULL, NULL);
	if (!IS_ERR(dom) && pvisor_domain_dying(dom)) {
		pvisor_domain_put(dom);
		return ERR_PTR(-ENOENT);
	}
	return dom;
}

/**
 * pvisor_domain_next() - iterate over domains in id order
 * @id: in: the smallest id wanted; out: the id found
 *
 * Return: the first domain whose id is at least *@id, with a reference
 * for the caller, or NULL when there is none.
 */
struct pvisor_domain *pvisor_domain_next(u32 *id)
{
	struct pvisor_domain *dom;
	unsigned long index = *id;

	mutex_lock(&domains_lock);
	dom = xa_find(&domains, &index, PVISOR_DOMID_MAX, XA_PRESENT);
	if (dom) {
		kref_get(&dom->ref);
		*id = index;
	}
	mutex_unlock(&domains_lock);
	return dom;
}

/** pvisor_domain_count() - domains that exist (or are being created) */
unsigned int pvisor_domain_count(void)
{
	return READ_ONCE(nr_domains);
}

/** pvisor_domain_max() - the max_domains limit */
unsigned int pvisor_domain_max(void)
{
	return max_domains;
}

/**
 * pvisor_domains_generation() - a counter bumped whenever a domain comes
 * or goes, for dump consistency checks
 */
unsigned int pvisor_domains_generation(void)
{
	return READ_ONCE(generation);
}

/**
 * pvisor_domains_exit() - destroy every domain, at module unload
 *
 * Runs after the control plane is gone, so nothing can create a domain
 * or hold a reference any more.
 */
void pvisor_domains_exit(void)
{
	struct pvisor_domain *dom;
	u32 id = 1;

	while ((dom = pvisor_domain_next(&id))) {
		pvisor_domain_destroy(dom);
		pvisor_domain_put(dom);
	}
	WARN_ON(nr_domains);
	xa_destroy(&domains);
}
