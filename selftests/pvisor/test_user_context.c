// SPDX-License-Identifier: GPL-2.0
/*
 * User contexts and RUN_USER, tested from below: a guest kernel stub
 * (guest asm) creates two contexts over user page tables the test lays
 * out, then runs a script of RUN_USER calls the test prepared, each on
 * a snippet of user code (user asm, copied into guest memory), and the
 * test checks every exit: system calls of every entry path, faults with
 * the guest's error codes, A/D bits in the guest's entries, every trap
 * vector, rflags and fs/gs handling, bad register blocks, the two
 * contexts' isolation, an event preempting a spinning user loop, and
 * hostile user code aimed at the trampoline, and the FPU ops (INFO, GET
 * and SET on both ways a thread parks, their bad inputs, isolation).
 * Then the life of contexts
 * (test_life(), a second stub): max_contexts and recovery, 10,000
 * create/destroy cycles (PVISOR_CONTEXT_CYCLES: the debug kernel's run
 * makes 1000, its checkers being ten times slower) back to the
 * accounting baseline, a killed
 * factory, and the domain destroyed while user code spins, faults, or a
 * context is parked.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pvisor/context.h>
#include <pvisor/device.h>
#include <pvisor/event.h>
#include <pvisor/hypercall.h>

#include "../../userspace/runner/factory.h"
#include "guestrun.h"
#include "pvtest.h"

#define PREFIX		"uc-"

#define STR(x)		GR_STR(x)
#define HCALL(nr)	GR_HCALL(nr)
#define RES		STR(GR_ASM_VA(GR_PFN_RESULTS))
#define SCRATCH		STR(GR_ASM_VA(GR_PFN_SCRATCH))

/* Guest pfns of the user side (guestrun's layout keeps 0-19). */
#define PFN_L4A		32
#define PFN_L3A		33
#define PFN_L2A		34
#define PFN_L1A		35
#define PFN_L4B		36
#define PFN_L3B		37
#define PFN_L2B		38
#define PFN_L1B		39
#define PFN_DATA_A	41
#define PFN_STACK_A	42
#define PFN_SUPER	43
#define PFN_RO		44
#define PFN_AD_WRITE	45
#define PFN_AD_READ	46
#define PFN_DATA_B	47
#define PFN_RUNS	48	/* 4 pages of struct pvisor_user_run */
#define PFN_STACK_B	52
#define PFN_CODE	56	/* 2 pages of user code */
#define PFN_OPS		128	/* run k's CTXOP struct and FPU image: 128 + k */

/* User virtual addresses. */
#define U_CODE		0x400000ULL
#define U_DATA		0x410000ULL
#define U_STACK		0x411000ULL
#define U_SUPER		0x412000ULL
#define U_HOLE		0x413000ULL
#define U_RO		0x414000ULL
#define U_AD_WRITE	0x415000ULL
#define U_AD_READ	0x416000ULL
#define U_STACK_TOP	(U_STACK + 4096)

/* Scratch page. */
#define S_CREATE_A	0x000	/* struct pvisor_ctx_create */
#define S_CREATE_B	0x010
#define S_NRUNS		0x020
#define S_SHUTDOWN	0x028
#define S_CALLBACK	0x030
#define S_VIRQ		0x038	/* bind_virq {TIMER, vcpu 0, port} */
#define S_PERIOD	0x048	/* {2 ms} */
#define S_CONTROL	0x100	/* per run: {action, value} */
#define S_OPCMD		0x800	/* per run: a CTXOP before it, + 1 (0: none) */
#define MAX_RUNS	64

/* What the stub does before run k. */
#define ACT_NONE	0
#define ACT_CHAIN	1	/* regs from run k-1's exit, rax = value */
#define ACT_TIMER	2	/* a periodic timer runs during it */
#define ACT_CTX_B	4	/* run context B, not A */
#define ACT_BAD_ID	8	/* the id of no context */

/* Results page: RUN_USER's result per run; then the creates. */
#define R_CREATE_A	62
#define R_CREATE_B	63
#define R_OP		128	/* + k: the result of run k's CTXOP */

#define RUN_SIZE	208
#define RUNS_VA		STR(GR_ASM_VA(PFN_RUNS))
#define OPS_VA		STR(GR_ASM_VA(PFN_OPS))

asm(".pushsection .guest_text, \"ax\"\n"
    ".globl guest_start\n"
    "guest_start:\n"
    GR_ASM_COUNTING_EVENT_HANDLER(guest_event_handler)

    ".globl guest_user_main\n"
    "guest_user_main:\n"
    "movabs $" RES ", %rbx\n movabs $" SCRATCH ", %r12\n"
    /* events: a callback and the timer VIRQ, for ACT_TIMER */
    "mov 0x30(%r12), %rdi\n" HCALL(4)
    "mov $1, %edi\n lea 0x38(%r12), %rsi\n" HCALL(32)
    /* two contexts */
    "xor %edi, %edi\n lea 0x00(%r12), %rsi\n" HCALL(56)
    "mov %rax, " STR(R_CREATE_A) " * 8(%rbx)\n"
    "xor %edi, %edi\n lea 0x10(%r12), %rsi\n" HCALL(56)
    "mov %rax, " STR(R_CREATE_B) " * 8(%rbx)\n"
    "xor %r13d, %r13d\n"
    "1: cmp 0x20(%r12), %r13\n jae 9f\n"
    /* rdi = run block k, r14 = its control */
    "imul $" STR(RUN_SIZE) ", %r13, %rdi\n movabs $" RUNS_VA ", %rax\n add %rax, %rdi\n"
    "mov %r13, %r14\n shl $4, %r14\n lea 0x100(%r12, %r14), %r14\n"
    "mov 0x0c(%r12), %eax\n"			/* A's id */
    "testq $4, (%r14)\n jz 2f\n mov 0x1c(%r12), %eax\n"
    "2: testq $8, (%r14)\n jz 3f\n mov $0x7fff, %eax\n"
    "3: mov %eax, 0(%rdi)\n"
    /* a CTXOP first: its struct on page PFN_OPS + k, the run's id in it */
    "mov 0x800(%r12, %r13, 8), %rcx\n test %rcx, %rcx\n jz 7f\n"
    "push %rdi\n mov %r13, %rsi\n shl $12, %rsi\n movabs $" OPS_VA ", %rdx\n"
    "add %rdx, %rsi\n mov %eax, (%rsi)\n lea -1(%rcx), %rdi\n" HCALL(56)
    "mov %rax, " STR(R_OP) " * 8(%rbx, %r13, 8)\n pop %rdi\n"
    "7: "
    "testq $1, (%r14)\n jz 4f\n"
    /* chain: copy the previous block's registers, set rax */
    "push %rdi\n lea 8(%rdi), %rdi\n lea -" STR(RUN_SIZE) "(%rdi), %rsi\n"
    "mov $168, %ecx\n rep movsb\n pop %rdi\n"
    "mov 8(%r14), %rax\n mov %rax, 8 + 80(%rdi)\n"
    "4: testq $2, (%r14)\n jz 5f\n"
    "push %rdi\n mov $6, %edi\n xor %esi, %esi\n lea 0x48(%r12), %rdx\n" HCALL(24)
    "pop %rdi\n"
    "5: " HCALL(57)
    "mov %rax, (%rbx, %r13, 8)\n"
    "testq $2, (%r14)\n jz 6f\n"
    "mov $7, %edi\n xor %esi, %esi\n" HCALL(24)
    "6: inc %r13\n jmp 1b\n"
    "9: mov $2, %edi\n lea 0x28(%r12), %rsi\n" HCALL(29)
    "ud2\n"
    ".popsection\n");

/*
 * The life tests (test_life()): a second guest kernel stub, one mode per
 * run (scratch S_MODE), no user code but u_spin and u_read_hole.
 */
#define S_MODE		0x600	/* LIFE_* */
#define S_LCREATE	0x608	/* struct pvisor_ctx_create, A's tables */
#define S_CYCLES	0x618	/* create/destroy cycles */
#define S_GO		0x620	/* the host lets the guest go on */
#define S_LRUN		0x700	/* struct pvisor_user_run */

#define LIFE_LIMITS	1	/* exhaustion, recovery, cycles */
#define LIFE_FACTORY	2	/* the host kills the factory meanwhile */
#define LIFE_SPIN	3	/* destroyed while user code spins */
#define LIFE_FAULT	4	/* destroyed while user code faults, again and again */
#define LIFE_PARKED	5	/* destroyed with a context parked */
#define LIFE_SMP	6	/* two vCPUs in one context, one tampering */

/* LIFE_SMP's scratch: vCPU 1's start, and the two vCPUs' handshakes. */
#define S_SMP_START	0xa00	/* struct pvisor_vcpu_start */
#define S_SMP_GO1	0xa80
#define S_SMP_DONE1	0xa88
#define S_SMP_GO2	0xa90
#define S_SMP_DONE2	0xa98

/* Result slots (u64 each) of the life runs. */
#define L_COUNT		100	/* contexts created before the first refusal */
#define L_REFUSAL	101	/* that refusal */
#define L_DESTROYS	102	/* every DESTROY's result, or-ed */
#define L_RECOVER	103	/* CREATE after destroying them all */
#define L_CYCLES	104	/* cycles done */
#define L_CYCLE_FAILS	105	/* cycles in which a call failed */
#define L_READY		106	/* the host may act */
#define L_CREATE1	107	/* CREATE before the factory died */
#define L_CREATE2	108	/* CREATE after */
#define L_RUN		109	/* RUN_USER's result after */
#define L_RUNS		110	/* RUN_USER calls made (LIFE_FAULT) */
#define L_SMP_CREATE_B	111	/* LIFE_SMP: B's CREATE */
#define L_SMP_UP	112	/* vCPU 1's initialise and up, or-ed */
#define L_SMP_RUN	113	/* + 0..4: RUN_USER's results, run blocks 0..4 */
#define L_IDS		200	/* ids of the exhaustion, 256 at most */
#define L_MAX_IDS	256

#define LCREATE(slot)	"xor %edi, %edi\n lea 0x608(%r12), %rsi\n" HCALL(56) \
			"mov %rax, " STR(slot) " * 8(%rbx)\n"
