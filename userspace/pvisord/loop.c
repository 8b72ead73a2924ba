// SPDX-License-Identifier: GPL-2.0
/*
 * The event loop. A callback may close any source, its own or another
 * (a destroyed domain takes its connections with it): sources are only
 * ever freed by their owners after the round, see conn.c's reaping, so
 * a pointer from this round's batch is never stale.
 */

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"

#define LOOP_BATCH	32

static int epfd = -1;
static bool stopping;

int pvisor_loop_init(void)
{
	epfd = epoll_create1(EPOLL_CLOEXEC);
	return epfd < 0 ? -errno : 0;
}

static int ctl(int op, struct loop_source *src, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = src };

	return epoll_ctl(epfd, op, src->fd, &ev) ? -errno : 0;
}

int pvisor_loop_add(struct loop_source *src, uint32_t events)
{
	return ctl(EPOLL_CTL_ADD, src, events);
}

int pvisor_loop_modify(struct loop_source *src, uint32_t events)
{
	return ctl(EPOLL_CTL_MOD, src, events);
}

void pvisor_loop_remove(struct loop_source *src)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, src->fd, NULL);
}

void pvisor_loop_stop(void)
{
	stopping = true;
}

void pvisor_loop_run(int (*idle)(void))
{
	struct epoll_event ev[LOOP_BATCH];
	int i, n, timeout;

	while (!stopping) {
		timeout = idle();
		if (stopping)
			break;
		n = epoll_wait(epfd, ev, LOOP_BATCH, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_err("epoll_wait: %s", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			struct loop_source *src = ev[i].data.ptr;

			src->ready(src, ev[i].events);
		}
	}
}
