// SPDX-License-Identifier: GPL-2.0
/*
 * Secondary vCPUs and the per-CPU areas. See smp.h for a secondary's life
 * and cpu.h for how code finds its CPU.
 */

#include <linux/errno.h>
#include <pvisor/hypercall.h>

#include "console.h"
#include "cpu.h"
#include "events.h"
#include "mm.h"
#include "smp.h"
#include "time.h"
#include "traps.h"

/*
 * Where a secondary starts: the module enters with rsp at the top of the
 * labelled stack smp_start() gave it (16-byte aligned) and its vCPU id in
 * rdi, every other register zero.
 */
asm(".pushsection .text, \"ax\"\n"
    ".globl secondary_entry\n"
    ".type secondary_entry, @function\n"
    "secondary_entry:\n"
    "	xor %ebp, %ebp\n"
    "	movabs $secondary_start, %rax\n"
    "	call *%rax\n"
    "1:	jmp 1b\n"
    ".size secondary_entry, . - secondary_entry\n"
    ".popsection\n");

extern char secondary_entry[];

static volatile u32 nr_online = 1;

static void ipi_event(u32 port, struct pvisor_trap_frame *frame, void *data)
{
	struct cpu *c = data;

	(void)port;
	(void)frame;
	__atomic_add_fetch(&c->ipis, 1, __ATOMIC_RELAXED);
}

/* An IPI port notifying @c, with the counting handler. */
static long bind_ipi(struct cpu *c)
{
	u32 port;
	long ret;

	if (c->ipi_port)
		return 0;
	ret = evtchn_bind_ipi(c->id, &port);
	if (ret)
		return ret;
	ret = bind_evtchn(port, ipi_event, c);
	if (ret) {
		evtchn_close(port);
		return ret;
	}
	c->ipi_port = port;
	return 0;
}

long smp_send_ipi(unsigned int cpu)
{
	if (cpu >= MINNOW_MAX_CPUS || !cpus[cpu].ipi_port)
		return -EINVAL;
	return evtchn_send(cpus[cpu].ipi_port);
}

unsigned int smp_num_online(void)
{
	return nr_online;
}

bool smp_cpu_online(unsigned int cpu)
{
	return cpu < MINNOW_MAX_CPUS && cpus[cpu].online;
}

static long start_cpu(struct cpu *c)
{
	struct pvisor_vcpu_start start;
	u64 pfn;
	long ret;

	ret = bind_ipi(c);
	if (ret)
		return ret;
	pfn = alloc_pages_aligned(STACK_PAGES);
	if (pfn == MM_NO_PAGE)
		return -ENOMEM;
	stack_label(pfn_to_virt(pfn), c, NULL);
	/* Every vCPU runs on the one top table: the host has one. */
	start = (struct pvisor_vcpu_start){
		.rip = (u64)secondary_entry,
		.rsp = (u64)pfn_to_virt(pfn) + STACK_SIZE,
		.rdi = c->id,
		.pt_base_pfn = mm_top_pfn(),
	};
	ret = hv_vcpu_op(PVISOR_VCPUOP_INITIALISE, c->id, &start);
	if (!ret)
		ret = hv_vcpu_op(PVISOR_VCPUOP_UP, c->id, NULL);
	if (ret) {
		for (unsigned int i = 0; i < STACK_PAGES; i++)
			free_page_pfn(pfn + i);
	}
	return ret;
}

/* Wait, with the Xen idiom, until @n CPUs are online or time is up. */
static long wait_online(unsigned int n)
{
	u64 deadline = monotonic_ns() + SMP_START_TIMEOUT_NS;

	for (;;) {
		local_irq_disable();
		if (nr_online >= n) {
			local_irq_enable();
			return 0;
		}
		if (monotonic_ns() >= deadline) {
			local_irq_enable();
			return -ETIMEDOUT;
		}
		hv_set_timer_op(deadline);
		block_domain();
	}
}

long smp_start(unsigned int n)
{
	unsigned int i;
	long ret;

	if (!n || n > start_info->nr_vcpus || n > MINNOW_MAX_CPUS ||
	    smp_processor_id() != 0)
		return -EINVAL;
	ret = bind_ipi(&cpus[0]);
	if (ret)
		return ret;
	for (i = 1; i < n; i++) {
		if (cpus[i].online)
			continue;
		cpus[i].id = i;
		ret = start_cpu(&cpus[i]);
		if (ret)
			return ret;
	}
	ret = wait_online(n);
	return ret ? ret : (long)nr_online;
}

long smp_call(unsigned int cpu, void (*fn)(void *arg), void *arg)
{
	struct cpu *c;

	if (!cpu || !smp_cpu_online(cpu) || !fn)
		return -EINVAL;
	c = &cpus[cpu];
	if (c->call_fn)
		return -EBUSY;
	c->call_arg = arg;
	__atomic_store_n(&c->call_fn, fn, __ATOMIC_RELEASE);
	return smp_send_ipi(cpu);
}

long smp_cpu_down(unsigned int cpu)
{
	return hv_vcpu_op(PVISOR_VCPUOP_DOWN, cpu, NULL);
}

long smp_cpu_up(unsigned int cpu)
{
	return hv_vcpu_op(PVISOR_VCPUOP_UP, cpu, NULL);
}

long smp_cpu_is_up(unsigned int cpu)
{
	return hv_vcpu_op(PVISOR_VCPUOP_IS_UP, cpu, NULL);
}

/*
 * A secondary's idle loop: look for work with events masked, block if
 * there is none (the IPI that brings work makes the block return), run
 * it with events enabled, and tell vCPU 0.
 */
static void __attribute__((noreturn)) secondary_idle(struct cpu *c)
{
	for (;;) {
		void (*fn)(void *arg);

		local_irq_disable();
		fn = __atomic_load_n(&c->call_fn, __ATOMIC_ACQUIRE);
		if (!fn) {
			block_domain();
			continue;
		}
		local_irq_enable();
		fn(c->call_arg);
		__atomic_add_fetch(&c->calls_done, 1, __ATOMIC_RELEASE);
		__atomic_store_n(&c->call_fn, NULL, __ATOMIC_RELEASE);
		smp_send_ipi(0);
	}
}

void secondary_start(u64 id)
{
	struct stack_head *h = current_stack_head();
	struct cpu *c = h->cpu;

	/* The label smp_start() wrote must be this CPU's, or all is lost. */
	if (h->magic != STACK_MAGIC || !c || c->id != id)
		minnow_shutdown(PVISOR_SHUTDOWN_CRASH);
	if (trap_init() || events_init_cpu() || time_init()) {
		printk("minnow: cpu %u: cannot set up traps, events or "
		       "the timer\n", c->id);
		minnow_shutdown(PVISOR_SHUTDOWN_CRASH);
	}
	__atomic_store_n(&c->online, 1, __ATOMIC_RELEASE);
	__atomic_add_fetch(&nr_online, 1, __ATOMIC_RELEASE);
	smp_send_ipi(0);
	secondary_idle(c);
}
