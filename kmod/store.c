// SPDX-License-Identifier: GPL-2.0
/*
 * Where a guest's xenstore ring is (PVISOR_IOCTL_STORE_SETUP).
 *
 * The ring itself is an ordinary guest frame that the domain builder set
 * aside and names in start_info; the protocol on it is pvisord's
 * business (Documentation/xenstore.rst). The module only remembers the
 * frame and opens the guest's port for it, offered to Domain0, because
 * pvisord must find both again whenever it starts: it reads them from
 * DOMAIN_GET, and a DOMAIN_GET notification tells it when they appear.
 *
 * Both are set once under the domain's state_lock and read under it.
 */

#include <linux/capability.h>
#include <linux/uaccess.h>
#include <pvisor/device.h>

#include "domain.h"
#include "evtchn.h"
#include "netlink.h"
#include "store.h"

/**
 * pvisor_store_setup() - PVISOR_IOCTL_STORE_SETUP
 * @uarg: the caller's struct pvisor_store_setup; @port is written back
 *
 * Return: 0, or -EPERM, -EFAULT, -EINVAL (flags or pad set, domid 0, a
 * pfn outside the reservation), -ENOENT (no such domain, or dying),
 * -EBUSY (set up already), -ENOMEM or -ENOSPC (no port).
 */
int pvisor_store_setup(struct pvisor_store_setup __user *uarg)
{
	struct pvisor_store_setup arg;
	struct pvisor_domain *dom;
	int port, ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.pad)
		return -EINVAL;
	dom = pvisor_domain_for_admin(arg.domid, arg.flags);
	if (IS_ERR(dom))
		return PTR_ERR(dom);

	ret = -EINVAL;
	if (arg.pfn >= dom->mem.nr_frames)
		goto out_put;
	ret = -EBUSY;
	if (pvisor_store_get(dom, NULL, NULL))
		goto out_put;
	port = pvisor_evtchn_offer_dom0(dom);
	ret = port;
	if (port < 0)
		goto out_put;

	spin_lock_bh(&dom->state_lock);
	ret = dom->store_port ? -EBUSY : 0;	/* a racing setup won */
	if (!ret) {
		dom->store_pfn = arg.pfn;
		dom->store_port = port;
	}
	spin_unlock_bh(&dom->state_lock);
	/*
	 * The loser's port stays offered to Domain0 unused until the domain
	 * goes: one port, and only a buggy builder races itself.
	 */
	if (ret)
		goto out_put;
	pvisor_netlink_domain_changed(dom);
	ret = put_user(port, &uarg->port);
out_put:
	pvisor_domain_put(dom);
	return ret;
}

/**
 * pvisor_store_get() - @dom's xenstore ring, if its builder set one up
 * @dom: the domain
 * @pfn: out (may be NULL): the ring's frame
 * @port: out (may be NULL): the guest's port for it
 *
 * Return: whether it has one.
 */
bool pvisor_store_get(struct pvisor_domain *dom, u64 *pfn, u32 *port)
{
	u32 p;

	spin_lock_bh(&dom->state_lock);
	p = dom->store_port;
	if (pfn)
		*pfn = dom->store_pfn;
	spin_unlock_bh(&dom->state_lock);
	if (port)
		*port = p;
	return p;
}
