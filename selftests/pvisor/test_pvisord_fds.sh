#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# pvisord's open-file limit (Documentation/pvisord.rst, "Limits"): it
# keeps a descriptor per guest ring, so it raises RLIMIT_NOFILE to cover
# the module's max_domains, the Domain0 connections and a margin, from a
# soft limit below that and, as root, past a hard limit below it too.
#
# Runs in the QEMU test host (busybox sh, pvisor.ko loaded, pvisord in
# PATH). TAP 13. Helpers: ../lib/tap.sh.

D=/tmp/pvfd
# XS_MAX_CONNECTIONS (userspace/pvisord/xs_quota.h) and fd_limit.c's margin.
CONNECTIONS=128
MARGIN=64

. "$(dirname "$0")/../lib/tap.sh"

export PVISOR_STORE_SOCKET=$D/sock

stop() {
	pid=$(cat $D/pid 2>/dev/null)
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	wait_for eval '! alive "$pid"'
}

cleanup() { stop >/dev/null 2>&1; }

# limit_of soft|hard: the running pvisord's open-file limit.
limit_of() {
	awk -v col="$1" '/^Max open files/ { print (col == "soft" ? $4 : $5) }' \
		/proc/"$(cat $D/pid)"/limits
}

# start ULIMITS: pvisord started from a shell that ran ULIMITS (ulimit
# commands) first.
start() {
	stop
	(eval "$1" && exec pvisord -s $D/sock -S $D/state -p $D/pid 2>>$D/log)
	rc=$?
}

echo "TAP version 13"
need_tools pvisord
need_module
plan 4
rm -rf $D
mkdir -p $D
need=$(( $(cat /sys/module/pvisor/parameters/max_domains) + CONNECTIONS + MARGIN ))

start "ulimit -S -n 128"
check "pvisord starts under a soft limit of 128 open files" status_is 0
check "... and raises it to the $need its rings need" \
	eval '[ "$(limit_of soft)" -ge "$need" ]'

# The soft limit first: a hard one below it is refused.
start "ulimit -S -n 128 && ulimit -H -n 256"
check "pvisord starts under a hard limit of 256" status_is 0
check "... and, as root, raises both limits to $need" \
	eval '[ "$(limit_of soft)" -ge "$need" ] && [ "$(limit_of hard)" -ge "$need" ]'
finish
