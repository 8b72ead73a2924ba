// SPDX-License-Identifier: GPL-2.0
/*
 * Event channels: Xen's replacement for interrupts.
 *
 * The path of one event. Something sends on a port: the guest itself
 * (SEND on an IPI or interdomain port), a peer domain, or a timer (a
 * VIRQ). mark_pending() sets the port's bit in the target domain's
 * shared_info.evtchn_pending. If that bit was clear and the port is not
 * masked, it sets the port's word in the notified vCPU's
 * evtchn_pending_sel, and if that was clear too, evtchn_upcall_pending,
 * and kicks the vCPU: a SIGUSR1 to its thread, which wakes it if it
 * blocks in SCHEDOP_BLOCK and otherwise interrupts guest code. The
 * runner hands the signal to the module like a trap (trap.c), and if the
 * guest has not masked upcalls, it enters the guest's event callback with
 * upcalls masked. The guest scans, clears, unmasks, and irets.
 *
 * Locking: each domain's evtchn_lock (bh-safe: timers raise VIRQs in
 * softirq context) protects its port table and its vCPUs' virq_port.
 * Two domains' locks are taken in id order. Pending and mask bits live in
 * guest-writable memory and are only ever touched with atomic bit
 * operations; a guest that scribbles on them confuses only itself. The
 * kick takes the domain's state_lock, never inside evtchn_lock.
 *
 * Interdomain channels hold a reference to the peer domain, and the two
 * ends always point at each other: every change to one end is made with
 * both domains' locks held, and unbinding checks that the peer's end
 * still points back before touching it. Destroying a domain marks it
 * dying (domain.c) and tears its channels down in one pass
 * (pvisor_evtchn_teardown()), leaving the peers' ports closed: every
 * path that opens a port checks, under the evtchn_lock of each domain
 * it touches, that neither is dying, so no channel can appear behind
 * the teardown and references never outlive DOMAIN_DEL.
 *
 * Guests name other domains by id; that lookup takes no lock
 * (pvisor_domain_get()), and a bind that fails validation allocates
 * nothing in the other domain.
 */

#include <linux/bitops.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <pvisor/event.h>

#include "domain.h"
#include "evtchn.h"
#include "evtchn_fd.h"
#include "hypercall.h"
#include "runner.h"
#include "stats.h"
#include "guest_addr.h"
#include "vcpu.h"

/** pvisor_shared_info() - the domain's shared_info page */
struct pvisor_shared_info *pvisor_shared_info(struct pvisor_domain *dom)
{
	return page_address(dom->shared_info);
}

static unsigned long *pending_bits(struct pvisor_domain *dom)
{
	return (unsigned long *)pvisor_shared_info(dom)->evtchn_pending;
}

static unsigned long *mask_bits(struct pvisor_domain *dom)
{
	return (unsigned long *)pvisor_shared_info(dom)->evtchn_mask;
}

/* Xen's 2-level "set pending": see the story at the top. */
static void mark_pending(struct pvisor_domain *dom, unsigned int port,
			 unsigned int vcpu_id)
{
	struct pvisor_vcpu_info *vi = &pvisor_shared_info(dom)->vcpu_info[vcpu_id];

	if (test_and_set_bit(port, pending_bits(dom)))
		return;
	pvisor_stats_event_delivered(dom, port, vcpu_id);
	/*
	 * A poll waits for the port itself, masked or not, on any vCPU (as
	 * Xen wakes every poller). The bit operation above is a full
	 * barrier: a poller that queued itself before it is seen here, and
	 * one that queues later sees the bit.
	 */
	if (waitqueue_active(&dom->poll_wait))
		wake_up_interruptible(&dom->poll_wait);
	if (test_bit(port, mask_bits(dom)))
		return;
	if (test_and_set_bit(port / BITS_PER_LONG,
			     (unsigned long *)&vi->evtchn_pending_sel))
		return;
	if (xchg(&vi->evtchn_upcall_pending, 1))
		return;
	pvisor_vcpu_kick(&dom->vcpus[vcpu_id]);
}

/**
 * pvisor_events_init() - a new domain's shared_info page and vCPU events
 * @dom: the domain being created
 */
int pvisor_events_init(struct pvisor_domain *dom)
{
	spin_lock_init(&dom->evtchn_lock);
	dom->shared_info = alloc_page(GFP_KERNEL | __GFP_ZERO);
	return dom->shared_info ? 0 : -ENOMEM;
}

