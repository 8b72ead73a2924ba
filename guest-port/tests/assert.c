// SPDX-License-Identifier: GPL-2.0
/*
 * The guest test library's failure path: one passing check, then a
 * failing GUEST_ASSERT, which must report "not ok", end the run and shut
 * the domain down with reason crash.
 */

#include "../minnow/console.h"
#include "../minnow/test.h"

void minnow_main(void)
{
	guest_report(true, "a check that passes");
	GUEST_ASSERT(1 + 1 == 3);
	guest_report(true, "never reached");
	guest_done();
}
