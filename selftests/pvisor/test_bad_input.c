// SPDX-License-Identifier: GPL-2.0
/*
 * Bad requests to the control plane: unknown, malformed, missing and
 * out-of-range attributes, invalid names and sizes, lookups that cannot
 * be satisfied, and callers without CAP_SYS_ADMIN. Each must fail with
 * its documented errno, explain itself in the extack where the kernel
 * can, and leave nothing behind.
 *
 * Most requests are built by hand (pvnl_msg_new() and nla_put()) so that
 * they can be wrong in ways the library would never produce.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <netlink/genl/genl.h>

#include "pvtest.h"

#define PREFIX	"bad-"

static struct pvnl *nl;

struct attr {
	uint16_t type;
	uint16_t len;
	const void *data;	/* NULL ends a list */
};

#define A_STR(t, s)	{ (t), sizeof(s), (s) }		/* with its NUL */
#define A_RAW(t, s)	{ (t), sizeof(s) - 1, (s) }	/* without */
#define A_U16(t, v)	{ (t), 2, &(const uint16_t){ (v) } }
#define A_U32(t, v)	{ (t), 4, &(const uint32_t){ (v) } }
#define A_U64(t, v)	{ (t), 8, &(const uint64_t){ (v) } }
#define A_BYTES(t, n)	{ (t), (n), zeros }

#define NAME_OK		A_STR(PVISOR_A_DOMAIN_NAME, PREFIX "x")
#define MEM_OK		A_U64(PVISOR_A_DOMAIN_MEMORY, 64 * PVT_KIB)

static const unsigned char zeros[64];

/* Extra bytes appended after the attributes, verbatim. */
struct tail {
	uint16_t len;
	const void *data;
};

struct bad_case {
	const char *desc;
	uint8_t cmd;
	int flags;
	struct attr attrs[4];
	struct tail tail;
	int want1, want2;
	bool no_extack;		/* the kernel has nothing to explain */
	bool bad_reserved;	/* a non-zero genlmsghdr.reserved */
};

/* A header claiming more bytes than follow it. */
static const struct nlattr overlong_hdr = {
	.nla_len = 100, .nla_type = PVISOR_A_DOMAIN_MEMORY,
};
/* A header shorter than itself. */
static const struct nlattr tiny_hdr = {
	.nla_len = 2, .nla_type = PVISOR_A_DOMAIN_NAME,
};

/* want2 == 0: only want1 will do. */
#define BAD(desc_, cmd_, flags_, want1_, want2_, ...)			\
	{ .desc = (desc_), .cmd = (cmd_), .flags = (flags_),		\
	  .want1 = (want1_), .want2 = (want2_), .attrs = { __VA_ARGS__ } }

#define NEW	PVISOR_CMD_DOMAIN_NEW