/** pvisor_events_free() - free what pvisor_events_init() allocated */
void pvisor_events_free(struct pvisor_domain *dom)
{
	kvfree(dom->evtchns);
	if (dom->shared_info)
		__free_page(dom->shared_info);
}

/*
 * The port table, allocated on first use: most domains never need one.
 * Its size is fixed, and it is charged to the memory cgroup of whoever
 * caused it: the guest's runner for a hypercall, Domain0 for a bind.
 */
static int ensure_table(struct pvisor_domain *dom)
{
	struct pvisor_evtchn *table;

	if (READ_ONCE(dom->evtchns))
		return 0;
	table = kvcalloc(PVISOR_NR_EVENT_CHANNELS, sizeof(*table),
			  GFP_KERNEL_ACCOUNT);
	if (!table)
		return -ENOMEM;
	spin_lock_bh(&dom->evtchn_lock);
	if (!dom->evtchns) {
		dom->evtchns = table;
		table = NULL;
	}
	spin_unlock_bh(&dom->evtchn_lock);
	kvfree(table);
	return 0;
}

/* A free port, or -ENOSPC. Port 0 is never handed out. Locked. */
static int alloc_port(struct pvisor_domain *dom)
{
	unsigned int port;

	for (port = 1; port < PVISOR_NR_EVENT_CHANNELS; port++)
		if (dom->evtchns[port].state == PVISOR_EVTCHNSTAT_CLOSED)
			return port;
	return -ENOSPC;
}

/* The channel at @port if it is open, else NULL. Locked. */
static struct pvisor_evtchn *open_port(struct pvisor_domain *dom, u32 port)
{
	if (!dom->evtchns || port == 0 || port >= PVISOR_NR_EVENT_CHANNELS ||
	    dom->evtchns[port].state == PVISOR_EVTCHNSTAT_CLOSED)
		return NULL;
	return &dom->evtchns[port];
}

/*
 * May a port be opened in @dom? Called under its evtchn_lock, which
 * orders this read against the destroyer's teardown (domain.c).
 */
static bool alive_locked(struct pvisor_domain *dom)
{
	return !pvisor_domain_dying(dom);
}

/*
 * Lock two domains' tables in id order. For one domain twice, the second
 * "acquisition" is only sparse's bookkeeping, so callers balance either
 * way.
 */
static void lock_pair(struct pvisor_domain *a, struct pvisor_domain *b)
	__acquires(&a->evtchn_lock) __acquires(&b->evtchn_lock)
{
	struct pvisor_domain *first = a->id <= b->id ? a : b;
	struct pvisor_domain *second = first == a ? b : a;

	spin_lock_bh(&first->evtchn_lock);
	if (first != second)
		spin_lock_nested(&second->evtchn_lock, SINGLE_DEPTH_NESTING);
	else
		__acquire(&second->evtchn_lock);
}

static void unlock_pair(struct pvisor_domain *a, struct pvisor_domain *b)
	__releases(&a->evtchn_lock) __releases(&b->evtchn_lock)
{
	struct pvisor_domain *first = a->id <= b->id ? a : b;
	struct pvisor_domain *second = first == a ? b : a;

	if (first != second)
		spin_unlock(&second->evtchn_lock);
	else
		__release(&second->evtchn_lock);
	spin_unlock_bh(&first->evtchn_lock);
}

static void close_locked(struct pvisor_domain *dom, struct pvisor_evtchn *chn,
			 u32 port)
{
	if (chn->state == PVISOR_EVTCHNSTAT_VIRQ &&
	    dom->vcpus[chn->vcpu].virq_port[chn->virq] == port)
		dom->vcpus[chn->vcpu].virq_port[chn->virq] = 0;
	memset(chn, 0, sizeof(*chn));
	/* A closed port has nothing left to deliver. */
	clear_bit(port, pending_bits(dom));
}

/* Does @peer's @peer_port point back at @port of @dom? Both locked. */
static struct pvisor_evtchn *peer_end(struct pvisor_domain *dom, u32 port,
				      struct pvisor_domain *peer, u32 peer_port)
{
	struct pvisor_evtchn *pchn = open_port(peer, peer_port);

	if (pchn && pchn->state == PVISOR_EVTCHNSTAT_INTERDOMAIN &&
	    pchn->remote == dom && pchn->remote_port == port)
		return pchn;
	return NULL;
}

