// SPDX-License-Identifier: GPL-2.0
/*
 * The runner fd: what a domain runner holds while its guest runs.
 *
 * A privileged Domain0 process builds the domain, attaches to it
 * (PVISOR_IOCTL_RUNNER_ATTACH), maps the guest window, sets the boot
 * vCPU's context, drops every privilege, confines itself with seccomp to
 * ioctls on this fd, and finally asks to run a vCPU. From then on the
 * thread is the vCPU: guest code runs natively and comes back here only
 * through hypercalls (hypercall.c) and faults in the window (window.c).
 *
 * When the runner dies, for whatever reason, the last reference to this
 * file goes and runner_release() records why the guest stopped, if it
 * had not already shut down.
 *
 * The fd is the runner process's alone. Another process may come to hold
 * it (a child forked before the runner confined itself, a process it was
 * passed to over a socket), but every ioctl and mmap from any process
 * but the one that attached fails with EPERM: the guest's vCPUs, memory
 * and context are not theirs to drive.
 *
 * Locking: vCPU binding happens under the domain's state_lock.
 */

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/ptrace.h>
#include <linux/sched/task_stack.h>
#include <pvisor/device.h>
#include <pvisor/hypercall.h>

#include "context.h"
#include "domain.h"
#include "hypercall.h"
#include "netlink.h"
#include "runner.h"
#include "guest_addr.h"
#include "time.h"
#include "trap.h"
#include "vcpu.h"

static struct pvisor_vcpu *vcpu_of(struct pvisor_domain *dom,
				   struct task_struct *task)
{
	unsigned int i;

	for (i = 0; i < dom->nr_vcpus; i++)
		if (READ_ONCE(dom->vcpus[i].task) == task)
			return &dom->vcpus[i];
	return NULL;
}

/**
 * pvisor_runner_current_vcpu() - the vCPU the calling thread runs
 * @runner: the runner
 *
 * Return: the vCPU bound to current, or NULL for any other thread.
 */
struct pvisor_vcpu *pvisor_runner_current_vcpu(struct pvisor_runner *runner)
{
	return vcpu_of(runner->dom, current);
}

/** pvisor_runner_window_mapped() - has the runner mapped its window? */
bool pvisor_runner_window_mapped(struct pvisor_runner *runner)
{
	return test_bit(RUNNER_WINDOW_MAPPED, &runner->flags);
}

static int set_context(struct pvisor_runner *runner,
		       const struct pvisor_vcpu_context __user *uctx)
{
	struct pvisor_domain *dom = runner->dom;
	struct pvisor_vcpu_context ctx;
	struct pvisor_vcpu *vcpu;
	int ret = 0;

	if (copy_from_user(&ctx, uctx, sizeof(ctx)))
		return -EFAULT;
	/* The runner sets the boot vCPU's; the guest starts the others. */
	if (ctx.flags || ctx.vcpu != 0 ||
	    !pvisor_guest_range_ok(ctx.rip, 1) ||
	    !pvisor_guest_range_ok(ctx.rsp - 8, 8) ||
	    ctx.pt_base_pfn >= dom->mem.nr_frames)
		return -EINVAL;

	vcpu = &dom->vcpus[ctx.vcpu];
	spin_lock_bh(&dom->state_lock);
	if (vcpu->task) {
		ret = -EBUSY;
	} else {
		vcpu->boot = ctx;
		vcpu->ready = true;
	}
	spin_unlock_bh(&dom->state_lock);
	return ret;
}

/*
 * Bind @vcpu to the calling thread, once; binding it again from the same
 * thread is how a restarted RUN comes back.
 */
static int bind_vcpu(struct pvisor_domain *dom, struct pvisor_vcpu *vcpu)
{
	int ret = 0;

	spin_lock_bh(&dom->state_lock);
	if (vcpu->task == current) {
		/* a restarted RUN */
	} else if (vcpu->task || vcpu_of(dom, current)) {
		ret = -EBUSY;
	} else {
		get_task_struct(current);
		WRITE_ONCE(vcpu->task, current);
		/* The boot vCPU starts up; the others wait for vcpu_op UP. */
		if (vcpu->id == 0 && vcpu->ready)
			WRITE_ONCE(vcpu->up, true);
	}
	spin_unlock_bh(&dom->state_lock);
	return ret;
}

