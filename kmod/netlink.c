// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "pvisor": Domain0's control plane.
 *
 * Documentation/netlink/specs/pvisor.yaml is the contract this file
 * follows. Every operation validates strictly against its own policy, so
 * an attribute the operation does not take is an error, not ignored.
 * Operations run in parallel (parallel_ops); domain.c does the locking.
 * Only the initial network namespace sees the family: domains are a
 * host-wide resource.
 */

#include <linux/bitops.h>
#include <linux/capability.h>
#include <linux/err.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <pvisor/device.h>
#include <pvisor/event.h>
#include <pvisor/hypercall.h>
#include <pvisor/netlink.h>

#include "compat.h"
#include "context.h"
#include "domain.h"
#include "evtchn.h"
#include "netlink.h"
#include "stats.h"
#include "store.h"

static struct genl_family pvisor_family;

enum pvisor_mcgrp {
	MCGRP_DOMAIN,
};

static const struct genl_multicast_group pvisor_mcgrps[] = {
	/* Names, sizes, states and crash reasons are Domain0's business. */
	[MCGRP_DOMAIN] = {
		.name = PVISOR_MCGRP_DOMAIN,
		.flags = GENL_MCAST_CAP_SYS_ADMIN,
	},
};

static const struct nla_policy domain_new_policy[PVISOR_A_DOMAIN_MAX + 1] = {
	[PVISOR_A_DOMAIN_NAME] = { .type = NLA_NUL_STRING, .len = PVISOR_NAME_MAX - 1 },
	[PVISOR_A_DOMAIN_MEMORY] = { .type = NLA_U64 },
	[PVISOR_A_DOMAIN_VCPUS] = NLA_POLICY_RANGE(NLA_U32, 1, PVISOR_MAX_VCPUS),
};

/* DOMAIN_DEL and DOMAIN_GET name a domain by id, name, or both. */
static const struct nla_policy domain_select_policy[PVISOR_A_DOMAIN_MAX + 1] = {
	[PVISOR_A_DOMAIN_ID] = NLA_POLICY_RANGE(NLA_U32, 1, PVISOR_DOMID_MAX),
	[PVISOR_A_DOMAIN_NAME] = { .type = NLA_NUL_STRING, .len = PVISOR_NAME_MAX - 1 },
};

/* CONSOLE_READ names a domain and where to read from. */
static const struct nla_policy console_read_policy[PVISOR_A_DOMAIN_MAX + 1] = {
	[PVISOR_A_DOMAIN_ID] = NLA_POLICY_RANGE(NLA_U32, 1, PVISOR_DOMID_MAX),
	[PVISOR_A_DOMAIN_NAME] = { .type = NLA_NUL_STRING, .len = PVISOR_NAME_MAX - 1 },
	[PVISOR_A_DOMAIN_CONSOLE_OFFSET] = { .type = NLA_U64 },
};

/* CONSOLE_WRITE names a domain and carries the input. */
static const struct nla_policy console_write_policy[PVISOR_A_DOMAIN_MAX + 1] = {
	[PVISOR_A_DOMAIN_ID] = NLA_POLICY_RANGE(NLA_U32, 1, PVISOR_DOMID_MAX),
	[PVISOR_A_DOMAIN_NAME] = { .type = NLA_NUL_STRING, .len = PVISOR_NAME_MAX - 1 },
	[PVISOR_A_DOMAIN_CONSOLE_DATA] = { .type = NLA_BINARY,
					   .len = PVISOR_CONSOLE_INPUT_SIZE },
};

/* DOMAIN_SHUTDOWN names a domain and, optionally, how it shuts down. */
static const struct nla_policy domain_shutdown_policy[PVISOR_A_DOMAIN_MAX + 1] = {
	[PVISOR_A_DOMAIN_ID] = NLA_POLICY_RANGE(NLA_U32, 1, PVISOR_DOMID_MAX),
	[PVISOR_A_DOMAIN_NAME] = { .type = NLA_NUL_STRING, .len = PVISOR_NAME_MAX - 1 },
	[PVISOR_A_DOMAIN_SHUTDOWN_REASON] =
		NLA_POLICY_RANGE(NLA_U32, PVISOR_SHUTDOWN_POWEROFF,
				 PVISOR_SHUTDOWN_REBOOT),
};

