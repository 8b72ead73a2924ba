// SPDX-License-Identifier: GPL-2.0
/*
 * Events: the upcall, the scan of the 2-level bitmaps, the port table and
 * the event-channel hypercalls. events.h tells the path of one event.
 *
 * The scan follows Xen's protocol, with evtchn_upcall_mask set
 * throughout: clear evtchn_upcall_pending, take evtchn_pending_sel with
 * an xchg, and for each word it names, take the ports pending and not
 * masked one by one, clearing each pending bit (atomically: the module
 * sets bits in the same words) before running its handler. An event sent
 * again meanwhile sets the bits anew, so nothing is lost. Whoever opens
 * the mask afterwards (event_entry.S's exit path, local_irq_enable())
 * looks at evtchn_upcall_pending once more and scans again if it is set.
 */

#include <linux/errno.h>
#include <pvisor/event.h>

#include "console.h"
#include "events.h"
#include "hypercall.h"

extern char event_entry[];

struct port_handler {
	evtchn_handler_t fn;
	void *data;
	u32 cpu;		/* the vCPU the port notifies */
};

/*
 * Few ports ever get a handler, so the table is small and indexed
 * through a byte per port (0: none): 4096 full entries would be 64 KiB
 * of bss, more than the rest of minnow.
 */
static struct port_handler handlers[EVTCHN_MAX_HANDLERS + 1];
static u8 handler_of[NR_EVTCHN_PORTS];
/* Writers of the two tables above; the scans read them unlocked. */
static spinlock_t table_lock = SPINLOCK_INIT;
static volatile u64 nr_upcalls, nr_dispatched, nr_unhandled;
static events_exit_hook_t exit_hook;

static void count(volatile u64 *counter)
{
	__atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);
}

static inline void mb(void)
{
	asm volatile("mfence" ::: "memory");
}

static volatile u64 *pending_word(u32 port)
{
	return &shared_info()->evtchn_pending[port / 64];
}

static volatile u64 *mask_word(u32 port)
{
	return &shared_info()->evtchn_mask[port / 64];
}

static void dispatch(u32 port, struct pvisor_trap_frame *frame)
{
	struct port_handler *h = &handlers[handler_of[port]];

	count(&nr_dispatched);
	if (h->fn)
		h->fn(port, frame, h->data);
	else
		count(&nr_unhandled);
}

/*
 * One scan: entered with evtchn_upcall_mask set, and leaves it set, so
 * that the exit path may still choose what to resume (event_entry.S).
 */
static void scan(struct pvisor_trap_frame *frame)
{
	volatile struct pvisor_vcpu_info *vi = this_vcpu_info();
	volatile struct pvisor_shared_info *s = shared_info();
	unsigned int me = smp_processor_id();
	u64 sel;

	vi->evtchn_upcall_pending = 0;
	sel = xchg64(&vi->evtchn_pending_sel, 0);
	while (sel) {
		unsigned int w = (unsigned int)__builtin_ctzll(sel);
		u64 bits, others = 0;

		sel &= sel - 1;
		while ((bits = s->evtchn_pending[w] & ~s->evtchn_mask[w] &
			       ~others)) {
			unsigned int b = (unsigned int)__builtin_ctzll(bits);
			u32 port = w * 64 + b;

			/* Another vCPU's: its own scan will see it. */
			if (handler_of[port] &&
			    handlers[handler_of[port]].cpu != me)
				others |= 1ULL << b;
			else if (test_and_clear_bit64(b, &s->evtchn_pending[w]))
				dispatch(port, frame);
		}
	}
}

bool evtchn_unmask_upcalls(void)
{
	volatile struct pvisor_vcpu_info *vi = this_vcpu_info();

	/* sti, then look again: Xen's "upcall pending after unmask". */
	vi->evtchn_upcall_mask = 0;
	mb();
	if (!vi->evtchn_upcall_pending)
		return false;
	vi->evtchn_upcall_mask = 1;
	barrier();
	return true;
}

