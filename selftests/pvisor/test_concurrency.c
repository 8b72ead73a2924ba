// SPDX-License-Identifier: GPL-2.0
/*
 * The control plane under concurrent callers (the family runs its
 * operations in parallel): many creators at once all succeed with
 * distinct ids; many destroyers at once leave nothing behind; creators
 * racing for one name produce exactly one domain; destroyers racing for
 * one domain destroy it exactly once.
 *
 * Every thread has a struct pvnl of its own, as the library requires.
 */

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvtest.h"

#define PREFIX		"conc-"
#define THREADS		8
#define PER_THREAD	50
#define SMALL		(64 * PVT_KIB)
#define RACE_ROUNDS	100
/* Large enough that racing creators overlap while allocating. */
#define RACE_MEMORY	(1 * PVT_MIB)

enum job {
	JOB_CREATE,	/* PER_THREAD domains named conc-<thread>-<i> */
	JOB_DESTROY,	/* the domains another thread created */
	JOB_RACE_NEW,	/* all threads create conc-race */
	JOB_RACE_DEL,	/* all threads destroy the same domain by id */
	JOB_EXIT,
};

struct worker {
	pthread_t thread;
	unsigned int index;
	struct pvnl *nl;
	uint32_t ids[PER_THREAD];
	int errs[PER_THREAD];
	int result;		/* of the race jobs */
	uint32_t race_id;
};

static struct worker workers[THREADS];
static pthread_barrier_t start_line, finish_line;
static enum job current_job;
static uint32_t race_target;

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct pvnl_domain dom;
	char name[PVISOR_NAME_MAX];
	unsigned int i;

	for (;;) {
		pthread_barrier_wait(&start_line);
		switch (current_job) {
		case JOB_CREATE:
			for (i = 0; i < PER_THREAD; i++) {
				snprintf(name, sizeof(name), PREFIX "%u-%u",
					 w->index, i);
				memset(&dom, 0, sizeof(dom));
				w->errs[i] = pvnl_domain_new(w->nl, name, SMALL,
							     0, &dom);
				w->ids[i] = w->errs[i] ? 0 : dom.id;
			}
			break;
		case JOB_DESTROY: {
			/* The next thread's domains, so destroyers interleave. */
			const struct worker *owner =
				&workers[(w->index + 1) % THREADS];

			for (i = 0; i < PER_THREAD; i++)
				w->errs[i] = owner->ids[i] ?
					     pvnl_domain_del(w->nl, owner->ids[i], NULL) :
					     -ENOENT;
			break;
		}
		case JOB_RACE_NEW:
			memset(&dom, 0, sizeof(dom));
			w->result = pvnl_domain_new(w->nl, PREFIX "race",
						    RACE_MEMORY, 0, &dom);
			w->race_id = w->result ? 0 : dom.id;
			break;
		case JOB_RACE_DEL:
			w->result = pvnl_domain_del(w->nl, race_target, NULL);
			break;
		case JOB_EXIT:
			return NULL;
		}
		pthread_barrier_wait(&finish_line);
	}
}

