// SPDX-License-Identifier: GPL-2.0
/*
 * VCPU_GET and EVTCHN_GET, read from Domain0 while a guest runs
 * (guestrun). The 2-vCPU guest's boot vCPU binds an IPI to itself, the
 * timer VIRQ, an unbound port offered to itself and an IPI to vCPU 1;
 * masks the first IPI and sends on it (pending and masked), masks the
 * unbound port, ups vCPU 1, which spins with no event callback, sends it
 * its IPI (pending, unmasked, never delivered), and blocks for good. The
 * host reads both listings once the guest says it is ready and checks
 * every field; pauses the domain (vCPUs "paused"), shuts it down
 * (vCPUs "stopped", CPU time kept, ports still listed), and tries the
 * bad inputs: no such domain, no selector, selectors that disagree, an
 * attribute the dump does not take, a "do" request, an unprivileged
 * caller.
 */
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pvisor/event.h>

#include "guestrun.h"
#include "pvtest.h"

#define PREFIX		"lst-"
#define STR(x)		GR_STR(x)
#define HCALL(nr)	GR_HCALL(nr)
#define RES		STR(GR_ASM_VA(GR_PFN_RESULTS))
#define SCRATCH		STR(GR_ASM_VA(GR_PFN_SCRATCH))
#define SHINFO		STR(GR_SHINFO)

/* Scratch: the argument structures the guest hands to the module. */
#define S_IPI0		0x010	/* bind_ipi {vcpu 0, port} */
#define S_VIRQ		0x020	/* bind_virq {TIMER, vcpu 0, port} */
#define S_UNBOUND	0x030	/* alloc_unbound {self, port} */
#define S_IPI1		0x040	/* bind_ipi {vcpu 1, port} */
#define S_START		0x060	/* struct pvisor_vcpu_start for vCPU 1 */

enum {
	R_IPI0, R_VIRQ, R_UNBOUND, R_IPI1, R_SEND0, R_INIT, R_UP, R_SEND1,
	R_READY, NR_RESULTS
};
#define SPINNING	0x900	/* vCPU 1 is in its loop */
#define MARKER		0x600d

#define EVTCHN(cmd, off)						\
	"mov $" #cmd ", %edi\n lea " #off "(%r12), %rsi\n" HCALL(32)
#define SAVE(slot)	"mov %rax, " #slot " * 8(%rbx)\n"
/* Set the mask bit of the port stored at scratch + @off. */
#define MASK(off)	"mov " #off "(%r12), %eax\n lock bts %rax, 2560(%r13)\n"

asm(".pushsection .guest_text, \"ax\"\n"
    ".globl guest_start\n"
    "guest_start:\n"

    /* vCPU 1: says so, then spins in guest code for good */
    ".globl guest_spinner\n"
    "guest_spinner:\n"
    "movabs $" RES ", %rbx\n"
    "movq $1, " STR(SPINNING) "(%rbx)\n"
    "1: pause\n jmp 1b\n"

    ".globl guest_listings\n"
    "guest_listings:\n"
    "movabs $" RES ", %rbx\n movabs $" SCRATCH ", %r12\n"
    "movabs $" SHINFO ", %r13\n"
    EVTCHN(7, 0x010) SAVE(0)		/* IPI to vCPU 0 */
    EVTCHN(1, 0x020) SAVE(1)		/* VIRQ_TIMER on vCPU 0 */
    EVTCHN(6, 0x030) SAVE(2)		/* unbound, offered to ourselves */
    EVTCHN(7, 0x040) SAVE(3)		/* IPI to vCPU 1 */
    MASK(0x14) EVTCHN(4, 0x014) SAVE(4)	/* masked, then pending */
    MASK(0x34)
    "xor %edi, %edi\n mov $1, %esi\n lea 0x60(%r12), %rdx\n"
    HCALL(24) SAVE(5)			/* initialise vCPU 1 */
    "mov $1, %edi\n mov $1, %esi\n" HCALL(24) SAVE(6)	/* up */
    "2: pause\n cmpq $0, " STR(SPINNING) "(%rbx)\n je 2b\n"
    EVTCHN(4, 0x044) SAVE(7)		/* pending on vCPU 1, unmasked */
    "movq $" STR(MARKER) ", 8 * 8(%rbx)\n"
    "3: mov $1, %edi\n" HCALL(29) "jmp 3b\n"	/* block for good */

    ".globl guest_end\n"
    "guest_end:\n"
    ".popsection\n");

