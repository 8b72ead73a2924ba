#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Events and time end to end, through the real runner: the module kicks a
# vCPU with SIGUSR1, pvrun's bouncer hands the signal to the module like
# a trap, and the module enters minnow's event callback, which scans the
# shared_info bitmaps, runs the port handlers and irets.
#
#   events.elf   the guest side (guest-port/tests/events.c): a loopback
#                interdomain pair, an IPI and the timer VIRQ, each
#                delivered exactly once; per-port masking and UNMASK;
#                evtchn_upcall_mask as "cli"; 1000 self-sends; block with
#                and without an event pending; the one-shot timer and
#                sleep against the pvclock; close; bad ports and
#                arguments; port exhaustion. Its @@pvtest lines become
#                TAP lines here; it must power off.
#
# Timers must never fire early; how late they are (TCG on a busy host
# stalls vCPUs) is reported, not judged. Runs in the QEMU test host
# (busybox sh, pvisor.ko loaded, pvctl and pvrun in PATH, the guests in
# /guest). TAP 13, the plan at the end. Helpers: ../lib/tap.sh.

GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
WAIT_TENTHS=600
PREFIX=gevt

. "$(dirname "$0")/../lib/tap.sh"

cleanup() {
	pvctl destroy "$PREFIX-events" >/dev/null 2>&1
}

echo "TAP version 13"

need_tools pvctl pvrun
[ -f "$GUEST_DIR/events.elf" ] || skip_all "no $GUEST_DIR/events.elf"
need_module

boot_guest events
guest_ran_to_end events 40
run pvctl list
check "events: powered off" out_has "^ *[0-9]*  $PREFIX-events  *shutdown(poweroff) "

runners_gone
check "no runner is left" eval '! grep -q "[p]vrun" "$tmp/out"'
cleanup
check "destroying it gives every frame back" accounting_is_baseline

finish
