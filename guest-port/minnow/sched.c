// SPDX-License-Identifier: GPL-2.0
/*
 * The thread scheduler. sched.h tells how a thread stops and resumes;
 * this file keeps the lists and makes the choices.
 *
 * Everything here belongs to vCPU 0 and is changed with its upcalls
 * masked: the tick and exit hooks run inside the event callback (mask
 * set), and the voluntary switches mask before they touch anything. A
 * thread is on at most one list, through its next pointer: the run
 * queue (FIFO; woken sleepers go to the front, in deadline order) or
 * the sleepers (sorted by deadline, the earliest armed on the one-shot
 * timer).
 */

#include <linux/errno.h>
#include <pvisor/event.h>
#include <pvisor/hypercall.h>

#include "console.h"
#include "cpu.h"
#include "events.h"
#include "mm.h"
#include "sched.h"
#include "smp.h"
#include "time.h"

_Static_assert(__builtin_offsetof(struct pvisor_trap_frame, r15) ==
	       FRAME_R15, "FRAME_R15");
_Static_assert(__builtin_offsetof(struct pvisor_trap_frame, r12) ==
	       FRAME_R12, "FRAME_R12");
_Static_assert(__builtin_offsetof(struct pvisor_trap_frame, rbp) ==
	       FRAME_RBP, "FRAME_RBP");
_Static_assert(__builtin_offsetof(struct pvisor_trap_frame, rbx) ==
	       FRAME_RBX, "FRAME_RBX");
_Static_assert(__builtin_offsetof(struct pvisor_trap_frame, rax) ==
	       FRAME_RAX, "FRAME_RAX");
_Static_assert(__builtin_offsetof(struct pvisor_trap_frame, rip) ==
	       FRAME_RIP, "FRAME_RIP");
_Static_assert(__builtin_offsetof(struct pvisor_trap_frame, rflags) ==
	       FRAME_RFLAGS, "FRAME_RFLAGS");
_Static_assert(__builtin_offsetof(struct pvisor_trap_frame, rsp) ==
	       FRAME_RSP, "FRAME_RSP");
_Static_assert(sizeof(struct pvisor_trap_frame) == FRAME_SIZE, "FRAME_SIZE");

/* A thread's struct sits above the label at the bottom of its stack. */
struct stack_bottom {
	struct stack_head head;
	struct thread thread;
};

static struct thread boot_thread;
static struct thread *runq_head, *runq_tail, *sleepers;
static bool need_resched;
static u32 next_id = 1;
static unsigned int nr_threads;
static u64 nr_ticks, nr_switches, nr_preemptions;

static struct cpu *sched_cpu(void)
{
	struct cpu *c = this_cpu();

	return c->current ? c : NULL;
}

static void runq_add_tail(struct thread *t)
{
	t->state = THREAD_RUNNABLE;
	t->next = NULL;
	if (runq_tail)
		runq_tail->next = t;
	else
		runq_head = t;
	runq_tail = t;
}

/* Put the chain @first..@last (linked through next) in front, in order. */
static void runq_add_head(struct thread *first, struct thread *last)
{
	struct thread *t;

	for (t = first; t != last; t = t->next)
		t->state = THREAD_RUNNABLE;
	last->state = THREAD_RUNNABLE;
	last->next = runq_head;
	runq_head = first;
	if (!runq_tail)
		runq_tail = last;
}

static struct thread *runq_pop(void)
{
	struct thread *t = runq_head;

	if (t) {
		runq_head = t->next;
		if (!runq_head)
			runq_tail = NULL;
		t->next = NULL;
	}
	return t;
}

static void sleepers_add(struct thread *t)
{
	struct thread **p = &sleepers;

	while (*p && (*p)->deadline <= t->deadline)
		p = &(*p)->next;
	t->next = *p;
	*p = t;
}

/*
 * Wake every sleeper whose deadline has passed; arm the timer for the rest.
 * The woken are the head of the sorted list: they go to the front of the
 * run queue as they are, so that sleepers woken by one late tick still run
 * in deadline order.
 */
