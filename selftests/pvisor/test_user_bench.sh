#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark programs among the guest user programs
# (guest-port/user/progs/bench_*.c), run natively in the test host: each
# must print exactly one well-formed "@@bench" line that run-bench.sh can
# read, and report a failure it cannot measure through as "@@bench-error"
# with status 1. Their figures are make bench's business: nothing here
# looks at how fast anything is. Figure 3's programs (exec, pipe, cpu,
# file) also refuse a bad argument that way: a mistyped count is never
# measured as the default.

. "$(dirname "$0")/../lib/tap.sh"

dir=/guest/user

# one_figure NAME: the last run printed one line, "@@bench NAME MEDIAN ns
# min MIN max MAX n 11", and nothing else, with MIN <= MEDIAN <= MAX.
one_figure() {
	[ "$(wc -l <"$tmp/out")" -eq 1 ] || return 1
	set -- "$1" $(sed -n "s/^@@bench $1 \([0-9][0-9]*\) ns min \([0-9][0-9]*\) max \([0-9][0-9]*\) n 11\$/\1 \2 \3/p" "$tmp/out")
	[ $# -eq 4 ] && [ "$3" -le "$2" ] && [ "$2" -le "$4" ]
}

# first_line NAME UNIT: the figure is the first of the last run's lines
# (for bench_cpu, whose checksum follows).
first_line() {
	head -n 1 "$tmp/out" >"$tmp/first"
	set -- "$1" $(sed -n "s/^@@bench $1 \([0-9][0-9]*\) $2 min \([0-9][0-9]*\) max \([0-9][0-9]*\) n 11\$/\1 \2 \3/p" "$tmp/first")
	[ $# -eq 4 ] && [ "$3" -le "$2" ] && [ "$2" -le "$4" ]
}

for prog in getpid fault switch exec pipe cpu file; do
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

run "$dir/bench_exec.elf" 2
check "bench_exec exits 0 (each exec'd child exited 0)" status_is 0
check "bench_exec prints one user.fork_exec figure" one_figure user.fork_exec
run "$dir/bench_exec.elf" 12x
check "bench_exec refuses a malformed count with status 1" status_is 1
check "... as one @@bench-error line" out_has_line \
	"@@bench-error user.fork_exec: argument 1 is '12x', not a count from 1 to 100000"
# Found by PATH, its argv[0] holds no '/': it cannot exec itself.
run sh -c "cd $dir && PATH=. exec bench_exec.elf"
check "bench_exec started without a path says how to start it" \
	out_has "^@@bench-error user.fork_exec: usage: /PATH/TO/bench_exec.elf"

run taskset 1 "$dir/bench_pipe.elf" 20
check "bench_pipe exits 0 (its echoing child ended at EOF with 0)" status_is 0
check "bench_pipe prints one user.pipe_rtt figure" one_figure user.pipe_rtt
run "$dir/bench_pipe.elf" 0
check "bench_pipe refuses a count of 0 with status 1" status_is 1
check "... as one @@bench-error line" out_has_line \
	"@@bench-error user.pipe_rtt: argument 1 is '0', not a count from 1 to 10000000"

run "$dir/bench_cpu.elf" 100000
check "bench_cpu exits 0" status_is 0
check "bench_cpu prints a user.cpu_loop figure" first_line user.cpu_loop ns
check "... and then its checksum, the same line format" eval \
	'[ "$(wc -l <"$tmp/out")" -eq 2 ] && tail -n 1 "$tmp/out" | grep -qx "@@bench user.cpu_checksum [0-9]* value min 0 max 0 n 1"'
run "$dir/bench_cpu.elf" 1 2
check "bench_cpu refuses a second argument with status 1" status_is 1
check "... as one @@bench-error line" out_has_line \
	"@@bench-error user.cpu_loop: usage: bench_cpu.elf [ITERATIONS]"

run "$dir/bench_file.elf" 16 "$tmp"
check "bench_file exits 0" status_is 0
check "bench_file prints one user.file_4k figure" one_figure user.file_4k
check "... and leaves no file behind" eval \
	'[ -z "$(ls "$tmp" | grep "^bench_file\.")" ]'
run "$dir/bench_file.elf" 16 /nonexistent
check "bench_file reports a refused open with status 1" status_is 1
check "... as one @@bench-error line naming the call and the errno" \
	out_has_line "@@bench-error user.file_4k: open for writing failed (-2)"

finish
