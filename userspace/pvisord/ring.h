/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guests' xenstore rings: the second transport beside the socket. Each
 * guest whose builder set up a ring (the module's DOMAIN_GET says where:
 * STORE_PFN, STORE_PORT) is one connection, as that domain and never
 * privileged, on the page (struct pvisor_xs_ring) and Domain0's end of
 * its event channel (PVISOR_IOCTL_EVTCHN_DOM0).
 */
#ifndef PVISORD_RING_H
#define PVISORD_RING_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Serve domain @domid's ring at frame @pfn with the guest's @port.
 * Nothing if it is served already, or was disconnected for breaking the
 * protocol (until the domain goes). 0 or -errno.
 */
int pvisor_ring_attach(uint32_t domid, uint64_t pfn, uint32_t port);

/* Is @domid's ring served now? */
bool pvisor_ring_served(uint32_t domid);

/* Stop serving @domid's ring (the domain went), and forget its record. */
void pvisor_ring_detach(uint32_t domid);

/*
 * Between rounds: serve one more message of every ring that has more
 * waiting, and free rings closed since. True when some still have more
 * (the loop must not sleep).
 */
bool pvisor_ring_idle(void);

/* Stop serving every ring; the guests' ports are offered again. */
void pvisor_ring_shutdown(void);

#endif /* PVISORD_RING_H */