static const struct bad_case new_cases[] = {
	BAD("NEW without attributes", NEW, 0, -EINVAL, 0),
	BAD("NEW without memory", NEW, 0, -EINVAL, 0, NAME_OK),
	BAD("NEW without name", NEW, 0, -EINVAL, 0, MEM_OK),
	BAD("NEW with an unknown attribute type (max + 1)", NEW, 0, -EINVAL, 0,
	    NAME_OK, MEM_OK, A_U32(PVISOR_A_DOMAIN_MAX + 1, 1)),
	BAD("NEW with an unknown attribute type (1000)", NEW, 0, -EINVAL, 0,
	    NAME_OK, MEM_OK, A_U32(1000, 1)),
	BAD("NEW with attribute type 0", NEW, 0, -EINVAL, 0,
	    NAME_OK, MEM_OK, A_U32(0, 1)),
	BAD("NEW with an id (not a NEW attribute)", NEW, 0, -EINVAL, 0,
	    NAME_OK, MEM_OK, A_U32(PVISOR_A_DOMAIN_ID, 5)),
	BAD("NEW with a state (not a NEW attribute)", NEW, 0, -EINVAL, 0,
	    NAME_OK, MEM_OK, A_U32(PVISOR_A_DOMAIN_STATE, 1)),
	BAD("NEW with frames (not a NEW attribute)", NEW, 0, -EINVAL, 0,
	    NAME_OK, MEM_OK, A_U64(PVISOR_A_DOMAIN_FRAMES, 16)),
	BAD("NEW with a 2-byte memory", NEW, 0, -EINVAL, -ERANGE,
	    NAME_OK, A_U16(PVISOR_A_DOMAIN_MEMORY, 4096)),
	BAD("NEW with a 4-byte memory", NEW, 0, -EINVAL, -ERANGE,
	    NAME_OK, A_U32(PVISOR_A_DOMAIN_MEMORY, 65536)),
	BAD("NEW with a 12-byte memory", NEW, 0, -EINVAL, -ERANGE,
	    NAME_OK, A_BYTES(PVISOR_A_DOMAIN_MEMORY, 12)),
	BAD("NEW with an empty memory", NEW, 0, -EINVAL, -ERANGE,
	    NAME_OK, A_BYTES(PVISOR_A_DOMAIN_MEMORY, 0)),
	BAD("NEW with a 1-byte vcpus", NEW, 0, -EINVAL, -ERANGE,
	    NAME_OK, MEM_OK, A_BYTES(PVISOR_A_DOMAIN_VCPUS, 1)),
	BAD("NEW with an 8-byte vcpus", NEW, 0, -EINVAL, -ERANGE,
	    NAME_OK, MEM_OK, A_U64(PVISOR_A_DOMAIN_VCPUS, 1)),
	BAD("NEW with memory flagged NLA_F_NESTED", NEW, 0, -EINVAL, 0,
	    NAME_OK, A_U64(PVISOR_A_DOMAIN_MEMORY | NLA_F_NESTED, 65536)),
	BAD("NEW with a name that is not NUL-terminated", NEW, 0, -EINVAL, -ERANGE,
	    A_RAW(PVISOR_A_DOMAIN_NAME, PREFIX "x"), MEM_OK),
	BAD("NEW with a zero-length name attribute", NEW, 0, -EINVAL, -ERANGE,
	    A_BYTES(PVISOR_A_DOMAIN_NAME, 0), MEM_OK),
	BAD("NEW with an empty name", NEW, 0, -EINVAL, 0,
	    A_STR(PVISOR_A_DOMAIN_NAME, ""), MEM_OK),
	BAD("NEW with a space in the name", NEW, 0, -EINVAL, 0,
	    A_STR(PVISOR_A_DOMAIN_NAME, "bad name"), MEM_OK),
	BAD("NEW with a slash in the name", NEW, 0, -EINVAL, 0,
	    A_STR(PVISOR_A_DOMAIN_NAME, "bad/name"), MEM_OK),
	BAD("NEW with a colon in the name", NEW, 0, -EINVAL, 0,
	    A_STR(PVISOR_A_DOMAIN_NAME, "bad:name"), MEM_OK),
	BAD("NEW with a newline in the name", NEW, 0, -EINVAL, 0,
	    A_STR(PVISOR_A_DOMAIN_NAME, "bad\nname"), MEM_OK),
	BAD("NEW with a '*' in the name", NEW, 0, -EINVAL, 0,
	    A_STR(PVISOR_A_DOMAIN_NAME, "bad*"), MEM_OK),
	BAD("NEW with a non-ASCII name", NEW, 0, -EINVAL, 0,
	    A_STR(PVISOR_A_DOMAIN_NAME, "bad\xc3\xa9"), MEM_OK),
	/* Only ASCII: the kernel's isalpha() also takes Latin-1 letters. */
	BAD("NEW with a Latin-1 letter (0xe9) in the name", NEW, 0, -EINVAL, 0,
	    A_STR(PVISOR_A_DOMAIN_NAME, "bad\xe9"), MEM_OK),
	BAD("NEW with a 0xff byte in the name", NEW, 0, -EINVAL, 0,
	    A_STR(PVISOR_A_DOMAIN_NAME, "bad\xff"), MEM_OK),
	BAD("NEW with a name starting with a Latin-1 letter (0xc0)", NEW, 0,
	    -EINVAL, 0, A_STR(PVISOR_A_DOMAIN_NAME, "\xc0" "bad"), MEM_OK),
	BAD("NEW with a name starting with a digit", NEW, 0, -EINVAL, 0,
	    A_STR(PVISOR_A_DOMAIN_NAME, "1bad"), MEM_OK),
	BAD("NEW with a name that is all digits", NEW, 0, -EINVAL, 0,
	    A_STR(PVISOR_A_DOMAIN_NAME, "42"), MEM_OK),
	BAD("NEW with a name starting with '-'", NEW, 0, -EINVAL, 0,
	    A_STR(PVISOR_A_DOMAIN_NAME, "-bad"), MEM_OK),
	BAD("NEW with a name starting with '_'", NEW, 0, -EINVAL, 0,
	    A_STR(PVISOR_A_DOMAIN_NAME, "_bad"), MEM_OK),
	BAD("NEW with a name starting with '.'", NEW, 0, -EINVAL, 0,
	    A_STR(PVISOR_A_DOMAIN_NAME, ".bad"), MEM_OK),
	BAD("NEW with zero memory", NEW, 0, -EINVAL, 0,
	    NAME_OK, A_U64(PVISOR_A_DOMAIN_MEMORY, 0)),
	BAD("NEW with 1 byte of memory", NEW, 0, -EINVAL, 0,
	    NAME_OK, A_U64(PVISOR_A_DOMAIN_MEMORY, 1)),
	BAD("NEW with 4095 bytes of memory", NEW, 0, -EINVAL, 0,
	    NAME_OK, A_U64(PVISOR_A_DOMAIN_MEMORY, 4095)),
	BAD("NEW with 4097 bytes of memory", NEW, 0, -EINVAL, 0,
	    NAME_OK, A_U64(PVISOR_A_DOMAIN_MEMORY, 4097)),
	BAD("NEW with 1 MiB + 512 bytes of memory", NEW, 0, -EINVAL, 0,
	    NAME_OK, A_U64(PVISOR_A_DOMAIN_MEMORY, PVT_MIB + 512)),
	BAD("NEW with 2^64 - 1 bytes of memory (unaligned)", NEW, 0, -EINVAL, 0,
	    NAME_OK, A_U64(PVISOR_A_DOMAIN_MEMORY, ~0ULL)),
	BAD("NEW with vcpus 0", NEW, 0, -ERANGE, -EINVAL,
	    NAME_OK, MEM_OK, A_U32(PVISOR_A_DOMAIN_VCPUS, 0)),
	BAD("NEW with vcpus 33", NEW, 0, -ERANGE, -EINVAL,
	    NAME_OK, MEM_OK, A_U32(PVISOR_A_DOMAIN_VCPUS, PVISOR_MAX_VCPUS + 1)),
	BAD("NEW with vcpus 2^32 - 1", NEW, 0, -ERANGE, -EINVAL,
	    NAME_OK, MEM_OK, A_U32(PVISOR_A_DOMAIN_VCPUS, 0xffffffff)),
	{
		.desc = "NEW with bytes left over after the attributes",
		.cmd = NEW, .want1 = -EINVAL, .attrs = { NAME_OK, MEM_OK },
		.tail = { 3, zeros },
	},
	{
		.desc = "NEW with an attribute header shorter than itself",
		.cmd = NEW, .want1 = -EINVAL, .attrs = { NAME_OK, MEM_OK },
		.tail = { sizeof(tiny_hdr), &tiny_hdr },
	},
	{
		.desc = "NEW with an attribute longer than the message",
		.cmd = NEW, .want1 = -EINVAL, .attrs = { NAME_OK },
		.tail = { sizeof(overlong_hdr), &overlong_hdr },
	},
	{
		.desc = "NEW with a non-zero genl reserved field",
		.cmd = NEW, .want1 = -EINVAL, .attrs = { NAME_OK, MEM_OK },
		.bad_reserved = true,
	},
	BAD("NEW with NLM_F_CREATE (reserved for genl)", NEW, NLM_F_CREATE,
	    -EINVAL, 0, NAME_OK, MEM_OK),
	BAD("INFO_GET with an attribute", PVISOR_CMD_INFO_GET, 0, -EINVAL, 0,
	    A_U32(PVISOR_A_INFO_DOMAINS, 1)),
	{
		.desc = "unknown command 0x7f",
		.cmd = 0x7f, .want1 = -EOPNOTSUPP, .no_extack = true,
	},
	{
		.desc = "command 0 (unspec)",
		.cmd = PVISOR_CMD_UNSPEC, .want1 = -EOPNOTSUPP, .no_extack = true,
	},
	BAD("DOMAIN_GET dump with an unknown attribute", PVISOR_CMD_DOMAIN_GET,
	    NLM_F_DUMP, -EINVAL, 0, A_U32(PVISOR_A_DOMAIN_MAX + 1, 1)),
};

