// SPDX-License-Identifier: GPL-2.0
/*
 * pvisord's xenstore, message by message, over its socket: every message
 * type, bad lengths and payloads, unknown types, paths too long or with
 * bad characters, permissions (through the Domain0-only "act as a
 * domain" control command), quotas, watch rules, transactions and their
 * conflicts, domains appearing and going, and hostile clients (an
 * over-long payload, a flood of requests whose replies are never read, a
 * watcher that never reads) that must not stall anyone else.
 *
 * The test starts its own pvisord (small guest quotas, its own socket,
 * state file and pid file under /tmp) and stops it at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pvisor/xs_wire.h>

#include "pvtest.h"
#include "xs_client.h"

#define PREFIX	"xst-"
#define DIR	"/tmp/xst"
#define SOCK	DIR "/sock"
#define STATE	DIR "/state"
#define PIDF	DIR "/pid"
#define LOG	DIR "/log"

/* The guest quotas this pvisord runs with. */
#define Q_ENTRIES	40
#define Q_VALUE		64
#define Q_WATCHES	4
#define Q_TXNS		2
#define Q_TXN_OPS	8

struct msg {
	struct pvisor_xs_header h;
	char data[PVISOR_XS_PAYLOAD_MAX + 1];
};

struct xc {
	int fd;
	uint32_t req_id;
	struct msg events[64];
	unsigned int nr_events;
};

static pid_t daemon_pid = -1;
static struct msg last;		/* the last reply */

/* --- the client ---------------------------------------------------------- */

static int xc_connect(struct xc *c)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	memset(c, 0, sizeof(*c));
	strcpy(addr.sun_path, SOCK);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	if (connect(c->fd, (struct sockaddr *)&addr, sizeof(addr))) {
		int err = -errno;

		close(c->fd);
		c->fd = -1;
		return err;
	}
	return 0;
}

static struct xc *xc_open(void)
{
	struct xc *c = malloc(sizeof(*c));
	int ret;

	if (!c)
		tap_bail("out of memory");
	ret = xc_connect(c);
	if (ret)
		tap_bail("connect to %s: %s", SOCK, strerror(-ret));
	return c;
}

static void xc_close(struct xc *c)
{
	close(c->fd);
	free(c);
}

/* Read exactly @len bytes within @ms. 0, -ETIMEDOUT or -EPIPE (EOF). */
static int recv_all(int fd, void *buf, size_t len, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char *p = buf;
	ssize_t n;

	while (len) {
		if (poll(&pfd, 1, ms) <= 0)
			return -ETIMEDOUT;
		n = recv(fd, p, len, 0);
		if (n == 0)
			return -EPIPE;
		if (n < 0)
			return -errno;
		p += n;
		len -= n;
	}
	return 0;
}

static int xc_send(struct xc *c, uint32_t type, uint32_t tx, const void *p,
		   size_t len)
{
	struct pvisor_xs_header h = {
		.type = type, .req_id = ++c->req_id, .tx_id = tx, .len = len,
	};
	int ret = xs_send_all(c->fd, &h, sizeof(h));

	return ret ? ret : xs_send_all(c->fd, p, len);
}

static int xc_recv(struct xc *c, struct msg *m, int ms)
{
	int ret = recv_all(c->fd, &m->h, sizeof(m->h), ms);

	if (ret)
		return ret;
	if (m->h.len > PVISOR_XS_PAYLOAD_MAX)
		return -EPROTO;
	ret = recv_all(c->fd, m->data, m->h.len, ms);
	m->data[ret ? 0 : m->h.len] = '\0';
	return ret;
}

/* The reply to the request just sent, into `last`; events are kept. */
static int xc_reply(struct xc *c)
{
	int ret;

	for (;;) {
		ret = xc_recv(c, &last, 60000);
		if (ret)
			return ret;
		if (last.h.type != PVISOR_XS_WATCH_EVENT)
			return 0;
		if (c->nr_events < PVT_ARRAY_SIZE(c->events))
			c->events[c->nr_events++] = last;
	}
}

static int req(struct xc *c, uint32_t type, uint32_t tx, const void *p,
	       size_t len)
{
	int ret = xc_send(c, type, tx, p, len);

	memset(&last.h, 0, sizeof(last.h));
	last.data[0] = '\0';
	return ret ? ret : xc_reply(c);
}

/* Strings joined with their nuls, into @buf; returns the length. */
static size_t join(char *buf, int n, ...)
{
	size_t len = 0;
	va_list ap;

	va_start(ap, n);
	while (n--) {
		const char *s = va_arg(ap, const char *);

		strcpy(buf + len, s);
		len += strlen(s) + 1;
	}
	va_end(ap);
	return len;
}

static int req1(struct xc *c, uint32_t type, uint32_t tx, const char *s)
{
	return req(c, type, tx, s, strlen(s) + 1);
}

static int xwrite(struct xc *c, uint32_t tx, const char *path, const char *v)
{
	char buf[PVISOR_XS_PAYLOAD_MAX];
	size_t plen = strlen(path) + 1;

	memcpy(buf, path, plen);
	memcpy(buf + plen, v, strlen(v));
	return req(c, PVISOR_XS_WRITE, tx, buf, plen + strlen(v));
}

static bool is_ok(void)
{
	return last.h.type != PVISOR_XS_ERROR && last.h.len == 3 &&
	       !memcmp(last.data, "OK", 3);
}

static bool is_err(const char *e)
{
	return last.h.type == PVISOR_XS_ERROR && !strcmp(last.data, e);
}

static bool is_value(uint32_t type, const char *v)
{
	return last.h.type == type && last.h.len == strlen(v) &&
	       !memcmp(last.data, v, last.h.len);
}

/* A reply of nul-terminated strings equal to @want ("a|b|c"). */
static bool is_list(uint32_t type, const char *want)
{
	char buf[PVISOR_XS_PAYLOAD_MAX + 1];
	size_t i;

	if (last.h.type != type || last.h.len != strlen(want) + (*want ? 1 : 0))
		return false;
	memcpy(buf, last.data, last.h.len);
	for (i = 0; i < last.h.len; i++)
		if (buf[i] == '\0' && i + 1 < last.h.len)
			buf[i] = '|';
	return !*want ? last.h.len == 0 : !strcmp(buf, want);
}

static void show_last(void)
{
	char shown[64];
	size_t i, n = last.h.len < 60 ? last.h.len : 60;

	for (i = 0; i < n; i++)
		shown[i] = last.data[i] ? last.data[i] : '|';
	shown[n] = '\0';
	tap_diag("last reply: type %u req %u tx %u len %u \"%s\"", last.h.type,
		 last.h.req_id, last.h.tx_id, last.h.len, shown);
}

#define CHECK(cond, ...) do {			\
		if (!tap_ok((cond), __VA_ARGS__))	\
			show_last();			\
	} while (0)

/* The next watch event within @ms: from the kept ones first. */
static int xc_event(struct xc *c, struct msg *m, int ms)
{
	int ret;

	if (c->nr_events) {
		*m = c->events[0];
		memmove(&c->events[0], &c->events[1],
			--c->nr_events * sizeof(c->events[0]));
		return 0;
	}
	do {
		ret = xc_recv(c, m, ms);
	} while (!ret && m->h.type != PVISOR_XS_WATCH_EVENT);
	return ret;
}

