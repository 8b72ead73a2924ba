/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Extended acks: the explanation the kernel attaches to an NLMSG_ERROR or
 * NLMSG_DONE message. Internal to libpvnl.
 */
#ifndef PVNL_EXTACK_H
#define PVNL_EXTACK_H

#include <stddef.h>
#include <linux/netlink.h>

/*
 * Write the explanation carried by @nlh (an NLMSG_ERROR or NLMSG_DONE
 * message) into @buf as a NUL-terminated string; "" when there is none.
 * The message is untrusted: every length is checked against nlmsg_len.
 */
void pvnl_extack_text(const struct nlmsghdr *nlh, char *buf, size_t size);

#endif /* PVNL_EXTACK_H */