asm(".pushsection .guest_text, \"ax\"\n"
    ".globl guest_life_main\n"
    "guest_life_main:\n"
    "movabs $" RES ", %rbx\n movabs $" SCRATCH ", %r12\n"
    "mov 0x600(%r12), %rax\n"
    "cmp $2, %rax\n je 20f\n cmp $3, %rax\n je 30f\n"
    "cmp $4, %rax\n je 40f\n cmp $5, %rax\n je 50f\n cmp $6, %rax\n je 60f\n"
    /* LIFE_LIMITS: create until refused */
    "xor %r13d, %r13d\n"
    "1: cmp $" STR(L_MAX_IDS) ", %r13\n jae 2f\n"
    "xor %edi, %edi\n lea 0x608(%r12), %rsi\n" HCALL(56)
    "test %rax, %rax\n jnz 2f\n"
    "mov 0x614(%r12), %eax\n mov %rax, " STR(L_IDS) " * 8(%rbx, %r13, 8)\n"
    "inc %r13\n jmp 1b\n"
    "2: mov %r13, " STR(L_COUNT) " * 8(%rbx)\n mov %rax, " STR(L_REFUSAL) " * 8(%rbx)\n"
    /* destroy them all */
    "xor %r14d, %r14d\n xor %r15d, %r15d\n"
    "3: cmp %r13, %r14\n jae 4f\n"
    "mov $1, %edi\n mov " STR(L_IDS) " * 8(%rbx, %r14, 8), %rsi\n" HCALL(56)
    "or %rax, %r15\n inc %r14\n jmp 3b\n"
    /* one more, and it goes too */
    "4:" LCREATE(L_RECOVER)
    "mov $1, %edi\n mov 0x614(%r12), %esi\n" HCALL(56)
    "or %rax, %r15\n mov %r15, " STR(L_DESTROYS) " * 8(%rbx)\n"
    /* cycles */
    "xor %r13d, %r13d\n xor %r15d, %r15d\n"
    "5: cmp 0x618(%r12), %r13\n jae 8f\n"
    "xor %edi, %edi\n lea 0x608(%r12), %rsi\n" HCALL(56)
    "test %rax, %rax\n jnz 6f\n"
    "mov $1, %edi\n mov 0x614(%r12), %esi\n" HCALL(56)
    "test %rax, %rax\n jz 7f\n"
    "6: inc %r15\n"
    "7: inc %r13\n mov %r13, " STR(L_CYCLES) " * 8(%rbx)\n jmp 5b\n"
    "8: mov %r15, " STR(L_CYCLE_FAILS) " * 8(%rbx)\n jmp 90f\n"
    /* LIFE_FACTORY: a context, then wait for the host to kill the factory */
    "20:" LCREATE(L_CREATE1)
    "movq $1, " STR(L_READY) " * 8(%rbx)\n"
    "21: pause\n cmpq $0, 0x620(%r12)\n je 21b\n"
    "mov 0x614(%r12), %r13d\n"
    LCREATE(L_CREATE2)
    "lea 0x700(%r12), %rdi\n mov %r13d, (%rdi)\n" HCALL(57)
    "mov %rax, " STR(L_RUN) " * 8(%rbx)\n jmp 90f\n"
    /* LIFE_SPIN: run u_spin until the domain goes */
    "30:" LCREATE(L_CREATE1)
    "movq $1, " STR(L_READY) " * 8(%rbx)\n"
    "lea 0x700(%r12), %rdi\n mov 0x614(%r12), %eax\n mov %eax, (%rdi)\n" HCALL(57)
    "mov %rax, " STR(L_RUN) " * 8(%rbx)\n ud2\n"
    /* LIFE_FAULT: fault exits, for ever */
    "40:" LCREATE(L_CREATE1)
    "movq $1, " STR(L_READY) " * 8(%rbx)\n"
    "41: lea 0x700(%r12), %rdi\n mov 0x614(%r12), %eax\n mov %eax, (%rdi)\n" HCALL(57)
    "incq " STR(L_RUNS) " * 8(%rbx)\n jmp 41b\n"
    /* LIFE_PARKED: a context, then a guest kernel spinning */
    "50:" LCREATE(L_CREATE1)
    "movq $1, " STR(L_READY) " * 8(%rbx)\n"
    "51: pause\n jmp 51b\n"
    /*
     * LIFE_SMP: contexts A and B, vCPU 1 up; A's run blocks 0-3 and B's
     * 4 get their ids; vCPU 0 runs block 0 while vCPU 1 runs block 1
     * (each waits for the other's store), vCPU 1 then block 2 (it
     * tampers with vCPU 0's trap stack), vCPU 0 blocks 3 and 4.
     */
    "60:" LCREATE(L_CREATE1)
    "xor %edi, %edi\n lea 0x10(%r12), %rsi\n" HCALL(56)
    "mov %rax, " STR(L_SMP_CREATE_B) " * 8(%rbx)\n"
    "xor %edi, %edi\n mov $1, %esi\n lea 0xa00(%r12), %rdx\n" HCALL(24)
    "mov %rax, %r15\n mov $1, %edi\n mov $1, %esi\n" HCALL(24)
    "or %rax, %r15\n mov %r15, " STR(L_SMP_UP) " * 8(%rbx)\n"
    "movabs $" RUNS_VA ", %rdi\n mov 0x614(%r12), %eax\n"
    "mov %eax, (%rdi)\n mov %eax, 208(%rdi)\n mov %eax, 416(%rdi)\n"
    "mov %eax, 624(%rdi)\n mov 0x1c(%r12), %eax\n mov %eax, 832(%rdi)\n"
    "movq $1, 0xa80(%r12)\n" HCALL(57)
    "mov %rax, " STR(L_SMP_RUN) " * 8(%rbx)\n"
    "61: pause\n cmpq $0, 0xa88(%r12)\n je 61b\n"
    "movq $1, 0xa90(%r12)\n"
    "62: pause\n cmpq $0, 0xa98(%r12)\n je 62b\n"
    "movabs $" RUNS_VA " + 624, %rdi\n" HCALL(57)
    "mov %rax, " STR(L_SMP_RUN) " * 8 + 24(%rbx)\n"
    "movabs $" RUNS_VA " + 832, %rdi\n" HCALL(57)
    "mov %rax, " STR(L_SMP_RUN) " * 8 + 32(%rbx)\n jmp 90f\n"
    /* LIFE_SMP's vCPU 1 */
    ".globl guest_life_vcpu1\n"
    "guest_life_vcpu1:\n"
    "movabs $" RES ", %rbx\n movabs $" SCRATCH ", %r12\n"
    "63: pause\n cmpq $0, 0xa80(%r12)\n je 63b\n"
    "movabs $" RUNS_VA " + 208, %rdi\n" HCALL(57)
    "mov %rax, " STR(L_SMP_RUN) " * 8 + 8(%rbx)\n movq $1, 0xa88(%r12)\n"
    "64: pause\n cmpq $0, 0xa90(%r12)\n je 64b\n"
    "movabs $" RUNS_VA " + 416, %rdi\n" HCALL(57)
    "mov %rax, " STR(L_SMP_RUN) " * 8 + 16(%rbx)\n movq $1, 0xa98(%r12)\n"
    "65: pause\n jmp 65b\n"
    "90: mov $2, %edi\n lea 0x28(%r12), %rsi\n" HCALL(29)
    "ud2\n"
    ".globl guest_end\n"
    "guest_end:\n"	/* the end of both stubs: guestrun copies up to here */
    ".popsection\n");

