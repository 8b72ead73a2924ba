// SPDX-License-Identifier: GPL-2.0
/*
 * Domains in the tree. What a new domain gets follows Xen's toolstack
 * layout, as far as pvisor knows the facts:
 *
 *   /local/domain/N             owned by N (no access for other guests)
 *     name domid vm             Domain0's, readable by N
 *     memory/target             KiB, Domain0's, readable by N
 *     memory/static-max         KiB, likewise
 *     cpu/I/availability        "online" for each vCPU, likewise
 *     device control data       N's own, empty
 *   /vm/UUID/{name,uuid}        Domain0's, readable by N
 *
 * A domain id can be reused while pvisord is down; a tree entry whose
 * name differs from the module's is taken for the old domain and
 * replaced.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <netlink/genl/genl.h>
#include <netlink/socket.h>

#include <pvisor/netlink.h>

#include "conn.h"
#include "domains.h"
#include "ring.h"
#include "domcgroup.h"
#include "lifecycle.h"
#include "log.h"
#include "loop.h"
#include "pvnl.h"
#include "xs.h"
#include "xs_path.h"
#include "xs_watch.h"

static struct pvnl *nl_cmd, *nl_events;
static struct loop_source events_src = { .fd = -1 };
static uint8_t known[PVISOR_DOMID_MAX + 1];

/* pvisord's own changes: Domain0's rights, no reply to send. */
static void no_send(struct xs_conn *c, const struct pvisor_xs_header *h,
		    const void *payload, bool event)
{
	(void)c;
	(void)h;
	(void)payload;
	(void)event;
}

static struct xs_conn self = {
	.privileged = true,
	.label = "pvisord",
	.send = no_send,
};

struct xs_ctx pvisor_self_ctx(void)
{
	struct xs_ctx x = { .conn = &self, .tree = pvisor_xs.tree };

	return x;
}

static struct xs_ctx ctx(void)
{
	return pvisor_self_ctx();
}

bool pvisor_domain_exists(uint32_t domid)
{
	return domid && domid <= PVISOR_DOMID_MAX && known[domid];
}

/* Write @dir/@sub = @value, Domain0's, readable by domain @reader. */
static int entry(const char *dir, const char *sub, const char *value,
		 uint32_t reader)
{
	struct xs_perm perms[2] = { { 0, 'n' }, { reader, 'r' } };
	struct xs_ctx x = ctx();
	char path[160];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	ret = pvisor_xs_op_write(&x, path, value, strlen(value));
	if (!ret)
		ret = pvisor_xs_op_set_perms(&x, path, perms, 2);
	return ret;
}

static int new_uuid(char *out, size_t size)
{
	uint8_t b[16];

	if (getrandom(b, sizeof(b), 0) != sizeof(b))
		return -errno;
	b[6] = (b[6] & 0x0f) | 0x40;	/* version 4: random */
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, size, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
		 b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}

static int introduce(const struct pvnl_domain *d)
{
	static const char *const guest_dirs[] = { "device", "control", "data" };
	char base[64], path[128], vm[64], uuid[40], num[32], kib[32];
	struct xs_perm owner = { d->id, 'n' };
	struct xs_ctx x = ctx();
	uint32_t i;
	int ret;

	pvisor_xs_domain_path(d->id, base, sizeof(base));
	ret = new_uuid(uuid, sizeof(uuid));
	if (ret)
		return ret;
	snprintf(vm, sizeof(vm), "/vm/%s", uuid);
	snprintf(num, sizeof(num), "%u", d->id);
	snprintf(kib, sizeof(kib), "%" PRIu64, d->memory / 1024);

	ret = pvisor_xs_op_mkdir(&x, base);
	if (!ret)
		ret = pvisor_xs_op_set_perms(&x, base, &owner, 1);
	if (!ret)
		ret = entry(base, "name", d->name, d->id);
	if (!ret)
		ret = entry(base, "domid", num, d->id);
	if (!ret)
		ret = entry(base, "vm", vm, d->id);
	if (!ret)
		ret = entry(base, "memory/target", kib, d->id);
	if (!ret)
		ret = entry(base, "memory/static-max", kib, d->id);
	for (i = 0; i < d->vcpus && !ret; i++) {
		snprintf(path, sizeof(path), "cpu/%u/availability", i);
		ret = entry(base, path, "online", d->id);
	}
	for (i = 0; i < 3 && !ret; i++) {
		snprintf(path, sizeof(path), "%s/%s", base, guest_dirs[i]);
		ret = pvisor_xs_op_mkdir(&x, path);
	}
	if (!ret)
		ret = entry(vm, "name", d->name, d->id);
	if (!ret)
		ret = entry(vm, "uuid", uuid, d->id);
	if (ret) {
		log_err("domain %u (%s): cannot make its xenstore entries: %s",
			d->id, d->name, pvisor_xs_errname(ret));
		return ret;
	}
	log_info("domain %u (%s): in xenstore", d->id, d->name);
	pvisor_xs_watch_fire_special(XS_WATCH_INTRODUCE);
	return 0;
}

