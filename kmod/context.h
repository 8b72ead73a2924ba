/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_CONTEXT_H
#define PVISOR_CONTEXT_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/task_work.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/xarray.h>
#include <pvisor/context.h>

struct file;
struct mm_struct;
struct pid;
struct pvisor_domain;
struct pvisor_hc_args;
struct pvisor_runner;
struct pvisor_vcpu;
struct vm_area_struct;

/* Where a context thread is (Documentation/guest-processes.rst). */
enum pvisor_ctx_thread_state {
	CTX_THREAD_UNBOUND,	/* no host thread yet */
	CTX_THREAD_STARTING,	/* bound, not yet parked */
	CTX_THREAD_PARKED,	/* in the module, waiting for RUN_USER */
	CTX_THREAD_RUNNING,	/* running guest user code */
};

/* Why a parked thread last stopped: what RUN_USER hands the guest. */
struct pvisor_ctx_exit {
	u32 reason;			/* PVISOR_EXIT_*; 0 for the first park */
	u32 vector;
	u64 error_code;
	u64 address;
	u32 syscall_arch;
	u32 host_signo;
};

/*
 * One thread of a context process: vCPU @vcpu runs the context through
 * it. state, regs and exit are written under the context's lock; the
 * runner thread (RUN_USER) and the context thread hand the vCPU to each
 * other with them (user_run.c).
 */
struct pvisor_ctx_thread {
	struct pvisor_context *ctx;
	u32 vcpu;
	u32 state;			/* enum pvisor_ctx_thread_state */
	struct task_struct *task;	/* a reference, once bound */
	u64 ucontext;			/* the last report's frame */
	struct pvisor_user_regs regs;	/* at the exit; then to run */
	struct pvisor_ctx_exit exit;
	wait_queue_head_t wait;		/* the parked thread sleeps here */
	struct callback_head kick_work;	/* an event kick (user_run.c) */
	unsigned long kick_bits;	/* KICK_* (user_run.c) */
	u64 run_start_ns;		/* its CPU time when RUN_USER began */
	void *fpu;			/* its FPU image (context_fpu.c) */
	bool fpu_dirty;			/* FPU_SET wrote it: to be loaded */
	u64 fpstate;			/* the last report's frame's FPU state */
};

/*
 * A user context: a guest address space and the host process that runs
 * it. Lives from CTXOP_CREATE until the guest destroys it, the domain
 * does, or the process dies, whichever is last to let go: the domain's
 * table, the context fd (the process) and RUN_USER in flight each hold a
 * reference.
 */
struct pvisor_context {
	struct kref ref;
	struct pvisor_domain *dom;	/* a reference */
	u32 id;
	u64 pt_base_pfn;		/* READ_ONCE: the walk's top table */

	spinlock_t lock;		/* everything below */
	bool dead;			/* killed or gone: never runs again */
	bool ready;			/* every thread parked, filter on */
	bool has_file;			/* the factory took it */
	unsigned int nr_parked;		/* threads parked at least once */
	struct list_head pending;	/* on dom's factory queue */
	struct pid *pid;		/* the process's tgid, once bound */
	struct mm_struct *mm;		/* mmgrab()ed, once bound */
	wait_queue_head_t wait;		/* CREATE and CTX_READY sleep here */

	/* The window's shadow (context_window.c). */
	struct rw_semaphore zap_lock;	/* fills read, invalidations write */
	unsigned long pgtables_base;	/* mm page-table bytes at mmap */
	unsigned long resets;

	void *fpu_area;			/* the threads' FPU images */
	u32 fpu_size;			/* bytes of one */

	u32 nr_threads;
	struct pvisor_ctx_thread threads[];
};

/* The domain's factory and contexts (in struct pvisor_domain). */
struct pvisor_contexts {
	struct xarray ids;		/* id -> context, a reference each */
	spinlock_t lock;		/* the fields below */
	unsigned int nr;		/* in ids */
	unsigned int max;		/* max_contexts at creation */
	struct pid *factory;		/* the factory process, or NULL */
	bool factory_attached;		/* once, for good */
	bool factory_gone;		/* its fd closed, or the domain dying */
	struct list_head pending;	/* contexts waiting for a process */
	wait_queue_head_t factory_wait;	/* FACTORY_WAIT sleeps here */
};

/* context.c */
void pvisor_contexts_init(struct pvisor_contexts *cs, unsigned int max);
void pvisor_contexts_kill_all(struct pvisor_domain *dom);
unsigned int pvisor_contexts_count(struct pvisor_domain *dom);
unsigned int pvisor_contexts_total(void);
unsigned int pvisor_max_contexts(void);
int pvisor_factory_attach(const void __user *uarg);
long pvisor_hc_context_op(struct pvisor_runner *runner,
			  struct pvisor_vcpu *vcpu,
			  const struct pvisor_hc_args *args);
struct pvisor_context *pvisor_context_get(struct pvisor_domain *dom, u32 id);
void pvisor_context_put(struct pvisor_context *ctx);
void pvisor_context_kill(struct pvisor_context *ctx);
struct pvisor_ctx_thread *pvisor_context_current_thread(struct pvisor_context *ctx);

/* context_window.c */
int pvisor_ctx_window_mmap(struct pvisor_context *ctx,
			   struct vm_area_struct *vma);
void pvisor_ctx_window_flush(struct pvisor_context *ctx, u64 va, u64 len);

/* context_fpu.c */
u32 pvisor_ctx_fpu_size(void);
u64 pvisor_ctx_fpu_features(void);
int pvisor_ctx_fpu_alloc(struct pvisor_context *ctx);
void pvisor_ctx_fpu_free(struct pvisor_context *ctx);
void pvisor_ctx_fpu_reset(struct pvisor_ctx_thread *th);
bool pvisor_ctx_fpu_frame_ok(const struct pvisor_ctx_thread *th, u64 fp);
void pvisor_ctx_fpu_save_frame(struct pvisor_ctx_thread *th, u64 fp);
int pvisor_ctx_fpu_load_frame(struct pvisor_ctx_thread *th, u64 fp);
void pvisor_ctx_fpu_save_live(struct pvisor_ctx_thread *th);
int pvisor_ctx_fpu_load_live(struct pvisor_ctx_thread *th);
long pvisor_ctx_fpu_op(struct pvisor_domain *dom, bool set, u64 uarg);

/* user_run.c */
long pvisor_hc_run_user(struct pvisor_runner *runner, struct pvisor_vcpu *vcpu,
			const struct pvisor_hc_args *args);
long pvisor_ctx_trap(struct pvisor_context *ctx, u64 ucontext);
void pvisor_ctx_thread_init(struct pvisor_ctx_thread *th);
u64 pvisor_vcpu_user_time(struct pvisor_vcpu *vcpu);

#endif /* PVISOR_CONTEXT_H */
