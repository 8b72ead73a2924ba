/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvisord's event loop: one thread, epoll, level-triggered. Each source
 * (the listening socket, a client, the netlink listener, signals) is a
 * struct loop_source with its callback.
 */
#ifndef PVISORD_LOOP_H
#define PVISORD_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct loop_source {
	int fd;
	void (*ready)(struct loop_source *src, uint32_t events);
};

/* Create the epoll instance. 0 or -errno. */
int pvisor_loop_init(void);

/* Watch @src->fd for @events (EPOLLIN, EPOLLOUT). 0 or -errno. */
int pvisor_loop_add(struct loop_source *src, uint32_t events);
int pvisor_loop_modify(struct loop_source *src, uint32_t events);
void pvisor_loop_remove(struct loop_source *src);

/*
 * Run until pvisor_loop_stop(). Between rounds, @idle runs; it returns
 * how many milliseconds the loop may sleep at most (-1: no limit).
 */
void pvisor_loop_run(int (*idle)(void));
void pvisor_loop_stop(void);

#endif /* PVISORD_LOOP_H */
