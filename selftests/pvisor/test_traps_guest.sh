#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Traps end to end, through the real runner: a host signal in a vCPU
# thread goes to pvrun's handler, the module turns it into a call of the
# guest's own handler, and the guest resumes with the iret hypercall.
#
#   traps.elf       the guest side: every kind of trap reaches minnow's
#                   handler with a truthful frame (vector, rip, address,
#                   error code, registers); demand paging; nested traps;
#                   set_trap_table's bad inputs. Its @@pvtest lines
#                   become TAP lines here; it must power off.
#   notrap.elf      clears its trap table and executes ud2: the module
#                   must crash the domain with a reason naming the trap.
#   unexpected.elf  minnow's default for a trap nobody hooked (hlt): the
#                   frame printed on the console, then a crash shutdown.
#
# Runs in the QEMU test host (busybox sh, pvisor.ko loaded, pvctl and
# pvrun in PATH, the guests in /guest). TAP 13, the plan at the end (the
# number of guest checks is the guest's business). Helpers: ../lib/tap.sh.

GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
WAIT_TENTHS=300
PREFIX=gtrap

. "$(dirname "$0")/../lib/tap.sh"

cleanup() {
	for g in traps notrap unexpected; do
		pvctl destroy "$PREFIX-$g" >/dev/null 2>&1
	done
}

echo "TAP version 13"

need_tools pvctl pvrun
for g in traps notrap unexpected; do
	[ -f "$GUEST_DIR/$g.elf" ] || skip_all "no $GUEST_DIR/$g.elf"
done
need_module

# list_shows NAME STATE: "pvctl list" shows $PREFIX-NAME in STATE (a regex).
list_shows() {
	run pvctl list
	out_has "^ *[0-9]*  $PREFIX-$1  *$2"
}

# --- the guest's own checks --------------------------------------------------

boot_guest traps
guest_ran_to_end traps 20
check "traps: powered off" list_shows traps "shutdown(poweroff) "

# --- no handler ----------------------------------------------------------------

boot_guest notrap
cp "$tmp/notrap.console" "$tmp/out"
check "notrap: cleared its table and executed ud2" \
	out_has_line "notrap: table installed (0) and cleared (0), executing ud2"
check "notrap: never came back from ud2" eval '! out_has "@@pvtest"'
check "notrap: crashed(unhandled invalid opcode ...) at its rip" \
	list_shows notrap "crashed(unhandled invalid opcode (vector 6, signal 4) at rip 0x1000001[0-9a-f]*)"

# --- minnow's default handler --------------------------------------------------

boot_guest unexpected
cp "$tmp/unexpected.console" "$tmp/out"
check "unexpected: the default handler printed the #GP frame" \
	eval 'out_has "^minnow: unexpected trap: general protection (vector 13, error 0x0) at rip 0x1000001[0-9a-f]*$" &&
	      out_has "^minnow:   r12 0x[0-9a-f]* r13 0x5eed5eed5eed5eed r14 "'
check "unexpected: never came back from hlt" eval '! out_has "@@pvtest"'
check "unexpected: crashed(the guest requested a crash)" \
	list_shows unexpected "crashed(the guest requested a crash)"

# --- afterwards ------------------------------------------------------------------

runners_gone
check "no runner is left" eval '! grep -q "[p]vrun" "$tmp/out"'
cleanup
check "destroying them gives every frame back" accounting_is_baseline

finish