/* EVTCHN_BIND names both ends by id. */
static const struct nla_policy evtchn_bind_policy[PVISOR_A_DOMAIN_MAX + 1] = {
	[PVISOR_A_DOMAIN_ID] = NLA_POLICY_RANGE(NLA_U32, 1, PVISOR_DOMID_MAX),
	[PVISOR_A_DOMAIN_PEER_ID] = NLA_POLICY_RANGE(NLA_U32, 1, PVISOR_DOMID_MAX),
};

/* Console bytes one CONSOLE_READ reply carries at most. */
#define CONSOLE_READ_MAX	(16 * 1024)

static int fill_status(struct sk_buff *skb, struct pvisor_domain *dom)
{
	struct pvisor_domain_status status;

	pvisor_domain_status(dom, &status);
	if (nla_put_u32(skb, PVISOR_A_DOMAIN_STATE, status.state))
		return -EMSGSIZE;
	if (status.state == PVISOR_DOMAIN_STATE_SHUTDOWN ||
	    status.state == PVISOR_DOMAIN_STATE_CRASHED)
		if (nla_put_u32(skb, PVISOR_A_DOMAIN_SHUTDOWN_REASON,
				status.shutdown_reason))
			return -EMSGSIZE;
	if (status.state == PVISOR_DOMAIN_STATE_CRASHED)
		if (nla_put_string(skb, PVISOR_A_DOMAIN_CRASH_REASON,
				   status.crash_reason))
			return -EMSGSIZE;
	return 0;
}

/* The xenstore ring, once the domain builder has set one up. */
static int fill_store(struct sk_buff *skb, struct pvisor_domain *dom)
{
	u64 pfn;
	u32 port;

	if (!pvisor_store_get(dom, &pfn, &port))
		return 0;
	if (nla_put_u64_64bit(skb, PVISOR_A_DOMAIN_STORE_PFN, pfn,
			      PVISOR_A_DOMAIN_PAD) ||
	    nla_put_u32(skb, PVISOR_A_DOMAIN_STORE_PORT, port))
		return -EMSGSIZE;
	return 0;
}

static int fill_domain(struct sk_buff *skb, struct pvisor_domain *dom)
{
	if (nla_put_u32(skb, PVISOR_A_DOMAIN_ID, dom->id) ||
	    nla_put_string(skb, PVISOR_A_DOMAIN_NAME, dom->name) ||
	    nla_put_u64_64bit(skb, PVISOR_A_DOMAIN_MEMORY,
			      (u64)dom->mem.nr_frames << PAGE_SHIFT,
			      PVISOR_A_DOMAIN_PAD) ||
	    nla_put_u32(skb, PVISOR_A_DOMAIN_VCPUS, dom->nr_vcpus) ||
	    fill_status(skb, dom) ||
	    nla_put_u64_64bit(skb, PVISOR_A_DOMAIN_FRAMES,
			      pvisor_reservation_current(&dom->mem),
			      PVISOR_A_DOMAIN_PAD) ||
	    nla_put_u64_64bit(skb, PVISOR_A_DOMAIN_MAX_FRAMES,
			      dom->mem.nr_frames, PVISOR_A_DOMAIN_PAD) ||
	    nla_put_u32(skb, PVISOR_A_DOMAIN_CONTEXTS,
			pvisor_contexts_count(dom)) ||
	    nla_put_u32(skb, PVISOR_A_DOMAIN_MAX_CONTEXTS, dom->contexts.max) ||
	    fill_store(skb, dom) || pvisor_stats_fill(skb, dom))
		return -EMSGSIZE;
	return 0;
}

/* A complete message describing @dom, for replies and notifications. */
static struct sk_buff *domain_msg(struct pvisor_domain *dom, u8 cmd,
				  u32 portid, u32 seq)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return NULL;
	hdr = genlmsg_put(skb, portid, seq, &pvisor_family, 0, cmd);
	if (!hdr || fill_domain(skb, dom)) {
		nlmsg_free(skb);
		return NULL;
	}
	genlmsg_end(skb, hdr);
	return skb;
}

/*
 * Tell listeners on the "domain" group. A lost notification is not an
 * error for the operation that caused it: listeners resync with a dump.
 */
static void notify(struct pvisor_domain *dom, u8 cmd)
{
	struct sk_buff *skb = domain_msg(dom, cmd, 0, 0);

	if (skb)
		genlmsg_multicast(&pvisor_family, skb, 0, MCGRP_DOMAIN,
				  GFP_KERNEL);
}

void pvisor_netlink_domain_stopped(struct pvisor_domain *dom)
{
	if (!pvisor_domain_dying(dom))
		notify(dom, PVISOR_CMD_DOMAIN_SHUTDOWN);
}

