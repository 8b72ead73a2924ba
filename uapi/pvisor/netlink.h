/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * pvisor control plane: the generic netlink family "pvisor".
 *
 * The contract is Documentation/netlink/specs/pvisor.yaml; this header
 * follows it name for name and value for value (selftests check that).
 * Attributes start at 1; 0 is reserved as "unspecified" in every set.
 */
#ifndef _UAPI_PVISOR_NETLINK_H
#define _UAPI_PVISOR_NETLINK_H

#define PVISOR_GENL_NAME	"pvisor"
#define PVISOR_GENL_VERSION	1
#define PVISOR_MCGRP_DOMAIN	"domain"

/*
 * A domain name is 1..PVISOR_NAME_MAX-1 characters from [A-Za-z0-9_.-],
 * starting with a letter, so that a name can never be mistaken for an id.
 */
#define PVISOR_NAME_MAX		64

/* Domain ids run from 1 up to PVISOR_DOMID_MAX; 0 stands for Domain0. */
#define PVISOR_DOMID_MAX	0x7fef

#define PVISOR_MAX_VCPUS	32

enum pvisor_domain_state {
	/* Created with its memory reservation; nothing runs yet. */
	PVISOR_DOMAIN_STATE_CREATED = 1,
	/* A runner is attached and the guest runs. */
	PVISOR_DOMAIN_STATE_RUNNING,
	/* The guest shut itself down; SHUTDOWN_REASON says how. */
	PVISOR_DOMAIN_STATE_SHUTDOWN,
	/* The guest crashed or broke the rules; CRASH_REASON says how. */
	PVISOR_DOMAIN_STATE_CRASHED,
	/* Its vCPUs are stopped by Domain0 (DOMAIN_PAUSE). */
	PVISOR_DOMAIN_STATE_PAUSED,
};

/* What a vCPU is doing, as PVISOR_CMD_VCPU_GET reports it. */
enum pvisor_vcpu_state {
	/* Not up: never started, or taken down by the guest. */
	PVISOR_VCPU_STATE_OFFLINE = 1,
	/* Up, running guest code or runnable. */
	PVISOR_VCPU_STATE_RUNNING,
	/* Up, asleep in SCHEDOP_BLOCK until an event arrives. */
	PVISOR_VCPU_STATE_BLOCKED,
	/* Up, but its domain is paused (DOMAIN_PAUSE). */
	PVISOR_VCPU_STATE_PAUSED,
	/* Its domain shut down or crashed. */
	PVISOR_VCPU_STATE_STOPPED,
};

enum pvisor_cmd {
	PVISOR_CMD_UNSPEC,
	PVISOR_CMD_DOMAIN_NEW,	/* do: create; reply carries the domain */
	PVISOR_CMD_DOMAIN_DEL,	/* do: destroy by id or name */
	PVISOR_CMD_DOMAIN_GET,	/* do: one domain by id or name; dump: all */
	PVISOR_CMD_INFO_GET,	/* do: module-wide accounting and limits */
	PVISOR_CMD_CONSOLE_READ, /* do: a domain's console log from an offset */
	PVISOR_CMD_DOMAIN_PAUSE, /* do: stop a running domain's vCPUs */
	PVISOR_CMD_DOMAIN_UNPAUSE, /* do: let a paused domain run again */
	PVISOR_CMD_DOMAIN_SHUTDOWN, /* do: stop a domain as shut down */
	PVISOR_CMD_EVTCHN_BIND,	/* do: connect two domains by an event channel */
	PVISOR_CMD_VCPU_GET,	/* dump: a domain's vCPUs */
	PVISOR_CMD_EVTCHN_GET,	/* dump: a domain's open event channels */
	PVISOR_CMD_CONSOLE_WRITE, /* do: console input for a domain */
	__PVISOR_CMD_MAX
};
#define PVISOR_CMD_MAX (__PVISOR_CMD_MAX - 1)

