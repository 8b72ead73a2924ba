// SPDX-License-Identifier: GPL-2.0
/*
 * The guest test library. One console_io write per line, so that a line
 * arrives whole or not at all.
 */

#include <pvisor/hypercall.h>

#include "console.h"
#include "test.h"

#define LINE_MAX	256

static unsigned int nr_checks, nr_failed;

static void report_line(bool ok, const char *fmt, va_list ap)
{
	char desc[LINE_MAX - 32];
	unsigned int n;
	char *nl;

	vsnprintf(desc, sizeof(desc), fmt, ap);
	nl = desc;
	while (*nl && *nl != '\n')
		nl++;
	*nl = '\0';
	/* Atomic: any vCPU may report. */
	n = __atomic_add_fetch(&nr_checks, 1, __ATOMIC_RELAXED);
	if (!ok)
		__atomic_add_fetch(&nr_failed, 1, __ATOMIC_RELAXED);
	printk("@@pvtest %s %u %s\n", ok ? "ok" : "not ok", n, desc);
}

bool guest_report(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_line(ok, fmt, ap);
	va_end(ap);
	return ok;
}

void guest_done(void)
{
	printk("@@pvtest done %u %u\n", nr_checks, nr_failed);
	minnow_shutdown(nr_failed ? PVISOR_SHUTDOWN_CRASH
				  : PVISOR_SHUTDOWN_POWEROFF);
}

void guest_assert_fail(const char *expr, const char *file, int line)
{
	guest_report(false, "assertion '%s' failed (%s:%d)", expr, file, line);
	guest_done();
}

/*
 * The number after "@key=" in the command line, or @dflt: how test modes
 * and test guests take their parameters.
 */
u64 cmdline_number(const char *key, u64 dflt)
{
	const char *p = start_info->cmd_line;
	size_t n = strlen(key);
	u64 v = 0;

	for (; *p; p++) {
		if ((p != start_info->cmd_line && p[-1] != ' ') ||
		    strncmp(p, key, n) || p[n] != '=')
			continue;
		for (p += n + 1; *p >= '0' && *p <= '9'; p++)
			v = v * 10 + (u64)(*p - '0');
		return v;
	}
	return dflt;
}
