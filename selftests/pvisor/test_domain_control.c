// SPDX-License-Identifier: GPL-2.0
/*
 * Domain0 controlling running guests: pause stops the vCPUs (a guest that
 * counts stops counting), unpause resumes them, shutdown stops a running
 * or paused domain as shut down and keeps its memory, and destroying a
 * running, paused, crashed or shut-down domain returns the accounting to
 * its baseline. Requests in the wrong state are refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pvisor/hypercall.h>

#include "guestrun.h"
#include "pvtest.h"

#define PREFIX		"dc-"
#define COUNTER		(GR_PFN_RESULTS * 4096)

asm(".pushsection .guest_text, \"ax\"\n"
    ".globl guest_start\n"
    "guest_start:\n"
    ".globl guest_count\n"
    "guest_count:\n"
    "movabs $" GR_STR(GR_ASM_VA(GR_PFN_RESULTS)) ", %rbx\n"
    "1: incq (%rbx)\n jmp 1b\n"
    ".globl guest_fault\n"
    "guest_fault:\n"
    "movabs $" GR_STR(GR_ASM_VA(GR_PFN_HOLE)) ", %rcx\n mov (%rcx), %rax\n"
    ".globl guest_end\n"
    "guest_end:\n"
    ".popsection\n");

extern const char guest_count[], guest_fault[];

static struct pvnl *nl;

static uint32_t state_of(uint32_t id)
{
	struct pvnl_domain dom;

	return pvnl_domain_get(nl, id, NULL, &dom) ? 0 : dom.state;
}

/* Wait until the domain reaches @state; false after 60 s (a hang). */
static bool reaches(uint32_t id, uint32_t state)
{
	for (int i = 0; i < 3000; i++) {
		if (state_of(id) == state)
			return true;
		usleep(20000);
	}
	return false;
}

static uint64_t counter(const struct gr_run *run)
{
	return *(volatile uint64_t *)(run->mem + COUNTER);
}

/* Does the guest's counter move over @ms milliseconds? */
static bool counting(const struct gr_run *run, int ms)
{
	uint64_t before = counter(run);

	usleep(ms * 1000);
	return counter(run) != before;
}

/*
 * Does it move again, within 60 s (a hang detector)? A runner that was
 * just attached or continued takes a moment to get back into the guest.
 */
static bool counts_again(const struct gr_run *run)
{
	uint64_t before = counter(run);

	for (int i = 0; i < 6000; i++) {
		if (counter(run) != before)
			return true;
		usleep(10000);
	}
	return false;
}

static void test_pause_unpause_shutdown(void)
{
	struct gr_run run;
	struct pvnl_domain now;
	uint32_t id;

	gr_start(PREFIX "count", guest_count, false, NULL, &run);
	id = run.dom.id;
	tap_ok(reaches(id, PVISOR_DOMAIN_STATE_RUNNING) && counts_again(&run),
	       "a running guest counts");

	pvt_expect(nl, pvnl_domain_pause(nl, id, NULL), 0, "pause it");
	tap_ok(state_of(id) == PVISOR_DOMAIN_STATE_PAUSED, "it reads as paused");
	/* Pausing sends SIGSTOP: once every vCPU thread has stopped... */
	tap_ok(gr_await_stopped(&run, 60) && !counting(&run, 200),
	       "a paused guest does not count");
	pvt_expect(nl, pvnl_domain_pause(nl, id, NULL), -EINVAL,
		   "pausing a paused domain: EINVAL");

	pvt_expect(nl, pvnl_domain_unpause(nl, id, NULL), 0, "unpause it");
	tap_ok(state_of(id) == PVISOR_DOMAIN_STATE_RUNNING &&
	       counts_again(&run), "it runs and counts again");
	pvt_expect(nl, pvnl_domain_unpause(nl, id, NULL), -EINVAL,
		   "unpausing a running domain: EINVAL");

	pvt_expect(nl, pvnl_domain_pause(nl, id, NULL), 0, "pause it again");
	pvt_expect(nl, pvnl_domain_shutdown(nl, id, NULL, PVISOR_SHUTDOWN_REBOOT),
		   0, "shut the paused domain down (reboot)");
	gr_wait(&run, GR_HANG_SECS);
	tap_ok(run.status != -1 && WIFSIGNALED(run.status) &&
	       WTERMSIG(run.status) == SIGKILL, "its runner is killed");
	tap_ok(!pvnl_domain_get(nl, id, NULL, &now) &&
	       now.state == PVISOR_DOMAIN_STATE_SHUTDOWN &&
	       now.shutdown_reason == PVISOR_SHUTDOWN_REBOOT &&
	       now.frames == GR_BYTES / 4096,
	       "it is shut down with reason reboot and keeps its memory");
	pvt_expect(nl, pvnl_domain_shutdown(nl, id, NULL, 0), -EINVAL,
		   "shutting down a shut-down domain: EINVAL");
	pvt_expect(nl, pvnl_domain_pause(nl, id, NULL), -EINVAL,
		   "pausing a shut-down domain: EINVAL");
	gr_finish(&run);
}