/* Cases that apply to DEL and GET alike; the command is filled in later. */
static const struct bad_case select_cases[] = {
	BAD("without id or name", 0, 0, -EINVAL, 0),
	BAD("with id 0", 0, 0, -ERANGE, -EINVAL, A_U32(PVISOR_A_DOMAIN_ID, 0)),
	BAD("with id domid-max + 1", 0, 0, -ERANGE, -EINVAL,
	    A_U32(PVISOR_A_DOMAIN_ID, PVISOR_DOMID_MAX + 1)),
	BAD("with id 2^32 - 1", 0, 0, -ERANGE, -EINVAL,
	    A_U32(PVISOR_A_DOMAIN_ID, 0xffffffff)),
	BAD("with a 2-byte id", 0, 0, -EINVAL, -ERANGE,
	    A_U16(PVISOR_A_DOMAIN_ID, 1)),
	BAD("with an 8-byte id", 0, 0, -EINVAL, -ERANGE,
	    A_U64(PVISOR_A_DOMAIN_ID, 1)),
	BAD("with a name that is not NUL-terminated", 0, 0, -EINVAL, -ERANGE,
	    A_RAW(PVISOR_A_DOMAIN_NAME, PREFIX "a")),
	BAD("with memory (not a selector)", 0, 0, -EINVAL, 0,
	    A_STR(PVISOR_A_DOMAIN_NAME, PREFIX "a"), MEM_OK),
	BAD("with an unknown attribute type", 0, 0, -EINVAL, 0,
	    A_STR(PVISOR_A_DOMAIN_NAME, PREFIX "a"),
	    A_U32(PVISOR_A_DOMAIN_MAX + 1, 1)),
	BAD("with an unknown name", 0, 0, -ENOENT, 0,
	    A_STR(PVISOR_A_DOMAIN_NAME, PREFIX "nosuch")),
};

