/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_WINDOW_H
#define PVISOR_WINDOW_H

#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/types.h>

struct pvisor_runner;
struct task_struct;
struct vm_area_struct;

/*
 * A runner's guest window: its shadow's locks and budget. Lives in the
 * runner (struct pvisor_runner), set up by the first mmap of the runner
 * fd; window.c's top comment tells the story.
 */
struct pvisor_window {
	/* Fills hold it for read, invalidations for write. */
	struct rw_semaphore zap_lock;
	/* Serialises resets; protects resetter and resets. */
	struct mutex reset_lock;
	struct task_struct *resetter;	/* the thread remapping the window */
	unsigned long resets;		/* so far */
	/* Written under the runner's mmap_lock (write), at each mmap. */
	unsigned long baseline;		/* mm page-table bytes, window empty */
	/* Set once, at the first mmap. */
	unsigned long allowance;	/* bytes its tables may add to that */
	unsigned long prot;		/* PROT_* of the runner's mapping */
};

int pvisor_window_mmap(struct pvisor_runner *runner,
		       struct vm_area_struct *vma);
void pvisor_window_flush(struct pvisor_runner *runner, u64 va, u64 len);
void pvisor_window_flush_all(struct pvisor_runner *runner);
void pvisor_window_keep_budget(struct pvisor_runner *runner);
unsigned long pvisor_window_allowance(unsigned long nr_frames);

#endif /* PVISOR_WINDOW_H */
