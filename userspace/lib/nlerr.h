/* SPDX-License-Identifier: GPL-2.0 */
/* libnl error codes to errno values. Internal to libpvnl. */
#ifndef PVNL_NLERR_H
#define PVNL_NLERR_H

/* @nlerr is a libnl error code (either sign); returns a negative errno. */
int pvnl_errno_from_nlerr(int nlerr);

#endif /* PVNL_NLERR_H */
