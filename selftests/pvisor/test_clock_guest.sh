#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest's clock, through the real runner (guest-port/tests/clock.c):
#
#   clock.elf             the pvclock never goes back across hundreds of
#                         refreshes; a one-shot deadline already past is
#                         pending when set_timer_op returns (raised in the
#                         calling thread, no hrtimer or softirq).
#   clock.elf storm       20000 past-deadline set_timer_op calls: the
#                         host's HRTIMER softirq count must grow by
#                         less than 100 (it grew by 1167 when every call
#                         armed an hrtimer; 0 since).
#   clock.elf wallclock   the wall clock in shared_info follows the host:
#                         this script sets the test host's clock forward by
#                         a million seconds while the guest runs, and the
#                         guest must see the new time (then it is set back).
#
# Runs in the QEMU test host. TAP 13, the plan at the end. ../lib/tap.sh.

GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
WAIT_TENTHS=600
PREFIX=gclk
STEP=1000000

. "$(dirname "$0")/../lib/tap.sh"

cleanup() {
	pvctl destroy "$PREFIX-clock" >/dev/null 2>&1
	pvctl destroy "$PREFIX-wall" >/dev/null 2>&1
	pvctl destroy "$PREFIX-storm" >/dev/null 2>&1
}

echo "TAP version 13"

need_tools pvctl pvrun date
[ -f "$GUEST_DIR/clock.elf" ] || skip_all "no $GUEST_DIR/clock.elf"
need_module

boot_guest clock
guest_ran_to_end clock 2
run pvctl list
check "clock: powered off" out_has "^ *[0-9]*  $PREFIX-clock  *shutdown(poweroff) "

# --- past deadlines cost no host timer work ---------------------------------

# hrtimer_softirqs: the HRTIMER row of /proc/softirqs, summed over CPUs.
hrtimer_softirqs() {
	awk '$1 == "HRTIMER:" { n = 0; for (i = 2; i <= NF; i++) n += $i; print n }' /proc/softirqs
}

soft0=$(hrtimer_softirqs)
run pvctl create --name "$PREFIX-storm" --memory 16M \
	--kernel "$GUEST_DIR/clock.elf" --cmdline storm
check "storm: starts" status_is 0
wait_stopped "$PREFIX-storm"
rc=$?
soft1=$(hrtimer_softirqs)
check "storm: stops within $((WAIT_TENTHS / 10)) s" status_is 0
pvctl console "$PREFIX-storm" >"$tmp/storm.console" 2>&1
guest_ran_to_end storm 1
check "storm: 20000 past deadlines raised $((soft1 - soft0)) HRTIMER softirqs (< 100)" \
	eval '[ $((soft1 - soft0)) -lt 100 ]'

# --- the wall clock follows the host's -------------------------------------

before=$(date +%s)
run pvctl create --name "$PREFIX-wall" --memory 16M \
	--kernel "$GUEST_DIR/clock.elf" --cmdline wallclock
check "wallclock: starts" status_is 0
tries=0
until pvctl console "$PREFIX-wall" 2>/dev/null | grep -q "waiting for the host"; do
	tries=$((tries + 1))
	[ $tries -ge "$WAIT_TENTHS" ] && break
	sleep 0.1
done
after=$(date +%s)
pvctl console "$PREFIX-wall" >"$tmp/out" 2>&1
wall1=$(sed -n 's/^clock: wall \([0-9]*\), waiting.*/\1/p' "$tmp/out")
# The guest read its clock between $before and $after, however long the
# start took; a second either way for the rounding.
check "wallclock: the guest's wall clock starts at the host's ($wall1 in $before..$after)" \
	eval '[ -n "$wall1" ] && [ $((wall1 - before)) -ge -2 ] && [ $((wall1 - after)) -le 2 ]'

t0=$(date +%s)
date -s "@$((t0 + STEP))" >/dev/null
wait_stopped "$PREFIX-wall"
rc=$?
set_to=$(date +%s)
date -s "@$((set_to - STEP))" >/dev/null
check "wallclock: stops within $((WAIT_TENTHS / 10)) s" status_is 0
pvctl console "$PREFIX-wall" >"$tmp/wall.console" 2>&1
guest_checks "$tmp/wall.console" wallclock
cp "$tmp/wall.console" "$tmp/out"
wall2=$(sed -n 's/^clock: wall now \([0-9]*\)$/\1/p' "$tmp/out")
check "wallclock: the guest sees the host's new time ($wall2 vs about $((t0 + STEP)))" \
	eval '[ -n "$wall2" ] && [ $((wall2 - t0 - STEP)) -ge -2 ] && [ $((wall2 - set_to)) -le 2 ]'

runners_gone
check "no runner is left" eval '! grep -q "[p]vrun" "$tmp/out"'
cleanup
check "destroying them gives every frame back" accounting_is_baseline

finish
