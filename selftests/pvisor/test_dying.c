// SPDX-License-Identifier: GPL-2.0
/*
 * A destroyed domain is dying: from DOMAIN_DEL on, nothing can bind a
 * channel to it, attach a runner to it or find it, and its event
 * channels are torn down in one pass, so its frames go back to the host
 * as soon as the last reference does, however busy its peers are.
 *
 * - Several domains bound to a long-lived peer whose guest keeps closing
 *   and binding its ports again, while Domain0 keeps binding more, are
 *   destroyed under that churn: with the peer still alive, frames_used
 *   is back at the baseline plus the peer's own.
 * - Domain0 binds a domain to itself (EVTCHN_BIND a == a) over and over
 *   while the domain is destroyed: no self-channel outlives it.
 * - RUNNER_ATTACH races DOMAIN_DEL: the would-be runner either fails
 *   (ENOENT) or is killed by the destroy; it never runs a domain that
 *   is no longer in the table.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pvisor/device.h>
#include <pvisor/event.h>

#include "guestrun.h"
#include "pvtest.h"

#define PREFIX		"dy-"
#define NR_DOOMED	8
#define CHANNELS	8	/* peer <-> each doomed domain */
#define SELF_ROUNDS	60
#define ATTACH_ROUNDS	40

#define STR(x)		GR_STR(x)
#define HCALL(nr)	GR_HCALL(nr)
#define RES		STR(GR_ASM_VA(GR_PFN_RESULTS))
#define SCRATCH		STR(GR_ASM_VA(GR_PFN_SCRATCH))
#define MARKER		0x600d

/* Scratch: how many entries, the host's stop word, shutdown, entries. */
#define S_COUNT		0x18
#define S_STOP		0x20
#define S_SHUTDOWN	0x60
#define S_TABLE		0x100	/* struct pvisor_evtchn_bind_interdomain + pad */
#define ENTRY_SIZE	16

/*
 * The churning peer: for every entry, close its local port (the doomed
 * side becomes unbound, offered back to us) and bind it again, until
 * the host says stop. A bind that fails forgets the port.
 */
asm(".pushsection .guest_text, \"ax\"\n"
    ".globl guest_start\n"
    "guest_start:\n"
    ".globl guest_churn\n"
    "guest_churn:\n"
    "movabs $" RES ", %rbx\n movabs $" SCRATCH ", %r12\n"
    "xor %r15d, %r15d\n"
    "0: cmpq $0, " STR(S_STOP) "(%r12)\n jne 9f\n"
    "lea " STR(S_TABLE) "(%r12), %r13\n"
    "mov " STR(S_COUNT) "(%r12), %r14\n"
    "1: test %r14, %r14\n jz 8f\n"
    "mov $3, %edi\n lea 8(%r13), %rsi\n" HCALL(32)
    "mov $0, %edi\n mov %r13, %rsi\n" HCALL(32)
    "test %rax, %rax\n jz 2f\n"
    "movl $0, 8(%r13)\n"
    "2: add $" STR(ENTRY_SIZE) ", %r13\n dec %r14\n jmp 1b\n"
    "8: inc %r15\n jmp 0b\n"
    "9: mov %r15, 0(%rbx)\n movq $" STR(MARKER) ", 8(%rbx)\n"
    "mov $2, %edi\n lea " STR(S_SHUTDOWN) "(%r12), %rsi\n" HCALL(29)
    "ud2\n"
    ".globl guest_end\n"
    "guest_end:\n"
    ".popsection\n");

extern const char guest_churn[];

static struct pvnl *nl;

/*
 * Domain0's binders: BINDERS threads, each with its own connection, keep
 * connecting domain a to the domains in ids, so that several binds are
 * always in flight when one of those domains is destroyed.
 */
#define BINDERS		4

struct binder {
	pthread_t thread;
	struct pvnl *nl;
	unsigned int index;
	unsigned long bound;
};

static struct {
	struct binder b[BINDERS];
	uint32_t a;
	const uint32_t *ids;
	unsigned int nr;
	atomic_bool stop;
} binders;

static void *binder_main(void *arg)
{
	struct binder *b = arg;
	unsigned int i = b->index;
	uint32_t pa, pb;

	while (!atomic_load(&binders.stop)) {
		if (!pvnl_evtchn_bind(b->nl, binders.a,
				      binders.ids[i % binders.nr], &pa, &pb))
			b->bound++;
		i++;
	}
	return NULL;
}

static void binders_start(uint32_t a, const uint32_t *ids, unsigned int nr)
{
	binders.a = a;
	binders.ids = ids;
	binders.nr = nr;
	atomic_store(&binders.stop, false);
	for (unsigned int i = 0; i < BINDERS; i++) {
		struct binder *b = &binders.b[i];

		b->index = i;
		b->bound = 0;
		b->nl = pvnl_open();
		if (!b->nl)
			tap_bail("another netlink connection: %s", strerror(errno));
		if (pthread_create(&b->thread, NULL, binder_main, b))
			tap_bail("pthread_create");
	}
}

