// SPDX-License-Identifier: GPL-2.0
/*
 * Lifecycle policies: on_poweroff, on_reboot and on_crash, as xl.cfg
 * has them.
 *
 * The module tells the "domain" group whenever a domain has stopped and
 * its runner is gone (a DOMAIN_SHUTDOWN notification), and pvisord looks
 * again at every stopped domain after a dump, so that a stop while it
 * was down is acted on too. Whatever the notification says, the state
 * acted on is asked for afresh: notifications may be duplicated (a
 * `pvctl shutdown` sends one itself) or stale (the domain was destroyed
 * since), and only a domain that is shut down or crashed *now* is
 * touched. Only domains whose config pvisord keeps are its business:
 * one made without pvisord, or by a test of the module, is left as it
 * is. pvisord never signals a process: destroying goes through the
 * module (DOMAIN_DEL), which kills the domain's own runner.
 *
 *   destroy   DOMAIN_DEL.
 *   restart   DOMAIN_DEL, then a new domain of the same name and config
 *             (a new id, as with xl) and a fresh runner (launch.c).
 *   preserve  nothing: the domain stays stopped, with its memory, for
 *             pvctl list and a later pvctl destroy.
 *
 * Each stop is recorded under LIFECYCLE_DIR/NAME (Domain0's alone), so
 * that a crash's reason outlives the domain it ended:
 *
 *   last-stop   "domain 3 crashed (unhandled page fault at ...)",
 *               "domain 3 shut down (poweroff)" ...
 *   action      what was done: destroy, restart, preserve, or why
 *               nothing could be ("restart failed: ...")
 *   restarts    how many times pvisord restarted the name
 *   started     when it last did (CLOCK_BOOTTIME seconds), and
 *   fast-stops  how many stops in a row came within the restart
 *               window of a restart: at LIFECYCLE_FAST_MAX the domain is
 *               preserved instead ("restart storm"), so that a guest
 *               crashing at once cannot keep the host busy restarting
 *               it.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backends.h"
#include "configs.h"
#include "domains.h"
#include "launch.h"
#include "lifecycle.h"
#include "log.h"
#include "pvnl.h"
#include "xs.h"

static unsigned int window_secs = LIFECYCLE_WINDOW_SECS;

int pvisor_lifecycle_set_window(const char *arg)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || *arg == '-' || !v ||
	    v > LIFECYCLE_WINDOW_MAX)
		return -EINVAL;
	window_secs = (unsigned int)v;
	return 0;
}

/* LIFECYCLE_DIR/@name/@key = @value; failures are logged, not fatal. */
static void note(const char *name, const char *key, const char *value)
{
	struct xs_ctx x = pvisor_self_ctx();
	char path[128];
	int ret;

	snprintf(path, sizeof(path), LIFECYCLE_DIR "/%s/%s", name, key);
	ret = pvisor_xs_op_write(&x, path, value, strlen(value));
	if (ret)
		log_warn("cannot write %s: %s", path, pvisor_xs_errname(ret));
}

/* LIFECYCLE_DIR/@name/@key as a number, 0 when absent. */
static uint64_t noted(const char *name, const char *key)
{
	char path[128];
	struct xs_node *n;

	snprintf(path, sizeof(path), LIFECYCLE_DIR "/%s/%s", name, key);
	n = pvisor_xs_lookup(pvisor_xs.tree, path);
	return n ? strtoull(n->value->data, NULL, 10) : 0;
}

static void note_number(const char *name, const char *key, uint64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRIu64, v);
	note(name, key, num);
}

static uint64_t now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec;
}

/* Which policy applies to @d's stop, and how to say what happened. */
static enum domcfg_action which(const struct pvnl_domain *d,
				const struct domcfg *cfg, char *what,
				size_t size)
{
	if (d->state == PVISOR_DOMAIN_STATE_CRASHED) {
		snprintf(what, size, "domain %" PRIu32 " crashed (%s)", d->id,
			 d->crash_reason);
		return cfg->on_crash;
	}
	snprintf(what, size, "domain %" PRIu32 " shut down (%s)", d->id,
		 pvnl_shutdown_reason_name(d->shutdown_reason));
	if (d->shutdown_reason == PVISOR_SHUTDOWN_REBOOT)
		return cfg->on_reboot;
	return cfg->on_poweroff;
}

/* A restart right after the last one counts towards a storm. */
static bool restart_storm(const char *name)
{
	uint64_t started = noted(name, "started");
	uint64_t fast = noted(name, "fast-stops");

	if (started && now_secs() - started < window_secs)
		fast++;
	else
		fast = 0;
	note_number(name, "fast-stops", fast);
	return fast >= LIFECYCLE_FAST_MAX;
}

