// SPDX-License-Identifier: GPL-2.0
/*
 * Formatting shared by the subcommands. Sizes are printed in the same
 * binary units --memory accepts, so a figure can be pasted back.
 */

#include "format.h"
#include "pvnl.h"

const char *format_size(uint64_t bytes, char buf[SIZE_BUF_LEN])
{
	static const char *const units[] = {
		"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB",
	};
	unsigned int i = 0;

	while (i + 1 < sizeof(units) / sizeof(units[0]) &&
	       bytes >> (10 * (i + 1)))
		i++;

	if (!(bytes & ((UINT64_C(1) << (10 * i)) - 1)))
		snprintf(buf, SIZE_BUF_LEN, "%llu%s",
			 (unsigned long long)(bytes >> (10 * i)), units[i]);
	else
		snprintf(buf, SIZE_BUF_LEN, "%.1f%s",
			 (double)bytes / (double)(UINT64_C(1) << (10 * i)),
			 units[i]);
	return buf;
}

const char *format_reason(const struct pvnl_domain *dom,
			  char buf[STATE_BUF_LEN])
{
	const char *name;

	switch (dom->state) {
	case PVISOR_DOMAIN_STATE_SHUTDOWN:
		name = pvnl_shutdown_reason_name(dom->shutdown_reason);
		if (name)
			snprintf(buf, STATE_BUF_LEN, "%s", name);
		else
			snprintf(buf, STATE_BUF_LEN, "reason %u",
				 dom->shutdown_reason);
		break;
	case PVISOR_DOMAIN_STATE_CRASHED:
		snprintf(buf, STATE_BUF_LEN, "%s", dom->crash_reason[0] ?
			 dom->crash_reason : "no reason given");
		break;
	default:
		buf[0] = '\0';
		break;
	}
	return buf;
}

const char *format_state(const struct pvnl_domain *dom,
			 char buf[STATE_BUF_LEN])
{
	char reason[STATE_BUF_LEN];

	format_reason(dom, reason);
	if (reason[0])
		snprintf(buf, STATE_BUF_LEN, "%s(%.*s)",
			 pvnl_state_name(dom->state), STATE_BUF_LEN - 32,
			 reason);
	else
		snprintf(buf, STATE_BUF_LEN, "%s", pvnl_state_name(dom->state));
	return buf;
}

const char *format_seconds(uint64_t ns, char buf[TIME_BUF_LEN])
{
	snprintf(buf, TIME_BUF_LEN, "%llu.%03llus",
		 (unsigned long long)(ns / 1000000000),
		 (unsigned long long)(ns / 1000000 % 1000));
	return buf;
}

uint64_t frames_to_bytes(uint64_t frames)
{
	if (frames > UINT64_MAX / FRAME_SIZE)
		return UINT64_MAX;
	return frames * FRAME_SIZE;
}

void json_string(FILE *f, const char *s)
{
	const unsigned char *p;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			/*
			 * Other control characters have no short escape.
			 * Bytes above 0x7f are escaped as the code point of
			 * the same value: the output stays valid JSON even
			 * if a name is not valid UTF-8, and the byte can be
			 * recovered from it.
			 */
			if (*p < 0x20 || *p >= 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}
