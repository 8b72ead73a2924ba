// SPDX-License-Identifier: GPL-2.0
/*
 * Grant tables, version 1 (Documentation/grant-tables.rst).
 *
 * A guest that wants another domain to reach one of its frames writes an
 * entry in its grant table: the frame, the domain allowed, and flags
 * (permit access, read-only). The table lives in frames of the guest's
 * own memory, which it names in SETUP_TABLE; the module reads entries
 * there, each once into a local copy, and marks the ones it uses with
 * GTF_READING/GTF_WRITING by compare-and-exchange on the flags word, as
 * Xen does, so a guest that keeps rewriting an entry cannot make us act
 * on two different versions of it. The guest ends a grant by clearing
 * its flags when neither bit is set; a guest that clears them anyway
 * only loses its own consistency, never the host's: what we pinned we
 * keep using until we let go.
 *
 * What the module remembers of a pinned entry lives in module memory,
 * the active entry: how many users read and write it, and the frame
 * read at the first pin. Later pins use that frame whatever the guest
 * writes meanwhile.
 *
 * Frames never change owner here: a granted frame stays its domain's,
 * held by the reference each use takes on the granting domain, so a
 * destroyed domain's frames stay allocated and charged until its last
 * mapping goes (pvisor_grant_end()).
 *
 * Locking: the table's lock (a spinlock, taken in process context only)
 * protects its size, frames and active entries; setup_lock (a mutex,
 * outside it) serialises SETUP_TABLE, which zeroes frames. The dying
 * flag is read under the lock: pvisor_grants_teardown() takes it once
 * after DOMAIN_DEL set the flag, so every pin either happened before
 * (and holds its reference) or sees the flag. Lock order: a granting
 * domain's table lock is taken alone; a copy pins its two sides one
 * after the other, never both locks at once.
 */

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/build_bug.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <pvisor/grant.h>

#include "domain.h"
#include "grant.h"
#include "grant_map.h"
#include "guest_addr.h"
#include "hypercall.h"
#include "runner.h"

static unsigned int max_grant_frames = 32;
module_param(max_grant_frames, uint, 0444);
MODULE_PARM_DESC(max_grant_frames,
		 "Most grant-table frames a domain may set up (1-64, default 32; 512 grants each)");

#define ENTRIES_PER_FRAME	PVISOR_GRANT_ENTRIES_PER_FRAME
/* A guest rewriting an entry under our compare-and-exchange gets this many. */
#define PIN_RETRIES		4

/* What the module keeps of one entry; see the top of this file. */
struct grant_active {
	u32 readers;		/* every use; GTF_READING while non-zero */
	u32 writers;		/* writable uses; GTF_WRITING while non-zero */
	u32 pfn;		/* the frame read at the first pin */
};

/* Checked once, at load (pvisor_grant_params_ok()). */
static unsigned int grant_frames_limit(void)
{
	return max_grant_frames;
}

/** pvisor_grant_params_ok() - are the grant parameters sane? At load. */
bool pvisor_grant_params_ok(void)
{
	if (!max_grant_frames || max_grant_frames > PVISOR_GRANT_FRAMES_MAX) {
		pr_err("max_grant_frames must be 1..%u\n",
		       PVISOR_GRANT_FRAMES_MAX);
		return false;
	}
	return pvisor_grant_map_params_ok();
}

/** pvisor_grants_init() - an empty table for a new domain */
void pvisor_grants_init(struct pvisor_domain *dom)
{
	mutex_init(&dom->grants.setup_lock);
	spin_lock_init(&dom->grants.lock);
}

/**
 * pvisor_grants_teardown() - no new use of a dying domain's grants
 * @dom: a domain whose dying flag is set
 *
 * Taking the lock once orders the flag before every later pin. Uses
 * already made keep their domain references, and end on their own.
 */
void pvisor_grants_teardown(struct pvisor_domain *dom)
{
	spin_lock(&dom->grants.lock);
	WARN_ON_ONCE(!dom->dying);
	spin_unlock(&dom->grants.lock);
}

/**
 * pvisor_grants_freeze() - hold a domain's grant table still
 * @dom: the domain
 *
 * While frozen no table frame is added and no grant is pinned, so
 * pvisor_grants_frame_busy() stays true or false until the thaw; that is
 * what lets memory_op.c give a frame back. Sleeps (setup_lock); the
 * spinlock is held until pvisor_grants_thaw(): do not sleep in between.
 */
void pvisor_grants_freeze(struct pvisor_domain *dom)
	__acquires(&dom->grants.lock)
{
	mutex_lock(&dom->grants.setup_lock);
	spin_lock(&dom->grants.lock);
}

