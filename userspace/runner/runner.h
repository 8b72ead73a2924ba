/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvrun, the domain runner: what its parts (pvrun.c, builder.c,
 * confine.c, vcpu.c) share. Documentation/runner.rst tells the story.
 */
#ifndef PVRUN_RUNNER_H
#define PVRUN_RUNNER_H

#define PROG_NAME "pvrun"

/* "pvrun: <message>" on stderr. */
void runner_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* PVRUN_RUNNER_H */
