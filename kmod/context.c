// SPDX-License-Identifier: GPL-2.0
/*
 * User contexts: their life, the factory that gives them processes, and
 * the context fd those processes hold (Documentation/guest-processes.rst).
 *
 * The life of one context. The guest kernel asks for it (CTXOP_CREATE):
 * we allocate it with an id, queue it for the domain's factory and wait.
 * The factory's FACTORY_WAIT takes it off the queue and returns a new
 * context fd for it; the factory forks, and the child binds itself and
 * one thread per vCPU to the context (CTX_THREAD), maps the trampoline,
 * parks every thread but vCPU 0's (their first trap report), and vCPU
 * 0's thread jumps into the trampoline's start code: the factory's
 * memory goes, the user window comes, the filter goes on, and it parks
 * too. Then the context is ready and CREATE returns its id. RUN_USER
 * (user_run.c) runs it from then on. It dies when the guest destroys it,
 * when the domain dies or loses its runner, or when its process dies
 * (the context fd's release): each of these kills the process and wakes
 * everyone waiting for it, so that nothing waits for a dead context.
 *
 * Limits. A domain has at most max_contexts contexts (a module parameter,
 * fixed for a domain at its creation): CREATE past it fails with ENOSPC,
 * so a fork bomb in the guest costs the host at most that many
 * processes, each bounded like the runner (its shadow's page tables have
 * the runner window's allowance, context_window.c).
 *
 * Locking: the domain's contexts.lock (a spinlock) protects the count,
 * the factory fields and the pending queue; a context's lock its state
 * and its threads' (user_run.c). contexts.lock is never taken under a
 * context's lock. The id table is an xarray with its own lock; lookups
 * take a reference under RCU.
 */

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>
#include <pvisor/context.h>
#include <pvisor/device.h>
#include <pvisor/hypercall.h>

#include "compat.h"
#include "context.h"
#include "domain.h"
#include "guest_addr.h"
#include "hypercall.h"
#include "runner.h"
#include "trampoline.h"

/* A context process is ready in milliseconds; this long means it hangs. */
#define CREATE_TIMEOUT		(10 * HZ)

static unsigned int max_contexts = 64;
module_param(max_contexts, uint, 0444);
MODULE_PARM_DESC(max_contexts, "Most user contexts (guest address spaces) a domain may have at once (default 64)");

/* Contexts of all domains, counted with each domain's nr. */
static atomic_t contexts_total = ATOMIC_INIT(0);

/** pvisor_contexts_total() - contexts all domains have now */
unsigned int pvisor_contexts_total(void)
{
	return atomic_read(&contexts_total);
}

/** pvisor_max_contexts() - the module parameter, for new domains */
unsigned int pvisor_max_contexts(void)
{
	return READ_ONCE(max_contexts);
}

/**
 * pvisor_contexts_init() - a new domain's empty context table
 * @cs: the domain's
 * @max: its limit
 */
void pvisor_contexts_init(struct pvisor_contexts *cs, unsigned int max)
{
	xa_init_flags(&cs->ids, XA_FLAGS_ALLOC1);
	spin_lock_init(&cs->lock);
	INIT_LIST_HEAD(&cs->pending);
	init_waitqueue_head(&cs->factory_wait);
	cs->max = max;
}

/** pvisor_contexts_count() - contexts the domain has now */
unsigned int pvisor_contexts_count(struct pvisor_domain *dom)
{
	return READ_ONCE(dom->contexts.nr);
}

static void context_release(struct kref *ref)
{
	struct pvisor_context *ctx = container_of(ref, struct pvisor_context, ref);
	unsigned int i;

	for (i = 0; i < ctx->nr_threads; i++)
		if (ctx->threads[i].task)
			put_task_struct(ctx->threads[i].task);
	put_pid(ctx->pid);
	if (ctx->mm)
		mmdrop(ctx->mm);
	pvisor_domain_put(ctx->dom);
	pvisor_ctx_fpu_free(ctx);
	kfree(ctx);
}

/** pvisor_context_put() - drop a reference */
void pvisor_context_put(struct pvisor_context *ctx)
{
	kref_put(&ctx->ref, context_release);
}

/**
 * pvisor_context_get() - look a context up by id
 * @dom: its domain
 * @id: the guest's id
 *
 * Return: the context with a reference, or NULL.
 */
