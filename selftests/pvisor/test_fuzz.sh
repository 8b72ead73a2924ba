#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The hypercall fuzzer (guest-port/tests/fuzz.c) on several vCPUs at once,
# beside a well-behaved neighbour, domain after domain until the call
# budget is spent: run R fuzzes with seed SEED+R. A fuzz domain may end
# by powering off (its own checks passed: every result a value or an
# errno, untouched memory intact) or crash at the module's hand (a
# guest-destructive call; its calls up to its last progress line count),
# but never hang. Then a few runs in "wild" mode, which lifts the limits
# that keep the fuzzer alive: they may end any way, or hang (they are
# destroyed after WILD_STALL seconds without progress); they count for
# nothing but the host's survival. What must hold throughout: the
# neighbour is unharmed, every pvctl command works, and at the end no
# runner is left and the accounting is back at its baseline. make check
# scans the kernel log for any report.
#
# Settings (environment; run.sh passes them into the test host):
#
#   PVISOR_FUZZ_SEED       the first run's seed (default: from the clock;
#                          printed, so that a failure can be repeated)
#   PVISOR_FUZZ_CALLS      the safe-mode call budget (default 100000)
#   PVISOR_FUZZ_RUN_CALLS  calls per domain (default 50000)
#   PVISOR_FUZZ_VCPUS      vCPUs per fuzz domain (default 4)
#   PVISOR_FUZZ_WILD_RUNS  wild-mode domains afterwards (default 4)
#
# Documentation/testing.rst, "The hypercall fuzzer", has the figures.
#
# Runs in the QEMU test host (busybox sh, pvisor.ko loaded, pvctl and
# pvrun in PATH, the guests in /guest). TAP 13, the plan at the end.
# Helpers: ../lib/tap.sh, ../lib/neighbour.sh.

GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
FUZZ=$GUEST_DIR/fuzz.elf
NEIGHBOUR=fzgood
NEIGHBOUR_ROUNDS=150
# How long a neighbour may take to finish its rounds once asked (150
# rounds of about a fifth of a second, slower under TCG).
WAIT_TENTHS=1200
PREFIX=fz
# A run that prints no progress for this long has hung (safe mode).
STALL=120
WILD_STALL=20
WILD_CALLS=20000

seed=${PVISOR_FUZZ_SEED:-$(date +%s)}
budget=${PVISOR_FUZZ_CALLS:-100000}
per_run=${PVISOR_FUZZ_RUN_CALLS:-50000}
vcpus=${PVISOR_FUZZ_VCPUS:-4}
wild_runs=${PVISOR_FUZZ_WILD_RUNS:-4}

. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/neighbour.sh"

runs=0

cleanup() {
	neighbour_cleanup
	r=1
	while [ $r -le $runs ]; do
		pvctl destroy "$PREFIX-$r" >/dev/null 2>&1
		r=$((r + 1))
	done
}

echo "TAP version 13"

need_tools pvctl pvrun
for f in "$GUEST_DIR/minnow.elf" "$FUZZ"; do
	[ -f "$f" ] || skip_all "no $f"
done
for v in "$seed" "$budget" "$per_run" "$vcpus" "$wild_runs"; do
	case "$v" in
	''|*[!0-9]*) echo "Bail out! PVISOR_FUZZ_* settings must be numbers"; exit 1 ;;
	esac
done
need_module

echo "# fuzz: seed $seed, $budget calls in runs of $per_run on $vcpus vCPUs," \
	"then $wild_runs wild runs (PVISOR_FUZZ_SEED=$seed repeats this)"

# calls_of FILE: the calls a run's console says it made: its final
# report (the "fuzz: done" line or its first check's), else its last
# progress line. The console is the fuzzer's to scribble on too, so any
# one line may be lost in its noise.
calls_of() {
	n=$(sed -n 's/^fuzz: done \([0-9]*\)$/\1/p' "$1" | tail -n 1)
	[ -n "$n" ] || n=$(sed -n 's/^@@pvtest ok 1 \([0-9]*\) calls on .*/\1/p' "$1" | tail -n 1)
	[ -n "$n" ] || n=$(sed -n 's/^fuzz: calls \([0-9]*\)$/\1/p' "$1" | tail -n 1)
	echo "${n:-0}"
}

