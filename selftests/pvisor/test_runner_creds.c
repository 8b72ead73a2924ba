// SPDX-License-Identifier: GPL-2.0
/*
 * Each runner's own uid and gid (userspace/runner/uids.c), and the
 * runner's refusal of forged trap signals (traps.c).
 *
 * Two minnow guests are started with pvctl and kept busy (work=N: they
 * print a line per round of work). Checked:
 *
 * - each runner's real, effective and saved uid and gid are one id, in
 *   the module's runner_uid_base/runner_uid_count range, and the two
 *   domains' ids differ;
 * - a nobody process and a process holding the other domain's uid can
 *   neither signal (SIGKILL, SIGSTOP, SIGSEGV) nor ptrace a runner
 *   (EPERM);
 * - SIGSEGV, SIGTRAP, SIGILL, SIGFPE, SIGBUS and SIGUSR1 sent by root
 *   with kill (SI_USER), tgkill (SI_TKILL) and sigqueue (SI_QUEUE) are
 *   not taken for guest traps or event kicks: the guest goes on working
 *   (more rounds are printed afterwards) and stays running;
 * - a range whose every id is held is a clear error, and leaves no
 *   domain behind; an id comes free again once its domain is destroyed;
 *   a range that is no range (base 0, one holding nobody's 65534) is
 *   refused with a message naming it.
 *
 * The range parameters are put back as they were, whatever happens.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pvtest.h"

#define PREFIX		"rc-"
#define MINNOW		"/guest/minnow.elf"
/* Far more rounds than the test waits for: the guests are destroyed. */
#define BUSY_CMDLINE	"work=1000000"
#define HANG_SECS	180
#define OUT_MAX		65536

static char saved_base[32], saved_count[32];

static int read_text(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
	return 0;
}

static int write_param(const char *name, const char *value)
{
	char path[128];
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/%s", PVT_PARAM_DIR, name);
	f = fopen(path, "we");
	if (!f)
		return -errno;
	if (fputs(value, f) < 0)
		ret = -EIO;
	if (fclose(f))
		ret = -errno;
	return ret;
}

static void restore_range(void)
{
	if (saved_base[0])
		write_param("runner_uid_base", saved_base);
	if (saved_count[0])
		write_param("runner_uid_count", saved_count);
}

static void set_range(unsigned long base, unsigned long count)
{
	char b[32], c[32];

	snprintf(b, sizeof(b), "%lu", base);
	snprintf(c, sizeof(c), "%lu", count);
	if (write_param("runner_uid_base", b) ||
	    write_param("runner_uid_count", c))
		tap_bail("cannot set the runner uid range");
}

/* Run a shell command; its output (stdout and stderr) in @out. */
static int run(char *out, size_t size, const char *fmt, ...)
{
	char cmd[512];
	size_t len = 0, n;
	va_list ap;
	FILE *p;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	strncat(cmd, " 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	p = popen(cmd, "r");
	if (!p)
		tap_bail("popen: %s", strerror(errno));
	while (len + 1 < size && (n = fread(out + len, 1, size - 1 - len, p)))
		len += n;
	out[len] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * "created domain N (...)" from pvctl create's output, or 0. Warnings
 * may come first (stderr is merged in: a host without cgroup v2).
 */
static unsigned int created_id(const char *out)
{
	const char *line = strstr(out, "created domain ");
	unsigned int id;

	return line && sscanf(line, "created domain %u", &id) == 1 ? id : 0;
}

static unsigned int start_busy(const char *name)
{
	static char out[4096];

	if (run(out, sizeof(out), "pvctl create --name %s --memory 16M "
		"--kernel " MINNOW " --cmdline " BUSY_CMDLINE, name)) {
		tap_diag("%s", out);
		return 0;
	}
	return created_id(out);
}

/* The ids of /proc/@pid/status's @key line ("Uid:"), all four. */
static int proc_ids(int pid, const char *key, unsigned long ids[4])
{
	char path[64], line[256];
	FILE *f;
	int found = -ENOENT;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) &&
		    sscanf(line + strlen(key), "%lu %lu %lu %lu", &ids[0],
			   &ids[1], &ids[2], &ids[3]) == 4)
			found = 0;
	fclose(f);
	return found;
}

/* The PPid: of /proc/@pid/status, or -1. */
static int parent_of(int pid)
{
	char path[64], line[256];
	int ppid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "PPid: %d", &ppid) == 1)
			break;
	fclose(f);
	return ppid;
}

/*
 * Domain @domid's pvrun processes: its runner (@factory 0), whose parent
 * is no pvrun of the domain, or its context factory (@factory 1), the
 * runner's child (same command line, same uid). 0 if none.
 */
