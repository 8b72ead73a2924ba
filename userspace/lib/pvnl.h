/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvnl: a small library over libnl-genl-3 for the "pvisor" generic netlink
 * family. pvctl, pvisord and the selftests all talk to the module through
 * it. One struct pvnl per thread; it is not thread safe.
 *
 * Every call returns 0 or a negative errno. When the kernel attached an
 * extack message to an error, pvnl_error_msg() returns it until the next
 * call; otherwise it returns "".
 */
#ifndef PVNL_H
#define PVNL_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <netlink/msg.h>
#include <pvisor/netlink.h>

struct pvnl;

/* Longest crash reason kept; the module's may be cut to fit. */
#define PVNL_REASON_MAX	256

struct pvnl_domain {
	uint32_t id;
	char name[PVISOR_NAME_MAX];
	uint64_t memory;	/* bytes */
	uint32_t vcpus;
	uint32_t state;		/* enum pvisor_domain_state */
	uint64_t frames;
	/* PVISOR_SHUTDOWN_*, meaningful in PVISOR_DOMAIN_STATE_SHUTDOWN */
	uint32_t shutdown_reason;
	/* Why it crashed, in PVISOR_DOMAIN_STATE_CRASHED; else "". */
	char crash_reason[PVNL_REASON_MAX];
	uint32_t contexts;	/* user contexts it has now */
	uint32_t max_contexts;	/* its limit */
	uint64_t store_pfn;	/* its xenstore ring's frame */
	uint32_t store_port;	/* the guest's port for it; 0: no ring */
	/* Counters since creation, never reset (Documentation/control-plane.rst). */
	uint64_t cpu_time_ns;	/* host CPU time of all its vCPUs */
	uint64_t hypercalls;
	uint64_t events_sent;
	uint64_t events_delivered;
	uint64_t faults;	/* window faults the module handled */
};

/* One vCPU of a domain, from PVISOR_CMD_VCPU_GET. */
struct pvnl_vcpu {
	uint32_t domid;
	uint32_t vcpu;
	uint32_t state;		/* enum pvisor_vcpu_state */
	uint64_t cpu_time_ns;	/* host CPU time its thread used */
};

/* One open event-channel port of a domain, from PVISOR_CMD_EVTCHN_GET. */
struct pvnl_evtchn {
	uint32_t domid;
	uint32_t port;
	uint32_t state;		/* PVISOR_EVTCHNSTAT_* */
	uint32_t vcpu;		/* the vCPU it notifies */
	uint32_t peer_id;	/* unbound: who may bind; interdomain: peer */
	uint32_t peer_port;	/* interdomain */
	uint32_t virq;		/* virq */
	uint8_t pending;	/* 1 or 0: its evtchn_pending bit */
	uint8_t masked;		/* 1 or 0: its evtchn_mask bit */
};

struct pvnl_info {
	uint32_t abi_version;
	uint32_t domains;
	uint32_t max_domains;
	uint64_t frames_used;
	uint64_t frames_limit;
	uint32_t max_vcpus;
	uint32_t max_contexts;	/* per domain, for new domains */
	uint32_t contexts;	/* of all domains */
};

/*
 * Connect and resolve the family. Returns NULL with errno set: ENOENT when
 * the family is not registered (the module is not loaded).
 */
struct pvnl *pvnl_open(void);
void pvnl_close(struct pvnl *nl);

/* The kernel's extack message for the last failed call, or "". */
const char *pvnl_error_msg(const struct pvnl *nl);

/* vcpus == 0 leaves the attribute out (the module's default, 1). */
int pvnl_domain_new(struct pvnl *nl, const char *name, uint64_t memory,
		    uint32_t vcpus, struct pvnl_domain *out);

/* Name a domain by id (0: leave out) and/or name (NULL: leave out). */
int pvnl_domain_del(struct pvnl *nl, uint32_t id, const char *name);
int pvnl_domain_pause(struct pvnl *nl, uint32_t id, const char *name);
int pvnl_domain_unpause(struct pvnl *nl, uint32_t id, const char *name);
/* Stop a running or paused domain as shut down: PVISOR_SHUTDOWN_POWEROFF
 * or _REBOOT. Until event channels exist the guest is not asked first. */
