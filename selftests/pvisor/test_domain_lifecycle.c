// SPDX-License-Identifier: GPL-2.0
/*
 * A domain's life over the control plane: DOMAIN_NEW, DOMAIN_GET by id,
 * by name and by both, the dump, DOMAIN_DEL by id and by name, and what
 * is (not) left afterwards.
 */

#include <errno.h>
#include <string.h>

#include "pvtest.h"

#define PREFIX	"lc-"

struct expected {
	const char *name;
	uint64_t memory;
	uint32_t vcpus;		/* as requested; 0 = default */
	struct pvnl_domain got;	/* the reply to DOMAIN_NEW */
	unsigned int seen;	/* times the dump listed it */
};

static struct expected doms[] = {
	{ .name = PREFIX "alpha", .memory = 1 * PVT_MIB, .vcpus = 2 },
	{ .name = PREFIX "beta", .memory = 128 * PVT_KIB, .vcpus = 0 },
	{ .name = PREFIX "Gamma.9_x", .memory = PVT_PAGE, .vcpus = PVISOR_MAX_VCPUS },
};

static bool same_domain(const struct pvnl_domain *a,
			const struct pvnl_domain *b)
{
	return a->id == b->id && !strcmp(a->name, b->name) &&
	       a->memory == b->memory && a->vcpus == b->vcpus &&
	       a->state == b->state && a->frames == b->frames;
}

static void diag_domain(const char *what, const struct pvnl_domain *d)
{
	tap_diag("%s: id %u name \"%s\" memory %llu vcpus %u state %u frames %llu",
		 what, d->id, d->name, (unsigned long long)d->memory, d->vcpus,
		 d->state, (unsigned long long)d->frames);
}

/* The reply must describe exactly what was asked for. */
static bool reply_matches(const struct expected *e)
{
	const struct pvnl_domain *d = &e->got;

	return d->id >= 1 && d->id <= PVISOR_DOMID_MAX &&
	       !strcmp(d->name, e->name) && d->memory == e->memory &&
	       d->vcpus == (e->vcpus ? e->vcpus : 1) &&
	       d->state == PVISOR_DOMAIN_STATE_CREATED &&
	       d->frames == e->memory / PVT_PAGE;
}

struct dump_check {
	unsigned int total;
	unsigned int ours_unknown;	/* lc-* domains we did not expect */
	unsigned int mismatched;
};

static int check_listed(const struct pvnl_domain *dom, void *arg)
{
	struct dump_check *c = arg;
	unsigned int i;

	c->total++;
	if (strncmp(dom->name, PREFIX, strlen(PREFIX)))
		return 0;
	for (i = 0; i < PVT_ARRAY_SIZE(doms); i++) {
		if (doms[i].got.id != dom->id)
			continue;
		doms[i].seen++;
		if (!same_domain(&doms[i].got, dom)) {
			c->mismatched++;
			diag_domain("dump entry differs", dom);
		}
		return 0;
	}
	c->ours_unknown++;
	diag_domain("unexpected dump entry", dom);
	return 0;
}

