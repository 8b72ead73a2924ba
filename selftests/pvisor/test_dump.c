// SPDX-License-Identifier: GPL-2.0
/*
 * The DOMAIN_GET dump: every domain exactly once, in ascending id order,
 * complete, across many netlink messages (the dump is resumed from a
 * cursor), and flagged NLM_F_DUMP_INTR when domains come or go while it
 * is in progress. An unflagged dump must be a true snapshot.
 *
 * Besides the library's dump, the test reads dumps from a raw socket with
 * a small receive buffer: that forces the kernel to split the dump, shows
 * how many datagrams it took, and lets the test change the domain table
 * at a chosen point in the middle of a dump.
 *
 * Then a thread "moves" domains while dumps run: it destroys one and
 * creates it again under the same name, which gives it a new id at the
 * far end of the id space. A dump that straddles a move can list that
 * name twice (the old id behind its cursor, the new one ahead); a true
 * snapshot never does, so an unflagged dump must not.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "pvtest.h"

#define PREFIX		"dump-"
#define STABLE		300
#define RACE_DUMPS	200
/* The kernel sizes dump skbs after the reader's buffer. */
#define RAW_BUF		8192

static struct pvnl *nl;
static uint32_t stable_ids[STABLE];
/* id -> index + 1 into stable_ids, 0 for ids that are not ours */
static uint16_t stable_index[PVISOR_DOMID_MAX + 1];

/* Long names make each entry big, so the dump needs several messages. */
static void stable_name(unsigned int i, char *buf)
{
	int len = snprintf(buf, PVISOR_NAME_MAX, PREFIX "%03u-", i);

	memset(buf + len, 'x', PVISOR_NAME_MAX - 1 - len);
	buf[PVISOR_NAME_MAX - 1] = '\0';
}

/* ---- checking a dump, however it was read ----------------------------- */

struct walk {
	unsigned int total;
	unsigned int dups;
	unsigned int unordered;
	unsigned int torn;
	unsigned int stable_seen;	/* distinct names of ours */
	unsigned int stable_wrong;	/* malformed, or not under its id */
	unsigned int name_dups;		/* a name of ours listed again */
	uint32_t last_id;
	bool interrupted;
	bool by_name;		/* ids are moving: do not check them */
	unsigned char seen[PVISOR_DOMID_MAX + 1];
	unsigned char name_count[STABLE];
};

static void walk_reset(struct walk *w, bool by_name)
{
	memset(w, 0, sizeof(*w));
	w->by_name = by_name;
}

static void walk_entry(struct walk *w, uint32_t id, const char *name,
		       uint64_t memory, uint64_t frames, uint32_t vcpus,
		       uint32_t state, bool complete)
{
	char want[PVISOR_NAME_MAX];
	unsigned int i;

	w->total++;
	if (!complete || id < 1 || id > PVISOR_DOMID_MAX ||
	    memory != frames * PVT_PAGE || !frames || vcpus < 1 ||
	    vcpus > PVISOR_MAX_VCPUS || state != PVISOR_DOMAIN_STATE_CREATED) {
		w->torn++;
		return;
	}
	if (w->seen[id]++)
		w->dups++;
	if (w->total > 1 && id <= w->last_id)
		w->unordered++;
	w->last_id = id;

	if (strncmp(name, PREFIX, strlen(PREFIX))) {
		if (!w->by_name && stable_index[id])
			w->stable_wrong++;	/* our id, another name */
		return;
	}
	if (sscanf(name + strlen(PREFIX), "%3u", &i) != 1 || i >= STABLE) {
		w->stable_wrong++;
		return;
	}
	stable_name(i, want);
	if (strcmp(name, want) || frames != 1 ||
	    (!w->by_name && stable_index[id] != i + 1)) {
		w->stable_wrong++;
		return;
	}
	if (w->name_count[i]++)
		w->name_dups++;
	else
		w->stable_seen++;
}

/* Nothing repeated, reordered, torn or misnamed. */
static bool walk_clean(const struct walk *w)
{
	return !w->dups && !w->unordered && !w->torn && !w->stable_wrong &&
	       !w->name_dups;
}

static void walk_diag(const char *what, const struct walk *w)
{
	tap_diag("%s: %u entries, %u duplicate ids, %u out of order, %u torn, %u/%u of our names (%u wrong, %u repeated), interrupted %d",
		 what, w->total, w->dups, w->unordered, w->torn, w->stable_seen,
		 STABLE, w->stable_wrong, w->name_dups, w->interrupted);
}

