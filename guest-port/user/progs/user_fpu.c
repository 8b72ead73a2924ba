// SPDX-License-Identifier: GPL-2.0
/*
 * A process's FPU state is its own and survives what the kernel does
 * around it (issue 8's "FPU and TLS per process"; the Linux port leaves
 * the state in the user context after an exit and reads it out only when
 * the kernel needs it). Each check loads a pattern into xmm0-xmm15 and,
 * in the same asm block, stores the registers back after:
 *
 *   - 500 system calls (getpid);
 *   - a fork: the child starts with the parent's registers; then parent
 *     and child, each with a pattern of its own, yield to each other 200
 *     times;
 *   - a second thread of the process (one address space: on pvisor, one
 *     user context) with a pattern of its own, the two yielding to each
 *     other 200 times;
 *   - a signal whose handler loads another pattern: rt_sigreturn brings
 *     the interrupted code's registers back from the frame.
 *
 * Runs natively (test_user_progs.sh) and in the Linux guest
 * (test_linux_user.sh); it needs Linux (kill, rt_sigaction).
 */

#include "../utest.h"

#define SYS_rt_sigaction	13
#define SYS_kill		62
#define SIGUSR1			10
#define SA_RESTORER		0x04000000
#define STACK_SIZE		(64 * 1024)
#define YIELDS			200

struct xmm_file {
	unsigned char b[16][16];
} __attribute__((aligned(16)));

/* The kernel's struct sigaction for x86-64 rt_sigaction. */
struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};

#define XMM_CLOBBERS \
	"xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", \
	"xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"
#define LOAD_XMM \
	".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n" \
	"movdqu \\n*16(%[in]), %%xmm\\n\n" \
	".endr\n"
#define STORE_XMM \
	".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n" \
	"movdqu %%xmm\\n, \\n*16(%[out])\n" \
	".endr\n"

static void pattern(struct xmm_file *f, unsigned char seed)
{
	int i, j;

	for (i = 0; i < 16; i++)
		for (j = 0; j < 16; j++)
			f->b[i][j] = (unsigned char)(seed + i * 16 + j);
}

/* How many of the 256 bytes differ. */
static int differ(const struct xmm_file *a, const struct xmm_file *b)
{
	int i, j, n = 0;

	for (i = 0; i < 16; i++)
		for (j = 0; j < 16; j++)
			n += a->b[i][j] != b->b[i][j];
	return n;
}

/* Loads @in, makes @calls system calls @nr (no arguments), stores @out. */
static void across_calls(const struct xmm_file *in, struct xmm_file *out,
			 long nr, long calls)
{
	asm volatile(LOAD_XMM
		     "1: mov %[nr], %%rax\n"
		     "syscall\n"
		     "dec %[calls]\n"
		     "jnz 1b\n"
		     STORE_XMM
		     : [calls] "+r"(calls)
		     : [in] "r"(in), [out] "r"(out), [nr] "r"(nr)
		     : "rax", "rcx", "r11", "memory", XMM_CLOBBERS);
}

/* Loads @in, forks, stores @out (in parent and child). Returns fork's value. */
static long fork_between(const struct xmm_file *in, struct xmm_file *out)
{
	long ret;

	asm volatile(LOAD_XMM
		     "syscall\n"
		     STORE_XMM
		     : "=a"(ret)
		     : "a"((long)SYS_fork), [in] "r"(in), [out] "r"(out)
		     : "rcx", "r11", "memory", XMM_CLOBBERS);
	return ret;
}

/* Loads @in, sends itself SIGUSR1, stores @out. Returns kill's value. */
static long kill_between(const struct xmm_file *in, struct xmm_file *out,
			 long pid)
{
	long ret;

	asm volatile(LOAD_XMM
		     "syscall\n"
		     STORE_XMM
		     : "=a"(ret)
		     : "a"((long)SYS_kill), "D"(pid), "S"((long)SIGUSR1),
		       [in] "r"(in), [out] "r"(out)
		     : "rcx", "r11", "memory", XMM_CLOBBERS);
	return ret;
}

