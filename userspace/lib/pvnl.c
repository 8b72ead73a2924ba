// SPDX-License-Identifier: GPL-2.0
/*
 * pvnl: the "pvisor" generic netlink family over libnl-genl-3.
 *
 * Every operation is one transaction: send a request, then read until the
 * kernel closes it with an ack, an error or NLMSG_DONE. libnl's default
 * handling does not fit pvisor's needs, so each transaction installs its
 * own callbacks:
 *
 *  - The kernel's errno is taken from the struct nlmsgerr in the error
 *    callback. What nl_recvmsgs() itself returns went through
 *    nl_syserr2nlerr(), which folds errnos together (ENOSPC, E2BIG and
 *    ERANGE do not survive it), and callers rely on the exact value.
 *  - The extack explanation is parsed there as well (extack.c).
 *  - NLM_F_DUMP_INTR is recorded and the dump read to its end. libnl would
 *    otherwise report -NLE_DUMP_INTR instead of the data; pvnl hands over
 *    every domain and lets the caller decide whether to dump again.
 *  - Messages that are not part of the transaction (multicast
 *    notifications, leftovers of an abandoned one) are skipped rather than
 *    failing libnl's sequence check.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include <pvisor/event.h>
#include <pvisor/hypercall.h>

#include "extack.h"
#include "nlerr.h"
#include "pvnl.h"

struct pvnl {
	struct nl_sock *sk;
	int family;
	char errmsg[256];
};

/* The state of one request/response exchange with the kernel. */
struct xact {
	struct pvnl *nl;
	uint32_t seq;
	uint32_t port;
	/* Called for each reply message of the family; NULL discards them. */
	int (*reply)(struct nl_msg *msg, void *arg);
	void *arg;
	int error;		/* the kernel's verdict: 0 or a negative errno */
	int stopped;		/* what reply() returned to end the walk */
	bool done;
	bool interrupted;
};

static int xact_seq_check(struct nl_msg *msg, void *arg)
{
	const struct nlmsghdr *nlh = nlmsg_hdr(msg);
	const struct xact *x = arg;

	if (nlh->nlmsg_seq != x->seq || nlh->nlmsg_pid != x->port)
		return NL_SKIP;
	return NL_OK;
}

static int xact_valid(struct nl_msg *msg, void *arg)
{
	struct xact *x = arg;
	int ret;

	/*
	 * After reply() asked to stop, keep reading without it: the rest of
	 * the dump must be drained or the next request would read it.
	 */
	if (!x->reply || x->stopped ||
	    nlmsg_hdr(msg)->nlmsg_type != x->nl->family)
		return NL_OK;
	ret = x->reply(msg, x->arg);
	if (ret)
		x->stopped = ret;
	return NL_OK;
}

static int xact_dump_intr(struct nl_msg *msg, void *arg)
{
	struct xact *x = arg;

	(void)msg;
	x->interrupted = true;
	return NL_OK;	/* and deliver the message as usual */
}

static int xact_error(struct sockaddr_nl *who, struct nlmsgerr *err,
		      void *arg)
{
	/*
	 * libnl passes the payload of the NLMSG_ERROR message; the TLVs are
	 * found from the message header that precedes it.
	 */
	const struct nlmsghdr *nlh =
		(const void *)((const char *)err - NLMSG_HDRLEN);
	struct xact *x = arg;

	(void)who;
	x->error = err->error < 0 ? err->error : -err->error;
	pvnl_extack_text(nlh, x->nl->errmsg, sizeof(x->nl->errmsg));
	x->done = true;
	return NL_STOP;
}

/*
 * A successful ack may still carry an extack (a warning). The API has no
 * place for it and success is success, so its TLVs are left unread.
 */
static int xact_ack(struct nl_msg *msg, void *arg)
{
	struct xact *x = arg;

	(void)msg;
	x->done = true;
	return NL_STOP;
}

/* The end of a dump; a dump that failed part-way says why in it. */
static int xact_finish(struct nl_msg *msg, void *arg)
{
	const struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct xact *x = arg;
	int err;

	if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(err)) {
		memcpy(&err, NLMSG_DATA(nlh), sizeof(err));
		if (err < 0) {
			x->error = err;
			pvnl_extack_text(nlh, x->nl->errmsg,
					 sizeof(x->nl->errmsg));
		}
	}
	x->done = true;
	return NL_STOP;
}