void pvisor_netlink_domain_changed(struct pvisor_domain *dom)
{
	if (!pvisor_domain_dying(dom))
		notify(dom, PVISOR_CMD_DOMAIN_GET);
}

/* Controlling domains is Domain0's job: it takes CAP_SYS_ADMIN. */
static int require_admin(struct sk_buff *skb, struct netlink_ext_ack *extack)
{
	if (netlink_capable(skb, CAP_SYS_ADMIN))
		return 0;
	NL_SET_ERR_MSG(extack, "pvisor control needs CAP_SYS_ADMIN");
	return -EPERM;
}

static int pre_doit(const pvisor_genl_doit_ops *ops, struct sk_buff *skb,
		    struct genl_info *info)
{
	return require_admin(skb, info->extack);
}

static int domain_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct pvisor_domain *dom;
	struct sk_buff *reply;
	u32 nr_vcpus = 1;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, PVISOR_A_DOMAIN_NAME) ||
	    GENL_REQ_ATTR_CHECK(info, PVISOR_A_DOMAIN_MEMORY))
		return -EINVAL;
	if (attrs[PVISOR_A_DOMAIN_VCPUS])
		nr_vcpus = nla_get_u32(attrs[PVISOR_A_DOMAIN_VCPUS]);

	dom = pvisor_domain_create(nla_data(attrs[PVISOR_A_DOMAIN_NAME]),
				   nla_get_u64(attrs[PVISOR_A_DOMAIN_MEMORY]),
				   nr_vcpus, info->extack);
	if (IS_ERR(dom))
		return PTR_ERR(dom);

	reply = domain_msg(dom, PVISOR_CMD_DOMAIN_NEW, info->snd_portid,
			   info->snd_seq);
	if (!reply) {
		/* The caller would never learn the id: undo. */
		pvisor_domain_destroy(dom);
		ret = -ENOMEM;
		goto out_put;
	}
	notify(dom, PVISOR_CMD_DOMAIN_NEW);
	ret = genlmsg_reply(reply, info);
out_put:
	pvisor_domain_put(dom);
	return ret;
}

static struct pvisor_domain *selected_domain(struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	u32 id = 0;
	const char *name = NULL;

	if (attrs[PVISOR_A_DOMAIN_ID])
		id = nla_get_u32(attrs[PVISOR_A_DOMAIN_ID]);
	if (attrs[PVISOR_A_DOMAIN_NAME])
		name = nla_data(attrs[PVISOR_A_DOMAIN_NAME]);
	return pvisor_domain_find(id, name, info->extack);
}

static int domain_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct pvisor_domain *dom = selected_domain(info);
	int ret;

	if (IS_ERR(dom))
		return PTR_ERR(dom);
	ret = pvisor_domain_destroy(dom);
	if (ret)
		NL_SET_ERR_MSG(info->extack, "no such domain");
	else
		notify(dom, PVISOR_CMD_DOMAIN_DEL);
	pvisor_domain_put(dom);
	return ret;
}

static int domain_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct pvisor_domain *dom = selected_domain(info);
	struct sk_buff *reply;

	if (IS_ERR(dom))
		return PTR_ERR(dom);
	reply = domain_msg(dom, PVISOR_CMD_DOMAIN_GET, info->snd_portid,
			   info->snd_seq);
	pvisor_domain_put(dom);
	if (!reply)
		return -ENOMEM;
	return genlmsg_reply(reply, info);
}

/* Dumps get no pre_doit, so they check the caller here. */
static int domain_get_start(struct netlink_callback *cb)
{
	return require_admin(cb->skb, cb->extack);
}

/*
 * The dump resumes from cb->args[0], the next id to visit, so it survives
 * being split over many messages; cb->seq carries the table generation so
 * that genl_dump_check_consistent() flags a dump that raced with changes.
 */
static int domain_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct pvisor_domain *dom;
	u32 id = cb->args[0] ? cb->args[0] : 1;
	void *hdr;

	cb->seq = pvisor_domains_generation();
	while ((dom = pvisor_domain_next(&id))) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &pvisor_family,
				  NLM_F_MULTI, PVISOR_CMD_DOMAIN_GET);
		if (!hdr)
			goto out_full;
		genl_dump_check_consistent(cb, hdr);
		if (fill_domain(skb, dom)) {
			genlmsg_cancel(skb, hdr);
			goto out_full;
		}
		genlmsg_end(skb, hdr);
		pvisor_domain_put(dom);
		id++;
	}
	cb->args[0] = PVISOR_DOMID_MAX + 1;
	return skb->len;

