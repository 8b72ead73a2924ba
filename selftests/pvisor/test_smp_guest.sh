#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# SMP end to end, through the real runner: pvrun gives every vCPU of the
# domain a thread (vCPU 0 the main one), each with its own signal stack,
# parked in the module until the guest ups its vCPU.
#
#   smp.elf         the guest side (guest-port/tests/smp.c), 4 vCPUs:
#                   minnow's smp_start() brings three secondaries up with
#                   vcpu_op INITIALISE and UP; each finds its per-CPU area,
#                   takes a trap through its own trap table and sleeps on
#                   its own timer; a shared-memory workload (a shared
#                   counter and an array of slices) ends in IPIs to vCPU
#                   0, which checks the exact result; IS_UP, DOWN and UP
#                   again; vcpu_op's bad inputs. Its @@pvtest lines become
#                   TAP lines here; it must power off.
#   smp_escape.elf  vCPU 1 makes a host system call: the seccomp filter
#                   (TSYNC) must kill the domain from a secondary thread
#                   too.
#
# Runs in the QEMU test host (busybox sh, pvisor.ko loaded, pvctl and
# pvrun in PATH, the guests in /guest). TAP 13, the plan at the end (the
# number of guest checks is the guest's business). Helpers: ../lib/tap.sh.

GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
WAIT_TENTHS=600
PREFIX=gsmp

. "$(dirname "$0")/../lib/tap.sh"

cleanup() {
	for g in smp smp_escape; do
		pvctl destroy "$PREFIX-$g" >/dev/null 2>&1
	done
}

echo "TAP version 13"

need_tools pvctl pvrun
for g in smp smp_escape; do
	[ -f "$GUEST_DIR/$g.elf" ] || skip_all "no $GUEST_DIR/$g.elf"
done
need_module

# list_shows NAME STATE VCPUS: "pvctl list" shows $PREFIX-NAME in STATE
# (a regex) with VCPUS vCPUs.
list_shows() {
	run pvctl list
	out_has "^ *[0-9]*  $PREFIX-$1  *$2  *$3  "
}

# --- the guest's own checks --------------------------------------------------

boot_guest smp --vcpus 4
guest_ran_to_end smp 20
check "smp: pvctl list shows 4 vCPUs and poweroff" \
	list_shows smp "shutdown(poweroff)" 4

# --- a secondary breaks out ----------------------------------------------------

run pvctl create --name "$PREFIX-smp_escape" --memory 16M --vcpus 2 \
	--kernel "$GUEST_DIR/smp_escape.elf"
check "smp_escape: starts with 2 vCPUs" status_is 0
wait_stopped "$PREFIX-smp_escape"
rc=$?
check "smp_escape: stops within $((WAIT_TENTHS / 10)) s" status_is 0
run pvctl console "$PREFIX-smp_escape"
check "smp_escape: vCPU 1 tried, and vCPU 0 never reported" \
	eval 'out_has_line "smp_escape: vCPU 1 trying getpid" && ! out_has "@@pvtest"'
check "smp_escape: crashed(forbidden host system call ...)" \
	list_shows smp_escape "crashed(forbidden host system call (killed by seccomp))" 2

# --- afterwards ------------------------------------------------------------------

runners_gone
check "no runner is left" eval '! grep -q "[p]vrun" "$tmp/out"'
cleanup
check "destroying them gives every frame back" accounting_is_baseline

finish