static void test_wrong_requests(void)
{
	struct pvnl_domain created;
	struct nl_msg *msg;
	int ret;

	if (pvnl_domain_new(nl, PREFIX "idle", GR_BYTES, 1, &created))
		tap_bail("create: %s", pvnl_error_msg(nl));
	pvt_expect(nl, pvnl_domain_pause(nl, created.id, NULL), -EINVAL,
		   "pausing a domain that never ran: EINVAL");
	pvt_expect(nl, pvnl_domain_unpause(nl, created.id, NULL), -EINVAL,
		   "unpausing a domain that never ran: EINVAL");
	pvt_expect(nl, pvnl_domain_shutdown(nl, created.id, NULL, 0), -EINVAL,
		   "shutting down a domain that never ran: EINVAL");
	pvt_expect(nl, pvnl_domain_pause(nl, PVISOR_DOMID_MAX, NULL), -ENOENT,
		   "pausing an unknown domain: ENOENT");
	pvt_expect(nl, pvnl_domain_shutdown(nl, 0, NULL, 0), -EINVAL,
		   "shutdown naming no domain: EINVAL");

	/* A crash cannot be ordered from outside: the policy stops at reboot. */
	msg = pvnl_msg_new(nl, PVISOR_CMD_DOMAIN_SHUTDOWN, 0);
	nla_put_u32(msg, PVISOR_A_DOMAIN_ID, created.id);
	nla_put_u32(msg, PVISOR_A_DOMAIN_SHUTDOWN_REASON, PVISOR_SHUTDOWN_CRASH);
	ret = pvnl_send_and_ack(nl, msg);
	nlmsg_free(msg);
	pvt_expect2(nl, ret, -ERANGE, -EINVAL,
		    "shutdown with reason crash: ERANGE or EINVAL");
	tap_ok(state_of(created.id) == PVISOR_DOMAIN_STATE_CREATED,
	       "the refused requests changed nothing");
	pvnl_domain_del(nl, created.id, NULL);
}

static void test_destroy_paused_and_crashed(const struct pvnl_info *base)
{
	struct gr_run paused, crashed;

	gr_start(PREFIX "paused", guest_count, false, NULL, &paused);
	tap_ok(reaches(paused.dom.id, PVISOR_DOMAIN_STATE_RUNNING) &&
	       !pvnl_domain_pause(nl, paused.dom.id, NULL),
	       "a domain runs and is paused");
	gr_run(PREFIX "crashed", guest_fault, false, NULL, &crashed);
	tap_ok(crashed.dom.state == PVISOR_DOMAIN_STATE_CRASHED,
	       "another domain crashed (%s)", crashed.dom.crash_reason);

	pvt_expect(nl, pvnl_domain_del(nl, paused.dom.id, NULL), 0,
		   "destroy the paused domain");
	paused.status = gr_reap(paused.pid, GR_HANG_SECS);
	tap_ok(paused.status != -1 && WIFSIGNALED(paused.status) &&
	       WTERMSIG(paused.status) == SIGKILL,
	       "the paused runner is killed");
	pvt_expect(nl, pvnl_domain_del(nl, crashed.dom.id, NULL), 0,
		   "destroy the crashed domain");

	munmap(paused.mem, GR_BYTES);
	close(paused.mem_fd);
	munmap(crashed.mem, GR_BYTES);
	close(crashed.mem_fd);
	pvt_expect_accounting(nl, base, 0, 0,
			      "paused and crashed domains give all their memory back");
}

int main(void)
{
	struct pvnl_info base;

	nl = gr_setup(PREFIX, 14 + 7 + 6 + 1, &base);

	test_pause_unpause_shutdown();
	test_wrong_requests();
	test_destroy_paused_and_crashed(&base);

	gr_done(&base);
}
