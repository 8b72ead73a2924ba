// SPDX-License-Identifier: GPL-2.0
/*
 * Notifications on the "domain" multicast group: a DOMAIN_NEW message
 * describing the domain when one is created and a DOMAIN_DEL message when
 * it is destroyed, to every subscriber and to nobody else, and nothing
 * for requests that change nothing.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netlink/genl/genl.h>
#include <netlink/socket.h>

#include "pvtest.h"

#define PREFIX		"nt-"
#define BURST		20
#define WAIT_MS		60000	/* a hang detector: notes come at once */
#define QUIET_MS	300

struct note {
	uint8_t cmd;
	uint32_t portid;
	uint32_t seq;
	bool complete;		/* id, name, memory, vcpus, state, frames */
	struct pvnl_domain dom;
};

/* A subscriber: a pvnl of its own, and the notes it has read ahead. */
struct listener {
	struct pvnl *nl;
	int fd;
	struct note queue[BURST * 2 + 8];
	unsigned int head, tail;
	unsigned int foreign;	/* messages that are not pvisor notes */
};

static int family;

static void parse_note(struct listener *l, const struct nlmsghdr *nlh)
{
	struct nlattr *tb[PVISOR_A_DOMAIN_MAX + 1];
	struct note *n;

	if (nlh->nlmsg_type != family ||
	    nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN) ||
	    l->tail - l->head == PVT_ARRAY_SIZE(l->queue)) {
		l->foreign++;
		return;
	}
	n = &l->queue[l->tail++ % PVT_ARRAY_SIZE(l->queue)];
	memset(n, 0, sizeof(*n));
	n->cmd = ((const struct genlmsghdr *)NLMSG_DATA(nlh))->cmd;
	n->portid = nlh->nlmsg_pid;
	n->seq = nlh->nlmsg_seq;
	if (genlmsg_parse((struct nlmsghdr *)nlh, 0, tb, PVISOR_A_DOMAIN_MAX, NULL) < 0)
		return;
	n->complete = tb[PVISOR_A_DOMAIN_ID] && tb[PVISOR_A_DOMAIN_NAME] &&
		      tb[PVISOR_A_DOMAIN_MEMORY] && tb[PVISOR_A_DOMAIN_VCPUS] &&
		      tb[PVISOR_A_DOMAIN_STATE] && tb[PVISOR_A_DOMAIN_FRAMES];
	if (tb[PVISOR_A_DOMAIN_ID])
		n->dom.id = nla_get_u32(tb[PVISOR_A_DOMAIN_ID]);
	if (tb[PVISOR_A_DOMAIN_NAME])
		nla_strlcpy(n->dom.name, tb[PVISOR_A_DOMAIN_NAME],
			    sizeof(n->dom.name));
	if (tb[PVISOR_A_DOMAIN_MEMORY])
		n->dom.memory = nla_get_u64(tb[PVISOR_A_DOMAIN_MEMORY]);
	if (tb[PVISOR_A_DOMAIN_VCPUS])
		n->dom.vcpus = nla_get_u32(tb[PVISOR_A_DOMAIN_VCPUS]);
	if (tb[PVISOR_A_DOMAIN_STATE])
		n->dom.state = nla_get_u32(tb[PVISOR_A_DOMAIN_STATE]);
	if (tb[PVISOR_A_DOMAIN_FRAMES])
		n->dom.frames = nla_get_u64(tb[PVISOR_A_DOMAIN_FRAMES]);
}

/* The next note, waiting up to @ms. 1: got one, 0: none came, -errno. */
static int next_note(struct listener *l, struct note *out, int ms)
{
	static char buf[16384];
	struct pollfd pfd = { .fd = l->fd, .events = POLLIN };
	const struct nlmsghdr *nlh;
	ssize_t n;
	int len, ret;

	while (l->head == l->tail) {
		ret = poll(&pfd, 1, ms);
		if (ret < 0)
			return -errno;
		if (ret == 0)
			return 0;
		n = recv(l->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN)
				continue;
			return -errno;	/* ENOBUFS: notes were lost */
		}
		len = n;
		for (nlh = (const void *)buf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len))
			parse_note(l, nlh);
	}
	*out = l->queue[l->head++ % PVT_ARRAY_SIZE(l->queue)];
	return 1;
}