/*
 * Send @msg (which stays the caller's) and read the kernel's answer to the
 * end. Returns reply()'s stop value if it gave one, else the kernel's
 * verdict, else a local failure.
 */
static int xact_run(struct pvnl *nl, struct nl_msg *msg,
		    int (*reply)(struct nl_msg *msg, void *arg), void *arg,
		    bool *interrupted)
{
	struct xact x = { .nl = nl, .reply = reply, .arg = arg };
	struct nl_cb *cb;
	int ret;

	nl->errmsg[0] = '\0';
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, xact_seq_check, &x);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, xact_valid, &x);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, xact_dump_intr, &x);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, xact_ack, &x);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, xact_finish, &x);
	nl_cb_err(cb, NL_CB_CUSTOM, xact_error, &x);

	/* Completes the header: our port, the next sequence number, ACK. */
	ret = nl_send_auto(nl->sk, msg);
	if (ret < 0) {
		ret = pvnl_errno_from_nlerr(ret);
		goto out;
	}
	x.seq = nlmsg_hdr(msg)->nlmsg_seq;
	x.port = nl_socket_get_local_port(nl->sk);

	while (!x.done) {
		ret = nl_recvmsgs_report(nl->sk, cb);
		if (x.done)
			break;
		if (ret < 0) {
			ret = pvnl_errno_from_nlerr(ret);
			goto out;
		}
		/* A blocking read that returned nothing: do not spin. */
		if (ret == 0) {
			ret = -EIO;
			goto out;
		}
	}

	if (interrupted)
		*interrupted = x.interrupted;
	ret = x.stopped ? x.stopped : x.error;
out:
	nl_cb_put(cb);
	return ret;
}

/* Replies are checked like any other input: the kernel may be newer. */
static const struct nla_policy domain_policy[PVISOR_A_DOMAIN_MAX + 1] = {
	[PVISOR_A_DOMAIN_ID] = { .type = NLA_U32 },
	[PVISOR_A_DOMAIN_NAME] = { .type = NLA_STRING,
				   .maxlen = PVISOR_NAME_MAX },
	[PVISOR_A_DOMAIN_MEMORY] = { .type = NLA_U64 },
	[PVISOR_A_DOMAIN_VCPUS] = { .type = NLA_U32 },
	[PVISOR_A_DOMAIN_STATE] = { .type = NLA_U32 },
	[PVISOR_A_DOMAIN_FRAMES] = { .type = NLA_U64 },
	[PVISOR_A_DOMAIN_SHUTDOWN_REASON] = { .type = NLA_U32 },
	[PVISOR_A_DOMAIN_CRASH_REASON] = { .type = NLA_STRING },
	[PVISOR_A_DOMAIN_CONSOLE_OFFSET] = { .type = NLA_U64 },
	[PVISOR_A_DOMAIN_CONSOLE_DATA] = { .type = NLA_UNSPEC },
	[PVISOR_A_DOMAIN_CONSOLE_WRITTEN] = { .type = NLA_U32 },
	[PVISOR_A_DOMAIN_PORT] = { .type = NLA_U32 },
	[PVISOR_A_DOMAIN_PEER_ID] = { .type = NLA_U32 },
	[PVISOR_A_DOMAIN_PEER_PORT] = { .type = NLA_U32 },
	[PVISOR_A_DOMAIN_VCPU] = { .type = NLA_U32 },
	[PVISOR_A_DOMAIN_VCPU_STATE] = { .type = NLA_U32 },
	[PVISOR_A_DOMAIN_CPU_TIME_NS] = { .type = NLA_U64 },
	[PVISOR_A_DOMAIN_EVTCHN_STATE] = { .type = NLA_U32 },
	[PVISOR_A_DOMAIN_VIRQ] = { .type = NLA_U32 },
	[PVISOR_A_DOMAIN_PENDING] = { .type = NLA_U8 },
	[PVISOR_A_DOMAIN_MASKED] = { .type = NLA_U8 },
	[PVISOR_A_DOMAIN_CONTEXTS] = { .type = NLA_U32 },
	[PVISOR_A_DOMAIN_MAX_CONTEXTS] = { .type = NLA_U32 },
	[PVISOR_A_DOMAIN_STORE_PFN] = { .type = NLA_U64 },
	[PVISOR_A_DOMAIN_STORE_PORT] = { .type = NLA_U32 },
	[PVISOR_A_DOMAIN_HYPERCALLS] = { .type = NLA_U64 },
	[PVISOR_A_DOMAIN_EVENTS_SENT] = { .type = NLA_U64 },
	[PVISOR_A_DOMAIN_EVENTS_DELIVERED] = { .type = NLA_U64 },
	[PVISOR_A_DOMAIN_FAULTS] = { .type = NLA_U64 },
};

