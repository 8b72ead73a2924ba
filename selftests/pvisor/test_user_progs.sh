#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest user programs (guest-port/user) are plain Linux x86-64
# executables: run natively in the test host, they must behave as the
# minnow guest will be asked to make them behave. This pins the library's
# entry, argument passing, printf and exit status on the reference system
# before any hypervisor is involved.

. "$(dirname "$0")/../lib/tap.sh"

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

finish