/** pvisor_grants_thaw() - undo pvisor_grants_freeze() */
void pvisor_grants_thaw(struct pvisor_domain *dom)
	__releases(&dom->grants.lock)
{
	spin_unlock(&dom->grants.lock);
	mutex_unlock(&dom->grants.setup_lock);
}

/**
 * pvisor_grants_frame_busy() - is a guest frame in the grant machinery?
 * @dom: a domain whose grant table is frozen
 * @pfn: one of its pfns
 *
 * Costs a look at every active entry: at most max_grant_frames * 512.
 *
 * Return: true if @pfn is a grant-table frame or the frame of a grant
 * in use (a copy or a Domain0 mapping).
 */
bool pvisor_grants_frame_busy(struct pvisor_domain *dom, u64 pfn)
{
	struct pvisor_grant_table *gt = &dom->grants;
	u32 i, j;

	lockdep_assert_held(&gt->lock);
	for (i = 0; i < gt->nr_frames; i++)
		if (gt->pfns[i] == pfn)
			return true;
	if (!gt->in_use)
		return false;
	for (i = 0; i < gt->nr_frames; i++)
		for (j = 0; j < ENTRIES_PER_FRAME; j++)
			if (gt->active[i][j].readers &&
			    gt->active[i][j].pfn == pfn)
				return true;
	return false;
}

/** pvisor_grants_free() - free the table's module memory, at release */
void pvisor_grants_free(struct pvisor_domain *dom)
{
	unsigned int i;

	WARN_ON_ONCE(dom->grants.in_use);
	for (i = 0; i < dom->grants.nr_frames; i++)
		kfree(dom->grants.active[i]);
}

/* The shared entry @ref, mapped. Caller holds the lock; ref in range. */
static struct pvisor_grant_entry *map_entry(struct pvisor_domain *dom, u32 ref)
{
	struct pvisor_grant_table *gt = &dom->grants;
	struct page *frame = dom->mem.p2m[gt->pfns[ref / ENTRIES_PER_FRAME]];
	struct pvisor_grant_entry *entries = kmap_local_page(frame);

	return &entries[ref % ENTRIES_PER_FRAME];
}

static struct grant_active *active_entry(struct pvisor_grant_table *gt,
					 u32 ref)
{
	return &gt->active[ref / ENTRIES_PER_FRAME][ref % ENTRIES_PER_FRAME];
}

/*
 * Drop the bits no remaining user needs. The flags word is the guest's
 * to rewrite at any time, so only atomic bit operations touch it; the
 * entry is 8-byte aligned, so its flags start a long.
 */
static void clear_unused_flags(struct pvisor_grant_entry *entry,
			       const struct grant_active *act)
{
	unsigned long *word = (unsigned long *)entry;

	if (!act->writers)
		clear_bit(ilog2(PVISOR_GTF_WRITING), word);
	if (!act->readers)
		clear_bit(ilog2(PVISOR_GTF_READING), word);
}

/*
 * Mark entry @ref in use by @grantee, for writing if @write, and set
 * the bits; one local copy of the entry decides. Caller holds the lock.
 * Return: a PVISOR_GNTST_* code.
 */
static int pin_locked(struct pvisor_domain *dom, u32 ref, u32 grantee,
		      bool write)
{
	struct grant_active *act = active_entry(&dom->grants, ref);
	struct pvisor_grant_entry *entry = map_entry(dom, ref);
	struct pvisor_grant_entry copy;
	u32 want, old, new;
	int tries, ret = PVISOR_GNTST_OKAY;

	for (tries = 0;; tries++) {
		*(u64 *)&copy = READ_ONCE(*(u64 *)entry);
		if ((copy.flags & PVISOR_GTF_TYPE_MASK) !=
		    PVISOR_GTF_PERMIT_ACCESS || copy.domid != grantee) {
			ret = PVISOR_GNTST_GENERAL_ERROR;
			goto out;
		}
		if (write && (copy.flags & PVISOR_GTF_READONLY)) {
			ret = PVISOR_GNTST_GENERAL_ERROR;
			goto out;
		}
		if (!act->readers &&
		    !pvisor_p2m_frame(&dom->mem, copy.frame)) {
			ret = PVISOR_GNTST_GENERAL_ERROR;	/* not its frame */
			goto out;
		}
		old = *(u32 *)&copy;
		want = PVISOR_GTF_READING | (write ? PVISOR_GTF_WRITING : 0);
		new = old | want;
		if (cmpxchg((u32 *)entry, old, new) == old)
			break;
		if (tries == PIN_RETRIES) {
			ret = PVISOR_GNTST_GENERAL_ERROR;	/* unstable */
			goto out;
		}
	}
	if (!act->readers)
		act->pfn = copy.frame;
	act->readers++;
	if (write)
		act->writers++;
	dom->grants.in_use++;
out:
	kunmap_local(entry);
	return ret;
}