static bool event_is(struct xc *c, const char *path, const char *token)
{
	struct msg m;

	if (xc_event(c, &m, 60000))
		return false;
	if (strcmp(m.data, path) || strcmp(m.data + strlen(m.data) + 1, token)) {
		tap_diag("event: \"%s\" token \"%s\"", m.data,
			 m.data + strlen(m.data) + 1);
		return false;
	}
	return !m.h.req_id && !m.h.tx_id;
}

static bool no_event(struct xc *c, int ms)
{
	struct msg m;

	return c->nr_events == 0 && xc_event(c, &m, ms) == -ETIMEDOUT;
}

/* Is the connection closed by pvisord (EOF within @ms)? */
static bool closed(struct xc *c, int ms)
{
	struct msg m;
	int ret;

	do {
		ret = xc_recv(c, &m, ms);
	} while (!ret);
	return ret == -EPIPE || ret == -ECONNRESET;
}

/* --- the daemon ------------------------------------------------------------ */

static void start_daemon(void)
{
	char q1[32], q2[32], q3[32], q4[32], q5[32];
	struct xc c;
	int i, fd;

	snprintf(q1, sizeof(q1), "entries=%d", Q_ENTRIES);
	snprintf(q2, sizeof(q2), "value-size=%d", Q_VALUE);
	snprintf(q3, sizeof(q3), "watches=%d", Q_WATCHES);
	snprintf(q4, sizeof(q4), "transactions=%d", Q_TXNS);
	snprintf(q5, sizeof(q5), "txn-ops=%d", Q_TXN_OPS);
	daemon_pid = fork();
	if (daemon_pid < 0)
		tap_bail("fork: %s", strerror(errno));
	if (!daemon_pid) {
		fd = open(LOG, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execlp("pvisord", "pvisord", "-f", "-v", "-s", SOCK, "-S", STATE,
		       "-p", PIDF, "-Q", q1, "-Q", q2, "-Q", q3, "-Q", q4,
		       "-Q", q5, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 1200; i++) {
		if (!xc_connect(&c)) {
			close(c.fd);
			return;
		}
		if (waitpid(daemon_pid, NULL, WNOHANG) == daemon_pid) {
			daemon_pid = -1;
			pvt_system("cat " LOG " | sed 's/^/# /'");
			tap_bail("pvisord exited at start");
		}
		usleep(50000);
	}
	tap_bail("pvisord did not open its socket in 60 s");
}

static void stop_daemon(void)
{
	if (daemon_pid > 0) {
		kill(daemon_pid, SIGKILL);
		waitpid(daemon_pid, NULL, 0);
		daemon_pid = -1;
	}
}

static void on_abort(void)
{
	struct pvnl *nl = pvnl_open();

	stop_daemon();
	if (nl) {
		pvt_destroy_prefix(nl, PREFIX);
		pvnl_close(nl);
	}
}

/* Wait until @path exists (@want) or not. */
static bool wait_node(struct xc *c, const char *path, bool want)
{
	int i;

	for (i = 0; i < 1200; i++) {
		if (req1(c, PVISOR_XS_READ, 0, path))
			return false;
		if ((last.h.type == PVISOR_XS_READ) == want)
			return true;
		usleep(50000);
	}
	return false;
}

static bool act_as(struct xc *c, uint32_t domid)
{
	char buf[64], id[16];

	snprintf(id, sizeof(id), "%u", domid);
	return !req(c, PVISOR_XS_CONTROL, 0, buf,
		    join(buf, 2, "pvisor-act-as", id)) && is_ok();
}

/* --- the checks ------------------------------------------------------------ */

static void test_basics(struct xc *c)
{
	char buf[PVISOR_XS_PAYLOAD_MAX];
	static const char bin[] = { 'a', 0, 'b', 0, 0 };
	size_t len;

	req1(c, PVISOR_XS_READ, 0, "/local/domain/0/name");
	CHECK(is_value(PVISOR_XS_READ, "Domain-0"), "READ /local/domain/0/name is Domain-0");
	CHECK(last.h.req_id == c->req_id && last.h.tx_id == 0,
	      "... the reply echoes req_id and tx_id");

	xwrite(c, 0, "/t/a/b", "hello");
	CHECK(is_ok(), "WRITE /t/a/b (parents made on the way)");
	req1(c, PVISOR_XS_READ, 0, "/t/a/b");
	CHECK(is_value(PVISOR_XS_READ, "hello"), "READ it back");
	req1(c, PVISOR_XS_READ, 0, "/t/a");
	CHECK(is_value(PVISOR_XS_READ, ""), "the made parent has an empty value");

	len = join(buf, 1, "/t/bin");
	memcpy(buf + len, bin, sizeof(bin));
	req(c, PVISOR_XS_WRITE, 0, buf, len + sizeof(bin));
	req1(c, PVISOR_XS_READ, 0, "/t/bin");
	CHECK(last.h.len == sizeof(bin) && !memcmp(last.data, bin, sizeof(bin)),
	      "a binary value with nul bytes survives");
	xwrite(c, 0, "/t/empty", "");
	req1(c, PVISOR_XS_READ, 0, "/t/empty");
	CHECK(is_value(PVISOR_XS_READ, ""), "an empty value");

	xwrite(c, 0, "/t/a/c", "2");
	xwrite(c, 0, "/t/a/d", "3");
	req1(c, PVISOR_XS_DIRECTORY, 0, "/t/a");
	CHECK(is_list(PVISOR_XS_DIRECTORY, "b|c|d"), "DIRECTORY lists children in creation order");
	req1(c, PVISOR_XS_DIRECTORY, 0, "/t/a/b");
	CHECK(last.h.type == PVISOR_XS_DIRECTORY && last.h.len == 0,
	      "DIRECTORY of a leaf is empty");

	req1(c, PVISOR_XS_MKDIR, 0, "/t/a/b");
	req1(c, PVISOR_XS_READ, 0, "/t/a/b");
	CHECK(is_value(PVISOR_XS_READ, "hello"), "MKDIR of an existing node keeps its value");
	req1(c, PVISOR_XS_MKDIR, 0, "/t/m/n");
	CHECK(is_ok(), "MKDIR /t/m/n");
	req1(c, PVISOR_XS_READ, 0, "/t/m/n");
	CHECK(is_value(PVISOR_XS_READ, ""), "... it exists, empty");

	req1(c, PVISOR_XS_RM, 0, "/t/a");
	CHECK(is_ok(), "RM /t/a");
	req1(c, PVISOR_XS_READ, 0, "/t/a/b");
	CHECK(is_err("ENOENT"), "... its children are gone too");
	req1(c, PVISOR_XS_RM, 0, "/t/a");
	CHECK(is_ok(), "RM of a missing node whose parent exists is OK");
	req1(c, PVISOR_XS_RM, 0, "/t/nope/x");
	CHECK(is_err("ENOENT"), "RM whose parent is missing: ENOENT");
	req1(c, PVISOR_XS_RM, 0, "/");
	CHECK(is_err("EINVAL"), "RM /: EINVAL");
	req1(c, PVISOR_XS_READ, 0, "/t/nothing");
	CHECK(is_err("ENOENT"), "READ of a missing node: ENOENT");

	req1(c, PVISOR_XS_GET_PERMS, 0, "/t/m");
	CHECK(is_list(PVISOR_XS_GET_PERMS, "n0"), "GET_PERMS of Domain0's node: n0");
	len = join(buf, 4, "/t/m", "r30001", "w30002", "b30003");
	req(c, PVISOR_XS_SET_PERMS, 0, buf, len);
	CHECK(is_ok(), "SET_PERMS r30001 w30002 b30003");
	req1(c, PVISOR_XS_GET_PERMS, 0, "/t/m");
	CHECK(is_list(PVISOR_XS_GET_PERMS, "r30001|w30002|b30003"), "GET_PERMS reads them back");
	req1(c, PVISOR_XS_GET_PERMS, 0, "/t/m/n");
	CHECK(is_list(PVISOR_XS_GET_PERMS, "n0"), "a child keeps the permissions it was made with");
	xwrite(c, 0, "/t/m/new", "x");
	req1(c, PVISOR_XS_GET_PERMS, 0, "/t/m/new");
	CHECK(is_list(PVISOR_XS_GET_PERMS, "r30001|w30002|b30003"), "a new child inherits its parent's");

	req1(c, PVISOR_XS_GET_DOMAIN_PATH, 0, "7");
	CHECK(is_list(PVISOR_XS_GET_DOMAIN_PATH, "/local/domain/7"), "GET_DOMAIN_PATH 7");
	req1(c, PVISOR_XS_IS_DOMAIN_INTRODUCED, 0, "0");
	CHECK(is_list(PVISOR_XS_IS_DOMAIN_INTRODUCED, "T"), "IS_DOMAIN_INTRODUCED 0: T");
	req1(c, PVISOR_XS_IS_DOMAIN_INTRODUCED, 0, "9");
	CHECK(is_list(PVISOR_XS_IS_DOMAIN_INTRODUCED, "F"), "IS_DOMAIN_INTRODUCED 9 (no ring): F");
	req(c, PVISOR_XS_INTRODUCE, 0, buf, join(buf, 3, "5", "1234", "3"));
	CHECK(is_err("ENOSYS"), "INTRODUCE: ENOSYS (guest rings not written yet)");
	req1(c, PVISOR_XS_RELEASE, 0, "5");
	CHECK(is_err("ENOSYS"), "RELEASE: ENOSYS");
	req(c, PVISOR_XS_RESET_WATCHES, 0, "", 1);
	CHECK(is_ok(), "RESET_WATCHES");
	req1(c, PVISOR_XS_RESUME, 0, "5");
	CHECK(is_err("ENOSYS"), "RESUME: ENOSYS");
	req(c, PVISOR_XS_SET_TARGET, 0, buf, join(buf, 2, "5", "6"));
	CHECK(is_err("ENOSYS"), "SET_TARGET: ENOSYS");
	req(c, PVISOR_XS_DIRECTORY_PART, 0, buf, join(buf, 2, "/t", "0"));
	CHECK(is_err("ENOSYS"), "DIRECTORY_PART: ENOSYS");
	req1(c, PVISOR_XS_CONTROL, 0, "check");
	CHECK(is_err("EINVAL"), "CONTROL with an unknown command: EINVAL");
}

static void test_bad_input(struct xc *c)
{
	static const char *const bad[] = {
		"/t/a b", "/t/a.b", "/t/", "//t", "/t//a", "t/", "/t/\x01", "/t/a*",
	};
	char buf[PVISOR_XS_PAYLOAD_MAX + 64];
	unsigned int i, fails;
	struct xc *other;
	size_t len;
	int ret;

	req(c, 99, 0, "x", 2);
	CHECK(is_err("ENOSYS"), "an unknown type: ENOSYS");
	req(c, PVISOR_XS_TYPE_INVALID, 0, "", 0);
	CHECK(is_err("ENOSYS"), "type 0xffff: ENOSYS");
	req(c, PVISOR_XS_WATCH_EVENT, 0, buf, join(buf, 2, "/t", "x"));
	CHECK(is_err("EINVAL"), "a WATCH_EVENT from a client: EINVAL");
	req(c, PVISOR_XS_ERROR, 0, "EINVAL", 7);
	CHECK(is_err("EINVAL"), "an ERROR from a client: EINVAL");
	CHECK(last.h.req_id == c->req_id, "... the error carries the request's req_id");

	req(c, PVISOR_XS_READ, 0, "/t/m", 4);
	CHECK(is_err("EINVAL"), "a path without its nul: EINVAL");
	req(c, PVISOR_XS_READ, 0, "", 0);
	CHECK(is_err("EINVAL"), "an empty payload: EINVAL");
	req(c, PVISOR_XS_READ, 0, buf, join(buf, 2, "/t/m", "extra"));
	CHECK(is_err("EINVAL"), "READ with two strings: EINVAL");
	req(c, PVISOR_XS_WRITE, 0, "/t/nonul", 8);
	CHECK(is_err("EINVAL"), "WRITE without a nul after the path: EINVAL");
	req(c, PVISOR_XS_WATCH, 0, "/t", 3);
	CHECK(is_err("EINVAL"), "WATCH without a token: EINVAL");
	req(c, PVISOR_XS_SET_PERMS, 0, "/t/m", 5);
	CHECK(is_err("EINVAL"), "SET_PERMS without a permission: EINVAL");
	req(c, PVISOR_XS_SET_PERMS, 0, buf, join(buf, 2, "/t/m", "x5"));
	CHECK(is_err("EINVAL"), "SET_PERMS x5: EINVAL");
	req(c, PVISOR_XS_SET_PERMS, 0, buf, join(buf, 2, "/t/m", "r"));
	CHECK(is_err("EINVAL"), "SET_PERMS r (no domain): EINVAL");
	req(c, PVISOR_XS_SET_PERMS, 0, buf, join(buf, 2, "/t/m", "r65536"));
	CHECK(is_err("EINVAL"), "SET_PERMS r65536: EINVAL");
	req(c, PVISOR_XS_SET_PERMS, 0, buf, join(buf, 2, "/t/m", "r5x"));
	CHECK(is_err("EINVAL"), "SET_PERMS r5x: EINVAL");
	len = join(buf, 1, "/t/m");
	for (i = 0; i <= 1024; i++)
		len += join(buf + len, 1, "r1");
	req(c, PVISOR_XS_SET_PERMS, 0, buf, len);
	CHECK(is_err("EQUOTA"), "1025 permission entries, even from Domain0: EQUOTA");
	req1(c, PVISOR_XS_GET_PERMS, 0, "/t/m");
	CHECK(is_list(PVISOR_XS_GET_PERMS, "r30001|w30002|b30003"), "... and the permissions did not change");
	req1(c, PVISOR_XS_GET_DOMAIN_PATH, 0, "abc");
	CHECK(is_err("EINVAL"), "GET_DOMAIN_PATH abc: EINVAL");
	req(c, PVISOR_XS_TRANSACTION_START, 0, "x", 2);
	CHECK(is_err("EINVAL"), "TRANSACTION_START with a payload: EINVAL");
	req(c, PVISOR_XS_INTRODUCE, 0, buf, join(buf, 3, "0", "1", "1"));
	CHECK(is_err("EINVAL"), "INTRODUCE of domain 0: EINVAL");
	req(c, PVISOR_XS_INTRODUCE, 0, buf, join(buf, 3, "5", "x", "1"));
	CHECK(is_err("EINVAL"), "INTRODUCE with a bad frame number: EINVAL");

	/* Paths. */
	fails = 0;

	for (i = 0; i < PVT_ARRAY_SIZE(bad); i++) {
		xwrite(c, 0, bad[i], "x");
		if (!is_err("EINVAL")) {
			tap_diag("path \"%s\" was not refused", bad[i]);
			fails++;
		}
	}
	CHECK(!fails, "bad characters, doubled, leading or trailing slashes: EINVAL");
	req(c, PVISOR_XS_WRITE, 0, "\0x", 3);
	CHECK(is_err("EINVAL"), "an empty path: EINVAL");

	/* Exactly the longest absolute path, then one byte more. */
	memset(buf, 'a', PVISOR_XS_ABS_PATH_MAX + 1);
	buf[0] = '/';
	buf[1] = 't';
	buf[2] = '/';
	buf[PVISOR_XS_ABS_PATH_MAX] = '\0';
	req1(c, PVISOR_XS_MKDIR, 0, buf);
	CHECK(is_ok(), "a path of %d bytes is fine", PVISOR_XS_ABS_PATH_MAX);
	buf[PVISOR_XS_ABS_PATH_MAX] = 'a';
	buf[PVISOR_XS_ABS_PATH_MAX + 1] = '\0';
	req1(c, PVISOR_XS_MKDIR, 0, buf);
	CHECK(is_err("EINVAL"), "one byte more: EINVAL");
	memset(buf, 'r', PVISOR_XS_REL_PATH_MAX + 1);
	buf[PVISOR_XS_REL_PATH_MAX + 1] = '\0';
	req1(c, PVISOR_XS_MKDIR, 0, buf);
	CHECK(is_err("EINVAL"), "a relative path over %d bytes: EINVAL", PVISOR_XS_REL_PATH_MAX);
	buf[PVISOR_XS_REL_PATH_MAX] = '\0';
	req1(c, PVISOR_XS_MKDIR, 0, buf);
	CHECK(is_ok(), "a relative path of %d bytes is fine", PVISOR_XS_REL_PATH_MAX);
	req1(c, PVISOR_XS_RM, 0, buf);

	/* A value filling the whole payload, then a payload over the limit. */
	len = join(buf, 1, "/t/big");
	memset(buf + len, 'v', PVISOR_XS_PAYLOAD_MAX - len);
	req(c, PVISOR_XS_WRITE, 0, buf, PVISOR_XS_PAYLOAD_MAX);
	CHECK(is_ok(), "a WRITE of exactly %d payload bytes", PVISOR_XS_PAYLOAD_MAX);
	req1(c, PVISOR_XS_READ, 0, "/t/big");
	CHECK(last.h.type == PVISOR_XS_READ && last.h.len == PVISOR_XS_PAYLOAD_MAX - len,
	      "... reads back whole");

	other = xc_open();
	memset(buf, 'z', sizeof(buf));
	/* pvisord may close before the payload is all sent: EPIPE is fine. */
	ret = xc_send(other, PVISOR_XS_WRITE, 0, buf, PVISOR_XS_PAYLOAD_MAX + 1);
	CHECK((!ret || ret == -EPIPE || ret == -ECONNRESET) && closed(other, 60000),
	      "a payload of %d bytes closes that connection", PVISOR_XS_PAYLOAD_MAX + 1);
	xc_close(other);
	req1(c, PVISOR_XS_READ, 0, "/t/m");
	CHECK(last.h.type == PVISOR_XS_READ, "... and no other");

	/* A header cut short, then the connection closed: no harm. */
	other = xc_open();
	xs_send_all(other->fd, "\x02\0\0", 3);
	xc_close(other);
	req1(c, PVISOR_XS_READ, 0, "/t/m");
	CHECK(last.h.type == PVISOR_XS_READ, "a client that leaves mid-header harms nobody");
}

static void test_watches(struct xc *c)
{
	char buf[256];
	struct xc *w = xc_open();

	req(w, PVISOR_XS_WATCH, 0, buf, join(buf, 2, "/t/w", "tok1"));
	CHECK(is_ok(), "WATCH /t/w");
	CHECK(event_is(w, "/t/w", "tok1"), "it fires once at once, on its own path, though it does not exist");
	CHECK(no_event(w, 300), "... and only once");
	xwrite(c, 0, "/t/w/x/y", "1");
	CHECK(event_is(w, "/t/w/x/y", "tok1"), "a write below fires it with the written path");
	xwrite(c, 0, "/t/wx", "1");
	CHECK(no_event(w, 300), "a sibling with a common prefix does not");
	req(w, PVISOR_XS_WATCH, 0, buf, join(buf, 3, "/t/w/x/y", "tok2", ""));
	CHECK(is_ok() && event_is(w, "/t/w/x/y", "tok2"),
	      "a second watch (with the reserved third string) fires at once too");
	req1(c, PVISOR_XS_RM, 0, "/t/w");
	CHECK(event_is(w, "/t/w", "tok1"), "RM of the watched path fires it");
	CHECK(event_is(w, "/t/w/x/y", "tok2"), "a watch inside a removed subtree hears its own path");
	req(w, PVISOR_XS_WATCH, 0, buf, join(buf, 2, "/t/w", "tok1"));
	CHECK(is_err("EEXIST"), "the same path and token again: EEXIST");
	req(w, PVISOR_XS_UNWATCH, 0, buf, join(buf, 2, "/t/w", "tok1"));
	CHECK(is_ok(), "UNWATCH");
	req(w, PVISOR_XS_UNWATCH, 0, buf, join(buf, 2, "/t/w/x/y", "tok2"));
	xwrite(c, 0, "/t/w/x/y", "2");
	CHECK(no_event(w, 300), "... then nothing fires");
	req(w, PVISOR_XS_UNWATCH, 0, buf, join(buf, 2, "/t/w", "tok1"));
	CHECK(is_err("ENOENT"), "UNWATCH of a watch not set: ENOENT");
	req(w, PVISOR_XS_WATCH, 0, buf, join(buf, 2, "data/r", "rel"));
	CHECK(is_ok() && event_is(w, "data/r", "rel"), "a relative watch fires with its relative path");
	xwrite(c, 0, "/local/domain/0/data/r/s", "1");
	CHECK(event_is(w, "data/r/s", "rel"), "... and hears changes as relative paths");
	req(w, PVISOR_XS_WATCH, 0, buf, join(buf, 2, "@releaseDomain", "rel"));
	CHECK(is_ok() && event_is(w, "@releaseDomain", "rel"), "WATCH @releaseDomain");
	req(w, PVISOR_XS_WATCH, 0, buf, join(buf, 2, "@nonsense", "x"));
	CHECK(is_ok() && event_is(w, "@nonsense", "x"),
	      "WATCH of another @ name is accepted, as in Xen (it only ever fires once)");
	req(w, PVISOR_XS_WATCH, 0, buf, join(buf, 2, "@bad name", "x"));
	CHECK(is_err("EINVAL"), "... but an @ name with a bad character: EINVAL");
	xc_close(w);
}

static void test_transactions(struct xc *c)
{
	char buf[64], *end;
	struct xc *w = xc_open();
	uint32_t tx, tx2;

	xwrite(c, 0, "/t/tx/a", "0");
	req(w, PVISOR_XS_WATCH, 0, buf, join(buf, 2, "/t/tx", "t"));
	event_is(w, "/t/tx", "t");

	req(c, PVISOR_XS_TRANSACTION_START, 0, "", 1);
	tx = strtoul(last.data, &end, 10);
	CHECK(last.h.type == PVISOR_XS_TRANSACTION_START && tx && !*end,
	      "TRANSACTION_START gives an id (%u)", tx);
	xwrite(c, tx, "/t/tx/a", "1");
	xwrite(c, tx, "/t/tx/b", "new");
	CHECK(is_ok() && last.h.tx_id == tx, "writes inside it (the reply carries tx_id)");
	req1(c, PVISOR_XS_READ, tx, "/t/tx/a");
	CHECK(is_value(PVISOR_XS_READ, "1"), "it reads its own write");
	req1(c, PVISOR_XS_READ, 0, "/t/tx/a");
	CHECK(is_value(PVISOR_XS_READ, "0"), "outside, the old value");
	req1(c, PVISOR_XS_READ, 0, "/t/tx/b");
	CHECK(is_err("ENOENT"), "outside, the new node does not exist yet");
	CHECK(no_event(w, 300), "no watch fires before the commit");
	req(c, PVISOR_XS_TRANSACTION_END, tx, "T", 2);
	CHECK(is_ok(), "TRANSACTION_END T commits");
	CHECK(event_is(w, "/t/tx/a", "t") && event_is(w, "/t/tx/b", "t"),
	      "the commit fires the watches");
	req1(c, PVISOR_XS_READ, 0, "/t/tx/b");
	CHECK(is_value(PVISOR_XS_READ, "new"), "the changes are in");

	/* A conflict: someone else changes what the transaction read. */
	req(c, PVISOR_XS_TRANSACTION_START, 0, "", 0);
	tx = strtoul(last.data, NULL, 10);
	req1(c, PVISOR_XS_READ, tx, "/t/tx/a");
	xwrite(c, tx, "/t/tx/c", "from tx");
	xwrite(w, 0, "/t/tx/a", "other");
	req(c, PVISOR_XS_TRANSACTION_END, tx, "T", 2);
	CHECK(is_err("EAGAIN"), "a node read, changed outside meanwhile: EAGAIN");
	req1(c, PVISOR_XS_READ, 0, "/t/tx/c");
	CHECK(is_err("ENOENT"), "... and none of its changes happened");
	req(c, PVISOR_XS_TRANSACTION_END, tx, "T", 2);
	CHECK(is_err("ENOENT"), "... and the transaction is gone");
	req(c, PVISOR_XS_TRANSACTION_START, 0, "", 0);
	tx = strtoul(last.data, NULL, 10);
	req1(c, PVISOR_XS_READ, tx, "/t/tx/a");
	xwrite(c, tx, "/t/tx/c", "from tx");
	req(c, PVISOR_XS_TRANSACTION_END, tx, "T", 2);
	CHECK(is_ok(), "the retry commits");

	/* No conflict: someone else changes a node the transaction never saw. */
	req(c, PVISOR_XS_TRANSACTION_START, 0, "", 0);
	tx = strtoul(last.data, NULL, 10);
	xwrite(c, tx, "/t/tx/a", "mine");
	xwrite(w, 0, "/t/tx/b", "theirs");
	req(c, PVISOR_XS_TRANSACTION_END, tx, "T", 2);
	CHECK(is_ok(), "a change elsewhere does not conflict");
	/* Nor does a remove-and-recreate inside one transaction. */
	req(c, PVISOR_XS_TRANSACTION_START, 0, "", 0);
	tx = strtoul(last.data, NULL, 10);
	req1(c, PVISOR_XS_RM, tx, "/t/tx/c");
	xwrite(c, tx, "/t/tx/c", "again");
	req(c, PVISOR_XS_TRANSACTION_END, tx, "T", 2);
	CHECK(is_ok(), "RM then WRITE of one node in a transaction commits");
	req1(c, PVISOR_XS_READ, 0, "/t/tx/c");
	CHECK(is_value(PVISOR_XS_READ, "again"), "... with the final value");
	/* Two transactions creating the same node: the second loses. */
	req(c, PVISOR_XS_TRANSACTION_START, 0, "", 0);
	tx = strtoul(last.data, NULL, 10);
	req(w, PVISOR_XS_TRANSACTION_START, 0, "", 0);
	tx2 = strtoul(last.data, NULL, 10);
	xwrite(c, tx, "/t/tx/race", "1");
	xwrite(w, tx2, "/t/tx/race", "2");
	req(c, PVISOR_XS_TRANSACTION_END, tx, "T", 2);
	CHECK(is_ok(), "the first of two creating one node commits");
	req(w, PVISOR_XS_TRANSACTION_END, tx2, "T", 2);
	CHECK(is_err("EAGAIN"), "the second: EAGAIN");

	req(c, PVISOR_XS_TRANSACTION_START, 0, "", 0);
	tx = strtoul(last.data, NULL, 10);
	xwrite(c, tx, "/t/tx/aborted", "1");
	req(c, PVISOR_XS_TRANSACTION_END, tx, "F", 2);
	CHECK(is_ok(), "TRANSACTION_END F aborts");
	req1(c, PVISOR_XS_READ, 0, "/t/tx/aborted");
	CHECK(is_err("ENOENT"), "... discarding its changes");

	req1(c, PVISOR_XS_READ, 12345, "/t/tx/a");
	CHECK(is_err("ENOENT"), "a request in an unknown transaction: ENOENT");
	req(c, PVISOR_XS_TRANSACTION_START, 0, "", 0);
	tx = strtoul(last.data, NULL, 10);
	req(c, PVISOR_XS_TRANSACTION_END, tx, "X", 2);
	CHECK(is_err("EINVAL"), "TRANSACTION_END X: EINVAL");
	req(c, PVISOR_XS_TRANSACTION_START, tx, "", 0);
	CHECK(is_err("EBUSY"), "TRANSACTION_START inside a transaction: EBUSY");
	req(c, PVISOR_XS_TRANSACTION_END, 0, "T", 2);
	CHECK(is_err("ENOENT"), "TRANSACTION_END without a transaction: ENOENT");
	req(c, PVISOR_XS_TRANSACTION_END, tx, "F", 2);
	xc_close(w);
}

/* Everything a guest may and may not do, as domain @a (and @b). */
static void test_domains(struct xc *c, const struct pvnl_domain *a,
			 const struct pvnl_domain *b)
{
	char base[64], bbase[64], path[256], buf[512], want[64], vm[128];
	struct xc *g = xc_open(), *h;
	unsigned int i;

	snprintf(base, sizeof(base), "/local/domain/%u", a->id);
	snprintf(bbase, sizeof(bbase), "/local/domain/%u", b->id);
	CHECK(wait_node(c, base, true), "a new domain gets %s", base);
	snprintf(path, sizeof(path), "%s/name", base);
	req1(c, PVISOR_XS_READ, 0, path);
	CHECK(is_value(PVISOR_XS_READ, a->name), "... name %s", a->name);
	snprintf(path, sizeof(path), "%s/domid", base);
	snprintf(want, sizeof(want), "%u", a->id);
	req1(c, PVISOR_XS_READ, 0, path);
	CHECK(is_value(PVISOR_XS_READ, want), "... domid");
	snprintf(path, sizeof(path), "%s/memory/target", base);
	snprintf(want, sizeof(want), "%llu", (unsigned long long)(a->memory / 1024));
	req1(c, PVISOR_XS_READ, 0, path);
	CHECK(is_value(PVISOR_XS_READ, want), "... memory/target in KiB");
	snprintf(path, sizeof(path), "%s/cpu/1/availability", base);
	req1(c, PVISOR_XS_READ, 0, path);
	CHECK(is_value(PVISOR_XS_READ, "online"), "... cpu/1/availability for its second vCPU");
	snprintf(path, sizeof(path), "%s/vm", base);
	req1(c, PVISOR_XS_READ, 0, path);
	snprintf(vm, sizeof(vm), "%.100s", last.data);
	snprintf(path, sizeof(path), "%s/name", vm);
	req1(c, PVISOR_XS_READ, 0, path);
	CHECK(!strncmp(vm, "/vm/", 4) && is_value(PVISOR_XS_READ, a->name),
	      "... vm names %s, whose name is the domain's", vm);
	req1(c, PVISOR_XS_GET_PERMS, 0, base);
	snprintf(want, sizeof(want), "n%u", a->id);
	CHECK(is_list(PVISOR_XS_GET_PERMS, want), "... %s is owned by the domain", base);
	snprintf(path, sizeof(path), "%s/name", base);
	req1(c, PVISOR_XS_GET_PERMS, 0, path);
	snprintf(want, sizeof(want), "n0|r%u", a->id);
	CHECK(is_list(PVISOR_XS_GET_PERMS, want), "... its name is Domain0's, readable by it");

	/* Acting as the guest. */
	req(g, PVISOR_XS_WATCH, 0, buf, join(buf, 2, "/t", "x"));
	event_is(g, "/t", "x");
	snprintf(want, sizeof(want), "%u", a->id);
	req(g, PVISOR_XS_CONTROL, 0, buf, join(buf, 2, "pvisor-act-as", want));
	CHECK(is_err("EBUSY"), "act-as with a watch set: EBUSY");
	req(g, PVISOR_XS_RESET_WATCHES, 0, "", 0);
	req(g, PVISOR_XS_CONTROL, 0, buf, join(buf, 2, "pvisor-act-as", "32000"));
	CHECK(is_err("ENOENT"), "act-as a domain that does not exist: ENOENT");
	CHECK(act_as(g, a->id), "act-as domain %u", a->id);
	req(g, PVISOR_XS_CONTROL, 0, buf, join(buf, 2, "pvisor-act-as", "0"));
	CHECK(is_err("EACCES"), "... for good: a guest cannot act-as again");
	req1(g, PVISOR_XS_READ, 0, "name");
	CHECK(is_value(PVISOR_XS_READ, a->name), "the guest reads its name by a relative path");
	xwrite(g, 0, "name", "renamed");
	CHECK(is_err("EACCES"), "it may not change it: EACCES");
	xwrite(g, 0, "data/x", "1");
	CHECK(is_ok(), "it writes below its own directory");
	snprintf(path, sizeof(path), "%s/data/x", base);
	req1(g, PVISOR_XS_GET_PERMS, 0, path);
	snprintf(want, sizeof(want), "n%u", a->id);
	CHECK(is_list(PVISOR_XS_GET_PERMS, want), "... and owns what it made");
	snprintf(path, sizeof(path), "%s/name", bbase);
	req1(g, PVISOR_XS_READ, 0, path);
	CHECK(is_err("EACCES"), "another domain's name: EACCES");
	snprintf(path, sizeof(path), "%s/nothing", bbase);
	req1(g, PVISOR_XS_READ, 0, path);
	CHECK(is_err("EACCES"), "a missing node under another domain: EACCES, not ENOENT");
	snprintf(path, sizeof(path), "%s/data/evil", bbase);
	xwrite(g, 0, path, "1");
	CHECK(is_err("EACCES"), "writing under another domain: EACCES");
	req1(g, PVISOR_XS_READ, 0, "/t/m/n");
	CHECK(is_err("EACCES"), "Domain0's node n0: EACCES");
	req1(g, PVISOR_XS_RM, 0, "/t/m/n");
	CHECK(is_err("EACCES"), "removing it: EACCES");
	req1(g, PVISOR_XS_RM, 0, "/t");
	CHECK(is_err("EACCES"), "removing its parent: EACCES");
	req1(g, PVISOR_XS_DIRECTORY, 0, "/t/m/n");
	CHECK(is_err("EACCES"), "listing a node it may not read: EACCES");
	req1(g, PVISOR_XS_DIRECTORY, 0, "/t/m");
	CHECK(is_list(PVISOR_XS_DIRECTORY, "n|new"),
	      "listing one whose first entry (r30001) lets everyone read");
	req(g, PVISOR_XS_INTRODUCE, 0, buf, join(buf, 3, "5", "1", "1"));
	CHECK(is_err("EACCES"), "INTRODUCE from a guest: EACCES");
	req1(g, PVISOR_XS_RELEASE, 0, "5");
	CHECK(is_err("EACCES"), "RELEASE from a guest: EACCES");
	req1(g, PVISOR_XS_RESUME, 0, "5");
	CHECK(is_err("EACCES"), "RESUME from a guest: EACCES");

	/* Granting: the guest lets domain b read one node. */
	snprintf(want, sizeof(want), "n%u", a->id);
	snprintf(path, sizeof(path), "r%u", b->id);
	req(g, PVISOR_XS_SET_PERMS, 0, buf, join(buf, 3, "data/x", want, path));
	CHECK(is_ok(), "the owner sets permissions");
	req(g, PVISOR_XS_SET_PERMS, 0, buf, join(buf, 2, "data/x", "n0"));
	CHECK(is_err("EPERM"), "... but may not give the node away: EPERM");
	snprintf(path, sizeof(path), "%s/name", base);
	req(g, PVISOR_XS_SET_PERMS, 0, buf, join(buf, 2, path, want));
	CHECK(is_err("EACCES"), "nor set them on a node it does not own: EACCES");
	h = xc_open();
	CHECK(act_as(h, b->id), "a second connection acts as domain %u", b->id);
	snprintf(path, sizeof(path), "%s/data/x", base);
	req1(h, PVISOR_XS_READ, 0, path);
	CHECK(is_value(PVISOR_XS_READ, "1"), "it reads the node it was given");
	xwrite(h, 0, path, "2");
	CHECK(is_err("EACCES"), "but may not write it");
	{
		char r[16], w[16];

		snprintf(r, sizeof(r), "r%u", b->id);
		snprintf(w, sizeof(w), "w%u", b->id);
		req(g, PVISOR_XS_SET_PERMS, 0, buf, join(buf, 4, "data/x", want, r, w));
		xwrite(h, 0, path, "2");
		CHECK(is_err("EACCES"), "of two entries naming it (r, then w), the first counts");
		req(g, PVISOR_XS_SET_PERMS, 0, buf, join(buf, 3, "data/x", want, r));
	}
	snprintf(path, sizeof(path), "%s/data/y", base);
	req(h, PVISOR_XS_WATCH, 0, buf, join(buf, 2, base, "peek"));
	event_is(h, base, "peek");
	xwrite(g, 0, "data/y", "secret");
	CHECK(no_event(h, 300), "a watch does not tell it about nodes it may not read");

	/* Quotas. */
	memset(buf, 'v', Q_VALUE + 1);
	buf[Q_VALUE + 1] = '\0';
	xwrite(g, 0, "data/big", buf);
	CHECK(is_err("EQUOTA"), "a value over the size quota: EQUOTA");
	buf[Q_VALUE] = '\0';
	xwrite(g, 0, "data/big", buf);
	CHECK(is_ok(), "a value at the quota is fine");
	for (i = 0; i < 2 * Q_ENTRIES; i++) {
		snprintf(path, sizeof(path), "data/n%u", i);
		xwrite(g, 0, path, "1");
		if (!is_ok())
			break;
	}
	CHECK(is_err("EQUOTA") && i < Q_ENTRIES, "creating nodes stops at the entries quota (after %u)", i);
	xwrite(g, 0, "data/n0", "2");
	CHECK(is_ok(), "... changing an existing one still works");
	req1(g, PVISOR_XS_RM, 0, "data/n0");
	xwrite(g, 0, "data/n0", "3");
	CHECK(is_ok(), "... and removing one makes room");
	snprintf(path, sizeof(path), "%s/data/dom0-made", base);
	xwrite(c, 0, path, "quota does not bind Domain0");
	CHECK(is_ok(), "Domain0 may still write there");
	for (i = 0; i < Q_WATCHES + 1; i++) {
		snprintf(path, sizeof(path), "data/w%u", i);
		req(g, PVISOR_XS_WATCH, 0, buf, join(buf, 2, path, "q"));
		if (!is_ok())
			break;
	}
	CHECK(i == Q_WATCHES && is_err("EQUOTA"), "watch %d: EQUOTA", Q_WATCHES + 1);
	for (i = 0; i < Q_TXNS + 1; i++) {
		req(g, PVISOR_XS_TRANSACTION_START, 0, "", 0);
		if (last.h.type != PVISOR_XS_TRANSACTION_START)
			break;
	}
	CHECK(i == Q_TXNS && is_err("EQUOTA"), "transaction %d: EQUOTA", Q_TXNS + 1);
	req(g, PVISOR_XS_RESET_WATCHES, 0, "", 0);
	req(g, PVISOR_XS_TRANSACTION_START, 0, "", 0);
	CHECK(last.h.type == PVISOR_XS_TRANSACTION_START,
	      "RESET_WATCHES ends its transactions too");
	{
		uint32_t tx = strtoul(last.data, NULL, 10);

		for (i = 0; i < Q_TXN_OPS + 1; i++) {
			xwrite(g, tx, "data/n0", "t");
			if (!is_ok())
				break;
		}
		CHECK(i == Q_TXN_OPS && is_err("EQUOTA"),
		      "change %d in one transaction: EQUOTA", Q_TXN_OPS + 1);
		req(g, PVISOR_XS_TRANSACTION_END, tx, "T", 2);
		CHECK(is_ok(), "... the ones before it commit");
	}
	req(g, PVISOR_XS_SET_PERMS, 0, buf,
	    join(buf, 7, "data/x", want, "r1", "r2", "r3", "r4", "r5"));
	CHECK(is_err("EQUOTA"), "a permission list over the quota: EQUOTA");

	xc_close(h);
	xc_close(g);
}

static void test_destroy(struct pvnl *nl, struct xc *c,
			 const struct pvnl_domain *a)
{
	char base[64], vm[128], buf[160];
	struct xc *g = xc_open(), *w = xc_open();

	snprintf(base, sizeof(base), "/local/domain/%u", a->id);
	snprintf(buf, sizeof(buf), "%s/vm", base);
	req1(c, PVISOR_XS_READ, 0, buf);
	snprintf(vm, sizeof(vm), "%.100s", last.data);
	req(w, PVISOR_XS_WATCH, 0, buf, join(buf, 2, "@releaseDomain", "r"));
	event_is(w, "@releaseDomain", "r");
	req(w, PVISOR_XS_WATCH, 0, buf, join(buf, 2, base, "b"));
	event_is(w, base, "b");
	act_as(g, a->id);
	CHECK(!pvnl_domain_del(nl, a->id, NULL), "destroy %s", a->name);
	CHECK(wait_node(c, base, false), "... %s goes", base);
	req1(c, PVISOR_XS_READ, 0, vm);
	CHECK(is_err("ENOENT"), "... and %s", vm);
	CHECK(event_is(w, base, "b"), "... watches on it fire");
	CHECK(event_is(w, "@releaseDomain", "r"), "... @releaseDomain fires");
	CHECK(closed(g, 60000), "... the connection acting as it is closed");
	xc_close(g);
	xc_close(w);
}

/*
 * Lost notifications: while pvisord is stopped (SIGSTOP), churn through
 * enough domains to overflow its netlink socket (ENOBUFS), and create
 * one that stays. On SIGCONT it must notice, dump again, and end with
 * exactly the module's domains in the tree.
 */
#define CHURN	300

static void test_lost_notifications(struct pvnl *nl, struct xc *c)
{
	char path[64], buf[PVISOR_XS_PAYLOAD_MAX + 1];
	struct pvnl_domain d, e;
	unsigned int stale = 0;
	size_t off;
	int i, ret = 0;

	kill(daemon_pid, SIGSTOP);
	for (i = 0; i < CHURN && !ret; i++) {
		ret = pvnl_domain_new(nl, PREFIX "churn", PVT_PAGE, 1, &d);
		if (!ret)
			ret = pvnl_domain_del(nl, d.id, NULL);
	}
	if (!ret)
		ret = pvnl_domain_new(nl, PREFIX "e", PVT_PAGE, 1, &e);
	kill(daemon_pid, SIGCONT);
	tap_ok(!ret, "%d domains made and destroyed while pvisord was stopped", CHURN);
	snprintf(path, sizeof(path), "/local/domain/%u/name", e.id);
	CHECK(!ret && wait_node(c, path, true), "the one that stayed enters the tree");
	CHECK(!pvt_system("grep -q 'lost domain notifications' " LOG),
	      "pvisord saw it had lost notifications (ENOBUFS) and listed the domains again");
	req1(c, PVISOR_XS_DIRECTORY, 0, "/local/domain");
	memcpy(buf, last.data, last.h.len);
	for (off = 0; off < last.h.len; off += strlen(buf + off) + 1) {
		struct pvnl_domain got;
		uint32_t id = strtoul(buf + off, NULL, 10);

		if (id && pvnl_domain_get(nl, id, NULL, &got)) {
			tap_diag("/local/domain/%s has no domain", buf + off);
			stale++;
		}
	}
	CHECK(last.h.type == PVISOR_XS_DIRECTORY && !stale,
	      "no entry is left for a domain that went");
	pvnl_domain_del(nl, e.id, NULL);
}

/*
 * Connections are limited (128, c included): one more is closed at once,
 * and a place freed is a place taken again.
 */
#define MAX_CONNS	128

static void test_connection_limit(struct xc *c)
{
	struct xc *conns[MAX_CONNS + 2];
	int i, served = 0, refused = 0;

	for (i = 0; i < MAX_CONNS + 2; i++) {
		conns[i] = xc_open();
		/* A reply, or the end of file, settles which it is. */
		if (req1(conns[i], PVISOR_XS_READ, 0, "/local/domain/0/name"))
			refused++;
		else if (is_value(PVISOR_XS_READ, "Domain-0"))
			served++;
	}
	CHECK(served == MAX_CONNS - 1 && refused == 3,
	      "%d connections at once: %d more are served, %d closed at once",
	      MAX_CONNS, served, refused);
	xc_close(conns[0]);
	/*
	 * pvisord frees a connection's place at the end of its round, which
	 * may come after our next connect: until then, that one is closed
	 * at once, and we try again (for 60 s at most, a hang detector).
	 */
	for (i = 0; i < 1200; i++) {
		conns[0] = xc_open();
		if (!req1(conns[0], PVISOR_XS_READ, 0, "/local/domain/0/name"))
			break;
		xc_close(conns[0]);
		usleep(50000);
	}
	CHECK(i < 1200 && is_value(PVISOR_XS_READ, "Domain-0"),
	      "a place freed can be taken again (after %d refusals)", i);
	for (i = 0; i < MAX_CONNS + 2; i++)
		xc_close(conns[i]);
	req1(c, PVISOR_XS_READ, 0, "/local/domain/0/name");
	CHECK(is_value(PVISOR_XS_READ, "Domain-0"), "the first connection was never disturbed");
}

/* A figure (kB) from pvisord's /proc/PID/status, or -1. */
static long daemon_status_kb(const char *field)
{
	char path[64], line[128];
	size_t n = strlen(field);
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)daemon_pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':')
			kb = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return kb;
}

