// SPDX-License-Identifier: GPL-2.0
/*
 * The smallest useful guest: one console line, then power off (minnow's
 * start code does that when minnow_main returns). benchmarks/native/
 * boottime.c times `pvctl create --kernel` up to this line.
 */

#include "console.h"

void minnow_main(void)
{
	printk("hello from a pvisor guest\n");
}
