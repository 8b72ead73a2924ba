#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guests that execute iretq and lretq themselves, in host user mode
# (guest-port/tests/iret.c), each beside a well-behaved domain: whatever
# the frame, the host must live, the neighbour must go on, and the guest
# must get what the CPU gives a user-mode program: the return when the
# frame is good, a #GP (to its handler, or a crash) when it is not.
#
#   user, lret       go on at the next instruction -> shutdown(poweroff)
#   kernel-cs-trap   #GP at the iretq, to the guest's handler
#                                              -> shutdown(poweroff)
#   kernel-cs, nc-stack
#                    -> crashed(unhandled general protection fault ...)
#   bad-stack        (KVM only) -> crashed(unhandled page fault at ...)
#
# Under TCG the test host's CPU must not have SMAP: QEMU reads a
# user-mode iretq's frame with supervisor privilege, and with SMAP on the
# host kernel oopses on it (Documentation/testing.rst, "iretq and SMAP").
# A frame read that faults oopses it under TCG whatever SMAP says, so
# bad-stack runs only under KVM, where the CPU does what hardware does.
# The first line says which CPU this run had, so a KVM run on an SMAP
# machine shows that real SMAP hosts are covered.
#
# Runs in the QEMU test host (busybox sh, pvisor.ko loaded, pvctl and
# pvrun in PATH, the guests in /guest, PVISOR_ACCEL set by the init).
# TAP 13, the plan at the end. Helpers: ../lib/tap.sh.

GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
IRET=$GUEST_DIR/iret.elf
WAIT_TENTHS=300
NEIGHBOUR=igood
NEIGHBOUR_ROUNDS=40
BAD=ibad

. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/neighbour.sh"

cases=0

cleanup() {
	neighbour_cleanup
	c=1
	while [ $c -le $cases ]; do
		pvctl destroy "$BAD-$c" >/dev/null 2>&1
		c=$((c + 1))
	done
}

echo "TAP version 13"

need_tools pvctl pvrun
for f in "$GUEST_DIR/minnow.elf" "$IRET"; do
	[ -f "$f" ] || skip_all "no $f"
done
need_module

accel=${PVISOR_ACCEL:-unknown}
if grep -q '^flags.* smap' /proc/cpuinfo; then
	smap=on
else
	smap=off
fi
run echo "accelerator $accel, SMAP $smap"
echo "# test host: accelerator $accel, SMAP $smap"
check "the test host's CPU: $accel with SMAP $smap (TCG must have it off)" \
	eval '[ "$accel" = kvm ] || { [ "$accel" = tcg ] && [ "$smap" = off ]; }'

# iret_case CASE EXPECTED-STATE MIN-CHECKS: run iret.elf with case=CASE
# beside a well-behaved domain; it must end in EXPECTED-STATE (a regex
# for pvctl list's STATE column) having said what it was about to do,
# with at least MIN-CHECKS guest checks, none failed.
iret_case() {
	# check's eval sees check's own arguments as $1...: name them.
	what=$1 end=$2 min=$3
	neighbour_running
	cases=$((cases + 1))
	name=$BAD-$cases
	boot_bad_guest "$name" "$IRET" "case=$what" "$what"
	check "$what: ends ${end% }... after $min guest checks or more" \
		eval 'grep -q "^iret: $what: " "$tmp/$name.console" &&
		      [ $guest_checks -ge $min ] &&
		      ! grep -q "^@@pvtest not ok" "$tmp/$name.console" &&
		      out_has "^ *[0-9]*  $name  *$end"'
	neighbour_unharmed "$what"
}

GP="crashed(unhandled general protection fault (vector 13"

iret_case user "shutdown(poweroff) " 2
iret_case lret "shutdown(poweroff) " 1
iret_case kernel-cs-trap "shutdown(poweroff) " 2
iret_case kernel-cs "$GP" 0
iret_case nc-stack "$GP" 0
if [ "$accel" = kvm ]; then
	iret_case bad-stack "crashed(unhandled page fault at 0x10" 0
else
	skip "bad-stack: iretq whose frame read faults" \
		"TCG reads the frame with supervisor privilege; the host kernel oopses on that fault (QEMU, not pvisor)"
fi

neighbours_finished
cleanup
runners_gone
check "no runner is left" eval '! grep -q "[p]vrun" "$tmp/out"'
check "accounting is back to where it started" accounting_is_baseline

finish