/* User code: each snippet starts a run; `syscall` ends most. */
#define USYS(nr)	"mov $" #nr ", %eax\n syscall\n"
asm(".pushsection .user_text, \"ax\"\n"
    ".globl user_start\n"
    "user_start:\n"
    ".globl u_args\n"
    "u_args: mov $0x1111, %edi\n mov $0x2222, %esi\n mov $0x3333, %edx\n"
    "mov $0x4444, %r10d\n mov $0x5555, %r8d\n mov $0x6666, %r9d\n"
    "mov $0x7777, %r15d\n"
    USYS(39)
    ".globl u_args_after\n"
    "u_args_after: mov %rax, %rdi\n" USYS(60)
    "ud2\n"

    ".globl u_int80\n"
    "u_int80: mov $20, %eax\n int $0x80\n ud2\n"
    ".globl u_sysenter\n"
    "u_sysenter: mov $20, %eax\n sysenter\n ud2\n"
    ".globl u_x32\n"
    "u_x32: mov $0x40000027, %eax\n syscall\n ud2\n"
    ".globl u_vsyscall\n"
    "u_vsyscall: xor %edi, %edi\n xor %esi, %esi\n"
    "movabs $0xffffffffff600000, %rax\n call *%rax\n"
    ".globl u_vsyscall_ret\n"
    "u_vsyscall_ret: ud2\n"
    ".globl u_munmap\n"
    "u_munmap: mov $0x400000, %edi\n mov $0x2000, %esi\n" USYS(11)
    ".globl u_after_munmap\n"
    "u_after_munmap: mov u_marker(%rip), %rdi\n" USYS(60)
    "ud2\n"
    ".globl u_marker\n"
    "u_marker: .quad 0x6d61726b6572\n"

    ".globl u_read_super\n"
    "u_read_super: mov 0x412000, %rax\n ud2\n"
    ".globl u_read_hole\n"
    "u_read_hole: mov 0x413000, %rax\n ud2\n"
    ".globl u_write_ro\n"
    "u_write_ro: movq $1, 0x414000\n ud2\n"
    ".globl u_exec_nx\n"
    "u_exec_nx: mov $0x410000, %eax\n jmp *%rax\n"
    ".globl u_ad\n"
    "u_ad: mov 0x415000, %rax\n movq $1, 0x415008\n mov 0x416000, %rax\n"
    USYS(39)

    ".globl u_ud2\n"
    "u_ud2: ud2\n"
    ".globl u_int3\n"
    "u_int3: int3\n"
    ".globl u_int3_after\n"
    "u_int3_after: ud2\n"
    ".globl u_div\n"
    "u_div: xor %edx, %edx\n mov $1, %eax\n xor %ecx, %ecx\n"
    ".globl u_div_insn\n"
    "u_div_insn: div %ecx\n ud2\n"
    ".globl u_hlt\n"
    "u_hlt: hlt\n"
    ".globl u_cli\n"
    "u_cli: cli\n"
    ".globl u_cr3\n"
    "u_cr3: mov %rax, %cr3\n"
    ".globl u_noncanon\n"
    "u_noncanon: movabs $0x8000000000000000, %rax\n"
    ".globl u_noncanon_insn\n"
    "u_noncanon_insn: mov (%rax), %rax\n ud2\n"
    ".globl u_step\n"
    "u_step: nop\n"
    ".globl u_step_after\n"
    "u_step_after: nop\n ud2\n"

    ".globl u_flags\n"
    "u_flags: pushf\n pop %rdi\n" USYS(39)
    ".globl u_bases\n"
    "u_bases: mov %fs:0, %rdi\n mov %gs:8, %rsi\n" USYS(39)
    ".globl u_read_data\n"
    "u_read_data: mov 0x410000, %rdi\n" USYS(39)
    ".globl u_spin\n"
    "u_spin: jmp u_spin\n"

    /* two vCPUs in one context: each waits for the other's store */
    ".globl u_smp0\n"
    "u_smp0: movq $1, 0x410100\n"
    "1: pause\n cmpq $0, 0x410108\n je 1b\n" USYS(39)
    ".globl u_smp0_after\n"
    "u_smp0_after: ud2\n"
    ".globl u_smp1\n"
    "u_smp1: pause\n cmpq $0, 0x410100\n je u_smp1\n movq $1, 0x410108\n"
    USYS(39)
    ".globl u_smp1_after\n"
    "u_smp1_after: ud2\n"
    /* a thread overwrites its sibling's (vCPU 0's) trap stack, top 8 KiB */
    ".globl u_tamper\n"
    "u_tamper: movabs $0x10000010e000, %rdi\n mov $1024, %ecx\n"
    "movabs $0x4141414141414141, %rax\n rep stosq\n" USYS(39)

    /* the FPU: xmm1 and MXCSR out, xmm2 in, a wait for xmm3 */
    ".globl u_fpu_read\n"
    "u_fpu_read: movq %xmm1, %rdi\n movhlps %xmm1, %xmm0\n movq %xmm0, %rsi\n"
    "stmxcsr -8(%rsp)\n mov -8(%rsp), %edx\n" USYS(39)
    ".globl u_fpu_write\n"
    "u_fpu_write: movabs $0xfeedface12345678, %rax\n movq %rax, %xmm2\n"
    "mov $0x0badc0de, %eax\n movq %rax, %xmm0\n movlhps %xmm0, %xmm2\n"
    USYS(39)
    ".globl u_fpu_spin\n"
    "u_fpu_spin: movq %xmm3, %rax\n test %rax, %rax\n jz u_fpu_spin\n"
    "mov %rax, %rdi\n" USYS(39)

    /* hostile */
    ".globl u_tramp_entry\n"
    "u_tramp_entry: movabs $0x100000000000, %rax\n mov $0x1234, %edx\n jmp *%rax\n"
    ".globl u_tramp_start\n"
    "u_tramp_start: movabs $0x100000000080, %rax\n jmp *%rax\n"
    /* a forged trap report on the trap stack: SIGSYS, "system call" 0x99 */
    ".globl u_forged\n"
    "u_forged: movabs $0x100000108000, %rdx\n"
    "movq $0x99, 40 + 13 * 8(%rdx)\n"		/* uc_mcontext.ax */
    "movl $31, 304(%rdx)\n"			/* info.si_signo */
    "lea u_forged_back(%rip), %rax\n push %rax\n"
    "movabs $0x100000000000, %rax\n jmp *%rax\n"
    ".globl u_forged_back\n"
    "u_forged_back: ud2\n"
    /* rt_sigreturn through the restorer with a frame of the user's own */
    ".globl u_sigreturn\n"
    "u_sigreturn: mov $0x411100, %esp\n"
    "movabs $0x100000100000, %rax\n mov %rax, 16(%rsp)\n"
    "movq $0x10000, 32(%rsp)\n"
    "lea u_sig_target(%rip), %rax\n mov %rax, 168(%rsp)\n"
    "movq $0x777, 104(%rsp)\n movq $0x202, 176(%rsp)\n"
    "movw $0x33, 184(%rsp)\n movw $0x2b, 190(%rsp)\n"
    "movq $0x412000, 160(%rsp)\n"
    "movabs $0x100000000040, %rax\n jmp *%rax\n"
    ".globl u_sig_target\n"
    "u_sig_target:" USYS(39)
    ".globl u_sig_target_after\n"
    "u_sig_target_after: ud2\n"
    /*
     * Forged frames of worse kinds: IOPL 3 and NT in rflags, an FPU
     * state on an unmapped page, a kernel code segment. r8 is the
     * variant.
     */
    ".globl u_sigforge\n"
    "u_sigforge: mov $0x411100, %esp\n"
    "movabs $0x100000100000, %rax\n mov %rax, 16(%rsp)\n"
    "movq $0x10000, 32(%rsp)\n movq $0, (%rsp)\n"
    "lea u_sigforge_target(%rip), %rax\n mov %rax, 168(%rsp)\n"
    "movq $0x202, 176(%rsp)\n movq $0x412000, 160(%rsp)\n"
    "movw $0x33, 184(%rsp)\n movw $0x2b, 190(%rsp)\n movq $0, 224(%rsp)\n"
    "cmp $1, %r8\n jne 1f\n movq $0x7202, 176(%rsp)\n"	/* IOPL 3, NT */
    "1: cmp $2, %r8\n jne 2f\n"			/* fpstate: unmapped */
    "movq $0x413000, 224(%rsp)\n"
    "2: cmp $3, %r8\n jne 3f\n movw $0x10, 184(%rsp)\n"	/* kernel cs */
    "3: movabs $0x100000000040, %rax\n jmp *%rax\n"
    ".globl u_sigforge_target\n"
    "u_sigforge_target: pushf\n pop %rdi\n" USYS(39)
    ".globl u_sigforge_after\n"
    "u_sigforge_after: ud2\n"
    ".globl user_end\n"
    "user_end:\n"
    ".popsection\n");

extern const char guest_event_handler[], guest_user_main[], guest_life_main[];
extern const char user_start[], user_end[];
extern const char u_args[], u_args_after[], u_int80[], u_sysenter[], u_x32[];
extern const char u_vsyscall[], u_vsyscall_ret[], u_munmap[], u_after_munmap[];
extern const char u_read_super[], u_read_hole[], u_write_ro[], u_exec_nx[];
extern const char u_ad[], u_ud2[], u_int3[], u_int3_after[], u_div[];
extern const char u_div_insn[], u_hlt[], u_cli[], u_cr3[], u_noncanon[];
extern const char u_noncanon_insn[];
extern const char u_step[], u_step_after[], u_flags[], u_bases[];
extern const char u_read_data[], u_spin[], u_tramp_entry[], u_tramp_start[];
extern const char u_forged[], u_forged_back[], u_sigreturn[];
extern const char u_sig_target_after[];
extern const char u_fpu_read[], u_fpu_write[], u_fpu_spin[];
extern const char u_sigforge[], u_sigforge_after[];
extern const char u_smp0[], u_smp0_after[], u_smp1[], u_smp1_after[];
extern const char u_tamper[], guest_life_vcpu1[];

static struct pvnl *nl;

static uint64_t uva(const char *label)
{
	return U_CODE + (uint64_t)(label - user_start);
}

/* The script: one entry per RUN_USER call. */
struct step {
	const char *what;
	const char *start;		/* user code, or NULL for a chain */
	uint64_t action, value;
	uint64_t rflags, fs_base, gs_base, rsp;
	uint64_t rip_override;		/* bad register blocks */
	uint32_t flags;
	uint32_t op;			/* a CTXOP before the run, + 1 */
	uint64_t r8;			/* r8 at the start */
	int img;			/* its struct and image: IMG_* */
};

static const struct step *script;
static size_t script_len;

static uint64_t pte(uint64_t pfn, uint64_t bits)
{
	return pfn << 12 | bits;
}

static uint64_t run_gpa(size_t k)
{
	return PFN_RUNS * 4096ULL + k * RUN_SIZE;
}

static void put_tables(uint8_t *mem, uint64_t l4, uint64_t l3, uint64_t l2,
		       uint64_t l1, uint64_t data, uint64_t stack)
{
	const uint64_t P = PVISOR_PTE_PRESENT, RW = PVISOR_PTE_RW,
		       US = PVISOR_PTE_USER, NX = PVISOR_PTE_NX;
	uint64_t l4_kernel = ((uint64_t)GR_WINDOW >> 39) & 511;

	/* the kernel's window too, supervisor only, as Linux maps it */
	gr_put64(mem, l4 * 4096 + l4_kernel * 8,
		 gr_get64(mem, GR_PFN_L4 * 4096 + l4_kernel * 8));
	gr_put64(mem, l4 * 4096, pte(l3, P | RW | US));
	gr_put64(mem, l3 * 4096, pte(l2, P | RW | US));
	gr_put64(mem, l2 * 4096 + 2 * 8, pte(l1, P | RW | US));
#define L1(va, e) gr_put64(mem, l1 * 4096 + (((va) >> 12) & 511) * 8, (e))
	L1(U_CODE, pte(PFN_CODE, P | US));
	L1(U_CODE + 4096, pte(PFN_CODE + 1, P | US));
	L1(U_DATA, pte(data, P | RW | US | NX));
	L1(U_STACK, pte(stack, P | RW | US | NX));
	L1(U_SUPER, pte(PFN_SUPER, P | RW | NX));
	L1(U_RO, pte(PFN_RO, P | US | NX));
	L1(U_AD_WRITE, pte(PFN_AD_WRITE, P | RW | US | NX));
	L1(U_AD_READ, pte(PFN_AD_READ, P | RW | US | NX));
#undef L1
}

/* ---- the FPU: CTXOP_INFO, FPU_GET and FPU_SET ---- */

#define OP_GET		(PVISOR_CTXOP_FPU_GET + 1)
#define OP_SET		(PVISOR_CTXOP_FPU_SET + 1)
#define OP_INFO		(PVISOR_CTXOP_INFO + 1)

#define IMG_OFF		64	/* the image, after the struct */
#define IMG_LEN		(4096 - IMG_OFF)
#define X_FCW		0
#define X_MXCSR		24
#define X_XMM(i)	(160 + 16 * (i))
#define X_BV		512
#define X_XCOMP		520

#define XMM1_LO		0x1122334455667788ULL
#define XMM1_HI		0x99aabbccddeeff00ULL
#define XMM2_LO		0xfeedface12345678ULL	/* u_fpu_write */
#define XMM2_HI		0x0badc0deULL
#define XMM3_LIVE	0x3333ULL
#define MXCSR_SET	0x7f80			/* round toward zero */

enum {
	IMG_NONE,
	IMG_GOOD,		/* xmm1 and MXCSR_SET */
	IMG_LIVE,		/* IMG_GOOD and xmm3 */
	IMG_SHORT,		/* len below xsave_size */
	IMG_PAD,
	IMG_VCPU,		/* a vCPU the domain has not */
	IMG_BUF,		/* buf outside the guest window */
	IMG_MXCSR,		/* a reserved MXCSR bit */
	IMG_BV,			/* XSTATE_BV: PKRU, outside the features */
	IMG_BV63,		/* XSTATE_BV bit 63 */
	IMG_XCOMP,		/* a compacted image */
	IMG_RSVD,		/* a reserved header byte */
};