/* Attribute set "domain". */
enum pvisor_a_domain {
	PVISOR_A_DOMAIN_UNSPEC,
	PVISOR_A_DOMAIN_ID,		/* u32 */
	PVISOR_A_DOMAIN_NAME,		/* NUL-terminated string */
	PVISOR_A_DOMAIN_MEMORY,		/* u64, bytes, a multiple of 4096 */
	PVISOR_A_DOMAIN_VCPUS,		/* u32, 1..PVISOR_MAX_VCPUS */
	PVISOR_A_DOMAIN_STATE,		/* u32, enum pvisor_domain_state */
	PVISOR_A_DOMAIN_FRAMES,		/* u64, frames the domain owns now */
	PVISOR_A_DOMAIN_PAD,		/* padding for 64-bit attributes */
	PVISOR_A_DOMAIN_SHUTDOWN_REASON,	/* u32, PVISOR_SHUTDOWN_* */
	PVISOR_A_DOMAIN_CRASH_REASON,	/* string: why the domain crashed */
	PVISOR_A_DOMAIN_CONSOLE_OFFSET,	/* u64: console log position */
	PVISOR_A_DOMAIN_CONSOLE_DATA,	/* binary: console bytes from OFFSET */
	PVISOR_A_DOMAIN_PORT,		/* u32: an event-channel port of ID */
	PVISOR_A_DOMAIN_PEER_ID,	/* u32: the other domain */
	PVISOR_A_DOMAIN_PEER_PORT,	/* u32: its port */
	PVISOR_A_DOMAIN_VCPU,		/* u32: a vCPU id */
	PVISOR_A_DOMAIN_VCPU_STATE,	/* u32, enum pvisor_vcpu_state */
	PVISOR_A_DOMAIN_CPU_TIME_NS,	/* u64: host CPU time a vCPU used */
	PVISOR_A_DOMAIN_EVTCHN_STATE,	/* u32: PVISOR_EVTCHNSTAT_* */
	PVISOR_A_DOMAIN_VIRQ,		/* u32: PVISOR_VIRQ_* of a virq port */
	PVISOR_A_DOMAIN_PENDING,	/* u8: 1 if the port is pending */
	PVISOR_A_DOMAIN_MASKED,		/* u8: 1 if the port is masked */
	PVISOR_A_DOMAIN_CONTEXTS,	/* u32: user contexts it has now */
	PVISOR_A_DOMAIN_MAX_CONTEXTS,	/* u32: its limit, fixed at creation */
	PVISOR_A_DOMAIN_MAX_FRAMES,	/* u64: the most it may own (MEMORY) */
	PVISOR_A_DOMAIN_CONSOLE_WRITTEN,	/* u32: input bytes queued */
	PVISOR_A_DOMAIN_STORE_PFN,	/* u64: its xenstore ring's frame */
	PVISOR_A_DOMAIN_STORE_PORT,	/* u32: the guest's port for it */
	PVISOR_A_DOMAIN_HYPERCALLS,	/* u64: hypercalls it made */
	PVISOR_A_DOMAIN_EVENTS_SENT,	/* u64: event-channel sends it made */
	PVISOR_A_DOMAIN_EVENTS_DELIVERED, /* u64: ports made pending in it */
	PVISOR_A_DOMAIN_FAULTS,		/* u64: window faults handled for it */
	__PVISOR_A_DOMAIN_MAX
};
#define PVISOR_A_DOMAIN_MAX (__PVISOR_A_DOMAIN_MAX - 1)

/* Attribute set "info", the reply to PVISOR_CMD_INFO_GET. */
enum pvisor_a_info {
	PVISOR_A_INFO_UNSPEC,
	PVISOR_A_INFO_ABI_VERSION,	/* u32, PVISOR_ABI_VERSION */
	PVISOR_A_INFO_DOMAINS,		/* u32, domains that exist */
	PVISOR_A_INFO_MAX_DOMAINS,	/* u32, module parameter max_domains */
	PVISOR_A_INFO_FRAMES_USED,	/* u64, frames owned by all domains */
	PVISOR_A_INFO_FRAMES_LIMIT,	/* u64, module parameter, in frames */
	PVISOR_A_INFO_MAX_VCPUS,	/* u32, PVISOR_MAX_VCPUS */
	PVISOR_A_INFO_PAD,
	PVISOR_A_INFO_MAX_CONTEXTS,	/* u32, module parameter max_contexts */
	PVISOR_A_INFO_CONTEXTS,		/* u32, user contexts of all domains */
	__PVISOR_A_INFO_MAX
};
#define PVISOR_A_INFO_MAX (__PVISOR_A_INFO_MAX - 1)

#endif /* _UAPI_PVISOR_NETLINK_H */
