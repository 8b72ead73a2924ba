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
 * Ballooning (memory_op.c) changes a reservation while the domain runs:
 * a frame the guest gives back leaves the P2M (its entry becomes NULL)
 * and the budget, and populate puts a fresh zeroed frame back, charged
 * again, never beyond the P2M's size, the domain's maximum. The P2M's
 * lock-free readers are why a frame is freed only after
 * pvisor_p2m_sync(): every reader that may still hold the old pointer
 * runs inside pvisor_p2m_read_lock(), an SRCU read side (they sleep,
 * copying to and from guests), or under a window's zap_lock, which the
 * give-back path takes for write before the frame goes.
 *
 * Locking: frames_used is an atomic counter. A reservation's resize_lock
 * (a mutex) serialises its changes and protects nr_present; it is taken
 * before any window or grant lock. mappers_lock (a mutex, domain_memory.c)
 * is taken inside it. Alloc and free race with nothing: the domain's
 * lifetime rules (domain.c) keep them apart from everything else.
 */

#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/netlink.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/srcu.h>

#include "reservation.h"

/* Check for a fatal signal and reschedule this often while allocating. */
#define ALLOC_BATCH	512

static unsigned long frames_limit;
static atomic_long_t frames_used = ATOMIC_LONG_INIT(0);

/* The P2M readers' grace period, one for all domains. */
DEFINE_STATIC_SRCU(p2m_srcu);

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
		if (p2m[i])
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
	res->nr_present = nr_frames;
	mutex_init(&res->resize_lock);
	mutex_init(&res->mappers_lock);
	INIT_LIST_HEAD(&res->mappers);
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
	uncharge_budget(res->nr_present);
	res->p2m = NULL;
	res->nr_frames = 0;
	res->nr_present = 0;
}

/**
 * pvisor_reservation_current() - frames a domain owns now
 * @res: its reservation
 *
 * Return: the current reservation, in frames; at most res->nr_frames,
 * the maximum. A snapshot: a balloon call may be changing it.
 */
unsigned long pvisor_reservation_current(const struct pvisor_reservation *res)
{
	return READ_ONCE(res->nr_present);
}

/**
 * pvisor_p2m_read_lock() - enter a P2M read-side section
 *
 * A frame read from a P2M stays allocated until the matching unlock,
 * even if the guest gives it back meanwhile. The section may sleep.
 *
 * Return: the cookie for pvisor_p2m_read_unlock().
 */
int pvisor_p2m_read_lock(void)
	__acquires(&p2m_srcu)
{
	return srcu_read_lock(&p2m_srcu);
}

/** pvisor_p2m_read_unlock() - leave a P2M read-side section */
void pvisor_p2m_read_unlock(int idx)
	__releases(&p2m_srcu)
{
	srcu_read_unlock(&p2m_srcu, idx);
}

/**
 * pvisor_p2m_sync() - wait for every P2M read-side section in progress
 *
 * Sleeps. After it, no reader holds a frame it read before the call.
 */
void pvisor_p2m_sync(void)
{
	synchronize_srcu(&p2m_srcu);
}

/**
 * pvisor_p2m_frame() - the frame behind a guest pfn
 * @res: the domain's reservation
 * @pfn: any value (a guest's)
 *
 * Call it inside pvisor_p2m_read_lock(), or under a window's zap_lock
 * for reading, and use the frame only until leaving that section.
 *
 * Return: the frame, or NULL for a pfn beyond the maximum or given back.
 */
struct page *pvisor_p2m_frame(const struct pvisor_reservation *res, u64 pfn)
{
	if (pfn >= res->nr_frames)
		return NULL;
	return READ_ONCE(res->p2m[pfn]);
}

/**
 * pvisor_reservation_take() - remove a frame from the P2M
 * @res: the reservation; the caller holds its resize_lock
 * @pfn: below res->nr_frames
 *
 * The frame stays allocated and charged: the caller makes it unreachable
 * (pvisor_p2m_sync(), then the zaps) and only then hands it to
 * pvisor_reservation_release().
 *
 * Return: the frame, or NULL if @pfn holds none.
 */
struct page *pvisor_reservation_take(struct pvisor_reservation *res, u64 pfn)
{
	struct page *frame;

	lockdep_assert_held(&res->resize_lock);
	frame = res->p2m[pfn];
	if (!frame)
		return NULL;
	WRITE_ONCE(res->p2m[pfn], NULL);
	WRITE_ONCE(res->nr_present, res->nr_present - 1);
	return frame;
}

/**
 * pvisor_reservation_release() - give a taken frame back to the host
 * @frame: from pvisor_reservation_take(), now unreachable
 */
void pvisor_reservation_release(struct page *frame)
{
	__free_page(frame);
	uncharge_budget(1);
}

/**
 * pvisor_reservation_populate() - give a pfn a fresh frame
 * @res: the reservation; the caller holds its resize_lock
 * @pfn: below res->nr_frames, so the domain stays within its maximum
 *
 * The frame is zeroed, charged to the module's budget and checked
 * against the host's free memory as at creation.
 *
 * Return: 0, -EEXIST (the pfn has a frame), -ENOMEM (budget or host).
 */
int pvisor_reservation_populate(struct pvisor_reservation *res, u64 pfn)
{
	const gfp_t gfp = GFP_HIGHUSER | __GFP_ZERO | __GFP_NORETRY |
			  __GFP_NOWARN;
	struct page *frame;

	lockdep_assert_held(&res->resize_lock);
	if (res->p2m[pfn])
		return -EEXIST;
	if (charge_budget(1, NULL))
		return -ENOMEM;
	if (!host_can_spare(1))
		goto err_uncharge;
	frame = alloc_page(gfp);
	if (!frame)
		goto err_uncharge;
	/* Readers see the zeroed contents before the pointer. */
	smp_store_release(&res->p2m[pfn], frame);
	WRITE_ONCE(res->nr_present, res->nr_present + 1);
	return 0;

err_uncharge:
	uncharge_budget(1);
	return -ENOMEM;
}