static int walk_cb(const struct pvnl_domain *d, void *arg)
{
	walk_entry(arg, d->id, d->name, d->memory, d->frames, d->vcpus,
		   d->state, true);
	return 0;
}

static int lib_dump(struct walk *w, bool by_name)
{
	int intr = 0, ret;

	walk_reset(w, by_name);
	ret = pvnl_domain_dump(nl, walk_cb, w, &intr);
	w->interrupted = intr;
	return ret;
}

/* ---- a dump read by hand ----------------------------------------------- */

struct raw_dump {
	int fd;
	uint32_t seq;
	unsigned int datagrams;
	bool done;
	int error;		/* from NLMSG_DONE or NLMSG_ERROR */
	unsigned int bad;	/* malformed or foreign messages */
	struct walk *walk;
};

static int raw_start(struct raw_dump *d, struct walk *w, bool by_name)
{
	struct {
		struct nlmsghdr nlh;
		struct genlmsghdr genl;
	} req = {
		.nlh = {
			.nlmsg_len = sizeof(req),
			.nlmsg_type = pvnl_family_id(nl),
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = 1,
		},
		.genl = {
			.cmd = PVISOR_CMD_DOMAIN_GET,
			.version = PVISOR_GENL_VERSION,
		},
	};

	memset(d, 0, sizeof(*d));
	walk_reset(w, by_name);
	d->walk = w;
	d->seq = req.nlh.nlmsg_seq;
	d->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (d->fd < 0)
		return -errno;
	if (send(d->fd, &req, sizeof(req), 0) != sizeof(req)) {
		close(d->fd);
		return -errno;
	}
	return 0;
}

static void raw_domain(struct raw_dump *d, const struct nlmsghdr *nlh)
{
	const struct nlattr *nla;
	const char *name = "";
	uint64_t memory = 0, frames = 0;
	uint32_t id = 0, vcpus = 0, state = 0;
	unsigned int have = 0;
	int rem;

	if (nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN)) {
		d->bad++;
		return;
	}
	nla = (const void *)((const char *)NLMSG_DATA(nlh) + GENL_HDRLEN);
	rem = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	while (rem >= (int)NLA_HDRLEN && nla->nla_len >= NLA_HDRLEN &&
	       nla->nla_len <= rem) {
		const void *data = (const char *)nla + NLA_HDRLEN;
		int len = nla->nla_len - NLA_HDRLEN;

		switch (nla->nla_type & NLA_TYPE_MASK) {
		case PVISOR_A_DOMAIN_ID:
			if (len == 4)
				memcpy(&id, data, 4), have |= 1;
			break;
		case PVISOR_A_DOMAIN_NAME:
			if (len > 0 && len <= PVISOR_NAME_MAX &&
			    ((const char *)data)[len - 1] == '\0')
				name = data, have |= 2;
			break;
		case PVISOR_A_DOMAIN_MEMORY:
			if (len == 8)
				memcpy(&memory, data, 8), have |= 4;
			break;
		case PVISOR_A_DOMAIN_VCPUS:
			if (len == 4)
				memcpy(&vcpus, data, 4), have |= 8;
			break;
		case PVISOR_A_DOMAIN_STATE:
			if (len == 4)
				memcpy(&state, data, 4), have |= 16;
			break;
		case PVISOR_A_DOMAIN_FRAMES:
			if (len == 8)
				memcpy(&frames, data, 8), have |= 32;
			break;
		}
		rem -= NLA_ALIGN(nla->nla_len);
		nla = (const void *)((const char *)nla + NLA_ALIGN(nla->nla_len));
	}
	walk_entry(d->walk, id, name, memory, frames, vcpus, state,
		   have == 63 && rem == 0);
}

/* Read one datagram. Returns 1 once the dump has ended, 0, or -errno. */
static int raw_step(struct raw_dump *d)
{
	static char buf[RAW_BUF];
	const struct nlmsghdr *nlh;
	ssize_t n;
	int len;

	n = recv(d->fd, buf, sizeof(buf), MSG_TRUNC);
	if (n < 0)
		return -errno;
	if (n > (ssize_t)sizeof(buf)) {
		tap_diag("a dump datagram of %zd bytes did not fit %zu", n,
			 sizeof(buf));
		return -EMSGSIZE;
	}
	d->datagrams++;
	len = n;
	for (nlh = (const void *)buf; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
		if (nlh->nlmsg_seq != d->seq) {
			d->bad++;
			continue;
		}
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			d->walk->interrupted = true;
		if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR) {
			if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
				memcpy(&d->error, NLMSG_DATA(nlh), sizeof(int));
			d->done = true;
			return 1;
		}
		if (nlh->nlmsg_type != pvnl_family_id(nl) ||
		    !(nlh->nlmsg_flags & NLM_F_MULTI)) {
			d->bad++;
			continue;
		}
		raw_domain(d, nlh);
	}
	if (len)
		d->bad++;
	return 0;
}