struct pvisor_context *pvisor_context_get(struct pvisor_domain *dom, u32 id)
{
	struct pvisor_context *ctx;

	rcu_read_lock();
	ctx = xa_load(&dom->contexts.ids, id);
	if (ctx && !kref_get_unless_zero(&ctx->ref))
		ctx = NULL;
	rcu_read_unlock();
	return ctx;
}

/**
 * pvisor_context_current_thread() - the calling thread's slot
 * @ctx: a context
 *
 * Return: the thread current is bound to, or NULL.
 */
struct pvisor_ctx_thread *pvisor_context_current_thread(struct pvisor_context *ctx)
{
	unsigned int i;

	for (i = 0; i < ctx->nr_threads; i++)
		if (READ_ONCE(ctx->threads[i].task) == current)
			return &ctx->threads[i];
	return NULL;
}

static void wake_all(struct pvisor_context *ctx)
{
	struct pvisor_domain *dom = ctx->dom;
	unsigned int i;

	wake_up_all(&ctx->wait);
	for (i = 0; i < ctx->nr_threads; i++)
		wake_up_all(&ctx->threads[i].wait);
	/* RUN_USER waits on the vCPU's queue */
	for (i = 0; i < dom->nr_vcpus; i++)
		wake_up(&dom->vcpus[i].wait);
}

/**
 * pvisor_context_kill() - a context dies, for good
 * @ctx: the context
 *
 * Its process is killed (SIGKILL: the parked threads sleep killable and
 * wake), and everyone waiting for it wakes and sees it dead: RUN_USER
 * returns EXIT_GONE, CREATE fails. Sleeps not; any process context.
 */
void pvisor_context_kill(struct pvisor_context *ctx)
{
	struct pvisor_contexts *cs = &ctx->dom->contexts;
	bool queued = false;
	struct pid *pid;

	spin_lock(&ctx->lock);
	if (ctx->dead) {
		spin_unlock(&ctx->lock);
		return;
	}
	WRITE_ONCE(ctx->dead, true);
	pid = get_pid(ctx->pid);
	spin_unlock(&ctx->lock);

	spin_lock(&cs->lock);
	if (!list_empty(&ctx->pending)) {
		list_del_init(&ctx->pending);
		queued = true;
	}
	spin_unlock(&cs->lock);
	if (queued)
		pvisor_context_put(ctx);	/* the queue's reference */

	if (pid) {
		kill_pid(pid, SIGKILL, 1);
		put_pid(pid);
	}
	wake_all(ctx);
}

