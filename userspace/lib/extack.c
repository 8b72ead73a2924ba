// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing extended acks by hand.
 *
 * libnl 3.7 hands an error callback the bare struct nlmsgerr and knows
 * nothing of the TLVs behind it, so the explanation the kernel gives
 * ("domain name already in use") would be lost. The layout depends on the
 * message and on the socket options (NETLINK_CAP_ACK), so work it out
 * from the flags the kernel set rather than from what we asked for:
 *
 *   NLMSG_ERROR, NLM_F_CAPPED:  hdr | nlmsgerr (request header only) | TLVs
 *   NLMSG_ERROR, not capped:    hdr | error | whole request          | TLVs
 *   NLMSG_DONE:                 hdr | int error                      | TLVs
 *
 * TLVs are present only when NLM_F_ACK_TLVS is set.
 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/netlink.h>

#include "extack.h"

/* Offset of the TLVs from the start of @nlh, or 0 if it carries none. */
static size_t tlv_offset(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err;
	size_t payload;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;

	if (nlh->nlmsg_type == NLMSG_DONE)
		return NLMSG_ALIGN(NLMSG_HDRLEN + sizeof(int));
	if (nlh->nlmsg_type != NLMSG_ERROR)
		return 0;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*err))
		return 0;
	err = NLMSG_DATA(nlh);
	if (nlh->nlmsg_flags & NLM_F_CAPPED) {
		payload = sizeof(*err);
	} else {
		/* The echoed request replaces the bare header in nlmsgerr. */
		if (err->msg.nlmsg_len < NLMSG_HDRLEN)
			return 0;
		payload = sizeof(err->error) + (size_t)err->msg.nlmsg_len;
	}
	return NLMSG_ALIGN(NLMSG_HDRLEN + payload);
}

void pvnl_extack_text(const struct nlmsghdr *nlh, char *buf, size_t size)
{
	const unsigned char *base = (const unsigned char *)nlh;
	size_t off = tlv_offset(nlh), end = nlh->nlmsg_len;
	const char *msg = NULL;
	size_t msg_len = 0;
	long miss_type = -1;

	if (size)
		buf[0] = '\0';
	if (!off || !size)
		return;

	while (off + NLA_HDRLEN <= end) {
		const struct nlattr *nla = (const void *)(base + off);
		size_t len;

		if (nla->nla_len < NLA_HDRLEN || nla->nla_len > end - off)
			break;
		len = nla->nla_len - NLA_HDRLEN;

		switch (nla->nla_type & NLA_TYPE_MASK) {
		case NLMSGERR_ATTR_MSG:
			msg = (const char *)nla + NLA_HDRLEN;
			/* The kernel NUL-terminates, but do not rely on it. */
			msg_len = strnlen(msg, len);
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			if (len >= sizeof(uint32_t)) {
				uint32_t type;

				memcpy(&type, (const char *)nla + NLA_HDRLEN,
				       sizeof(type));
				miss_type = type;
			}
			break;
		}
		off += NLA_ALIGN(nla->nla_len);
	}

	if (msg && msg_len) {
		snprintf(buf, size, "%.*s", (int)msg_len, msg);
	} else if (miss_type >= 0) {
		/*
		 * GENL_REQ_ATTR_CHECK() reports a missing attribute by type
		 * alone; say so rather than leave the user with bare EINVAL.
		 */
		snprintf(buf, size, "missing required attribute (type %ld)",
			 miss_type);
	}
}