/* Stop them; how many channels they bound. */
static unsigned long binders_stop(void)
{
	unsigned long bound = 0;

	atomic_store(&binders.stop, true);
	for (unsigned int i = 0; i < BINDERS; i++) {
		pthread_join(binders.b[i].thread, NULL);
		pvnl_close(binders.b[i].nl);
		bound += binders.b[i].bound;
	}
	return bound;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void test_churning_peer(const struct pvnl_info *base)
{
	const uint64_t scratch = GR_PFN_SCRATCH * 4096;
	uint32_t ids[NR_DOOMED];
	struct pvisor_evtchn_bind_interdomain e;
	unsigned long bound;
	struct gr_run peer;
	char name[PVISOR_NAME_MAX];
	unsigned int i, k, n = 0;
	struct pvnl_domain d;
	uint32_t pp, pd;
	int err = 0;

	gr_create(PREFIX "peer", guest_churn, true, NULL, &peer);
	for (i = 0; i < NR_DOOMED; i++) {
		snprintf(name, sizeof(name), PREFIX "doomed%u", i);
		if (pvnl_domain_new(nl, name, GR_BYTES, 1, &d))
			tap_bail("create %s: %s", name, pvnl_error_msg(nl));
		ids[i] = d.id;
		for (k = 0; k < CHANNELS; k++) {
			err = err ?: pvnl_evtchn_bind(nl, peer.dom.id, d.id,
						      &pp, &pd);
			e = (struct pvisor_evtchn_bind_interdomain) {
				.remote_dom = d.id,
				.remote_port = pd,
				.local_port = pp,
			};
			memcpy(peer.mem + scratch + S_TABLE + n * ENTRY_SIZE,
			       &e, sizeof(e));
			n++;
		}
	}
	tap_ok(!err, "Domain0 binds the peer to %u domains, %u channels each",
	       NR_DOOMED, CHANNELS);
	gr_put64(peer.mem, scratch + S_COUNT, n);

	gr_launch(&peer);
	sleep_ms(200);		/* let the churn get going */
	binders_start(peer.dom.id, ids, NR_DOOMED);
	for (i = 0; i < NR_DOOMED; i++) {
		err = err ?: pvnl_domain_del(nl, ids[i], NULL);
		sleep_ms(20);
	}
	bound = binders_stop();
	tap_ok(!err, "all %u domains destroyed under the churn (Domain0 bound %lu more channels meanwhile)",
	       NR_DOOMED, bound);

	gr_put64(peer.mem, scratch + S_STOP, 1);
	gr_wait(&peer, GR_HANG_SECS);
	tap_ok(gr_get64(peer.mem, GR_PFN_RESULTS * 4096 + 8) == MARKER &&
	       peer.dom.state == PVISOR_DOMAIN_STATE_SHUTDOWN,
	       "the peer churned %llu rounds and powered off ('%s')",
	       (unsigned long long)gr_get64(peer.mem, GR_PFN_RESULTS * 4096),
	       peer.dom.crash_reason);
	/* The peer still exists, with every channel it could keep. */
	pvt_expect_accounting(nl, base, 1, GR_BYTES / 4096,
			      "with the peer alive, only its own frames are in use: the destroyed domains' came back");
	gr_finish(&peer);
}

static void test_self_bind_race(const struct pvnl_info *base)
{
	unsigned int round, raced = 0;
	struct pvnl_domain d;
	int err = 0;

	for (round = 0; round < SELF_ROUNDS && !err; round++) {
		err = pvnl_domain_new(nl, PREFIX "self", GR_BYTES, 1, &d);
		if (err)
			break;
		binders_start(d.id, &d.id, 1);
		sleep_ms(5 + round % 7);
		err = pvnl_domain_del(nl, d.id, NULL);
		raced += binders_stop() > 0;
	}
	tap_ok(!err, "%u rounds of EVTCHN_BIND a == a racing DOMAIN_DEL (%u bound before the end)",
	       round, raced);
	pvt_expect_accounting(nl, base, 0, 0,
			      "no self-channel kept a destroyed domain's frames");
}

/*
 * The would-be runner: wait for the word, attach, and report. Exit 1:
 * refused with ENOENT; 2: another error; 0: attached and lived on.
 */
static void attacher(uint32_t domid, int go)
{
	struct pvisor_runner_attach arg = { .domid = domid };
	char c;
	int fd;

	if (read(go, &c, 1) != 1)
		_exit(3);
	fd = ioctl(gr_dev(), PVISOR_IOCTL_RUNNER_ATTACH, &arg);
	if (fd < 0)
		_exit(errno == ENOENT ? 1 : 2);
	sleep(3);	/* a destroy that saw us kills us meanwhile */
	_exit(0);
}

static void test_attach_race(const struct pvnl_info *base)
{
	unsigned int round, refused = 0, killed = 0, survived = 0, other = 0;
	struct pvnl_domain d;
	int pipefd[2], status, err = 0;
	pid_t pid;

	for (round = 0; round < ATTACH_ROUNDS && !err; round++) {
		err = pvnl_domain_new(nl, PREFIX "attach", GR_BYTES, 1, &d);
		if (err || pipe(pipefd))
			break;
		pid = fork();
		if (pid == 0) {
			close(pipefd[1]);
			attacher(d.id, pipefd[0]);
		}
		close(pipefd[0]);
		if (write(pipefd[1], "g", 1) != 1)
			tap_bail("write: %s", strerror(errno));
		close(pipefd[1]);
		if (round % 3)
			sched_yield();
		err = pvnl_domain_del(nl, d.id, NULL);
		status = gr_reap(pid, GR_HANG_SECS);
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			killed++;
		else if (WIFEXITED(status) && WEXITSTATUS(status) == 1)
			refused++;
		else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			survived++;
		else
			other++;
	}
	tap_ok(!err && round == ATTACH_ROUNDS,
	       "%u rounds of RUNNER_ATTACH racing DOMAIN_DEL", round);
	tap_ok(survived == 0 && other == 0,
	       "no runner outlived its domain's destruction: %u refused (ENOENT), %u killed, %u survived, %u other",
	       refused, killed, survived, other);
	pvt_expect_accounting(nl, base, 0, 0,
			      "the raced domains' frames are all back");
}

int main(void)
{
	struct pvnl_info base;

	nl = gr_setup(PREFIX, 4 + 2 + 3 + 1, &base);

	test_churning_peer(&base);
	test_self_bind_race(&base);
	test_attach_race(&base);

	gr_done(&base);
}