/* Let every worker do @job at the same moment; wait for all of them. */
static void run_job(enum job job)
{
	current_job = job;
	pthread_barrier_wait(&start_line);
	if (job != JOB_EXIT)
		pthread_barrier_wait(&finish_line);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

struct listed {
	unsigned int ours;
	unsigned int bad;
};

static int check_listed(const struct pvnl_domain *dom, void *arg)
{
	struct listed *l = arg;
	unsigned int t, i;

	if (strncmp(dom->name, PREFIX, strlen(PREFIX)))
		return 0;
	l->ours++;
	if (sscanf(dom->name, PREFIX "%u-%u", &t, &i) != 2 ||
	    t >= THREADS || i >= PER_THREAD || workers[t].ids[i] != dom->id)
		l->bad++;
	return 0;
}

int main(void)
{
	static uint32_t all[THREADS * PER_THREAD];
	unsigned int t, i, n = 0, failed = 0, dups = 0, round;
	unsigned int race_bad = 0, race_leak = 0, del_bad = 0;
	struct listed listed = { 0 };
	struct pvnl_info base, now;
	int first_err = 0;
	double start;
	struct pvnl *nl;
	int ret;

	nl = pvt_open();
	pvt_cleanup_prefix_on_abort(PREFIX);
	tap_plan(11);
	pvt_info(nl, &base);

	pthread_barrier_init(&start_line, NULL, THREADS + 1);
	pthread_barrier_init(&finish_line, NULL, THREADS + 1);
	for (t = 0; t < THREADS; t++) {
		workers[t].index = t;
		workers[t].nl = pvnl_open();
		if (!workers[t].nl)
			tap_bail("pvnl_open for thread %u: %s", t,
				 pvt_errno_name(errno));
		if (pthread_create(&workers[t].thread, NULL, worker_main,
				   &workers[t]))
			tap_bail("pthread_create failed");
	}

	start = pvt_now();
	run_job(JOB_CREATE);
	tap_diag("%u threads created %u domains in %.2f s", THREADS,
		 THREADS * PER_THREAD, pvt_now() - start);
	for (t = 0; t < THREADS; t++)
		for (i = 0; i < PER_THREAD; i++) {
			if (workers[t].errs[i]) {
				if (!failed++)
					first_err = workers[t].errs[i];
				continue;
			}
			all[n++] = workers[t].ids[i];
		}
	if (!tap_ok(!failed, "all %u concurrent creations succeeded (%u failed)",
		    THREADS * PER_THREAD, failed))
		tap_diag("first failure: %s", pvt_errno_name(first_err));
	qsort(all, n, sizeof(all[0]), cmp_u32);
	for (i = 1; i < n; i++)
		if (all[i] == all[i - 1])
			dups++;
	tap_ok(!dups && n && all[0] >= 1 && all[n - 1] <= PVISOR_DOMID_MAX,
	       "their ids are distinct and in range (%u duplicates)", dups);
	pvt_expect_accounting(nl, &base, n, (int64_t)n * (SMALL / PVT_PAGE),
			      "INFO/sysfs count all %u domains and their frames", n);
	ret = pvnl_domain_dump(nl, check_listed, &listed, NULL);
	tap_ok(!ret && listed.ours == n && !listed.bad,
	       "the dump lists each of them once under its own name and id (%u, %u bad)",
	       listed.ours, listed.bad);

	start = pvt_now();
	run_job(JOB_DESTROY);
	tap_diag("%u threads destroyed them in %.2f s", THREADS,
		 pvt_now() - start);
	failed = 0;
	for (t = 0; t < THREADS; t++)
		for (i = 0; i < PER_THREAD; i++)
			if (workers[(t + 1) % THREADS].ids[i] && workers[t].errs[i])
				failed++;
	tap_ok(!failed, "all concurrent destructions succeeded (%u failed)",
	       failed);
	pvt_expect_accounting(nl, &base, 0, 0,
			      "domains and frames are back at the baseline");

	/* Same name from every thread at once: one winner. */
	for (round = 0; round < RACE_ROUNDS; round++) {
		unsigned int winners = 0, eexist = 0;
		uint32_t winner_id = 0;

		run_job(JOB_RACE_NEW);
		for (t = 0; t < THREADS; t++) {
			if (!workers[t].result) {
				winners++;
				winner_id = workers[t].race_id;
			} else if (workers[t].result == -EEXIST) {
				eexist++;
			}
		}
		if (winners != 1 || eexist != THREADS - 1) {
			if (!race_bad++)
				tap_diag("round %u: %u winners, %u EEXIST", round,
					 winners, eexist);
		}
		/* The losers' reservations must be gone already. */
		pvt_info(nl, &now);
		if (now.domains != base.domains + winners ||
		    now.frames_used != base.frames_used +
				       winners * (RACE_MEMORY / PVT_PAGE)) {
			if (!race_leak++)
				tap_diag("round %u: %u domains, %llu frames after the race",
					 round, now.domains,
					 (unsigned long long)now.frames_used);
		}
		if (winners) {
			unsigned int ok = 0, enoent = 0;

			/* And every thread destroys the winner at once. */
			race_target = winner_id;
			run_job(JOB_RACE_DEL);
			for (t = 0; t < THREADS; t++) {
				if (!workers[t].result)
					ok++;
				else if (workers[t].result == -ENOENT)
					enoent++;
			}
			if (ok != 1 || enoent != THREADS - 1) {
				if (!del_bad++)
					tap_diag("round %u: %u destroyed, %u ENOENT",
						 round, ok, enoent);
			}
		}
		pvt_destroy_prefix(nl, PREFIX);
	}
	tap_ok(!race_bad, "%u rounds of %u threads creating one name: one winner, the rest EEXIST (%u bad rounds)",
	       RACE_ROUNDS, THREADS, race_bad);
	tap_ok(!race_leak, "the losers left no domain or frames behind (%u bad rounds)",
	       race_leak);
	tap_ok(!del_bad, "%u threads destroying one domain: one succeeds, the rest ENOENT (%u bad rounds)",
	       THREADS, del_bad);

	run_job(JOB_EXIT);
	for (t = 0; t < THREADS; t++) {
		pthread_join(workers[t].thread, NULL);
		pvnl_close(workers[t].nl);
	}

	ret = pvt_count_prefix(nl, PREFIX);
	tap_ok(ret == 0, "the dump lists no " PREFIX "* domain (%d)", ret);
	pvt_expect_accounting(nl, &base, 0, 0,
			      "domains and frames are back at the baseline");

	pvnl_close(nl);
	tap_finish();
}
