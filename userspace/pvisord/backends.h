/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The backends pvisord starts for a domain's devices: one pvblkback per
 * disk of its config (Documentation/block.rst).
 */
#ifndef PVISORD_BACKENDS_H
#define PVISORD_BACKENDS_H

#include <stdint.h>

#include "domcfg.h"

/*
 * Start a backend for each device @cfg gives domain @domid, in their own
 * sessions (stderr pvisord's), watched (backend_watch.h): each ends by
 * itself when its frontend closes or the domain goes. Every image is
 * checked first, so that a bad one starts nothing. 0, or -errno after
 * logging why.
 */
int pvisor_backends_start(uint32_t domid, const struct domcfg *cfg);

#endif /* PVISORD_BACKENDS_H */