out_full:
	pvisor_domain_put(dom);
	cb->args[0] = id;
	return skb->len;
}

/*
 * VCPU_GET and EVTCHN_GET list one domain's vCPUs or ports. The first
 * dumpit call finds the domain and copies what is to be listed, taking
 * each lock once, so the listing is one consistent picture however many
 * messages it spans; later calls walk the copy with its index in
 * cb->args[LIST_NEXT] and the done callback frees it. The domain itself
 * is not held meanwhile: a slow reader must not keep a destroyed
 * domain's memory alive.
 *
 * The lookup is not done in the start callback because 6.1 gives start
 * no extack (cb->extack is NULL there): a failure in dumpit reaches the
 * caller in NLMSG_DONE with its explanation.
 */
enum list_args {
	LIST_DOMID,		/* the domain listed; 0 until it is copied */
	LIST_ITEMS,		/* the copy (kvmalloc'd) */
	LIST_COUNT,		/* entries in it */
	LIST_NEXT,		/* the next entry to send */
};

struct vcpu_item {
	u32 id;
	struct pvisor_vcpu_report report;
};

/* A port as listed: struct pvisor_evtchn less its peer reference. */
struct evtchn_item {
	u16 port;
	u8 state;
	u8 vcpu;
	u16 virq;
	bool pending;
	bool masked;
	u32 remote_domid;
	u32 remote_port;
};

/* The domain a dump's request names. */
static struct pvisor_domain *list_domain(struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct nlattr **attrs = pvisor_dumpit_attrs(info);
	const char *name = NULL;
	u32 id = 0;

	if (attrs[PVISOR_A_DOMAIN_ID])
		id = nla_get_u32(attrs[PVISOR_A_DOMAIN_ID]);
	if (attrs[PVISOR_A_DOMAIN_NAME])
		name = nla_data(attrs[PVISOR_A_DOMAIN_NAME]);
	return pvisor_domain_find(id, name, cb->extack);
}

static void list_set(struct netlink_callback *cb, struct pvisor_domain *dom,
		     void *items, unsigned int count)
{
	cb->args[LIST_DOMID] = dom->id;
	cb->args[LIST_ITEMS] = (unsigned long)items;
	cb->args[LIST_COUNT] = count;
	cb->args[LIST_NEXT] = 0;
}

/* Dumps get no pre_doit, so they check the caller here. */
static int list_start(struct netlink_callback *cb)
{
	return require_admin(cb->skb, cb->extack);
}

static int list_done(struct netlink_callback *cb)
{
	kvfree((void *)cb->args[LIST_ITEMS]);
	cb->args[LIST_ITEMS] = 0;
	return 0;
}

/*
 * Send entries from cb->args[LIST_NEXT] on with @fill until the skb is
 * full; the next call resumes with the entry that did not fit.
 */
static int list_dumpit(struct sk_buff *skb, struct netlink_callback *cb,
		       u8 cmd, size_t item_size,
		       int (*fill)(struct sk_buff *skb, const void *item))
{
	const char *items = (const char *)cb->args[LIST_ITEMS];
	unsigned long i;
	void *hdr;

	for (i = cb->args[LIST_NEXT]; i < cb->args[LIST_COUNT]; i++) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &pvisor_family,
				  NLM_F_MULTI, cmd);
		if (!hdr)
			break;
		if (nla_put_u32(skb, PVISOR_A_DOMAIN_ID, cb->args[LIST_DOMID]) ||
		    fill(skb, items + i * item_size)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[LIST_NEXT] = i;
	return skb->len;
}

static int copy_vcpus(struct netlink_callback *cb)
{
	struct pvisor_domain *dom = list_domain(cb);
	struct vcpu_item *items;
	u32 i;

	if (IS_ERR(dom))
		return PTR_ERR(dom);
	items = kvmalloc_array(dom->nr_vcpus, sizeof(*items), GFP_KERNEL);
	if (!items) {
		pvisor_domain_put(dom);
		return -ENOMEM;
	}
	for (i = 0; i < dom->nr_vcpus; i++) {
		items[i].id = i;
		pvisor_domain_vcpu_report(dom, i, &items[i].report);
	}
	list_set(cb, dom, items, dom->nr_vcpus);
	pvisor_domain_put(dom);
	return 0;
}

