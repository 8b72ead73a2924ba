// SPDX-License-Identifier: GPL-2.0
/*
 * The context factory (factory.h) and the start of a context process.
 *
 * Why a factory. Every guest process needs a host process of its own (a
 * user context), but the runner holds the guest kernel and runs guest
 * kernel code: giving it clone would give the guest kernel the power to
 * make host processes at will, and widen the four-call filter the
 * runner's confinement rests on. So pvrun forks this factory before it
 * reads anything of the guest. The factory attaches to the domain
 * (PVISOR_IOCTL_FACTORY_ATTACH), drops every privilege, and then only
 * waits for the module to ask for a context (FACTORY_WAIT, which hands
 * it a context fd) and forks a child for it. No guest code ever runs in
 * the factory, and the module decides how many contexts there are (the
 * domain's max_contexts): the guest cannot make it fork more.
 *
 * A child (context_main()) binds itself to the context, maps the
 * trampoline, makes one thread per vCPU, points every trap signal at the
 * trampoline on per-thread trap stacks, and parks every thread; vCPU 0's
 * thread then jumps into the trampoline's start code, which unmaps
 * everything the factory left below PVISOR_USER_TOP, maps the user
 * window there and installs the context filter for all threads at once.
 * From then on the process runs only guest user code and the trampoline.
 *
 * Before the jump, each thread undoes what glibc registered with the
 * kernel on its behalf in memory that is about to become guest memory:
 * the rseq area (which the kernel writes on every preemption), the
 * robust futex list and the clear-child-tid address (written at exit).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <pvisor/context.h>
#include <pvisor/device.h>

#include "factory.h"

#define FACTORY_FD	3

#define LOAD(off)	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define JEQ(k, t, f)	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define JGE(k, t, f)	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (k), (t), (f))
#define RET(v)		BPF_STMT(BPF_RET | BPF_K, (v))
#define DATA(field)	offsetof(struct seccomp_data, field)

/*
 * The context filter, rule by rule (guest-processes.rst repeats it).
 * SECCOMP_RET_TRAP raises SIGSYS, which the trampoline reports as a
 * system call exit: the guest kernel gets every system call of its
 * user code, none reaches the host.
 *
 *  0-2  any other ABI than x86-64 (int $0x80, sysenter: i386) -> TRAP
 *  3-8  an instruction pointer off the trampoline page (all guest
 *       code, its x32 calls and the host's vsyscall emulation) -> TRAP
 *  9-13 rt_sigreturn from the restorer's system call -> ALLOW
 * 14-23 ioctl(PVISOR_CTX_FD, CTX_TRAP) from the handler's system call,
 *       the fd checked in both halves, the command in its low half (an
 *       unsigned int to the kernel) -> ALLOW
 *   24  anything else from the trampoline (guest code jumped into its
 *       start code, or to a system call with registers of its own)
 *       -> KILL_PROCESS: the context is gone
 * Pinning each call to its one instruction means a thread on the page
 * before the handler's ioctl is bound to make that call: an event kick
 * that finds it there can count on its report (kmod/user_run.c).
 */
static const struct sock_filter ctx_filter[] = {
	/* 0 */ LOAD(DATA(arch)),
	/* 1 */ JEQ(AUDIT_ARCH_X86_64, 1, 0),
	/* 2 */ RET(SECCOMP_RET_TRAP),
	/* 3 */ LOAD(DATA(instruction_pointer) + 4),
	/* 4 */ JEQ((uint32_t)(PVISOR_CTX_TRAMPOLINE >> 32), 1, 0),
	/* 5 */ RET(SECCOMP_RET_TRAP),
	/* 6 */ LOAD(DATA(instruction_pointer)),
	/* 7 */ JGE((uint32_t)PVISOR_CTX_TRAMPOLINE + 4096, 0, 1),
	/* 8 */ RET(SECCOMP_RET_TRAP),
	/* 9 */ LOAD(DATA(nr)),
	/* 10 */ JEQ(SYS_rt_sigreturn, 0, 3),		/* -> 14 */
	/* 11 */ LOAD(DATA(instruction_pointer)),
	/* 12 */ JEQ((uint32_t)PVISOR_CTX_RESTORER_CALL_END, 0, 11), /* -> 24 */
	/* 13 */ RET(SECCOMP_RET_ALLOW),
	/* 14 */ JEQ(SYS_ioctl, 0, 9),			/* -> 24 */
	/* 15 */ LOAD(DATA(instruction_pointer)),
	/* 16 */ JEQ((uint32_t)PVISOR_CTX_TRAP_CALL_END, 0, 7),	/* -> 24 */
	/* 17 */ LOAD(DATA(args[0])),
	/* 18 */ JEQ(PVISOR_CTX_FD, 0, 5),		/* -> 24 */
	/* 19 */ LOAD(DATA(args[0]) + 4),
	/* 20 */ JEQ(0, 0, 3),				/* -> 24 */
	/* 21 */ LOAD(DATA(args[1])),
	/* 22 */ JEQ(PVISOR_IOCTL_CTX_TRAP, 0, 1),	/* -> 24 */
	/* 23 */ RET(SECCOMP_RET_ALLOW),
	/* 24 */ RET(SECCOMP_RET_KILL_PROCESS),
};