static int raw_finish(struct raw_dump *d)
{
	int ret = 0;

	while (!d->done && (ret = raw_step(d)) == 0)
		;
	close(d->fd);
	return ret < 0 ? ret : d->error;
}

/* ---- a thread that keeps moving domains -------------------------------- */

static volatile bool race_stop;
static volatile unsigned long race_moves;
static int race_error;

static void *racer(void *arg)
{
	struct pvnl *rnl = pvnl_open();
	char name[PVISOR_NAME_MAX];
	struct pvnl_domain dom;
	unsigned long k;
	int ret;

	(void)arg;
	if (!rnl) {
		race_error = -errno;
		return NULL;
	}
	/* Stride through the names so that moves land all over the id space. */
	for (k = 0; !race_stop; k++) {
		stable_name(k * 7 % STABLE, name);
		ret = pvnl_domain_del(rnl, 0, name);
		if (!ret)
			ret = pvnl_domain_new(rnl, name, PVT_PAGE, 0, &dom);
		if (ret) {
			race_error = ret;
			break;
		}
		race_moves = k + 1;
		/* Pause now and then, so some dumps see a quiet table. */
		if (k % 4 == 3)
			usleep(500);
	}
	pvnl_close(rnl);
	return NULL;
}

int main(void)
{
	struct pvnl_info base;
	struct raw_dump raw;
	static struct walk w;
	char name[PVISOR_NAME_MAX];
	struct pvnl_domain dom, extra = { 0 };
	unsigned int i, n, consistent = 0, interrupted = 0, inconsistent = 0;
	unsigned int unclean = 0, incomplete = 0, failed = 0;
	pthread_t thread;
	double start;
	int ret;

	nl = pvt_open();
	pvt_cleanup_prefix_on_abort(PREFIX);
	tap_plan(23);
	pvt_info(nl, &base);

	start = pvt_now();
	for (n = 0; n < STABLE; n++) {
		stable_name(n, name);
		ret = pvnl_domain_new(nl, name, PVT_PAGE, 0, &dom);
		if (ret)
			break;
		stable_ids[n] = dom.id;
		stable_index[dom.id] = n + 1;
	}
	tap_diag("created %u domains in %.2f s", n, pvt_now() - start);
	if (!tap_ok(n == STABLE, "create %u domains with 63-character names", STABLE))
		tap_bail("created only %u: %s (%s)", n, pvt_errno_name(ret),
			 pvnl_error_msg(nl));

	/* The library's dump, nothing changing meanwhile. */
	ret = lib_dump(&w, false);
	pvt_expect(nl, ret, 0, "library dump succeeds");
	tap_ok(w.stable_seen == STABLE && walk_clean(&w),
	       "it lists all %u once, in ascending id order, each complete", STABLE);
	tap_ok(w.total == base.domains + STABLE,
	       "and nothing else (%u entries, %u before)", w.total, base.domains);
	tap_ok(!w.interrupted, "it is not flagged interrupted");
	if (!walk_clean(&w) || w.stable_seen != STABLE)
		walk_diag("library dump", &w);

	/* By hand, with a small buffer: the dump must be resumed many times. */
	ret = raw_start(&raw, &w, false);
	ret = ret ? ret : raw_finish(&raw);
	pvt_expect(NULL, ret, 0, "raw dump with a %u-byte buffer ends in NLMSG_DONE without error",
		   RAW_BUF);
	tap_ok(raw.datagrams >= 4, "it took several datagrams (%u)", raw.datagrams);
	tap_ok(w.stable_seen == STABLE && walk_clean(&w) && !raw.bad &&
	       w.total == base.domains + STABLE,
	       "across them, every domain once, in order, complete");
	tap_ok(!w.interrupted, "no message is flagged interrupted");
	if (!walk_clean(&w) || raw.bad)
		walk_diag("raw dump", &w);

	/* A domain created while the dump is under way must flag it. */
	ret = raw_start(&raw, &w, false);
	ret = ret ? ret : raw_step(&raw);
	if (ret == 0)
		ret = pvnl_domain_new(nl, "dumpextra", PVT_PAGE, 0, &extra);
	ret = ret ? ret : raw_finish(&raw);
	pvt_expect(nl, ret, 0, "a dump with a creation after its first datagram completes");
	tap_ok(w.interrupted, "it is flagged NLM_F_DUMP_INTR");
	tap_ok(walk_clean(&w) && w.stable_seen == STABLE,
	       "and still lists every old domain once, in order");

	/* So must a destruction. */
	ret = raw_start(&raw, &w, false);
	ret = ret ? ret : raw_step(&raw);
	if (ret == 0)
		ret = pvnl_domain_del(nl, extra.id, NULL);
	ret = ret ? ret : raw_finish(&raw);
	pvt_expect(nl, ret, 0, "a dump with a destruction after its first datagram completes");
	tap_ok(w.interrupted, "it is flagged NLM_F_DUMP_INTR");

	/* Holes in the id space: every third domain goes. */
	for (i = 0; i < STABLE; i += 3) {
		if (pvnl_domain_del(nl, stable_ids[i], NULL))
			failed++;
		stable_index[stable_ids[i]] = 0;
	}
	ret = lib_dump(&w, false);
	tap_ok(!ret && !failed && walk_clean(&w) &&
	       w.stable_seen == STABLE - (STABLE + 2) / 3 && !w.interrupted,
	       "after destroying every third domain the dump lists exactly the rest (%u)",
	       w.stable_seen);
	for (i = 0; i < STABLE; i += 3) {
		stable_name(i, name);
		if (pvnl_domain_new(nl, name, PVT_PAGE, 0, &dom)) {
			failed++;
			continue;
		}
		stable_ids[i] = dom.id;
		stable_index[dom.id] = i + 1;
	}
	tap_ok(!failed, "recreate them (new ids at the end of the id space)");

	/*
	 * Dumps racing the mover. Any dump: ids unique and ascending, entries
	 * whole, and no name lost but possibly the one in transit. An
	 * unflagged dump: no name twice, as in any real state of the table.
	 */
	race_stop = false;
	failed = 0;
	if (pthread_create(&thread, NULL, racer, NULL))
		tap_bail("pthread_create failed");
	while (race_moves < 8 && !race_error)
		usleep(1000);
	start = pvt_now();
	for (i = 0; i < RACE_DUMPS; i++) {
		bool use_raw = i & 1;

		if (use_raw) {
			ret = raw_start(&raw, &w, true);
			ret = ret ? ret : raw_finish(&raw);
			if (raw.bad)
				unclean++;
		} else {
			ret = lib_dump(&w, true);
		}
		if (ret) {
			if (!failed++)
				tap_diag("racing dump %u failed: %s", i,
					 pvt_errno_name(ret));
			continue;
		}
		if (w.dups || w.unordered || w.torn || w.stable_wrong) {
			if (!unclean++)
				walk_diag("racing dump", &w);
		}
		if (w.stable_seen < STABLE - 1) {
			if (!incomplete++)
				walk_diag("racing dump lost a domain", &w);
		}
		if (w.interrupted) {
			interrupted++;
		} else if (!w.name_dups) {
			consistent++;
		} else {
			if (!inconsistent++)
				walk_diag("unflagged racing dump is no snapshot", &w);
		}
	}
	race_stop = true;
	pthread_join(thread, NULL);
	tap_diag("%u racing dumps in %.2f s while %lu domains moved: %u interrupted, %u consistent",
		 RACE_DUMPS, pvt_now() - start, race_moves, interrupted,
		 consistent);
	tap_ok(!failed, "every racing dump completed without error (%u failed)",
	       failed);
	tap_ok(!race_error, "the moving thread never failed (%s)",
	       pvt_errno_name(race_error));
	tap_ok(!unclean, "no racing dump repeated an id, reordered or tore an entry (%u did)",
	       unclean);
	tap_ok(!incomplete, "no racing dump lost a domain but the one in transit (%u did)",
	       incomplete);
	tap_ok(!inconsistent, "no unflagged racing dump listed a name twice (%u did)",
	       inconsistent);

	ret = pvt_destroy_prefix(nl, PREFIX);
	tap_ok(ret == STABLE, "destroy the %u domains (%d)", STABLE, ret);
	pvt_expect_accounting(nl, &base, 0, 0,
			      "domains and frames are back at the baseline");

	pvnl_close(nl);
	tap_finish();
}