/* What the module must advertise: XCR0's x87, SSE, AVX and AVX-512. */
static void host_xsave(uint64_t *features, uint32_t *size)
{
	unsigned int a, b, c, d;
	uint32_t lo, hi;

	*features = 0;
	*size = 0;
	__cpuid(1, a, b, c, d);
	if (!(c & (1U << 27)))		/* OSXSAVE */
		return;
	asm volatile("xgetbv" : "=a" (lo), "=d" (hi) : "c" (0));
	*features = (((uint64_t)hi << 32 | lo)) & 0xe7;
	*size = 576;
	for (int i = 2; i < 8; i++) {
		if (!(*features & (1ULL << i)))
			continue;
		__cpuid_count(0xd, i, a, b, c, d);
		if (a + b > *size)
			*size = a + b;
	}
}

static uint64_t img_get64(const uint8_t *mem, size_t k, unsigned int off)
{
	return gr_get64(mem, (PFN_OPS + k) * 4096ULL + IMG_OFF + off);
}

static void prepare_op(uint8_t *mem, size_t k, const struct step *s)
{
	uint8_t *page = mem + (PFN_OPS + k) * 4096ULL;
	struct pvisor_ctx_fpu arg = {
		.buf = GR_VA(PFN_OPS + k) + IMG_OFF, .len = IMG_LEN,
	};
	uint8_t *img = page + IMG_OFF;
	uint16_t fcw = 0x37f;
	uint32_t mxcsr = MXCSR_SET;
	uint64_t bv = 3;		/* x87 and SSE */

	memset(page, 0, 4096);
	gr_put64(mem, GR_PFN_SCRATCH * 4096 + S_OPCMD + k * 8, s->op);
	if (!s->op)
		return;
	if (s->img == IMG_NONE) {	/* GET: only the struct */
		memcpy(page, &arg, sizeof(arg));
		return;
	}
	memcpy(img + X_FCW, &fcw, sizeof(fcw));
	switch (s->img) {
	case IMG_SHORT: arg.len = 512; break;
	case IMG_PAD: arg.pad = 1; break;
	case IMG_VCPU: arg.vcpu = 1; break;
	case IMG_BUF: arg.buf = 0x1000; break;
	case IMG_MXCSR: mxcsr |= 1U << 16; break;
	case IMG_BV: bv |= 1ULL << 9; break;
	case IMG_BV63: bv |= 1ULL << 63; break;
	case IMG_XCOMP: gr_put64(mem, (img - mem) + X_XCOMP, 1ULL << 63 | 3); break;
	case IMG_RSVD: img[X_BV + 16] = 1; break;
	}
	memcpy(img + X_MXCSR, &mxcsr, sizeof(mxcsr));
	gr_put64(mem, (img - mem) + X_BV, bv);
	gr_put64(mem, (img - mem) + X_XMM(1), XMM1_LO);
	gr_put64(mem, (img - mem) + X_XMM(1) + 8, XMM1_HI);
	if (s->img == IMG_LIVE)
		gr_put64(mem, (img - mem) + X_XMM(3), XMM3_LIVE);
	memcpy(page, &arg, sizeof(arg));
}

static void prepare(uint8_t *mem)
{
	uint8_t *scratch = mem + GR_PFN_SCRATCH * 4096;
	struct pvisor_ctx_create a = { .pt_base_pfn = PFN_L4A };
	struct pvisor_ctx_create b = { .pt_base_pfn = PFN_L4B };
	uint32_t virq[3] = { PVISOR_VIRQ_TIMER, 0, 0 };
	uint64_t period = 2000000, n = script_len;
	size_t code = user_end - user_start;

	if (code > 2 * 4096 || script_len > MAX_RUNS)
		tap_bail("user code or script too large");
	memcpy(mem + PFN_CODE * 4096, user_start, code);
	put_tables(mem, PFN_L4A, PFN_L3A, PFN_L2A, PFN_L1A, PFN_DATA_A,
		   PFN_STACK_A);
	put_tables(mem, PFN_L4B, PFN_L3B, PFN_L2B, PFN_L1B, PFN_DATA_B,
		   PFN_STACK_B);
	gr_put64(mem, PFN_DATA_A * 4096, 0xaaaa0000aaaaULL);
	gr_put64(mem, PFN_DATA_A * 4096 + 8, 0xa8a8a8a8ULL);
	gr_put64(mem, PFN_DATA_B * 4096, 0xbbbb0000bbbbULL);
	gr_put64(mem, PFN_STACK_A * 4096 + 8, 0x57ac57acULL);

	memcpy(scratch + S_CREATE_A, &a, sizeof(a));
	memcpy(scratch + S_CREATE_B, &b, sizeof(b));
	memcpy(scratch + S_NRUNS, &n, sizeof(n));
	gr_put64(mem, GR_PFN_SCRATCH * 4096 + S_CALLBACK,
		 gr_code_va(guest_event_handler));
	memcpy(scratch + S_VIRQ, virq, sizeof(virq));
	memcpy(scratch + S_PERIOD, &period, sizeof(period));

	for (size_t k = 0; k < script_len; k++) {
		const struct step *s = &script[k];
		struct pvisor_user_run run = { .flags = s->flags };

		run.regs.rip = s->rip_override ? s->rip_override :
			       s->start ? uva(s->start) : 0;
		run.regs.rsp = s->rsp ? s->rsp : U_STACK_TOP;
		run.regs.rflags = s->rflags ? s->rflags : 0x202;
		run.regs.fs_base = s->fs_base;
		run.regs.gs_base = s->gs_base;
		run.regs.rax = 0x5eed;
		run.regs.r8 = s->r8;
		memcpy(mem + run_gpa(k), &run, sizeof(run));
		gr_put64(mem, GR_PFN_SCRATCH * 4096 + S_CONTROL + k * 16,
			 s->action);
		gr_put64(mem, GR_PFN_SCRATCH * 4096 + S_CONTROL + k * 16 + 8,
			 s->value);
		prepare_op(mem, k, s);
	}
}

static void get_run(const uint8_t *mem, size_t k, struct pvisor_user_run *run)
{
	memcpy(run, mem + run_gpa(k), sizeof(*run));
}

static int64_t result(const uint8_t *mem, size_t k)
{
	return (int64_t)gr_get64(mem, GR_PFN_RESULTS * 4096 + k * 8);
}

enum {
	K_ARGS, K_ARGS_RESUME, K_INT80, K_SYSENTER, K_X32, K_VSYSCALL,
	K_MUNMAP, K_AFTER_MUNMAP,
	K_SUPER, K_HOLE, K_RO, K_NX, K_AD,
	K_UD2, K_INT3, K_DIV, K_HLT, K_CLI, K_CR3, K_NONCANON,
	K_STEP,
	K_FLAGS, K_BASES, K_ISOLATION_A, K_ISOLATION_B, K_EVENT,
	K_FPU_INFO, K_FPU_FRESH, K_FPU_SET, K_FPU_WRITE,
	K_FPU_BAD_LEN, K_FPU_BAD_PAD, K_FPU_BAD_VCPU, K_FPU_BAD_ID,
	K_FPU_BAD_BUF, K_FPU_BAD_MXCSR, K_FPU_BAD_BV, K_FPU_BAD_BV63,
	K_FPU_BAD_XCOMP, K_FPU_BAD_RSVD,
	K_FPU_GET, K_FPU_OTHER, K_FPU_SPIN, K_FPU_LIVE_GET, K_FPU_LIVE,
	K_BAD_RIP0, K_BAD_RIP_KERNEL, K_BAD_RSP, K_BAD_FS, K_BAD_FLAGS,
	K_BAD_ID,
	K_TRAMP_ENTRY, K_AFTER_TRAMP, K_FORGED, K_FORGED_RESUME, K_SIGRETURN,
	K_SIGRET_IOPL, K_SIGRET_FPU, K_SIGRET_CS, K_HOSTILE_B, K_AFTER_HOSTILE,
	K_TRAMP_START, K_GONE,
	NR_STEPS
};

#define X86_EFLAGS_TF	0x100ULL

