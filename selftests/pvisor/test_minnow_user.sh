#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# minnow's user mode end to end (Documentation/minnow-user-mode.rst):
# minnow boots with a newc cpio of the guest user programs
# (/guest/user/*.elf) as its ramdisk and "run=PROG,ARG..." words on its
# command line, runs each as a process in a user context of its own, and
# powers off when all have ended. The programs' @@pvtest lines become TAP
# lines here; minnow's own lines ("minnow: pid N (PROG) exited with
# status S", "... killed by SIGxxx: why") are checked against what Linux
# would do.
#
#   sys      user_sys (every system call, bad pointers, demand paging,
#            COW after fork) beside two user_iso processes that write the
#            same addresses and must never see each other's marks
#   traps    one user_trap process per vector: each dies of Linux's
#            signal; a ticker and the kernel carry on to the end
#   spin     user_spin spins with no system call while user_ticker
#            sleeps and reports: the timer preempts the spinner
#   cputime  while user_spin spins, vcpu-list counts the context
#            thread's CPU time as vCPU 0's
#   hostile  user_hostile: every system call entry path ends in minnow;
#            jumps into the trampoline and minnow's code, writes to it
#   smp      user_smp: clone puts a second thread of one process on
#            vCPU 1, in the same context; they play ping-pong in shared
#            memory while vCPU 0 also runs a ticker; with one vCPU clone
#            is -EAGAIN
#   bomb     user_forkbomb: fork stops at minnow's process limit
#   hog      user_hog touches more memory than the domain has: it is
#            killed (SIGKILL, out of memory), the ticker and minnow go on
#   bad      bad input: a program not in the ramdisk, a file that is not
#            ELF, a dynamically linked ELF, a damaged ramdisk, none at all
#
# Runs in the QEMU test host (busybox sh, pvisor.ko loaded, pvctl and
# pvrun in PATH, minnow in /guest, the programs in /guest/user). TAP 13,
# the plan at the end.

GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
MINNOW=$GUEST_DIR/minnow.elf
USER_DIR=$GUEST_DIR/user
WAIT_TENTHS=1200
PREFIX=muser

. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/minnow_user.sh"

cleanup() {
	for d in sys traps spin cputime hostile smp smp1 bomb hog helper bad1 bad2 bad3; do
		pvctl destroy "$PREFIX-$d" >/dev/null 2>&1
	done
}

echo "TAP version 13"

need_tools pvctl pvrun cpio dd
[ -f "$MINNOW" ] || skip_all "no $MINNOW"
[ -f "$USER_DIR/user_sys.elf" ] || skip_all "no user programs in $USER_DIR"
need_module

