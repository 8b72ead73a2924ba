// SPDX-License-Identifier: GPL-2.0
/*
 * pvisor: a paravirtual hypervisor for stock Linux hosts.
 *
 * Load order: limits first, then the domain table, then the two ways in
 * (/dev/pvisor and the netlink family). Unload runs it backwards, so by
 * the time the remaining domains are destroyed nobody can reach them.
 * Unloading with domains present destroys them: a domain without a
 * runner holds no host resource but its memory, and a running one pins
 * the module through its runner fd.
 */

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/stringify.h>
#include <pvisor/device.h>

#include "device.h"
#include "domain.h"
#include "grant.h"
#include "netlink.h"
#include "reservation.h"
#include "hypercall_page.h"
#include "trampoline.h"
#include "time.h"
#include "version.h"

static unsigned int max_domains = 1024;
module_param(max_domains, uint, 0444);
MODULE_PARM_DESC(max_domains, "Most domains that may exist at once (default 1024)");

static unsigned long max_memory_mb;
module_param(max_memory_mb, ulong, 0444);
MODULE_PARM_DESC(max_memory_mb, "Memory all guests together may own, in MiB (default 0: half of host RAM)");

/*
 * The module does not use these two: they are the one place every
 * program that starts runners (pvctl, pvisord, pvrun by hand) reads the
 * uid range from (userspace/runner/uids.c). Writable by root, for new
 * runners; running ones keep their ids.
 */
static unsigned int runner_uid_base = 0x70000000;
module_param(runner_uid_base, uint, 0644);
MODULE_PARM_DESC(runner_uid_base, "First uid/gid of the range runners take one each from (default 1879048192)");

static unsigned int runner_uid_count = 32768;
module_param(runner_uid_count, uint, 0644);
MODULE_PARM_DESC(runner_uid_count, "Size of the runner uid range: most runners at once (default 32768)");

static unsigned long guest_frames_limit(void)
{
	if (!max_memory_mb)
		return totalram_pages() / 2;
	if (max_memory_mb > (ULONG_MAX >> 20))
		return ULONG_MAX >> PAGE_SHIFT;
	return (max_memory_mb << 20) >> PAGE_SHIFT;
}

static int __init pvisor_init(void)
{
	int ret;

	if (!max_domains || max_domains > PVISOR_DOMID_MAX) {
		pr_err("max_domains must be 1..%u\n", PVISOR_DOMID_MAX);
		return -EINVAL;
	}
	if (!pvisor_grant_params_ok())
		return -EINVAL;
	pvisor_reservation_set_limit(guest_frames_limit());

	ret = pvisor_time_init();
	if (ret)
		return ret;

	ret = pvisor_hypercall_page_init();
	if (ret)
		return ret;

	ret = pvisor_trampoline_init();
	if (ret)
		goto err_shadow;

	ret = pvisor_domains_init(max_domains);
	if (ret)
		goto err_trampoline;

	ret = pvisor_device_init();
	if (ret)
		goto err_domains;

	ret = pvisor_netlink_init();
	if (ret)
		goto err_device;

	pr_info("%s (ABI %u) loaded: up to %u domains, %lu MiB of guest memory\n",
		PVISOR_VERSION, PVISOR_ABI_VERSION, max_domains,
		pvisor_frames_limit() >> (20 - PAGE_SHIFT));
	return 0;

err_device:
	pvisor_device_exit();
err_domains:
	pvisor_domains_exit();
err_trampoline:
	pvisor_trampoline_exit();
err_shadow:
	pvisor_hypercall_page_exit();
	return ret;
}

static void __exit pvisor_exit(void)
{
	pvisor_netlink_exit();
	pvisor_device_exit();
	pvisor_domains_exit();
	pvisor_trampoline_exit();
	pvisor_hypercall_page_exit();
	pr_info("unloaded\n");
}

module_init(pvisor_init);
module_exit(pvisor_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pvisor: a Xen-style paravirtual hypervisor for stock Linux hosts");
MODULE_AUTHOR("The pvisor developers");
MODULE_VERSION(PVISOR_VERSION);
/* The user/kernel and guest ABI the module speaks, for tools to check. */
MODULE_INFO(abi_version, __stringify(PVISOR_ABI_VERSION));
