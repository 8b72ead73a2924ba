#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Hostile guests through the real runner, each beside a well-behaved one.
#
# The well-behaved domain is minnow with "work=N": after its self-checks
# it keeps working (fill a page, yield, check it) for N rounds of about
# a fifth of a second, printing each round, then powers off. Before each
# hostile guest starts, one must be running (a new one is started when
# the last has finished); after the hostile guest has ended it must be
# running still or have powered off, never crashed. At the end every
# well-behaved domain must have powered off with its whole console.
#
# The hostile guest is guest-port/tests/hostile.elf; its command line
# picks the attack (see its source). Each case must end as stated:
#
#   host system calls (execve, open, openat, mmap, ptrace, getpid), ioctl
#   on fds 0 and 4 and on "3" with upper bits set, ioctl on fd 3 with a
#   pvisor cmd outside the allowed set, jumps into the middle of a
#   hypercall stub          -> crashed(forbidden host system call ...)
#   a write over the hypercall page
#                           -> crashed(unhandled page fault at its address)
#   a leaf or top-level entry naming a pfn beyond the reservation
#                           -> crashed(page table maps pfn ... beyond ...)
#   hypercalls with bits 32-63 of the ioctl cmd set: the filter checks
#   the low 32 bits only and the kernel drops the rest (DESIGN.md), so
#   they work as the plain calls; mmu_update & co. with bad pointers and
#   huge batches: refused with an errno -> the guest checks what came
#   back, reports, and powers off
#   jmp . forever           -> still running; pvctl destroy ends it, its
#                              runner goes and its frames come back
#
# Then: no pvrun left, accounting back to where it started. The host's
# kernel log is checked by make check itself.
#
# Runs in the QEMU test host (busybox sh, pvisor.ko loaded, pvctl and
# pvrun in PATH, the guests in /guest). TAP 13, the plan at the end.
# Helpers: ../lib/tap.sh, ../lib/neighbour.sh (the well-behaved neighbour).

GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
MINNOW=$GUEST_DIR/minnow.elf
HOSTILE=$GUEST_DIR/hostile.elf
WAIT_TENTHS=300
# Rounds of work for each well-behaved domain: a dozen seconds or so.
WORK_ROUNDS=60
NEIGHBOUR=hgood
NEIGHBOUR_ROUNDS=$WORK_ROUNDS
BAD=hbad

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
for f in "$MINNOW" "$HOSTILE"; do
	[ -f "$f" ] || skip_all "no $f"
done
need_module

# hostile LABEL CMDLINE EXPECTED-STATE: run hostile.elf with CMDLINE
# beside a well-behaved domain; it must end in EXPECTED-STATE (a regex
# for the STATE column of pvctl list), having said what it was about to
# do, with no failed check of its own.
hostile() {
	label=$1
	neighbour_running
	cases=$((cases + 1))
	name=$BAD-$cases
	boot_bad_guest "$name" "$HOSTILE" "$2" "$label"
	check "$label: ends ${3% }..." \
		eval 'grep -q "^hostile: " "$tmp/$name.console" &&
		      out_has "^ *[0-9]*  $name  *$3"'
	neighbour_unharmed "$label"
}

FORBIDDEN="crashed(forbidden host system call"

for sc in execve open openat mmap ptrace getpid; do
	hostile "$sc" "case=$sc" "$FORBIDDEN"
done
hostile "ioctl on fd 0" "case=ioctl fd=0" "$FORBIDDEN"
hostile "ioctl on fd 4" "case=ioctl fd=4" "$FORBIDDEN"
hostile "ioctl on fd (1<<32)|3" "case=ioctl fd=0x100000003" "$FORBIDDEN"
for cmd in attach setcontext memory abi; do
	hostile "ioctl $cmd on fd 3" "case=ioctl cmd=$cmd" "$FORBIDDEN"
done
hostile "a jump to a stub's syscall" "case=stub-syscall" "$FORBIDDEN"
hostile "a jump past a stub's fd load" "case=stub-fd" "$FORBIDDEN"
hostile "a write over the hypercall page" "case=hcpage-write" \
	"crashed(unhandled page fault at 0x10fffffff020"
hostile "a leaf entry beyond the reservation" "case=pte-beyond" \
	"crashed(page table maps pfn 0x900 beyond the reservation"
hostile "a top-level entry beyond the reservation" "case=table-beyond" \
	"crashed(page table maps pfn 0x900 beyond the reservation"
hostile "hypercalls with upper cmd bits" "case=ioctl-highbits" \
	"shutdown(poweroff) "
check "... which the guest checked, to its end" \
	eval '[ $guest_checks -eq 4 ] &&
	      grep -q -x "@@pvtest done 4 0" "$tmp/$name.console" &&
	      grep -q -x "hostile: ioctl-highbits: a console line through a cmd with bit 32 set" "$tmp/$name.console"'
hostile "bad mmu pointers and huge batches" "case=mmu-bad" \
	"shutdown(poweroff) "
check "... which the guest checked, to its end" \
	eval '[ $guest_checks -ge 10 ] &&
	      grep -q -x "@@pvtest done $guest_checks 0" "$tmp/$name.console"'

# --- a vCPU that spins forever ----------------------------------------------

neighbour_running
run pvctl info --json
frames_before=$(json_field frames_used)
cases=$((cases + 1))
spin=$BAD-$cases
run pvctl create --name "$spin" --memory 8M --kernel "$HOSTILE" \
	--cmdline "case=spin"
spin_id=$(sed -n 's/^created domain \([0-9]*\) .*/\1/p' "$tmp/out")
check "spin: starts" status_is 0
i=0
until pvctl console "$spin" 2>/dev/null | grep -q "^hostile: spin: spinning$" ||
      [ $i -ge $WAIT_TENTHS ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 1
run ps
check "spin: still running a second after it started spinning, in its runner" \
	eval '[ "$(state_of "$spin")" = running ] &&
	      grep -q "[p]vrun --domain ${spin_id:-x} " "$tmp/out"'
run pvctl destroy "$spin"
check "spin: pvctl destroy ends it" eval 'status_is 0 && ! exists "$spin"'
i=0
while [ $i -lt "$WAIT_TENTHS" ] && ps | grep -q "[p]vrun --domain ${spin_id:-x} "; do
	sleep 0.1
	i=$((i + 1))
done
run ps
check "spin: its runner is gone" \
	eval '! grep -q "[p]vrun --domain ${spin_id:-x} " "$tmp/out"'
run pvctl info --json
check "spin: its frames are back" \
	eval '[ "$(json_field frames_used)" -eq "$frames_before" ]'
neighbour_unharmed spin

# --- the well-behaved domains finished their work ---------------------------

neighbours_finished

# --- afterwards ---------------------------------------------------------------

cleanup
runners_gone
check "no runner is left" eval '! grep -q "[p]vrun" "$tmp/out"'
check "accounting is back to where it started" accounting_is_baseline

finish
