#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The shadow's edges, through the real runner (guest-port/tests/shadow.c
# says what each guest does), each beside a well-behaved minnow
# ("work=N") that must run alongside and power off unharmed:
#
#   mkwrite  a write through an entry rewritten in place from read-only
#            frame X to read-write frame Y lands in Y, never in X.
#   race     (2 vCPUs) one remaps a page between three frames, the other
#            reads it and never sees a frame from before an invalidation
#            that returned.
#
# Then: no runner left, the frames back to where they started.
#
# Runs in the QEMU test host (busybox sh, pvisor.ko loaded, pvctl and
# pvrun in PATH, the guests in /guest). TAP 13, the plan at the end.
# Helpers: ../lib/tap.sh.

GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
MINNOW=$GUEST_DIR/minnow.elf
SHADOW=$GUEST_DIR/shadow.elf
WAIT_TENTHS=1200
PREFIX=gshadow
WORK_ROUNDS=30

. "$(dirname "$0")/../lib/tap.sh"

neighbours=0

cleanup() {
	for c in shadow; do
		pvctl destroy "$PREFIX-$c" >/dev/null 2>&1
	done
	n=1
	while [ $n -le $neighbours ]; do
		pvctl destroy "$PREFIX-good-$n" >/dev/null 2>&1
		n=$((n + 1))
	done
}

echo "TAP version 13"

need_tools pvctl pvrun
for f in "$MINNOW" "$SHADOW"; do
	[ -f "$f" ] || skip_all "no $f"
done
need_module

# domain_id: the id "pvctl create" printed in the last run.
domain_id() { sed -n 's/^created domain \([0-9]*\) .*/\1/p' "$tmp/out"; }

# runner_pid ID: the pid of domain ID's runner, waiting a little for it.
runner_pid() {
	i=0
	while [ $i -lt 50 ]; do
		pid=$(ps | sed -n "s/^ *\([0-9]*\) .*[p]vrun --domain $1 .*/\1/p")
		[ -n "$pid" ] && { echo "$pid"; return 0; }
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

vmpte_kb() { sed -n 's/^VmPTE:[[:space:]]*\([0-9]*\) kB$/\1/p' "/proc/$1/status" 2>/dev/null; }

# neighbour: start a well-behaved minnow; $good names it, $good_pte is its
# runner's VmPTE once it is at work.
neighbour() {
	neighbours=$((neighbours + 1))
	good=$PREFIX-good-$neighbours
	run pvctl create --name "$good" --memory 8M --kernel "$MINNOW" \
		--cmdline "work=$WORK_ROUNDS"
	check "$good: a well-behaved neighbour starts" status_is 0
	gpid=$(runner_pid "$(domain_id)")
	i=0
	until pvctl console "$good" 2>/dev/null | grep -q "^minnow: work: round 1 " ||
	      [ $i -ge 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	good_pte=$(vmpte_kb "$gpid")
}

# unharmed: the neighbour is still at work or powered off.
unharmed() {
	now=$(state_of "$good")
	run echo "$good is $now"
	check "$good ran alongside and is unharmed ($now)" \
		eval '[ "$now" = running ] || [ "$now" = "shutdown(poweroff)" ]'
}

# --- mkwrite and race ---------------------------------------------------------

neighbour
boot_guest shadow --cmdline case=mkwrite
mv "$tmp/shadow.console" "$tmp/mkwrite.console"
guest_checks "$tmp/mkwrite.console" mkwrite
cp "$tmp/mkwrite.console" "$tmp/out"
check "mkwrite: ran its checks to the end ($guest_checks reported)" \
	eval '[ $guest_checks -eq 4 ] && out_has_line "@@pvtest done 4 0"'
pvctl destroy "$PREFIX-shadow" >/dev/null 2>&1
unharmed

boot_guest shadow --cmdline case=race --vcpus 2
mv "$tmp/shadow.console" "$tmp/race.console"
guest_checks "$tmp/race.console" race
cp "$tmp/race.console" "$tmp/out"
sed -n 's/^shadow: race: \([0-9]* remaps.*\)/# race: \1/p' "$tmp/out"
check "race: ran its checks to the end ($guest_checks reported)" \
	eval '[ $guest_checks -eq 3 ] && out_has_line "@@pvtest done 3 0"'
pvctl destroy "$PREFIX-shadow" >/dev/null 2>&1
unharmed

# --- the neighbours finished their work ---------------------------------------

n=1
while [ $n -le $neighbours ]; do
	wait_stopped "$PREFIX-good-$n"
	run pvctl console "$PREFIX-good-$n"
	check "$PREFIX-good-$n: all $WORK_ROUNDS rounds of work and every check done" \
		eval 'out_has_line "minnow: work: round $WORK_ROUNDS of $WORK_ROUNDS" &&
		      out_has "^@@pvtest done [0-9]* 0$" &&
		      [ "$(state_of "$PREFIX-good-$n")" = "shutdown(poweroff)" ]'
	n=$((n + 1))
done

# --- afterwards -----------------------------------------------------------------

cleanup
run ps
check "no runner is left" eval '! grep -q "[p]vrun" "$tmp/out"'
check "accounting is back to where it started" accounting_is_baseline

finish