# The ramdisk: every user program, plus a text file and a dynamic ELF.
mkdir "$tmp/rd"
cp "$USER_DIR"/*.elf "$tmp/rd/"
echo "not an executable" >"$tmp/rd/notelf.elf"
# A "dynamically linked" program: user_ticker with its first program
# header turned into PT_INTERP (e_phoff is 64 in these binaries).
cp "$USER_DIR/user_ticker.elf" "$tmp/rd/dynamic.elf"
printf '\003' | dd of="$tmp/rd/dynamic.elf" bs=1 seek=64 conv=notrunc 2>/dev/null
minnow_ramdisk "$tmp/progs.cpio" "$tmp/rd"
check "the ramdisk is a newc archive of the programs" \
	sh -c "[ -s '$tmp/progs.cpio' ] && head -c 6 '$tmp/progs.cpio' | grep -q 070701"

# boot NAME CMDLINE [RAMDISK [VCPUS]]: run minnow as $PREFIX-NAME until
# it stops; its console is left in $tmp/NAME.console and in $tmp/out.
boot() {
	rd=${3-$tmp/progs.cpio}
	run pvctl create --name "$PREFIX-$1" --memory 32M --vcpus "${4:-1}" \
		--kernel "$MINNOW" \
		${rd:+--ramdisk "$rd"} --cmdline "$2"
	created=$rc
	wait_stopped "$PREFIX-$1"
	rc=$((created + $?))
	check "$1: minnow starts and stops" status_is 0
	pvctl console "$PREFIX-$1" >"$tmp/$1.console" 2>&1
	cp "$tmp/$1.console" "$tmp/out"
}

# ran_clean NAME: it powered off after all its processes, with every
# page given back; then it is destroyed (stopped domains keep their
# memory, and the suite's other tests need theirs).
ran_clean() {
	run pvctl list
	check "$1: powered off" out_has "^ *[0-9]*  $PREFIX-$1  *shutdown(poweroff) "
	cp "$tmp/$1.console" "$tmp/out"
	check "$1: every process ended and every page came back" \
		out_has_line "minnow: usermode: all processes ended, 0 user pages and 0 pages not given back"
	pvctl destroy "$PREFIX-$1" >/dev/null 2>&1
}

# exited NAME PROG STATUS / killed NAME PROG SIGNAL: minnow's verdict.
exited() {
	cp "$tmp/$1.console" "$tmp/out"
	check "$1: $2 exited with status $3" \
		out_has "^minnow: pid [0-9]* ($2) exited with status $3$"
}
killed() {
	cp "$tmp/$1.console" "$tmp/out"
	check "$1: ${4:-$2} is killed by $3" \
		out_has "^minnow: pid [0-9]* ($2) killed by $3: "
}

# checks_passed NAME N: the programs' own checks, and N "done" lines
# each with no failure.
checks_passed() {
	guest_checks "$tmp/$1.console" "$1"
	cp "$tmp/$1.console" "$tmp/out"
	check "$1: $2 programs ran their checks to the end with no failure" \
		eval '[ "$(grep -c "^@@pvtest done [0-9]* 0$" "$tmp/out")" -eq '"$2"' ] &&
		      ! grep -q "^@@pvtest done [0-9]* [1-9]" "$tmp/out"'
}

# --- system calls, paging, COW, isolation ---------------------------------

boot sys "run=user_sys.elf run=user_iso.elf,a run=user_iso.elf,b"
checks_passed sys 3
exited sys user_sys.elf 0
exited sys user_iso.elf 0
check "sys: two user_iso processes ran" \
	eval '[ "$(grep -c "(user_iso.elf) exited with status 0" "$tmp/out")" -eq 2 ]'
check "sys: writes to fd 1 and fd 2 reach the console" \
	eval 'out_has_line "user_sys: line" && out_has_line "user_sys: err"'
ran_clean sys

# --- traps: the signal Linux sends, and everything else goes on -----------

TRAPS="de:SIGFPE int3:SIGTRAP into:SIGILL bound:SIGILL ud2:SIGILL
hlt:SIGSEGV cli:SIGSEGV noncanon:SIGSEGV kernel:SIGSEGV unmapped:SIGSEGV
null:SIGSEGV rocode:SIGSEGV nxstack:SIGSEGV"
cmd="run=user_ticker.elf,20"
for t in $TRAPS ac:SIGBUS; do
	cmd="$cmd run=user_trap.elf,${t%%:*}"
done
boot traps "$cmd"
# No process forks here: the pids follow the command line, ticker first.
pid=1
for t in $TRAPS; do
	pid=$((pid + 1))
	check "traps: ${t%%:*} kills its process with ${t#*:}" \
		grep -q "^minnow: pid $pid (user_trap.elf) killed by ${t#*:}: " "$tmp/traps.console"
done
if grep -q "^user_trap: survived ac$" "$tmp/traps.console"; then
	skip "traps: #AC kills with SIGBUS" "this CPU (TCG) does not raise #AC"
else
	killed traps user_trap.elf SIGBUS "a misaligned access with AC"
fi
check "traps: no trap was survived but #AC" \
	eval '! grep "^user_trap: survived" "$tmp/traps.console" | grep -qv "survived ac$"'
checks_passed traps 1
ran_clean traps

# --- preemption: a spinning process does not stop the others --------------

boot spin "run=user_spin.elf run=user_ticker.elf,5"
checks_passed spin 1
exited spin user_spin.elf 0
check "spin: the ticker finished while the spinner still spun" \
	sh -c "awk '/^user_spin: spinning/ { s = NR } /^@@pvtest done/ { d = NR } /^user_spin: done/ { e = NR }
		END { exit !(s && d && e && s < d && d < e) }' '$tmp/spin.console'"
ran_clean spin

# --- CPU time: a vCPU's includes its context thread's ---------------------
# While user_spin spins, the vCPU's runner thread waits in RUN_USER and the
# context thread burns the CPU: vcpu-list must count that time as the
# vCPU's. Sampled over 2 s of wall time (the test host's uptime); the
# spinner runs far longer. Less than 40% of the wall time would mean the
# context's time is not counted (the parked runner thread alone uses
# next to none).
cpu_ns() {
	pvctl vcpu-list --json "$PREFIX-cputime" 2>/dev/null |
		sed -n 's/.*"vcpu": 0, .*"cpu_time_ns": \([0-9]*\)}.*/\1/p'
}
uptime_ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }
run pvctl create --name "$PREFIX-cputime" --memory 32M --kernel "$MINNOW" \
	--ramdisk "$tmp/progs.cpio" --cmdline "run=user_spin.elf,1000000000000"
check "cputime: minnow starts user_spin" status_is 0
wait_for eval 'pvctl console "$PREFIX-cputime" 2>/dev/null | grep -q "^user_spin: spinning"'
rc=$?
check "cputime: user_spin spins" status_is 0
c0=$(cpu_ns)
w0=$(uptime_ms)
sleep 2
c1=$(cpu_ns)
w1=$(uptime_ms)
check "cputime: vCPU 0's CPU time grew by $(( (${c1:-0} - ${c0:-0}) / 1000000 )) ms in $((w1 - w0)) ms of spinning in user mode (at least 40%)" \
	eval '[ -n "$c0" ] && [ -n "$c1" ] && [ $(( (c1 - c0) / 1000000 * 10 )) -ge $(( (w1 - w0) * 4 )) ]'