_Static_assert((PVISOR_CTX_TRAMPOLINE & 0xffffffffULL) + 4096 <= 0xffffffffULL,
	       "the trampoline page must not straddle a 4 GiB boundary");

#define JSET(k, t, f)	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, (k), (t), (f))
#define ALLOW_NR(nr)	JEQ((nr), 0, 1), RET(SECCOMP_RET_ALLOW)
#define DENY		RET(SECCOMP_RET_ERRNO | EPERM)

/* Every namespace flag of clone(2): the factory makes processes, no more. */
#define CLONE_NAMESPACES	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | \
				 CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | \
				 CLONE_NEWNET)

/*
 * The factory's own filter, rule by rule (guest-processes.rst repeats
 * it). Its children inherit it, so it allows everything a context
 * process does before its own filter goes on, and the context filter
 * stacks on it: of two filters the stricter answer wins (KILL before
 * TRAP before ERRNO before ALLOW), so refusing with EPERM, never with a
 * kill or a trap, leaves every answer of the context filter as it was.
 *
 *  0-2   any other ABI than x86-64 -> EPERM
 *  3-5   x32 numbers -> EPERM
 *  6-7   clone3 -> ENOSYS (its flags are in memory, out of the filter's
 *        reach; glibc falls back to clone)
 *  8-12  clone without namespace flags (fork, pthread_create) -> ALLOW;
 *        with one -> EPERM
 * 13-23  ioctl on fd 3 (the factory fd, and in a child the context fd)
 *        with FACTORY_WAIT, CTX_THREAD, CTX_READY or CTX_TRAP (the low
 *        halves: the kernel takes both as unsigned int) -> ALLOW; any
 *        other ioctl -> EPERM
 * 24-67  the calls of the factory's loop and of a context's set-up,
 *        each -> ALLOW: close, close_range, dup2 (the context fd),
 *        exit, exit_group, mmap, munmap, mprotect, madvise, brk (the
 *        set-up and the start code's unmapping), rt_sigaction,
 *        rt_sigprocmask, rt_sigreturn, sigaltstack (the trap signals),
 *        rseq, set_robust_list, set_tid_address (glibc's thread areas
 *        and their undoing), futex, gettid, getpid, restart_syscall, and
 *        seccomp (the context filter)
 *   68   anything else -> EPERM
 * So the factory cannot open a file, a socket or a device, signal or
 * trace a process, exec, make a namespace or change credentials.
 */
static const struct sock_filter factory_filter[] = {
	/* 0 */ LOAD(DATA(arch)),
	/* 1 */ JEQ(AUDIT_ARCH_X86_64, 1, 0),
	/* 2 */ DENY,
	/* 3 */ LOAD(DATA(nr)),
	/* 4 */ JGE(__X32_SYSCALL_BIT, 0, 1),
	/* 5 */ DENY,
	/* 6 */ JEQ(SYS_clone3, 0, 1),
	/* 7 */ RET(SECCOMP_RET_ERRNO | ENOSYS),
	/* 8 */ JEQ(SYS_clone, 0, 4),			/* -> 13 */
	/* 9 */ LOAD(DATA(args[0])),
	/* 10 */ JSET(CLONE_NAMESPACES, 1, 0),		/* -> 12 */
	/* 11 */ RET(SECCOMP_RET_ALLOW),
	/* 12 */ DENY,
	/* 13 */ JEQ(SYS_ioctl, 0, 10),			/* -> 24 */
	/* 14 */ LOAD(DATA(args[0])),
	/* 15 */ JEQ(FACTORY_FD, 0, 7),			/* -> 23 */
	/* 16 */ LOAD(DATA(args[1])),
	/* 17 */ JEQ(PVISOR_IOCTL_FACTORY_WAIT, 4, 0),	/* -> 22 */
	/* 18 */ JEQ(PVISOR_IOCTL_CTX_THREAD, 3, 0),	/* -> 22 */
	/* 19 */ JEQ(PVISOR_IOCTL_CTX_READY, 2, 0),	/* -> 22 */
	/* 20 */ JEQ(PVISOR_IOCTL_CTX_TRAP, 1, 0),	/* -> 22 */
	/* 21 */ DENY,
	/* 22 */ RET(SECCOMP_RET_ALLOW),
	/* 23 */ DENY,
	/* 24 */ ALLOW_NR(SYS_close),
	/* 26 */ ALLOW_NR(SYS_close_range),
	/* 28 */ ALLOW_NR(SYS_dup2),
	/* 30 */ ALLOW_NR(SYS_exit),
	/* 32 */ ALLOW_NR(SYS_exit_group),
	/* 34 */ ALLOW_NR(SYS_mmap),
	/* 36 */ ALLOW_NR(SYS_munmap),
	/* 38 */ ALLOW_NR(SYS_mprotect),
	/* 40 */ ALLOW_NR(SYS_madvise),
	/* 42 */ ALLOW_NR(SYS_brk),
	/* 44 */ ALLOW_NR(SYS_rt_sigaction),
	/* 46 */ ALLOW_NR(SYS_rt_sigprocmask),
	/* 48 */ ALLOW_NR(SYS_rt_sigreturn),
	/* 50 */ ALLOW_NR(SYS_sigaltstack),
	/* 52 */ ALLOW_NR(SYS_rseq),
	/* 54 */ ALLOW_NR(SYS_set_robust_list),
	/* 56 */ ALLOW_NR(SYS_set_tid_address),
	/* 58 */ ALLOW_NR(SYS_futex),
	/* 60 */ ALLOW_NR(SYS_gettid),
	/* 62 */ ALLOW_NR(SYS_getpid),
	/* 64 */ ALLOW_NR(SYS_restart_syscall),
	/* 66 */ ALLOW_NR(SYS_seccomp),
	/* 68 */ DENY,
};