/*
 * Enter the guest: when this ioctl returns to user mode, the thread is at
 * the vCPU's boot context with nothing of the runner's registers left. A
 * secondary vCPU's thread first sleeps here until the guest ups it.
 */
static long run_vcpu(struct pvisor_runner *runner, unsigned long id)
{
	struct pvisor_domain *dom = runner->dom;
	struct pt_regs *regs = current_pt_regs();
	struct pvisor_vcpu *vcpu;
	long ret;

	if (id >= dom->nr_vcpus || !pvisor_runner_window_mapped(runner))
		return -EINVAL;
	vcpu = &dom->vcpus[id];
	if (id == 0 && !vcpu->ready)
		return -EINVAL;
	ret = bind_vcpu(dom, vcpu);
	if (ret)
		return ret;
	ret = pvisor_vcpu_wait_up(vcpu);
	if (ret)
		return ret;

	spin_lock_bh(&dom->state_lock);
	vcpu->pt_base_pfn = vcpu->boot.pt_base_pfn;
	regs->ip = vcpu->boot.rip;
	regs->sp = vcpu->boot.rsp;
	regs->si = vcpu->boot.rsi;
	regs->di = vcpu->boot.rsi;
	spin_unlock_bh(&dom->state_lock);
	regs->bx = regs->cx = regs->dx = regs->bp = 0;
	regs->r8 = regs->r9 = regs->r10 = regs->r11 = 0;
	regs->r12 = regs->r13 = regs->r14 = regs->r15 = 0;
	regs->flags = X86_EFLAGS_IF | X86_EFLAGS_FIXED;
	regs->orig_ax = -1;	/* no syscall restart may touch the guest */
	pvisor_time_update(vcpu);
	return 0;	/* rax */
}

static bool is_hypercall(unsigned int cmd)
{
	return cmd >= PVISOR_IOCTL_HYPERCALL(0) &&
	       cmd < PVISOR_IOCTL_HYPERCALL(PVISOR_NR_HYPERCALLS);
}

/* Is the caller the runner process? Its tgid cannot change under it. */
static bool is_owner(struct pvisor_runner *runner)
{
	return task_tgid(current) == runner->owner;
}