/*
 * Undo an interdomain binding from @dom's side: close our end, and make
 * the peer's end UNBOUND (offered back to us, as Xen does on CLOSE, so it
 * can be bound again) or, with @peer_closed (we are being destroyed),
 * CLOSED. Both locks are held. The peer's end is touched only if it
 * still points back at ours.
 *
 * Return: whether it did. Our end's reference to the peer is the
 * caller's to drop, and if the peer's end pointed back, so is its
 * reference to @dom, once the locks are released.
 */
static bool unbind_locked(struct pvisor_domain *dom, struct pvisor_evtchn *chn,
			  u32 port, bool peer_closed)
{
	struct pvisor_domain *peer = chn->remote;
	u32 peer_port = chn->remote_port;
	struct pvisor_evtchn *pchn = peer_end(dom, port, peer, peer_port);

	close_locked(dom, chn, port);
	if (!pchn)
		return false;
	if (peer_closed) {
		close_locked(peer, pchn, peer_port);
	} else {
		pchn->state = PVISOR_EVTCHNSTAT_UNBOUND;
		pchn->remote_domid = dom->id;
		pchn->remote_port = 0;
		pchn->remote = NULL;
	}
	return true;
}

/*
 * The domain a guest names: 0 is itself. A reference, or
 * ERR_PTR(-ENOENT) if there is none by that id or it is dying.
 */
static struct pvisor_domain *named_domain(struct pvisor_domain *self, u32 id)
{
	struct pvisor_domain *dom;

	if (id == PVISOR_DOMID_SELF || id == self->id) {
		kref_get(&self->ref);
		return self;
	}
	dom = pvisor_domain_get(id);
	return dom ? dom : ERR_PTR(-ENOENT);
}

static long op_alloc_unbound(struct pvisor_domain *dom, void __user *uarg)
{
	struct pvisor_evtchn_alloc_unbound arg;
	struct pvisor_domain *remote;
	int port;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	/* A port for a backend in Domain0, which binds it as a file. */
	if (arg.remote_dom == PVISOR_DOMID_DOM0) {
		port = pvisor_evtchn_offer_dom0(dom);
		if (port == -ENOENT)
			port = -ESRCH;	/* the caller itself is dying */
		if (port < 0)
			return port;
		return put_user(port, &((struct pvisor_evtchn_alloc_unbound __user *)uarg)->port);
	}
	remote = named_domain(dom, arg.remote_dom);
	if (IS_ERR(remote))
		return PTR_ERR(remote);

	spin_lock_bh(&dom->evtchn_lock);
	port = alive_locked(dom) ? alloc_port(dom) : -ESRCH;
	if (port > 0) {
		dom->evtchns[port].state = PVISOR_EVTCHNSTAT_UNBOUND;
		dom->evtchns[port].remote_domid = remote->id;
	}
	spin_unlock_bh(&dom->evtchn_lock);
	pvisor_domain_put(remote);
	if (port < 0)
		return port;
	return put_user(port, &((struct pvisor_evtchn_alloc_unbound __user *)uarg)->port);
}

static long op_bind_interdomain(struct pvisor_domain *dom, void __user *uarg)
{
	struct pvisor_evtchn_bind_interdomain __user *u = uarg;
	struct pvisor_evtchn_bind_interdomain arg;
	struct pvisor_domain *remote;
	struct pvisor_evtchn *rchn;
	int port, ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	/* A port for a backend in Domain0, which binds it as a file. */
	if (arg.remote_dom == PVISOR_DOMID_DOM0) {
		port = pvisor_evtchn_offer_dom0(dom);
		if (port == -ENOENT)
			port = -ESRCH;	/* the caller itself is dying */
		if (port < 0)
			return port;
		return put_user(port, &((struct pvisor_evtchn_alloc_unbound __user *)uarg)->port);
	}
	remote = named_domain(dom, arg.remote_dom);
	if (IS_ERR(remote))
		return PTR_ERR(remote);

	/*
	 * A remote without a port table has nothing unbound to offer:
	 * open_port() says so, and nothing is allocated there.
	 */
	lock_pair(dom, remote);
	ret = -ESRCH;
	if (!alive_locked(dom))
		goto out_unlock;
	ret = -ENOENT;		/* as if the lookup had come a little later */
	if (!alive_locked(remote))
		goto out_unlock;
	rchn = open_port(remote, arg.remote_port);
	ret = -EINVAL;
	if (!rchn || rchn->state != PVISOR_EVTCHNSTAT_UNBOUND ||
	    rchn->remote_domid != dom->id)
		goto out_unlock;
	port = alloc_port(dom);
	ret = port;
	if (port < 0)
		goto out_unlock;
	/* Each side holds a reference to the other. */
	kref_get(&remote->ref);
	dom->evtchns[port] = (struct pvisor_evtchn) {
		.state = PVISOR_EVTCHNSTAT_INTERDOMAIN,
		.remote_domid = remote->id,
		.remote_port = arg.remote_port,
		.remote = remote,
	};
	kref_get(&dom->ref);
	rchn->state = PVISOR_EVTCHNSTAT_INTERDOMAIN;
	rchn->remote_domid = dom->id;
	rchn->remote_port = port;
	rchn->remote = dom;
	ret = 0;
out_unlock:
	unlock_pair(dom, remote);
	pvisor_domain_put(remote);
	if (ret)
		return ret;
	return put_user(port, &u->local_port);
}

