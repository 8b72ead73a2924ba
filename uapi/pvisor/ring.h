/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * Shared I/O rings: Xen's ring protocol (io/ring.h), so that a Xen
 * frontend and a pvisor backend agree on every byte and index.
 *
 * A ring is one shared page (or a power-of-two run of them): a 64-byte
 * header of four free-running 32-bit indices, then slots, each holding a
 * request or its response. The frontend produces requests (req_prod) and
 * consumes responses; the backend the other way round. Each side keeps
 * private copies of its own indices and publishes them with a push; a
 * push tells whether the peer asked to be notified (its *_event index
 * falls in the range just published). Indices wrap at 2^32; slots are
 * taken modulo the ring size, a power of two.
 *
 * The peer is hostile: a backend copies each request once
 * (PVISOR_RING_COPY_REQUEST) before looking at it, and checks the
 * producer index it reads (PVISOR_RING_REQUEST_PROD_OVERFLOW) before
 * consuming up to it.
 *
 * Barriers: define PVISOR_RING_MB/RMB/WMB before including this (the
 * kernel: virt_mb() etc.); the defaults are the compiler's fences.
 */
#ifndef _UAPI_PVISOR_RING_H
#define _UAPI_PVISOR_RING_H

#include <linux/types.h>

#ifndef PVISOR_RING_MB
#define PVISOR_RING_MB()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define PVISOR_RING_RMB()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define PVISOR_RING_WMB()	__atomic_thread_fence(__ATOMIC_RELEASE)
#endif

typedef __u32 pvisor_ring_idx_t;

/* The shared header: Xen's sring layout, 64 bytes before the slots. */
#define PVISOR_RING_HEADER_FIELDS		\
	pvisor_ring_idx_t req_prod;		\
	pvisor_ring_idx_t req_event;		\
	pvisor_ring_idx_t rsp_prod;		\
	pvisor_ring_idx_t rsp_event;		\
	__u8 __pad[48]

#define PVISOR_RING_HEADER_SIZE	64

/*
 * The largest power of two not above @x (0 < x < 2^32), as a constant
 * expression: each step halves the width still to look at.
 */
#define PVISOR_RING_P2_2(x)	((x) & 0x2u ? 0x2u : (x) & 0x1u)
#define PVISOR_RING_P2_4(x)						\
	((x) & 0xcu ? PVISOR_RING_P2_2((x) >> 2) << 2 : PVISOR_RING_P2_2(x))
#define PVISOR_RING_P2_8(x)						\
	((x) & 0xf0u ? PVISOR_RING_P2_4((x) >> 4) << 4 : PVISOR_RING_P2_4(x))
#define PVISOR_RING_P2_16(x)						\
	((x) & 0xff00u ? PVISOR_RING_P2_8((x) >> 8) << 8 : PVISOR_RING_P2_8(x))
#define PVISOR_RING_POW2_FLOOR(x)					\
	((x) & 0xffff0000u ? PVISOR_RING_P2_16((x) >> 16) << 16 :	\
	 PVISOR_RING_P2_16(x))

/*
 * PVISOR_RING_TYPES(name, request type, response type) declares
 * union name_slot, struct name_sring (the shared page), struct
 * name_front_ring and struct name_back_ring (each side's private state).
 */
#define PVISOR_RING_TYPES(name, req_t, rsp_t)				\
union name##_slot {							\
	req_t req;							\
	rsp_t rsp;							\
};									\
struct name##_sring {							\
	PVISOR_RING_HEADER_FIELDS;					\
	union name##_slot ring[];					\
};									\
struct name##_front_ring {						\
	pvisor_ring_idx_t req_prod_pvt;					\
	pvisor_ring_idx_t rsp_cons;					\
	__u32 nr_ents;							\
	struct name##_sring *sring;					\
};									\
struct name##_back_ring {						\
	pvisor_ring_idx_t rsp_prod_pvt;					\
	pvisor_ring_idx_t req_cons;					\
	__u32 nr_ents;							\
	struct name##_sring *sring;					\
}

/* Slots of a ring of @bytes (a page: 4096) for ring type @name. */
#define PVISOR_RING_SIZE(name, bytes)					\
	PVISOR_RING_POW2_FLOOR(((bytes) - PVISOR_RING_HEADER_SIZE) /	\
			       sizeof(union name##_slot))

/* The frontend, once, on a fresh shared page. */
#define PVISOR_SRING_INIT(s) do {					\
	(s)->req_prod = (s)->rsp_prod = 0;				\
	(s)->req_event = (s)->rsp_event = 1;				\
	__builtin_memset((s)->__pad, 0, sizeof((s)->__pad));		\
} while (0)

#define PVISOR_FRONT_RING_INIT(r, s, bytes) do {			\
	(r)->req_prod_pvt = 0;						\
	(r)->rsp_cons = 0;						\
	(r)->nr_ents = PVISOR_RING_POW2_FLOOR(((bytes) -		\
		PVISOR_RING_HEADER_SIZE) / sizeof((s)->ring[0]));	\
	(r)->sring = (s);						\
} while (0)