static const struct step steps[NR_STEPS] = {
	[K_ARGS] = { "syscall", u_args },
	[K_ARGS_RESUME] = { "resume after it", NULL, ACT_CHAIN,
			    0x123456789abcdef0ULL },
	[K_INT80] = { "int $0x80", u_int80 },
	[K_SYSENTER] = { "sysenter", u_sysenter },
	[K_X32] = { "x32 syscall", u_x32 },
	[K_VSYSCALL] = { "vsyscall", u_vsyscall },
	[K_MUNMAP] = { "munmap of the window", u_munmap },
	[K_AFTER_MUNMAP] = { "after munmap", u_after_munmap },
	[K_SUPER] = { "read of a supervisor page", u_read_super },
	[K_HOLE] = { "read of an unmapped page", u_read_hole },
	[K_RO] = { "write to a read-only page", u_write_ro },
	[K_NX] = { "fetch from an NX page", u_exec_nx },
	[K_AD] = { "A/D", u_ad },
	[K_UD2] = { "ud2", u_ud2 },
	[K_INT3] = { "int3", u_int3 },
	[K_DIV] = { "div by 0", u_div },
	[K_HLT] = { "hlt", u_hlt },
	[K_CLI] = { "cli", u_cli },
	[K_CR3] = { "mov to cr3", u_cr3 },
	[K_NONCANON] = { "non-canonical load", u_noncanon },
	[K_STEP] = { "single step", u_step, .rflags = 0x202 | X86_EFLAGS_TF },
	[K_FLAGS] = { "rflags", u_flags, .rflags = 0xfffffeffULL },
	[K_BASES] = { "fs/gs", u_bases, .fs_base = U_DATA, .gs_base = U_STACK },
	[K_ISOLATION_A] = { "context A's data", u_read_data },
	[K_ISOLATION_B] = { "context B's data", u_read_data, ACT_CTX_B },
	[K_EVENT] = { "a spinning loop under a timer", u_spin, ACT_TIMER },
	/* FPU ops before runs that do nothing (flags 1) or read the FPU */
	[K_FPU_INFO] = { "INFO", u_args, .flags = 1, .op = OP_INFO },
	[K_FPU_FRESH] = { "B's state", u_args, ACT_CTX_B, .flags = 1,
			  .op = OP_GET, .img = IMG_NONE },
	[K_FPU_SET] = { "SET, then user code reads it", u_fpu_read,
			.op = OP_SET, .img = IMG_GOOD },
	[K_FPU_WRITE] = { "user code writes xmm2", u_fpu_write },
	[K_FPU_BAD_LEN] = { "len below xsave_size", u_args, .flags = 1,
			    .op = OP_SET, .img = IMG_SHORT },
	[K_FPU_BAD_PAD] = { "pad not 0", u_args, .flags = 1, .op = OP_SET,
			    .img = IMG_PAD },
	[K_FPU_BAD_VCPU] = { "a vCPU the domain has not", u_args, .flags = 1,
			     .op = OP_SET, .img = IMG_VCPU },
	[K_FPU_BAD_ID] = { "no such context", u_args, ACT_BAD_ID, .flags = 1,
			   .op = OP_SET, .img = IMG_GOOD },
	[K_FPU_BAD_BUF] = { "buf outside the window", u_args, .flags = 1,
			    .op = OP_SET, .img = IMG_BUF },
	[K_FPU_BAD_MXCSR] = { "a reserved MXCSR bit", u_args, .flags = 1,
			      .op = OP_SET, .img = IMG_MXCSR },
	[K_FPU_BAD_BV] = { "XSTATE_BV with PKRU", u_args, .flags = 1,
			   .op = OP_SET, .img = IMG_BV },
	[K_FPU_BAD_BV63] = { "XSTATE_BV bit 63", u_args, .flags = 1,
			     .op = OP_SET, .img = IMG_BV63 },
	[K_FPU_BAD_XCOMP] = { "a compacted header", u_args, .flags = 1,
			      .op = OP_SET, .img = IMG_XCOMP },
	[K_FPU_BAD_RSVD] = { "a reserved header byte", u_args, .flags = 1,
			     .op = OP_SET, .img = IMG_RSVD },
	[K_FPU_GET] = { "GET", u_args, .flags = 1, .op = OP_GET,
			.img = IMG_NONE },
	[K_FPU_OTHER] = { "B's state after A's SET", u_fpu_read, ACT_CTX_B,
			  .op = OP_GET, .img = IMG_NONE },
	[K_FPU_SPIN] = { "a wait for xmm3 under a timer", u_fpu_spin,
			 ACT_TIMER },
	[K_FPU_LIVE_GET] = { "GET after an event", u_args, .flags = 1,
			     .op = OP_GET, .img = IMG_NONE },
	[K_FPU_LIVE] = { "SET after an event", u_fpu_spin, .op = OP_SET,
			 .img = IMG_LIVE },
	[K_BAD_RIP0] = { "rip 0", NULL, .rip_override = 0x1000 },
	[K_BAD_RIP_KERNEL] = { "rip in the kernel window", NULL,
			       .rip_override = GR_WINDOW + 0x4000 },
	[K_BAD_RSP] = { "rsp above the window", u_args,
			.rsp = PVISOR_USER_TOP + 4096 },
	[K_BAD_FS] = { "non-canonical fs_base", u_args,
		       .fs_base = 0x8000000000000000ULL },
	[K_BAD_FLAGS] = { "flags", u_args, .flags = 1 },
	[K_BAD_ID] = { "no such context", u_args, ACT_BAD_ID },
	[K_TRAMP_ENTRY] = { "a jump into the trampoline", u_tramp_entry },
	[K_AFTER_TRAMP] = { "the context after it", u_args },
	[K_FORGED] = { "a forged trap report", u_forged },
	[K_FORGED_RESUME] = { "the resume of the forged report", u_args },
	[K_SIGRETURN] = { "a jump to the restorer", u_sigreturn },
	[K_SIGRET_IOPL] = { "a frame with IOPL 3 and NT", u_sigforge, .r8 = 1 },
	[K_SIGRET_FPU] = { "a frame whose FPU state is unmapped", u_sigforge, .r8 = 2 },
	[K_SIGRET_CS] = { "a frame with the kernel's cs", u_sigforge, .r8 = 3 },
	[K_HOSTILE_B] = { "context B after them", u_read_data, ACT_CTX_B },
	[K_AFTER_HOSTILE] = { "the context after them", u_args },
	[K_TRAMP_START] = { "a jump into the start code", u_tramp_start },
	[K_GONE] = { "the dead context", u_args, .op = OP_GET,
		     .img = IMG_NONE },
};

static void check_syscalls(const uint8_t *mem)
{
	struct pvisor_user_run r;

	get_run(mem, K_ARGS, &r);
	tap_ok(result(mem, K_ARGS) == 0 && r.reason == PVISOR_EXIT_SYSCALL &&
	       r.regs.orig_rax == 39 && r.regs.rdi == 0x1111 &&
	       r.regs.rsi == 0x2222 && r.regs.rdx == 0x3333 &&
	       r.regs.r10 == 0x4444 && r.regs.r8 == 0x5555 &&
	       r.regs.r9 == 0x6666 && r.regs.r15 == 0x7777 &&
	       r.regs.rip == uva(u_args_after) &&
	       r.regs.rcx == uva(u_args_after) &&
	       r.regs.rsp == U_STACK_TOP &&
	       r.syscall_arch == PVISOR_ARCH_X86_64 && r.host_signo == SIGSYS,
	       "syscall: EXIT_SYSCALL with number, arguments, rip, rcx (reason %u, nr %llu, rip %#llx)",
	       r.reason, (unsigned long long)r.regs.orig_rax,
	       (unsigned long long)r.regs.rip);
	get_run(mem, K_ARGS_RESUME, &r);
	tap_ok(r.reason == PVISOR_EXIT_SYSCALL && r.regs.orig_rax == 60 &&
	       r.regs.rdi == 0x123456789abcdef0ULL,
	       "resuming after it delivers a 64-bit result in rax (rdi %#llx)",
	       (unsigned long long)r.regs.rdi);

	get_run(mem, K_INT80, &r);
	tap_ok(result(mem, K_INT80) == 0 &&
	       ((r.reason == PVISOR_EXIT_SYSCALL &&
		 r.syscall_arch == PVISOR_ARCH_I386 && r.regs.orig_rax == 20) ||
		(r.reason == PVISOR_EXIT_TRAP && r.vector == 13)),
	       "int $0x80 exits to the guest kernel (reason %u, arch %#x)",
	       r.reason, r.syscall_arch);
	get_run(mem, K_SYSENTER, &r);
	tap_ok(result(mem, K_SYSENTER) == 0 &&
	       ((r.reason == PVISOR_EXIT_SYSCALL &&
		 r.syscall_arch == PVISOR_ARCH_I386) ||
		(r.reason == PVISOR_EXIT_TRAP &&
		 (r.vector == 6 || r.vector == 13))),
	       "sysenter exits to the guest kernel (reason %u, vector %u)",
	       r.reason, r.vector);
	get_run(mem, K_X32, &r);
	tap_ok(r.reason == PVISOR_EXIT_SYSCALL &&
	       r.regs.orig_rax == 0x40000027 &&
	       r.syscall_arch == PVISOR_ARCH_X86_64,
	       "an x32 system call exits with its number (%#llx)",
	       (unsigned long long)r.regs.orig_rax);
	get_run(mem, K_VSYSCALL, &r);
	tap_ok(result(mem, K_VSYSCALL) == 0 &&
	       ((r.reason == PVISOR_EXIT_SYSCALL && r.regs.orig_rax == 96 &&
		 r.regs.rip == uva(u_vsyscall_ret) &&
		 r.address == 0xffffffffff600000ULL) ||
		r.reason == PVISOR_EXIT_FAULT || r.reason == PVISOR_EXIT_TRAP),
	       "a vsyscall page call exits to the guest kernel (reason %u, nr %llu, rip %#llx)",
	       r.reason, (unsigned long long)r.regs.orig_rax,
	       (unsigned long long)r.regs.rip);
	get_run(mem, K_MUNMAP, &r);
	tap_ok(r.reason == PVISOR_EXIT_SYSCALL && r.regs.orig_rax == 11,
	       "munmap of the window is the guest kernel's system call");
	get_run(mem, K_AFTER_MUNMAP, &r);
	tap_ok(r.reason == PVISOR_EXIT_SYSCALL && r.regs.rdi == 0x6d61726b6572,
	       "and the window is still there afterwards");
}

static void check_faults(const uint8_t *mem)
{
	static const struct {
		int k;
		const char *what;
		uint64_t addr, error;
	} want[] = {
		{ K_SUPER, "a supervisor-only page (P|U)", U_SUPER, 0x5 },
		{ K_HOLE, "an unmapped page (U)", U_HOLE, 0x4 },
		{ K_RO, "a write to a read-only page (P|W|U)", U_RO, 0x7 },
		{ K_NX, "a fetch from an NX page (P|U|I)", U_DATA, 0x15 },
	};
	uint64_t ad_w = gr_get64(mem, PFN_L1A * 4096 + ((U_AD_WRITE >> 12) & 511) * 8);
	uint64_t ad_r = gr_get64(mem, PFN_L1A * 4096 + ((U_AD_READ >> 12) & 511) * 8);
	uint64_t l2 = gr_get64(mem, PFN_L2A * 4096 + 2 * 8);
	struct pvisor_user_run r;

	for (size_t i = 0; i < PVT_ARRAY_SIZE(want); i++) {
		get_run(mem, want[i].k, &r);
		tap_ok(r.reason == PVISOR_EXIT_FAULT && r.vector == 14 &&
		       r.address == want[i].addr &&
		       r.error_code == want[i].error,
		       "%s: EXIT_FAULT at %#llx, error %#llx",
		       want[i].what, (unsigned long long)r.address,
		       (unsigned long long)r.error_code);
	}
	get_run(mem, K_AD, &r);
	tap_ok(r.reason == PVISOR_EXIT_SYSCALL && (ad_w & 0x60) == 0x60 &&
	       (ad_r & 0x60) == 0x20 && (l2 & 0x20),
	       "A and D are set in the guest's entries as the CPU sets them (written %#llx, read %#llx)",
	       (unsigned long long)ad_w, (unsigned long long)ad_r);
}

static void check_traps(const uint8_t *mem)
{
	static const struct {
		int k;
		uint32_t vector;
		const char *rip_label;
	} want[] = {
		{ K_UD2, 6, u_ud2 }, { K_INT3, 3, u_int3_after },
		{ K_DIV, 0, u_div_insn }, { K_HLT, 13, u_hlt },
		{ K_CLI, 13, u_cli }, { K_CR3, 13, u_cr3 },
		{ K_NONCANON, 13, u_noncanon_insn },
		{ K_STEP, 1, u_step_after },
	};
	struct pvisor_user_run r;

	for (size_t i = 0; i < PVT_ARRAY_SIZE(want); i++) {
		get_run(mem, want[i].k, &r);
		tap_ok(r.reason == PVISOR_EXIT_TRAP && r.vector == want[i].vector &&
		       r.regs.rip == uva(want[i].rip_label),
		       "%s: EXIT_TRAP vector %u at the right rip (reason %u, vector %u, rip %#llx)",
		       steps[want[i].k].what, want[i].vector, r.reason,
		       r.vector, (unsigned long long)r.regs.rip);
	}
}