static long op_bind_virq(struct pvisor_domain *dom, void __user *uarg)
{
	struct pvisor_evtchn_bind_virq arg;
	struct pvisor_vcpu *vcpu;
	int port;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.virq >= PVISOR_NR_VIRQS || arg.vcpu >= dom->nr_vcpus)
		return -EINVAL;
	vcpu = &dom->vcpus[arg.vcpu];

	spin_lock_bh(&dom->evtchn_lock);
	if (!alive_locked(dom)) {
		port = -ESRCH;
	} else if (vcpu->virq_port[arg.virq]) {
		port = -EEXIST;
	} else {
		port = alloc_port(dom);
		if (port > 0) {
			dom->evtchns[port].state = PVISOR_EVTCHNSTAT_VIRQ;
			dom->evtchns[port].virq = arg.virq;
			dom->evtchns[port].vcpu = arg.vcpu;
			vcpu->virq_port[arg.virq] = port;
		}
	}
	spin_unlock_bh(&dom->evtchn_lock);
	if (port < 0)
		return port;
	return put_user(port, &((struct pvisor_evtchn_bind_virq __user *)uarg)->port);
}

static long op_bind_ipi(struct pvisor_domain *dom, void __user *uarg)
{
	struct pvisor_evtchn_bind_ipi arg;
	int port;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.vcpu >= dom->nr_vcpus)
		return -EINVAL;

	spin_lock_bh(&dom->evtchn_lock);
	port = alive_locked(dom) ? alloc_port(dom) : -ESRCH;
	if (port > 0) {
		dom->evtchns[port].state = PVISOR_EVTCHNSTAT_IPI;
		dom->evtchns[port].vcpu = arg.vcpu;
	}
	spin_unlock_bh(&dom->evtchn_lock);
	if (port < 0)
		return port;
	return put_user(port, &((struct pvisor_evtchn_bind_ipi __user *)uarg)->port);
}

/*
 * SEND: an IPI notifies our own vCPU; an interdomain port notifies the
 * peer's; an unbound port drops the event (Xen does the same); a VIRQ
 * port is the hypervisor's to raise.
 */
static long op_send(struct pvisor_domain *dom, u32 port)
{
	struct pvisor_domain *target = NULL;
	struct pvisor_evtchn *chn;
	u32 tport = 0, tvcpu = 0;
	long ret = 0;

	spin_lock_bh(&dom->evtchn_lock);
	chn = open_port(dom, port);
	if (!chn) {
		ret = -EINVAL;
	} else if (chn->state == PVISOR_EVTCHNSTAT_IPI) {
		target = dom;
		tport = port;
		tvcpu = chn->vcpu;
	} else if (chn->state == PVISOR_EVTCHNSTAT_INTERDOMAIN &&
		   !chn->remote_domid) {
		/* Domain0's end: a file; waking its reader is all it takes. */
		pvisor_evtchn_fd_signal(chn->dom0);
		pvisor_stats_event_sent(dom, port, 0, 0);
	} else if (chn->state == PVISOR_EVTCHNSTAT_INTERDOMAIN) {
		target = chn->remote;
		tport = chn->remote_port;
		/* A loop-back channel: the other end is ours, and so locked. */
		if (target == dom) {
			chn = peer_end(dom, port, dom, tport);
			tvcpu = chn ? chn->vcpu : 0;
			tport = chn ? tport : 0;
		}
	} else if (chn->state == PVISOR_EVTCHNSTAT_VIRQ) {
		ret = -EINVAL;
	}
	if (target)
		kref_get(&target->ref);
	spin_unlock_bh(&dom->evtchn_lock);
	if (!target)
		return ret;

	if (target != dom) {
		/* The peer's channel says which of its vCPUs to notify. */
		spin_lock_bh(&target->evtchn_lock);
		chn = peer_end(dom, port, target, tport);
		tvcpu = chn ? chn->vcpu : 0;
		tport = chn ? tport : 0;  /* closed meanwhile: nothing to deliver */
		spin_unlock_bh(&target->evtchn_lock);
	}
	if (tport) {
		pvisor_stats_event_sent(dom, port, target->id, tport);
		mark_pending(target, tport, tvcpu);
	}
	pvisor_domain_put(target);
	return 0;
}