static const struct nla_policy info_policy[PVISOR_A_INFO_MAX + 1] = {
	[PVISOR_A_INFO_ABI_VERSION] = { .type = NLA_U32 },
	[PVISOR_A_INFO_DOMAINS] = { .type = NLA_U32 },
	[PVISOR_A_INFO_MAX_DOMAINS] = { .type = NLA_U32 },
	[PVISOR_A_INFO_FRAMES_USED] = { .type = NLA_U64 },
	[PVISOR_A_INFO_FRAMES_LIMIT] = { .type = NLA_U64 },
	[PVISOR_A_INFO_MAX_VCPUS] = { .type = NLA_U32 },
	[PVISOR_A_INFO_MAX_CONTEXTS] = { .type = NLA_U32 },
	[PVISOR_A_INFO_CONTEXTS] = { .type = NLA_U32 },
};

static uint32_t get_u32(struct nlattr *nla)
{
	return nla ? nla_get_u32(nla) : 0;
}

static uint64_t get_u64(struct nlattr *nla)
{
	return nla ? nla_get_u64(nla) : 0;
}

static int parse_domain(struct nl_msg *msg, struct pvnl_domain *dom)
{
	struct nlattr *tb[PVISOR_A_DOMAIN_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, PVISOR_A_DOMAIN_MAX,
			  domain_policy) < 0)
		return -EPROTO;
	/* A domain without its id or name would be unusable. */
	if (!tb[PVISOR_A_DOMAIN_ID] || !tb[PVISOR_A_DOMAIN_NAME])
		return -EPROTO;

	memset(dom, 0, sizeof(*dom));
	dom->id = get_u32(tb[PVISOR_A_DOMAIN_ID]);
	nla_strlcpy(dom->name, tb[PVISOR_A_DOMAIN_NAME], sizeof(dom->name));
	dom->memory = get_u64(tb[PVISOR_A_DOMAIN_MEMORY]);
	dom->vcpus = get_u32(tb[PVISOR_A_DOMAIN_VCPUS]);
	dom->state = get_u32(tb[PVISOR_A_DOMAIN_STATE]);
	dom->frames = get_u64(tb[PVISOR_A_DOMAIN_FRAMES]);
	dom->shutdown_reason = get_u32(tb[PVISOR_A_DOMAIN_SHUTDOWN_REASON]);
	dom->contexts = get_u32(tb[PVISOR_A_DOMAIN_CONTEXTS]);
	dom->max_contexts = get_u32(tb[PVISOR_A_DOMAIN_MAX_CONTEXTS]);
	dom->store_pfn = get_u64(tb[PVISOR_A_DOMAIN_STORE_PFN]);
	dom->store_port = get_u32(tb[PVISOR_A_DOMAIN_STORE_PORT]);
	dom->cpu_time_ns = get_u64(tb[PVISOR_A_DOMAIN_CPU_TIME_NS]);
	dom->hypercalls = get_u64(tb[PVISOR_A_DOMAIN_HYPERCALLS]);
	dom->events_sent = get_u64(tb[PVISOR_A_DOMAIN_EVENTS_SENT]);
	dom->events_delivered = get_u64(tb[PVISOR_A_DOMAIN_EVENTS_DELIVERED]);
	dom->faults = get_u64(tb[PVISOR_A_DOMAIN_FAULTS]);
	if (tb[PVISOR_A_DOMAIN_CRASH_REASON])
		nla_strlcpy(dom->crash_reason, tb[PVISOR_A_DOMAIN_CRASH_REASON],
			    sizeof(dom->crash_reason));
	return 0;
}

struct pvnl *pvnl_open(void)
{
	struct pvnl *nl;
	int one = 1;
	int ret;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return NULL;

	ret = -ENOMEM;
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		goto err_free;
	ret = genl_connect(nl->sk);
	if (ret < 0) {
		ret = pvnl_errno_from_nlerr(ret);
		goto err_socket;
	}
	/* Dump messages can exceed libnl's default buffer; size by peeking. */
	nl_socket_enable_msg_peek(nl->sk);