int factory_confine(void)
{
	struct sock_fprog prog = {
		.len = sizeof(factory_filter) / sizeof(factory_filter[0]),
		.filter = (struct sock_filter *)factory_filter,
	};

	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) ? -1 : 0;
}

/* The kernel's struct sigaction for rt_sigaction(2), with sa_restorer. */
struct kernel_sigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};
#define KSA_RESTORER	0x04000000UL

static const int trap_signals[] = {
	SIGSYS, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP,
};

static uint32_t ctx_nr_vcpus;

/* Forget what glibc registered in memory that becomes guest memory. */
static int unregister_thread_areas(void)
{
	void *area = (char *)__builtin_thread_pointer() + __rseq_offset;

	/* glibc registers 32 bytes but may publish a smaller __rseq_size */
	if (__rseq_size &&
	    syscall(SYS_rseq, area, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG) &&
	    syscall(SYS_rseq, area, __rseq_size, RSEQ_FLAG_UNREGISTER, RSEQ_SIG))
		return -1;
	if (syscall(SYS_set_robust_list, NULL, 3 * sizeof(void *)))
		return -1;
	syscall(SYS_set_tid_address, NULL);
	return 0;
}

/* Trap signals open, on this thread's trap stack. */
static int thread_setup(uint32_t vcpu)
{
	stack_t ss = {
		.ss_sp = (void *)PVISOR_CTX_STACK(vcpu),
		.ss_size = PVISOR_CTX_STACK_SIZE,
	};
	sigset_t set;
	size_t i;

	if (unregister_thread_areas() || sigaltstack(&ss, NULL))
		return -1;
	sigemptyset(&set);
	for (i = 0; i < sizeof(trap_signals) / sizeof(trap_signals[0]); i++)
		sigaddset(&set, trap_signals[i]);
	return pthread_sigmask(SIG_UNBLOCK, &set, NULL) ? -1 : 0;
}

/* A secondary vCPU's thread: bind, set up, park (the ud2's report). */
static void *ctx_thread(void *arg)
{
	uint32_t vcpu = (uint32_t)(uintptr_t)arg;

	if (ioctl(PVISOR_CTX_FD, PVISOR_IOCTL_CTX_THREAD, (unsigned long)vcpu) ||
	    thread_setup(vcpu))
		syscall(SYS_exit_group, FACTORY_CTX_THREAD_FAILED);
	asm volatile("ud2");
	__builtin_unreachable();
}

static int map_context(void)
{
	struct kernel_sigaction sa = {
		.handler = (void *)PVISOR_CTX_TRAP_ENTRY,
		.flags = SA_SIGINFO | SA_ONSTACK | KSA_RESTORER,
		.restorer = (void *)PVISOR_CTX_RESTORER,
		.mask = ~0ULL,	/* nothing interrupts a report */
	};
	size_t i;

	if (mmap((void *)PVISOR_CTX_TRAMPOLINE, 4096, PROT_READ | PROT_EXEC,
		 MAP_SHARED | MAP_FIXED_NOREPLACE, PVISOR_CTX_FD,
		 PVISOR_CTX_TRAMPOLINE_OFFSET) != (void *)PVISOR_CTX_TRAMPOLINE)
		return -1;
	if (mmap((void *)PVISOR_CTX_STACKS,
		 ctx_nr_vcpus * PVISOR_CTX_STACK_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) !=
	    (void *)PVISOR_CTX_STACKS)
		return -1;
	for (i = 0; i < sizeof(trap_signals) / sizeof(trap_signals[0]); i++)
		if (syscall(SYS_rt_sigaction, trap_signals[i], &sa, NULL, 8))
			return -1;
	return 0;
}

