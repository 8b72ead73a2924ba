/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events: minnow's half of Xen's 2-level event channels
 * (uapi/pvisor/event.h, Documentation/porting-guide.rst).
 *
 * The module raises an event by setting the port's bit in the
 * shared_info page's evtchn_pending, and, when the port is not masked,
 * the word's bit in the vCPU's evtchn_pending_sel and
 * evtchn_upcall_pending; then it kicks the vCPU. If the vCPU's
 * evtchn_upcall_mask (minnow's "interrupt flag") is clear, the kick
 * enters event_entry (event_entry.S) like a trap, with the mask set; the
 * entry calls evtchn_do_upcall(), which runs the handler bound to each
 * pending port and says which frame to resume (the interrupted one,
 * unless an exit hook picks another); the exit path moves rsp to that
 * frame, clears the mask and resumes it with the iret hypercall.
 *
 * Handlers run with events masked, on the interrupted stack. Code that
 * shares data with a handler masks events around it with
 * local_irq_save()/local_irq_restore(); re-enabling delivers whatever
 * arrived meanwhile at once, as sti would.
 *
 * Each vCPU has its own vcpu_info (this_vcpu_info(), found through the
 * per-CPU area, cpu.h), upcall mask, callback registration and scan; the
 * bitmaps and the handler table are the domain's. A port is notified on
 * one vCPU (BIND_VIRQ's or BIND_IPI's, else vCPU 0, until BIND_VCPU moves
 * it): bind_evtchn() asks the module which (EVTCHNOP_STATUS), and only
 * that vCPU's scan takes the port, as Xen's Linux does with its per-CPU
 * port masks. A port without a handler is anyone's to count.
 */
#ifndef MINNOW_EVENTS_H
#define MINNOW_EVENTS_H

#include <pvisor/event.h>
#include <pvisor/hypercall.h>

#include "cpu.h"
#include "hypercall.h"
#include "lib.h"

#define NR_EVTCHN_PORTS		PVISOR_NR_EVENT_CHANNELS
#define EVTCHN_MAX_HANDLERS	127	/* ports with a handler at a time */

/*
 * A port's handler: @frame is the interrupted context when the event
 * came through the module's upcall, NULL when local_irq_restore() found
 * it pending; handlers may edit neither.
 */
typedef void (*evtchn_handler_t)(u32 port, struct pvisor_trap_frame *frame,
				 void *data);

/* The module writes these pages behind the compiler's back: volatile. */
static inline volatile struct pvisor_shared_info *shared_info(void)
{
	return (volatile struct pvisor_shared_info *)PVISOR_SHARED_INFO_PAGE;
}

static inline volatile struct pvisor_vcpu_info *this_vcpu_info(void)
{
	return &shared_info()->vcpu_info[this_cpu()->id];
}

#define barrier()	asm volatile("" ::: "memory")

/* Atomic bit operations on shared_info words: the module writes them too. */
static inline bool test_and_set_bit64(unsigned int nr, volatile u64 *word)
{
	bool old;

	asm volatile("lock btsq %2, %0"
		     : "+m"(*word), "=@ccc"(old) : "r"((u64)nr) : "memory");
	return old;
}

static inline bool test_and_clear_bit64(unsigned int nr, volatile u64 *word)
{
	bool old;

	asm volatile("lock btrq %2, %0"
		     : "+m"(*word), "=@ccc"(old) : "r"((u64)nr) : "memory");
	return old;
}

static inline u64 xchg64(volatile u64 *p, u64 v)
{
	asm volatile("xchgq %0, %1" : "+r"(v), "+m"(*p) : : "memory");
	return v;
}

/* The guest's cli, sti and pushf/popf: the vCPU's evtchn_upcall_mask. */
static inline void local_irq_disable(void)
{
	this_vcpu_info()->evtchn_upcall_mask = 1;
	barrier();
}

void local_irq_enable(void);

static inline unsigned long local_irq_save(void)
{
	unsigned long flags = this_vcpu_info()->evtchn_upcall_mask;

	local_irq_disable();
	return flags;
}

static inline void local_irq_restore(unsigned long flags)
{
	if (!flags)
		local_irq_enable();
}

static inline bool irqs_disabled(void)
{
	return this_vcpu_info()->evtchn_upcall_mask;
}

/*
 * Mask every port, register event_entry with SET_CALLBACKS and open the
 * upcall mask. Returns 0 or SET_CALLBACKS's error (events stay masked).
 * Once, on vCPU 0.
 */
long events_init(void);

/*
 * The same for a secondary vCPU, on it: its own callback registration and
 * upcall mask (the port masks are the domain's, set up by vCPU 0).
 */
long events_init_cpu(void);

/* The vCPU @port notifies, as bind_evtchn() found (0 without a handler). */
unsigned int evtchn_cpu(u32 port);

/* The raw event-channel hypercall: 0 or a negative errno. */
static inline long hv_event_channel_op(u32 cmd, void *arg)
{
	return hypercall2(PVISOR_HC_EVENT_CHANNEL_OP, cmd, arg);
}

static inline long hv_set_callbacks(u64 event_address)
{
	return hypercall1(PVISOR_HC_SET_CALLBACKS, event_address);
}

/* SCHEDOP_BLOCK: opens the upcall mask and sleeps until an event. */
static inline long hv_sched_block(void)
{
	return hypercall2(PVISOR_HC_SCHED_OP, PVISOR_SCHEDOP_BLOCK, 0);
}

/* The operations, each 0 or a negative errno; ports come back in @port. */
long evtchn_alloc_unbound(u32 remote_dom, u32 *port);
long evtchn_bind_interdomain(u32 remote_dom, u32 remote_port, u32 *port);
long evtchn_bind_virq(u32 virq, u32 vcpu, u32 *port);
long evtchn_bind_ipi(u32 vcpu, u32 *port);
long evtchn_bind_vcpu(u32 port, u32 vcpu);
long evtchn_send(u32 port);
long evtchn_close(u32 port);
long evtchn_status(struct pvisor_evtchn_status *st);
/* The hypercall itself; unmask_evtchn() avoids it when it can. */
long evtchn_unmask_hypercall(u32 port);

/*
 * Run @h(port, frame, @data) for each event on @port from now on, and
 * unmask it. Returns 0, -EINVAL (a port out of range, no handler) or
 * -ENOSPC (EVTCHN_MAX_HANDLERS ports have one already).
 */
long bind_evtchn(u32 port, evtchn_handler_t h, void *data);

/* Mask @port and forget its handler (the port stays open). */
void unbind_evtchn(u32 port);

/*
 * Set or clear @port's bit in evtchn_mask. An event that arrived while
 * the port was masked is delivered by unmask_evtchn() (through the
 * module's UNMASK), at once if events are enabled.
 */
void mask_evtchn(u32 port);
void unmask_evtchn(u32 port);

bool evtchn_is_pending(u32 port);
bool evtchn_is_masked(u32 port);
void clear_evtchn(u32 port);

/* Counters, for tests: upcalls entered through event_entry, events
 * dispatched, events on ports without a handler (ignored). */
u64 events_upcalls(void);
u64 events_dispatched(void);
u64 events_unhandled(void);

/*
 * Sleep until an event is pending, then deliver it: call with events
 * masked, after checking the wake-up condition under the mask (an event
 * that arrives after the check stays pending, and SCHEDOP_BLOCK returns
 * at once). Returns with events enabled.
 */
void block_domain(void);

/*
 * What the exit path resumes after an upcall's scan: given the frame the
 * upcall interrupted, return it, or another context's frame on that
 * context's own stack (the scheduler's, sched.c). Runs with the upcall
 * mask set, on the interrupted stack.
 */
typedef struct pvisor_trap_frame *(*events_exit_hook_t)(
	struct pvisor_trap_frame *frame);

/* Install @hook (NULL: always resume the interrupted frame). */
void events_set_exit_hook(events_exit_hook_t hook);

/*
 * Called by event_entry.S only: scan with the mask set (@entered: a new
 * upcall, counted; 0: the exit path found one pending) and return the
 * frame to resume, the mask still set.
 */
struct pvisor_trap_frame *evtchn_do_upcall(struct pvisor_trap_frame *frame,
					   u64 entered);

/*
 * Open the upcall mask; if an upcall is pending, set the mask again and
 * return true: the caller must scan. event_entry.S's exit path and
 * local_irq_enable() use it.
 */
bool evtchn_unmask_upcalls(void);

#endif /* MINNOW_EVENTS_H */
