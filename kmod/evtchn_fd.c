// SPDX-License-Identifier: GPL-2.0
/*
 * Domain0's end of an event channel: a file (PVISOR_IOCTL_EVTCHN_DOM0),
 * for daemons in user space such as pvisord's xenstore, in the manner of
 * Xen's /dev/xen/evtchn but one port per file.
 *
 * Domain0 is not a domain of the module, so its end is not a port table
 * entry: the guest's port is INTERDOMAIN with remote_domid 0 and points
 * at this file's struct pvisor_evtchn_fd (evtchn.h). A guest's SEND
 * counts an event here and wakes the reader; a write() here marks the
 * guest's port pending. When the guest closes its port (or dies) the
 * file is hung up: poll says EPOLLHUP, read() returns 0 once the counted
 * events are read, write() fails with EPIPE. When the file goes, the
 * guest's port is offered to Domain0 again, so that a restarted daemon
 * binds it anew.
 *
 * Lifetime: the file holds a domain reference. The guest's port points
 * at the struct under the domain's evtchn_lock only, and release unbinds
 * under that lock before freeing it, so a sender never sees it freed.
 * The counter is atomic; the hung_up flag is set under the evtchn_lock
 * and read without it (a stale read is corrected by the wake-up).
 */

#include <linux/anon_inodes.h>
#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <pvisor/device.h>

#include "domain.h"
#include "evtchn.h"
#include "evtchn_fd.h"

struct pvisor_evtchn_fd {
	struct pvisor_domain *dom;	/* a reference */
	u32 port;			/* the guest's port */
	wait_queue_head_t wait;
	atomic_t events;		/* sends not read yet */
	bool hung_up;			/* the guest closed its port */
};

/**
 * pvisor_evtchn_fd_signal() - the guest sent on the port bound to @ep
 * @ep: Domain0's end; called under the guest's evtchn_lock
 */
void pvisor_evtchn_fd_signal(struct pvisor_evtchn_fd *ep)
{
	/* Saturate rather than wrap: a flood reads as "many", not "few". */
	atomic_add_unless(&ep->events, 1, INT_MAX);
	wake_up_interruptible_poll(&ep->wait, EPOLLIN | EPOLLRDNORM);
}

/**
 * pvisor_evtchn_fd_hangup() - the guest closed the port bound to @ep
 * @ep: Domain0's end; called under the guest's evtchn_lock
 */
void pvisor_evtchn_fd_hangup(struct pvisor_evtchn_fd *ep)
{
	WRITE_ONCE(ep->hung_up, true);
	wake_up_interruptible_poll(&ep->wait, EPOLLHUP | EPOLLIN);
}

static bool readable(struct pvisor_evtchn_fd *ep)
{
	return atomic_read(&ep->events) || READ_ONCE(ep->hung_up);
}

/* read(): a u32, the number of sends since the last read; 0 at hang-up. */
static ssize_t evtchn_fd_read(struct file *file, char __user *buf,
			      size_t len, loff_t *off)
{
	struct pvisor_evtchn_fd *ep = file->private_data;
	u32 n;
	int ret;

	if (len < sizeof(n))
		return -EINVAL;
	if (!readable(ep)) {
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(ep->wait, readable(ep));
		if (ret)
			return ret;
	}
	n = atomic_xchg(&ep->events, 0);
	if (!n)
		return 0;	/* hung up, nothing left */
	return put_user(n, (u32 __user *)buf) ? -EFAULT : sizeof(n);
}

/* write(): any u32; notifies the guest once. */
static ssize_t evtchn_fd_write(struct file *file, const char __user *buf,
			       size_t len, loff_t *off)
{
	struct pvisor_evtchn_fd *ep = file->private_data;
	int ret;

	if (len < sizeof(u32))
		return -EINVAL;
	ret = pvisor_evtchn_notify_from_dom0(ep->dom, ep->port, ep);
	return ret ? ret : sizeof(u32);
}

static __poll_t evtchn_fd_poll(struct file *file, poll_table *wait)
{
	struct pvisor_evtchn_fd *ep = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &ep->wait, wait);
	if (atomic_read(&ep->events))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(ep->hung_up))
		mask |= EPOLLHUP | EPOLLIN;
	else
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

static int evtchn_fd_release(struct inode *inode, struct file *file)
{
	struct pvisor_evtchn_fd *ep = file->private_data;

	pvisor_evtchn_unbind_dom0(ep->dom, ep->port, ep);
	pvisor_domain_put(ep->dom);
	kfree(ep);
	return 0;
}

static const struct file_operations evtchn_fd_fops = {
	.owner = THIS_MODULE,
	.read = evtchn_fd_read,
	.write = evtchn_fd_write,
	.poll = evtchn_fd_poll,
	.release = evtchn_fd_release,
	.llseek = noop_llseek,
};

/**
 * pvisor_evtchn_fd_open() - PVISOR_IOCTL_EVTCHN_DOM0
 * @uarg: the caller's struct pvisor_evtchn_dom0
 *
 * Return: a new fd bound to the guest's port, or -EPERM, -EFAULT,
 * -EINVAL (flags, domid 0, a port not offered to Domain0 or bound
 * already), -ENOENT (no such domain, or dying), -ENOMEM, -EMFILE.
 */
int pvisor_evtchn_fd_open(const struct pvisor_evtchn_dom0 __user *uarg)
{
	struct pvisor_evtchn_dom0 arg;
	struct pvisor_evtchn_fd *ep;
	struct pvisor_domain *dom;
	int fd, ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.pad)
		return -EINVAL;
	dom = pvisor_domain_for_admin(arg.domid, arg.flags);
	if (IS_ERR(dom))
		return PTR_ERR(dom);

	ret = -ENOMEM;
	ep = kzalloc(sizeof(*ep), GFP_KERNEL_ACCOUNT);
	if (!ep)
		goto err_put;
	ep->dom = dom;
	ep->port = arg.port;
	init_waitqueue_head(&ep->wait);
	ret = pvisor_evtchn_bind_dom0(dom, arg.port, ep);
	if (ret)
		goto err_free;
	/* On success the file owns ep and our domain reference. */
	fd = anon_inode_getfd("pvisor-evtchn", &evtchn_fd_fops, ep,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_unbind;
	}
	return fd;

err_unbind:
	pvisor_evtchn_unbind_dom0(dom, arg.port, ep);
err_free:
	kfree(ep);
err_put:
	pvisor_domain_put(dom);
	return ret;
}
