// SPDX-License-Identifier: GPL-2.0
/*
 * pvisord's log. One line per message; never more than a line, so that a
 * message built from a client's data cannot forge further log entries
 * (control characters are replaced).
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

static bool use_syslog;
static bool debug;
static bool journal;

void pvisor_log_init(bool to_syslog, bool verbose)
{
	use_syslog = to_syslog;
	debug = verbose;
	journal = getenv("JOURNAL_STREAM") != NULL;
	if (use_syslog)
		openlog("pvisord", LOG_PID, LOG_DAEMON);
}

static const char *prio_name(int prio)
{
	switch (prio) {
	case LOG_ERR:
		return "error: ";
	case LOG_WARNING:
		return "warning: ";
	case LOG_DEBUG:
		return "debug: ";
	default:
		return "";
	}
}

void pvisor_log(int prio, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	char *p;

	if (prio == LOG_DEBUG && !debug)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (p = line; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
			*p = '?';

	if (use_syslog)
		syslog(prio, "%s", line);
	else if (journal)
		fprintf(stderr, "<%d>%s\n", prio, line);
	else
		fprintf(stderr, "pvisord: %s%s\n", prio_name(prio), line);
}