extern const char guest_spinner[], guest_listings[];

static void prepare(uint8_t *mem)
{
	struct pvisor_vcpu_start start = {
		.rip = gr_code_va(guest_spinner),
		.rsp = GR_VA(GR_PFN_SCRATCH + 2),	/* the top of pfn 11 */
		.pt_base_pfn = GR_PFN_L4,
	};

	gr_scratch_put32(mem, S_IPI0, 0);
	gr_scratch_put32(mem, S_VIRQ, PVISOR_VIRQ_TIMER);
	gr_scratch_put32(mem, S_VIRQ + 4, 0);
	gr_scratch_put32(mem, S_UNBOUND, PVISOR_DOMID_SELF);
	gr_scratch_put32(mem, S_IPI1, 1);
	memcpy(mem + GR_PFN_SCRATCH * 4096 + S_START, &start, sizeof(start));
}

/* What a listing brought back. */
struct vcpus {
	struct pvnl_vcpu v[4];
	unsigned int n;
};

struct ports {
	struct pvnl_evtchn v[8];
	unsigned int n;
};

static int add_vcpu(const struct pvnl_vcpu *vcpu, void *arg)
{
	struct vcpus *l = arg;

	if (l->n < PVT_ARRAY_SIZE(l->v))
		l->v[l->n] = *vcpu;
	l->n++;
	return 0;
}

static int add_port(const struct pvnl_evtchn *chn, void *arg)
{
	struct ports *l = arg;

	if (l->n < PVT_ARRAY_SIZE(l->v))
		l->v[l->n] = *chn;
	l->n++;
	return 0;
}

static int read_vcpus(struct pvnl *nl, uint32_t id, const char *name,
		      struct vcpus *l)
{
	memset(l, 0, sizeof(*l));
	return pvnl_vcpu_dump(nl, id, name, add_vcpu, l);
}

