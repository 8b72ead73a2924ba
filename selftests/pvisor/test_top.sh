#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# pvctl top (Documentation/man/pvctl.8.rst) and the counters behind it
# (DOMAIN_GET's HYPERCALLS, EVENTS_*, FAULTS, CPU_TIME_NS). A busy minnow
# (work=N: fill a page, yield, over and over) must show CPU and
# hypercall rates above 0 and counts of events and faults since boot; an
# idle domain (created, nothing runs) a lower hypercall rate (0) and no
# CPU. --json must print one well-formed object per sample (python3's
# json.tool where the test host has it, else a strict pattern), --batch
# N tables, bad options exit 2.
#
# Runs in the QEMU test host (busybox sh, pvisor.ko loaded, pvctl in
# PATH). TAP 13. Helpers: ../lib/tap.sh.

P=top-
GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
MINNOW=$GUEST_DIR/minnow.elf

. "$(dirname "$0")/../lib/tap.sh"

cleanup() {
	pvctl destroy ${P}busy >/dev/null 2>&1
	pvctl destroy ${P}idle >/dev/null 2>&1
}

# col NAME N: column N of NAME's row in the last sample of $tmp/out.
col() {
	awk -v n="$1" -v c="$2" '/^pvctl top: sample/ { v = "" }
		$2 == n { v = $c } END { print v }' "$tmp/out"
}

# positive X: X is a number above 0.
positive() { awk -v x="$1" 'BEGIN { exit !(x + 0 > 0) }'; }
# below X Y: X < Y.
below() { awk -v x="$1" -v y="$2" 'BEGIN { exit !(x + 0 < y + 0) }'; }

# json_ok FILE: every line is a sample object of the documented shape.
OBJ='\{"id": [0-9]+, "name": "[A-Za-z0-9_.-]+", "state": "[a-z]+", "vcpus": [0-9]+, "memory_bytes": [0-9]+, "cpu_percent": [0-9]+\.[0-9]{2}, "hypercalls_per_s": [0-9]+\.[0-9], "events_sent_per_s": [0-9]+\.[0-9], "events_delivered_per_s": [0-9]+\.[0-9], "faults_per_s": [0-9]+\.[0-9], "cpu_time_ns": [0-9]+, "hypercalls": [0-9]+, "events_sent": [0-9]+, "events_delivered": [0-9]+, "faults": [0-9]+\}'
json_ok() {
	[ -s "$1" ] || return 1
	if command -v python3 >/dev/null; then
		while IFS= read -r line; do
			printf '%s\n' "$line" | python3 -m json.tool >/dev/null || return 1
		done <"$1"
	fi
	! grep -v -E "^\{\"sample\": [0-9]+, \"interval_s\": [0-9]+\.[0-9]{3}, \"domains\": \[($OBJ(, $OBJ)*)?\]\}\$" "$1" | grep -q .
}

# A JSON field of NAME's object in the last line of $tmp/out.
jfield() {
	tail -n 1 "$tmp/out" | sed -n "s/.*\"name\": \"$1\", \([^}]*\)}.*/\1/p" |
		sed -n "s/.*\"$2\": \([0-9.]*\).*/\1/p"
}

echo "TAP version 13"
need_tools pvctl
need_module
[ -f "$MINNOW" ] || skip_all "no $MINNOW"
cleanup

run pvctl top --delay 0
check "a delay of 0 (--delay 0) is a usage error (exit 2)" eval 'status_is 2 && err_has "bad --delay"'
run pvctl top --iterations 0
check "no iterations (--iterations 0) is a usage error (exit 2)" status_is 2
run pvctl top extra
check "an operand is a usage error (exit 2)" status_is 2

run pvctl create --name ${P}busy --memory 16M --kernel "$MINNOW" --cmdline work=1000
check "a busy guest starts" status_is 0
run pvctl create --name ${P}idle --memory 4M
check "an idle domain is created" status_is 0
check "the busy guest reaches its work loop" \
	eval 'wait_for sh -c "pvctl console ${P}busy | grep -q \"minnow: work: round 1 \""'

run pvctl top --batch --iterations 2 --delay 1
check "batch mode (--batch) prints 2 samples" \
	eval 'status_is 0 && [ "$(grep -c "^pvctl top: sample" $tmp/out)" -eq 2 ] && out_has "^ *ID  *NAME  *STATE  *CPU(%)  *VCPUS  *MEMORY  *HCALL/S  *EVSENT/S  *EVDELIV/S  *FAULT/S$"'
busy_cpu=$(col ${P}busy 4)
busy_hc=$(col ${P}busy 7)
idle_cpu=$(col ${P}idle 4)
idle_hc=$(col ${P}idle 7)
check "the busy guest uses CPU ($busy_cpu %)" positive "$busy_cpu"
check "... and makes hypercalls ($busy_hc/s)" positive "$busy_hc"
check "the idle domain makes fewer ($idle_hc/s) and uses no CPU ($idle_cpu %)" \
	eval 'below "$idle_hc" "$busy_hc" && [ "$idle_cpu" = 0.0 ]'
check "its VCPUS and MEMORY columns" \
	eval '[ "$(col ${P}idle 5)" = 1 ] && [ "$(col ${P}idle 6)" = 4MiB ]'

run pvctl top --json --iterations 2 --delay 0.5
check "JSON mode (--json): one well-formed object per sample" \
	eval 'status_is 0 && [ "$(wc -l <$tmp/out)" -eq 2 ] && json_ok $tmp/out'
check "... the busy guest's hypercall rate and totals are above 0" \
	eval 'positive "$(jfield ${P}busy hypercalls_per_s)" && positive "$(jfield ${P}busy cpu_time_ns)"'
check "... it had faults and events since boot (its timer)" \
	eval 'positive "$(jfield ${P}busy faults)" && positive "$(jfield ${P}busy events_delivered)"'
check "... the idle domain has none" \
	eval '[ "$(jfield ${P}idle hypercalls)" = 0 ] && [ "$(jfield ${P}idle faults)" = 0 ] && [ "$(jfield ${P}idle cpu_time_ns)" = 0 ]'
printf '{"sample": 1, "interval_s": 1.000, "domains": [{"id": 1}]}\n' >$tmp/bad.json
check "... and the check refuses a malformed object" eval '! json_ok $tmp/bad.json'

cleanup
check "accounting is back to the baseline" accounting_is_baseline
finish
