/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * Events and time: the shared_info page, event channels, the event
 * callback, blocking and timers. Xen's 2-level event-channel protocol,
 * with pvisor's names; Documentation/events.rst is the reference.
 */
#ifndef _UAPI_PVISOR_EVENT_H
#define _UAPI_PVISOR_EVENT_H

#include <linux/types.h>
#include <pvisor/hypercall.h>

/*
 * The shared_info page sits just below the iret page, mapped read-write
 * by the module whatever the guest's tables say.
 */
#define PVISOR_SHARED_INFO_PAGE		(PVISOR_IRET_PAGE - 4096)

#define PVISOR_NR_EVENT_CHANNELS	4096	/* 64 selector bits x 64 */
#define PVISOR_SHARED_INFO_VCPUS	32

/* pvclock: system time = system_time + ((tsc - tsc_timestamp) scaled). */
struct pvisor_vcpu_time_info {
	__u32 version;			/* odd while the module updates it */
	__u32 pad0;
	__u64 tsc_timestamp;
	__u64 system_time;		/* ns since the domain was created */
	__u32 tsc_to_system_mul;	/* ns = (tsc << shift) * mul >> 32 */
	__s8 tsc_shift;			/* left if positive, right if negative */
	__u8 flags;
	__u8 pad1[2];
};

struct pvisor_vcpu_info {
	__u8 evtchn_upcall_pending;	/* the module sets it; the guest clears */
	__u8 evtchn_upcall_mask;	/* set: no upcalls (the guest's "cli") */
	__u8 pad[6];
	__u64 evtchn_pending_sel;	/* which words of evtchn_pending to scan */
	__u64 cr2;
	__u64 pad2;
	struct pvisor_vcpu_time_info time;
};

struct pvisor_shared_info {
	struct pvisor_vcpu_info vcpu_info[PVISOR_SHARED_INFO_VCPUS];
	__u64 evtchn_pending[PVISOR_NR_EVENT_CHANNELS / 64];
	__u64 evtchn_mask[PVISOR_NR_EVENT_CHANNELS / 64];
	__u32 wc_version;		/* odd while the module updates it */
	__u32 wc_sec;			/* wall-clock time at system time 0 */
	__u32 wc_nsec;
	__u32 wc_sec_hi;
};

/*
 * PVISOR_HC_SET_CALLBACKS(event_address): the calling vCPU's event
 * callback. It is entered like a trap handler, with rsp at a
 * struct pvisor_trap_frame whose vector is PVISOR_EVENT_VECTOR, and with
 * evtchn_upcall_mask set; it resumes with PVISOR_HC_IRET after clearing
 * the mask and checking evtchn_upcall_pending again.
 */
#define PVISOR_HC_SET_CALLBACKS		4
#define PVISOR_EVENT_VECTOR		256

/* PVISOR_HC_SET_TIMER_OP(deadline): one-shot VIRQ_TIMER at a system
 * time in ns (0 cancels); a deadline in the past fires at once. */
#define PVISOR_HC_SET_TIMER_OP		15

/* PVISOR_HC_EVENT_CHANNEL_OP(cmd, arg) */
#define PVISOR_HC_EVENT_CHANNEL_OP	32

#define PVISOR_EVTCHNOP_BIND_INTERDOMAIN	0
#define PVISOR_EVTCHNOP_BIND_VIRQ		1
#define PVISOR_EVTCHNOP_CLOSE			3
#define PVISOR_EVTCHNOP_SEND			4
#define PVISOR_EVTCHNOP_STATUS			5
#define PVISOR_EVTCHNOP_ALLOC_UNBOUND		6
#define PVISOR_EVTCHNOP_BIND_IPI		7
#define PVISOR_EVTCHNOP_BIND_VCPU		8
#define PVISOR_EVTCHNOP_UNMASK			9

/* Virtual interrupts. */
#define PVISOR_VIRQ_TIMER		0
#define PVISOR_VIRQ_DEBUG		1
#define PVISOR_VIRQ_CONSOLE		2
#define PVISOR_NR_VIRQS			24

/* Domain ids in event-channel calls: 0 is the calling domain. */
#define PVISOR_DOMID_SELF		0

/*
 * ALLOC_UNBOUND's remote_dom for a port offered to Domain0 (a backend
 * there binds it with PVISOR_IOCTL_EVTCHN_DOM0): 0 already names the
 * caller, and no domain has this id (PVISOR_DOMID_MAX is below it).
 */
#define PVISOR_DOMID_DOM0		0x7ff0

struct pvisor_evtchn_alloc_unbound {
	__u32 remote_dom;		/* in: who may bind to it (0: self) */
	__u32 port;			/* out */
};

struct pvisor_evtchn_bind_interdomain {
	__u32 remote_dom;		/* in */
	__u32 remote_port;		/* in: an unbound port offered to us */
	__u32 local_port;		/* out */
};

struct pvisor_evtchn_bind_virq {
	__u32 virq;			/* in: PVISOR_VIRQ_* */
	__u32 vcpu;			/* in */
	__u32 port;			/* out */
};

struct pvisor_evtchn_bind_ipi {
	__u32 vcpu;			/* in: who gets notified */
	__u32 port;			/* out */
};

/* CLOSE, SEND, UNMASK: the port alone. */
struct pvisor_evtchn_port {
	__u32 port;
};

struct pvisor_evtchn_bind_vcpu {
	__u32 port;
	__u32 vcpu;
};

#define PVISOR_EVTCHNSTAT_CLOSED	0
#define PVISOR_EVTCHNSTAT_UNBOUND	1
#define PVISOR_EVTCHNSTAT_INTERDOMAIN	2
#define PVISOR_EVTCHNSTAT_VIRQ		4
#define PVISOR_EVTCHNSTAT_IPI		5

struct pvisor_evtchn_status {
	__u32 port;			/* in */
	__u32 status;			/* out: PVISOR_EVTCHNSTAT_* */
	__u32 vcpu;			/* out: who gets notified */
	__u32 remote_dom;		/* out: unbound, interdomain */
	__u32 remote_port;		/* out: interdomain */
	__u32 virq;			/* out: virq */
};

/* SCHEDOP_BLOCK: clear the upcall mask and sleep until an event is
 * pending (at once if one already is). */
#define PVISOR_SCHEDOP_BLOCK		1

/*
 * SCHEDOP_POLL(arg: struct pvisor_sched_poll *): sleep until one of the
 * ports is pending, masked or not, or until the timeout (an absolute
 * system time in ns; 0: none). Returns 0 for an event, -ETIME at the
 * timeout; a signal for the thread (a pause) ends it early with 0.
 */
#define PVISOR_SCHEDOP_POLL		3
#define PVISOR_POLL_PORTS_MAX		128

struct pvisor_sched_poll {
	__u64 ports;			/* array of __u32 ports */
	__u32 nr_ports;
	__u32 pad;
	__u64 timeout;
};

#endif /* _UAPI_PVISOR_EVENT_H */
