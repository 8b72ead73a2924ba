// SPDX-License-Identifier: GPL-2.0
/*
 * TAP 13 output for the pvisor selftests; see tap.h for the conventions.
 *
 * Output goes to stdout, line buffered, so that a test that dies (or a
 * child that forks) never loses or repeats a line already reported.
 */

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static pthread_mutex_t tap_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int planned;
static bool plan_printed;
static unsigned int reported;
static unsigned int failed;
static unsigned int skipped;
static void (*abort_hook)(void);

/* Print "# " before every line of an already formatted message. */
static void put_diag_locked(const char *text)
{
	const char *line = text;

	do {
		const char *nl = strchr(line, '\n');
		int len = nl ? (int)(nl - line) : (int)strlen(line);

		printf("# %.*s\n", len, line);
		line = nl ? nl + 1 : NULL;
	} while (line && *line);
}

/* TAP descriptions are single lines; "#" would start a directive. */
static void put_desc_locked(const char *desc)
{
	for (; *desc; desc++)
		putchar(*desc == '\n' || *desc == '#' ? ' ' : *desc);
}

void tap_plan(unsigned int count)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	pthread_mutex_lock(&tap_lock);
	planned = count;
	plan_printed = true;
	printf("TAP version 13\n1..%u\n", count);
	pthread_mutex_unlock(&tap_lock);
}

bool tap_ok(bool cond, const char *fmt, ...)
{
	char desc[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);

	pthread_mutex_lock(&tap_lock);
	reported++;
	if (!cond)
		failed++;
	printf("%sok %u ", cond ? "" : "not ", reported);
	put_desc_locked(desc);
	putchar('\n');
	pthread_mutex_unlock(&tap_lock);
	return cond;
}

void tap_skip(unsigned int count, const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);

	pthread_mutex_lock(&tap_lock);
	while (count--) {
		reported++;
		skipped++;
		printf("ok %u # SKIP ", reported);
		put_desc_locked(reason);
		putchar('\n');
	}
	pthread_mutex_unlock(&tap_lock);
}

void tap_diag(const char *fmt, ...)
{
	char text[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);

	pthread_mutex_lock(&tap_lock);
	put_diag_locked(text);
	pthread_mutex_unlock(&tap_lock);
}

unsigned int tap_count(void)
{
	unsigned int n;

	pthread_mutex_lock(&tap_lock);
	n = reported;
	pthread_mutex_unlock(&tap_lock);
	return n;
}

unsigned int tap_failures(void)
{
	unsigned int n;

	pthread_mutex_lock(&tap_lock);
	n = failed;
	pthread_mutex_unlock(&tap_lock);
	return n;
}

void tap_on_abort(void (*hook)(void))
{
	pthread_mutex_lock(&tap_lock);
	abort_hook = hook;
	pthread_mutex_unlock(&tap_lock);
}

static void run_abort_hook(void)
{
	void (*hook)(void);

	pthread_mutex_lock(&tap_lock);
	hook = abort_hook;
	abort_hook = NULL;
	pthread_mutex_unlock(&tap_lock);
	if (hook)
		hook();
}

void tap_bail(const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);

	run_abort_hook();
	pthread_mutex_lock(&tap_lock);
	if (!plan_printed)
		printf("TAP version 13\n1..0\n");
	printf("Bail out! ");
	put_desc_locked(reason);
	putchar('\n');
	fflush(stdout);
	pthread_mutex_unlock(&tap_lock);
	exit(TAP_EXIT_FAIL);
}

void tap_skip_all(const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);

	run_abort_hook();
	pthread_mutex_lock(&tap_lock);
	if (!plan_printed) {
		printf("TAP version 13\n1..0 # SKIP ");
		put_desc_locked(reason);
		putchar('\n');
		fflush(stdout);
		pthread_mutex_unlock(&tap_lock);
		exit(TAP_EXIT_SKIP);
	}
	pthread_mutex_unlock(&tap_lock);
	if (planned > reported)
		tap_skip(planned - reported, "%s", reason);
	fflush(stdout);
	exit(tap_failures() ? TAP_EXIT_FAIL : TAP_EXIT_SKIP);
}

void tap_finish(void)
{
	int code = TAP_EXIT_PASS;

	pthread_mutex_lock(&tap_lock);
	if (reported != planned) {
		printf("# planned %u checks but ran %u\n", planned, reported);
		code = TAP_EXIT_FAIL;
	}
	printf("# totals: pass:%u fail:%u skip:%u\n",
	       reported - failed - skipped, failed, skipped);
	if (failed)
		code = TAP_EXIT_FAIL;
	else if (code == TAP_EXIT_PASS && reported && skipped == reported)
		code = TAP_EXIT_SKIP;
	fflush(stdout);
	pthread_mutex_unlock(&tap_lock);
	exit(code);
}
