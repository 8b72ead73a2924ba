/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_WINDOW_H
#define PVISOR_WINDOW_H

#include <linux/rwsem.h>
#include <linux/types.h>

struct pvisor_runner;
struct vm_area_struct;

/*
 * A runner's guest window: the lock that orders its shadow's fills
 * against invalidations. Lives in the runner (struct pvisor_runner), set
 * up by the first mmap of the runner fd; window.c's top comment tells the
 * story.
 */
struct pvisor_window {
	/* Fills hold it for read, invalidations for write. */
	struct rw_semaphore zap_lock;
};

int pvisor_window_mmap(struct pvisor_runner *runner,
		       struct vm_area_struct *vma);
void pvisor_window_flush(struct pvisor_runner *runner, u64 va, u64 len);
void pvisor_window_flush_all(struct pvisor_runner *runner);

#endif /* PVISOR_WINDOW_H */