static void listener_open(struct listener *l, int group)
{
	int ret;

	memset(l, 0, sizeof(*l));
	l->nl = pvt_open();
	l->fd = nl_socket_get_fd(pvnl_socket(l->nl));
	ret = nl_socket_add_membership(pvnl_socket(l->nl), group);
	if (ret < 0)
		tap_bail("nl_socket_add_membership: libnl error %d", ret);
}

static bool same_domain(const struct pvnl_domain *a,
			const struct pvnl_domain *b)
{
	return a->id == b->id && !strcmp(a->name, b->name) &&
	       a->memory == b->memory && a->vcpus == b->vcpus &&
	       a->state == b->state && a->frames == b->frames;
}

/* Expect a note of @cmd describing @dom (only id and name for DEL). */
static bool expect_note(struct listener *l, uint8_t cmd,
			const struct pvnl_domain *dom, const char *who)
{
	const char *what = cmd == PVISOR_CMD_DOMAIN_NEW ? "NEW" : "DEL";
	struct note n;
	bool good;
	int ret;

	ret = next_note(l, &n, WAIT_MS);
	if (ret <= 0) {
		tap_ok(false, "%s receives a DOMAIN_%s note for %s", who, what,
		       dom->name);
		tap_diag(ret ? "receive failed: %s" : "nothing came%s",
			 ret ? pvt_errno_name(ret) : "");
		return false;
	}
	good = n.cmd == cmd && n.dom.id == dom->id &&
	       !strcmp(n.dom.name, dom->name) &&
	       (cmd != PVISOR_CMD_DOMAIN_NEW || (n.complete && same_domain(&n.dom, dom)));
	if (!tap_ok(good, "%s receives a DOMAIN_%s note for %s (id %u)", who,
		    what, dom->name, dom->id))
		tap_diag("got cmd %u id %u name \"%s\" memory %llu vcpus %u state %u frames %llu complete %d",
			 n.cmd, n.dom.id, n.dom.name,
			 (unsigned long long)n.dom.memory, n.dom.vcpus,
			 n.dom.state, (unsigned long long)n.dom.frames,
			 n.complete);
	return good;
}

static bool expect_quiet(struct listener *l, const char *fmt, ...)
	TAP_PRINTF(2, 3);
static bool expect_quiet(struct listener *l, const char *fmt, ...)
{
	char desc[256];
	struct note n = { 0 };
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	ret = next_note(l, &n, QUIET_MS);
	if (!tap_ok(ret == 0, "%s", desc))
		tap_diag("got %s: cmd %u id %u name \"%s\"",
			 ret > 0 ? "a note" : pvt_errno_name(ret), n.cmd,
			 n.dom.id, n.dom.name);
	return ret == 0;
}