static struct xmm_file in_a, in_b, in_c, out_a, out_b;
static volatile int handled, thread_done;

/* The handler's own pattern, to be undone by rt_sigreturn. */
static void handler(int sig)
{
	(void)sig;
	asm volatile(LOAD_XMM : : [in] "r"(&in_c) : "memory", XMM_CLOBBERS);
	handled = 1;
}

/* rt_sigreturn: the restorer x86-64 Linux requires (SA_RESTORER). */
asm(".text\n"
    ".globl user_fpu_restorer\n"
    "user_fpu_restorer:\n"
    "mov $15, %eax\n"
    "syscall\n"
    "ud2\n");
void user_fpu_restorer(void);

static void second_thread(void *arg)
{
	(void)arg;
	across_calls(&in_b, &out_b, SYS_sched_yield, YIELDS);
	thread_done = 1;
}

int main(int argc, char **argv)
{
	struct kernel_sigaction sa = {
		.handler = handler,
		.flags = SA_RESTORER,
		.restorer = user_fpu_restorer,
	};
	void *stack;
	long pid, r;
	int status = 0;

	(void)argc;
	(void)argv;
	utest_init("user_fpu");
	pattern(&in_a, 0x11);
	pattern(&in_b, 0x80);
	pattern(&in_c, 0xc3);

	across_calls(&in_a, &out_a, SYS_getpid, 500);
	utest_report(!differ(&in_a, &out_a),
		     "xmm0-15 survive 500 system calls (%d bytes differ)",
		     differ(&in_a, &out_a));

	pid = fork_between(&in_a, &out_a);
	if (pid == 0) {
		int bad = differ(&in_a, &out_a);

		across_calls(&in_b, &out_b, SYS_sched_yield, YIELDS);
		u_exit((bad ? 1 : 0) | (differ(&in_b, &out_b) ? 2 : 0));
	}
	UTEST_ASSERT(pid > 0);
	utest_report(!differ(&in_a, &out_a),
		     "the parent's registers survive fork (%d bytes differ)",
		     differ(&in_a, &out_a));
	across_calls(&in_a, &out_a, SYS_sched_yield, YIELDS);
	utest_report(!differ(&in_a, &out_a),
		     "the parent's survive %d yields beside the child's own (%d bytes differ)",
		     YIELDS, differ(&in_a, &out_a));
	r = u_wait(&status);
	utest_report(r == pid && (status & 0x7f) == 0 && !(status & 0x100),
		     "the child started with the parent's registers (status 0x%x)",
		     status);
	utest_report(r == pid && (status & 0x7f) == 0 && !(status & 0x200),
		     "the child's own survive its %d yields (status 0x%x)",
		     YIELDS, status);

	stack = u_mmap_anon(STACK_SIZE);
	UTEST_ASSERT(stack != MAP_FAILED);
	r = u_start_thread(second_thread, 0, (char *)stack + STACK_SIZE);
	UTEST_ASSERT(r > 0);
	across_calls(&in_a, &out_a, SYS_sched_yield, YIELDS);
	while (!thread_done)
		u_yield();
	utest_report(!differ(&in_a, &out_a),
		     "a thread's registers survive another thread of its process yielding beside it (%d bytes differ)",
		     differ(&in_a, &out_a));
	utest_report(!differ(&in_b, &out_b),
		     "... and the other thread's too (%d bytes differ)",
		     differ(&in_b, &out_b));

	r = syscall4(SYS_rt_sigaction, SIGUSR1, (long)&sa, 0, 8);
	UTEST_ASSERT(r == 0);
	r = kill_between(&in_a, &out_a, u_getpid());
	utest_report(r == 0 && handled,
		     "SIGUSR1 was handled (kill %ld, handler ran %d)", r, handled);
	utest_report(!differ(&in_a, &out_a),
		     "the handler's registers are gone after rt_sigreturn (%d bytes differ)",
		     differ(&in_a, &out_a));
	utest_done();
}