/* The child for one context; never returns. */
static void __attribute__((noreturn)) context_main(int ctx_fd)
{
	struct sock_fprog *prog;
	pthread_attr_t attr;
	uint64_t stack_top;
	uint32_t vcpu;

	if (dup2(ctx_fd, PVISOR_CTX_FD) != PVISOR_CTX_FD ||
	    syscall(SYS_close_range, PVISOR_CTX_FD + 1, ~0U, 0) ||
	    ioctl(PVISOR_CTX_FD, PVISOR_IOCTL_CTX_THREAD, 0UL) ||
	    map_context() || pthread_attr_init(&attr) ||
	    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED))
		_exit(FACTORY_CTX_SETUP_FAILED);
	for (vcpu = 1; vcpu < ctx_nr_vcpus; vcpu++) {
		pthread_t t;

		if (pthread_create(&t, &attr, ctx_thread, (void *)(uintptr_t)vcpu))
			_exit(FACTORY_CTX_SETUP_FAILED);
	}
	if (ioctl(PVISOR_CTX_FD, PVISOR_IOCTL_CTX_READY) || thread_setup(0))
		_exit(FACTORY_CTX_SETUP_FAILED);

	/* The filter must outlive the unmapping: keep it on the trap stack. */
	prog = (struct sock_fprog *)PVISOR_CTX_STACK(0);
	memcpy(prog + 1, ctx_filter, sizeof(ctx_filter));
	prog->len = sizeof(ctx_filter) / sizeof(ctx_filter[0]);
	prog->filter = (struct sock_filter *)(prog + 1);
	stack_top = PVISOR_CTX_STACK(0) + PVISOR_CTX_STACK_SIZE - 64;
	asm volatile("mov %0, %%rsp\n\t"
		     "jmp *%2"
		     : : "r"(stack_top), "D"(prog), "r"(PVISOR_CTX_START)
		     : "memory");
	__builtin_unreachable();
}

static int drop_privileges(uid_t id)
{
	if (setgroups(0, NULL) || setresgid(id, id, id) ||
	    setresuid(id, id, id) ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) || chdir("/"))
		return -1;
	return 0;
}

/* The factory's loop: a child per context the module asks for. */
static void __attribute__((noreturn)) serve(void)
{
	for (;;) {
		int ctx_fd = ioctl(FACTORY_FD, PVISOR_IOCTL_FACTORY_WAIT);
		pid_t pid;

		if (ctx_fd < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			_exit(errno == ESRCH ? 0 : 1);	/* let go, or broken */
		}
		pid = fork();
		if (pid == 0)
			context_main(ctx_fd);
		/* Failed or not, our copy goes: a child-less fd kills it. */
		close(ctx_fd);
	}
}

pid_t factory_start(uint32_t domid, uint32_t nr_vcpus, uid_t id)
{
	struct pvisor_factory_attach req = { .domid = domid };
	pid_t parent = getpid(), pid;
	int ready[2], dev, fd, err = 0;

	if (pipe2(ready, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(ready[0]);
		close(ready[1]);
		return err;
	}
	if (pid > 0) {
		close(ready[1]);
		if (read(ready[0], &err, sizeof(err)) != sizeof(err))
			err = -EIO;
		close(ready[0]);
		return err ? err : pid;
	}

	/* The factory. It must not outlive the process it serves. */
	close(ready[0]);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(1);
	ctx_nr_vcpus = nr_vcpus;
	dev = open("/dev/pvisor", O_RDWR | O_CLOEXEC);
	fd = dev < 0 ? -1 : ioctl(dev, PVISOR_IOCTL_FACTORY_ATTACH, &req);
	if (fd < 0 || dup2(fd, FACTORY_FD) != FACTORY_FD)
		err = -errno;
	else if (signal(SIGCHLD, SIG_IGN) == SIG_ERR || drop_privileges(id))
		err = -errno ?: -EPERM;
	if (write(ready[1], &err, sizeof(err)) != sizeof(err) || err)
		_exit(1);
	if (syscall(SYS_close_range, FACTORY_FD + 1, ~0U, 0) ||
	    syscall(SYS_close_range, 0, FACTORY_FD - 1, 0) ||
	    factory_confine())
		_exit(1);
	serve();
}