int main(void)
{
	struct pvnl_domain a, b, dom, burst[BURST];
	static struct listener first, second;
	struct pvnl_info base;
	unsigned int i, bad;
	struct pvnl *nl;
	struct note n = { 0 };
	int group, ret;

	nl = pvt_open();
	pvt_cleanup_prefix_on_abort(PREFIX);
	tap_plan(21);
	pvt_info(nl, &base);
	family = pvnl_family_id(nl);

	group = pvnl_mcgrp_id(nl, PVISOR_MCGRP_DOMAIN);
	if (!tap_ok(group > 0, "the \"" PVISOR_MCGRP_DOMAIN "\" group resolves (%d)", group))
		tap_bail("no multicast group");
	ret = pvnl_mcgrp_id(nl, "nosuchgroup");
	tap_ok(ret < 0, "an unknown group does not (%d)", ret);

	listener_open(&first, group);
	listener_open(&second, group);

	ret = pvnl_domain_new(nl, PREFIX "a", 256 * PVT_KIB, 3, &a);
	if (!pvt_expect(nl, ret, 0, "create " PREFIX "a"))
		tap_bail("cannot create domains");
	expect_note(&first, PVISOR_CMD_DOMAIN_NEW, &a, "a subscriber");
	expect_note(&second, PVISOR_CMD_DOMAIN_NEW, &a, "a second subscriber");

	/* Requests that change nothing say nothing. */
	ret = pvnl_domain_new(nl, PREFIX "a", PVT_PAGE, 0, &dom);
	pvt_expect(nl, ret, -EEXIST, "creating " PREFIX "a again fails");
	ret = pvnl_domain_new(nl, PREFIX "c", 4097, 0, &dom);
	pvt_expect(nl, ret, -EINVAL, "creating with unaligned memory fails");
	ret = pvnl_domain_del(nl, 0, PREFIX "nosuch");
	pvt_expect(nl, ret, -ENOENT, "destroying an unknown domain fails");
	ret = pvnl_domain_get(nl, a.id, NULL, &dom);
	pvt_expect(nl, ret, 0, "reading " PREFIX "a succeeds");
	expect_quiet(&first, "none of them sends a note");

	ret = pvnl_domain_del(nl, a.id, NULL);
	pvt_expect(nl, ret, 0, "destroy " PREFIX "a");
	expect_note(&first, PVISOR_CMD_DOMAIN_DEL, &a, "a subscriber");
	expect_note(&second, PVISOR_CMD_DOMAIN_DEL, &a, "a second subscriber");

	/* A socket that leaves the group hears no more. */
	ret = nl_socket_drop_membership(pvnl_socket(second.nl), group);
	tap_ok(ret == 0, "the second subscriber leaves the group");
	ret = pvnl_domain_new(nl, PREFIX "b", PVT_PAGE, 0, &b);
	ret = ret ? ret : pvnl_domain_del(nl, 0, PREFIX "b");
	pvt_expect(nl, ret, 0, "create and destroy " PREFIX "b");
	expect_note(&first, PVISOR_CMD_DOMAIN_NEW, &b, "the subscriber");
	expect_note(&first, PVISOR_CMD_DOMAIN_DEL, &b, "the subscriber");
	expect_quiet(&second, "the socket that left hears nothing of it");

	/* A burst: every note arrives, in order. */
	bad = 0;
	for (i = 0; i < BURST; i++) {
		char name[32];

		snprintf(name, sizeof(name), PREFIX "burst%u", i);
		if (pvnl_domain_new(nl, name, PVT_PAGE, 0, &burst[i]))
			tap_bail("cannot create %s", name);
	}
	for (i = 0; i < BURST; i++)
		if (pvnl_domain_del(nl, burst[i].id, NULL))
			bad++;
	for (i = 0; i < 2 * BURST; i++) {
		const struct pvnl_domain *want = &burst[i % BURST];
		uint8_t cmd = i < BURST ? PVISOR_CMD_DOMAIN_NEW : PVISOR_CMD_DOMAIN_DEL;

		ret = next_note(&first, &n, WAIT_MS);
		if (ret <= 0 || n.cmd != cmd || n.dom.id != want->id ||
		    strcmp(n.dom.name, want->name) || n.portid != 0) {
			if (!bad++)
				tap_diag("note %u: %s, cmd %u id %u (want cmd %u id %u)",
					 i, ret <= 0 ? "missing" : "wrong", n.cmd,
					 n.dom.id, cmd, want->id);
			if (ret <= 0)
				break;
		}
	}
	tap_ok(!bad && !first.foreign,
	       "%u creations and destructions: %u notes from the kernel, in order (%u bad, %u foreign)",
	       BURST, 2 * BURST, bad, first.foreign);

	ret = pvt_count_prefix(nl, PREFIX);
	tap_ok(ret == 0, "no " PREFIX "* domain is left (%d)", ret);
	pvt_expect_accounting(nl, &base, 0, 0,
			      "domains and frames are back at the baseline");

	pvnl_close(first.nl);
	pvnl_close(second.nl);
	pvnl_close(nl);
	tap_finish();
}