pvctl destroy "$PREFIX-cputime" >/dev/null 2>&1

# --- hostile user code ------------------------------------------------------

boot hostile "run=user_hostile.elf run=user_hostile.elf,sysenter run=user_hostile.elf,vsyscall run=user_hostile.elf,trampoline run=user_hostile.elf,kernelcode run=user_hostile.elf,kernelwrite"
checks_passed hostile 1
# No process forks here: pid N is the Nth program of the command line.
check "hostile: sysenter comes back with -ENOSYS or ends in minnow" \
	eval 'out_has_line "user_hostile: sysenter returned -38" ||
	      out_has "^minnow: pid 2 (user_hostile.elf) killed by SIG"'
check "hostile: a vsyscall call comes back with -ENOSYS or is a SIGSEGV" \
	eval 'out_has_line "user_hostile: vsyscall returned -38" ||
	      out_has "^minnow: pid 3 (user_hostile.elf) killed by SIGSEGV: page fault .*address 0xffffffffff600000"'
pid=3
for what in trampoline kernelcode kernelwrite; do
	pid=$((pid + 1))
	check "hostile: $what ends the process, not minnow" \
		sh -c "grep -q '^minnow: pid $pid (user_hostile.elf) killed by SIG' '$tmp/hostile.console' &&
		       ! grep -q '^user_hostile: survived $what' '$tmp/hostile.console'"
done
ran_clean hostile

# --- one process on two vCPUs ----------------------------------------------

boot smp "run=user_smp.elf,2000 run=user_ticker.elf,3" "$tmp/progs.cpio" 2
check "smp: minnow brought vCPU 1 up" out_has "^minnow: usermode: .*, 2 vCPUs online$"
checks_passed smp 2
check "smp: the clone thread ran on vCPU 1 and took its own faults" \
	out_has "^minnow: pid 1 thread [0-9]* on vCPU 1 ended (exit): [1-9][0-9]* system calls, [1-9][0-9]* faults$"
exited smp user_smp.elf 0
ran_clean smp
boot smp1 "run=user_smp.elf,10"
check "smp: with one vCPU, clone is -EAGAIN" \
	out_has "^@@pvtest not ok 1 user_smp: clone(CLONE_VM|CLONE_THREAD) starts a thread (tid -11)$"
ran_clean smp1

# --- a fork bomb ----------------------------------------------------------

boot bomb "run=user_forkbomb.elf"
checks_passed bomb 1
exited bomb user_forkbomb.elf 0
ran_clean bomb

# --- a memory hog -----------------------------------------------------------

boot hog "run=user_ticker.elf,10 run=user_hog.elf,1024"
killed hog user_hog.elf SIGKILL "a process touching more memory than there is"
check "hog: the kill says why" out_has "^minnow: pid 2 (user_hog.elf) killed by SIGKILL: out of memory "
checks_passed hog 1
ran_clean hog

# --- the helper the benchmarks use (selftests/lib/minnow_user.sh) ---------

minnow_user_run "$PREFIX-helper" "$tmp/progs.cpio" "run=hello.elf,x,y" >"$tmp/out"
rc=$?
check "minnow_user_run: powered off, console on stdout, domain gone" \
	eval 'status_is 0 && out_has_line "argv[2] = y" && ! exists $PREFIX-helper'
MINNOW_WAIT_TENTHS=600 minnow_user_run "$PREFIX-helper" "$tmp/progs.cpio" \
	"run=user_trap.elf,ud2" >"$tmp/out"
rc=$?
check "minnow_user_run: a killed program still powers off" \
	eval 'status_is 0 && out_has "(user_trap.elf) killed by SIGILL"'

# --- bad input --------------------------------------------------------------

boot bad1 "run=nosuch.elf run=notelf.elf run=dynamic.elf run=user_ticker.elf,1"
check "bad: a program not in the ramdisk: -ENOENT" \
	out_has_line "minnow: usermode: cannot start nosuch.elf (-2)"
check "bad: a file that is not ELF: -ENOEXEC" \
	out_has_line "minnow: usermode: cannot start notelf.elf (-8)"
check "bad: a dynamically linked ELF: -ENOEXEC" \
	out_has_line "minnow: usermode: cannot start dynamic.elf (-8)"
exited bad1 user_ticker.elf 0
ran_clean bad1
head -c 4000 "$USER_DIR/user_sys.elf" >"$tmp/damaged.cpio"
boot bad2 "run=user_sys.elf" "$tmp/damaged.cpio"
check "bad: a ramdisk that is not an archive: -ENOEXEC" \
	out_has_line "minnow: usermode: cannot start user_sys.elf (-8)"
ran_clean bad2
boot bad3 "run=user_sys.elf" ""
check "bad: no ramdisk at all: -ENOEXEC" \
	out_has_line "minnow: usermode: cannot start user_sys.elf (-8)"
ran_clean bad3

cleanup
runners_gone
check "no runner is left" eval '! grep -q "[p]vrun" "$tmp/out"'
check "destroying them gives every frame back" accounting_is_baseline

finish