	/*
	 * Ask for explanations, and for errors without the echoed request
	 * (which is only noise to us). Both are conveniences: a kernel that
	 * refuses them still answers every request, hence no error check.
	 */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));

	ret = genl_ctrl_resolve(nl->sk, PVISOR_GENL_NAME);
	if (ret < 0) {
		/* NLE_OBJ_NOTFOUND, that is ENOENT: the module is not loaded. */
		ret = pvnl_errno_from_nlerr(ret);
		goto err_socket;
	}
	nl->family = ret;
	return nl;

err_socket:
	nl_socket_free(nl->sk);
err_free:
	free(nl);
	errno = -ret;
	return NULL;
}

void pvnl_close(struct pvnl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

const char *pvnl_error_msg(const struct pvnl *nl)
{
	return nl->errmsg;
}

/* A request with room for @payload bytes of attributes (0: the default). */
static struct nl_msg *msg_new_sized(struct pvnl *nl, uint8_t cmd, int flags,
				    size_t payload)
{
	struct nl_msg *msg;

	/* Every operation starts here: forget the previous explanation. */
	nl->errmsg[0] = '\0';
	msg = payload ? nlmsg_alloc_size(payload + NLMSG_HDRLEN + GENL_HDRLEN +
					 NLA_HDRLEN + 64) :
			nlmsg_alloc();
	if (!msg) {
		errno = ENOMEM;
		return NULL;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags,
			 cmd, PVISOR_GENL_VERSION)) {
		nlmsg_free(msg);
		errno = EMSGSIZE;
		return NULL;
	}
	return msg;
}

struct nl_msg *pvnl_msg_new(struct pvnl *nl, uint8_t cmd, int flags)
{
	return msg_new_sized(nl, cmd, flags, 0);
}

/*
 * The message stays the caller's to free: a test may want to send the
 * same malformed request twice.
 */
int pvnl_send_and_ack(struct pvnl *nl, struct nl_msg *msg)
{
	return xact_run(nl, msg, NULL, NULL, NULL);
}

/* DOMAIN_NEW and DOMAIN_GET (do) answer with exactly one domain. */
struct one_domain {
	struct pvnl_domain dom;
	bool seen;
};

static int one_domain_reply(struct nl_msg *msg, void *arg)
{
	struct one_domain *one = arg;
	int ret;

	ret = parse_domain(msg, &one->dom);
	if (!ret)
		one->seen = true;
	return ret;
}

/* Name a domain in @msg by id and/or name, as DEL and GET take it. */
static int put_selector(struct nl_msg *msg, uint32_t id, const char *name)
{
	if (id && nla_put_u32(msg, PVISOR_A_DOMAIN_ID, id) < 0)
		return -EMSGSIZE;
	if (name && nla_put_string(msg, PVISOR_A_DOMAIN_NAME, name) < 0)
		return -EMSGSIZE;
	return 0;
}

/* Run a request answered by one domain; copy it to @out if given. */
static int one_domain_xact(struct pvnl *nl, struct nl_msg *msg,
			   struct pvnl_domain *out)
{
	struct one_domain one = { .seen = false };
	int ret;

	ret = xact_run(nl, msg, one_domain_reply, &one, NULL);
	if (!ret && !one.seen)
		ret = -EPROTO;
	if (!ret && out)
		*out = one.dom;
	return ret;
}

int pvnl_domain_new(struct pvnl *nl, const char *name, uint64_t memory,
		    uint32_t vcpus, struct pvnl_domain *out)
{
	struct nl_msg *msg;
	int ret = -EMSGSIZE;

	msg = pvnl_msg_new(nl, PVISOR_CMD_DOMAIN_NEW, 0);
	if (!msg)
		return -errno;
	/* A NULL name is sent as missing: tests want the kernel's answer. */
	if (name && nla_put_string(msg, PVISOR_A_DOMAIN_NAME, name) < 0)
		goto out;
	if (nla_put_u64(msg, PVISOR_A_DOMAIN_MEMORY, memory) < 0)
		goto out;
	if (vcpus && nla_put_u32(msg, PVISOR_A_DOMAIN_VCPUS, vcpus) < 0)
		goto out;
	ret = one_domain_xact(nl, msg, out);
out:
	nlmsg_free(msg);
	return ret;
}

/*
 * A command that names one domain and expects only an ack. A non-zero
 * @reason is sent as SHUTDOWN_REASON (only DOMAIN_SHUTDOWN takes it).
 */