static int fill_vcpu(struct sk_buff *skb, const void *item)
{
	const struct vcpu_item *v = item;

	if (nla_put_u32(skb, PVISOR_A_DOMAIN_VCPU, v->id) ||
	    nla_put_u32(skb, PVISOR_A_DOMAIN_VCPU_STATE, v->report.state) ||
	    nla_put_u64_64bit(skb, PVISOR_A_DOMAIN_CPU_TIME_NS,
			      v->report.cpu_time_ns, PVISOR_A_DOMAIN_PAD))
		return -EMSGSIZE;
	return 0;
}

static int vcpu_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	int ret;

	if (!cb->args[LIST_DOMID]) {
		ret = copy_vcpus(cb);
		if (ret)
			return ret;
	}
	return list_dumpit(skb, cb, PVISOR_CMD_VCPU_GET,
			   sizeof(struct vcpu_item), fill_vcpu);
}

/*
 * Copy @dom's open ports to @items under its evtchn_lock. The pending
 * and mask bits live in guest memory; reading them under the lock gives
 * what the module saw at that moment, which is all a listing can say.
 */
static unsigned int copy_ports(struct pvisor_domain *dom,
			       struct evtchn_item *items)
{
	const unsigned long *pending, *mask;
	const struct pvisor_evtchn *chn;
	unsigned int port, n = 0;

	pending = (const unsigned long *)pvisor_shared_info(dom)->evtchn_pending;
	mask = (const unsigned long *)pvisor_shared_info(dom)->evtchn_mask;

	spin_lock_bh(&dom->evtchn_lock);
	for (port = 1; dom->evtchns && port < PVISOR_NR_EVENT_CHANNELS; port++) {
		chn = &dom->evtchns[port];
		if (chn->state == PVISOR_EVTCHNSTAT_CLOSED)
			continue;
		items[n] = (struct evtchn_item) {
			.port = port,
			.state = chn->state,
			.vcpu = chn->vcpu,
			.virq = chn->virq,
			.pending = test_bit(port, pending),
			.masked = test_bit(port, mask),
			.remote_domid = chn->remote_domid,
			.remote_port = chn->remote_port,
		};
		n++;
	}
	spin_unlock_bh(&dom->evtchn_lock);
	return n;
}

static int copy_evtchns(struct netlink_callback *cb)
{
	struct pvisor_domain *dom = list_domain(cb);
	struct evtchn_item *items;

	if (IS_ERR(dom))
		return PTR_ERR(dom);
	/* Every port but 0 may be open; the copy cannot be sized later. */
	items = kvmalloc_array(PVISOR_NR_EVENT_CHANNELS - 1, sizeof(*items),
			       GFP_KERNEL);
	if (!items) {
		pvisor_domain_put(dom);
		return -ENOMEM;
	}
	list_set(cb, dom, items, copy_ports(dom, items));
	pvisor_domain_put(dom);
	return 0;
}

static int fill_evtchn(struct sk_buff *skb, const void *item)
{
	const struct evtchn_item *chn = item;

	if (nla_put_u32(skb, PVISOR_A_DOMAIN_PORT, chn->port) ||
	    nla_put_u32(skb, PVISOR_A_DOMAIN_EVTCHN_STATE, chn->state) ||
	    nla_put_u32(skb, PVISOR_A_DOMAIN_VCPU, chn->vcpu) ||
	    nla_put_u8(skb, PVISOR_A_DOMAIN_PENDING, chn->pending) ||
	    nla_put_u8(skb, PVISOR_A_DOMAIN_MASKED, chn->masked))
		return -EMSGSIZE;
	switch (chn->state) {
	case PVISOR_EVTCHNSTAT_INTERDOMAIN:
		if (nla_put_u32(skb, PVISOR_A_DOMAIN_PEER_PORT,
				chn->remote_port))
			return -EMSGSIZE;
		fallthrough;
	case PVISOR_EVTCHNSTAT_UNBOUND:
		/* Unbound: the domain allowed to bind it. */
		if (nla_put_u32(skb, PVISOR_A_DOMAIN_PEER_ID, chn->remote_domid))
			return -EMSGSIZE;
		break;
	case PVISOR_EVTCHNSTAT_VIRQ:
		if (nla_put_u32(skb, PVISOR_A_DOMAIN_VIRQ, chn->virq))
			return -EMSGSIZE;
		break;
	}
	return 0;
}

static int evtchn_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	int ret;

	if (!cb->args[LIST_DOMID]) {
		ret = copy_evtchns(cb);
		if (ret)
			return ret;
	}
	return list_dumpit(skb, cb, PVISOR_CMD_EVTCHN_GET,
			   sizeof(struct evtchn_item), fill_evtchn);
}

