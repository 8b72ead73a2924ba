/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_WINDOW_H
#define PVISOR_WINDOW_H

#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/task_work.h>
#include <linux/types.h>

struct file;
struct mm_struct;
struct pvisor_domain;
struct pvisor_runner;
struct pvisor_walk;
struct task_struct;
struct vm_area_struct;
struct vm_fault;

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

/*
 * What every shadow of guest memory shares, the runner's window above and
 * a context's user window (context_window.c): the page-table budget, the
 * walk's verdicts, the queued reset, the re-check of a write to a present
 * entry, a zap ordered against fills, and a VMA that stays whole.
 */
struct pvisor_shadow_reset {
	struct callback_head cb;
	struct file *file;		/* the mapped file: pins its owner */
};

bool pvisor_shadow_over_budget(struct mm_struct *mm, unsigned long baseline,
			       unsigned long allowance);
vm_fault_t pvisor_shadow_walk_verdict(struct pvisor_domain *dom,
				      const struct pvisor_walk *walk,
				      unsigned long va, const char *kind);
vm_fault_t pvisor_shadow_queue_reset(struct vm_fault *vmf,
				     task_work_func_t run);
void pvisor_shadow_reset_done(struct pvisor_shadow_reset *work);
vm_fault_t pvisor_shadow_recheck_write(struct vm_fault *vmf,
				       unsigned long pfn);
void pvisor_shadow_zap(struct vm_area_struct *vma,
		       struct rw_semaphore *zap_lock, u64 va, u64 len);
int pvisor_shadow_may_split(struct vm_area_struct *vma, unsigned long addr);
int pvisor_shadow_mremap(struct vm_area_struct *vma);

int pvisor_window_mmap(struct pvisor_runner *runner,
		       struct vm_area_struct *vma);
void pvisor_window_flush(struct pvisor_runner *runner, u64 va, u64 len);
void pvisor_window_flush_all(struct pvisor_runner *runner);
void pvisor_window_keep_budget(struct pvisor_runner *runner);
unsigned long pvisor_window_allowance(unsigned long nr_frames);

#endif /* PVISOR_WINDOW_H */
