// SPDX-License-Identifier: GPL-2.0
/*
 * The user programs' check reporting (utest.h). Counters are per process:
 * a forked child that reports starts from its parent's counts, which is
 * why every line names its program and the host counts lines, not
 * numbers.
 */

#include "utest.h"

#define LINE_MAX	256

static const char *prog = "user";
static unsigned int nr_checks, nr_failed;

void utest_init(const char *name)
{
	prog = name;
}

bool utest_report(bool ok, const char *fmt, ...)
{
	char desc[LINE_MAX - 48];
	va_list ap;
	char *nl;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	for (nl = desc; *nl && *nl != '\n'; nl++)
		;
	*nl = '\0';
	nr_checks++;
	if (!ok)
		nr_failed++;
	u_printf("@@pvtest %s %u %s: %s\n", ok ? "ok" : "not ok", nr_checks,
		 prog, desc);
	return ok;
}

void utest_done(void)
{
	u_printf("@@pvtest done %u %u\n", nr_checks, nr_failed);
	u_exit(nr_failed ? 1 : 0);
}

void utest_assert_fail(const char *expr, const char *file, int line)
{
	utest_report(false, "assertion '%s' failed (%s:%d)", expr, file, line);
	utest_done();
}