/**
 * pvisor_grant_begin() - start using a grant
 * @use: filled in on success
 * @domid: the granting domain (not 0)
 * @ref: its grant reference
 * @grantee: the user's domain id, 0 for Domain0
 * @write: whether the use writes the frame
 *
 * On success the use holds a reference to the granting domain and the
 * frame, and the entry shows GTF_READING (and GTF_WRITING) until
 * pvisor_grant_end().
 *
 * Return: PVISOR_GNTST_OKAY, BAD_DOMAIN (none, or dying), BAD_GNTREF (out
 * of the table), GENERAL_ERROR (not granted to @grantee, read-only for a
 * write, a frame the domain does not own, an entry that kept changing).
 */
int pvisor_grant_begin(struct pvisor_grant_use *use, u32 domid, u32 ref,
		       u32 grantee, bool write)
{
	struct pvisor_domain *dom = pvisor_domain_get(domid);
	struct pvisor_grant_table *gt;
	int ret;

	if (!dom)
		return PVISOR_GNTST_BAD_DOMAIN;
	gt = &dom->grants;
	spin_lock(&gt->lock);
	if (dom->dying)
		ret = PVISOR_GNTST_BAD_DOMAIN;
	else if (ref >= gt->nr_frames * ENTRIES_PER_FRAME)
		ret = PVISOR_GNTST_BAD_GNTREF;
	else
		ret = pin_locked(dom, ref, grantee, write);
	if (ret == PVISOR_GNTST_OKAY) {
		use->dom = dom;
		use->ref = ref;
		use->write = write;
		use->page = dom->mem.p2m[active_entry(gt, ref)->pfn];
	}
	spin_unlock(&gt->lock);
	if (ret != PVISOR_GNTST_OKAY)
		pvisor_domain_put(dom);
	return ret;
}

/**
 * pvisor_grant_end() - stop using a grant
 * @use: from a successful pvisor_grant_begin()
 *
 * The caller has made the frame unreachable first (a mapping's page
 * table entries are gone). Clears the entry's bits no other use needs
 * and drops the domain reference: the last use of a destroyed domain
 * frees it.
 */
void pvisor_grant_end(struct pvisor_grant_use *use)
{
	struct pvisor_domain *dom = use->dom;
	struct pvisor_grant_table *gt = &dom->grants;
	struct pvisor_grant_entry *entry;
	struct grant_active *act;

	spin_lock(&gt->lock);
	act = active_entry(gt, use->ref);
	if (use->write)
		act->writers--;
	act->readers--;
	gt->in_use--;
	entry = map_entry(dom, use->ref);
	clear_unused_flags(entry, act);
	kunmap_local(entry);
	spin_unlock(&gt->lock);
	use->dom = NULL;
	pvisor_domain_put(dom);
}

/* 0 and the caller's own id both name the caller. */
static bool names_self(struct pvisor_domain *dom, u32 domid)
{
	return domid == PVISOR_GNT_DOMID_SELF || domid == dom->id;
}

/*
 * SETUP_TABLE's work, once the frame list is copied in: check that it
 * keeps the frames the table has and adds frames of the caller's own,
 * none twice, then zero and publish the new ones.
 */
static int setup_frames(struct pvisor_domain *dom, const u64 *pfns, u32 nr)
{
	struct pvisor_grant_table *gt = &dom->grants;
	struct grant_active *active[PVISOR_GRANT_FRAMES_MAX] = { };
	u32 i, j, have;
	int ret = PVISOR_GNTST_OKAY;

	mutex_lock(&gt->setup_lock);
	have = READ_ONCE(gt->nr_frames);	/* changes only under setup_lock */
	for (i = 0; i < nr && ret == PVISOR_GNTST_OKAY; i++) {
		if (i < have) {
			if (pfns[i] != gt->pfns[i])
				ret = PVISOR_GNTST_GENERAL_ERROR;
			continue;
		}
		/* setup_lock keeps a frame from being given back meanwhile. */
		if (!pvisor_p2m_frame(&dom->mem, pfns[i]))
			ret = PVISOR_GNTST_BAD_PAGE;
		for (j = 0; j < i; j++)
			if (pfns[j] == pfns[i])
				ret = PVISOR_GNTST_GENERAL_ERROR;
	}
	for (i = have; i < nr && ret == PVISOR_GNTST_OKAY; i++) {
		active[i] = kcalloc(ENTRIES_PER_FRAME, sizeof(*active[i]),
				    GFP_KERNEL_ACCOUNT);
		if (!active[i])
			ret = PVISOR_GNTST_GENERAL_ERROR;
	}
	if (ret != PVISOR_GNTST_OKAY) {
		for (i = have; i < nr; i++)
			kfree(active[i]);
		goto out;
	}
	/* A new table grants nothing, whatever the frames held before. */
	for (i = have; i < nr; i++)
		clear_highpage(dom->mem.p2m[pfns[i]]);

	spin_lock(&gt->lock);
	for (i = have; i < nr; i++) {
		gt->pfns[i] = pfns[i];
		gt->active[i] = active[i];
	}
	if (nr > have)
		gt->nr_frames = nr;
	spin_unlock(&gt->lock);
out:
	mutex_unlock(&gt->setup_lock);
	return ret;
}

