// SPDX-License-Identifier: GPL-2.0
/*
 * Memory reservations: every frame a guest will ever own is allocated here,
 * up front, when its domain is created, and recorded in the domain's P2M.
 *
 * Two ceilings apply. The module-wide budget (module parameter
 * max_memory_mb) is charged before any page is allocated, so concurrent
 * creators can never overshoot it together. The host's own free memory is
 * checked next, keeping a reserve back, and the pages themselves are taken
 * with __GFP_NORETRY: a request the host cannot satisfy fails with -ENOMEM
 * instead of waking the OOM killer against the host's processes.
 *
 * Locking: none of its own. frames_used is an atomic counter; a
 * reservation belongs to one domain, whose lifetime rules (domain.c) keep
 * alloc and free from racing.
 */

#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/netlink.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "reservation.h"

/* Check for a fatal signal and reschedule this often while allocating. */
#define ALLOC_BATCH	512

static unsigned long frames_limit;
static atomic_long_t frames_used = ATOMIC_LONG_INIT(0);

/**
 * pvisor_reservation_set_limit() - set the module-wide guest memory budget
 * @frames: the most frames all domains together may own
 *
 * Called once at module load, before any domain exists.
 */
void pvisor_reservation_set_limit(unsigned long frames)
{
	frames_limit = frames;
}

/** pvisor_frames_limit() - the module-wide guest memory budget, in frames */
unsigned long pvisor_frames_limit(void)
{
	return frames_limit;
}

/** pvisor_frames_used() - frames owned by all domains right now */
unsigned long pvisor_frames_used(void)
{
	return atomic_long_read(&frames_used);
}

static int charge_budget(unsigned long nr, struct netlink_ext_ack *extack)
{
	if (nr > frames_limit) {
		NL_SET_ERR_MSG(extack, "memory exceeds the module's guest memory limit (max_memory_mb)");
		return -E2BIG;
	}
	if (atomic_long_add_return(nr, &frames_used) > frames_limit) {
		atomic_long_sub(nr, &frames_used);
		NL_SET_ERR_MSG(extack, "guest memory limit reached (max_memory_mb)");
		return -ENOMEM;
	}
	return 0;
}

static void uncharge_budget(unsigned long nr)
{
	atomic_long_sub(nr, &frames_used);
}

/*
 * The host keeps this much available memory for itself: 1/16 of RAM, at
 * least 16 MiB. Without it a large reservation could leave the host's own
 * processes to the OOM killer even though our allocations never retry.
 */
static unsigned long host_reserve_frames(void)
{
	return max(totalram_pages() / 16, (16UL << 20) >> PAGE_SHIFT);
}

static bool host_can_spare(unsigned long nr)
{
	long available = si_mem_available();

	return available > 0 &&
	       (unsigned long)available > nr + host_reserve_frames();
}

static void free_frames(struct page **p2m, unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++) {
		__free_page(p2m[i]);
		if (i % ALLOC_BATCH == ALLOC_BATCH - 1)
			cond_resched();
	}
}

/**
 * pvisor_reservation_alloc() - allocate a domain's frames and its P2M
 * @res: an empty reservation
 * @nr_frames: how many frames, at least one
 * @extack: where to explain a failure
 *
 * Every frame is zeroed: a guest must never see another's old data.
 *
 * Return: 0, -E2BIG or -ENOMEM (budget or host memory), -EINTR (a fatal
 * signal arrived while allocating). On failure nothing stays charged.
 */
int pvisor_reservation_alloc(struct pvisor_reservation *res,
			     unsigned long nr_frames,
			     struct netlink_ext_ack *extack)
{
	const gfp_t gfp = GFP_HIGHUSER | __GFP_ZERO | __GFP_NORETRY |
			  __GFP_NOWARN;
	struct page **p2m;
	unsigned long i;
	int ret;

	ret = charge_budget(nr_frames, extack);
	if (ret)
		return ret;

	ret = -ENOMEM;
	if (!host_can_spare(nr_frames)) {
		NL_SET_ERR_MSG(extack, "not enough free host memory");
		goto err_uncharge;
	}

	p2m = kvcalloc(nr_frames, sizeof(*p2m), GFP_KERNEL | __GFP_NOWARN);
	if (!p2m) {
		NL_SET_ERR_MSG(extack, "cannot allocate the P2M table");
		goto err_uncharge;
	}

	for (i = 0; i < nr_frames; i++) {
		if (i % ALLOC_BATCH == 0) {
			if (fatal_signal_pending(current)) {
				ret = -EINTR;
				goto err_free_frames;
			}
			cond_resched();
		}
		p2m[i] = alloc_page(gfp);
		if (!p2m[i]) {
			NL_SET_ERR_MSG(extack, "host memory exhausted");
			goto err_free_frames;
		}
	}

	res->p2m = p2m;
	res->nr_frames = nr_frames;
	return 0;

err_free_frames:
	free_frames(p2m, i);
	kvfree(p2m);
err_uncharge:
	uncharge_budget(nr_frames);
	return ret;
}

/**
 * pvisor_reservation_free() - return a domain's frames to the host
 * @res: a reservation from pvisor_reservation_alloc(), or an empty one
 */
void pvisor_reservation_free(struct pvisor_reservation *res)
{
	if (!res->p2m)
		return;
	free_frames(res->p2m, res->nr_frames);
	kvfree(res->p2m);
	uncharge_budget(res->nr_frames);
	res->p2m = NULL;
	res->nr_frames = 0;
}
