#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark programs among the guest user programs
# (guest-port/user/progs/bench_*.c), run natively in the test host: each
# must print exactly one well-formed "@@bench" line that run-bench.sh can
# read, and report a failure it cannot measure through as "@@bench-error"
# with status 1. Their figures are make bench's business: nothing here
# looks at how fast anything is.

. "$(dirname "$0")/../lib/tap.sh"

dir=/guest/user

# one_figure NAME: the last run printed one line, "@@bench NAME MEDIAN ns
# min MIN max MAX n 11", and nothing else, with MIN <= MEDIAN <= MAX.
one_figure() {
	[ "$(wc -l <"$tmp/out")" -eq 1 ] || return 1
	set -- "$1" $(sed -n "s/^@@bench $1 \([0-9][0-9]*\) ns min \([0-9][0-9]*\) max \([0-9][0-9]*\) n 11\$/\1 \2 \3/p" "$tmp/out")
	[ $# -eq 4 ] && [ "$3" -le "$2" ] && [ "$2" -le "$4" ]
}

for prog in getpid fault switch; do
	check "bench_$prog.elf is in the test host" test -x "$dir/bench_$prog.elf"
done

run "$dir/bench_getpid.elf"
check "bench_getpid exits 0" status_is 0
check "bench_getpid prints one user.getpid figure" one_figure user.getpid
run "$dir/bench_getpid.elf" 10
check "bench_getpid takes a count of calls" one_figure user.getpid
run "$dir/bench_getpid.elf" 12x
check "bench_getpid falls back to its default on a malformed count" \
	one_figure user.getpid

run "$dir/bench_fault.elf"
check "bench_fault exits 0" status_is 0
check "bench_fault prints one user.first_touch figure" one_figure user.first_touch
# 400 TB of address space: no mmap can give that.
run "$dir/bench_fault.elf" 100000000000
check "bench_fault reports a refused mmap with status 1" status_is 1
check "... as one @@bench-error line naming the call and the errno" \
	out_has_line "@@bench-error user.first_touch: mmap failed (-12)"

# On one CPU, as run-bench.sh runs it: the yields must switch.
run taskset 1 "$dir/bench_switch.elf"
check "bench_switch exits 0 (its child yielded and exited 0)" status_is 0
check "bench_switch prints one user.switch figure, for the parent only" \
	one_figure user.switch
run taskset 1 "$dir/bench_switch.elf" 0
check "bench_switch falls back to its default on a count of 0" \
	one_figure user.switch

finish