static long gnttab_setup_table(struct pvisor_domain *dom, u64 uop, u32 count)
{
	struct pvisor_gnttab_setup_table op;
	u64 *pfns = NULL;
	s16 status;

	if (count != 1)
		return -EINVAL;
	if (!pvisor_guest_range_ok(uop, sizeof(op)) ||
	    copy_from_user(&op, (void __user *)uop, sizeof(op)))
		return -EFAULT;
	if (!names_self(dom, op.dom)) {
		status = PVISOR_GNTST_PERMISSION_DENIED;
	} else if (op.nr_frames > grant_frames_limit()) {
		status = PVISOR_GNTST_GENERAL_ERROR;
	} else {
		pfns = kmalloc_array(max(op.nr_frames, 1U), sizeof(*pfns),
				     GFP_KERNEL);
		if (!pfns)
			return -ENOMEM;
		if (!pvisor_guest_range_ok(op.frame_list,
					   (u64)op.nr_frames * sizeof(*pfns)) ||
		    copy_from_user(pfns, (void __user *)op.frame_list,
				   op.nr_frames * sizeof(*pfns)))
			status = PVISOR_GNTST_BAD_VIRT_ADDR;
		else
			status = setup_frames(dom, pfns, op.nr_frames);
		kfree(pfns);
	}
	if (put_user(status,
		     &((struct pvisor_gnttab_setup_table __user *)uop)->status))
		return -EFAULT;
	return 0;
}

static long gnttab_query_size(struct pvisor_domain *dom, u64 uop, u32 count)
{
	struct pvisor_gnttab_query_size op;

	if (count != 1)
		return -EINVAL;
	if (!pvisor_guest_range_ok(uop, sizeof(op)) ||
	    copy_from_user(&op, (void __user *)uop, sizeof(op)))
		return -EFAULT;
	if (names_self(dom, op.dom)) {
		op.nr_frames = READ_ONCE(dom->grants.nr_frames);
		op.max_nr_frames = grant_frames_limit();
		op.status = PVISOR_GNTST_OKAY;
	} else {
		op.status = PVISOR_GNTST_PERMISSION_DENIED;
	}
	if (copy_to_user((void __user *)uop, &op, sizeof(op)))
		return -EFAULT;
	return 0;
}

/* One side of a guest's copy: a grant in use, or one of its own frames. */
struct copy_side {
	struct pvisor_grant_use use;	/* use.dom set: a grant */
	struct page *page;
};

static int copy_side_begin(struct pvisor_domain *dom, struct copy_side *side,
			   const struct pvisor_gnttab_copy_ptr *ptr, bool gref,
			   bool write)
{
	side->use.dom = NULL;
	if (gref) {
		u32 granter = names_self(dom, ptr->domid) ? dom->id : ptr->domid;
		int ret = pvisor_grant_begin(&side->use, granter, ptr->u.ref,
					     dom->id, write);

		side->page = side->use.page;
		return ret;
	}
	if (!names_self(dom, ptr->domid))
		return PVISOR_GNTST_PERMISSION_DENIED;
	/* copy_one() holds the P2M read lock until it is done with it. */
	side->page = pvisor_p2m_frame(&dom->mem, ptr->u.gmfn);
	return side->page ? PVISOR_GNTST_OKAY : PVISOR_GNTST_BAD_PAGE;
}

static void copy_side_end(struct copy_side *side)
{
	if (side->use.dom)
		pvisor_grant_end(&side->use);
}

