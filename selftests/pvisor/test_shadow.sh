#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The shadow's edges, through the real runner (guest-port/tests/shadow.c
# says what each guest does), each beside a well-behaved minnow
# ("work=N") that must run alongside and power off unharmed:
#
#   alias    one frame that is every level of its own tables, 64 GiB read
#            one page per 2 MiB, twice: the runner's page tables (VmPTE in
#            /proc/PID/status) stay within the window's allowance (1/16
#            of the guest's 8 MiB, plus 256 KiB) over what a normal
#            runner uses, the kernel log says the window was reset, and
#            the guest goes on to power off. Unbounded, it costs 128 MiB.
#   flood    endless mmuext_op batches of 4096 whole-window flushes:
#            pvctl destroy ends the runner (within 30 s, a hang
#            detector; it takes a tenth of a second).
#   mkwrite  a write through an entry rewritten in place from read-only
#            frame X to read-write frame Y lands in Y, never in X.
#   race     (2 vCPUs) one remaps a page between three frames, the other
#            reads it and never sees a frame from before an invalidation
#            that returned.
#
# Then: no runner left, the frames and the host's page tables back to
# where they started.
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
# The allowance of an 8 MiB guest (kmod/window.c), in KiB.
ALLOWANCE_KB=$((8 * 1024 / 16 + 256))
# What a vCPU may add past it before its reset runs: four table pages.
SLACK_KB=16
# A hang detector, not a speed limit: a loaded host may be slow.
FLOOD_DESTROY_CS=3000

. "$(dirname "$0")/../lib/tap.sh"

neighbours=0

cleanup() {
	for c in alias flood shadow; do
		pvctl destroy "$PREFIX-$c" >/dev/null 2>&1
	done
	n=1
	while [ $n -le $neighbours ]; do
		pvctl destroy "$PREFIX-good-$n" >/dev/null 2>&1
		n=$((n + 1))
	done
}

echo "TAP version 13"

need_tools pvctl pvrun awk
for f in "$MINNOW" "$SHADOW"; do
	[ -f "$f" ] || skip_all "no $f"
done
need_module
pagetables0=$(sed -n 's/^PageTables: *\([0-9]*\) kB$/\1/p' /proc/meminfo)

uptime_cs() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }

# domain_id: the id "pvctl create" printed in the last run.
domain_id() { sed -n 's/^created domain \([0-9]*\) .*/\1/p' "$tmp/out"; }

# runner_pid ID: the pid of domain ID's runner, waiting a little for it.
runner_pid() {
	i=0
	while [ $i -lt "$WAIT_TENTHS" ]; do
		# the runner, not its context factory (a child of the runner
		# with the same command line)
		for pid in $(ps | sed -n "s/^ *\([0-9]*\) .*[p]vrun --domain $1 .*/\1/p"); do
			ppid=$(sed -n 's/^PPid:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null)
			[ -n "$ppid" ] || continue
			ps | grep -q "^ *$ppid .*[p]vrun --domain $1 " && continue
			echo "$pid"
			return 0
		done
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

# --- alias: the page-table budget ---------------------------------------------

neighbour
run pvctl create --name "$PREFIX-alias" --memory 8M --kernel "$SHADOW" \
	--cmdline case=alias
check "alias: starts" status_is 0
id=$(domain_id)
pid=$(runner_pid "$id")
pte_max=0
i=0
while [ $i -lt $((WAIT_TENTHS * 2)) ]; do
	pte=$(vmpte_kb "$pid")
	[ -z "$pte" ] && break
	[ "$pte" -gt "$pte_max" ] && pte_max=$pte
	case "$(state_of "$PREFIX-alias")" in
	running) ;;
	*) break ;;
	esac
	sleep 0.1
	i=$((i + 1))
done
wait_stopped "$PREFIX-alias"
pvctl console "$PREFIX-alias" >"$tmp/alias.console" 2>&1
guest_checks "$tmp/alias.console" alias
cp "$tmp/alias.console" "$tmp/out"
check "alias: read 64 GiB through its aliases, twice, and powered off ($guest_checks checks)" \
	eval '[ $guest_checks -eq 3 ] && out_has_line "@@pvtest done 3 0" &&
	      [ "$(state_of "$PREFIX-alias")" = "shutdown(poweroff)" ]'
sed -n 's/^shadow: alias: \(pass .*\)/# alias: \1/p' "$tmp/out"
bound=$((good_pte + ALLOWANCE_KB + SLACK_KB))
run echo "VmPTE at most $pte_max kB; a normal runner $good_pte kB, bound $bound kB"
echo "# alias: the runner's VmPTE peaked at $pte_max kB (a normal runner: $good_pte kB; bound $bound kB)"
check "alias: the runner's page tables stayed within the allowance ($pte_max <= $bound kB)" \
	eval '[ "$pte_max" -gt 0 ] && [ "$pte_max" -le "$bound" ]'
run dmesg
check "alias: the kernel log says its window was reset" \
	out_has "domain $id ($PREFIX-alias): guest window reset"
unharmed

# --- flood: thousands of flushes in one batch ---------------------------------

neighbour
run pvctl create --name "$PREFIX-flood" --memory 8M --kernel "$SHADOW" \
	--cmdline case=flood
check "flood: starts" status_is 0
id=$(domain_id)
i=0
until pvctl console "$PREFIX-flood" 2>/dev/null | grep -q "^shadow: flood: flushing" ||
      [ $i -ge $WAIT_TENTHS ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 1
run pvctl list
check "flood: flushing, and still running" \
	eval '[ "$(state_of "$PREFIX-flood")" = running ]'
t0=$(uptime_cs)
run pvctl destroy "$PREFIX-flood"
destroyed=$rc
while [ $(($(uptime_cs) - t0)) -lt $FLOOD_DESTROY_CS ] && ps | grep -q "[p]vrun --domain $id "; do
	sleep 0.05
done
took=$(($(uptime_cs) - t0))
echo "# flood: the runner was gone $took cs after pvctl destroy"
check "flood: pvctl destroy ends its runner within $FLOOD_DESTROY_CS cs ($took cs)" \
	eval '[ "$destroyed" -eq 0 ] && [ "$took" -le $FLOOD_DESTROY_CS ] &&
	      ! ps | grep -q "[p]vrun --domain $id "'
unharmed

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
runners_gone
check "no runner is left" eval '! grep -q "[p]vrun" "$tmp/out"'
check "accounting is back to where it started" accounting_is_baseline
pagetables=$(sed -n 's/^PageTables: *\([0-9]*\) kB$/\1/p' /proc/meminfo)
run echo "PageTables $pagetables kB, $pagetables0 kB before"
check "the host's page tables are back to where they started ($pagetables kB, $pagetables0 kB before)" \
	eval '[ "$pagetables" -le $((pagetables0 + 256)) ]'

finish