static const char *cmd_name(uint8_t cmd)
{
	switch (cmd) {
	case PVISOR_CMD_DOMAIN_DEL:
		return "DEL";
	case PVISOR_CMD_DOMAIN_GET:
		return "GET";
	default:
		return "?";
	}
}

static int send_case(const struct bad_case *c, uint8_t cmd)
{
	const struct attr *a;
	struct nl_msg *msg;
	int ret;

	msg = pvnl_msg_new(nl, cmd, c->flags);
	if (!msg)
		tap_bail("pvnl_msg_new: %s", pvt_errno_name(errno));
	for (a = c->attrs; a < c->attrs + PVT_ARRAY_SIZE(c->attrs) && a->data; a++)
		if (nla_put(msg, a->type, a->len, a->data) < 0)
			tap_bail("%s: cannot build the request", c->desc);
	if (c->tail.len && nlmsg_append(msg, (void *)c->tail.data, c->tail.len, 0) < 0)
		tap_bail("%s: cannot build the request", c->desc);
	if (c->bad_reserved)
		((struct genlmsghdr *)nlmsg_data(nlmsg_hdr(msg)))->reserved = 1;
	ret = pvnl_send_and_ack(nl, msg);
	nlmsg_free(msg);
	return ret;
}

/* The errno must match, and the kernel must have said why. */
static void check_case(const struct bad_case *c, uint8_t cmd, const char *prefix)
{
	int ret = send_case(c, cmd);
	int want2 = c->want2 ? c->want2 : c->want1;
	const char *msg = pvnl_error_msg(nl);
	bool good = (ret == c->want1 || ret == want2) &&
		    (c->no_extack || *msg);

	if (tap_ok(good, "%s%s: %s%s%s", prefix, c->desc,
		   pvt_errno_name(c->want1), c->want2 ? " or " : "",
		   c->want2 ? pvt_errno_name(c->want2) : ""))
		return;
	tap_diag("got %s (%d), extack \"%s\"", pvt_errno_name(ret), ret, msg);
}