/*
 * Close @port of @dom, whatever it holds when we get both locks. An
 * interdomain port needs the peer's lock too, taken in id order: look at
 * the peer under our lock, relock both and look again. If the port
 * changed meanwhile (another vCPU closed it and bound it anew, maybe to
 * a third domain), start over with what is there now, as Xen does.
 * With @peer_closed (our domain is dying) the peer's end is closed too,
 * else it is left unbound, offered back to us.
 *
 * Each round is caused by a concurrent change to the port. For a guest
 * (@interruptible) the rounds end when its thread is killed; for a dying
 * domain nothing can bind the port again, so there are at most two.
 *
 * Return: 0, -EINVAL if the port is closed, -EINTR if killed meanwhile.
 */
static long close_port(struct pvisor_domain *dom, u32 port, bool peer_closed,
		       bool interruptible)
{
	struct pvisor_domain *peer;
	struct pvisor_evtchn *chn;
	bool pointed_back;

	for (;;) {
		spin_lock_bh(&dom->evtchn_lock);
		chn = open_port(dom, port);
		if (!chn || chn->state != PVISOR_EVTCHNSTAT_INTERDOMAIN ||
		    !chn->remote_domid) {
			if (chn && chn->state == PVISOR_EVTCHNSTAT_INTERDOMAIN)
				pvisor_evtchn_fd_hangup(chn->dom0);
			if (chn)
				close_locked(dom, chn, port);
			spin_unlock_bh(&dom->evtchn_lock);
			return chn ? 0 : -EINVAL;
		}
		peer = chn->remote;
		kref_get(&peer->ref);
		spin_unlock_bh(&dom->evtchn_lock);

		lock_pair(dom, peer);
		chn = open_port(dom, port);
		if (chn && chn->state == PVISOR_EVTCHNSTAT_INTERDOMAIN &&
		    chn->remote == peer) {
			pointed_back = unbind_locked(dom, chn, port, peer_closed);
			unlock_pair(dom, peer);
			pvisor_domain_put(peer);	/* our end's reference */
			if (pointed_back)
				pvisor_domain_put(dom);	/* the peer end's */
			pvisor_domain_put(peer);	/* ours from above */
			return 0;
		}
		unlock_pair(dom, peer);
		pvisor_domain_put(peer);
		if (interruptible && fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
}

static long op_close(struct pvisor_domain *dom, u32 port)
{
	return close_port(dom, port, false, true);
}

static long op_unmask(struct pvisor_domain *dom, u32 port)
{
	struct pvisor_evtchn *chn;
	u32 vcpu = 0;

	if (port == 0 || port >= PVISOR_NR_EVENT_CHANNELS)
		return -EINVAL;
	spin_lock_bh(&dom->evtchn_lock);
	chn = open_port(dom, port);
	if (chn)
		vcpu = chn->vcpu;
	spin_unlock_bh(&dom->evtchn_lock);
	if (!chn)
		return -EINVAL;

	/* Re-deliver what arrived while masked: the edge was swallowed. */
	if (test_and_clear_bit(port, mask_bits(dom)) &&
	    test_and_clear_bit(port, pending_bits(dom)))
		mark_pending(dom, port, vcpu);
	return 0;
}

static long op_status(struct pvisor_domain *dom, void __user *uarg)
{
	struct pvisor_evtchn_status arg;
	struct pvisor_evtchn *chn;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.port >= PVISOR_NR_EVENT_CHANNELS)
		return -EINVAL;

	spin_lock_bh(&dom->evtchn_lock);
	chn = open_port(dom, arg.port);
	arg.status = chn ? chn->state : PVISOR_EVTCHNSTAT_CLOSED;
	arg.vcpu = chn ? chn->vcpu : 0;
	arg.remote_dom = chn ? chn->remote_domid : 0;
	arg.remote_port = chn ? chn->remote_port : 0;
	arg.virq = chn ? chn->virq : 0;
	spin_unlock_bh(&dom->evtchn_lock);
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

static long op_bind_vcpu(struct pvisor_domain *dom, void __user *uarg)
{
	struct pvisor_evtchn_bind_vcpu arg;
	struct pvisor_evtchn *chn;
	long ret = -EINVAL;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.vcpu >= dom->nr_vcpus)
		return -EINVAL;

	spin_lock_bh(&dom->evtchn_lock);
	chn = open_port(dom, arg.port);
	/* VIRQs belong to their vCPU; IPIs name theirs at bind time. */
	if (chn && (chn->state == PVISOR_EVTCHNSTAT_INTERDOMAIN ||
		    chn->state == PVISOR_EVTCHNSTAT_UNBOUND)) {
		chn->vcpu = arg.vcpu;
		ret = 0;
	}
	spin_unlock_bh(&dom->evtchn_lock);
	return ret;
}

/* CLOSE, SEND and UNMASK take just a port. */
static long port_op(struct pvisor_domain *dom, u64 cmd, void __user *uarg)
{
	struct pvisor_evtchn_port arg;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	switch (cmd) {
	case PVISOR_EVTCHNOP_SEND:
		return op_send(dom, arg.port);
	case PVISOR_EVTCHNOP_CLOSE:
		return op_close(dom, arg.port);
	default:
		return op_unmask(dom, arg.port);
	}
}

/**
 * pvisor_hc_event_channel_op() - event_channel_op(cmd, arg)
 * @runner: the caller's runner
 * @vcpu: the calling vCPU
 * @args: a[0], the command; a[1], its argument structure
 */
long pvisor_hc_event_channel_op(struct pvisor_runner *runner,
				struct pvisor_vcpu *vcpu,
				const struct pvisor_hc_args *args)
{
	struct pvisor_domain *dom = runner->dom;
	void __user *uarg = (void __user *)args->a[1];
	long ret;

	/* Every argument structure is at most 24 bytes. */
	if (!pvisor_guest_range_ok(args->a[1], sizeof(struct pvisor_evtchn_status)))
		return -EFAULT;
	ret = ensure_table(dom);
	if (ret)
		return ret;

	switch (args->a[0]) {
	case PVISOR_EVTCHNOP_ALLOC_UNBOUND:
		return op_alloc_unbound(dom, uarg);
	case PVISOR_EVTCHNOP_BIND_INTERDOMAIN:
		return op_bind_interdomain(dom, uarg);
	case PVISOR_EVTCHNOP_BIND_VIRQ:
		return op_bind_virq(dom, uarg);
	case PVISOR_EVTCHNOP_BIND_IPI:
		return op_bind_ipi(dom, uarg);
	case PVISOR_EVTCHNOP_SEND:
	case PVISOR_EVTCHNOP_CLOSE:
	case PVISOR_EVTCHNOP_UNMASK:
		return port_op(dom, args->a[0], uarg);
	case PVISOR_EVTCHNOP_STATUS:
		return op_status(dom, uarg);
	case PVISOR_EVTCHNOP_BIND_VCPU:
		return op_bind_vcpu(dom, uarg);
	default:
		return -EINVAL;
	}
}

/**
 * pvisor_evtchn_connect() - Domain0 binds two domains together
 * @a: a domain
 * @b: another, or @a itself
 * @port_a: out: the new port in @a
 * @port_b: out: the new port in @b, bound to @port_a
 *
 * Return: 0, -ENOENT (one of them is dying), -ENOMEM or -ENOSPC (no free
 * port on one side).
 */
int pvisor_evtchn_connect(struct pvisor_domain *a, struct pvisor_domain *b,
			  u32 *port_a, u32 *port_b)
{
	int pa, pb, ret;

	ret = ensure_table(a);
	if (!ret)
		ret = ensure_table(b);
	if (ret)
		return ret;

	lock_pair(a, b);
	if (!alive_locked(a) || !alive_locked(b)) {
		ret = -ENOENT;
		goto out_unlock;
	}
	pa = alloc_port(a);
	if (pa < 0) {
		ret = pa;
		goto out_unlock;
	}
	/* Claim pa first, so that a == b gets two different ports. */
	a->evtchns[pa].state = PVISOR_EVTCHNSTAT_UNBOUND;
	pb = alloc_port(b);
	if (pb < 0) {
		a->evtchns[pa].state = PVISOR_EVTCHNSTAT_CLOSED;
		ret = pb;
		goto out_unlock;
	}
	kref_get(&b->ref);
	a->evtchns[pa] = (struct pvisor_evtchn) {
		.state = PVISOR_EVTCHNSTAT_INTERDOMAIN,
		.remote_domid = b->id,
		.remote_port = pb,
		.remote = b,
	};
	kref_get(&a->ref);
	b->evtchns[pb] = (struct pvisor_evtchn) {
		.state = PVISOR_EVTCHNSTAT_INTERDOMAIN,
		.remote_domid = a->id,
		.remote_port = pa,
		.remote = a,
	};
	*port_a = pa;
	*port_b = pb;
out_unlock:
	unlock_pair(a, b);
	return ret;
}

/**
 * pvisor_evtchn_offer_dom0() - a new port of @dom that Domain0 may bind
 * @dom: the domain
 *
 * The port is UNBOUND with remote_domid 0, which no guest can name (0 is
 * DOMID_SELF to a guest): only pvisor_evtchn_bind_dom0() binds it.
 *
 * Return: the port, or -ENOENT (dying), -ENOMEM, -ENOSPC.
 */
int pvisor_evtchn_offer_dom0(struct pvisor_domain *dom)
{
	int port = ensure_table(dom);

	if (port)
		return port;
	spin_lock_bh(&dom->evtchn_lock);
	port = alive_locked(dom) ? alloc_port(dom) : -ENOENT;
	if (port > 0) {
		dom->evtchns[port].state = PVISOR_EVTCHNSTAT_UNBOUND;
		dom->evtchns[port].remote_domid = 0;
	}
	spin_unlock_bh(&dom->evtchn_lock);
	return port;
}

/*
 * @dom's @port if it is Domain0's end @ep (or, with @ep NULL, a port
 * offered to Domain0). Locked.
 */
static struct pvisor_evtchn *dom0_port(struct pvisor_domain *dom, u32 port,
				       struct pvisor_evtchn_fd *ep)
{
	struct pvisor_evtchn *chn = open_port(dom, port);

	if (!chn || chn->remote_domid)
		return NULL;
	if (!ep)
		return chn->state == PVISOR_EVTCHNSTAT_UNBOUND ? chn : NULL;
	return chn->state == PVISOR_EVTCHNSTAT_INTERDOMAIN && chn->dom0 == ep ?
	       chn : NULL;
}

/**
 * pvisor_evtchn_bind_dom0() - connect Domain0's file @ep to @dom's @port
 * @dom: the guest
 * @port: a port of it offered to Domain0 (pvisor_evtchn_offer_dom0())
 * @ep: the file's end, which stays valid until
 *      pvisor_evtchn_unbind_dom0()
 *
 * Return: 0, -ENOENT (dying), -EINVAL (no such port offered to Domain0:
 * closed, bound already, or the guest's own).
 */
int pvisor_evtchn_bind_dom0(struct pvisor_domain *dom, u32 port,
			    struct pvisor_evtchn_fd *ep)
{
	struct pvisor_evtchn *chn;
	int ret = 0;

	spin_lock_bh(&dom->evtchn_lock);
	chn = dom0_port(dom, port, NULL);
	if (!alive_locked(dom)) {
		ret = -ENOENT;
	} else if (!chn) {
		ret = -EINVAL;
	} else {
		chn->state = PVISOR_EVTCHNSTAT_INTERDOMAIN;
		chn->remote_port = 0;
		chn->dom0 = ep;
	}
	spin_unlock_bh(&dom->evtchn_lock);
	return ret;
}

/**
 * pvisor_evtchn_unbind_dom0() - Domain0's file @ep lets go of @dom's @port
 * @dom: the guest
 * @port: the port @ep was bound to
 * @ep: the file's end
 *
 * The port is offered to Domain0 again (as Xen leaves a port whose peer
 * closed), so that a restarted daemon can bind it anew. Nothing happens
 * if the guest closed the port meanwhile.
 */
void pvisor_evtchn_unbind_dom0(struct pvisor_domain *dom, u32 port,
			       struct pvisor_evtchn_fd *ep)
{
	struct pvisor_evtchn *chn;

	spin_lock_bh(&dom->evtchn_lock);
	chn = dom0_port(dom, port, ep);
	if (chn) {
		chn->state = PVISOR_EVTCHNSTAT_UNBOUND;
		chn->dom0 = NULL;
	}
	spin_unlock_bh(&dom->evtchn_lock);
}

/**
 * pvisor_evtchn_notify_from_dom0() - Domain0's file @ep sends on its port
 * @dom: the guest
 * @port: the port @ep was bound to
 * @ep: the file's end
 *
 * Return: 0, or -EPIPE when the guest closed the port.
 */
int pvisor_evtchn_notify_from_dom0(struct pvisor_domain *dom, u32 port,
				   struct pvisor_evtchn_fd *ep)
{
	struct pvisor_evtchn *chn;
	u32 vcpu = 0;

	spin_lock_bh(&dom->evtchn_lock);
	chn = dom0_port(dom, port, ep);
	if (chn)
		vcpu = chn->vcpu;
	spin_unlock_bh(&dom->evtchn_lock);
	if (!chn)
		return -EPIPE;
	mark_pending(dom, port, vcpu);
	return 0;
}

/** pvisor_hc_set_callbacks() - set_callbacks(event_address) */
long pvisor_hc_set_callbacks(struct pvisor_vcpu *vcpu,
			     const struct pvisor_hc_args *args)
{
	if (args->a[0] && !pvisor_guest_range_ok(args->a[0], 1))
		return -EINVAL;
	WRITE_ONCE(vcpu->event_callback, args->a[0]);
	return 0;
}

/**
 * pvisor_evtchn_recheck() - on the way back to the guest after a hypercall
 * @vcpu: the calling vCPU, from its own thread
 *
 * An upcall that became deliverable without a kick (the guest unmasked
 * with one pending, or a block returned) is delivered now: the vCPU
 * kicks itself, so any hypercall serves as Xen's "force the callback".
 */
void pvisor_evtchn_recheck(struct pvisor_vcpu *vcpu)
{
	if (pvisor_evtchn_deliverable(vcpu))
		send_sig(SIGUSR1, current, 1);
}

/**
 * pvisor_evtchn_deliverable() - may the vCPU take an upcall now?
 * @vcpu: the vCPU
 *
 * True when it has a callback, an upcall pending and upcalls unmasked.
 */
bool pvisor_evtchn_deliverable(struct pvisor_vcpu *vcpu)
{
	struct pvisor_vcpu_info *vi =
		&pvisor_shared_info(vcpu->dom)->vcpu_info[vcpu->id];

	return READ_ONCE(vcpu->event_callback) &&
	       READ_ONCE(vi->evtchn_upcall_pending) &&
	       !READ_ONCE(vi->evtchn_upcall_mask);
}

/**
 * pvisor_evtchn_any_pending() - is one of these ports pending?
 * @dom: the domain
 * @ports: port numbers, each below PVISOR_NR_EVENT_CHANNELS
 * @nr: how many
 */
bool pvisor_evtchn_any_pending(struct pvisor_domain *dom, const u32 *ports,
			       unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (test_bit(ports[i], pending_bits(dom)))
			return true;
	return false;
}

/**
 * pvisor_evtchn_raise_virq() - raise a virtual interrupt on a vCPU
 * @vcpu: the vCPU
 * @virq: PVISOR_VIRQ_*; nothing happens if the guest has not bound it
 *
 * Any context, softirq included.
 */
void pvisor_evtchn_raise_virq(struct pvisor_vcpu *vcpu, unsigned int virq)
{
	struct pvisor_domain *dom = vcpu->dom;
	u16 port;

	spin_lock_bh(&dom->evtchn_lock);
	port = vcpu->virq_port[virq];
	spin_unlock_bh(&dom->evtchn_lock);
	if (port)
		mark_pending(dom, port, vcpu->id);
}

/**
 * pvisor_evtchn_teardown() - close every port of a domain being destroyed
 * @dom: the domain, just marked dying (domain.c)
 *
 * Interdomain peers see their ports closed; the references both sides
 * held go, so neither domain keeps the other alive. Nothing can open a
 * port in a dying domain, so one pass over the table closes them all.
 * The pass is bounded by PVISOR_NR_EVENT_CHANNELS and cannot stop
 * halfway (that would leak the references), so it ignores signals.
 */
void pvisor_evtchn_teardown(struct pvisor_domain *dom)
{
	bool has_table;
	u32 port;

	/*
	 * Taking the lock orders the dying flag before every bind that
	 * comes later, and shows us a table a bind before it allocated.
	 */
	spin_lock_bh(&dom->evtchn_lock);
	has_table = !!dom->evtchns;
	spin_unlock_bh(&dom->evtchn_lock);
	if (!has_table)
		return;
	for (port = 1; port < PVISOR_NR_EVENT_CHANNELS; port++) {
		close_port(dom, port, true, false);
		cond_resched();
	}
}
