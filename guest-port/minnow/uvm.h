/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Process address spaces: a 4-level page table per process, built by
 * minnow in its own memory and handed to the module as a user context
 * (CONTEXT_OP CREATE), with the regions a process may touch.
 *
 * The tables: user entries carry US at every level; the top table's
 * entries for minnow's window are copied from minnow's own table, without
 * US, as Linux maps its kernel into every process. The module reads the
 * tables lazily and never through minnow's mappings, so minnow writes
 * them directly; a change to an entry that was present is followed by a
 * FLUSH of the page (or the whole context), a new entry needs none.
 *
 * Regions ([start, end) with read/write/exec) say which addresses a
 * fault may fill: every region is demand-zero (a not-present fault maps
 * a fresh zeroed page with the region's permissions). The ELF loader
 * fills the pages that carry file bytes up front.
 *
 * Copy-on-write: fork shares every page; private writable pages become
 * read-only with PTE_COW in both processes and a reference count per
 * page frame says how many tables hold it. A write fault on a COW page
 * copies it (or takes it back writable when it is the last holder).
 *
 * Locking: uvm->lock, taken with events masked, guards the tables and
 * the regions: a process's threads may fault on two vCPUs at once.
 */
#ifndef MINNOW_UVM_H
#define MINNOW_UVM_H

#include <pvisor/context.h>

#include "cpu.h"
#include "lib.h"

#define UVM_READ	0x1
#define UVM_WRITE	0x2
#define UVM_EXEC	0x4

#define UVM_MAX_REGIONS	32

/* Where minnow puts things in a process (all inside the user window). */
#define UVM_STACK_TOP	(PVISOR_USER_TOP - PAGE_SIZE)
#define UVM_STACK_SIZE	(8ULL << 20)
#define UVM_MMAP_BASE	(1ULL << 40)	/* mmap searches upwards from here */
#define UVM_BRK_MAX	(256ULL << 20)	/* the heap may grow this far */

struct uvm_region {
	u64 start, end;		/* page aligned; end 0 = a free slot */
	u32 prot;		/* UVM_* */
};

struct uvm {
	u64 top_pfn;
	u32 ctx_id;		/* the module's context, 0 before create */
	spinlock_t lock;
	struct uvm_region regions[UVM_MAX_REGIONS];
	u64 brk_start, brk;	/* the heap: [brk_start, page_up(brk)) */
	u64 pages;		/* user pages mapped (not tables) */
};

/* Set up the page-frame reference counts; once, after mm_switch_tables. */
long uvm_init(void);

/*
 * An empty address space with the kernel window in its top table and
 * its context created. Returns 0, -ENOMEM, or CONTEXT_OP's error.
 */
long uvm_create(struct uvm *vm);

/* Destroy the context (a RUN_USER of it anywhere returns GONE). */
void uvm_kill(struct uvm *vm);

/* Unmap everything, free the tables and destroy the context. */
void uvm_destroy(struct uvm *vm);

/*
 * Add a region [start, end) (page aligned, inside the user window, not
 * overlapping another). Returns 0, -EINVAL, -ENOMEM (no free slot).
 */
long uvm_add_region(struct uvm *vm, u64 start, u64 end, u32 prot);

/*
 * Unmap [start, end) (page aligned) and cut it out of the regions, as
 * munmap does. Returns 0 or -EINVAL (outside the window, or a region
 * would have to split with no slot free).
 */
long uvm_unmap(struct uvm *vm, u64 start, u64 end);

/*
 * brk: move the end of the heap to @addr (within UVM_BRK_MAX of its start
 * and not into another region); shrinking unmaps. Returns the heap's end
 * afterwards, the old one when @addr is refused (as Linux's brk does).
 */
u64 uvm_brk(struct uvm *vm, u64 addr);

/* A free gap of @len bytes at or above UVM_MMAP_BASE, or 0. */
u64 uvm_find_gap(struct uvm *vm, u64 len);

/*
 * A page fault at @va the module reported (error code bits of x86).
 * Fills a demand page or breaks COW. Returns 0 (run again), -EFAULT (no
 * region allows the access: the process gets SIGSEGV) or -ENOMEM.
 */
long uvm_fault(struct uvm *vm, u64 va, u64 error_code);

/*
 * Copy between minnow and the process's memory as user code would see
 * it: through its tables, filling demand pages and breaking COW on the
 * way. Returns 0, -EFAULT (an address no region allows) or -ENOMEM.
 */
long copy_from_user(struct uvm *vm, void *dst, u64 src, u64 len);
long copy_to_user(struct uvm *vm, u64 dst, const void *src, u64 len);

/* Like copy_to_user, into pages the process may only read: the loader. */
long uvm_load(struct uvm *vm, u64 dst, const void *src, u64 len);

/* A NUL-terminated string of at most @max bytes (-ENAMETOOLONG past). */
long strncpy_from_user(struct uvm *vm, char *dst, u64 src, u64 max);

/*
 * @child gets @parent's regions and every page, shared copy-on-write.
 * @child is created (uvm_create) already. Returns 0 or -ENOMEM.
 */
long uvm_fork(struct uvm *child, struct uvm *parent);

/* User pages in use by every process, for tests. */
u64 uvm_user_pages(void);

#endif /* MINNOW_UVM_H */
