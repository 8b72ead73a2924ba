// SPDX-License-Identifier: GPL-2.0
/*
 * Socket connections. Each is read one message at a time: the header,
 * then its payload, then the request runs and the next read waits for
 * the next round of the loop, so a client that floods its socket gets
 * one request per round like everyone else. A payload longer than
 * PVISOR_XS_PAYLOAD_MAX ends the connection (as in Xen); nothing else a
 * client sends does.
 *
 * A closed connection is only marked dead: it may be on the list being
 * walked (watches firing) or in this round's epoll batch. Its watches,
 * transactions and memory go at the end of the round.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "conn.h"
#include "log.h"
#include "loop.h"
#include "outq.h"
#include "xs.h"

#define HDR	sizeof(struct pvisor_xs_header)

struct conn {
	struct xs_conn xs;
	struct loop_source src;
	struct list_head link;
	char label[32];
	unsigned char in[HDR + PVISOR_XS_PAYLOAD_MAX + 1];
	size_t in_len;
	struct outq out;
	uint32_t events;
	unsigned long dropped;
	bool dead;
};

static struct list_head conns = LIST_HEAD_INIT(conns);
static unsigned int nr_conns;
static unsigned long next_conn_id;
static struct loop_source listener = { .fd = -1 };
static char socket_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

static void conn_close(struct conn *c, const char *why)
{
	if (c->dead)
		return;
	log_debug("%s: closed: %s", c->label, why);
	pvisor_loop_remove(&c->src);
	close(c->src.fd);
	c->src.fd = -1;
	c->dead = true;
}

/* Watch for what the connection can do now. */
static void update_events(struct conn *c)
{
	uint32_t events = 0;

	if (c->dead)
		return;
	if (c->out.len <= CONN_OUT_SOFT)
		events |= EPOLLIN;
	if (c->out.len)
		events |= EPOLLOUT;
	if (events != c->events && !pvisor_loop_modify(&c->src, events))
		c->events = events;
}

static void flush(struct conn *c)
{
	ssize_t n;

	while (c->out.len && !c->dead) {
		n = send(c->src.fd, outq_data(&c->out), c->out.len,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			conn_close(c, strerror(errno));
			return;
		}
		outq_consume(&c->out, n);
	}
}

static void conn_send(struct xs_conn *xc, const struct pvisor_xs_header *h,
		      const void *payload, bool event)
{
	struct conn *c = container_of(xc, struct conn, xs);
	size_t len = HDR + h->len;

	if (c->dead)
		return;
	if (event && c->out.len + len > CONN_OUT_HARD) {
		if (!c->dropped++)
			log_warn("%s: not reading: dropping watch events", c->label);
		return;
	}
	if (!outq_put(&c->out, h, HDR, payload, h->len)) {
		conn_close(c, "out of memory");
		return;
	}
	flush(c);
	update_events(c);
}

/* Read what is missing of the current message. True when it is whole. */
static bool read_message(struct conn *c)
{
	const struct pvisor_xs_header *h = (const void *)c->in;
	size_t want = c->in_len < HDR ? HDR : HDR + h->len;
	ssize_t n;

	n = recv(c->src.fd, c->in + c->in_len, want - c->in_len, MSG_DONTWAIT);
	if (n == 0) {
		conn_close(c, "end of file");
		return false;
	}
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			conn_close(c, strerror(errno));
		return false;
	}
	c->in_len += n;
	if (c->in_len == HDR && h->len > PVISOR_XS_PAYLOAD_MAX) {
		log_warn("%s: payload of %u bytes (the limit is %u): closing",
			 c->label, h->len, PVISOR_XS_PAYLOAD_MAX);
		conn_close(c, "payload too long");
		return false;
	}
	return c->in_len >= HDR && c->in_len == HDR + h->len;
}

static void conn_ready(struct loop_source *src, uint32_t events)
{
	struct conn *c = container_of(src, struct conn, src);
	struct pvisor_xs_header h;

	if (c->dead)
		return;
	if (events & EPOLLOUT)
		flush(c);
	if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && c->out.len <= CONN_OUT_SOFT &&
	    read_message(c)) {
		memcpy(&h, c->in, HDR);
		c->in[HDR + h.len] = '\0';
		c->in_len = 0;
		pvisor_xs_handle(&c->xs, &h, (const char *)c->in + HDR);
	}
	update_events(c);
}

static void accept_ready(struct loop_source *src, uint32_t events)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct conn *c;
	int fd;

	(void)events;
	fd = accept4(src->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || cred.uid) {
		log_warn("refused a connection from uid %d: only root may connect",
			 (int)cred.uid);
		close(fd);
		return;
	}
	if (nr_conns >= XS_MAX_CONNECTIONS) {
		log_warn("refused a connection from pid %d: %d connections already",
			 (int)cred.pid, XS_MAX_CONNECTIONS);
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	snprintf(c->label, sizeof(c->label), "socket %lu (pid %d)",
		 ++next_conn_id, (int)cred.pid);
	pvisor_xs_conn_init(&c->xs, 0, true);
	c->xs.label = c->label;
	c->xs.send = conn_send;
	c->src.fd = fd;
	c->src.ready = conn_ready;
	c->events = EPOLLIN;
	if (pvisor_loop_add(&c->src, c->events)) {
		close(fd);
		free(c);
		return;
	}
	list_add_tail(&c->link, &conns);
	nr_conns++;
	log_debug("%s: connected", c->label);
}

int pvisor_conn_listen(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	mode_t old;
	int fd, ret;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* The pid file lock is held: a socket left here is stale. */
	unlink(path);
	old = umask(0177);
	ret = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old);
	if (ret || chmod(path, 0600) || listen(fd, 64)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	strcpy(socket_path, path);
	listener.fd = fd;
	listener.ready = accept_ready;
	ret = pvisor_loop_add(&listener, EPOLLIN);
	if (ret) {
		close(fd);
		unlink(path);
		listener.fd = -1;
	}
	return ret;
}

void pvisor_conn_close_domain(uint32_t domid)
{
	struct conn *c;

	list_for_each_entry(c, &conns, link)
		if (!c->xs.privileged && c->xs.domid == domid)
			conn_close(c, "its domain is gone");
}

void pvisor_conn_reap(void)
{
	struct conn *c, *next;

	list_for_each_entry_safe(c, next, &conns, link) {
		if (!c->dead)
			continue;
		if (c->dropped)
			log_warn("%s: %lu watch events were dropped", c->label,
				 c->dropped);
		pvisor_xs_conn_release(&c->xs);
		list_del(&c->link);
		nr_conns--;
		outq_free(&c->out);
		free(c);
	}
}

void pvisor_conn_shutdown(void)
{
	struct conn *c;

	list_for_each_entry(c, &conns, link)
		conn_close(c, "pvisord stops");
	pvisor_conn_reap();
	if (listener.fd >= 0) {
		pvisor_loop_remove(&listener);
		close(listener.fd);
		listener.fd = -1;
		unlink(socket_path);
	}
}
