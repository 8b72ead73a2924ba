/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User mode from the command line: every word "run=NAME[,ARG...]" starts
 * the ramdisk's program NAME with argv { NAME, ARG... } as a process of
 * its own (Documentation/minnow-user-mode.rst). minnow then waits for
 * every process to end and powers off.
 */
#ifndef MINNOW_USERMODE_H
#define MINNOW_USERMODE_H

#include "lib.h"

/* Does the command line ask for user programs? */
bool usermode_requested(void);

/* Bring up what processes need, run them all, power off. */
void usermode_main(void) __attribute__((noreturn));

#endif /* MINNOW_USERMODE_H */