static int domain_command(struct pvnl *nl, uint8_t cmd, uint32_t id,
			  const char *name, uint32_t reason)
{
	struct nl_msg *msg;
	int ret;

	msg = pvnl_msg_new(nl, cmd, 0);
	if (!msg)
		return -errno;
	ret = put_selector(msg, id, name);
	if (!ret && reason)
		ret = nla_put_u32(msg, PVISOR_A_DOMAIN_SHUTDOWN_REASON, reason) ?
		      -EMSGSIZE : 0;
	if (!ret)
		ret = xact_run(nl, msg, NULL, NULL, NULL);
	nlmsg_free(msg);
	return ret;
}

int pvnl_domain_del(struct pvnl *nl, uint32_t id, const char *name)
{
	return domain_command(nl, PVISOR_CMD_DOMAIN_DEL, id, name, 0);
}

int pvnl_domain_pause(struct pvnl *nl, uint32_t id, const char *name)
{
	return domain_command(nl, PVISOR_CMD_DOMAIN_PAUSE, id, name, 0);
}

int pvnl_domain_unpause(struct pvnl *nl, uint32_t id, const char *name)
{
	return domain_command(nl, PVISOR_CMD_DOMAIN_UNPAUSE, id, name, 0);
}

int pvnl_domain_shutdown(struct pvnl *nl, uint32_t id, const char *name,
			 uint32_t reason)
{
	/* PVISOR_SHUTDOWN_POWEROFF is 0: the module's default, left out. */
	return domain_command(nl, PVISOR_CMD_DOMAIN_SHUTDOWN, id, name, reason);
}

int pvnl_domain_get(struct pvnl *nl, uint32_t id, const char *name,
		    struct pvnl_domain *out)
{
	struct nl_msg *msg;
	int ret;

	msg = pvnl_msg_new(nl, PVISOR_CMD_DOMAIN_GET, 0);
	if (!msg)
		return -errno;
	ret = put_selector(msg, id, name);
	if (!ret)
		ret = one_domain_xact(nl, msg, out);
	nlmsg_free(msg);
	return ret;
}

struct dump_walk {
	int (*fn)(const struct pvnl_domain *dom, void *arg);
	void *arg;
};

static int dump_reply(struct nl_msg *msg, void *arg)
{
	struct dump_walk *walk = arg;
	struct pvnl_domain dom;
	int ret;

	ret = parse_domain(msg, &dom);
	if (ret)
		return ret;
	return walk->fn(&dom, walk->arg);
}

/*
 * An interrupted dump is read to its end and reported, not restarted:
 * only the caller knows whether a second pass is worth it (pvctl list
 * retries; a resyncing daemon may prefer to wait for notifications).
 */
int pvnl_domain_dump(struct pvnl *nl,
		     int (*fn)(const struct pvnl_domain *dom, void *arg),
		     void *arg, int *interrupted)
{
	struct dump_walk walk = { .fn = fn, .arg = arg };
	bool intr = false;
	struct nl_msg *msg;
	int ret;

	if (interrupted)
		*interrupted = 0;
	msg = pvnl_msg_new(nl, PVISOR_CMD_DOMAIN_GET, NLM_F_DUMP);
	if (!msg)
		return -errno;
	ret = xact_run(nl, msg, dump_reply, &walk, &intr);
	nlmsg_free(msg);
	if (interrupted)
		*interrupted = intr;
	return ret;
}

/* VCPU_GET and EVTCHN_GET: one domain's objects, each its own message. */
struct list_walk {
	/* Exactly one of the two is set. */
	int (*vcpu_fn)(const struct pvnl_vcpu *vcpu, void *arg);
	int (*evtchn_fn)(const struct pvnl_evtchn *chn, void *arg);
	void *arg;
};

static int parse_vcpu(struct nlattr **tb, struct pvnl_vcpu *v)
{
	if (!tb[PVISOR_A_DOMAIN_VCPU] || !tb[PVISOR_A_DOMAIN_VCPU_STATE])
		return -EPROTO;
	memset(v, 0, sizeof(*v));
	v->domid = get_u32(tb[PVISOR_A_DOMAIN_ID]);
	v->vcpu = get_u32(tb[PVISOR_A_DOMAIN_VCPU]);
	v->state = get_u32(tb[PVISOR_A_DOMAIN_VCPU_STATE]);
	v->cpu_time_ns = get_u64(tb[PVISOR_A_DOMAIN_CPU_TIME_NS]);
	return 0;
}

