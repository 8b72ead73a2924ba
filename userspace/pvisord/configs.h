/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Domains' configs (pvisor.cfg(5)): pvctl create hands each new domain's
 * effective config to pvisord, which keeps it in xenstore at
 * /vm/<uuid>/config (Domain0's alone: it names host files), so that it
 * survives a restart of pvisord with the rest of the tree, goes when the
 * domain goes, and is there when the domain stops (lifecycle.c).
 */
#ifndef PVISORD_CONFIGS_H
#define PVISORD_CONFIGS_H

#include <stdint.h>

#include "domcfg.h"

/* Take CONTROL "pvisor-domain-config" requests from now on. */
void pvisor_configs_init(void);

/*
 * Domain @domid's config, parsed. 0, -ENOENT when it has none (made
 * without pvisord), -EINVAL when what the tree holds does not parse.
 */
int pvisor_config_get(uint32_t domid, struct domcfg *cfg);

/* Keep @cfg as domain @domid's config. 0 or -errno. */
int pvisor_config_set(uint32_t domid, const struct domcfg *cfg);

#endif /* PVISORD_CONFIGS_H */