/* Make @cfg's domain again and start it. 0, or -1 with @why. */
static int recreate(struct pvnl *nl, const struct domcfg *cfg, char *why,
		    size_t size)
{
	struct launch l = {
		.kernel = cfg->kernel,
		.ramdisk = cfg->ramdisk[0] ? cfg->ramdisk : NULL,
		.cmdline = cfg->cmdline[0] ? cfg->cmdline : NULL,
		.weight = cfg->cpu_weight,
		.cap = cfg->cap,
	};
	struct pvnl_domain nd, seen;
	char msg[1024];
	int ret;

	ret = pvnl_domain_new(nl, cfg->name, cfg->memory, cfg->vcpus, &nd);
	if (ret) {
		snprintf(why, size, "cannot create it again: %s%s%s",
			 strerror(-ret), pvnl_error_msg(nl)[0] ? ": " : "",
			 pvnl_error_msg(nl));
		return -1;
	}
	/* Its entries first, then its config, then its runner. */
	ret = pvisor_domain_refresh(nd.id, &seen);
	if (!ret)
		ret = pvisor_config_set(nd.id, cfg);
	if (!ret && pvisor_backends_start(nd.id, cfg))
		ret = -EINVAL;
	if (ret) {
		snprintf(why, size, "cannot keep the new domain %" PRIu32
			 "'s config: %s", nd.id, pvisor_xs_errname(ret));
		pvnl_domain_del(nl, nd.id, NULL);
		return -1;
	}
	l.domid = nd.id;
	if (launch_runner(&l, msg, sizeof(msg))) {
		snprintf(why, size, "cannot start the new domain %" PRIu32
			 ": %s", nd.id, msg);
		pvnl_domain_del(nl, nd.id, NULL);
		return -1;
	}
	log_info("%s: restarted as domain %" PRIu32, cfg->name, nd.id);
	return 0;
}

static void destroy(struct pvnl *nl, const struct pvnl_domain *d)
{
	int ret = pvnl_domain_del(nl, d->id, NULL);

	if (ret && ret != -ENOENT)
		log_err("domain %" PRIu32 " (%s): cannot destroy it: %s", d->id,
			d->name, strerror(-ret));
}

void pvisor_lifecycle_stopped(struct pvnl *nl, uint32_t domid)
{
	char what[PVNL_REASON_MAX + 64], why[1200], action[1300];
	enum domcfg_action a;
	struct pvnl_domain d;
	struct domcfg cfg;

	if (pvnl_domain_get(nl, domid, NULL, &d) ||
	    (d.state != PVISOR_DOMAIN_STATE_SHUTDOWN &&
	     d.state != PVISOR_DOMAIN_STATE_CRASHED))
		return;
	if (pvisor_config_get(domid, &cfg) || strcmp(cfg.name, d.name))
		return;		/* not made through pvisord: not ours */
	a = which(&d, &cfg, what, sizeof(what));
	/* Preserved once, it stays so: the next dump finds it again. */
	if (a == DOMCFG_PRESERVE && noted(d.name, "preserved") == domid)
		return;
	log_info("%s (%s): %s", d.name, what, domcfg_action_name(a));
	note(d.name, "last-stop", what);

	if (a == DOMCFG_RESTART && !cfg.kernel[0]) {
		a = DOMCFG_DESTROY;	/* it has nothing to start from */
		snprintf(action, sizeof(action), "destroy (no kernel to "
			 "restart)");
	} else if (a == DOMCFG_RESTART && restart_storm(d.name)) {
		a = DOMCFG_PRESERVE;
		log_err("%s: stopped %d times within %u s of a restart: "
			"preserved, not restarted", d.name, LIFECYCLE_FAST_MAX,
			window_secs);
		snprintf(action, sizeof(action), "preserve (restart storm)");
	} else {
		snprintf(action, sizeof(action), "%s", domcfg_action_name(a));
	}

	switch (a) {
	case DOMCFG_PRESERVE:
		note_number(d.name, "preserved", domid);
		break;
	case DOMCFG_DESTROY:
		destroy(nl, &d);
		break;
	case DOMCFG_RESTART:
		destroy(nl, &d);
		note_number(d.name, "restarts", noted(d.name, "restarts") + 1);
		note_number(d.name, "started", now_secs());
		if (recreate(nl, &cfg, why, sizeof(why))) {
			log_err("%s: restart failed: %s", d.name, why);
			snprintf(action, sizeof(action), "restart failed: %s",
				 why);
		}
		break;
	}
	note(d.name, "action", action);
}