/*
 * Clients that flood and never read must not stall another, nor make
 * pvisord buffer without bound: a flood of READs with 4 KiB replies
 * (unbounded, 16 MB of replies), and a watcher on "/" that never reads
 * while 2000 writes to a 3000-byte path each fire it (6 MB of events).
 */
#define FLOOD_WRITES	2000

static void test_flood(struct xc *c)
{
	char buf[PVISOR_XS_PAYLOAD_MAX], path[3001];
	struct xc *f = xc_open(), *w = xc_open();
	double start, worst = 0, t;
	long rss0, peak;
	size_t len;
	int i, sent = 0, flags;

	memset(path, 'l', sizeof(path) - 1);
	memcpy(path, "/t/", 3);
	path[sizeof(path) - 1] = '\0';
	req(w, PVISOR_XS_WATCH, 0, buf, join(buf, 2, "/", "all"));
	/* Reset the peak, so that VmHWM is this part's. */
	pvt_system("echo 5 > /proc/%d/clear_refs", (int)daemon_pid);
	rss0 = daemon_status_kb("VmRSS");

	flags = fcntl(f->fd, F_GETFL);
	fcntl(f->fd, F_SETFL, flags | O_NONBLOCK);
	len = join(buf, 1, "/t/big");
	for (i = 0; i < 4000; i++) {
		struct pvisor_xs_header h = {
			.type = PVISOR_XS_READ, .req_id = i, .len = len,
		};

		if (send(f->fd, &h, sizeof(h), MSG_NOSIGNAL) != sizeof(h))
			break;
		if (send(f->fd, buf, len, MSG_NOSIGNAL) != (ssize_t)len)
			break;
		sent++;
	}
	tap_diag("the flooder queued %d READs of 4 KiB replies before its socket filled", sent);
	start = pvt_now();
	for (i = 0; i < FLOOD_WRITES; i++) {
		t = pvt_now();
		snprintf(buf, sizeof(buf), "%d", i);
		if (xwrite(c, 0, path, buf) || !is_ok())
			break;
		t = pvt_now() - t;
		if (t > worst)
			worst = t;
	}
	CHECK(i == FLOOD_WRITES, "another client's %d writes all answered meanwhile (worst %.3f s, all %.2f s)",
	      FLOOD_WRITES, worst, pvt_now() - start);
	CHECK(worst < 5.0, "... none waited 5 s");
	peak = daemon_status_kb("VmHWM");
	tap_diag("pvisord's RSS: %ld kB before, peak %ld kB", rss0, peak);
	CHECK(rss0 > 0 && peak > 0 && peak - rss0 < 4096,
	      "pvisord's memory grew by less than 4 MB (%ld kB)", peak - rss0);
	CHECK(!pvt_system("grep -q 'not reading: dropping watch events' " LOG),
	      "... it dropped the watcher's events beyond the limit, and said so");
	CHECK(kill(daemon_pid, 0) == 0, "pvisord is still running");
	xc_close(f);
	xc_close(w);
	snprintf(buf, sizeof(buf), "%d", FLOOD_WRITES - 1);
	req1(c, PVISOR_XS_READ, 0, path);
	CHECK(is_value(PVISOR_XS_READ, buf), "and serves after the flooders leave");
	req1(c, PVISOR_XS_RM, 0, path);
}