static int read_ports(struct pvnl *nl, uint32_t id, const char *name,
		      struct ports *l)
{
	memset(l, 0, sizeof(*l));
	return pvnl_evtchn_dump(nl, id, name, add_port, l);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Both vCPUs in @state0 and @state1, for the domain @id. */
static bool vcpus_are(const struct vcpus *l, uint32_t id, uint32_t state0,
		      uint32_t state1)
{
	return l->n == 2 && l->v[0].domid == id && l->v[1].domid == id &&
	       l->v[0].vcpu == 0 && l->v[1].vcpu == 1 &&
	       l->v[0].state == state0 && l->v[1].state == state1;
}

static bool port_is(const struct pvnl_evtchn *c, uint32_t id, uint32_t port,
		    uint32_t state, uint32_t vcpu, uint32_t peer_id,
		    uint32_t virq, bool pending, bool masked)
{
	bool ok = c->domid == id && c->port == port && c->state == state &&
		  c->vcpu == vcpu && c->peer_id == peer_id &&
		  c->peer_port == 0 && c->virq == virq &&
		  c->pending == pending && c->masked == masked;

	if (!ok)
		tap_diag("port %u: domid %u state %u vcpu %u peer %u:%u virq %u "
			 "pending %u masked %u", c->port, c->domid, c->state,
			 c->vcpu, c->peer_id, c->peer_port, c->virq,
			 c->pending, c->masked);
	return ok;
}

static void test_running_guest(struct pvnl *nl)
{
	const uint64_t res = GR_PFN_RESULTS * 4096;
	uint32_t ipi0, virq, unbound, ipi1, id;
	uint64_t time1_before;
	struct ports ports;
	struct vcpus vcpus;
	struct gr_run run;
	int i, ret;

	gr_start(PREFIX "guest", guest_listings, true, prepare, &run);
	id = run.dom.id;
#define SLOT(r)	((int64_t)gr_get64(run.mem, res + (r) * 8))
	for (i = 0; i < 3000 && SLOT(R_READY) != MARKER; i++)
		sleep_ms(20);
	if (!tap_ok(SLOT(R_READY) == MARKER && SLOT(R_IPI0) == 0 &&
		    SLOT(R_VIRQ) == 0 && SLOT(R_UNBOUND) == 0 &&
		    SLOT(R_IPI1) == 0 && SLOT(R_SEND0) == 0 &&
		    SLOT(R_INIT) == 0 && SLOT(R_UP) == 0 && SLOT(R_SEND1) == 0,
		    "the guest bound its ports, upped vCPU 1 and is ready"))
		tap_bail("the guest never got ready (results %lld %lld %lld "
			 "%lld %lld %lld %lld %lld)", (long long)SLOT(0),
			 (long long)SLOT(1), (long long)SLOT(2),
			 (long long)SLOT(3), (long long)SLOT(4),
			 (long long)SLOT(5), (long long)SLOT(6),
			 (long long)SLOT(7));
#undef SLOT
	ipi0 = gr_scratch_get32(run.mem, S_IPI0 + 4);
	virq = gr_scratch_get32(run.mem, S_VIRQ + 8);
	unbound = gr_scratch_get32(run.mem, S_UNBOUND + 4);
	ipi1 = gr_scratch_get32(run.mem, S_IPI1 + 4);

	/* The block follows the ready flag by a hypercall: wait for it. */
	for (i = 0; i < 3000; i++) {
		ret = read_vcpus(nl, id, NULL, &vcpus);
		if (ret || vcpus_are(&vcpus, id, PVISOR_VCPU_STATE_BLOCKED,
				     PVISOR_VCPU_STATE_RUNNING))
			break;
		sleep_ms(20);
	}
	pvt_expect(nl, ret, 0, "VCPU_GET by id while the guest runs");
	tap_ok(vcpus_are(&vcpus, id, PVISOR_VCPU_STATE_BLOCKED,
			 PVISOR_VCPU_STATE_RUNNING),
	       "vCPU 0 is blocked, vCPU 1 running (%u vCPUs: %s, %s)",
	       vcpus.n, pvnl_vcpu_state_name(vcpus.v[0].state),
	       pvnl_vcpu_state_name(vcpus.v[1].state));
	tap_ok(vcpus.v[0].cpu_time_ns > 0 && vcpus.v[1].cpu_time_ns > 0,
	       "both have used CPU time (%llu ns, %llu ns)",
	       (unsigned long long)vcpus.v[0].cpu_time_ns,
	       (unsigned long long)vcpus.v[1].cpu_time_ns);
	time1_before = vcpus.v[1].cpu_time_ns;
	/* However long the host keeps the spinner from its CPU (60 s at most). */
	for (i = 0; i < 3000; i++) {
		sleep_ms(20);
		ret = read_vcpus(nl, 0, PREFIX "guest", &vcpus);
		if (ret || vcpus.v[1].cpu_time_ns > time1_before)
			break;
	}
	tap_ok(!ret && vcpus_are(&vcpus, id, PVISOR_VCPU_STATE_BLOCKED,
				 PVISOR_VCPU_STATE_RUNNING) &&
	       vcpus.v[1].cpu_time_ns > time1_before,
	       "by name as well; the spinning vCPU's time grows (%llu -> %llu ns)",
	       (unsigned long long)time1_before,
	       (unsigned long long)vcpus.v[1].cpu_time_ns);

	ret = read_ports(nl, id, NULL, &ports);
	pvt_expect(nl, ret, 0, "EVTCHN_GET by id while the guest runs");
	tap_ok(ports.n == 4 && ipi0 < virq && virq < unbound && unbound < ipi1,
	       "four open ports, in port order (%u listed: %u %u %u %u)",
	       ports.n, ipi0, virq, unbound, ipi1);
	if (ports.n != 4)
		tap_bail("cannot check the ports one by one");
	tap_ok(port_is(&ports.v[0], id, ipi0, PVISOR_EVTCHNSTAT_IPI, 0, 0, 0,
		       true, true),
	       "port %u: ipi to vCPU 0, pending and masked", ipi0);
	tap_ok(port_is(&ports.v[1], id, virq, PVISOR_EVTCHNSTAT_VIRQ, 0, 0,
		       PVISOR_VIRQ_TIMER, false, false),
	       "port %u: virq %u (timer) on vCPU 0, neither pending nor masked",
	       virq, PVISOR_VIRQ_TIMER);
	tap_ok(port_is(&ports.v[2], id, unbound, PVISOR_EVTCHNSTAT_UNBOUND, 0,
		       id, 0, false, true),
	       "port %u: unbound, offered to domain %u, masked", unbound, id);
	tap_ok(port_is(&ports.v[3], id, ipi1, PVISOR_EVTCHNSTAT_IPI, 1, 0, 0,
		       true, false),
	       "port %u: ipi to vCPU 1, pending, not masked", ipi1);

	ret = pvnl_domain_pause(nl, id, NULL);
	ret = ret ? ret : read_vcpus(nl, id, NULL, &vcpus);
	tap_ok(!ret && vcpus_are(&vcpus, id, PVISOR_VCPU_STATE_PAUSED,
				 PVISOR_VCPU_STATE_PAUSED),
	       "paused: both vCPUs paused (%s)", pvt_errno_name(ret));

	time1_before = vcpus.v[1].cpu_time_ns;
	ret = pvnl_domain_shutdown(nl, id, NULL, PVISOR_SHUTDOWN_POWEROFF);
	pvt_expect(nl, ret, 0, "shut the guest down");
	gr_wait(&run, GR_HANG_SECS);
	ret = read_vcpus(nl, id, NULL, &vcpus);
	tap_ok(!ret && vcpus_are(&vcpus, id, PVISOR_VCPU_STATE_STOPPED,
				 PVISOR_VCPU_STATE_STOPPED),
	       "shut down: both vCPUs stopped (%s)", pvt_errno_name(ret));
	tap_ok(vcpus.v[0].cpu_time_ns > 0 &&
	       vcpus.v[1].cpu_time_ns >= time1_before,
	       "the CPU time they used outlives the runner (%llu ns, %llu ns)",
	       (unsigned long long)vcpus.v[0].cpu_time_ns,
	       (unsigned long long)vcpus.v[1].cpu_time_ns);
	ret = read_ports(nl, 0, PREFIX "guest", &ports);
	tap_ok(!ret && ports.n == 4 && ports.v[0].port == ipi0 &&
	       ports.v[3].port == ipi1,
	       "its ports are listed until it is destroyed (%u)", ports.n);
	gr_finish(&run);
}

/* Domain0's self-connected pairs: ports 2k+1 and 2k+2, each the other's. */
#define PAIRS	1500

struct span {
	uint32_t domid;
	uint32_t n;
	bool ok;
};

static int check_span(const struct pvnl_evtchn *chn, void *arg)
{
	struct span *s = arg;
	uint32_t peer = chn->port % 2 ? chn->port + 1 : chn->port - 1;

	if (chn->domid != s->domid || chn->port != s->n + 1 ||
	    chn->state != PVISOR_EVTCHNSTAT_INTERDOMAIN ||
	    chn->peer_id != s->domid || chn->peer_port != peer) {
		if (s->ok)
			tap_diag("entry %u: port %u state %u peer %u:%u", s->n,
				 chn->port, chn->state, chn->peer_id,
				 chn->peer_port);
		s->ok = false;
	}
	s->n++;
	return 0;
}

/* A domain that never ran: its vCPUs are offline, it has no ports. */
static void test_created(struct pvnl *nl)
{
	struct pvnl_domain dom;
	struct ports ports;
	struct vcpus vcpus;
	int ret;

	ret = pvnl_domain_new(nl, PREFIX "idle", 64 * PVT_KIB, 2, &dom);
	if (ret)
		tap_bail("create " PREFIX "idle: %s", pvt_errno_name(ret));
	ret = read_vcpus(nl, dom.id, NULL, &vcpus);
	tap_ok(!ret && vcpus_are(&vcpus, dom.id, PVISOR_VCPU_STATE_OFFLINE,
				 PVISOR_VCPU_STATE_OFFLINE) &&
	       vcpus.v[0].cpu_time_ns == 0 && vcpus.v[1].cpu_time_ns == 0,
	       "a domain that never ran: vCPUs offline, no CPU time (%s)",
	       pvt_errno_name(ret));
	ret = read_ports(nl, dom.id, NULL, &ports);
	tap_ok(!ret && ports.n == 0, "... and no ports (%s, %u listed)",
	       pvt_errno_name(ret), ports.n);

	/* Enough ports that the listing takes many messages to send. */
	struct span span = { .domid = dom.id, .ok = true };
	uint32_t pa, pb;
	int i;

	for (i = 0, ret = 0; i < PAIRS && !ret; i++)
		ret = pvnl_evtchn_bind(nl, dom.id, dom.id, &pa, &pb);
	ret = ret ? ret : pvnl_evtchn_dump(nl, dom.id, NULL, check_span, &span);
	tap_ok(!ret && span.ok && span.n == 2 * PAIRS,
	       "%u ports over many messages: each once, in order, with its "
	       "peer (%s, %u listed)", 2 * PAIRS, pvt_errno_name(ret), span.n);
	pvnl_domain_del(nl, dom.id, NULL);
}

/* A dump request built by hand; 0 or the kernel's errno. */
static int raw_dump(struct pvnl *nl, uint8_t cmd, int flags,
		    uint32_t id, bool with_memory)
{
	struct nl_msg *msg = pvnl_msg_new(nl, cmd, flags);
	int ret = -EMSGSIZE;

	if (!msg)
		return -errno;
	if (nla_put_u32(msg, PVISOR_A_DOMAIN_ID, id) < 0)
		goto out;
	if (with_memory && nla_put_u64(msg, PVISOR_A_DOMAIN_MEMORY, 4096) < 0)
		goto out;
	ret = pvnl_send_and_ack(nl, msg);
out:
	nlmsg_free(msg);
	return ret;
}

static void test_bad_input(struct pvnl *nl)
{
	static const uint8_t cmds[] = {
		PVISOR_CMD_VCPU_GET, PVISOR_CMD_EVTCHN_GET,
	};
	static const char *const names[] = { "VCPU_GET", "EVTCHN_GET" };
	struct pvnl_domain dom, other;
	struct ports ports;
	struct vcpus vcpus;
	int ret;

	ret = pvnl_domain_new(nl, PREFIX "a", 64 * PVT_KIB, 1, &dom);
	ret = ret ? ret : pvnl_domain_new(nl, PREFIX "b", 64 * PVT_KIB, 1,
					  &other);
	if (ret)
		tap_bail("create " PREFIX "a and b: %s", pvt_errno_name(ret));

	ret = read_vcpus(nl, 0, PREFIX "nosuch", &vcpus);
	tap_ok(ret == -ENOENT && strstr(pvnl_error_msg(nl), "no such domain"),
	       "VCPU_GET of an unknown name: ENOENT, explained (%s, '%s')",
	       pvt_errno_name(ret), pvnl_error_msg(nl));
	pvt_expect(nl, read_ports(nl, 32000, NULL, &ports), -ENOENT,
		   "EVTCHN_GET of an unknown id: ENOENT");
	pvt_expect(nl, read_vcpus(nl, 0, NULL, &vcpus), -EINVAL,
		   "VCPU_GET without id or name: EINVAL");
	pvt_expect(nl, read_ports(nl, 0, NULL, &ports), -EINVAL,
		   "EVTCHN_GET without id or name: EINVAL");
	pvt_expect(nl, read_vcpus(nl, dom.id, PREFIX "b", &vcpus), -EINVAL,
		   "VCPU_GET with an id and a name of different domains: EINVAL");
	for (unsigned int i = 0; i < PVT_ARRAY_SIZE(cmds); i++) {
		pvt_expect(nl, raw_dump(nl, cmds[i], NLM_F_DUMP, dom.id, true),
			   -EINVAL, "%s with an attribute it does not take: "
			   "EINVAL", names[i]);
		pvt_expect(nl, raw_dump(nl, cmds[i], 0, dom.id, false),
			   -EOPNOTSUPP, "%s as a do request: EOPNOTSUPP",
			   names[i]);
	}
	pvnl_domain_del(nl, other.id, NULL);

	/* The unprivileged caller, in a child that drops everything. */
	int fds[2], res[3] = { 1, 1, 1 };
	pid_t pid;

	if (pipe(fds))
		tap_bail("pipe: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		struct pvnl *unl;

		close(fds[0]);
		res[0] = pvt_drop_privileges();
		if (!res[0]) {
			unl = pvnl_open();
			if (!unl) {
				res[0] = -errno;
			} else {
				res[1] = read_vcpus(unl, dom.id, NULL, &vcpus);
				res[2] = read_ports(unl, dom.id, NULL, &ports);
				pvnl_close(unl);
			}
		}
		_exit(write(fds[1], res, sizeof(res)) == sizeof(res) ? 0 : 2);
	}
	close(fds[1]);
	if (pid < 0 || read(fds[0], res, sizeof(res)) != sizeof(res))
		res[0] = -EIO;
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	tap_ok(res[0] == 0, "a child dropped its privileges (%s)",
	       pvt_errno_name(res[0]));
	tap_ok(res[1] == -EPERM && res[2] == -EPERM,
	       "without CAP_SYS_ADMIN both listings fail with EPERM (%s, %s)",
	       pvt_errno_name(res[1]), pvt_errno_name(res[2]));
	pvnl_domain_del(nl, dom.id, NULL);
}

int main(void)
{
	struct pvnl_info base;
	struct pvnl *nl;

	gr_vcpus(2);
	nl = gr_setup(PREFIX, 31, &base);

	test_running_guest(nl);
	test_created(nl);
	test_bad_input(nl);

	gr_done(&base);
}