static int parse_evtchn(struct nlattr **tb, struct pvnl_evtchn *c)
{
	if (!tb[PVISOR_A_DOMAIN_PORT] || !tb[PVISOR_A_DOMAIN_EVTCHN_STATE])
		return -EPROTO;
	memset(c, 0, sizeof(*c));
	c->domid = get_u32(tb[PVISOR_A_DOMAIN_ID]);
	c->port = get_u32(tb[PVISOR_A_DOMAIN_PORT]);
	c->state = get_u32(tb[PVISOR_A_DOMAIN_EVTCHN_STATE]);
	c->vcpu = get_u32(tb[PVISOR_A_DOMAIN_VCPU]);
	c->peer_id = get_u32(tb[PVISOR_A_DOMAIN_PEER_ID]);
	c->peer_port = get_u32(tb[PVISOR_A_DOMAIN_PEER_PORT]);
	c->virq = get_u32(tb[PVISOR_A_DOMAIN_VIRQ]);
	/* Flags, whatever non-zero value a newer kernel might send. */
	c->pending = tb[PVISOR_A_DOMAIN_PENDING] &&
		     nla_get_u8(tb[PVISOR_A_DOMAIN_PENDING]);
	c->masked = tb[PVISOR_A_DOMAIN_MASKED] &&
		    nla_get_u8(tb[PVISOR_A_DOMAIN_MASKED]);
	return 0;
}

static int list_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[PVISOR_A_DOMAIN_MAX + 1];
	const struct list_walk *walk = arg;
	struct pvnl_evtchn chn;
	struct pvnl_vcpu vcpu;
	int ret;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, PVISOR_A_DOMAIN_MAX,
			  domain_policy) < 0 || !tb[PVISOR_A_DOMAIN_ID])
		return -EPROTO;
	if (walk->vcpu_fn) {
		ret = parse_vcpu(tb, &vcpu);
		return ret ? ret : walk->vcpu_fn(&vcpu, walk->arg);
	}
	ret = parse_evtchn(tb, &chn);
	return ret ? ret : walk->evtchn_fn(&chn, walk->arg);
}

static int list_dump(struct pvnl *nl, uint8_t cmd, uint32_t id,
		     const char *name, struct list_walk *walk)
{
	struct nl_msg *msg;
	int ret;

	msg = pvnl_msg_new(nl, cmd, NLM_F_DUMP);
	if (!msg)
		return -errno;
	ret = put_selector(msg, id, name);
	if (!ret)
		ret = xact_run(nl, msg, list_reply, walk, NULL);
	nlmsg_free(msg);
	return ret;
}

int pvnl_vcpu_dump(struct pvnl *nl, uint32_t id, const char *name,
		   int (*fn)(const struct pvnl_vcpu *vcpu, void *arg),
		   void *arg)
{
	struct list_walk walk = { .vcpu_fn = fn, .arg = arg };

	return list_dump(nl, PVISOR_CMD_VCPU_GET, id, name, &walk);
}

int pvnl_evtchn_dump(struct pvnl *nl, uint32_t id, const char *name,
		     int (*fn)(const struct pvnl_evtchn *chn, void *arg),
		     void *arg)
{
	struct list_walk walk = { .evtchn_fn = fn, .arg = arg };

	return list_dump(nl, PVISOR_CMD_EVTCHN_GET, id, name, &walk);
}

struct info_reply {
	struct pvnl_info *out;
	bool seen;
};

static int info_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[PVISOR_A_INFO_MAX + 1];
	struct info_reply *r = arg;
	struct pvnl_info *info = r->out;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, PVISOR_A_INFO_MAX,
			  info_policy) < 0)
		return -EPROTO;
	memset(info, 0, sizeof(*info));
	info->abi_version = get_u32(tb[PVISOR_A_INFO_ABI_VERSION]);
	info->domains = get_u32(tb[PVISOR_A_INFO_DOMAINS]);
	info->max_domains = get_u32(tb[PVISOR_A_INFO_MAX_DOMAINS]);
	info->frames_used = get_u64(tb[PVISOR_A_INFO_FRAMES_USED]);
	info->frames_limit = get_u64(tb[PVISOR_A_INFO_FRAMES_LIMIT]);
	info->max_vcpus = get_u32(tb[PVISOR_A_INFO_MAX_VCPUS]);
	info->max_contexts = get_u32(tb[PVISOR_A_INFO_MAX_CONTEXTS]);
	info->contexts = get_u32(tb[PVISOR_A_INFO_CONTEXTS]);
	r->seen = true;
	return 0;
}

