#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# pvctl vcpu-list and evtchn-list on a real guest: minnow binds
# VIRQ_TIMER on its boot vCPU, runs its self-checks and powers off, and
# keeps its ports until it is destroyed. Checks the table and JSON shapes
# by name and by id, and the documented exit codes for a domain that
# does not exist (1) and for bad designators and operands (2).
#
# Runs in the QEMU test host (busybox sh, pvisor.ko loaded, pvctl and
# pvrun in PATH, the guests in /guest). TAP 13. Helpers: ../lib/tap.sh.

GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
G=lstsh-g

. "$(dirname "$0")/../lib/tap.sh"

cleanup() {
	pvctl destroy $G >/dev/null 2>&1
}

# usage_error: exit 2, the usage on stderr, nothing on stdout.
usage_error() { status_is 2 && err_has '^Usage: pvctl' && out_empty; }

echo "TAP version 13"

need_tools pvctl pvrun
[ -f "$GUEST_DIR/minnow.elf" ] || skip_all "no $GUEST_DIR/minnow.elf"
need_module
plan 22

run pvctl create --name $G --memory 16M --kernel "$GUEST_DIR/minnow.elf"
check "minnow starts" status_is 0
wait_stopped $G
rc=$?
check "minnow runs its self-checks and stops" status_is 0
id=$(pvctl list | awk -v n=$G '$2 == n { print $1 }')

# --- vcpu-list ---------------------------------------------------------------

run pvctl vcpu-list $G
check "vcpu-list NAME exits 0 with its header" \
	eval 'status_is 0 && out_has "^VCPU  STATE  *CPU-TIME$"'
check "... vCPU 0 stopped, with the CPU time it used" \
	out_has '^   0  stopped  *[0-9][0-9]*\.[0-9][0-9][0-9]s$'
check "... and nothing else" eval '[ "$(wc -l <"$tmp/out")" -eq 2 ]'
cp "$tmp/out" "$tmp/by-name"
run pvctl vcpu-list "$id"
check "vcpu-list ID: the same vCPUs" \
	eval 'status_is 0 && [ "$(cut -c1-15 "$tmp/out")" = "$(cut -c1-15 "$tmp/by-name")" ]'

run pvctl vcpu-list --json $G
check "vcpu-list --json: an array of one object per line" \
	eval 'status_is 0 && out_has_line "[" && out_has_line "]" && [ "$(wc -l <"$tmp/out")" -eq 3 ]'
check "... vCPU 0 stopped, its CPU time in ns" \
	out_has '^  {"vcpu": 0, "state": "stopped", "cpu_time_ns": [1-9][0-9]*}$'

# --- evtchn-list ---------------------------------------------------------------

run pvctl evtchn-list $G
check "evtchn-list NAME exits 0 with its header" \
	eval 'status_is 0 && out_has "^PORT  STATE  *VCPU  PEER  *VIRQ  PENDING  MASKED$"'
check "... the timer VIRQ minnow bound on vCPU 0" \
	out_has '^ *[1-9][0-9]*  virq  *0  -  *0  *[a-z]*  *[a-z]*$'
check "... PENDING and MASKED read yes or no" \
	eval '! sed 1d "$tmp/out" | grep -v -q "  \(yes\|no\)  *\(yes\|no\)$"'
port=$(awk '$2 == "virq" && $5 == 0 { print $1 }' "$tmp/out")
run pvctl evtchn-list "$id"
check "evtchn-list ID: the same port" \
	eval 'status_is 0 && out_has "^ *$port  virq "'

run pvctl evtchn-list -j $G
check "evtchn-list --json: an array of one object per line" \
	eval 'status_is 0 && out_has_line "[" && out_has_line "]"'
check "... the timer VIRQ's object" \
	out_has "^  {\"port\": $port, \"state\": \"virq\", \"vcpu\": 0, \"virq\": 0, \"pending\": [a-z]*, \"masked\": [a-z]*},\{0,1\}$"

# --- errors ----------------------------------------------------------------

run pvctl vcpu-list lstsh-nosuch
check "vcpu-list of an unknown name fails with exit 1" \
	eval 'status_is 1 && out_empty && err_has "^pvctl: vcpu-list: lstsh-nosuch: no such domain (kernel: no such domain)$"'
run pvctl evtchn-list lstsh-nosuch
check "evtchn-list of an unknown name fails with exit 1" \
	eval 'status_is 1 && out_empty && err_has "^pvctl: evtchn-list: lstsh-nosuch: no such domain"'
run pvctl evtchn-list 32000
check "evtchn-list of an unused id fails with exit 1" status_is 1
run pvctl vcpu-list 0
check "vcpu-list 0 is a usage error" usage_error
run pvctl evtchn-list 99999
check "evtchn-list 99999 is a usage error" usage_error
run pvctl vcpu-list
check "vcpu-list without a domain is a usage error" usage_error
run pvctl evtchn-list $G $G
check "evtchn-list with two domains is a usage error" usage_error

cleanup
check "destroying it gives every frame back" accounting_is_baseline

finish