#define PVISOR_BACK_RING_INIT(r, s, bytes) do {				\
	(r)->rsp_prod_pvt = 0;						\
	(r)->req_cons = 0;						\
	(r)->nr_ents = PVISOR_RING_POW2_FLOOR(((bytes) -		\
		PVISOR_RING_HEADER_SIZE) / sizeof((s)->ring[0]));	\
	(r)->sring = (s);						\
} while (0)

/* Slot @idx of the ring, as a request or a response. */
#define PVISOR_RING_GET_REQUEST(r, idx)					\
	(&(r)->sring->ring[(idx) & ((r)->nr_ents - 1)].req)
#define PVISOR_RING_GET_RESPONSE(r, idx)				\
	(&(r)->sring->ring[(idx) & ((r)->nr_ents - 1)].rsp)

/*
 * The backend's one read of request @idx into *@dst: through a volatile
 * pointer, so the compiler can neither re-read the shared slot later
 * nor split the copy around the checks made on *@dst.
 */
#define PVISOR_RING_COPY_REQUEST(r, idx, dst)				\
	(*(dst) = *(volatile __typeof__(dst))PVISOR_RING_GET_REQUEST(r, idx))

/* Frontend: slots it may still fill. */
#define PVISOR_RING_FREE_REQUESTS(r)					\
	((r)->nr_ents - ((r)->req_prod_pvt - (r)->rsp_cons))
#define PVISOR_RING_FULL(r)	(PVISOR_RING_FREE_REQUESTS(r) == 0)

/* Frontend: responses published and not yet consumed. */
#define PVISOR_RING_HAS_UNCONSUMED_RESPONSES(r)				\
	((r)->sring->rsp_prod - (r)->rsp_cons)

/*
 * Backend: requests it may consume now. Never more than the slots its
 * own unsent responses leave, whatever producer index the frontend
 * wrote.
 */
#define PVISOR_RING_HAS_UNCONSUMED_REQUESTS(r) __extension__ ({		\
	pvisor_ring_idx_t __reqs = (r)->sring->req_prod - (r)->req_cons; \
	pvisor_ring_idx_t __room = (r)->nr_ents -			\
		((r)->req_cons - (r)->rsp_prod_pvt);			\
	__reqs < __room ? __reqs : __room;				\
})

/*
 * Backend: is a producer index @prod read from the frontend one that
 * claims more requests than the ring holds? Then the frontend is broken
 * or hostile, and the backend stops serving it.
 */
#define PVISOR_RING_REQUEST_PROD_OVERFLOW(r, prod)			\
	((pvisor_ring_idx_t)((prod) - (r)->rsp_prod_pvt) > (r)->nr_ents)

/* Backend: would consuming at @cons overrun the responses still owed? */
#define PVISOR_RING_REQUEST_CONS_OVERFLOW(r, cons)			\
	((pvisor_ring_idx_t)((cons) - (r)->rsp_prod_pvt) >= (r)->nr_ents)

/*
 * Publish the private producer index; set @notify when the peer's event
 * index lies in the range just published (it asked to hear of it).
 */
#define PVISOR_RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(r, notify) do {	\
	pvisor_ring_idx_t __old = (r)->sring->req_prod;			\
	pvisor_ring_idx_t __new = (r)->req_prod_pvt;			\
	PVISOR_RING_WMB();	/* the requests before the index */	\
	(r)->sring->req_prod = __new;					\
	PVISOR_RING_MB();	/* the index before reading the event */ \
	(notify) = (pvisor_ring_idx_t)(__new - (r)->sring->req_event) < \
		   (pvisor_ring_idx_t)(__new - __old);			\
} while (0)

#define PVISOR_RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(r, notify) do {	\
	pvisor_ring_idx_t __old = (r)->sring->rsp_prod;			\
	pvisor_ring_idx_t __new = (r)->rsp_prod_pvt;			\
	PVISOR_RING_WMB();						\
	(r)->sring->rsp_prod = __new;					\
	PVISOR_RING_MB();						\
	(notify) = (pvisor_ring_idx_t)(__new - (r)->sring->rsp_event) < \
		   (pvisor_ring_idx_t)(__new - __old);			\
} while (0)

/*
 * Before going to sleep: set @work to the requests (responses) left; if
 * there are none, ask for a notification at the next one and look again,
 * so that one published meanwhile is not slept through.
 */
#define PVISOR_RING_FINAL_CHECK_FOR_REQUESTS(r, work) do {		\
	(work) = PVISOR_RING_HAS_UNCONSUMED_REQUESTS(r);		\
	if (!(work)) {							\
		(r)->sring->req_event = (r)->req_cons + 1;		\
		PVISOR_RING_MB();					\
		(work) = PVISOR_RING_HAS_UNCONSUMED_REQUESTS(r);	\
	}								\
} while (0)

#define PVISOR_RING_FINAL_CHECK_FOR_RESPONSES(r, work) do {		\
	(work) = PVISOR_RING_HAS_UNCONSUMED_RESPONSES(r);		\
	if (!(work)) {							\
		(r)->sring->rsp_event = (r)->rsp_cons + 1;		\
		PVISOR_RING_MB();					\
		(work) = PVISOR_RING_HAS_UNCONSUMED_RESPONSES(r);	\
	}								\
} while (0)

#endif /* _UAPI_PVISOR_RING_H */