static long runner_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	struct pvisor_runner *runner = file->private_data;

	if (!is_owner(runner))
		return -EPERM;
	if (is_hypercall(cmd))
		return pvisor_hypercall(runner, cmd - PVISOR_IOCTL_HYPERCALL(0));

	switch (cmd) {
	case PVISOR_IOCTL_VCPU_SET_CONTEXT:
		return set_context(runner, (void __user *)arg);
	case PVISOR_IOCTL_VCPU_RUN:
		return run_vcpu(runner, arg);
	case PVISOR_IOCTL_VCPU_TRAP:
		return pvisor_trap_deliver(runner, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static int runner_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (!is_owner(file->private_data))
		return -EPERM;
	return pvisor_window_mmap(file->private_data, vma);
}

/* Why did the runner go? Asked in its exiting thread, if it is one. */
static const char *exit_reason(struct pvisor_runner *runner, char *buf,
			       size_t len)
{
	struct pvisor_domain *dom = runner->dom;
	u64 fault_va = 0;
	unsigned int i;
	int sig;

	if (!(current->flags & PF_EXITING) || !is_owner(runner))
		return "the runner closed the domain";

	for (i = 0; i < dom->nr_vcpus; i++)
		fault_va = fault_va ?: dom->vcpus[i].fault_va;
	sig = current->signal->group_exit_code & 0x7f;
	switch (sig) {
	case 0:
		snprintf(buf, len, "the runner exited with status %d",
			 (current->signal->group_exit_code >> 8) & 0xff);
		return buf;
	case SIGSYS:
		return "forbidden host system call (killed by seccomp)";
	case SIGSEGV:
		if (fault_va) {
			snprintf(buf, len, "unhandled page fault at %#llx",
				 fault_va);
			return buf;
		}
		return "unhandled general protection or page fault";
	case SIGILL:
		return "unhandled invalid-opcode trap";
	case SIGFPE:
		return "unhandled arithmetic trap";
	case SIGTRAP:
		return "unhandled breakpoint or debug trap";
	case SIGBUS:
		return "unhandled bus error";
	case SIGKILL:
		return "the runner was killed";
	default:
		snprintf(buf, len, "the runner died of signal %d", sig);
		return buf;
	}
}

static int runner_release(struct inode *inode, struct file *file)
{
	struct pvisor_runner *runner = file->private_data;
	struct pvisor_domain *dom = runner->dom;
	char buf[PVISOR_CRASH_REASON_MAX];
	struct task_struct *task;
	unsigned int i;

	/* An attach that failed after making the file: nothing ran. */
	if (!runner->attached)
		goto out_free;
	pvisor_domain_runner_gone(dom, exit_reason(runner, buf, sizeof(buf)));
	/* Its guest processes cannot outlive the guest kernel. */
	pvisor_contexts_kill_all(dom);
	/* Every way a domain stops ends here: the place to say so. */
	pvisor_netlink_domain_stopped(dom);

	/* No timer may kick a thread we are about to let go of. */
	for (i = 0; i < dom->nr_vcpus; i++)
		pvisor_time_stop_vcpu(&dom->vcpus[i]);
	for (i = 0; i < dom->nr_vcpus; i++) {
		spin_lock_bh(&dom->state_lock);
		task = dom->vcpus[i].task;
		WRITE_ONCE(dom->vcpus[i].task, NULL);
		spin_unlock_bh(&dom->state_lock);
		if (task)
			put_task_struct(task);
	}
out_free:
	__free_page(runner->iret_page);
	put_pid(runner->owner);
	pvisor_domain_put(dom);
	kfree(runner);
	return 0;
}

static const struct file_operations runner_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = runner_ioctl,
	.mmap = runner_mmap,
	.release = runner_release,
	.llseek = noop_llseek,
};

/**
 * pvisor_runner_attach() - PVISOR_IOCTL_RUNNER_ATTACH
 * @uarg: the caller's struct pvisor_runner_attach
 *
 * The fd and its file are made first and the fd is installed last, so
 * that nothing can fail once the domain has taken the caller as its
 * runner: a failed attach leaves the domain as it was.
 *
 * Return: the runner fd, or -EPERM, -EFAULT, -EINVAL, -ENOENT (no such
 * domain, or it is dying), -EBUSY (the domain has or had a runner),
 * -ENOMEM, -EMFILE.
 */
int pvisor_runner_attach(const struct pvisor_runner_attach __user *uarg)
{
	struct pvisor_runner_attach arg;
	struct pvisor_runner *runner;
	struct pvisor_domain *dom;
	struct file *file;
	int fd, ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	dom = pvisor_domain_for_admin(arg.domid, arg.flags);
	if (IS_ERR(dom))
		return PTR_ERR(dom);

	ret = -ENOMEM;
	runner = kzalloc(sizeof(*runner), GFP_KERNEL);
	if (!runner)
		goto err_put_domain;
	runner->dom = dom;
	runner->owner = get_pid(task_tgid(current));
	runner->iret_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!runner->iret_page)
		goto err_free_runner;

	fd = get_unused_fd_flags(O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_free_runner;
	}
	/* From here the file owns the runner and its domain reference. */
	file = anon_inode_getfile("pvisor-runner", &runner_fops, runner,
				  O_RDWR | O_CLOEXEC);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto err_put_fd;
	}
	ret = pvisor_domain_attach_runner(dom);
	if (ret)
		goto err_put_file;
	runner->attached = true;
	fd_install(fd, file);
	return fd;

err_put_file:
	fput(file);		/* runner_release() frees the rest */
	put_unused_fd(fd);
	return ret;
err_put_fd:
	put_unused_fd(fd);
err_free_runner:
	if (runner->iret_page)
		__free_page(runner->iret_page);
	put_pid(runner->owner);
	kfree(runner);
err_put_domain:
	pvisor_domain_put(dom);
	return ret;
}
