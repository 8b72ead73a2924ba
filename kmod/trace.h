/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvisor's tracepoints, in the "pvisor" system: one per hypercall, event
 * send, event delivery and window fault, for perf (perf trace -e
 * 'pvisor:*', perf record) and tracefs (events/pvisor/). They fire
 * beside the counters in stats.c; only stats.c includes this header.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM pvisor

#if !defined(PVISOR_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define PVISOR_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(pvisor_hypercall,
	TP_PROTO(u32 domid, u32 vcpu, u64 nr, long ret),
	TP_ARGS(domid, vcpu, nr, ret),
	TP_STRUCT__entry(
		__field(u32, domid)
		__field(u32, vcpu)
		__field(u64, nr)
		__field(long, ret)
	),
	TP_fast_assign(
		__entry->domid = domid;
		__entry->vcpu = vcpu;
		__entry->nr = nr;
		__entry->ret = ret;
	),
	TP_printk("dom=%u vcpu=%u nr=%llu ret=%ld", __entry->domid,
		  __entry->vcpu, __entry->nr, __entry->ret)
);

TRACE_EVENT(pvisor_evtchn_send,
	TP_PROTO(u32 domid, u32 port, u32 remote_domid, u32 remote_port),
	TP_ARGS(domid, port, remote_domid, remote_port),
	TP_STRUCT__entry(
		__field(u32, domid)
		__field(u32, port)
		__field(u32, remote_domid)
		__field(u32, remote_port)
	),
	TP_fast_assign(
		__entry->domid = domid;
		__entry->port = port;
		__entry->remote_domid = remote_domid;
		__entry->remote_port = remote_port;
	),
	TP_printk("dom=%u port=%u to dom=%u port=%u", __entry->domid,
		  __entry->port, __entry->remote_domid, __entry->remote_port)
);

TRACE_EVENT(pvisor_evtchn_deliver,
	TP_PROTO(u32 domid, u32 port, u32 vcpu),
	TP_ARGS(domid, port, vcpu),
	TP_STRUCT__entry(
		__field(u32, domid)
		__field(u32, port)
		__field(u32, vcpu)
	),
	TP_fast_assign(
		__entry->domid = domid;
		__entry->port = port;
		__entry->vcpu = vcpu;
	),
	TP_printk("dom=%u port=%u vcpu=%u", __entry->domid, __entry->port,
		  __entry->vcpu)
);

TRACE_EVENT(pvisor_fault,
	TP_PROTO(u32 domid, u64 address, bool write, unsigned int result),
	TP_ARGS(domid, address, write, result),
	TP_STRUCT__entry(
		__field(u32, domid)
		__field(u64, address)
		__field(bool, write)
		__field(unsigned int, result)
	),
	TP_fast_assign(
		__entry->domid = domid;
		__entry->address = address;
		__entry->write = write;
		__entry->result = result;
	),
	TP_printk("dom=%u address=0x%llx %s result=0x%x", __entry->domid,
		  __entry->address, __entry->write ? "write" : "read",
		  __entry->result)
);

#endif /* PVISOR_TRACE_H */

/* Out of the kernel tree: define_trace.h finds this file by -I kmod. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