static void check_registers(const uint8_t *mem)
{
	const uint64_t allowed = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x400 |
				 0x800 | 0x40000;
	struct pvisor_user_run r;

	get_run(mem, K_FLAGS, &r);
	tap_ok(r.reason == PVISOR_EXIT_SYSCALL &&
	       r.regs.rdi == ((0xfffffeffULL & allowed) | 0x202),
	       "rflags are filtered as iret filters them (%#llx)",
	       (unsigned long long)r.regs.rdi);
	get_run(mem, K_BASES, &r);
	tap_ok(r.reason == PVISOR_EXIT_SYSCALL && r.regs.rdi == 0xaaaa0000aaaaULL &&
	       r.regs.rsi == 0x57ac57acULL && r.regs.fs_base == U_DATA &&
	       r.regs.gs_base == U_STACK,
	       "fs_base and gs_base reach user code and come back");
	get_run(mem, K_ISOLATION_A, &r);
	tap_ok(r.reason == PVISOR_EXIT_SYSCALL && r.regs.rdi == 0xaaaa0000aaaaULL,
	       "context A sees its own page at %#llx", U_DATA);
	get_run(mem, K_ISOLATION_B, &r);
	tap_ok(r.reason == PVISOR_EXIT_SYSCALL && r.regs.rdi == 0xbbbb0000bbbbULL,
	       "context B sees its own page at the same address");
	get_run(mem, K_EVENT, &r);
	tap_ok(result(mem, K_EVENT) == 0 && r.reason == PVISOR_EXIT_EVENT &&
	       r.regs.rip == uva(u_spin) &&
	       gr_get64(mem, GR_PFN_RESULTS * 4096 + GR_EVENT_COUNT) >= 1,
	       "a timer preempts a spinning user loop: EXIT_EVENT, then the upcall (reason %u, upcalls %llu)",
	       r.reason, (unsigned long long)gr_get64(mem, GR_PFN_RESULTS * 4096 + GR_EVENT_COUNT));
}

static void check_bad_input(const uint8_t *mem)
{
	static const int bad[] = {
		K_BAD_RIP0, K_BAD_RIP_KERNEL, K_BAD_RSP, K_BAD_FS, K_BAD_FLAGS,
		K_BAD_ID,
	};

	for (size_t i = 0; i < PVT_ARRAY_SIZE(bad); i++)
		tap_ok(result(mem, bad[i]) == -EINVAL, "RUN_USER with %s: -EINVAL (%lld)",
		       steps[bad[i]].what, (long long)result(mem, bad[i]));
}

static void check_hostile(const uint8_t *mem)
{
	struct pvisor_user_run r;

	get_run(mem, K_TRAMP_ENTRY, &r);
	tap_ok(result(mem, K_TRAMP_ENTRY) == 0 && r.reason == PVISOR_EXIT_TRAP &&
	       r.vector == 6 && r.regs.rip >= PVISOR_CTX_TRAMPOLINE &&
	       r.regs.rip < PVISOR_CTX_TRAMPOLINE + 4096,
	       "a jump into the trampoline with a bogus report is a trap (reason %u, vector %u)",
	       r.reason, r.vector);
	get_run(mem, K_AFTER_TRAMP, &r);
	tap_ok(r.reason == PVISOR_EXIT_SYSCALL && r.regs.orig_rax == 39,
	       "the context runs on after it");
	get_run(mem, K_FORGED, &r);
	tap_ok(r.reason == PVISOR_EXIT_SYSCALL && r.regs.orig_rax == 0x99,
	       "a forged trap report is the user's own system call (reason %u, nr %#llx)",
	       r.reason, (unsigned long long)r.regs.orig_rax);
	get_run(mem, K_FORGED_RESUME, &r);
	tap_ok(r.reason == PVISOR_EXIT_TRAP && r.vector == 6 &&
	       r.regs.rip == uva(u_forged_back),
	       "its resume returns where the user's own stack leads (reason %u, rip %#llx)",
	       r.reason, (unsigned long long)r.regs.rip);
	get_run(mem, K_SIGRETURN, &r);
	tap_ok(result(mem, K_SIGRETURN) == 0 && r.reason == PVISOR_EXIT_SYSCALL &&
	       r.regs.rdi == 0x777 && r.regs.rip == uva(u_sig_target_after),
	       "rt_sigreturn with the user's own frame loads only user registers (reason %u, rdi %#llx)",
	       r.reason, (unsigned long long)r.regs.rdi);
	get_run(mem, K_SIGRET_IOPL, &r);
	tap_ok(result(mem, K_SIGRET_IOPL) == 0 &&
	       r.reason == PVISOR_EXIT_SYSCALL &&
	       r.regs.rip == uva(u_sigforge_after) &&
	       (r.regs.rdi & 0x7000) == 0,
	       "a forged frame cannot raise IOPL or set NT (reason %u, rflags %#llx)",
	       r.reason, (unsigned long long)r.regs.rdi);
	for (int k = K_SIGRET_FPU; k <= K_SIGRET_CS; k++) {
		get_run(mem, k, &r);
		tap_ok(result(mem, k) == 0 &&
		       (r.reason == PVISOR_EXIT_TRAP || r.reason == PVISOR_EXIT_FAULT ||
			r.reason == PVISOR_EXIT_GONE) &&
		       r.regs.rip != uva(u_sigforge_after),
		       "rt_sigreturn with %s is refused: an exit of the context's own (reason %u, vector %u, signal %u)",
		       steps[k].what, r.reason, r.vector, r.host_signo);
	}
	get_run(mem, K_HOSTILE_B, &r);
	tap_ok(r.reason == PVISOR_EXIT_SYSCALL && r.regs.rdi == 0xbbbb0000bbbbULL,
	       "context B runs untouched by A's hostile code (reason %u)",
	       r.reason);
	get_run(mem, K_AFTER_HOSTILE, &r);
	tap_ok(r.reason == PVISOR_EXIT_SYSCALL || r.reason == PVISOR_EXIT_GONE,
	       "the context after them: it runs, or it is gone (reason %u)",
	       r.reason);
	get_run(mem, K_TRAMP_START, &r);
	tap_ok(result(mem, K_TRAMP_START) == 0 && r.reason == PVISOR_EXIT_GONE,
	       "a jump into the start code kills the context: EXIT_GONE (reason %u)",
	       r.reason);
	get_run(mem, K_GONE, &r);
	tap_ok(result(mem, K_GONE) == 0 && r.reason == PVISOR_EXIT_GONE,
	       "running it again: EXIT_GONE");
}

static int64_t op_result(const uint8_t *mem, size_t k)
{
	return result(mem, R_OP + k);
}

static void check_fpu(const uint8_t *mem)
{
	static const struct {
		int k;
		int64_t err;
	} bad[] = {
		{ K_FPU_BAD_LEN, -EINVAL }, { K_FPU_BAD_PAD, -EINVAL },
		{ K_FPU_BAD_VCPU, -EINVAL }, { K_FPU_BAD_ID, -EINVAL },
		{ K_FPU_BAD_BUF, -EFAULT }, { K_FPU_BAD_MXCSR, -EINVAL },
		{ K_FPU_BAD_BV, -EINVAL }, { K_FPU_BAD_BV63, -EINVAL },
		{ K_FPU_BAD_XCOMP, -EINVAL }, { K_FPU_BAD_RSVD, -EINVAL },
	};
	struct pvisor_ctx_info info;
	struct pvisor_user_run r;
	uint64_t features, fresh = 0;
	uint32_t size;
	int k;

	host_xsave(&features, &size);
	memcpy(&info, mem + PFN_OPS * 4096ULL + K_FPU_INFO * 4096ULL,
	       sizeof(info));
	tap_ok(op_result(mem, K_FPU_INFO) == 0 && size >= 576 &&
	       (features & 3) == 3 && info.xsave_size == size &&
	       info.xsave_features == features,
	       "INFO: xsave_size %u and xsave_features %#llx, as CPUID and XCR0 say (%u, %#llx)",
	       info.xsave_size, (unsigned long long)info.xsave_features, size,
	       (unsigned long long)features);

	k = K_FPU_FRESH;
	for (int i = 0; i < 16; i++)
		fresh |= img_get64(mem, k, X_XMM(i)) | img_get64(mem, k, X_XMM(i) + 8);
	tap_ok(op_result(mem, k) == 0 &&
	       (img_get64(mem, k, X_FCW) & 0xffff) == 0x37f &&
	       (img_get64(mem, k, X_MXCSR) & 0xffffffff) == 0x1f80 && !fresh,
	       "a new context's user code starts in the FPU's init state, nothing of the factory's (%lld)",
	       (long long)op_result(mem, k));

	get_run(mem, K_FPU_SET, &r);
	tap_ok(op_result(mem, K_FPU_SET) == 0 && r.reason == PVISOR_EXIT_SYSCALL &&
	       r.regs.rdi == XMM1_LO && r.regs.rsi == XMM1_HI &&
	       r.regs.rdx == MXCSR_SET,
	       "FPU_SET: user code reads the xmm1 and MXCSR the guest set (%lld, xmm1 %#llx:%#llx, mxcsr %#llx)",
	       (long long)op_result(mem, K_FPU_SET), (unsigned long long)r.regs.rsi,
	       (unsigned long long)r.regs.rdi, (unsigned long long)r.regs.rdx);

	for (size_t i = 0; i < PVT_ARRAY_SIZE(bad); i++)
		tap_ok(op_result(mem, bad[i].k) == bad[i].err,
		       "FPU_SET with %s: %lld (want %lld)", steps[bad[i].k].what,
		       (long long)op_result(mem, bad[i].k), (long long)bad[i].err);

	k = K_FPU_GET;
	get_run(mem, K_FPU_WRITE, &r);
	tap_ok(r.reason == PVISOR_EXIT_SYSCALL && op_result(mem, k) == 0 &&
	       img_get64(mem, k, X_XMM(2)) == XMM2_LO &&
	       img_get64(mem, k, X_XMM(2) + 8) == XMM2_HI &&
	       img_get64(mem, k, X_XMM(1)) == XMM1_LO &&
	       (img_get64(mem, k, X_MXCSR) & 0xffffffff) == MXCSR_SET &&
	       (img_get64(mem, k, X_BV) & ~features) == 0,
	       "FPU_GET reads back what user code wrote, the refused SETs changed nothing (%lld, xmm2 %#llx)",
	       (long long)op_result(mem, k),
	       (unsigned long long)img_get64(mem, k, X_XMM(2)));

	k = K_FPU_OTHER;
	get_run(mem, k, &r);
	tap_ok(op_result(mem, k) == 0 && img_get64(mem, k, X_XMM(1)) == 0 &&
	       img_get64(mem, k, X_XMM(2)) == 0 &&
	       r.reason == PVISOR_EXIT_SYSCALL && r.regs.rdi == 0 &&
	       r.regs.rsi == 0 && r.regs.rdx == 0x1f80,
	       "context B sees none of A's FPU state, by FPU_GET nor from user code (xmm1 %#llx, mxcsr %#llx)",
	       (unsigned long long)r.regs.rdi, (unsigned long long)r.regs.rdx);

	get_run(mem, K_FPU_SPIN, &r);
	k = K_FPU_LIVE_GET;
	tap_ok(r.reason == PVISOR_EXIT_EVENT && op_result(mem, k) == 0 &&
	       img_get64(mem, k, X_XMM(1)) == XMM1_LO &&
	       img_get64(mem, k, X_XMM(2)) == XMM2_LO &&
	       img_get64(mem, k, X_XMM(3)) == 0,
	       "FPU_GET after an event exit (user code interrupted) reads its registers (reason %u, %lld)",
	       r.reason, (long long)op_result(mem, k));
	get_run(mem, K_FPU_LIVE, &r);
	tap_ok(op_result(mem, K_FPU_LIVE) == 0 &&
	       r.reason == PVISOR_EXIT_SYSCALL && r.regs.rdi == XMM3_LIVE,
	       "FPU_SET after an event exit reaches the interrupted user code (reason %u, xmm3 %#llx)",
	       r.reason, (unsigned long long)r.regs.rdi);
	tap_ok(op_result(mem, K_GONE) == -EBUSY,
	       "FPU_GET of a dead context: -EBUSY (%lld)",
	       (long long)op_result(mem, K_GONE));
}

