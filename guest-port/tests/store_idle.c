// SPDX-License-Identifier: GPL-2.0
/*
 * The smallest guest that answers: it writes "data/alive" = 1 under its
 * own xenstore directory (/local/domain/ID/), then sleeps on SCHEDOP_BLOCK
 * with no timer armed, so that an idle domain costs the host no CPU at
 * all. The scale test (selftests/scale/scale.sh) starts a thousand of
 * them and reads each one's key; any failure to reach the store ends
 * the guest with an assertion, which the test sees as a crashed domain.
 */

#include "../minnow/events.h"
#include "../minnow/lib.h"
#include "../minnow/mm.h"
#include "../minnow/test.h"
#include "../minnow/time.h"
#include "../minnow/xenstore.h"

void minnow_main(void)
{
	long ret;

	mm_init();
	GUEST_ASSERT(events_init() == 0);
	/* The store client's request timeout reads the clock. */
	GUEST_ASSERT(time_init() == 0);
	ret = xs_init();
	GUEST_ASSERT(ret == 0);
	ret = xs_write("data/alive", "1");
	GUEST_ASSERT(ret == 0);
	for (;;) {
		local_irq_disable();
		block_domain();
	}
}