struct pvisor_trap_frame *evtchn_do_upcall(struct pvisor_trap_frame *frame,
					   u64 entered)
{
	if (entered)
		count(&nr_upcalls);
	scan(frame);
	return exit_hook ? exit_hook(frame) : frame;
}

void events_set_exit_hook(events_exit_hook_t hook)
{
	exit_hook = hook;
}

void local_irq_enable(void)
{
	barrier();
	/*
	 * A kick that came while the mask was set was dropped by the
	 * module: whatever it announced is ours to deliver now.
	 */
	while (evtchn_unmask_upcalls())
		scan(NULL);
}

void block_domain(void)
{
	hv_sched_block();
	/* The module opened the mask; an upcall may already have run. */
	local_irq_enable();
}

long events_init(void)
{
	volatile struct pvisor_shared_info *s = shared_info();
	unsigned int w;
	long ret;

	local_irq_disable();
	/* Every port starts masked; bind_evtchn() opens the bound ones. */
	for (w = 0; w < NR_EVTCHN_PORTS / 64; w++)
		s->evtchn_mask[w] = ~0ULL;
	ret = hv_set_callbacks((u64)event_entry);
	if (ret)
		return ret;
	local_irq_enable();
	return 0;
}

long events_init_cpu(void)
{
	long ret;

	local_irq_disable();
	ret = hv_set_callbacks((u64)event_entry);
	if (ret)
		return ret;
	local_irq_enable();
	return 0;
}

unsigned int evtchn_cpu(u32 port)
{
	return port < NR_EVTCHN_PORTS ? handlers[handler_of[port]].cpu : 0;
}

long evtchn_alloc_unbound(u32 remote_dom, u32 *port)
{
	struct pvisor_evtchn_alloc_unbound op = { .remote_dom = remote_dom };
	long ret = hv_event_channel_op(PVISOR_EVTCHNOP_ALLOC_UNBOUND, &op);

	if (!ret)
		*port = op.port;
	return ret;
}

long evtchn_bind_interdomain(u32 remote_dom, u32 remote_port, u32 *port)
{
	struct pvisor_evtchn_bind_interdomain op = {
		.remote_dom = remote_dom,
		.remote_port = remote_port,
	};
	long ret = hv_event_channel_op(PVISOR_EVTCHNOP_BIND_INTERDOMAIN, &op);

	if (!ret)
		*port = op.local_port;
	return ret;
}

long evtchn_bind_virq(u32 virq, u32 vcpu, u32 *port)
{
	struct pvisor_evtchn_bind_virq op = { .virq = virq, .vcpu = vcpu };
	long ret = hv_event_channel_op(PVISOR_EVTCHNOP_BIND_VIRQ, &op);

	if (!ret)
		*port = op.port;
	return ret;
}

long evtchn_bind_ipi(u32 vcpu, u32 *port)
{
	struct pvisor_evtchn_bind_ipi op = { .vcpu = vcpu };
	long ret = hv_event_channel_op(PVISOR_EVTCHNOP_BIND_IPI, &op);

	if (!ret)
		*port = op.port;
	return ret;
}

long evtchn_bind_vcpu(u32 port, u32 vcpu)
{
	struct pvisor_evtchn_bind_vcpu op = { .port = port, .vcpu = vcpu };
	long ret = hv_event_channel_op(PVISOR_EVTCHNOP_BIND_VCPU, &op);

	if (!ret && port < NR_EVTCHN_PORTS && handler_of[port])
		handlers[handler_of[port]].cpu = vcpu;
	return ret;
}

long evtchn_send(u32 port)
{
	struct pvisor_evtchn_port op = { .port = port };

	return hv_event_channel_op(PVISOR_EVTCHNOP_SEND, &op);
}

long evtchn_close(u32 port)
{
	struct pvisor_evtchn_port op = { .port = port };
	return hv_event_channel_op(PVISOR_EVTCHNOP_CLOSE, &op);
}

long evtchn_status(struct pvisor_evtchn_status *st)
{
	return hv_event_channel_op(PVISOR_EVTCHNOP_STATUS, st);
}

