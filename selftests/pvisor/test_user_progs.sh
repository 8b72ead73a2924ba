#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest user programs (guest-port/user) are plain Linux x86-64
# executables: run natively in the test host, they must behave as the
# minnow guest will be asked to make them behave. This pins the library's
# entry, argument passing, printf and exit status on the reference system
# before any hypervisor is involved.

. "$(dirname "$0")/../lib/tap.sh"

user=/guest/user

# native NAME ARGS...: run a checking program (utest.h) natively; every
# check must pass and its done line must say so.
native() {
	prog=$1
	shift
	run "$user/$prog.elf" "$@"
	guest_checks "$tmp/out" "native $prog"
	check "native $prog: exits 0 with its checks done ($guest_checks)" \
		eval 'status_is 0 && [ $guest_checks -gt 0 ] && out_has_line "@@pvtest done $guest_checks 0"'
}

hello=/guest/user/hello.elf

check "hello.elf is in the test host" test -x "$hello"

run "$hello" one two
check "hello exits 0" status_is 0
check "hello reports its own pid" out_has "^hello from pid [1-9][0-9]* (parent [1-9][0-9]*), 3 argument"
check "argv[0] is the program" out_has_line "argv[0] = $hello"
check "argv[1] and argv[2] arrive in order" \
	sh -c "grep -qx 'argv\\[1\\] = one' '$tmp/out' && grep -qx 'argv\\[2\\] = two' '$tmp/out'"
run sh -c "$hello & wait \$!; echo pid=\$!"
check "the pid it prints is the pid the shell started" \
	sh -c "test \"\$(sed -n 's/^hello from pid \\([0-9]*\\) .*/\\1/p' '$tmp/out')\" = \"\$(sed -n 's/^pid=//p' '$tmp/out')\""

# The minnow test programs behave on Linux as they must in minnow
# (test_minnow_user): the same binaries, the same results.
native user_sys
native user_mm 300
native user_fpu
native user_ticker 3
native user_smp 2000
run sh -c "$user/user_iso.elf a & $user/user_iso.elf b & wait"
guest_checks "$tmp/out" "native user_iso"
check "native user_iso: two copies at once both pass" \
	eval '[ "$(grep -c "^@@pvtest done 1 0$" "$tmp/out")" -eq 2 ]'
run "$user/user_spin.elf" 1000000
check "native user_spin: spins and exits 0" eval 'status_is 0 && out_has "^user_spin: done after"'

# user_trap: the shell reports 128 + the signal that killed it.
for t in de:136 int3:133 into:132 bound:132 ud2:132 hlt:139 cli:139 \
	noncanon:139 kernel:139 unmapped:139 null:139 rocode:139 nxstack:139; do
	run "$user/user_trap.elf" "${t%%:*}"
	check "native user_trap ${t%%:*}: killed by signal $((${t#*:} - 128))" \
		eval 'status_is '"${t#*:}"' && ! out_has "survived"'
done
run "$user/user_trap.elf" ac
if out_has "survived ac"; then
	skip "native user_trap ac: killed by SIGBUS" "this CPU (TCG) does not raise #AC"
else
	check "native user_trap ac: killed by SIGBUS" status_is 135
fi

finish