struct bind_reply {
	uint32_t port, peer_port;
	bool seen;
};

static int bind_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[PVISOR_A_DOMAIN_MAX + 1];
	struct bind_reply *r = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, PVISOR_A_DOMAIN_MAX,
			  domain_policy) < 0 ||
	    !tb[PVISOR_A_DOMAIN_PORT] || !tb[PVISOR_A_DOMAIN_PEER_PORT])
		return -EPROTO;
	r->port = get_u32(tb[PVISOR_A_DOMAIN_PORT]);
	r->peer_port = get_u32(tb[PVISOR_A_DOMAIN_PEER_PORT]);
	r->seen = true;
	return 0;
}

int pvnl_evtchn_bind(struct pvnl *nl, uint32_t id, uint32_t peer_id,
		     uint32_t *port, uint32_t *peer_port)
{
	struct bind_reply r = { .seen = false };
	struct nl_msg *msg;
	int ret;

	msg = pvnl_msg_new(nl, PVISOR_CMD_EVTCHN_BIND, 0);
	if (!msg)
		return -errno;
	ret = put_selector(msg, id, NULL);
	if (!ret && peer_id &&
	    nla_put_u32(msg, PVISOR_A_DOMAIN_PEER_ID, peer_id) < 0)
		ret = -EMSGSIZE;
	if (!ret)
		ret = xact_run(nl, msg, bind_reply, &r, NULL);
	nlmsg_free(msg);
	if (!ret && !r.seen)
		ret = -EPROTO;
	if (!ret) {
		*port = r.port;
		*peer_port = r.peer_port;
	}
	return ret;
}

int pvnl_info_get(struct pvnl *nl, struct pvnl_info *out)
{
	struct info_reply r = { .out = out, .seen = false };
	struct nl_msg *msg;
	int ret;

	msg = pvnl_msg_new(nl, PVISOR_CMD_INFO_GET, 0);
	if (!msg)
		return -errno;
	ret = xact_run(nl, msg, info_reply, &r, NULL);
	nlmsg_free(msg);
	if (!ret && !r.seen)
		ret = -EPROTO;
	return ret;
}

struct console_reply {
	void *buf;
	size_t buflen;
	uint64_t offset;	/* where the returned bytes start */
	size_t len;
	bool seen;
};

static int console_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[PVISOR_A_DOMAIN_MAX + 1];
	struct console_reply *r = arg;
	struct nlattr *data;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, PVISOR_A_DOMAIN_MAX,
			  domain_policy) < 0)
		return -EPROTO;
	if (!tb[PVISOR_A_DOMAIN_CONSOLE_OFFSET])
		return -EPROTO;
	r->offset = nla_get_u64(tb[PVISOR_A_DOMAIN_CONSOLE_OFFSET]);
	data = tb[PVISOR_A_DOMAIN_CONSOLE_DATA];
	r->len = data ? (size_t)nla_len(data) : 0;
	/* More than asked for would be a broken kernel: do not overrun. */
	if (r->len > r->buflen)
		return -EPROTO;
	if (r->len)
		memcpy(r->buf, nla_data(data), r->len);
	r->seen = true;
	return 0;
}

ssize_t pvnl_console_read(struct pvnl *nl, uint32_t id, const char *name,
			  uint64_t offset, void *buf, size_t buflen,
			  uint64_t *next_offset, uint64_t *lost)
{
	struct console_reply r = { .buf = buf, .buflen = buflen };
	struct nl_msg *msg;
	int ret;

	msg = pvnl_msg_new(nl, PVISOR_CMD_CONSOLE_READ, 0);
	if (!msg)
		return -errno;
	ret = put_selector(msg, id, name);
	if (!ret && offset &&
	    nla_put_u64(msg, PVISOR_A_DOMAIN_CONSOLE_OFFSET, offset) < 0)
		ret = -EMSGSIZE;
	if (!ret)
		ret = xact_run(nl, msg, console_reply, &r, NULL);
	nlmsg_free(msg);
	if (!ret && !r.seen)
		ret = -EPROTO;
	/* The ring only moves forward. */
	if (!ret && r.offset < offset)
		ret = -EPROTO;
	if (ret)
		return ret;
	*next_offset = r.offset + r.len;
	if (lost)
		*lost = r.offset - offset;
	return (ssize_t)r.len;
}

