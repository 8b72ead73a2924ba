// SPDX-License-Identifier: GPL-2.0
/*
 * Domains' configs in the tree. The text pvctl sends is parsed and
 * checked again here (a Domain0 tool is trusted with the store, not with
 * pvisord's own state): it must describe the domain it is sent for, and
 * what is kept is pvisord's own formatting of it.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "backends.h"
#include "configs.h"
#include "domains.h"
#include "log.h"
#include "pvnl.h"
#include "xs.h"
#include "xs_path.h"

/* Domain @domid's /vm/<uuid>, from its vm entry. 0 or -ENOENT. */
static int vm_path(uint32_t domid, char *out, size_t size)
{
	char path[64];
	struct xs_node *n;

	snprintf(path, sizeof(path), "/local/domain/%u/vm", domid);
	n = pvisor_xs_lookup(pvisor_xs.tree, path);
	if (!n || strncmp(n->value->data, "/vm/", 4) ||
	    n->value->len + sizeof("/config") > size)
		return -ENOENT;
	snprintf(out, size, "%s/config", n->value->data);
	return 0;
}

int pvisor_config_set(uint32_t domid, const struct domcfg *cfg)
{
	struct xs_perm dom0_only = { 0, 'n' };
	char path[XS_PATH_BUF], text[DOMCFG_TEXT_MAX];
	struct xs_ctx x = pvisor_self_ctx();
	int len, ret;

	len = domcfg_format(cfg, text, sizeof(text));
	if (len < 0)
		return len;
	ret = vm_path(domid, path, sizeof(path));
	if (!ret)
		ret = pvisor_xs_op_write(&x, path, text, (size_t)len);
	if (!ret)
		ret = pvisor_xs_op_set_perms(&x, path, &dom0_only, 1);
	return ret;
}

int pvisor_config_get(uint32_t domid, struct domcfg *cfg)
{
	char path[XS_PATH_BUF], err[512];
	struct xs_node *n;

	if (vm_path(domid, path, sizeof(path)))
		return -ENOENT;
	n = pvisor_xs_lookup(pvisor_xs.tree, path);
	if (!n)
		return -ENOENT;
	domcfg_init(cfg);
	if (domcfg_parse(cfg, path, n->value->data, err, sizeof(err)) ||
	    domcfg_check(cfg, false, err, sizeof(err))) {
		log_err("domain %u: its config does not parse: %s", domid, err);
		return -EINVAL;
	}
	return 0;
}

static int keep(uint32_t domid, const char *text)
{
	struct pvnl_domain d;
	struct domcfg cfg;
	char err[512];
	int ret;

	domcfg_init(&cfg);
	if (domcfg_parse(&cfg, "pvctl", text, err, sizeof(err)) ||
	    domcfg_check(&cfg, false, err, sizeof(err))) {
		log_warn("domain %u: config refused: %s", domid, err);
		return -EINVAL;
	}
	ret = pvisor_domain_refresh(domid, &d);
	if (ret)
		return ret == -ENOENT ? -ENOENT : -EIO;
	if (strcmp(d.name, cfg.name) || d.memory != cfg.memory ||
	    d.vcpus != cfg.vcpus) {
		log_warn("domain %u (%s): config refused: it describes "
			 "another domain (%s)", domid, d.name, cfg.name);
		return -EINVAL;
	}
	ret = pvisor_config_set(domid, &cfg);
	if (ret) {
		log_err("domain %u (%s): cannot keep its config: %s", domid,
			d.name, pvisor_xs_errname(ret));
		return ret;
	}
	log_info("domain %u (%s): config kept", domid, d.name);
	/* A backend that cannot start fails the create (pvctl undoes it). */
	return pvisor_backends_start(domid, &cfg) ? -EINVAL : 0;
}

void pvisor_configs_init(void)
{
	pvisor_xs.domain_config = keep;
}