/* Requests built with the library, for what it can express. */
static void check_new(const char *name, uint64_t memory, uint32_t vcpus,
		      int want1, int want2, const char *desc)
{
	struct pvnl_domain dom;
	int ret = pvnl_domain_new(nl, name, memory, vcpus, &dom);
	const char *msg = pvnl_error_msg(nl);

	if (tap_ok((ret == want1 || ret == want2) && (ret == 0 || *msg),
		   "%s: %s", desc, ret == 0 ? "created" : pvt_errno_name(want1)))
		return;
	tap_diag("got %s (%d), extack \"%s\"", pvt_errno_name(ret), ret, msg);
}

static void check_select(uint8_t cmd, uint32_t id, const char *name,
			 int want1, int want2, const char *desc)
{
	struct pvnl_domain dom;
	int ret = cmd == PVISOR_CMD_DOMAIN_DEL ?
		  pvnl_domain_del(nl, id, name) :
		  pvnl_domain_get(nl, id, name, &dom);
	const char *msg = pvnl_error_msg(nl);

	if (tap_ok((ret == want1 || ret == want2) && *msg, "%s %s: %s",
		   cmd_name(cmd), desc, pvt_errno_name(want1)))
		return;
	tap_diag("got %s (%d), extack \"%s\"", pvt_errno_name(ret), ret, msg);
}

/* ---- callers without CAP_SYS_ADMIN ------------------------------------- */

enum {
	UNPRIV_SETUP,	/* 0 if privileges were dropped */
	UNPRIV_NEW,
	UNPRIV_DEL,
	UNPRIV_GET,
	UNPRIV_DUMP,
	UNPRIV_INFO,
	UNPRIV_NR,
};

static int count_cb(const struct pvnl_domain *dom, void *arg)
{
	(void)dom;
	++*(int *)arg;
	return 0;
}

/* In the child: drop to nobody and try everything. */
static void unprivileged_child(int fd, uint32_t victim)
{
	int res[UNPRIV_NR];
	struct pvnl_domain dom;
	struct pvnl_info info;
	struct pvnl *unl;
	int i, seen = 0;

	for (i = 0; i < UNPRIV_NR; i++)
		res[i] = 1;	/* "not attempted" */
	res[UNPRIV_SETUP] = pvt_drop_privileges();
	if (!res[UNPRIV_SETUP]) {
		/* The socket is opened as nobody, as an attacker would. */
		unl = pvnl_open();
		if (!unl) {
			res[UNPRIV_SETUP] = -errno;
		} else {
			res[UNPRIV_NEW] = pvnl_domain_new(unl, PREFIX "unpriv",
							  64 * PVT_KIB, 0, &dom);
			res[UNPRIV_DEL] = pvnl_domain_del(unl, victim, NULL);
			res[UNPRIV_GET] = pvnl_domain_get(unl, victim, NULL, &dom);
			res[UNPRIV_DUMP] = pvnl_domain_dump(unl, count_cb, &seen, NULL);
			if (!res[UNPRIV_DUMP] && seen)
				res[UNPRIV_DUMP] = seen;	/* it leaked */
			res[UNPRIV_INFO] = pvnl_info_get(unl, &info);
			pvnl_close(unl);
		}
	}
	if (write(fd, res, sizeof(res)) != sizeof(res))
		_exit(2);
	_exit(0);
}

#define PLAN_UNPRIV	8