static int console_written_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[PVISOR_A_DOMAIN_MAX + 1];
	int64_t *written = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, PVISOR_A_DOMAIN_MAX,
			  domain_policy) < 0 ||
	    !tb[PVISOR_A_DOMAIN_CONSOLE_WRITTEN])
		return -EPROTO;
	*written = nla_get_u32(tb[PVISOR_A_DOMAIN_CONSOLE_WRITTEN]);
	return 0;
}

ssize_t pvnl_console_write(struct pvnl *nl, uint32_t id, const char *name,
			   const void *buf, size_t len)
{
	int64_t written = -1;
	struct nl_msg *msg;
	int ret;

	/* The default message is a page: too small for a full write. */
	msg = msg_new_sized(nl, PVISOR_CMD_CONSOLE_WRITE, 0,
			    len + PVISOR_NAME_MAX + 16);
	if (!msg)
		return -errno;
	ret = put_selector(msg, id, name);
	if (!ret && nla_put(msg, PVISOR_A_DOMAIN_CONSOLE_DATA, (int)len, buf) < 0)
		ret = -EMSGSIZE;
	if (!ret)
		ret = xact_run(nl, msg, console_written_reply, &written, NULL);
	nlmsg_free(msg);
	if (!ret && (written < 0 || (size_t)written > len))
		ret = -EPROTO;
	return ret ? ret : (ssize_t)written;
}

const char *pvnl_state_name(uint32_t state)
{
	switch (state) {
	case PVISOR_DOMAIN_STATE_CREATED:
		return "created";
	case PVISOR_DOMAIN_STATE_RUNNING:
		return "running";
	case PVISOR_DOMAIN_STATE_SHUTDOWN:
		return "shutdown";
	case PVISOR_DOMAIN_STATE_CRASHED:
		return "crashed";
	case PVISOR_DOMAIN_STATE_PAUSED:
		return "paused";
	default:
		return "unknown";
	}
}

const char *pvnl_vcpu_state_name(uint32_t state)
{
	switch (state) {
	case PVISOR_VCPU_STATE_OFFLINE:
		return "offline";
	case PVISOR_VCPU_STATE_RUNNING:
		return "running";
	case PVISOR_VCPU_STATE_BLOCKED:
		return "blocked";
	case PVISOR_VCPU_STATE_PAUSED:
		return "paused";
	case PVISOR_VCPU_STATE_STOPPED:
		return "stopped";
	default:
		return "unknown";
	}
}

const char *pvnl_evtchn_state_name(uint32_t state)
{
	switch (state) {
	case PVISOR_EVTCHNSTAT_CLOSED:
		return "closed";
	case PVISOR_EVTCHNSTAT_UNBOUND:
		return "unbound";
	case PVISOR_EVTCHNSTAT_INTERDOMAIN:
		return "interdomain";
	case PVISOR_EVTCHNSTAT_VIRQ:
		return "virq";
	case PVISOR_EVTCHNSTAT_IPI:
		return "ipi";
	default:
		return "unknown";
	}
}

const char *pvnl_shutdown_reason_name(uint32_t reason)
{
	switch (reason) {
	case PVISOR_SHUTDOWN_POWEROFF:
		return "poweroff";
	case PVISOR_SHUTDOWN_REBOOT:
		return "reboot";
	case PVISOR_SHUTDOWN_CRASH:
		return "crash";
	default:
		return NULL;
	}
}

struct nl_sock *pvnl_socket(struct pvnl *nl)
{
	return nl->sk;
}

int pvnl_family_id(const struct pvnl *nl)
{
	return nl->family;
}

/*
 * Resolved on a socket of its own: libnl's resolver relies on the default
 * sequence check, which transactions on nl->sk (with their own check, and
 * possibly abandoned half-way) may have left out of step.
 */
int pvnl_mcgrp_id(const struct pvnl *nl, const char *group)
{
	struct nl_sock *sk;
	int ret;

	(void)nl;
	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	ret = genl_connect(sk);
	if (!ret)
		ret = genl_ctrl_resolve_grp(sk, PVISOR_GENL_NAME, group);
	nl_socket_free(sk);
	return ret < 0 ? pvnl_errno_from_nlerr(ret) : ret;
}
