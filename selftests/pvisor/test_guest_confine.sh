#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guests that misbehave, and what becomes of them. Each small guest from
# guest-port/tests/ says on its console what it is about to do, then:
#
#   escape.elf  makes a host system call of its own (getpid): the
#               runner's seccomp filter must kill it;
#   fault.elf   reads an address its page tables do not map: with no trap
#               table the domain must crash;
#   assert.elf  fails a GUEST_ASSERT: the guest test library must report
#               "not ok", then "done", and crash the domain.
#
# Every one must end up crashed with a reason, its runner gone, and its
# frames returned on destroy. Same host environment and TAP conventions
# as test_guest_boot.sh; the helpers are in ../lib/tap.sh.

GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
WAIT_TENTHS=600
PREFIX=gconf

. "$(dirname "$0")/../lib/tap.sh"

cleanup() {
	for g in escape fault assert; do
		pvctl destroy "$PREFIX-$g" >/dev/null 2>&1
	done
}

echo "TAP version 13"

need_tools pvctl pvrun
for g in escape fault assert; do
	[ -f "$GUEST_DIR/$g.elf" ] || skip_all "no $GUEST_DIR/$g.elf"
done
need_module
plan 16

# guest NAME FIRST-LINE CRASH-REASON: boot it, check the console and state.
guest() {
	name=$PREFIX-$1
	run pvctl create --name "$name" --memory 4M --kernel "$GUEST_DIR/$1.elf"
	check "$1: starts" status_is 0
	wait_stopped "$name"
	rc=$?
	check "$1: stops within $((WAIT_TENTHS / 10)) s" status_is 0
	run pvctl console "$name"
	check "$1: said what it was about to do" out_has_line "$2"
	run pvctl list
	check "$1: is crashed($3...)" \
		eval 'out_has "^ *[0-9]*  $name  *crashed($3"'
}

guest escape "escape: trying getpid" "forbidden host system call"
run pvctl console $PREFIX-escape
check "escape: never got past the system call" \
	eval '! out_has "@@pvtest"'
guest fault "fault: reading an unmapped address" "unhandled page fault at 0x104b00000000"
guest assert "@@pvtest ok 1 a check that passes" "the guest requested a crash"
run pvctl console $PREFIX-assert
check "assert: reported the failed assertion and its end" \
	eval 'out_has "^@@pvtest not ok 2 assertion .1 + 1 == 3. failed (tests/assert.c:[0-9]*)$" &&
	      out_has_line "@@pvtest done 2 1" && ! out_has "never reached"'

runners_gone
check "no runner is left" eval '! grep -q "[p]vrun" "$tmp/out"'

cleanup
check "destroying them gives every frame back" accounting_is_baseline

finish