static void test_unprivileged(uint32_t victim)
{
	static const char *const what[UNPRIV_NR] = {
		[UNPRIV_NEW] = "NEW", [UNPRIV_DEL] = "DEL",
		[UNPRIV_GET] = "GET (do)", [UNPRIV_DUMP] = "GET (dump)",
		[UNPRIV_INFO] = "INFO_GET",
	};
	int res[UNPRIV_NR], pipefd[2], status, i;
	struct pvnl_domain dom;
	ssize_t len;
	pid_t pid;

	if (pipe(pipefd))
		tap_bail("pipe: %s", pvt_errno_name(errno));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		tap_bail("fork: %s", pvt_errno_name(errno));
	if (pid == 0) {
		close(pipefd[0]);
		unprivileged_child(pipefd[1], victim);
	}
	close(pipefd[1]);
	len = read(pipefd[0], res, sizeof(res));
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	if (len != sizeof(res)) {
		tap_ok(false, "the unprivileged child reported back");
		tap_skip(PLAN_UNPRIV - 1, "no result from the unprivileged child");
		return;
	}
	if (!tap_ok(!res[UNPRIV_SETUP],
		    "child runs as uid 65534 without capabilities and can connect")) {
		tap_diag("setup: %s", pvt_errno_name(res[UNPRIV_SETUP]));
		tap_skip(PLAN_UNPRIV - 1, "the child could not drop privileges");
		return;
	}
	for (i = UNPRIV_NEW; i < UNPRIV_NR; i++)
		if (!tap_ok(res[i] == -EPERM, "unprivileged %s: EPERM", what[i]))
			tap_diag("got %s (%d)", pvt_errno_name(res[i]), res[i]);
	pvt_expect(nl, pvnl_domain_get(nl, victim, NULL, &dom), 0,
		   "the domain the child tried to destroy still exists");
	pvt_expect(nl, pvnl_domain_get(nl, 0, PREFIX "unpriv", &dom), -ENOENT,
		   "the child created nothing");
}

/* ---- main -------------------------------------------------------------- */

/* Ids that existed before the test, so that anything else can be swept. */
static unsigned char baseline_ids[PVISOR_DOMID_MAX + 1];

/*
 * A request that should have failed may have created a domain under a
 * name no prefix matches: destroy whatever the test brought into being.
 */
static int sweep_cb(const struct pvnl_domain *dom, void *arg)
{
	uint32_t *ids = arg;

	if (dom->id <= PVISOR_DOMID_MAX && !baseline_ids[dom->id] && ids[0] < 64)
		ids[++ids[0]] = dom->id;
	return 0;
}

static void sweep_leftovers(void)
{
	uint32_t ids[65] = { 0 };
	uint32_t i;

	if (pvnl_domain_dump(nl, sweep_cb, ids, NULL))
		return;
	for (i = 1; i <= ids[0]; i++) {
		tap_diag("destroying leftover domain %u", ids[i]);
		pvnl_domain_del(nl, ids[i], NULL);
	}
}

static void abort_sweep(void)
{
	if (nl)
		sweep_leftovers();
}

static int collect_ids(const struct pvnl_domain *dom, void *arg)
{
	unsigned char *used = arg;

	if (dom->id <= PVISOR_DOMID_MAX)
		used[dom->id] = 1;
	return 0;
}