static int pvrun_pid(unsigned int domid, int factory)
{
	char out[OUT_MAX], want[32], *line;
	int pids[16], n = 0, i, j;

	snprintf(want, sizeof(want), "--domain %u ", domid);
	run(out, sizeof(out), "for p in /proc/[0-9]*; do "
	    "printf '%%s ' ${p#/proc/}; tr '\\0' ' ' <$p/cmdline; echo; "
	    "done");
	for (line = strtok(out, "\n"); line && n < 16;
	     line = strtok(NULL, "\n"))
		if (strstr(line, " pvrun ") && strstr(line, want) &&
		    sscanf(line, "%d", &pids[n]) == 1)
			n++;
	for (i = 0; i < n; i++) {
		int ppid = parent_of(pids[i]), parent_is_pvrun = 0;

		for (j = 0; j < n; j++)
			if (pids[j] == ppid)
				parent_is_pvrun = 1;
		if (parent_is_pvrun == factory)
			return pids[i];
	}
	return 0;
}

static int runner_pid(unsigned int domid)
{
	return pvrun_pid(domid, 0);
}

/* One id for all four of uid and gid, or (unsigned long)-1. */
static unsigned long creds_of(int pid)
{
	unsigned long u[4], g[4];
	int i;

	if (proc_ids(pid, "Uid:", u) || proc_ids(pid, "Gid:", g))
		return (unsigned long)-1;
	for (i = 0; i < 4; i++)
		if (u[i] != u[0] || g[i] != u[0])
			return (unsigned long)-1;
	return u[0];
}

/*
 * In a child that became @id (uid and gid; 65534 is nobody): signal
 * @pid with @sig (0: ptrace attach instead). The child's errno, 0 on
 * success.
 */
