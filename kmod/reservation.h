/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_RESERVATION_H
#define PVISOR_RESERVATION_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>

struct page;
struct netlink_ext_ack;

/*
 * A domain's memory reservation: the frames the module allocated for it
 * and the P2M, which maps each guest pfn (the index) to its frame. The
 * P2M's size is the domain's maximum reservation and never changes; an
 * entry is NULL while the guest has given its frame back (ballooning,
 * memory_op.c). Readers that keep a frame past the P2M read hold the
 * P2M read lock (pvisor_p2m_read_lock()) or a window's zap_lock.
 */
struct pvisor_reservation {
	struct page **p2m;
	unsigned long nr_frames;	/* the P2M's size: the maximum */
	unsigned long nr_present;	/* frames owned now; under resize_lock */
	/* Serialises give-back and populate; outside every other lock. */
	struct mutex resize_lock;
	/* Domain0's mappings of the memory (domain_memory.c). */
	struct mutex mappers_lock;
	struct list_head mappers;
};

void pvisor_reservation_set_limit(unsigned long frames);
unsigned long pvisor_frames_limit(void);
unsigned long pvisor_frames_used(void);

int pvisor_reservation_alloc(struct pvisor_reservation *res,
			     unsigned long nr_frames,
			     struct netlink_ext_ack *extack);
void pvisor_reservation_free(struct pvisor_reservation *res);
unsigned long pvisor_reservation_current(const struct pvisor_reservation *res);

int pvisor_p2m_read_lock(void) __acquires(p2m_srcu);
void pvisor_p2m_read_unlock(int idx) __releases(p2m_srcu);
void pvisor_p2m_sync(void);
struct page *pvisor_p2m_frame(const struct pvisor_reservation *res, u64 pfn);

struct page *pvisor_reservation_take(struct pvisor_reservation *res, u64 pfn);
void pvisor_reservation_release(struct page *frame);
int pvisor_reservation_populate(struct pvisor_reservation *res, u64 pfn);

#endif /* PVISOR_RESERVATION_H */