static void wake_sleepers(u64 now)
{
	struct thread *first = sleepers, *last = NULL;

	while (sleepers && sleepers->deadline <= now) {
		last = sleepers;
		sleepers = last->next;
	}
	if (last) {
		runq_add_head(first, last);
		need_resched = true;
	}
	if (sleepers)
		hv_set_timer_op(sleepers->deadline);
}

/*
 * Keep @frame as the current thread's context and pick the next thread:
 * the head of the run queue, else the idle thread. A running thread goes
 * to the back of the queue (the idle thread to no queue); a sleeping,
 * blocked or dead one is already where it belongs. Mask set.
 */
static struct pvisor_trap_frame *switch_from(struct cpu *c,
					     struct pvisor_trap_frame *frame)
{
	struct thread *prev = c->current, *next;

	prev->frame = frame;
	if (prev->state == THREAD_RUNNING) {
		if (prev == c->idle)
			prev->state = THREAD_RUNNABLE;
		else
			runq_add_tail(prev);
	}
	next = runq_pop();
	if (!next)
		next = c->idle;
	need_resched = false;
	next->state = THREAD_RUNNING;
	if (next != prev) {
		next->slice_start = monotonic_ns();
		next->runs++;
		nr_switches++;
	}
	c->current = next;
	return next->frame;
}

struct pvisor_trap_frame *sched_switch_frame(struct pvisor_trap_frame *f)
{
	return switch_from(this_cpu(), f);
}

/* The exit hook: the end of every upcall on any vCPU. */
static struct pvisor_trap_frame *sched_exit(struct pvisor_trap_frame *frame)
{
	struct cpu *c = sched_cpu();

	if (!c || !need_resched)
		return frame;
	nr_preemptions++;
	return switch_from(c, frame);
}

/* The tick hook: every VIRQ_TIMER that arrives through an upcall. */
static void sched_tick(struct pvisor_trap_frame *frame)
{
	struct cpu *c = sched_cpu();
	u64 now;

	(void)frame;
	if (!c)
		return;
	nr_ticks++;
	now = monotonic_ns();
	wake_sleepers(now);
	if (runq_head && (c->current == c->idle ||
			  now - c->current->slice_start >= SCHED_SLICE_NS))
		need_resched = true;
}

static void __attribute__((noreturn)) thread_start(struct thread *t)
{
	t->fn(t->arg);
	thread_exit();
}

/*
 * A thread on a fresh labelled stack whose context is a frame that
 * enters thread_start(t) as if called: rsp 8 below a 16-byte boundary,
 * a zero return address there. Not on any list yet.
 */
static struct thread *new_thread(void (*fn)(void *arg), void *arg)
{
	struct pvisor_trap_frame *f;
	struct stack_bottom *b;
	struct thread *t;
	u64 pfn, top;

	pfn = alloc_pages_aligned(STACK_PAGES);
	if (pfn == MM_NO_PAGE)
		return NULL;
	b = pfn_to_virt(pfn);
	t = &b->thread;
	stack_label(b, this_cpu(), t);
	top = (u64)b + STACK_SIZE;
	*(u64 *)(top - 8) = 0;
	f = (struct pvisor_trap_frame *)((top - 16 - sizeof(*f)) & ~15ULL);
	f->vector = SCHED_SWITCH_VECTOR;
	f->rip = (u64)thread_start;
	f->rdi = (u64)t;
	f->rsp = top - 8;
	t->frame = f;
	t->fn = fn;
	t->arg = arg;
	t->stack_pfn = pfn;
	t->state = THREAD_RUNNABLE;
	return t;
}

static void free_thread(struct thread *t)
{
	u64 pfn = t->stack_pfn;
	unsigned int i;

	for (i = 0; i < STACK_PAGES; i++)
		free_page_pfn(pfn + i);
}

static void idle_loop(void *arg)
{
	(void)arg;
	for (;;) {
		/* Xen's idiom: mask, check, block; a wake-up cannot slip in. */
		local_irq_disable();
		if (runq_head)
			sched_switch();
		else
			block_domain();
	}
}