int main(void)
{
	struct pvnl_domain a, b;
	struct pvnl *nl;
	struct xc *c;
	int status, ret;
	pid_t second;

	nl = pvt_open();
	tap_plan(175);
	mkdir(DIR, 0700);
	unlink(STATE);
	tap_on_abort(on_abort);
	pvt_destroy_prefix(nl, PREFIX);
	start_daemon();

	second = fork();
	if (!second) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 2);
		execlp("pvisord", "pvisord", "-f", "-s", DIR "/sock2", "-S",
		       DIR "/state2", "-p", PIDF, (char *)NULL);
		_exit(127);
	}
	waitpid(second, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 1,
	       "a second pvisord on the same pid file exits 1");

	c = xc_open();
	test_basics(c);
	test_bad_input(c);
	test_watches(c);
	test_transactions(c);

	ret = pvnl_domain_new(nl, PREFIX "a", 4 * PVT_MIB, 2, &a);
	if (ret)
		tap_bail("create " PREFIX "a: %s", pvt_errno_name(ret));
	ret = pvnl_domain_new(nl, PREFIX "b", 4 * PVT_MIB, 1, &b);
	if (ret)
		tap_bail("create " PREFIX "b: %s", pvt_errno_name(ret));
	test_domains(c, &a, &b);
	test_destroy(nl, c, &a);
	pvnl_domain_del(nl, b.id, NULL);
	test_lost_notifications(nl, c);
	test_connection_limit(c);
	test_flood(c);
	xc_close(c);

	kill(daemon_pid, SIGTERM);
	waitpid(daemon_pid, &status, 0);
	daemon_pid = -1;
	tap_ok(WIFEXITED(status) && !WEXITSTATUS(status), "SIGTERM: pvisord exits 0");
	tap_ok(access(SOCK, F_OK) && access(PIDF, F_OK),
	       "... removing its socket and pid file");
	if (tap_failures())
		pvt_system("tail -n 40 " LOG " | sed 's/^/# log: /'");
	pvt_destroy_prefix(nl, PREFIX);
	pvnl_close(nl);
	tap_finish();
}