long evtchn_unmask_hypercall(u32 port)
{
	struct pvisor_evtchn_port op = { .port = port };

	return hv_event_channel_op(PVISOR_EVTCHNOP_UNMASK, &op);
}

long bind_evtchn(u32 port, evtchn_handler_t h, void *data)
{
	struct pvisor_evtchn_status st = { .port = port };
	unsigned long flags;
	unsigned int slot;

	if (port >= NR_EVTCHN_PORTS || !h)
		return -EINVAL;
	/* Whom the module notifies: only that vCPU's scan may take it. */
	if (evtchn_status(&st))
		st.vcpu = 0;
	flags = local_irq_save();
	spin_lock(&table_lock);
	slot = handler_of[port];
	for (slot = slot ? slot : 1; slot <= EVTCHN_MAX_HANDLERS; slot++)
		if (slot == handler_of[port] || !handlers[slot].fn)
			break;
	if (slot > EVTCHN_MAX_HANDLERS) {
		spin_unlock(&table_lock);
		local_irq_restore(flags);
		return -ENOSPC;
	}
	handlers[slot].data = data;
	handlers[slot].cpu = st.vcpu;
	handlers[slot].fn = h;
	handler_of[port] = (u8)slot;
	spin_unlock(&table_lock);
	local_irq_restore(flags);
	unmask_evtchn(port);
	return 0;
}

void unbind_evtchn(u32 port)
{
	unsigned long flags;

	if (port >= NR_EVTCHN_PORTS)
		return;
	mask_evtchn(port);
	flags = local_irq_save();
	spin_lock(&table_lock);
	handlers[handler_of[port]] = (struct port_handler){ NULL, NULL, 0 };
	handler_of[port] = 0;
	spin_unlock(&table_lock);
	local_irq_restore(flags);
}

void mask_evtchn(u32 port)
{
	if (port < NR_EVTCHN_PORTS)
		test_and_set_bit64(port % 64, mask_word(port));
}

void unmask_evtchn(u32 port)
{
	volatile struct pvisor_vcpu_info *vi = this_vcpu_info();
	u64 bit = 1ULL << (port % 64);
	unsigned long flags;

	if (port >= NR_EVTCHN_PORTS)
		return;
	/*
	 * An event that arrived while the port was masked was not
	 * announced. The module's UNMASK announces it, but only while the
	 * mask bit is still set when it looks: so leave it set and ask.
	 */
	if (*pending_word(port) & bit) {
		evtchn_unmask_hypercall(port);
		return;
	}
	/* Nor can we announce it to another vCPU, kicks being the module's. */
	if (evtchn_cpu(port) != smp_processor_id()) {
		evtchn_unmask_hypercall(port);
		return;
	}
	test_and_clear_bit64(port % 64, mask_word(port));
	mb();
	if (!(*pending_word(port) & bit))
		return;
	/*
	 * A send raced with us and found the port still masked: announce
	 * it ourselves, as the module would have, and deliver it now if
	 * events are enabled.
	 */
	flags = local_irq_save();
	if (!test_and_set_bit64(port / 64, &vi->evtchn_pending_sel))
		vi->evtchn_upcall_pending = 1;
	local_irq_restore(flags);
}

bool evtchn_is_pending(u32 port)
{
	return port < NR_EVTCHN_PORTS &&
	       (*pending_word(port) & (1ULL << (port % 64)));
}

bool evtchn_is_masked(u32 port)
{
	return port < NR_EVTCHN_PORTS &&
	       (*mask_word(port) & (1ULL << (port % 64)));
}

void clear_evtchn(u32 port)
{
	if (port < NR_EVTCHN_PORTS)
		test_and_clear_bit64(port % 64, pending_word(port));
}

u64 events_upcalls(void)
{
	return nr_upcalls;
}

u64 events_dispatched(void)
{
	return nr_dispatched;
}

u64 events_unhandled(void)
{
	return nr_unhandled;
}
