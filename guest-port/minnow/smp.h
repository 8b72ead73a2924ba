/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Secondary vCPUs: bringing them up (vcpu_op INITIALISE and UP), giving
 * them work, IPIs, and taking them down and up again.
 *
 * A secondary starts at secondary_entry (head.S) on a stack of its own
 * from the page allocator, labelled with its per-CPU area (cpu.h), with
 * its vCPU id in rdi. It installs its own trap table and event callback
 * (both per vCPU in the module), binds its VIRQ_TIMER, says it is online
 * with an IPI to vCPU 0 and idles: it blocks until smp_call() hands it a
 * function, runs it, and IPIs the caller when it is done.
 *
 * Every vCPU has one IPI port (EVTCHNOP_BIND_IPI, bound by the vCPU that
 * starts it). An IPI only wakes its target and counts; what it means is
 * in the shared memory the sender wrote first.
 */
#ifndef MINNOW_SMP_H
#define MINNOW_SMP_H

#include <pvisor/hypercall.h>

#include "cpu.h"
#include "hypercall.h"
#include "lib.h"

/* How long smp_start() waits for a secondary to say it is online. */
#define SMP_START_TIMEOUT_NS	(5ULL * 1000 * 1000 * 1000)

static inline long hv_vcpu_op(u32 cmd, u32 vcpu, void *arg)
{
	return hypercall3(PVISOR_HC_VCPU_OP, cmd, vcpu, arg);
}

/*
 * Bring vCPUs 1 .. @n - 1 up (those not up already) and wait until each
 * is online. Call on vCPU 0 after events_init() and time_init(). Returns
 * the number of CPUs online, or a negative errno: -EINVAL (@n beyond
 * start_info's nr_vcpus), -ENOMEM (no stack), -ETIMEDOUT, or vcpu_op's
 * and the event-channel calls' errors.
 */
long smp_start(unsigned int n);

/* How many CPUs are online (vCPU 0 included). */
unsigned int smp_num_online(void);

/* Is @cpu online (brought up by smp_start())? */
bool smp_cpu_online(unsigned int cpu);

/* Notify @cpu's IPI port. Returns 0 or a negative errno. */
long smp_send_ipi(unsigned int cpu);

/*
 * Have online secondary @cpu run @fn(@arg) from its idle loop; when it
 * returns, the CPU counts it in calls_done and IPIs the caller. Returns
 * 0, -EINVAL (not an online secondary) or -EBUSY (still busy with the
 * last one).
 */
long smp_call(unsigned int cpu, void (*fn)(void *arg), void *arg);

/*
 * vcpu_op DOWN and UP on @cpu. Take down only yourself or a CPU that
 * idles: a CPU stops wherever the module's kick finds it, locks held
 * included, and goes on from there when it is up again.
 */
long smp_cpu_down(unsigned int cpu);
long smp_cpu_up(unsigned int cpu);

/* vcpu_op IS_UP: 1, 0, or a negative errno. */
long smp_cpu_is_up(unsigned int cpu);

/* Called by head.S only. */
void secondary_start(u64 id) __attribute__((noreturn));

#endif /* MINNOW_SMP_H */