/* One GNTTABOP_COPY entry: its status. */
static s16 copy_one(struct pvisor_domain *dom,
		    const struct pvisor_gnttab_copy *op)
{
	struct copy_side src, dst;
	void *from, *to;
	int ret, idx;

	if (op->flags & ~(PVISOR_GNTCOPY_SOURCE_GREF |
			  PVISOR_GNTCOPY_DEST_GREF) ||
	    !pvisor_grant_range_ok(op->source.offset, op->len) ||
	    !pvisor_grant_range_ok(op->dest.offset, op->len))
		return PVISOR_GNTST_BAD_COPY_ARG;
	idx = pvisor_p2m_read_lock();
	ret = copy_side_begin(dom, &src, &op->source,
			      op->flags & PVISOR_GNTCOPY_SOURCE_GREF, false);
	if (ret)
		goto out_unlock;
	ret = copy_side_begin(dom, &dst, &op->dest,
			      op->flags & PVISOR_GNTCOPY_DEST_GREF, true);
	if (ret)
		goto out_src;

	from = kmap_local_page(src.page);
	to = kmap_local_page(dst.page);
	/* The same frame on both sides is allowed, and may overlap. */
	memmove(to + op->dest.offset, from + op->source.offset, op->len);
	kunmap_local(to);
	kunmap_local(from);
	copy_side_end(&dst);
out_src:
	copy_side_end(&src);
out_unlock:
	pvisor_p2m_read_unlock(idx);
	return ret;
}

static long gnttab_copy(struct pvisor_domain *dom, u64 uop, u32 count)
{
	struct pvisor_gnttab_copy __user *ops = (void __user *)uop;
	struct pvisor_gnttab_copy op;
	u32 i;

	if (!pvisor_guest_range_ok(uop, (u64)count * sizeof(op)))
		return -EFAULT;
	/* A guest sizes this loop: it is killable and yields. */
	for (i = 0; i < count; i++) {
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
		if (copy_from_user(&op, &ops[i], sizeof(op)))
			return -EFAULT;
		if (put_user(copy_one(dom, &op), &ops[i].status))
			return -EFAULT;
	}
	return 0;
}

static void grant_abi_check(void)
{
	BUILD_BUG_ON(sizeof(struct pvisor_grant_entry) != 8);
	BUILD_BUG_ON(offsetof(struct pvisor_grant_entry, frame) != 4);
	BUILD_BUG_ON(sizeof(struct pvisor_gnttab_setup_table) != 24);
	BUILD_BUG_ON(offsetof(struct pvisor_gnttab_setup_table, status) != 8);
	BUILD_BUG_ON(offsetof(struct pvisor_gnttab_setup_table, frame_list) != 16);
	BUILD_BUG_ON(sizeof(struct pvisor_gnttab_query_size) != 16);
	BUILD_BUG_ON(offsetof(struct pvisor_gnttab_query_size, status) != 12);
	BUILD_BUG_ON(sizeof(struct pvisor_gnttab_copy_ptr) != 16);
	BUILD_BUG_ON(sizeof(struct pvisor_gnttab_copy) != 40);
	BUILD_BUG_ON(offsetof(struct pvisor_gnttab_copy, status) != 36);
	BUILD_BUG_ON(sizeof(struct pvisor_grant_map) != 24);
	BUILD_BUG_ON(sizeof(struct pvisor_grant_copy_seg) != 24);
	BUILD_BUG_ON(sizeof(struct pvisor_grant_copy) != 16);
}

/**
 * pvisor_hc_grant_table_op() - GRANT_TABLE_OP(cmd, ops, count)
 * @runner: the caller's runner
 * @vcpu: the calling vCPU
 * @args: cmd, the guest address of the operations, their count
 *
 * Return: 0 with a status in each operation, -EINVAL (count), -EFAULT,
 * -ENOMEM, -EINTR, or -ENOSYS (map and unmap: guests do not map other
 * guests' grants yet; Domain0 does, through /dev/pvisor).
 */
long pvisor_hc_grant_table_op(struct pvisor_runner *runner,
			      struct pvisor_vcpu *vcpu,
			      const struct pvisor_hc_args *args)
{
	struct pvisor_domain *dom = runner->dom;
	u64 uop = args->a[1];
	u32 count;

	grant_abi_check();
	if (args->a[2] > U32_MAX)
		return -EINVAL;
	count = args->a[2];
	switch (args->a[0]) {
	case PVISOR_GNTTABOP_SETUP_TABLE:
		return gnttab_setup_table(dom, uop, count);
	case PVISOR_GNTTABOP_QUERY_SIZE:
		return gnttab_query_size(dom, uop, count);
	case PVISOR_GNTTABOP_COPY:
		return gnttab_copy(dom, uop, count);
	default:
		return -ENOSYS;
	}
}