int main(void)
{
	struct pvnl_info base;
	struct pvnl_domain got, again;
	struct dump_check check = { 0 };
	uint64_t frames = 0;
	unsigned int i;
	uint32_t old_id;
	struct pvnl *nl;
	bool all;
	int ret;

	nl = pvt_open();
	pvt_cleanup_prefix_on_abort(PREFIX);
	tap_plan(30);
	pvt_info(nl, &base);

	for (i = 0; i < PVT_ARRAY_SIZE(doms); i++) {
		struct expected *e = &doms[i];

		ret = pvnl_domain_new(nl, e->name, e->memory, e->vcpus, &e->got);
		if (!pvt_expect(nl, ret, 0, "create %s (%llu bytes, vcpus %u)",
				e->name, (unsigned long long)e->memory, e->vcpus))
			tap_bail("cannot create domains");
		if (!tap_ok(reply_matches(e), "reply to creating %s describes it",
			    e->name))
			diag_domain("reply", &e->got);
		frames += e->memory / PVT_PAGE;
	}
	tap_ok(doms[0].got.id != doms[1].got.id &&
	       doms[0].got.id != doms[2].got.id &&
	       doms[1].got.id != doms[2].got.id,
	       "ids are distinct (%u, %u, %u)", doms[0].got.id,
	       doms[1].got.id, doms[2].got.id);

	ret = pvnl_domain_new(nl, doms[0].name, PVT_PAGE, 0, &got);
	pvt_expect(nl, ret, -EEXIST, "a second %s is refused", doms[0].name);
	pvt_expect_accounting(nl, &base, 3, frames,
			      "INFO/sysfs count 3 domains and their frames");

	memset(&got, 0, sizeof(got));
	ret = pvnl_domain_get(nl, doms[0].got.id, NULL, &got);
	tap_ok(!ret && same_domain(&got, &doms[0].got),
	       "get by id %u returns %s as created", doms[0].got.id,
	       doms[0].name);

	memset(&got, 0, sizeof(got));
	ret = pvnl_domain_get(nl, 0, doms[1].name, &got);
	tap_ok(!ret && same_domain(&got, &doms[1].got),
	       "get by name %s returns it as created", doms[1].name);

	memset(&got, 0, sizeof(got));
	ret = pvnl_domain_get(nl, doms[2].got.id, doms[2].name, &got);
	tap_ok(!ret && same_domain(&got, &doms[2].got),
	       "get by matching id and name returns %s", doms[2].name);

	ret = pvnl_domain_dump(nl, check_listed, &check, NULL);
	pvt_expect(nl, ret, 0, "dump succeeds");
	all = true;
	for (i = 0; i < PVT_ARRAY_SIZE(doms); i++)
		all = all && doms[i].seen == 1;
	tap_ok(all && !check.ours_unknown && !check.mismatched,
	       "dump lists each of our domains exactly once, as created");
	tap_ok(check.total == base.domains + 3,
	       "dump lists %u domains in all (INFO said %u before)",
	       check.total, base.domains);

	ret = pvnl_domain_del(nl, doms[0].got.id, NULL);
	pvt_expect(nl, ret, 0, "destroy %s by id", doms[0].name);
	ret = pvnl_domain_get(nl, doms[0].got.id, NULL, &got);
	pvt_expect(nl, ret, -ENOENT, "get by id after destroy: ENOENT");
	ret = pvnl_domain_get(nl, 0, doms[0].name, &got);
	pvt_expect(nl, ret, -ENOENT, "get by name after destroy: ENOENT");
	ret = pvnl_domain_del(nl, doms[0].got.id, NULL);
	pvt_expect(nl, ret, -ENOENT, "destroying it again: ENOENT");
	pvt_expect_accounting(nl, &base, 2,
			      frames - doms[0].memory / PVT_PAGE,
			      "destroying %s returned its frames", doms[0].name);

	ret = pvnl_domain_del(nl, 0, doms[1].name);
	pvt_expect(nl, ret, 0, "destroy %s by name", doms[1].name);
	ret = pvnl_domain_get(nl, 0, doms[1].name, &got);
	pvt_expect(nl, ret, -ENOENT, "get by name after destroy: ENOENT");
	ret = pvnl_domain_get(nl, doms[1].got.id, NULL, &got);
	pvt_expect(nl, ret, -ENOENT, "get by id after destroy: ENOENT");

	memset(&got, 0, sizeof(got));
	ret = pvnl_domain_get(nl, doms[2].got.id, NULL, &got);
	tap_ok(!ret && same_domain(&got, &doms[2].got),
	       "%s is untouched by destroying the others", doms[2].name);
	ret = pvnl_domain_del(nl, doms[2].got.id, doms[2].name);
	pvt_expect(nl, ret, 0, "destroy %s by matching id and name",
		   doms[2].name);

	/* A name is free again once its domain is gone; its id is not reused. */
	old_id = doms[0].got.id;
	memset(&again, 0, sizeof(again));
	ret = pvnl_domain_new(nl, doms[0].name, PVT_PAGE, 0, &again);
	pvt_expect(nl, ret, 0, "the name %s can be used again", doms[0].name);
	tap_ok(!ret && again.id != old_id && again.id != doms[1].got.id &&
	       again.id != doms[2].got.id,
	       "the new %s got a fresh id (%u; old ids %u %u %u)", doms[0].name,
	       again.id, old_id, doms[1].got.id, doms[2].got.id);
	ret = pvnl_domain_del(nl, again.id, NULL);
	pvt_expect(nl, ret, 0, "destroy the new %s", doms[0].name);

	ret = pvt_count_prefix(nl, PREFIX);
	tap_ok(ret == 0, "no " PREFIX "* domain is left in the dump (%d)", ret);
	pvt_expect_accounting(nl, &base, 0, 0,
			      "domains and frames are back at the baseline");

	pvnl_close(nl);
	tap_finish();
}