static void test_script(void)
{
	struct gr_run run;

	script = steps;
	script_len = NR_STEPS;
	gr_run(PREFIX "script", guest_user_main, true, prepare, &run);
	tap_ok(result(run.mem, R_CREATE_A) == 0 && result(run.mem, R_CREATE_B) == 0,
	       "CTXOP_CREATE of two contexts (%lld, %lld)",
	       (long long)result(run.mem, R_CREATE_A),
	       (long long)result(run.mem, R_CREATE_B));
	check_syscalls(run.mem);
	check_faults(run.mem);
	check_traps(run.mem);
	check_registers(run.mem);
	check_bad_input(run.mem);
	check_hostile(run.mem);
	check_fpu(run.mem);
	tap_ok(run.dom.state == PVISOR_DOMAIN_STATE_SHUTDOWN,
	       "the guest kernel ran the whole script and shut down (state %u: %s)",
	       run.dom.state, run.dom.crash_reason);
	gr_finish(&run);
}

/* ---- the factory's own filter (userspace/runner/factory.c) ---- */

enum {
	FF_CONFINED, FF_OPEN, FF_SOCKET, FF_KILL, FF_IOCTL_FD, FF_IOCTL_CMD,
	FF_IOCTL_OK, FF_CLONE_NS, FF_CLONE3, FF_FORK, FF_THREAD, FF_INT80,
	FF_X32, NR_FF
};

static void *ff_thread(void *arg)
{
	return arg;
}

static long ff_int80_getpid(void)
{
	long ret;

	asm volatile("int $0x80" : "=a" (ret) : "a" (20L) : "memory");
	return ret;
}

/*
 * In a child: install the factory's filter as the factory does, then try
 * what it must refuse and what it must let through; the answers go into
 * @res (shared memory: write(2) is refused too).
 */
static void __attribute__((noreturn)) ff_child(volatile long *res)
{
	pthread_t t;
	void *back = NULL;
	pid_t pid;

	if (dup2(open("/dev/null", O_RDWR), 3) != 3 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		_exit(2);
	res[FF_CONFINED] = factory_confine();
	res[FF_OPEN] = open("/proc/self/status", O_RDONLY) < 0 ? errno : 0;
	res[FF_SOCKET] = socket(AF_UNIX, SOCK_STREAM, 0) < 0 ? errno : 0;
	res[FF_KILL] = kill(getppid(), 0) < 0 ? errno : 0;
	res[FF_IOCTL_FD] = ioctl(0, PVISOR_IOCTL_FACTORY_WAIT) < 0 ? errno : 0;
	res[FF_IOCTL_CMD] = ioctl(3, FIONREAD, &back) < 0 ? errno : 0;
	res[FF_IOCTL_OK] = ioctl(3, PVISOR_IOCTL_FACTORY_WAIT) < 0 ? errno : 0;
	res[FF_CLONE_NS] = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0) < 0 ?
			   errno : 0;
	res[FF_CLONE3] = syscall(SYS_clone3, NULL, 0) < 0 ? errno : 0;
	pid = fork();
	if (pid == 0)
		_exit(0);
	res[FF_FORK] = pid > 0 ? 0 : errno;
	res[FF_THREAD] = pthread_create(&t, NULL, ff_thread, (void *)res) ?:
			 pthread_join(t, &back) ?: back != res;
	res[FF_INT80] = ff_int80_getpid();
	res[FF_X32] = syscall(0x40000000 | SYS_getpid) < 0 ? errno : 0;
	_exit(0);
}

static void test_factory_filter(void)
{
	volatile long *res = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int status = -1;
	pid_t pid;

	if (res == MAP_FAILED)
		tap_bail("mmap: %s", strerror(errno));
	memset((void *)res, 0x55, 4096);
	pid = fork();
	if (pid == 0)
		ff_child(res);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		tap_bail("fork: %s", strerror(errno));
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	       res[FF_CONFINED] == 0,
	       "the factory's filter installs and its child runs to the end (status %#x)",
	       status);
	tap_ok(res[FF_OPEN] == EPERM && res[FF_SOCKET] == EPERM &&
	       res[FF_KILL] == EPERM,
	       "under it, open, socket and kill fail with EPERM (%ld, %ld, %ld)",
	       res[FF_OPEN], res[FF_SOCKET], res[FF_KILL]);
	tap_ok(res[FF_IOCTL_FD] == EPERM && res[FF_IOCTL_CMD] == EPERM &&
	       res[FF_IOCTL_OK] == ENOTTY,
	       "an ioctl on another fd or with another command: EPERM; FACTORY_WAIT on fd 3 passes (%ld, %ld, %ld)",
	       res[FF_IOCTL_FD], res[FF_IOCTL_CMD], res[FF_IOCTL_OK]);
	tap_ok(res[FF_CLONE_NS] == EPERM && res[FF_CLONE3] == ENOSYS &&
	       res[FF_FORK] == 0 && res[FF_THREAD] == 0,
	       "clone with a namespace: EPERM, clone3: ENOSYS; fork and threads work (%ld, %ld, %ld, %ld)",
	       res[FF_CLONE_NS], res[FF_CLONE3], res[FF_FORK], res[FF_THREAD]);
	tap_ok(res[FF_INT80] == -EPERM && res[FF_X32] == EPERM,
	       "int $0x80 and x32 calls: EPERM, never a kill or a trap (%ld, %ld)",
	       res[FF_INT80], res[FF_X32]);
	munmap((void *)res, 4096);
}

/* The Seccomp lines of /proc/PID/status: mode, number of filters. */
static bool seccomp_status(pid_t pid, long *mode, long *filters)
{
	char path[64], line[128];
	FILE *f;

	*mode = *filters = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Seccomp:", 8))
			*mode = strtol(line + 8, NULL, 10);
		else if (!strncmp(line, "Seccomp_filters:", 16))
			*filters = strtol(line + 16, NULL, 10);
	}
	fclose(f);
	return true;
}

/* ---- the life of contexts: limits, factory death, domain death ---- */

#define LIFE_CYCLES	10000
#define LIFE_CYCLES_MAX	10000000

static uint64_t life_mode;
static long life_cycles = LIFE_CYCLES;

/* PVISOR_CONTEXT_CYCLES, if set to 1 .. LIFE_CYCLES_MAX; else the default. */
static void read_life_cycles(void)
{
	const char *v = getenv("PVISOR_CONTEXT_CYCLES");
	char *end;
	long n;

	if (!v || !*v)
		return;
	n = strtol(v, &end, 10);
	if (*end || n < 1 || n > LIFE_CYCLES_MAX) {
		printf("# PVISOR_CONTEXT_CYCLES=%s is not 1 .. %d: %d cycles\n",
		       v, LIFE_CYCLES_MAX, LIFE_CYCLES);
		return;
	}
	life_cycles = n;
}

static int64_t lres(const uint8_t *mem, unsigned int slot)
{
	return (int64_t)gr_get64(mem, GR_PFN_RESULTS * 4096 + slot * 8);
}

static void prepare_life(uint8_t *mem)
{
	uint64_t sc = GR_PFN_SCRATCH * 4096;
	struct pvisor_ctx_create c = { .pt_base_pfn = PFN_L4A };
	struct pvisor_user_run run = { 0 };

	script_len = 0;
	prepare(mem);
	gr_put64(mem, sc + S_MODE, life_mode);
	memcpy(mem + sc + S_LCREATE, &c, sizeof(c));
	gr_put64(mem, sc + S_CYCLES, (uint64_t)life_cycles);
	run.regs.rip = uva(life_mode == LIFE_SPIN ? u_spin : u_read_hole);
	run.regs.rsp = U_STACK_TOP;
	run.regs.rflags = 0x202;
	memcpy(mem + sc + S_LRUN, &run, sizeof(run));
	if (life_mode == LIFE_SMP) {
		static const char *const start[] = {
			u_smp0, u_smp1, u_tamper, u_args, u_read_data,
		};
		struct pvisor_vcpu_start v1 = {
			.rip = gr_code_va(guest_life_vcpu1),
			.rsp = GR_VA(GR_PFN_SCRATCH + 2),	/* pfn 11's top */
			.pt_base_pfn = GR_PFN_L4,
		};

		memcpy(mem + sc + S_SMP_START, &v1, sizeof(v1));
		for (size_t k = 0; k < PVT_ARRAY_SIZE(start); k++) {
			run.regs.rip = uva(start[k]);
			memcpy(mem + run_gpa(k), &run, sizeof(run));
		}
	}
}