# fuzz_run SEED CALLS MODE STALL: one fuzz domain, $PREFIX-$runs, beside
# the neighbour, until it stops, or until it has shown no progress for
# STALL seconds (then it is destroyed). Sets $end (its final state, or
# "hung") and $made (its calls). fuzz_done destroys it afterwards: the
# budget takes more domains than the host has memory for at once.
fuzz_run() {
	neighbour_running
	runs=$((runs + 1))
	name=$PREFIX-$runs
	run pvctl create --name "$name" --memory 32M --vcpus "$vcpus" \
		--kernel "$FUZZ" --cmdline "seed=$1 calls=$2 mode=$3"
	check "run $runs ($3, seed $1): starts" status_is 0
	last=-1
	still=0
	end=hung
	while [ $still -lt $(($4 * 2)) ]; do
		st=$(state_of "$name")
		case "$st" in
		shutdown*|crashed*) end=$st; break ;;
		'') end=gone; break ;;
		esac
		sleep 0.5
		pvctl console "$name" >"$tmp/$name.console" 2>&1
		now=$(calls_of "$tmp/$name.console")
		if [ "$now" = "$last" ]; then
			still=$((still + 1))
		else
			still=0
			last=$now
		fi
	done
	[ "$end" = hung ] && run pvctl destroy "$name"
	pvctl console "$name" >"$tmp/$name.console" 2>&1
	made=$(calls_of "$tmp/$name.console")
	full=$(pvctl list 2>/dev/null | awk -v n="$name" '$2 == n { sub(/^ *[0-9]+ +[^ ]+ +/, ""); print }')
	echo "# run $runs ($3, seed $1): $made calls, ${full:-$end}"
	grep -v '^fuzz-noise ' "$tmp/$name.console" | tail -n 5 | sed 's/^/#   /'
}

fuzz_done() {
	exists "$name" && run pvctl destroy "$name"
	check "run $runs: destroyed, it is gone" eval '! exists "$name"'
}

# --- safe mode: the budget ----------------------------------------------------

total=0
powered_off=0
crashed=0
while [ "$total" -lt "$budget" ]; do
	n=$((budget - total))
	[ "$n" -gt "$per_run" ] && n=$per_run
	fuzz_run $((seed + runs)) "$n" safe "$STALL"
	cp "$tmp/$name.console" "$tmp/out"
	check "run $runs: ends without hanging ($end)" \
		eval '[ "$end" != hung ] && [ "$end" != gone ]'
	case "$end" in
	"shutdown(poweroff)")
		powered_off=$((powered_off + 1))
		guest_checks "$tmp/$name.console" "run $runs"
		check "run $runs: the fuzzer's own checks ran to the end" \
			eval '[ $guest_checks -eq 3 ] && out_has_line "@@pvtest done 3 0"'
		;;
	crashed*) crashed=$((crashed + 1)) ;;
	esac
	neighbour_unharmed "run $runs"
	fuzz_done
	# A run that made no calls would never end the loop.
	if [ "$made" -eq 0 ]; then
		check "run $runs: made calls" false
		break
	fi
	total=$((total + made))
done
run echo "$total calls in $runs runs: $powered_off powered off, $crashed crashed"
check "safe mode: $total calls of $budget in $runs runs ($powered_off powered off, $crashed crashed by the module)" \
	eval '[ "$total" -ge "$budget" ] && [ $powered_off -ge 1 ] &&
	      [ $((crashed * 2)) -le $runs ]'

# --- wild mode: anything goes ---------------------------------------------------

w=0
while [ $w -lt "$wild_runs" ]; do
	w=$((w + 1))
	fuzz_run $((seed + runs)) "$WILD_CALLS" wild "$WILD_STALL"
	run pvctl list
	check "wild run $runs: ends or is destroyed ($end)" \
		eval '[ "$end" != gone ] && ! out_has "^ *[0-9]*  $name  *running"'
	neighbour_unharmed "wild run $runs"
	fuzz_done
done

# --- afterwards -----------------------------------------------------------------

neighbours_finished
cleanup
runners_gone
check "no runner is left" eval '! grep -q "[p]vrun" "$tmp/out"'
check "accounting is back to where it started" accounting_is_baseline

finish
