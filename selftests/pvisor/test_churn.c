// SPDX-License-Identifier: GPL-2.0
/*
 * Create and destroy small domains over and over: nothing may leak (frames,
 * domain slots, host memory), and ids are handed out cyclically, so an id
 * that was just freed is not given out again straight away.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvtest.h"

#define PREFIX		"churn-"
#define CYCLES		1000
#define SMALL		(64 * PVT_KIB)
#define BATCH		16
#define BATCH_ROUNDS	20

/*
 * Leaking one page per cycle would cost 4000 KiB; slab caches growing
 * along the way cost far less.
 */
#define SLACK_KB	(2 * 1024)

/*
 * Does this kernel keep freed memory in KASAN's quarantine (the debug
 * kernel, Documentation/testing.rst)? Then MemFree cannot show a leak.
 */
static bool kasan_quarantine(void)
{
	char line[256];
	bool found = false;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, " kasan_quarantine_put\n") != NULL;
	fclose(f);
	return found;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorted copy; true when no value appears twice. */
static bool all_distinct(const uint32_t *ids, unsigned int n)
{
	uint32_t *sorted = malloc(n * sizeof(*sorted));
	unsigned int i;
	bool distinct = true;

	if (!sorted)
		tap_bail("out of memory");
	memcpy(sorted, ids, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_u32);
	for (i = 1; i < n; i++)
		if (sorted[i] == sorted[i - 1]) {
			tap_diag("id %u was handed out twice", sorted[i]);
			distinct = false;
			break;
		}
	free(sorted);
	return distinct;
}

int main(void)
{
	static uint32_t ids[CYCLES];
	struct pvnl_info base, mid;
	struct pvnl_domain dom;
	unsigned int i, round, create_fail = 0, del_fail = 0, bad_reply = 0;
	unsigned int reused = 0, batch_fail = 0, order_fail = 0;
	long long free_before, free_after;
	int first_err = 0;
	double start;
	struct pvnl *nl;
	int ret;

	nl = pvt_open();
	pvt_cleanup_prefix_on_abort(PREFIX);
	tap_plan(11);
	pvt_info(nl, &base);
	free_before = pvt_free_kb();
	start = pvt_now();

	/* One name, over and over: the name is free again after each destroy. */
	for (i = 0; i < CYCLES; i++) {
		uint64_t memory = i % 100 == 99 ? PVT_MIB : SMALL;

		memset(&dom, 0, sizeof(dom));
		ret = pvnl_domain_new(nl, PREFIX "one", memory, 0, &dom);
		if (ret) {
			if (!create_fail++)
				first_err = ret;
			continue;
		}
		ids[i - create_fail] = dom.id;
		if (dom.frames != memory / PVT_PAGE || dom.memory != memory)
			bad_reply++;
		if (i > create_fail && dom.id == ids[i - create_fail - 1])
			reused++;
		ret = pvnl_domain_del(nl, dom.id, NULL);
		if (ret && !del_fail++)
			first_err = ret;
		if (i == CYCLES / 2) {
			pvt_info(nl, &mid);
			if (mid.domains != base.domains ||
			    mid.frames_used != base.frames_used)
				tap_diag("half way: %u domains, %llu frames (baseline %u, %llu)",
					 mid.domains,
					 (unsigned long long)mid.frames_used,
					 base.domains,
					 (unsigned long long)base.frames_used);
		}
	}
	tap_diag("%u create/destroy cycles in %.2f s", CYCLES, pvt_now() - start);
	if (create_fail || del_fail)
		tap_diag("first failure: %s (%s)", pvt_errno_name(first_err),
			 pvnl_error_msg(nl));
	tap_ok(!create_fail, "%u creations succeeded (%u failed)", CYCLES,
	       create_fail);
	tap_ok(!del_fail, "%u destructions succeeded (%u failed)",
	       CYCLES - create_fail, del_fail);
	tap_ok(!bad_reply, "every reply had the right memory and frames (%u bad)",
	       bad_reply);
	tap_ok(!reused, "no id was handed out twice in a row (%u times)", reused);
	tap_ok(all_distinct(ids, CYCLES - create_fail),
	       "all %u ids are distinct (cyclic allocation)", CYCLES - create_fail);
	pvt_expect_accounting(nl, &base, 0, 0,
			      "after %u cycles domains and frames are at the baseline",
			      CYCLES);

	/* Batches leave holes in the id space and free out of order. */
	start = pvt_now();
	for (round = 0; round < BATCH_ROUNDS; round++) {
		uint32_t batch[BATCH];
		int err;
		unsigned int n = pvt_create_many(nl, PREFIX "b", BATCH, SMALL,
						 batch, &err);

		if (n != BATCH && !batch_fail++)
			tap_diag("round %u: created %u of %u: %s (%s)", round, n,
				 BATCH, pvt_errno_name(err), pvnl_error_msg(nl));
		if (!all_distinct(batch, n))
			order_fail++;
		/* Odd slots first, then even ones from the top down. */
		for (i = 1; i < n; i += 2)
			if (pvnl_domain_del(nl, batch[i], NULL))
				batch_fail++;
		for (i = n; i-- > 0;)
			if (!(i & 1) && pvnl_domain_del(nl, batch[i], NULL))
				batch_fail++;
	}
	tap_diag("%u batches of %u in %.2f s", BATCH_ROUNDS, BATCH,
		 pvt_now() - start);
	tap_ok(!batch_fail, "%u rounds of %u creations and out-of-order destructions",
	       BATCH_ROUNDS, BATCH);
	tap_ok(!order_fail, "ids within each batch are distinct (%u bad batches)",
	       order_fail);
	pvt_expect_accounting(nl, &base, 0, 0,
			      "after the batches domains and frames are at the baseline");

	ret = pvt_count_prefix(nl, PREFIX);
	tap_ok(ret == 0, "the dump lists no " PREFIX "* domain (%d)", ret);

	free_after = pvt_free_kb();
	if (kasan_quarantine())
		tap_skip(1, "free memory says nothing under KASAN, whose "
			 "quarantine holds what was freed (%lld KiB free before, "
			 "%lld after); kmemleak checks this kernel at the end",
			 free_before, free_after);
	else
		tap_ok(free_after >= free_before - SLACK_KB,
		       "host memory did not leak (%lld KiB free before, %lld after)",
		       free_before, free_after);

	pvnl_close(nl);
	tap_finish();
}