/* Live processes running as nobody: factories and context processes. */
static unsigned int nobody_processes(void)
{
	unsigned int n = 0;
	struct dirent *de;
	DIR *d = opendir("/proc");

	if (!d)
		return ~0U;
	while ((de = readdir(d))) {
		char path[300], line[128];
		FILE *f;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		/* State comes before Uid; a zombie holds nothing but its pid */
		while (fgets(line, sizeof(line), f)) {
			if (!strncmp(line, "State:", 6) && strchr(line, 'Z'))
				break;
			if (!strncmp(line, "Uid:", 4)) {
				n += strtoul(line + 4, NULL, 10) == 65534;
				break;
			}
		}
		fclose(f);
	}
	closedir(d);
	return n;
}

/* Wait (a hang detector, not a timing) until no such process is left. */
static unsigned int await_no_nobody(void)
{
	unsigned int n = nobody_processes();

	for (int i = 0; n && i < GR_HANG_SECS * 10; i++) {
		usleep(100000);
		n = nobody_processes();
	}
	return n;
}

static unsigned int param_max_contexts(void)
{
	uint64_t v = 0;

	if (pvt_read_u64(PVT_PARAM_DIR "/max_contexts", &v))
		return 0;
	return (unsigned int)v;
}

static void test_limits(const struct pvnl_info *base)
{
	unsigned int max = param_max_contexts();
	struct pvnl_info after = { 0 };
	struct gr_run run;
	int ret;

	life_mode = LIFE_LIMITS;
	gr_start(PREFIX "limits", guest_life_main, true, prepare_life, &run);
	gr_wait_progress(&run, GR_PFN_RESULTS * 4096 + L_CYCLES * 8, 60);
	tap_ok(max > 0 && lres(run.mem, L_COUNT) == max &&
	       lres(run.mem, L_REFUSAL) == -ENOSPC,
	       "max_contexts (%u) contexts, then CREATE is refused with -ENOSPC (%lld after %lld)",
	       max, (long long)lres(run.mem, L_REFUSAL),
	       (long long)lres(run.mem, L_COUNT));
	tap_ok(lres(run.mem, L_DESTROYS) == 0 && lres(run.mem, L_RECOVER) == 0,
	       "after destroying them all, CREATE works again (%lld, destroys %lld)",
	       (long long)lres(run.mem, L_RECOVER),
	       (long long)lres(run.mem, L_DESTROYS));
	tap_ok(lres(run.mem, L_CYCLES) == life_cycles &&
	       lres(run.mem, L_CYCLE_FAILS) == 0,
	       "%ld create/destroy cycles, none failing (%lld done, %lld failed)",
	       life_cycles, (long long)lres(run.mem, L_CYCLES),
	       (long long)lres(run.mem, L_CYCLE_FAILS));
	tap_ok(run.dom.state == PVISOR_DOMAIN_STATE_SHUTDOWN,
	       "the limits guest shut down (state %u: %s)", run.dom.state,
	       run.dom.crash_reason);
	gr_finish(&run);
	ret = pvnl_info_get(nl, &after);
	tap_ok(!ret && after.contexts == base->contexts &&
	       after.frames_used == base->frames_used,
	       "after them, the module counts %u contexts and %llu frames, as before (%u, %llu)",
	       after.contexts, (unsigned long long)after.frames_used,
	       base->contexts, (unsigned long long)base->frames_used);
	tap_ok(await_no_nobody() == 0,
	       "no factory or context process is left");
}

static void test_factory_death(void)
{
	struct pvisor_user_run r;
	struct pvnl_domain dom = { 0 };
	struct gr_run run;
	bool ready;
	int ret;

	life_mode = LIFE_FACTORY;
	gr_start(PREFIX "factory", guest_life_main, true, prepare_life, &run);
	ready = gr_await64(&run, GR_PFN_RESULTS * 4096 + L_READY * 8,
			   GR_HANG_SECS);
	ret = pvnl_domain_get(nl, run.dom.id, NULL, &dom);
	tap_ok(ready && lres(run.mem, L_CREATE1) == 0 && !ret &&
	       dom.contexts == 1 && dom.max_contexts == param_max_contexts(),
	       "DOMAIN_GET counts the guest's context (%u of %u)",
	       dom.contexts, dom.max_contexts);
	{
		long mode, filters;

		seccomp_status(run.factory_pid, &mode, &filters);
		tap_ok(run.factory_pid > 0 && mode == 2 && filters == 1,
		       "the factory runs under its own filter (Seccomp %ld, filters %ld)",
		       mode, filters);
	}
	if (run.factory_pid > 0) {
		kill(run.factory_pid, SIGKILL);
		gr_reap(run.factory_pid, GR_HANG_SECS);
		run.factory_pid = -1;
	}
	gr_put64(run.mem, GR_PFN_SCRATCH * 4096 + S_GO, 1);
	gr_wait(&run, GR_HANG_SECS);
	tap_ok(lres(run.mem, L_CREATE2) == -EAGAIN,
	       "with the factory killed, CREATE fails with -EAGAIN (%lld)",
	       (long long)lres(run.mem, L_CREATE2));
	memcpy(&r, run.mem + GR_PFN_SCRATCH * 4096 + S_LRUN, sizeof(r));
	tap_ok(lres(run.mem, L_RUN) == 0 && r.reason == PVISOR_EXIT_FAULT,
	       "a context made before still runs: its fault exits (%lld, reason %u)",
	       (long long)lres(run.mem, L_RUN), r.reason);
	tap_ok(run.dom.state == PVISOR_DOMAIN_STATE_SHUTDOWN,
	       "the guest shut down (state %u: %s)", run.dom.state,
	       run.dom.crash_reason);
	gr_finish(&run);
}

/* Destroy the domain while its vCPU is in @mode; nothing may hang. */
static void test_destroy_during(uint64_t mode, const char *what)
{
	struct pvnl_info info = { 0 };
	struct gr_run run;
	int del, status, ret;
	unsigned int left;
	bool ready;

	life_mode = mode;
	gr_start(PREFIX "destroy", guest_life_main, true, prepare_life, &run);
	ready = gr_await64(&run, GR_PFN_RESULTS * 4096 + L_READY * 8,
			   GR_HANG_SECS);
	if (ready && mode == LIFE_FAULT)
		ready = gr_await64(&run, GR_PFN_RESULTS * 4096 + L_RUNS * 8,
				   GR_HANG_SECS);
	tap_ok(ready && lres(run.mem, L_CREATE1) == 0,
	       "%s: the context exists and the guest got there", what);
	del = pvnl_domain_del(nl, run.dom.id, NULL);
	status = gr_reap(run.pid, GR_HANG_SECS);
	tap_ok(del == 0 && status != -1,
	       "%s: DOMAIN_DEL (%d) ends the runner (status %#x)", what, del,
	       status);
	gr_finish(&run);
	left = await_no_nobody();
	ret = pvnl_info_get(nl, &info);
	tap_ok(left == 0 && !ret && info.contexts == 0,
	       "%s: its factory and context processes are gone, no context counted (%u)",
	       what, info.contexts);
}

/*
 * Two vCPUs run context A at once (a handshake through A's memory that
 * neither side could finish alone), then vCPU 1's thread overwrites vCPU
 * 0's trap stack: only A may suffer, B and the guest kernel run on.
 */
static void test_smp_context(void)
{
	struct pvisor_user_run r[5];
	struct gr_run run;

	life_mode = LIFE_SMP;
	gr_vcpus(2);
	gr_run(PREFIX "smp", guest_life_main, true, prepare_life, &run);
	gr_vcpus(1);
	for (size_t k = 0; k < PVT_ARRAY_SIZE(r); k++)
		get_run(run.mem, k, &r[k]);
	tap_ok(lres(run.mem, L_CREATE1) == 0 &&
	       lres(run.mem, L_SMP_CREATE_B) == 0 && lres(run.mem, L_SMP_UP) == 0,
	       "two vCPUs, contexts A and B (%lld, %lld, up %lld)",
	       (long long)lres(run.mem, L_CREATE1),
	       (long long)lres(run.mem, L_SMP_CREATE_B),
	       (long long)lres(run.mem, L_SMP_UP));
	tap_ok(lres(run.mem, L_SMP_RUN) == 0 && lres(run.mem, L_SMP_RUN + 1) == 0 &&
	       r[0].reason == PVISOR_EXIT_SYSCALL && r[0].regs.rip == uva(u_smp0_after) &&
	       r[1].reason == PVISOR_EXIT_SYSCALL && r[1].regs.rip == uva(u_smp1_after),
	       "vCPU 0 and vCPU 1 run context A at once, each seeing the other's store (reasons %u, %u)",
	       r[0].reason, r[1].reason);
	tap_ok(lres(run.mem, L_SMP_RUN + 2) == 0 && r[2].reason == PVISOR_EXIT_SYSCALL,
	       "vCPU 1's thread overwrote vCPU 0's trap stack (reason %u)",
	       r[2].reason);
	tap_ok(lres(run.mem, L_SMP_RUN + 3) == 0 &&
	       (r[3].reason == PVISOR_EXIT_SYSCALL || r[3].reason == PVISOR_EXIT_TRAP ||
		r[3].reason == PVISOR_EXIT_FAULT || r[3].reason == PVISOR_EXIT_GONE),
	       "vCPU 0's next run of A ends in an exit of A's own (%lld, reason %u, signal %u)",
	       (long long)lres(run.mem, L_SMP_RUN + 3), r[3].reason,
	       r[3].host_signo);
	tap_ok(lres(run.mem, L_SMP_RUN + 4) == 0 && r[4].reason == PVISOR_EXIT_SYSCALL &&
	       r[4].regs.rdi == 0xbbbb0000bbbbULL,
	       "context B runs on untouched (reason %u)", r[4].reason);
	tap_ok(run.dom.state == PVISOR_DOMAIN_STATE_SHUTDOWN,
	       "the guest kernel ran on and shut down (state %u: %s)",
	       run.dom.state, run.dom.crash_reason);
	gr_finish(&run);
}

static void test_life(const struct pvnl_info *base)
{
	test_smp_context();
	test_limits(base);
	test_factory_death();
	test_destroy_during(LIFE_SPIN, "user code spinning");
	test_destroy_during(LIFE_FAULT, "user code faulting");
	test_destroy_during(LIFE_PARKED, "a context parked");
}

int main(void)
{
	struct pvnl_info base;

	nl = gr_setup(PREFIX, 5 + 1 + 8 + 5 + 8 + 5 + 6 + 8 + 4 + 18 + 1 + 6 + 6 + 4 + 10 + 1,
		      &base);
	read_life_cycles();
	gr_factory(true);
	test_factory_filter();
	test_script();
	test_life(&base);
	gr_done(&base);
}