int main(void)
{
	static unsigned char used[PVISOR_DOMID_MAX + 1];
	static const uint8_t select_cmds[] = {
		PVISOR_CMD_DOMAIN_DEL, PVISOR_CMD_DOMAIN_GET,
	};
	char name63[PVISOR_NAME_MAX], name64[PVISOR_NAME_MAX + 1], name200[201];
	struct pvnl_domain a, b, dom;
	struct pvnl_info base;
	uint32_t unused_id;
	unsigned int i, j, plan;
	int ret;

	nl = pvt_open();
	if (pvnl_domain_dump(nl, collect_ids, baseline_ids, NULL))
		tap_bail("cannot list the domains");
	tap_on_abort(abort_sweep);
	plan = PVT_ARRAY_SIZE(new_cases) +
	       PVT_ARRAY_SIZE(select_cmds) * (PVT_ARRAY_SIZE(select_cases) + 5) +
	       2 + 8 + PLAN_UNPRIV + 5;
	tap_plan(plan);
	pvt_info(nl, &base);

	ret = pvnl_domain_new(nl, PREFIX "a", 64 * PVT_KIB, 0, &a);
	if (!pvt_expect(nl, ret, 0, "create " PREFIX "a for the lookups"))
		tap_bail("cannot create domains");
	ret = pvnl_domain_new(nl, PREFIX "b", 64 * PVT_KIB, 0, &b);
	if (!pvt_expect(nl, ret, 0, "create " PREFIX "b for the lookups"))
		tap_bail("cannot create domains");

	for (i = 0; i < PVT_ARRAY_SIZE(new_cases); i++)
		check_case(&new_cases[i], new_cases[i].cmd, "");

	/* Names: 63 characters is the longest allowed. */
	memset(name63, 'n', sizeof(name63));
	memcpy(name63, PREFIX, strlen(PREFIX));
	name63[PVISOR_NAME_MAX - 1] = '\0';
	memset(name64, 'n', sizeof(name64));
	memcpy(name64, PREFIX, strlen(PREFIX));
	name64[PVISOR_NAME_MAX] = '\0';
	memset(name200, 'n', sizeof(name200));
	memcpy(name200, PREFIX, strlen(PREFIX));
	name200[200] = '\0';
	check_new(name64, 64 * PVT_KIB, 0, -EINVAL, -ERANGE, "NEW with a 64-character name");
	check_new(name200, 64 * PVT_KIB, 0, -EINVAL, -ERANGE, "NEW with a 200-character name");
	check_new(name63, 64 * PVT_KIB, 0, 0, 0, "NEW with a 63-character name");
	ret = pvnl_domain_get(nl, 0, name63, &dom);
	tap_ok(!ret && !strcmp(dom.name, name63),
	       "the 63-character name reads back whole");
	check_new("Z", 64 * PVT_KIB, 0, 0, 0, "NEW with the one-letter name \"Z\"");
	check_new("z-._09AZ", 64 * PVT_KIB, 0, 0, 0,
		  "NEW with every kind of allowed character (z-._09AZ)");
	check_new(PREFIX "a", 64 * PVT_KIB, 0, -EEXIST, -EEXIST,
		  "NEW with the name of an existing domain");
	ret = pvnl_domain_del(nl, 0, name63);
	ret = ret ? ret : pvnl_domain_del(nl, 0, "Z");
	ret = ret ? ret : pvnl_domain_del(nl, 0, "z-._09AZ");
	pvt_expect(nl, ret, 0, "destroy the three valid ones again");

	/* An id nobody holds, for the ENOENT cases. */
	ret = pvnl_domain_dump(nl, collect_ids, used, NULL);
	if (ret)
		tap_bail("dump: %s", pvt_errno_name(ret));
	for (unused_id = PVISOR_DOMID_MAX; used[unused_id] && unused_id > 1;)
		unused_id--;

	for (j = 0; j < PVT_ARRAY_SIZE(select_cmds); j++) {
		uint8_t cmd = select_cmds[j];
		char prefix[16];

		snprintf(prefix, sizeof(prefix), "%s ", cmd_name(cmd));
		for (i = 0; i < PVT_ARRAY_SIZE(select_cases); i++)
			check_case(&select_cases[i], cmd, prefix);
		check_select(cmd, a.id, PREFIX "b", -EINVAL, -EINVAL,
			     "with the id of one domain and the name of another");
		check_select(cmd, unused_id, NULL, -ENOENT, -ENOENT,
			     "with an id nobody holds");
		check_select(cmd, unused_id, PREFIX "a", -ENOENT, -EINVAL,
			     "with an id nobody holds and an existing name");
		check_select(cmd, a.id, PREFIX "nosuch", -EINVAL, -ENOENT,
			     "with an existing id and a name nobody holds");
		check_select(cmd, 0, name64, -EINVAL, -ERANGE,
			     "with a 64-character name");
	}

	test_unprivileged(a.id);

	/* Nothing above may have created, destroyed or leaked anything. */
	ret = pvt_count_prefix(nl, NULL);
	tap_ok(ret == (int)base.domains + 2,
	       "the dump lists only the two lookup domains besides the baseline (%d)",
	       ret);
	ret = pvnl_domain_get(nl, b.id, PREFIX "b", &dom);
	pvt_expect(nl, ret, 0, PREFIX "b survived every bad DEL");
	pvt_expect_accounting(nl, &base, 2, 2 * 64 * PVT_KIB / PVT_PAGE,
			      "the accounting counts exactly the two lookup domains");
	ret = pvnl_domain_del(nl, a.id, PREFIX "a");
	ret = ret ? ret : pvnl_domain_del(nl, b.id, NULL);
	pvt_expect(nl, ret, 0, "destroy the lookup domains");
	sweep_leftovers();
	pvt_expect_accounting(nl, &base, 0, 0,
			      "domains and frames are back at the baseline");

	pvnl_close(nl);
	tap_finish();
}
