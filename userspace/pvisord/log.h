/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvisord's log: stderr in the foreground (journald reads it under
 * systemd, and takes the "<N>" priority prefix when JOURNAL_STREAM says
 * stderr is its stream), syslog once daemonised.
 */
#ifndef PVISORD_LOG_H
#define PVISORD_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* @to_syslog: daemonised; @verbose: also LOG_DEBUG messages. */
void pvisor_log_init(bool to_syslog, bool verbose);

void pvisor_log(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...)	pvisor_log(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	pvisor_log(LOG_WARNING, __VA_ARGS__)
#define log_info(...)	pvisor_log(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	pvisor_log(LOG_DEBUG, __VA_ARGS__)

#endif /* PVISORD_LOG_H */
