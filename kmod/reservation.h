/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_RESERVATION_H
#define PVISOR_RESERVATION_H

#include <linux/types.h>

struct page;
struct netlink_ext_ack;

/*
 * A domain's memory reservation: the frames the module allocated for it
 * and the P2M, which maps each guest pfn (the index) to its frame. The
 * table is fixed for the domain's life until ballooning arrives.
 */
struct pvisor_reservation {
	struct page **p2m;
	unsigned long nr_frames;
};

void pvisor_reservation_set_limit(unsigned long frames);
unsigned long pvisor_frames_limit(void);
unsigned long pvisor_frames_used(void);

int pvisor_reservation_alloc(struct pvisor_reservation *res,
			     unsigned long nr_frames,
			     struct netlink_ext_ack *extack);
void pvisor_reservation_free(struct pvisor_reservation *res);

#endif /* PVISOR_RESERVATION_H */
