// SPDX-License-Identifier: GPL-2.0
/*
 * The xenstore wire protocol from the client's side: a header, a payload,
 * and a reply matched by req_id.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "xs_client.h"

const char *xs_socket_path(void)
{
	const char *path = getenv("PVISOR_STORE_SOCKET");

	return path && *path ? path : XS_DEFAULT_SOCKET;
}

static int xread(int fd, void *buf, size_t len)
{
	char *p = buf;
	ssize_t n;

	while (len) {
		n = read(fd, p, len);
		if (n <= 0)
			return n ? -errno : -EPIPE;
		p += n;
		len -= n;
	}
	return 0;
}

int xs_send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0)
			return -errno;
		p += n;
		len -= n;
	}
	return 0;
}

int xs_receive(struct xs_client *s)
{
	int ret = xread(s->fd, &s->h, sizeof(s->h));

	if (ret)
		return ret;
	if (s->h.len > PVISOR_XS_PAYLOAD_MAX)
		return -EPROTO;
	ret = xread(s->fd, s->buf, s->h.len);
	s->buf[s->h.len] = '\0';
	return ret;
}

int xs_request(struct xs_client *s, uint32_t type, const void *a, size_t alen,
	       const void *b, size_t blen)
{
	struct pvisor_xs_header h = {
		.type = type,
		.req_id = ++s->req_id,
		.len = alen + blen,
	};
	int ret;

	if (h.len > PVISOR_XS_PAYLOAD_MAX)
		return -E2BIG;
	ret = xs_send_all(s->fd, &h, sizeof(h));
	if (!ret)
		ret = xs_send_all(s->fd, a, alen);
	if (!ret && blen)
		ret = xs_send_all(s->fd, b, blen);
	while (!ret) {
		ret = xs_receive(s);
		if (ret || s->h.type == PVISOR_XS_WATCH_EVENT)
			continue;
		if (s->h.req_id != h.req_id)
			return -EPROTO;
		return s->h.type == PVISOR_XS_ERROR;
	}
	return ret;
}

int xs_connect(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int xs_read(struct xs_client *s, const char *path)
{
	return xs_request(s, PVISOR_XS_READ, path, strlen(path) + 1, NULL, 0);
}
