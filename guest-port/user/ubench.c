// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark programs' clock and report (ubench.h).
 */

#include "ubench.h"

long long ubench_now(const char *name)
{
	long long ns = u_now_ns();

	if (ns < 0)
		ubench_fail(name, "clock_gettime(CLOCK_MONOTONIC)", (long)ns);
	return ns;
}

void ubench_report(const char *name, long long *v, int n, const char *unit)
{
	int i, j;

	for (i = 1; i < n; i++) {
		long long x = v[i];

		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	u_printf("@@bench %s %lld %s min %lld max %lld n %d\n", name,
		 v[n / 2], unit, v[0], v[n - 1], n);
}

void ubench_fail(const char *name, const char *why, long err)
{
	u_printf("@@bench-error %s: %s failed (%ld)\n", name, why, err);
	u_exit(1);
}

long ubench_count(const char *name, int argc, char **argv, int index,
		  long fallback, long max)
{
	const char *s;
	long v = 0;

	if (index >= argc)
		return fallback;
	s = argv[index];
	for (; *s >= '0' && *s <= '9' && v <= max; s++)
		v = v * 10 + (*s - '0');
	if (*s || v < 1 || v > max) {
		u_printf("@@bench-error %s: argument %d is '%s', not a count "
			 "from 1 to %ld\n", name, index, argv[index], max);
		u_exit(1);
	}
	return v;
}

void ubench_usage(const char *name, const char *usage)
{
	u_printf("@@bench-error %s: usage: %s\n", name, usage);
	u_exit(1);
}