/*
 * Up to CONSOLE_READ_MAX bytes of the console log from CONSOLE_OFFSET
 * (default 0). The reply's CONSOLE_OFFSET says where the bytes start,
 * later than asked if the ring no longer holds what was asked for.
 */
static int console_read_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *offset_attr = info->attrs[PVISOR_A_DOMAIN_CONSOLE_OFFSET];
	struct pvisor_domain *dom;
	struct sk_buff *reply;
	u64 offset = 0;
	size_t len;
	char *buf;
	void *hdr;
	int ret = -ENOMEM;

	if (offset_attr)
		offset = nla_get_u64(offset_attr);
	dom = selected_domain(info);
	if (IS_ERR(dom))
		return PTR_ERR(dom);

	buf = kmalloc(CONSOLE_READ_MAX, GFP_KERNEL);
	reply = genlmsg_new(CONSOLE_READ_MAX + NLMSG_GOODSIZE, GFP_KERNEL);
	if (!buf || !reply)
		goto err_free;
	len = pvisor_console_read(&dom->console, &offset, buf,
				  CONSOLE_READ_MAX);

	ret = -EMSGSIZE;
	hdr = genlmsg_put_reply(reply, info, &pvisor_family, 0,
				PVISOR_CMD_CONSOLE_READ);
	if (!hdr || nla_put_u32(reply, PVISOR_A_DOMAIN_ID, dom->id) ||
	    nla_put_u64_64bit(reply, PVISOR_A_DOMAIN_CONSOLE_OFFSET, offset,
			      PVISOR_A_DOMAIN_PAD) ||
	    nla_put(reply, PVISOR_A_DOMAIN_CONSOLE_DATA, len, buf))
		goto err_free;
	genlmsg_end(reply, hdr);
	kfree(buf);
	pvisor_domain_put(dom);
	return genlmsg_reply(reply, info);

err_free:
	nlmsg_free(reply);
	kfree(buf);
	pvisor_domain_put(dom);
	return ret;
}

/*
 * Queue CONSOLE_DATA as the domain's console input and raise its
 * VIRQ_CONSOLE. The reply's CONSOLE_WRITTEN says how much fitted; a
 * stopped or dying domain reads nothing any more and gets EPIPE.
 */
static int console_write_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *data = info->attrs[PVISOR_A_DOMAIN_CONSOLE_DATA];
	struct pvisor_domain_status status;
	struct pvisor_domain *dom;
	struct sk_buff *reply;
	size_t written;
	void *hdr;
	int ret;

	if (!data) {
		NL_SET_ERR_MSG(info->extack, "console-data is required");
		return -EINVAL;
	}
	dom = selected_domain(info);
	if (IS_ERR(dom))
		return PTR_ERR(dom);
	pvisor_domain_status(dom, &status);
	ret = -EPIPE;
	if (pvisor_domain_dying(dom) ||
	    status.state == PVISOR_DOMAIN_STATE_SHUTDOWN ||
	    status.state == PVISOR_DOMAIN_STATE_CRASHED) {
		NL_SET_ERR_MSG(info->extack, "the domain has stopped: nothing reads its console");
		goto out_put;
	}
	ret = -ENOMEM;
	reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!reply)
		goto out_put;
	written = pvisor_console_input_write(&dom->console, nla_data(data),
					     nla_len(data));
	if (written)
		pvisor_evtchn_raise_virq(&dom->vcpus[0], PVISOR_VIRQ_CONSOLE);

	ret = -EMSGSIZE;
	hdr = genlmsg_put_reply(reply, info, &pvisor_family, 0,
				PVISOR_CMD_CONSOLE_WRITE);
	if (!hdr || nla_put_u32(reply, PVISOR_A_DOMAIN_ID, dom->id) ||
	    nla_put_u32(reply, PVISOR_A_DOMAIN_CONSOLE_WRITTEN, written)) {
		nlmsg_free(reply);
		goto out_put;
	}
	genlmsg_end(reply, hdr);
	pvisor_domain_put(dom);
	return genlmsg_reply(reply, info);

out_put:
	pvisor_domain_put(dom);
	return ret;
}

/* Run @change on the selected domain; tell listeners if it worked. */
static int change_domain(struct genl_info *info,
			 int (*change)(struct pvisor_domain *dom,
				       struct netlink_ext_ack *extack))
{
	struct pvisor_domain *dom = selected_domain(info);
	int ret;