/* Domain @domid is gone: its entries, its connections, its /vm entry. */
static void forget(uint32_t domid)
{
	char base[64], vm[XS_PATH_BUF + 4];
	struct xs_ctx x = ctx();
	struct xs_node *n;

	if (domid <= PVISOR_DOMID_MAX)
		known[domid] = 0;
	pvisor_conn_close_domain(domid);
	pvisor_ring_detach(domid);
	/* Empty unless its runner is still exiting (then pvctl waits). */
	domcg_remove(domid);
	pvisor_xs_domain_path(domid, base, sizeof(base));
	snprintf(vm, sizeof(vm), "%s/vm", base);
	n = pvisor_xs_lookup(pvisor_xs.tree, vm);
	if (n && !strncmp(n->value->data, "/vm/", 4) && n->value->len < XS_PATH_BUF &&
	    !pvisor_xs_path_canon(n->value->data, 0, vm, NULL))
		pvisor_xs_op_rm(&x, vm);
	if (!pvisor_xs_lookup(pvisor_xs.tree, base))
		return;
	pvisor_xs_op_rm(&x, base);
	log_info("domain %u: removed from xenstore", domid);
	pvisor_xs_watch_fire_special(XS_WATCH_RELEASE);
}

/* Serve @d's xenstore ring, if its builder has set one up. */
static void serve_ring(const struct pvnl_domain *d)
{
	int ret;

	if (!d->store_port || !known[d->id])
		return;
	ret = pvisor_ring_attach(d->id, d->store_pfn, d->store_port);
	if (ret)
		log_warn("domain %u (%s): cannot serve its xenstore ring: %s",
			 d->id, d->name, strerror(-ret));
}

/* The module has @d: make sure the tree agrees. */
static void appeared(const struct pvnl_domain *d)
{
	char path[96];
	struct xs_node *n;

	if (!d->id || d->id > PVISOR_DOMID_MAX)
		return;
	snprintf(path, sizeof(path), "/local/domain/%u/name", d->id);
	n = pvisor_xs_lookup(pvisor_xs.tree, path);
	if (n && !strcmp(n->value->data, d->name)) {
		known[d->id] = 1;
		serve_ring(d);
		return;
	}
	forget(d->id);
	if (!introduce(d))
		known[d->id] = 1;
	serve_ring(d);
}

int pvisor_domain_refresh(uint32_t domid, struct pvnl_domain *d)
{
	int ret = pvnl_domain_get(nl_cmd, domid, NULL, d);

	if (ret)
		return ret;
	if (!pvisor_domain_exists(domid))
		appeared(d);
	return pvisor_domain_exists(domid) ? 0 : -EIO;
}

bool pvisor_domain_alive(uint32_t domid)
{
	struct pvnl_domain d;
	int ret;

	if (!nl_cmd)
		return true;
	ret = pvnl_domain_get(nl_cmd, domid, NULL, &d);
	if (ret)
		return ret != -ENOENT;
	return d.state != PVISOR_DOMAIN_STATE_SHUTDOWN &&
	       d.state != PVISOR_DOMAIN_STATE_CRASHED;
}

struct dumped {
	uint8_t *seen;		/* per domid: 1 listed, 2 listed and stopped */
};

static int dump_one(const struct pvnl_domain *d, void *arg)
{
	struct dumped *s = arg;

	if (d->id && d->id <= PVISOR_DOMID_MAX) {
		s->seen[d->id] = d->state == PVISOR_DOMAIN_STATE_SHUTDOWN ||
				  d->state == PVISOR_DOMAIN_STATE_CRASHED ? 2 : 1;
		appeared(d);
	}
	return 0;
}

/* Reconcile the tree with the module's list of domains. */
static int resync(void)
{
	struct dumped s;
	struct xs_node *n;
	uint32_t domid, gone[64];
	int ret, intr, tries = 0, nr_gone;
	size_t i;

	s.seen = calloc(PVISOR_DOMID_MAX + 1, 1);
	if (!s.seen)
		return -ENOMEM;
	do {
		memset(s.seen, 0, PVISOR_DOMID_MAX + 1);
		ret = pvnl_domain_dump(nl_cmd, dump_one, &s, &intr);
	} while (!ret && intr && ++tries < 10);
	if (ret) {
		log_err("cannot list the module's domains: %s", strerror(-ret));
		goto out;
	}
	/* Everything under /local/domain the module no longer has goes. */
	do {
		nr_gone = 0;
		n = pvisor_xs_lookup(pvisor_xs.tree, "/local/domain");
		for (i = 0; n && i < n->nr_children && nr_gone < 64; i++) {
			if (pvisor_xs_parse_domid(n->children[i]->name->data, &domid))
				continue;
			if (domid && (domid > PVISOR_DOMID_MAX || !s.seen[domid]))
				gone[nr_gone++] = domid;
		}
		for (i = 0; i < (size_t)nr_gone; i++)
			forget(gone[i]);
	} while (nr_gone == 64);
	for (domid = 1; domid <= PVISOR_DOMID_MAX; domid++)
		if (!s.seen[domid])
			known[domid] = 0;
	/* Stops while pvisord was away (or notifications lost). */
	for (domid = 1; domid <= PVISOR_DOMID_MAX; domid++)
		if (s.seen[domid] == 2)
			pvisor_lifecycle_stopped(nl_cmd, domid);
out:
	free(s.seen);
	return ret;
}