static struct pvisor_context *context_alloc(struct pvisor_domain *dom,
					    u64 pt_base_pfn)
{
	struct pvisor_context *ctx;
	unsigned int i;

	ctx = kzalloc(struct_size(ctx, threads, dom->nr_vcpus),
		      GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return NULL;
	kref_init(&ctx->ref);
	kref_get(&dom->ref);
	ctx->dom = dom;
	ctx->pt_base_pfn = pt_base_pfn;
	spin_lock_init(&ctx->lock);
	INIT_LIST_HEAD(&ctx->pending);
	init_waitqueue_head(&ctx->wait);
	init_rwsem(&ctx->zap_lock);
	ctx->nr_threads = dom->nr_vcpus;
	for (i = 0; i < ctx->nr_threads; i++) {
		ctx->threads[i].ctx = ctx;
		ctx->threads[i].vcpu = i;
		init_waitqueue_head(&ctx->threads[i].wait);
		pvisor_ctx_thread_init(&ctx->threads[i]);
	}
	ctx->fpu_size = pvisor_ctx_fpu_size();
	if (pvisor_ctx_fpu_alloc(ctx)) {
		pvisor_context_put(ctx);
		return NULL;
	}
	return ctx;
}

/* Take @ctx out of the table and kill it; the table's reference goes. */
static void context_remove(struct pvisor_domain *dom, struct pvisor_context *ctx)
{
	struct pvisor_contexts *cs = &dom->contexts;

	if (xa_cmpxchg(&cs->ids, ctx->id, ctx, NULL, GFP_KERNEL) != ctx)
		return;		/* someone else removed it */
	spin_lock(&cs->lock);
	WRITE_ONCE(cs->nr, cs->nr - 1);
	spin_unlock(&cs->lock);
	atomic_dec(&contexts_total);
	pvisor_context_kill(ctx);
	pvisor_context_put(ctx);
}

/*
 * CTXOP_CREATE: a context, with a ready process, or an error. The wait
 * for the factory is killable and bounded: a factory that died or hangs
 * costs the guest an -EAGAIN, never a vCPU.
 */
static long ctx_create(struct pvisor_domain *dom, u64 uarg)
{
	struct pvisor_contexts *cs = &dom->contexts;
	struct pvisor_ctx_create arg;
	struct pvisor_context *ctx;
	long ret, left;
	u32 id;

	if (!pvisor_guest_range_ok(uarg, sizeof(arg)) ||
	    copy_from_user(&arg, (void __user *)uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.pt_base_pfn >= dom->mem.nr_frames)
		return -EINVAL;

	spin_lock(&cs->lock);
	if (!cs->factory_attached || cs->factory_gone)
		ret = -EAGAIN;
	else if (cs->nr >= cs->max)
		ret = -ENOSPC;
	else
		ret = 0;
	if (!ret)
		WRITE_ONCE(cs->nr, cs->nr + 1);
	spin_unlock(&cs->lock);
	if (ret)
		return ret;
	atomic_inc(&contexts_total);

	ctx = context_alloc(dom, arg.pt_base_pfn);
	if (!ctx) {
		ret = -ENOMEM;
		goto err_uncount;
	}
	ret = xa_alloc(&cs->ids, &id, ctx, XA_LIMIT(1, INT_MAX),
		       GFP_KERNEL_ACCOUNT);
	if (ret) {
		pvisor_context_put(ctx);
		goto err_uncount;
	}
	ctx->id = id;

	/* The factory's queue holds a reference of its own. */
	kref_get(&ctx->ref);
	spin_lock(&cs->lock);
	if (cs->factory_gone) {
		ret = -EAGAIN;
	} else {
		list_add_tail(&ctx->pending, &cs->pending);
		ret = 0;
	}
	spin_unlock(&cs->lock);
	if (ret) {
		pvisor_context_put(ctx);
		goto err_remove;
	}
	wake_up_interruptible(&cs->factory_wait);

	left = wait_event_killable_timeout(ctx->wait,
					   READ_ONCE(ctx->ready) || READ_ONCE(ctx->dead),
					   CREATE_TIMEOUT);
	if (left < 0)
		ret = -EINTR;
	else if (!READ_ONCE(ctx->ready) || READ_ONCE(ctx->dead))
		ret = -EAGAIN;
	else if (put_user(id, &((struct pvisor_ctx_create __user *)uarg)->id))
		ret = -EFAULT;
	if (ret)
		goto err_remove;
	return 0;

err_remove:
	context_remove(dom, ctx);
	return ret;
err_uncount:
	spin_lock(&cs->lock);
	WRITE_ONCE(cs->nr, cs->nr - 1);
	spin_unlock(&cs->lock);
	atomic_dec(&contexts_total);
	return ret;
}

static long ctx_destroy(struct pvisor_domain *dom, u64 id)
{
	struct pvisor_context *ctx;

	if (!id || id > INT_MAX)
		return -EINVAL;
	ctx = pvisor_context_get(dom, id);
	if (!ctx)
		return -EINVAL;
	context_remove(dom, ctx);
	pvisor_context_put(ctx);
	return 0;
}

static long ctx_set_base(struct pvisor_domain *dom, u64 uarg)
{
	struct pvisor_ctx_base arg;
	struct pvisor_context *ctx;

	if (!pvisor_guest_range_ok(uarg, sizeof(arg)) ||
	    copy_from_user(&arg, (void __user *)uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.pad || arg.pt_base_pfn >= dom->mem.nr_frames)
		return -EINVAL;
	ctx = pvisor_context_get(dom, arg.id);
	if (!ctx)
		return -EINVAL;
	WRITE_ONCE(ctx->pt_base_pfn, arg.pt_base_pfn);
	pvisor_ctx_window_flush(ctx, PVISOR_USER_BASE,
				PVISOR_USER_TOP - PVISOR_USER_BASE);
	pvisor_context_put(ctx);
	return 0;
}

static long ctx_flush(struct pvisor_domain *dom, u64 uarg)
{
	struct pvisor_ctx_flush arg;
	struct pvisor_context *ctx;
	u64 start, end;

	if (!pvisor_guest_range_ok(uarg, sizeof(arg)) ||
	    copy_from_user(&arg, (void __user *)uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.pad)
		return -EINVAL;
	if (!arg.len) {
		start = PVISOR_USER_BASE;
		end = PVISOR_USER_TOP;
	} else {
		start = arg.va & PAGE_MASK;
		if (arg.va < PVISOR_USER_BASE || arg.va >= PVISOR_USER_TOP ||
		    arg.len > PVISOR_USER_TOP - arg.va)
			return -EINVAL;
		end = PAGE_ALIGN(arg.va + arg.len);
	}
	ctx = pvisor_context_get(dom, arg.id);
	if (!ctx)
		return -EINVAL;
	pvisor_ctx_window_flush(ctx, start, end - start);
	pvisor_context_put(ctx);
	return 0;
}

static long ctx_info(struct pvisor_domain *dom, u64 uarg)
{
	struct pvisor_ctx_info info = {
		.user_base = PVISOR_USER_BASE,
		.user_top = PVISOR_USER_TOP,
		.max_contexts = dom->contexts.max,
		.nr_contexts = pvisor_contexts_count(dom),
		.xsave_size = pvisor_ctx_fpu_size(),
		.xsave_features = pvisor_ctx_fpu_features(),
	};

	if (!pvisor_guest_range_ok(uarg, sizeof(info)) ||
	    copy_to_user((void __user *)uarg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

/**
 * pvisor_hc_context_op() - context_op(cmd, arg)
 * @runner: the caller's runner
 * @vcpu: the calling vCPU
 * @args: a[0] the command, a[1] its argument
 */
long pvisor_hc_context_op(struct pvisor_runner *runner,
			  struct pvisor_vcpu *vcpu,
			  const struct pvisor_hc_args *args)
{
	struct pvisor_domain *dom = runner->dom;

	switch (args->a[0]) {
	case PVISOR_CTXOP_CREATE:
		return ctx_create(dom, args->a[1]);
	case PVISOR_CTXOP_DESTROY:
		return ctx_destroy(dom, args->a[1]);
	case PVISOR_CTXOP_SET_BASE:
		return ctx_set_base(dom, args->a[1]);
	case PVISOR_CTXOP_FLUSH:
		return ctx_flush(dom, args->a[1]);
	case PVISOR_CTXOP_INFO:
		return ctx_info(dom, args->a[1]);
	case PVISOR_CTXOP_FPU_GET:
		return pvisor_ctx_fpu_op(dom, false, args->a[1]);
	case PVISOR_CTXOP_FPU_SET:
		return pvisor_ctx_fpu_op(dom, true, args->a[1]);
	default:
		return -EINVAL;
	}
}

/**
 * pvisor_contexts_kill_all() - the domain is dying or lost its runner
 * @dom: the domain
 *
 * No context may be created from now on; the factory and every context
 * process are killed. Process context.
 */
void pvisor_contexts_kill_all(struct pvisor_domain *dom)
{
	struct pvisor_contexts *cs = &dom->contexts;
	struct pvisor_context *ctx;
	struct pid *factory;
	unsigned long id;

	spin_lock(&cs->lock);
	cs->factory_gone = true;
	factory = cs->factory;
	cs->factory = NULL;
	spin_unlock(&cs->lock);
	if (factory) {
		kill_pid(factory, SIGKILL, 1);
		put_pid(factory);
	}
	wake_up_interruptible(&cs->factory_wait);

	xa_for_each(&cs->ids, id, ctx) {
		if (!kref_get_unless_zero(&ctx->ref))
			continue;
		context_remove(dom, ctx);
		pvisor_context_put(ctx);
	}
}

/* ---- the context fd: what a context process holds ---- */

static bool is_context_process(struct pvisor_context *ctx)
{
	return ctx->pid && task_tgid(current) == ctx->pid &&
	       current->mm == ctx->mm;
}

/* CTX_THREAD: bind current (and, the first time, its process). */
static long ctx_bind_thread(struct pvisor_context *ctx, unsigned long vcpu)
{
	struct pvisor_contexts *cs = &ctx->dom->contexts;
	struct pvisor_ctx_thread *th;
	struct pid *factory;
	long ret = 0;

	if (vcpu >= ctx->nr_threads)
		return -EINVAL;
	/* The factory itself never becomes a context. */
	spin_lock(&cs->lock);
	factory = cs->factory;
	ret = factory && task_tgid(current) == factory ? -EPERM : 0;
	spin_unlock(&cs->lock);
	if (ret)
		return ret;

	th = &ctx->threads[vcpu];
	spin_lock(&ctx->lock);
	if (ctx->dead) {
		ret = -ESRCH;
	} else if (ctx->ready || th->state != CTX_THREAD_UNBOUND ||
		   pvisor_context_current_thread(ctx)) {
		ret = -EBUSY;
	} else if (!ctx->pid) {
		ctx->pid = get_pid(task_tgid(current));
		ctx->mm = current->mm;
		mmgrab(ctx->mm);
	} else if (!is_context_process(ctx)) {
		ret = -EPERM;
	}
	if (!ret) {
		get_task_struct(current);
		WRITE_ONCE(th->task, current);
		th->state = CTX_THREAD_STARTING;
	}
	spin_unlock(&ctx->lock);
	return ret;
}

/* CTX_READY: vCPU 0's thread waits until the others have parked. */
static long ctx_wait_ready(struct pvisor_context *ctx)
{
	struct pvisor_ctx_thread *th = pvisor_context_current_thread(ctx);

	if (!th || th->vcpu != 0)
		return -EPERM;
	if (wait_event_killable(ctx->wait,
				READ_ONCE(ctx->nr_parked) >= ctx->nr_threads - 1 ||
				READ_ONCE(ctx->dead)))
		return -EINTR;
	return READ_ONCE(ctx->dead) ? -ESRCH : 0;
}

static long ctx_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct pvisor_context *ctx = file->private_data;

	switch (cmd) {
	case PVISOR_IOCTL_CTX_THREAD:
		return ctx_bind_thread(ctx, arg);
	case PVISOR_IOCTL_CTX_READY:
		return ctx_wait_ready(ctx);
	case PVISOR_IOCTL_CTX_TRAP:
		return pvisor_ctx_trap(ctx, arg);
	default:
		return -ENOTTY;
	}
}

static vm_fault_t trampoline_fault(struct vm_fault *vmf)
{
	if (vmf->flags & FAULT_FLAG_WRITE)
		return VM_FAULT_SIGSEGV;
	return vmf_insert_pfn_prot(vmf->vma, vmf->address,
				   pvisor_trampoline_pfn(),
				   vm_get_page_prot(VM_READ | VM_EXEC));
}

static int trampoline_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

static int trampoline_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

static const struct vm_operations_struct trampoline_vm_ops = {
	.fault = trampoline_fault,
	.may_split = trampoline_may_split,
	.mremap = trampoline_mremap,
};

static int map_trampoline(struct vm_area_struct *vma)
{
	if (vma->vm_start != PVISOR_CTX_TRAMPOLINE ||
	    vma->vm_end - vma->vm_start != PAGE_SIZE)
		return -EINVAL;
	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	pvisor_vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND |
				 VM_DONTDUMP | VM_DONTCOPY);
	pvisor_vm_flags_clear(vma, VM_MAYWRITE);
	vma->vm_ops = &trampoline_vm_ops;
	return 0;
}

static int ctx_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct pvisor_context *ctx = file->private_data;

	if (!is_context_process(ctx))
		return -EPERM;
	if (vma->vm_pgoff == PVISOR_CTX_TRAMPOLINE_OFFSET >> PAGE_SHIFT)
		return map_trampoline(vma);
	return pvisor_ctx_window_mmap(ctx, vma);
}

/* The process is gone (or never came): the context is dead. */
static int ctx_release(struct inode *inode, struct file *file)
{
	struct pvisor_context *ctx = file->private_data;

	pvisor_context_kill(ctx);
	pvisor_context_put(ctx);
	return 0;
}

static const struct file_operations ctx_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = ctx_ioctl,
	.mmap = ctx_mmap,
	.release = ctx_release,
	.llseek = noop_llseek,
};

/* ---- the factory fd ---- */

struct pvisor_factory {
	struct pvisor_domain *dom;	/* a reference */
	struct pid *owner;		/* the factory process */
};

/* Hand the first queued context to the factory as a new fd. */
static long factory_wait(struct pvisor_factory *f)
{
	struct pvisor_contexts *cs = &f->dom->contexts;
	struct pvisor_context *ctx = NULL;
	struct file *file;
	int fd;

	if (task_tgid(current) != f->owner)
		return -EPERM;
	if (wait_event_interruptible(cs->factory_wait,
				     READ_ONCE(cs->factory_gone) ||
				     !list_empty(&cs->pending)))
		return -EINTR;

	fd = get_unused_fd_flags(O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fd;
	spin_lock(&cs->lock);
	if (!cs->factory_gone && !list_empty(&cs->pending)) {
		ctx = list_first_entry(&cs->pending, struct pvisor_context,
				       pending);
		list_del_init(&ctx->pending);
	}
	spin_unlock(&cs->lock);
	if (!ctx) {
		put_unused_fd(fd);
		return READ_ONCE(cs->factory_gone) ? -ESRCH : -EAGAIN;
	}
	/* The queue's reference goes to the file. */
	file = anon_inode_getfile("pvisor-context", &ctx_fops, ctx,
				  O_RDWR | O_CLOEXEC);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		pvisor_context_kill(ctx);
		pvisor_context_put(ctx);
		return PTR_ERR(file);
	}
	fd_install(fd, file);
	return fd;
}

static long factory_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	if (cmd != PVISOR_IOCTL_FACTORY_WAIT)
		return -ENOTTY;
	return factory_wait(file->private_data);
}

/* No factory, no new contexts: every queued one fails. */
static void factory_free(struct pvisor_factory *f)
{
	struct pvisor_contexts *cs = &f->dom->contexts;
	struct pvisor_context *ctx;

	spin_lock(&cs->lock);
	cs->factory_gone = true;
	spin_unlock(&cs->lock);
	for (;;) {
		spin_lock(&cs->lock);
		ctx = list_first_entry_or_null(&cs->pending,
					       struct pvisor_context, pending);
		if (ctx)
			kref_get(&ctx->ref);
		spin_unlock(&cs->lock);
		if (!ctx)
			break;
		pvisor_context_kill(ctx);	/* takes it off the queue */
		pvisor_context_put(ctx);
	}
	put_pid(f->owner);
	pvisor_domain_put(f->dom);
	kfree(f);
}

static int factory_release(struct inode *inode, struct file *file)
{
	factory_free(file->private_data);
	return 0;
}

static const struct file_operations factory_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = factory_ioctl,
	.release = factory_release,
	.llseek = noop_llseek,
};

/**
 * pvisor_factory_attach() - PVISOR_IOCTL_FACTORY_ATTACH
 * @uarg: the caller's struct pvisor_factory_attach
 *
 * Return: the factory fd, or -EPERM, -EFAULT, -EINVAL, -ENOENT, -EBUSY
 * (the domain has or had a factory, or has stopped), -ENOMEM, -EMFILE.
 */
int pvisor_factory_attach(const void __user *uarg)
{
	struct pvisor_factory_attach arg;
	struct pvisor_contexts *cs;
	struct pvisor_domain_status st;
	struct pvisor_factory *f;
	struct pvisor_domain *dom;
	struct file *file;
	int fd, ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	dom = pvisor_domain_for_admin(arg.domid, arg.flags);
	if (IS_ERR(dom))
		return PTR_ERR(dom);
	cs = &dom->contexts;

	ret = -ENOMEM;
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		goto err_put;
	f->dom = dom;
	f->owner = get_pid(task_tgid(current));
	fd = get_unused_fd_flags(O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_free;
	}

	pvisor_domain_status(dom, &st);
	spin_lock(&cs->lock);
	if (cs->factory_attached || cs->factory_gone ||
	    (st.state != PVISOR_DOMAIN_STATE_CREATED &&
	     st.state != PVISOR_DOMAIN_STATE_RUNNING)) {
		ret = -EBUSY;
	} else {
		cs->factory_attached = true;
		cs->factory = get_pid(f->owner);
		ret = 0;
	}
	spin_unlock(&cs->lock);
	if (ret)
		goto err_fd;

	/* From here the file owns f and its domain reference. */
	file = anon_inode_getfile("pvisor-factory", &factory_fops, f,
				  O_RDWR | O_CLOEXEC);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		factory_free(f);
		return PTR_ERR(file);
	}
	fd_install(fd, file);
	return fd;

err_fd:
	put_unused_fd(fd);
err_free:
	put_pid(f->owner);
	kfree(f);
err_put:
	pvisor_domain_put(dom);
	return ret;
}