long sched_init(u64 tick_ns)
{
	struct pvisor_vcpu_timer period = { .ns = tick_ns };
	struct cpu *c = this_cpu();
	struct thread *idle;
	long ret;

	if (c->id != 0)
		return -EINVAL;
	if (c->current)
		return -EBUSY;
	idle = new_thread(idle_loop, NULL);
	if (!idle)
		return -ENOMEM;
	ret = hv_vcpu_op(PVISOR_VCPUOP_SET_PERIODIC_TIMER, c->id, &period);
	if (ret) {
		free_thread(idle);
		return ret;
	}
	local_irq_disable();
	boot_thread.state = THREAD_RUNNING;
	boot_thread.stack_pfn = MM_NO_PAGE;
	boot_thread.slice_start = monotonic_ns();
	boot_thread.runs = 1;
	idle->id = next_id++;
	c->idle = idle;
	c->current = &boot_thread;
	nr_threads = 2;
	time_set_tick_hook(sched_tick);
	events_set_exit_hook(sched_exit);
	local_irq_enable();
	return 0;
}

struct thread *thread_self(void)
{
	struct cpu *c = sched_cpu();

	return c ? c->current : NULL;
}

struct thread *thread_create(void (*fn)(void *arg), void *arg)
{
	unsigned long flags;
	struct thread *t;

	if (!fn || !sched_cpu())
		return NULL;
	t = new_thread(fn, arg);
	if (!t)
		return NULL;
	flags = local_irq_save();
	t->id = next_id++;
	nr_threads++;
	runq_add_tail(t);
	local_irq_restore(flags);
	return t;
}

void thread_yield(void)
{
	local_irq_disable();
	if (runq_head && sched_cpu())
		sched_switch();
	else
		local_irq_enable();
}

void thread_sleep_until(u64 deadline)
{
	struct cpu *c;

	for (;;) {
		local_irq_disable();
		c = sched_cpu();
		if (!c) {
			/* No scheduler here: sleep the whole vCPU. */
			local_irq_enable();
			sleep_until(deadline);
			return;
		}
		if (monotonic_ns() >= deadline) {
			local_irq_enable();
			return;
		}
		c->current->deadline = deadline;
		c->current->state = THREAD_SLEEPING;
		sleepers_add(c->current);
		if (sleepers == c->current)
			hv_set_timer_op(deadline);
		sched_switch();
	}
}

void thread_sleep_ns(u64 ns)
{
	thread_sleep_until(monotonic_ns() + ns);
}

void thread_exit(void)
{
	struct cpu *c;

	local_irq_disable();
	c = sched_cpu();
	if (!c || c->current == c->idle) {
		printk("minnow: thread_exit outside a thread\n");
		minnow_shutdown(PVISOR_SHUTDOWN_CRASH);
	}
	c->current->state = THREAD_DEAD;
	if (c->current->joiner)
		runq_add_tail(c->current->joiner);
	sched_switch();
	/* Nobody resumes a dead thread's frame. */
	printk("minnow: a dead thread ran again\n");
	minnow_shutdown(PVISOR_SHUTDOWN_CRASH);
}

long thread_join(struct thread *t)
{
	struct cpu *c;

	for (;;) {
		local_irq_disable();
		c = sched_cpu();
		if (!c || !t || t == c->current || t == c->idle ||
		    t == &boot_thread) {
			local_irq_enable();
			return -EINVAL;
		}
		if (t->state == THREAD_DEAD)
			break;
		if (t->joiner && t->joiner != c->current) {
			local_irq_enable();
			return -EBUSY;
		}
		t->joiner = c->current;
		c->current->state = THREAD_BLOCKED;
		sched_switch();
	}
	/* It switched away for good: nothing runs on its stack any more. */
	nr_threads--;
	local_irq_enable();
	free_thread(t);
	return 0;
}

u64 sched_ticks(void)
{
	return nr_ticks;
}

u64 sched_switches(void)
{
	return nr_switches;
}

u64 sched_preemptions(void)
{
	return nr_preemptions;
}

unsigned int sched_nr_threads(void)
{
	return nr_threads;
}