	if (IS_ERR(dom))
		return PTR_ERR(dom);
	ret = change(dom, info->extack);
	if (!ret)
		notify(dom, info->genlhdr->cmd);
	pvisor_domain_put(dom);
	return ret;
}

static int domain_pause_doit(struct sk_buff *skb, struct genl_info *info)
{
	return change_domain(info, pvisor_domain_pause);
}

static int domain_unpause_doit(struct sk_buff *skb, struct genl_info *info)
{
	return change_domain(info, pvisor_domain_unpause);
}

static int domain_shutdown_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *reason_attr = info->attrs[PVISOR_A_DOMAIN_SHUTDOWN_REASON];
	u32 reason = PVISOR_SHUTDOWN_POWEROFF;
	struct pvisor_domain *dom;
	int ret = 0;

	if (reason_attr)
		reason = nla_get_u32(reason_attr);
	dom = selected_domain(info);
	if (IS_ERR(dom))
		return PTR_ERR(dom);
	if (pvisor_domain_shutdown(dom, reason)) {
		notify(dom, PVISOR_CMD_DOMAIN_SHUTDOWN);
	} else {
		NL_SET_ERR_MSG(info->extack, "only a running or paused domain can be shut down");
		ret = -EINVAL;
	}
	pvisor_domain_put(dom);
	return ret;
}

static int evtchn_bind_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct pvisor_domain *a, *b;
	struct sk_buff *reply;
	u32 pa, pb;
	void *hdr;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, PVISOR_A_DOMAIN_ID) ||
	    GENL_REQ_ATTR_CHECK(info, PVISOR_A_DOMAIN_PEER_ID))
		return -EINVAL;
	a = pvisor_domain_find(nla_get_u32(info->attrs[PVISOR_A_DOMAIN_ID]),
			       NULL, info->extack);
	if (IS_ERR(a))
		return PTR_ERR(a);
	b = pvisor_domain_find(nla_get_u32(info->attrs[PVISOR_A_DOMAIN_PEER_ID]),
			       NULL, info->extack);
	if (IS_ERR(b)) {
		ret = PTR_ERR(b);
		goto out_put_a;
	}

	ret = pvisor_evtchn_connect(a, b, &pa, &pb);
	if (ret == -ENOENT) {
		NL_SET_ERR_MSG(info->extack, "no such domain");
		goto out_put_b;
	} else if (ret) {
		NL_SET_ERR_MSG(info->extack, "no free event-channel port");
		goto out_put_b;
	}
	/*
	 * A reply that cannot be sent leaves the channel bound: the ports
	 * are only numbers, and destroying either domain closes them.
	 */
	ret = -ENOMEM;
	reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!reply)
		goto out_put_b;
	hdr = genlmsg_put_reply(reply, info, &pvisor_family, 0,
				PVISOR_CMD_EVTCHN_BIND);
	if (!hdr || nla_put_u32(reply, PVISOR_A_DOMAIN_ID, a->id) ||
	    nla_put_u32(reply, PVISOR_A_DOMAIN_PORT, pa) ||
	    nla_put_u32(reply, PVISOR_A_DOMAIN_PEER_ID, b->id) ||
	    nla_put_u32(reply, PVISOR_A_DOMAIN_PEER_PORT, pb)) {
		nlmsg_free(reply);
		ret = -EMSGSIZE;
		goto out_put_b;
	}
	genlmsg_end(reply, hdr);
	ret = genlmsg_reply(reply, info);
out_put_b:
	pvisor_domain_put(b);
out_put_a:
	pvisor_domain_put(a);
	return ret;
}

static int info_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *reply;
	void *hdr;

	reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!reply)
		return -ENOMEM;
	hdr = genlmsg_put_reply(reply, info, &pvisor_family, 0,
				PVISOR_CMD_INFO_GET);
	if (!hdr ||
	    nla_put_u32(reply, PVISOR_A_INFO_ABI_VERSION, PVISOR_ABI_VERSION) ||
	    nla_put_u32(reply, PVISOR_A_INFO_DOMAINS, pvisor_domain_count()) ||
	    nla_put_u32(reply, PVISOR_A_INFO_MAX_DOMAINS, pvisor_domain_max()) ||
	    nla_put_u64_64bit(reply, PVISOR_A_INFO_FRAMES_USED,
			      pvisor_frames_used(), PVISOR_A_INFO_PAD) ||
	    nla_put_u64_64bit(reply, PVISOR_A_INFO_FRAMES_LIMIT,
			      pvisor_frames_limit(), PVISOR_A_INFO_PAD) ||
	    nla_put_u32(reply, PVISOR_A_INFO_MAX_VCPUS, PVISOR_MAX_VCPUS) ||
	    nla_put_u32(reply, PVISOR_A_INFO_MAX_CONTEXTS,
			pvisor_max_contexts()) ||
	    nla_put_u32(reply, PVISOR_A_INFO_CONTEXTS,
			pvisor_contexts_total())) {
		nlmsg_free(reply);
		return -EMSGSIZE;
	}
	genlmsg_end(reply, hdr);
	return genlmsg_reply(reply, info);
}

