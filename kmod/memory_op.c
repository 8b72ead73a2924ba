// SPDX-License-Identifier: GPL-2.0
/*
 * memory_op: the guest's reservation, and ballooning
 * (Documentation/ballooning.rst).
 *
 * A guest gives frames back with DECREASE_RESERVATION and asks for them
 * again with POPULATE_PHYSMAP, one pfn per extent, as Xen's balloon
 * drivers do. The pfn space is fixed at the domain's maximum, the size
 * of its P2M: populate only refills pfns that were given back, so the
 * domain can never own more than it was created with.
 *
 * The story of one frame given back. Under the reservation's resize_lock
 * and the frozen grant table, each pfn is checked (in range, has a
 * frame, is no page table the vCPUs use, is neither a grant-table frame
 * nor the frame of a grant in use) and its P2M entry cleared. From then
 * on no new walk, fill, fault or grant finds it. The old pointer may
 * still be in use: a P2M reader inside its read lock (page-table writes,
 * grant copies, Domain0's faults), or a window fill that walked before
 * the clear. So the frame is released only after pvisor_p2m_sync(),
 * which waits for the former, and after zapping the runner's window and
 * every context's window under their zap_locks for write, which waits
 * for the latter and removes whatever they inserted, and after
 * unmapping the page from Domain0's mappings of the domain. Then it goes
 * back to the host, and to the module's budget.
 *
 * The shared_info page, the hypercall page and the iret page are module
 * pages outside the P2M: no pfn names them, so a guest cannot give them
 * back.
 *
 * Bounds: a call names at most PVISOR_MEMOP_EXTENTS_MAX pfns, read in
 * batches of BATCH; each batch checks for a fatal signal. Finding the
 * page tables reads each table reachable from a vCPU's base once, at
 * most the whole reservation.
 *
 * Locking: resize_lock, then the grant table's setup_lock and lock
 * (pvisor_grants_freeze()), released before the zaps, which take each
 * mm's mmap_lock and a zap_lock, and the mappers_lock.
 */

#include <linux/bitmap.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>
#include <pvisor/context.h>
#include <pvisor/hypercall.h>

#include "context.h"
#include "domain.h"
#include "domain_memory.h"
#include "grant.h"
#include "guest_addr.h"
#include "hypercall.h"
#include "memory_op.h"
#include "runner.h"
#include "window.h"

/* Extents read and given back per batch. */
#define BATCH		64

#define ENTRIES_PER_TABLE	512

/*
 * Mark @pfn, a table at @level, and the tables below it. The caller
 * holds resize_lock, so frames neither come nor go under us; the guest
 * may rewrite entries meanwhile, which only changes what it loses.
 */
static void mark_tables(struct pvisor_domain *dom, unsigned long *tables,
			u64 pfn, int level)
{
	struct page *frame = pvisor_p2m_frame(&dom->mem, pfn);
	u64 *table, entry, next;
	unsigned int i;

	if (!frame || test_and_set_bit(pfn, tables) || level == 1)
		return;
	cond_resched();
	table = kmap_local_page(frame);
	for (i = 0; i < ENTRIES_PER_TABLE; i++) {
		entry = READ_ONCE(table[i]);
		if (!(entry & PVISOR_PTE_PRESENT) || (entry & PVISOR_PTE_PS))
			continue;
		next = (entry & PVISOR_PTE_PFN_MASK) >> PAGE_SHIFT;
		/* The walk below may sleep: no mapping is held across it. */
		kunmap_local(table);
		mark_tables(dom, tables, next, level - 1);
		table = kmap_local_page(frame);
	}
	kunmap_local(table);
}

/* The pfns that are tables of a vCPU's or a context's current tree. */
static unsigned long *find_tables(struct pvisor_domain *dom)
{
	unsigned long *tables = bitmap_zalloc(dom->mem.nr_frames,
					      GFP_KERNEL_ACCOUNT);
	struct pvisor_context *ctx;
	unsigned long id;
	u32 i;

	if (!tables)
		return NULL;
	for (i = 0; i < dom->nr_vcpus; i++)
		mark_tables(dom, tables, READ_ONCE(dom->vcpus[i].pt_base_pfn), 4);
	xa_for_each(&dom->contexts.ids, id, ctx)
		mark_tables(dom, tables, READ_ONCE(ctx->pt_base_pfn), 4);
	return tables;
}

/* Why @pfn cannot be given back now, or 0. Grants frozen. */
static int check_give_back(struct pvisor_domain *dom,
			   const unsigned long *tables, u64 pfn)
{
	if (pfn >= dom->mem.nr_frames)
		return -EINVAL;
	if (!pvisor_p2m_frame(&dom->mem, pfn))
		return -ENOENT;		/* given back already */
	if (test_bit(pfn, tables) || pvisor_grants_frame_busy(dom, pfn))
		return -EBUSY;
	return 0;
}

/* Zap every context window of @dom: none may keep a given-back frame. */
static void zap_contexts(struct pvisor_domain *dom)
{
	struct pvisor_context *ctx;
	unsigned long id;

	xa_for_each(&dom->contexts.ids, id, ctx) {
		if (!kref_get_unless_zero(&ctx->ref))
			continue;
		pvisor_ctx_window_flush(ctx, PVISOR_USER_BASE,
					PVISOR_USER_TOP - PVISOR_USER_BASE);
		pvisor_context_put(ctx);
	}
}