static void handle_event(const struct nlmsghdr *nlh)
{
	struct nlattr *tb[PVISOR_A_DOMAIN_MAX + 1];
	const struct genlmsghdr *g;
	struct pvnl_domain d;

	if (nlh->nlmsg_type != pvnl_family_id(nl_events))
		return;
	if (genlmsg_parse((struct nlmsghdr *)nlh, 0, tb, PVISOR_A_DOMAIN_MAX,
			  NULL) < 0 || !tb[PVISOR_A_DOMAIN_ID])
		return;
	g = nlmsg_data(nlh);
	memset(&d, 0, sizeof(d));
	d.id = nla_get_u32(tb[PVISOR_A_DOMAIN_ID]);
	switch (g->cmd) {
	case PVISOR_CMD_DOMAIN_NEW:
		if (!tb[PVISOR_A_DOMAIN_NAME])
			return;
		nla_strlcpy(d.name, tb[PVISOR_A_DOMAIN_NAME], sizeof(d.name));
		if (tb[PVISOR_A_DOMAIN_MEMORY])
			d.memory = nla_get_u64(tb[PVISOR_A_DOMAIN_MEMORY]);
		d.vcpus = tb[PVISOR_A_DOMAIN_VCPUS] ?
			  nla_get_u32(tb[PVISOR_A_DOMAIN_VCPUS]) : 1;
		appeared(&d);
		break;
	case PVISOR_CMD_DOMAIN_DEL:
		forget(d.id);
		break;
	case PVISOR_CMD_DOMAIN_GET:
		/* Its description changed: its xenstore ring appeared. */
		if (pvisor_domain_refresh(d.id, &d) == 0)
			serve_ring(&d);
		break;
	case PVISOR_CMD_DOMAIN_SHUTDOWN:
		pvisor_lifecycle_stopped(nl_cmd, d.id);
		break;
	}
}

/*
 * Some notifications were lost. Those still queued are older than the
 * dump about to be taken, and one of them may announce a domain whose
 * removal was among the lost: drop them all, and let the dump speak.
 * What arrives after this is newer than the dump's start, and complete.
 */
static void drain(int fd, char *buf, size_t size)
{
	ssize_t n;

	do {
		n = recv(fd, buf, size, MSG_DONTWAIT);
	} while (n >= 0 || errno == EINTR || errno == ENOBUFS);
}

static void events_ready(struct loop_source *src, uint32_t events)
{
	static char buf[65536];
	const struct nlmsghdr *nlh;
	ssize_t n;
	int len;

	(void)events;
	for (;;) {
		n = recv(src->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			if (errno == ENOBUFS) {
				log_warn("lost domain notifications: listing the domains again");
				drain(src->fd, buf, sizeof(buf));
				resync();
				continue;
			}
			log_err("domain notifications: %s", strerror(errno));
			return;
		}
		len = n;
		for (nlh = (const void *)buf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len))
			handle_event(nlh);
	}
}

/* Domain0's own entries, as Xen has them. */
static void domain0(void)
{
	struct xs_ctx x = ctx();

	if (!pvisor_xs_lookup(pvisor_xs.tree, "/local/domain/0/name"))
		pvisor_xs_op_write(&x, "/local/domain/0/name", "Domain-0", 8);
	if (!pvisor_xs_lookup(pvisor_xs.tree, "/local/domain/0/domid"))
		pvisor_xs_op_write(&x, "/local/domain/0/domid", "0", 1);
}

int pvisor_domains_init(void)
{
	int group, ret;

	pvisor_xs.domain_exists = pvisor_domain_exists;
	pvisor_xs.ring_served = pvisor_ring_served;
	nl_cmd = pvnl_open();
	nl_events = nl_cmd ? pvnl_open() : NULL;
	if (!nl_cmd || !nl_events) {
		ret = -errno;
		goto err;
	}
	/* Listen first, then list: nothing can fall between the two. */
	group = pvnl_mcgrp_id(nl_events, PVISOR_MCGRP_DOMAIN);
	if (group < 0) {
		ret = group;
		goto err;
	}
	ret = nl_socket_add_membership(pvnl_socket(nl_events), group);
	if (ret < 0) {
		ret = -EPROTO;
		goto err;
	}
	events_src.fd = nl_socket_get_fd(pvnl_socket(nl_events));
	events_src.ready = events_ready;
	ret = pvisor_loop_add(&events_src, EPOLLIN);
	if (ret)
		goto err;
	domain0();
	ret = resync();
	if (ret)
		goto err_loop;
	return 0;
err_loop:
	pvisor_loop_remove(&events_src);
err:
	pvnl_close(nl_events);
	pvnl_close(nl_cmd);
	nl_events = nl_cmd = NULL;
	return ret;
}

void pvisor_domains_exit(void)
{
	if (nl_events)
		pvisor_loop_remove(&events_src);
	pvnl_close(nl_events);
	pvnl_close(nl_cmd);
	nl_events = nl_cmd = NULL;
}
