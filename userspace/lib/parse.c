// SPDX-License-Identifier: GPL-2.0
/*
 * Command-line values. strtoull() is not used: it accepts leading blanks,
 * a sign ("-1" becomes 2^64-1) and base prefixes, all of which should be
 * usage errors here.
 */

#include <errno.h>
#include <stdbool.h>
#include <strings.h>

#include "parse.h"
#include "pvnl.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Leading decimal digits of @s; *@end points past them. */
static int parse_digits(const char *s, const char **end, uint64_t *value)
{
	uint64_t v = 0;

	if (!is_digit(*s))
		return -EINVAL;
	for (; is_digit(*s); s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*end = s;
	*value = v;
	return 0;
}

/* Binary units as a shift count; -1 if @unit is not one. */
static int unit_shift(const char *unit)
{
	static const struct {
		char letter;
		int shift;
	} units[] = {
		{ 'k', 10 }, { 'm', 20 }, { 'g', 30 }, { 't', 40 },
	};
	unsigned int i;

	if (!*unit)
		return 0;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if ((unit[0] | 0x20) != units[i].letter)
			continue;
		if (!unit[1] || !strcasecmp(unit + 1, "iB"))
			return units[i].shift;
	}
	return -1;
}

int parse_size(const char *s, uint64_t *bytes)
{
	const char *unit;
	uint64_t v;
	int shift, ret;

	ret = parse_digits(s, &unit, &v);
	if (ret)
		return ret;
	shift = unit_shift(unit);
	if (shift < 0)
		return -EINVAL;
	if (v > UINT64_MAX >> shift)
		return -ERANGE;
	*bytes = v << shift;
	return 0;
}

int parse_u64(const char *s, uint64_t *value)
{
	const char *end;
	int ret;

	ret = parse_digits(s, &end, value);
	if (!ret && *end)
		ret = -EINVAL;
	return ret;
}

int parse_u32(const char *s, uint32_t *value)
{
	uint64_t v;
	int ret;

	ret = parse_u64(s, &v);
	if (ret)
		return ret;
	if (v > UINT32_MAX)
		return -ERANGE;
	*value = (uint32_t)v;
	return 0;
}

int parse_domain(const char *token, uint32_t *id, const char **name)
{
	const char *end;
	uint64_t v;
	int ret;

	*id = 0;
	*name = NULL;
	if (!*token)
		return -EINVAL;

	ret = parse_digits(token, &end, &v);
	if (ret == -EINVAL || (!ret && *end)) {
		*name = token;
		return 0;
	}
	/* All digits (overflow included): an id, and 0 is Domain0. */
	if (ret || v < 1 || v > PVISOR_DOMID_MAX)
		return -ERANGE;
	*id = (uint32_t)v;
	return 0;
}