int pvnl_domain_shutdown(struct pvnl *nl, uint32_t id, const char *name,
			 uint32_t reason);
int pvnl_domain_get(struct pvnl *nl, uint32_t id, const char *name,
		    struct pvnl_domain *out);

/*
 * Dump every domain, calling fn once per domain in id order; a non-zero
 * return from fn stops the walk and is returned. *interrupted (may be NULL)
 * is set when the kernel flagged the dump NLM_F_DUMP_INTR.
 */
int pvnl_domain_dump(struct pvnl *nl,
		     int (*fn)(const struct pvnl_domain *dom, void *arg),
		     void *arg, int *interrupted);

int pvnl_info_get(struct pvnl *nl, struct pvnl_info *out);

/*
 * List one domain's vCPUs (in id order) or open event-channel ports (in
 * port order), named by id (0: leave out) and/or name (NULL: leave out),
 * calling fn once for each; a non-zero return from fn stops the walk and
 * is returned. The module takes the whole listing at once, so it is
 * consistent however many messages carry it.
 */
int pvnl_vcpu_dump(struct pvnl *nl, uint32_t id, const char *name,
		   int (*fn)(const struct pvnl_vcpu *vcpu, void *arg),
		   void *arg);
int pvnl_evtchn_dump(struct pvnl *nl, uint32_t id, const char *name,
		     int (*fn)(const struct pvnl_evtchn *chn, void *arg),
		     void *arg);

/* "offline", "running", "blocked", "paused", "stopped"; else "unknown". */
const char *pvnl_vcpu_state_name(uint32_t state);

/* "unbound", "interdomain", "virq", "ipi", "closed"; else "unknown". */
const char *pvnl_evtchn_state_name(uint32_t state);

/*
 * Connect domains @id and @peer_id (0: leave the attribute out) by an
 * interdomain event channel; the new ports come back in *@port (of @id)
 * and *@peer_port.
 */
int pvnl_evtchn_bind(struct pvnl *nl, uint32_t id, uint32_t peer_id,
		     uint32_t *port, uint32_t *peer_port);

/*
 * Read a domain's console log from @offset: up to @buflen bytes into
 * @buf. Returns the number of bytes read (0: nothing new) or a negative
 * errno. *@next_offset is where to continue. When the module's ring had
 * already overwritten @offset, the bytes start later: *@lost (may be
 * NULL) says how many were skipped.
 */
ssize_t pvnl_console_read(struct pvnl *nl, uint32_t id, const char *name,
			  uint64_t offset, void *buf, size_t buflen,
			  uint64_t *next_offset, uint64_t *lost);

/*
 * Queue @len bytes (at most 4096) of console input for a domain. Returns
 * how many the module took (0 when its input buffer is full: send them
 * again later) or a negative errno (-EPIPE: the domain has stopped).
 */
ssize_t pvnl_console_write(struct pvnl *nl, uint32_t id, const char *name,
			   const void *buf, size_t len);

/*
 * Human-readable state name ("created", "running", "shutdown",
 * "crashed"), "unknown" otherwise.
 */
const char *pvnl_state_name(uint32_t state);

/* "poweroff", "reboot", "crash"; NULL for a reason pvnl does not know. */
const char *pvnl_shutdown_reason_name(uint32_t reason);

/*
 * Raw access, for tests that craft malformed requests: a new request for
 * cmd with the family header filled in, and a send that waits for the
 * kernel's ack (replies other than the ack are discarded).
 */
struct nl_msg *pvnl_msg_new(struct pvnl *nl, uint8_t cmd, int flags);
int pvnl_send_and_ack(struct pvnl *nl, struct nl_msg *msg);

/* The underlying socket and resolved family id / multicast group id. */
struct nl_sock *pvnl_socket(struct pvnl *nl);
int pvnl_family_id(const struct pvnl *nl);
int pvnl_mcgrp_id(const struct pvnl *nl, const char *group);

#endif /* PVNL_H */