static const struct genl_ops pvisor_ops[] = {
	{
		.cmd = PVISOR_CMD_DOMAIN_NEW,
		.doit = domain_new_doit,
		.policy = domain_new_policy,
		.maxattr = PVISOR_A_DOMAIN_MAX,
	},
	{
		.cmd = PVISOR_CMD_DOMAIN_DEL,
		.doit = domain_del_doit,
		.policy = domain_select_policy,
		.maxattr = PVISOR_A_DOMAIN_MAX,
	},
	{
		.cmd = PVISOR_CMD_DOMAIN_GET,
		.doit = domain_get_doit,
		.start = domain_get_start,
		.dumpit = domain_get_dumpit,
		.policy = domain_select_policy,
		.maxattr = PVISOR_A_DOMAIN_MAX,
	},
	{
		/* No policy: the core rejects every attribute. */
		.cmd = PVISOR_CMD_INFO_GET,
		.doit = info_get_doit,
	},
	{
		.cmd = PVISOR_CMD_CONSOLE_READ,
		.doit = console_read_doit,
		.policy = console_read_policy,
		.maxattr = PVISOR_A_DOMAIN_MAX,
	},
	{
		.cmd = PVISOR_CMD_DOMAIN_PAUSE,
		.doit = domain_pause_doit,
		.policy = domain_select_policy,
		.maxattr = PVISOR_A_DOMAIN_MAX,
	},
	{
		.cmd = PVISOR_CMD_DOMAIN_UNPAUSE,
		.doit = domain_unpause_doit,
		.policy = domain_select_policy,
		.maxattr = PVISOR_A_DOMAIN_MAX,
	},
	{
		.cmd = PVISOR_CMD_DOMAIN_SHUTDOWN,
		.doit = domain_shutdown_doit,
		.policy = domain_shutdown_policy,
		.maxattr = PVISOR_A_DOMAIN_MAX,
	},
	{
		.cmd = PVISOR_CMD_EVTCHN_BIND,
		.doit = evtchn_bind_doit,
		.policy = evtchn_bind_policy,
		.maxattr = PVISOR_A_DOMAIN_MAX,
	},
	{
		.cmd = PVISOR_CMD_VCPU_GET,
		.start = list_start,
		.dumpit = vcpu_get_dumpit,
		.done = list_done,
		.policy = domain_select_policy,
		.maxattr = PVISOR_A_DOMAIN_MAX,
	},
	{
		.cmd = PVISOR_CMD_EVTCHN_GET,
		.start = list_start,
		.dumpit = evtchn_get_dumpit,
		.done = list_done,
		.policy = domain_select_policy,
		.maxattr = PVISOR_A_DOMAIN_MAX,
	},
	{
		.cmd = PVISOR_CMD_CONSOLE_WRITE,
		.doit = console_write_doit,
		.policy = console_write_policy,
		.maxattr = PVISOR_A_DOMAIN_MAX,
	},
};

static struct genl_family pvisor_family __ro_after_init = {
	.name = PVISOR_GENL_NAME,
	.version = PVISOR_GENL_VERSION,
	.module = THIS_MODULE,
	.parallel_ops = true,
	.netnsok = false,
	.resv_start_op = PVISOR_CMD_DOMAIN_NEW,	/* strict from the start */
	.pre_doit = pre_doit,
	.ops = pvisor_ops,
	.n_ops = ARRAY_SIZE(pvisor_ops),
	.mcgrps = pvisor_mcgrps,
	.n_mcgrps = ARRAY_SIZE(pvisor_mcgrps),
};

/** pvisor_netlink_init() - register the "pvisor" generic netlink family */
int pvisor_netlink_init(void)
{
	return genl_register_family(&pvisor_family);
}

/**
 * pvisor_netlink_exit() - unregister the family
 *
 * Returns only once no operation is running any more, so the domain table
 * can be torn down afterwards without racing the control plane.
 */
void pvisor_netlink_exit(void)
{
	genl_unregister_family(&pvisor_family);
}