static int as_user(unsigned long id, int pid, int sig)
{
	int st, err;
	pid_t c = fork();

	if (c < 0)
		return -1;
	if (!c) {
		if (setgroups(0, NULL) || setresgid(id, id, id) ||
		    setresuid(id, id, id))
			_exit(254);
		if (sig)
			err = kill(pid, sig) ? errno : 0;
		else
			err = ptrace(PTRACE_ATTACH, pid, 0, 0) ? errno : 0;
		_exit(err);
	}
	if (waitpid(c, &st, 0) != c || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* The last work round domain @name printed (0: none yet; -1: error). */
static int rounds_of(const char *name)
{
	static char out[OUT_MAX];
	const char *p = out;
	int n = 0;

	if (run(out, sizeof(out), "pvctl console %s", name))
		return -1;
	/* The console keeps its tail only: the numbers count, not lines. */
	while ((p = strstr(p, "minnow: work: round "))) {
		p += strlen("minnow: work: round ");
		n = atoi(p);
	}
	return n;
}

static bool is_running(struct pvnl *nl, unsigned int domid)
{
	struct pvnl_domain d;

	if (pvnl_domain_get(nl, domid, NULL, &d))
		return false;
	if (d.state != PVISOR_DOMAIN_STATE_RUNNING)
		tap_diag("domain %u is %s %s", domid, pvnl_state_name(d.state),
			 d.crash_reason);
	return d.state == PVISOR_DOMAIN_STATE_RUNNING;
}

/*
 * Wait until domain @domid (@name) has printed a round past @rounds.
 * False if it stops running first, or never gets there (a hang).
 */
static bool progresses(struct pvnl *nl, unsigned int domid,
		       const char *name, int rounds)
{
	double end = pvt_now() + HANG_SECS;

	while (pvt_now() < end && is_running(nl, domid)) {
		if (rounds_of(name) > rounds)
			return true;
		usleep(100000);
	}
	return false;
}

static void forge(int pid)
{
	static const int sigs[] = {
		SIGSEGV, SIGTRAP, SIGILL, SIGFPE, SIGBUS, SIGUSR1,
	};
	union sigval v = { .sival_int = 14 };
	unsigned int i;

	for (i = 0; i < PVT_ARRAY_SIZE(sigs); i++) {
		tap_ok(!kill(pid, sigs[i]), "root sends signal %d with kill",
		       sigs[i]);
		tap_ok(!syscall(SYS_tgkill, pid, pid, sigs[i]),
		       "root sends signal %d with tgkill", sigs[i]);
		tap_ok(!sigqueue(pid, sigs[i], v),
		       "root sends signal %d with sigqueue", sigs[i]);
	}
}

int main(void)
{
	unsigned long base, count, ua, ub;
	char out[4096];
	struct pvnl_info start;
	unsigned int a, b, c;
	struct pvnl *nl;
	int pa, pb, r;

	tap_plan(44);
	nl = pvt_open();
	if (access(MINNOW, R_OK))
		tap_skip_all("no " MINNOW);
	if (read_text(PVT_PARAM_DIR "/runner_uid_base", saved_base,
		      sizeof(saved_base)) ||
	    read_text(PVT_PARAM_DIR "/runner_uid_count", saved_count,
		      sizeof(saved_count)))
		tap_bail("the module has no runner uid range parameters");
	base = strtoul(saved_base, NULL, 10);
	count = strtoul(saved_count, NULL, 10);
	tap_on_abort(restore_range);
	pvt_cleanup_prefix_on_abort(PREFIX);
	pvt_destroy_prefix(nl, PREFIX);
	pvt_info(nl, &start);

	a = start_busy(PREFIX "a");
	b = start_busy(PREFIX "b");
	if (!a || !b)
		tap_bail("cannot start the guests");
	pa = runner_pid(a);
	pb = runner_pid(b);
	if (!pa || !pb)
		tap_bail("no runner found for domain %u or %u", a, b);
	ua = creds_of(pa);
	ub = creds_of(pb);
	tap_ok(ua != (unsigned long)-1 && ua >= base && ua - base < count,
	       "domain %u's runner is uid and gid %lu throughout, in the "
	       "range %lu+%lu", a, ua, base, count);
	tap_ok(ub != (unsigned long)-1 && ub >= base && ub - base < count,
	       "domain %u's runner is uid and gid %lu throughout", b, ub);
	tap_ok(ua != ub, "the two runners' ids differ");
	r = pvrun_pid(a, 1);
	tap_ok(r && creds_of(r) == ua,
	       "domain %u's context factory (pid %d) has its runner's uid "
	       "and gid, not nobody's", a, r);
	tap_ok(r && as_user(65534, r, SIGKILL) == EPERM,
	       "nobody cannot SIGKILL the context factory");

	/* Strangers. */
	tap_ok(as_user(65534, pa, SIGKILL) == EPERM,
	       "nobody cannot SIGKILL a runner");
	tap_ok(as_user(65534, pa, SIGSTOP) == EPERM,
	       "nobody cannot SIGSTOP a runner");
	tap_ok(as_user(65534, pa, SIGSEGV) == EPERM,
	       "nobody cannot forge a SIGSEGV");
	tap_ok(as_user(65534, pa, 0) == EPERM, "nobody cannot ptrace a runner");
	tap_ok(as_user(ub, pa, SIGKILL) == EPERM,
	       "domain %u's uid cannot SIGKILL domain %u's runner", b, a);
	tap_ok(as_user(ub, pa, SIGTRAP) == EPERM,
	       "domain %u's uid cannot forge a SIGTRAP", b);
	tap_ok(as_user(ub, pa, 0) == EPERM,
	       "domain %u's uid cannot ptrace domain %u's runner", b, a);

	/* Root's forgeries are no traps. */
	if (!progresses(nl, a, PREFIX "a", 0))
		tap_diag("domain %u never started working", a);
	r = rounds_of(PREFIX "a");
	forge(pa);
	tap_ok(progresses(nl, a, PREFIX "a", r + 1),
	       "after the forged signals the guest keeps working (past "
	       "round %d)", r + 1);
	tap_ok(is_running(nl, a), "and is still running");
	tap_ok(runner_pid(a) == pa, "with the same runner");

	/* Exhaustion: a range of one id, held by domain a's runner. */
	set_range(ua, 1);
	r = run(out, sizeof(out), "pvctl create --name " PREFIX "c "
		"--memory 16M --kernel " MINNOW);
	tap_ok(r == 1 && strstr(out, "no free runner uid"),
	       "a range with every id held: create fails, saying so");
	if (r != 1)
		tap_diag("%s", out);
	tap_ok(pvt_count_prefix(nl, PREFIX "c") == 0,
	       "and leaves no domain behind");

	set_range(0, 10);
	r = run(out, sizeof(out), "pvctl create --name " PREFIX "c "
		"--memory 16M --kernel " MINNOW);
	tap_ok(r == 1 && strstr(out, "bad runner uid range 0+10"),
	       "base 0 (root) is refused");
	set_range(65530, 10);
	r = run(out, sizeof(out), "pvctl create --name " PREFIX "c "
		"--memory 16M --kernel " MINNOW);
	tap_ok(r == 1 && strstr(out, "bad runner uid range 65530+10"),
	       "a range holding nobody (65534) is refused");
	set_range(0x7ffffff0UL, 0x20);
	r = run(out, sizeof(out), "pvctl create --name " PREFIX "c "
		"--memory 16M --kernel " MINNOW);
	tap_ok(r == 1 && strstr(out, "bad runner uid range"),
	       "a range past 2^31 - 1 is refused");
	tap_ok(pvt_count_prefix(nl, PREFIX "c") == 0,
	       "none of them leaves a domain behind");

	/* Released on destroy: the one id comes free for a new domain. */
	set_range(ua, 1);
	r = run(out, sizeof(out), "pvctl destroy " PREFIX "a");
	tap_ok(r == 0, "destroy domain %u", a);
	c = 0;
	for (double end = pvt_now() + HANG_SECS; pvt_now() < end && !c;) {
		r = run(out, sizeof(out), "pvctl create --name " PREFIX "c "
			"--memory 16M --kernel " MINNOW " --cmdline "
			BUSY_CMDLINE);
		if (!r)
			c = created_id(out);
		else if (strstr(out, "no free runner uid"))
			usleep(100000);	/* the old runner is still exiting */
		else
			break;
	}
	tap_ok(c != 0, "once domain %u is gone, a new domain gets its id", a);
	pa = c ? runner_pid(c) : 0;
	tap_ok(pa && creds_of(pa) == ua, "the new runner is uid %lu", ua);
	restore_range();

	tap_ok(pvt_destroy_prefix(nl, PREFIX) == 2,
	       "destroy the remaining two domains");
	pvt_expect_accounting(nl, &start, 0, 0,
			      "accounting is back at the baseline");
	pvnl_close(nl);
	tap_finish();
}
