/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_GRANT_H
#define PVISOR_GRANT_H

#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct page;
struct pvisor_domain;
struct pvisor_hc_args;
struct pvisor_runner;
struct pvisor_vcpu;
struct grant_active;

/* The most table frames the max_grant_frames parameter may allow. */
#define PVISOR_GRANT_FRAMES_MAX	64

/*
 * A domain's grant table (grant.c; Documentation/grant-tables.rst). Its
 * frames are guest frames of the domain's own reservation, named by the
 * guest in SETUP_TABLE; they never change owner.
 */
struct pvisor_grant_table {
	struct mutex setup_lock;	/* serialises SETUP_TABLE */
	/* lock (a spinlock) protects everything below. */
	spinlock_t lock;
	u32 nr_frames;				/* grows, never shrinks */
	u64 pfns[PVISOR_GRANT_FRAMES_MAX];	/* table frame i's guest pfn */
	struct grant_active *active[PVISOR_GRANT_FRAMES_MAX];
	unsigned long in_use;			/* pinned entries */
};

/*
 * One use of a grant: a copy in progress or a Domain0 mapping. While it
 * lasts the entry carries GTF_READING (and GTF_WRITING if @write), the
 * granting domain a reference, and @page stays that domain's frame.
 */
struct pvisor_grant_use {
	struct pvisor_domain *dom;	/* the granting domain */
	u32 ref;
	bool write;
	struct page *page;
};

/* Does a copy of @len bytes at @offset stay inside one frame? */
static inline bool pvisor_grant_range_ok(u16 offset, u16 len)
{
	return offset <= PAGE_SIZE && len <= PAGE_SIZE - offset;
}

bool pvisor_grant_params_ok(void);
void pvisor_grants_init(struct pvisor_domain *dom);
void pvisor_grants_teardown(struct pvisor_domain *dom);
void pvisor_grants_free(struct pvisor_domain *dom);
void pvisor_grants_freeze(struct pvisor_domain *dom);
void pvisor_grants_thaw(struct pvisor_domain *dom);
bool pvisor_grants_frame_busy(struct pvisor_domain *dom, u64 pfn);

int pvisor_grant_begin(struct pvisor_grant_use *use, u32 domid, u32 ref,
		       u32 grantee, bool write);
void pvisor_grant_end(struct pvisor_grant_use *use);

long pvisor_hc_grant_table_op(struct pvisor_runner *runner,
			      struct pvisor_vcpu *vcpu,
			      const struct pvisor_hc_args *args);

#endif /* PVISOR_GRANT_H */
