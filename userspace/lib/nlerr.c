// SPDX-License-Identifier: GPL-2.0
/*
 * libnl reports its own error codes (NLE_*), folding several errnos into
 * one. The kernel's answer to a request never goes through here: pvnl.c
 * takes it from the nlmsgerr itself. What is left are local failures
 * (socket, memory, malformed replies), where an approximate errno is the
 * best anyone can do.
 */

#include <errno.h>
#include <stdlib.h>
#include <netlink/errno.h>

#include "nlerr.h"

int pvnl_errno_from_nlerr(int nlerr)
{
	switch (abs(nlerr)) {
	case NLE_SUCCESS:
		return 0;
	case NLE_INTR:
		return -EINTR;
	case NLE_BAD_SOCK:
		return -EBADF;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_MSGSIZE:
		return -EMSGSIZE;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:
		return -EAFNOSUPPORT;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_PERM:
		return -EPERM;
	case NLE_NODEV:
		return -ENODEV;
	case NLE_DUMP_INTR:
		return -EINTR;
	case NLE_MSG_OVERFLOW:
		return -ENOBUFS;
	case NLE_SEQ_MISMATCH:
	case NLE_MSG_TRUNC:
	case NLE_MSG_TOOSHORT:
	case NLE_MSGTYPE_NOSUPPORT:
	case NLE_PROTO_MISMATCH:
	case NLE_ATTRSIZE:
	case NLE_MISSING_ATTR:
	case NLE_PARSE_ERR:
		return -EPROTO;
	default:
		return -EIO;
	}
}
