#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Threads end to end, through the real runner: minnow's preemptive
# scheduler (guest-port/minnow/sched.c) on vCPU 0, driven by a periodic
# VIRQ_TIMER (vcpu_op SET_PERIODIC_TIMER, 10 ms), switching threads in
# the event callback's exit path with the iret hypercall.
#
#   sched.elf   the guest side (guest-port/tests/sched.c): sched_init's
#               bad inputs; two CPU-bound threads that never yield both
#               start within a few ticks, both advance in every window
#               and keep their registers across preemptions; sleepers
#               wake in deadline order and never early (lateness is
#               the host's, only reported), on an idle vCPU and beside
#               the CPU-bound threads; threads that exit are joined and
#               their stacks go back to the page allocator; a second
#               joiner is refused; two yielding threads alternate; 16
#               threads that compute, yield and sleep all finish. Its
#               @@pvtest lines become TAP lines here; it must power off.
#
# Runs in the QEMU test host (busybox sh, pvisor.ko loaded, pvctl and
# pvrun in PATH, the guests in /guest). TAP 13, the plan at the end (the
# number of guest checks is the guest's business). Helpers: ../lib/tap.sh.

GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
WAIT_TENTHS=600
PREFIX=gsched

. "$(dirname "$0")/../lib/tap.sh"

cleanup() {
	pvctl destroy "$PREFIX-sched" >/dev/null 2>&1
}

echo "TAP version 13"

need_tools pvctl pvrun
[ -f "$GUEST_DIR/sched.elf" ] || skip_all "no $GUEST_DIR/sched.elf"
need_module

boot_guest sched
guest_ran_to_end sched 25
check "sched: the scheduler's figures are on the console" \
	out_has "^sched: [0-9]* ticks, [0-9]* switches, [0-9]* preemptions$"
run pvctl list
check "sched: powered off" out_has "^ *[0-9]*  $PREFIX-sched  *shutdown(poweroff) "

runners_gone
check "no runner is left" eval '! grep -q "[p]vrun" "$tmp/out"'
cleanup
check "destroying it gives every frame back" accounting_is_baseline

finish
