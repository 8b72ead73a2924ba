// SPDX-License-Identifier: GPL-2.0
/*
 * guestrun: see guestrun.h. The builder writes the page tables and code
 * through Domain0's memory mapping; the runner is a forked child that
 * attaches, maps the window and enters the guest.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pvisor/device.h>
#include <pvisor/event.h>
#include <pvisor/hypercall.h>

#include "guestrun.h"
#include "../../userspace/runner/factory.h"
#include "pvtest.h"
#include "tap.h"

/* The uid the harness's contexts run as (pvrun gives its own). */
#define GR_CONTEXT_UID	65534

_Static_assert(GR_WINDOW == PVISOR_WINDOW_BASE, "window base");
_Static_assert(GR_HCPAGE == PVISOR_HYPERCALL_PAGE, "hypercall page");
_Static_assert(GR_SHINFO == PVISOR_SHARED_INFO_PAGE, "shared_info page");

static struct pvnl *nl;
static int dev = -1;
static unsigned int nr_vcpus = 1;
static bool with_factory;

struct pvnl *gr_setup(const char *prefix, unsigned int plan,
		      struct pvnl_info *base)
{
	struct pvnl *conn = pvt_open();
	int fd = open("/dev/pvisor", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		tap_skip_all("cannot open /dev/pvisor: %s", strerror(errno));
	gr_init(conn, fd);
	tap_plan(plan);
	pvt_cleanup_prefix_on_abort(prefix);
	pvt_destroy_prefix(conn, prefix);
	pvt_info(conn, base);
	return conn;
}

int gr_dev(void)
{
	return dev;
}

void gr_done(const struct pvnl_info *base)
{
	pvt_expect_accounting(nl, base, 0, 0,
			      "domains and frames are back at the baseline");
	close(dev);
	pvnl_close(nl);
	tap_finish();
}

void gr_vcpus(unsigned int n)
{
	nr_vcpus = n;
}

void gr_factory(bool on)
{
	with_factory = on;
}

void gr_init(struct pvnl *conn, int devfd)
{
	nl = conn;
	dev = devfd;
}

void gr_put64(uint8_t *mem, uint64_t gpa, uint64_t val)
{
	memcpy(mem + gpa, &val, sizeof(val));
}

uint64_t gr_get64(const uint8_t *mem, uint64_t gpa)
{
	uint64_t val;

	memcpy(&val, mem + gpa, sizeof(val));
	return val;
}

uint32_t gr_scratch_get32(const uint8_t *mem, uint64_t off)
{
	uint32_t val;

	memcpy(&val, mem + GR_PFN_SCRATCH * 4096 + off, sizeof(val));
	return val;
}

void gr_scratch_put32(uint8_t *mem, uint64_t off, uint32_t val)
{
	memcpy(mem + GR_PFN_SCRATCH * 4096 + off, &val, sizeof(val));
}

uint64_t gr_code_va(const char *label)
{
	return GR_VA(GR_PFN_CODE) + (uint64_t)(label - guest_start);
}

static uint64_t pte(uint64_t pfn, uint64_t bits)
{
	return pfn << 12 | bits;
}

static void put_l1(uint8_t *mem, uint64_t pfn, uint64_t entry)
{
	gr_put64(mem, GR_PFN_L1 * 4096 + pfn * 8, entry);
}

/* The page tables of guestrun.h's layout, and the guest's code. */
static void build(uint8_t *mem)
{
	const uint64_t P = PVISOR_PTE_PRESENT, RW = PVISOR_PTE_RW;
	uint64_t l4_index = ((uint64_t)GR_WINDOW >> 39) & 511;
	size_t code = guest_end - guest_start;

	gr_put64(mem, GR_PFN_L4 * 4096 + l4_index * 8, pte(GR_PFN_L3, P | RW));
	gr_put64(mem, GR_PFN_L3 * 4096, pte(GR_PFN_L2, P | RW));
	gr_put64(mem, GR_PFN_L2 * 4096, pte(GR_PFN_L1, P | RW));
	for (uint64_t pfn = 0; pfn < GR_BYTES / 4096; pfn++)
		put_l1(mem, pfn, pte(pfn, P | RW));
	put_l1(mem, GR_PFN_RO, pte(GR_PFN_RO, P));
	put_l1(mem, GR_PFN_NX, pte(GR_PFN_NX, P | RW | PVISOR_PTE_NX));
	put_l1(mem, GR_PFN_BAD, pte(GR_BAD_PFN, P | RW));
	put_l1(mem, GR_PFN_HOLE, 0);

	if (code > 4 * 4096)
		tap_bail("guest code does not fit: %zu bytes", code);
	memcpy(mem + GR_PFN_CODE * 4096, guest_start, code);
}

/*
 * The runner's signal handler: hand the signal to the module, which
 * redirects the return into the guest's trap handler. It runs on the
 * signal stack with the guest's registers live, so it stays off libc
 * (errno is thread-local storage): a raw system call.
 */
static void bounce_trap(int sig, siginfo_t *info, void *uc)
{
	struct pvisor_trap_report rep = {
		.ucontext = (uint64_t)uc,
		.signo = (uint32_t)sig,
	};
	long ret;

	(void)info;
	asm volatile("syscall"
		     : "=a"(ret)
		     : "0"((long)SYS_ioctl), "D"((long)PVISOR_RUNNER_FD),
		       "S"((long)PVISOR_IOCTL_VCPU_TRAP), "d"(&rep)
		     : "rcx", "r11", "memory");
	if (ret)
		asm volatile("syscall" : : "a"((long)SYS_exit_group), "D"(110L));
}

/* Signal stacks are per thread, and outside the window. */
static void give_signal_stack(void)
{
	stack_t ss = { .ss_size = 64 * 1024 };

	ss.ss_sp = malloc(ss.ss_size);
	if (!ss.ss_sp || sigaltstack(&ss, NULL))
		_exit(105);
}

static void install_trap_bouncer(void)
{
	static const int signals[] = { SIGSEGV, SIGILL, SIGFPE, SIGTRAP, SIGBUS,
					SIGUSR1 };
	struct sigaction sa = {
		.sa_sigaction = bounce_trap,
		.sa_flags = SA_SIGINFO | SA_ONSTACK,
	};

	/* Nothing may interrupt the handler: a kick would then find the
	 * runner's own code, not the guest's, as the interrupted context. */
	sigfillset(&sa.sa_mask);
	give_signal_stack();
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (sigaction(signals[i], &sa, NULL))
			_exit(106);
}

/* Enter vCPU @id's guest code; the module restarts RUN after signals,
 * but a handled signal can still surface as EINTR. */
static void run_vcpu(unsigned long id)
{
	while (ioctl(PVISOR_RUNNER_FD, PVISOR_IOCTL_VCPU_RUN, id) && errno == EINTR)
		;
	_exit(104);
}

/* A secondary vCPU's thread: its own signal stack, then the guest. */
static void *vcpu_thread(void *arg)
{
	give_signal_stack();
	run_vcpu((unsigned long)arg);
	return NULL;
}

/* The runner: attach, map the window, enter the guest. Never returns. */
static void runner(uint32_t domid, const char *entry, bool bounce_traps)
{
	struct pvisor_runner_attach attach = { .domid = domid };
	struct pvisor_vcpu_context ctx = {
		.vcpu = 0,
		.rip = gr_code_va(entry),
		.rsp = GR_VA(GR_PFN_STACK + 1),
		.rsi = GR_VA(GR_PFN_SCRATCH),
		.pt_base_pfn = GR_PFN_L4,
	};
	int fd = ioctl(dev, PVISOR_IOCTL_RUNNER_ATTACH, &attach);

	if (fd < 0 || dup2(fd, PVISOR_RUNNER_FD) < 0)
		_exit(101);
	if (mmap((void *)PVISOR_WINDOW_BASE, PVISOR_WINDOW_SIZE,
		 PROT_READ | PROT_WRITE | PROT_EXEC,
		 MAP_SHARED | MAP_FIXED_NOREPLACE, PVISOR_RUNNER_FD, 0) ==
	    MAP_FAILED)
		_exit(102);
	if (ioctl(PVISOR_RUNNER_FD, PVISOR_IOCTL_VCPU_SET_CONTEXT, &ctx))
		_exit(103);
	if (bounce_traps)
		install_trap_bouncer();
	for (unsigned long id = 1; id < nr_vcpus; id++) {
		pthread_t thread;

		if (pthread_create(&thread, NULL, vcpu_thread, (void *)id))
			_exit(107);
	}
	run_vcpu(0);
}

int gr_reap(int pid, int secs)
{
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	int status;

	for (int i = 0; i < secs * 50; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		nanosleep(&tick, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

/*
 * Wait until the domain left RUNNING: the runner's exit is noticed when
 * its last file reference goes, just after the process is reaped.
 */
static int wait_stopped(uint32_t id, struct pvnl_domain *dom)
{
	for (int i = 0; i < 250; i++) {
		int ret = pvnl_domain_get(nl, id, NULL, dom);

		if (ret)
			return ret;
		if (dom->state != PVISOR_DOMAIN_STATE_RUNNING)
			return 0;
		usleep(20000);
	}
	return -ETIMEDOUT;
}

void gr_create(const char *name, const char *entry, bool bounce_traps,
	       void (*prepare)(uint8_t *mem), struct gr_run *run)
{
	struct pvisor_domain_memory arg = { 0 };

	if (pvnl_domain_new(nl, name, GR_BYTES, nr_vcpus, &run->dom))
		tap_bail("create %s: %s", name, pvnl_error_msg(nl));
	arg.domid = run->dom.id;
	run->mem_fd = ioctl(dev, PVISOR_IOCTL_DOMAIN_MEMORY, &arg);
	run->mem = mmap(NULL, GR_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED,
			run->mem_fd, 0);
	if (run->mem_fd < 0 || run->mem == MAP_FAILED)
		tap_bail("map %s's memory: %s", name, strerror(errno));
	build(run->mem);
	if (prepare)
		prepare(run->mem);
	run->entry = entry;
	run->bounce_traps = bounce_traps;
	run->pid = -1;
	run->status = -1;
	run->factory_pid = -1;
}

void gr_launch(struct gr_run *run)
{
	if (with_factory) {
		/* The harness's runners stay root; its contexts, nobody. */
		run->factory_pid = factory_start(run->dom.id, nr_vcpus,
						 GR_CONTEXT_UID);
		if (run->factory_pid < 0)
			tap_bail("start %s's factory: %s", run->dom.name,
				 strerror(-run->factory_pid));
	}
	run->pid = fork();
	if (run->pid == 0)
		runner(run->dom.id, run->entry, run->bounce_traps);
}

void gr_start(const char *name, const char *entry, bool bounce_traps,
	      void (*prepare)(uint8_t *mem), struct gr_run *run)
{
	gr_create(name, entry, bounce_traps, prepare, run);
	gr_launch(run);
}

void gr_wait(struct gr_run *run, int secs)
{
	run->status = gr_reap(run->pid, secs);
	if (wait_stopped(run->dom.id, &run->dom))
		tap_bail("%s never stopped running", run->dom.name);
}

bool gr_await64(const struct gr_run *run, uint64_t gpa, int secs)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	for (int i = 0; i < secs * 100; i++) {
		if (gr_get64(run->mem, gpa))
			return true;
		nanosleep(&tick, NULL);
	}
	return false;
}

/* Is every thread of process @pid stopped (state T)? */
static bool all_threads_stopped(int pid)
{
	char path[320], buf[512], *state;
	bool stopped = true, any = false;
	struct dirent *d;
	DIR *tasks;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	tasks = opendir(path);
	if (!tasks)
		return false;
	while (stopped && (d = readdir(tasks))) {
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", pid,
			 d->d_name);
		f = fopen(path, "re");
		if (!f || !fgets(buf, sizeof(buf), f)) {
			stopped = false;
		} else {
			/* "pid (comm) S ...": the comm may hold anything. */
			state = strrchr(buf, ')');
			stopped = state && state[1] == ' ' && state[2] == 'T';
			any = true;
		}
		if (f)
			fclose(f);
	}
	closedir(tasks);
	return stopped && any;
}

bool gr_await_stopped(const struct gr_run *run, int secs)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	for (int i = 0; i < secs * 100; i++) {
		if (all_threads_stopped(run->pid))
			return true;
		nanosleep(&tick, NULL);
	}
	return false;
}

void gr_wait_progress(struct gr_run *run, uint64_t gpa, int stall_secs)
{
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	uint64_t last = gr_get64(run->mem, gpa), now;
	int status, quiet = 0;

	while (waitpid(run->pid, &status, WNOHANG) != run->pid) {
		now = gr_get64(run->mem, gpa);
		quiet = now == last ? quiet + 1 : 0;
		last = now;
		if (quiet >= stall_secs * 50) {
			kill(run->pid, SIGKILL);
			waitpid(run->pid, &status, 0);
			status = -1;
			break;
		}
		nanosleep(&tick, NULL);
	}
	run->status = status;
	if (wait_stopped(run->dom.id, &run->dom))
		tap_bail("%s never stopped running", run->dom.name);
}

void gr_run(const char *name, const char *entry, bool bounce_traps,
	    void (*prepare)(uint8_t *mem), struct gr_run *run)
{
	gr_start(name, entry, bounce_traps, prepare, run);
	gr_wait(run, GR_HANG_SECS);
}

void gr_finish(struct gr_run *run)
{
	/* The module lets it go with the runner; reap it. */
	if (run->factory_pid > 0 && gr_reap(run->factory_pid, 20) == -1)
		tap_diag("%s's factory had to be killed", run->dom.name);
	run->factory_pid = -1;
	munmap(run->mem, GR_BYTES);
	close(run->mem_fd);
	pvnl_domain_del(nl, run->dom.id, NULL);
}
