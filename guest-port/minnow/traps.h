/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Traps: minnow's handlers for the x86 exception vectors 0-19.
 *
 * trap_init() registers one assembly entry per vector with the module
 * (set_trap_table). A trap arrives with rsp at a struct pvisor_trap_frame
 * (uapi/pvisor/hypercall.h) holding every register of the interrupted
 * code; the entry calls trap_dispatch(), which runs the handler a caller
 * registered for the vector, and resumes from the (possibly edited)
 * frame with the iret hypercall. A vector nobody handles prints the frame
 * and crashes the domain.
 *
 * Handlers run on the interrupted stack, below the frame, and may trap
 * again themselves (the nested trap gets a frame of its own).
 */
#ifndef MINNOW_TRAPS_H
#define MINNOW_TRAPS_H

#include <pvisor/hypercall.h>

#include "lib.h"

#define TRAP_DE		0	/* divide error */
#define TRAP_DB		1
#define TRAP_BP		3	/* int3: rip is after it */
#define TRAP_UD		6	/* invalid opcode */
#define TRAP_GP		13	/* general protection: cli, hlt, in, out... */
#define TRAP_PF		14	/* page fault: address, error_code */
#define NR_TRAPS	20	/* vectors 0-19 get an entry */

/* Page-fault error code bits, as the guest sees them. */
#define PF_PRESENT	(1ULL << 0)	/* the guest's own entry was present */
#define PF_WRITE	(1ULL << 1)
#define PF_INSTR	(1ULL << 4)	/* an instruction fetch */

/*
 * A handler returns true when it dealt with the trap (the frame, edited
 * or not, is resumed) and false to leave it to the default: the page
 * fault handler for vector 14 (demand paging), else print and crash.
 */
typedef bool (*trap_handler_t)(struct pvisor_trap_frame *f);

/* Install the trap table. Returns 0 or set_trap_table's error. */
long trap_init(void);

/* Hook @vector (below NR_TRAPS); returns the previous handler. */
trap_handler_t trap_set_handler(unsigned int vector, trap_handler_t h);

/* The entry point for @vector (a window address), for tests. */
u64 trap_entry_address(unsigned int vector);

/* How many traps trap_dispatch() has seen, nested ones included. */
u64 trap_count(void);

/* Print @f on the console, one line of registers at a time. */
void trap_show_frame(const char *why, const struct pvisor_trap_frame *f);

/* Called by the entry stubs (trap_entry.S) only. */
void trap_dispatch(struct pvisor_trap_frame *f, u64 vector);

#endif /* MINNOW_TRAPS_H */
