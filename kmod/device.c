// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/pvisor, the misc device through which Domain0 tools reach domain
 * memory (domain_memory.c) and runners attach to their domains (runner.c), and the module-wide accounting in
 * sysfs beside it (/sys/class/misc/pvisor/): one number per file, the
 * same figures as the INFO_GET netlink operation.
 */

#include <linux/device.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <pvisor/device.h>
#include <pvisor/grant.h>

#include "context.h"
#include "device.h"
#include "domain.h"
#include "domain_memory.h"
#include "evtchn_fd.h"
#include "grant_map.h"
#include "reservation.h"
#include "runner.h"
#include "store.h"

static long pvisor_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	switch (cmd) {
	case PVISOR_IOCTL_ABI_VERSION:
		return PVISOR_ABI_VERSION;
	case PVISOR_IOCTL_DOMAIN_MEMORY:
		return pvisor_domain_memory_open((void __user *)arg);
	case PVISOR_IOCTL_RUNNER_ATTACH:
		return pvisor_runner_attach((void __user *)arg);
	case PVISOR_IOCTL_GRANT_OPEN:
		return pvisor_grant_file_open();
	case PVISOR_IOCTL_FACTORY_ATTACH:
		return pvisor_factory_attach((void __user *)arg);
	case PVISOR_IOCTL_STORE_SETUP:
		return pvisor_store_setup((void __user *)arg);
	case PVISOR_IOCTL_EVTCHN_DOM0:
		return pvisor_evtchn_fd_open((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations pvisor_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = pvisor_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static ssize_t domains_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%u\n", pvisor_domain_count());
}
static DEVICE_ATTR_RO(domains);

static ssize_t max_domains_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", pvisor_domain_max());
}
static DEVICE_ATTR_RO(max_domains);

static ssize_t frames_used_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", pvisor_frames_used());
}
static DEVICE_ATTR_RO(frames_used);

static ssize_t frames_limit_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", pvisor_frames_limit());
}
static DEVICE_ATTR_RO(frames_limit);

static struct attribute *pvisor_attrs[] = {
	&dev_attr_domains.attr,
	&dev_attr_max_domains.attr,
	&dev_attr_frames_used.attr,
	&dev_attr_frames_limit.attr,
	NULL,
};
ATTRIBUTE_GROUPS(pvisor);

static struct miscdevice pvisor_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "pvisor",
	.fops = &pvisor_fops,
	.groups = pvisor_groups,
	.mode = 0600,
};

/** pvisor_device_init() - register /dev/pvisor */
int pvisor_device_init(void)
{
	return misc_register(&pvisor_misc);
}

/** pvisor_device_exit() - unregister /dev/pvisor */
void pvisor_device_exit(void)
{
	misc_deregister(&pvisor_misc);
}