/* Make frames taken out of the P2M unreachable, then free them. */
static void release_frames(struct pvisor_runner *runner,
			   struct page **frames, const u64 *pfns,
			   unsigned int nr)
{
	struct pvisor_domain *dom = runner->dom;
	unsigned int i;

	if (!nr)
		return;
	pvisor_p2m_sync();
	pvisor_window_flush_all(runner);
	zap_contexts(dom);
	for (i = 0; i < nr; i++)
		pvisor_domain_memory_zap(dom, pfns[i]);
	for (i = 0; i < nr; i++)
		pvisor_reservation_release(frames[i]);
}

/* Copy and check the request; the extent count, or an errno. */
static long read_request(u64 uptr, struct pvisor_memory_reservation *req)
{
	if (!pvisor_guest_range_ok(uptr, sizeof(*req)) ||
	    copy_from_user(req, (const void __user *)uptr, sizeof(*req)))
		return -EFAULT;
	if (req->extent_order)
		return -EINVAL;		/* single pages only */
	if (req->mem_flags || req->pad[0] || req->pad[1] || req->pad[2])
		return -EINVAL;
	if (req->domid != 0)
		return -EPERM;		/* only its own domain */
	if (req->nr_extents > PVISOR_MEMOP_EXTENTS_MAX)
		return -E2BIG;
	if (req->extent_start & (sizeof(u64) - 1))
		return -EINVAL;
	if (!pvisor_guest_range_ok(req->extent_start,
				   req->nr_extents * sizeof(u64)))
		return -EFAULT;
	return req->nr_extents;
}

/* A batch of the guest's pfn list, copied once. */
static int read_batch(const struct pvisor_memory_reservation *req, u64 done,
		      u64 *pfns, unsigned int n)
{
	if (fatal_signal_pending(current))
		return -EINTR;
	cond_resched();
	if (copy_from_user(pfns, (const void __user *)(req->extent_start +
						      done * sizeof(u64)),
			   n * sizeof(u64)))
		return -EFAULT;
	return 0;
}

static long decrease_reservation(struct pvisor_runner *runner, u64 uptr)
{
	struct pvisor_domain *dom = runner->dom;
	struct pvisor_memory_reservation req;
	struct page *frames[BATCH];
	u64 pfns[BATCH];
	unsigned long *tables;
	long count = read_request(uptr, &req);
	u64 done = 0;
	int err = 0;

	if (count <= 0)
		return count;
	mutex_lock(&dom->mem.resize_lock);
	tables = find_tables(dom);
	if (!tables) {
		err = -ENOMEM;
		goto out_unlock;
	}
	while (done < count && !err) {
		unsigned int i, n = min_t(u64, count - done, BATCH);

		err = read_batch(&req, done, pfns, n);
		if (err)
			break;
		pvisor_grants_freeze(dom);
		for (i = 0; i < n; i++) {
			err = check_give_back(dom, tables, pfns[i]);
			if (err)
				break;
			frames[i] = pvisor_reservation_take(&dom->mem, pfns[i]);
		}
		pvisor_grants_thaw(dom);
		release_frames(runner, frames, pfns, i);
		done += i;
	}
	bitmap_free(tables);
out_unlock:
	mutex_unlock(&dom->mem.resize_lock);
	return done ? (long)done : err;
}

static long populate_physmap(struct pvisor_domain *dom, u64 uptr)
{
	struct pvisor_memory_reservation req;
	long count = read_request(uptr, &req);
	u64 pfns[BATCH], done = 0;
	int err = 0;

	if (count <= 0)
		return count;
	mutex_lock(&dom->mem.resize_lock);
	while (done < count && !err) {
		unsigned int i, n = min_t(u64, count - done, BATCH);

		err = read_batch(&req, done, pfns, n);
		for (i = 0; i < n && !err; i++) {
			/* Never past the maximum: the P2M's size. */
			err = pfns[i] >= dom->mem.nr_frames ? -EINVAL :
			      pvisor_reservation_populate(&dom->mem, pfns[i]);
			if (!err)
				done++;
		}
	}
	mutex_unlock(&dom->mem.resize_lock);
	return done ? (long)done : err;
}

/**
 * pvisor_hc_memory_op() - memory_op(cmd, arg)
 * @runner: the caller's runner
 * @args: the guest's arguments
 *
 * Return: a reservation's size, extents done, or an errno; see
 * Documentation/hypercalls.rst.
 */
long pvisor_hc_memory_op(struct pvisor_runner *runner,
			 const struct pvisor_hc_args *args)
{
	struct pvisor_domain *dom = runner->dom;

	switch (args->a[0]) {
	case PVISOR_MEMOP_CURRENT_RESERVATION:
		if (args->a[1] != 0)
			return -EPERM;	/* only its own domain */
		return pvisor_reservation_current(&dom->mem);
	case PVISOR_MEMOP_MAXIMUM_RESERVATION:
		if (args->a[1] != 0)
			return -EPERM;
		return dom->mem.nr_frames;
	case PVISOR_MEMOP_DECREASE_RESERVATION:
		return decrease_reservation(runner, args->a[1]);
	case PVISOR_MEMOP_POPULATE_PHYSMAP:
		return populate_physmap(dom, args->a[1]);
	default:
		return -EINVAL;
	}
}
