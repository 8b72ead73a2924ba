#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A cgroup v2 per domain (userspace/lib/domcgroup.c): pvrun makes
# /sys/fs/cgroup/pvisor.slice/dom-ID and moves itself and its context
# factory into it. Checked with a busy minnow guest created from a
# config file with cpu_weight and cap:
#
# - every pvrun process of the domain is in the cgroup;
# - cpu.weight is the Xen weight * 100 / 256, cpu.max the cap in
#   microseconds per 100 ms, memory.max and pids.max as runner.rst says;
# - the cap is applied: the busy guest gets throttled (cpu.stat);
# - pvctl sched shows the weight and cap, changes them (and the cgroup's
#   files), and refuses bad values (exit 2), unknown domains and domains
#   without a runner (exit 1);
# - pvctl vcpu-pin pins one vCPU thread (Cpus_allowed_list), and
#   refuses a vCPU the domain has not, offline CPUs, bad lists and a
#   domain without a runner;
# - bad cpu_weight and cap values in a config are refused;
# - pvctl destroy removes the cgroup;
# - pids.max stops a guest fork bomb below minnow's own process limit:
#   the bomb's contexts are processes of the domain's cgroup, the guest
#   sees -EAGAIN, reaps its children and forks again, and the domain
#   powers off cleanly.
#
# TAP 13; helpers in ../lib/tap.sh.

D=/tmp/cgroup
P=cg-
GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
MINNOW=$GUEST_DIR/minnow.elf
SLICE=/sys/fs/cgroup/pvisor.slice

. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/minnow_user.sh"

cleanup() {
	for d in a b c; do
		pvctl destroy $P$d >/dev/null 2>&1
	done
}

# The pids of domain $1's pvrun processes, one a line.
pvrun_pids() {
	for p in /proc/[0-9]*; do
		tr '\0' ' ' <$p/cmdline 2>/dev/null |
			grep -q "^pvrun --domain $1 " && echo ${p#/proc/}
	done
}

# Is every pvrun process of domain $1 (at least two) in cgroup $2?
all_in() {
	n=0
	for p in $(pvrun_pids "$1"); do
		[ "$(cat /proc/$p/cgroup)" = "0::/pvisor.slice/dom-$1" ] || return 1
		n=$((n + 1))
	done
	[ $n -ge 2 ]
}

# The thread of domain $1's vCPU $2 (named pvrun-vcpu$2).
vcpu_tid() {
	for p in $(cat $SLICE/dom-$1/cgroup.procs); do
		for t in /proc/$p/task/*; do
			[ "$(cat $t/comm 2>/dev/null)" = "pvrun-vcpu$2" ] &&
				echo ${t##*/}
		done
	done
}

allowed() {
	awk '$1 == "Cpus_allowed_list:" { print $2 }' /proc/$1/status
}

throttled() {
	[ "$(awk '$1 == "nr_throttled" { print $2 }' $cg/cpu.stat)" -gt 0 ]
}

echo "TAP version 13"

need_tools pvctl pvrun
[ -f "$MINNOW" ] || skip_all "no $MINNOW"
need_module

# A kernel without cgroup v2 (the debug test kernel is one): a domain
# still runs, unisolated, unless its config asks for a weight or a cap.
if [ ! -f /sys/fs/cgroup/cgroup.controllers ]; then
	echo "# no cgroup v2 at /sys/fs/cgroup: the checks of a host without one"
	run pvctl create --name ${P}a --memory 16M --kernel "$MINNOW" --cmdline work=1000000
	check "without cgroup v2 a domain with the default weight and no cap starts" \
		eval 'status_is 0 && [ "$(state_of ${P}a)" = running ]'
	check "... and pvrun warns that it has no cgroup" \
		err_has "runs without a cgroup (no cgroup v2 hierarchy mounted"
	printf 'name = "%sb"\nmemory = 16\nkernel = "%s"\ncap = 10\n' $P "$MINNOW" >$tmp/b.cfg
	run pvctl create $tmp/b.cfg
	check "a domain with a cap does not start without cgroup v2, and says why" \
		eval 'status_is 1 && err_has "needed for a weight or cap"'
	check "... and is not left behind" eval '! exists ${P}b'
	run pvctl sched ${P}a --weight 512
	check "pvctl sched fails with a message" eval '! status_is 0 && [ -s "$tmp/err" ]'
	cleanup
	finish
fi
plan 35

mkdir -p $D
cleanup

printf 'name = "%sa"\nmemory = 16\nkernel = "%s"\ncmdline = "work=1000000"\nvcpus = 2\ncpu_weight = 512\ncap = 10\n' \
	$P "$MINNOW" >$D/a.cfg
run pvctl create $D/a.cfg
check "a busy guest with cpu_weight 512 and cap 10 starts" status_is 0
a=$(id_of ${P}a)
cg=$SLICE/dom-$a
check "its cgroup $cg exists" test -d $cg
check "... and holds the runner and the context factory" all_in $a
check "cpu.weight is 512 * 100 / 256 = 200" eval '[ "$(cat $cg/cpu.weight)" = 200 ]'
check "cpu.max is 10% of a CPU: 10000 per 100000 us" \
	eval '[ "$(cat $cg/cpu.max)" = "10000 100000" ]'
check "memory.max is 64 MiB + 16 MiB / 8" \
	eval '[ "$(cat $cg/memory.max)" = $(((64 << 20) + (16 << 20) / 8)) ]'
ctx=$(cat /sys/module/pvisor/parameters/max_contexts)
check "pids.max is 64 + (max_contexts + 1) * (vcpus + 1)" \
	eval '[ "$(cat $cg/pids.max)" = $((64 + (ctx + 1) * 3)) ]'
wait_for throttled
check "the cap is applied: the busy guest is throttled" throttled

run pvctl sched ${P}a
check "pvctl sched shows weight 512 and cap 10" \
	eval 'status_is 0 && out_has "^${P}a  *$a  *512  *10$"'
run pvctl sched ${P}a --weight 256 --cap 0
check "pvctl sched --weight 256 --cap 0" status_is 0
check "... cpu.weight 100, cpu.max unlimited" \
	eval '[ "$(cat $cg/cpu.weight)" = 100 ] && [ "$(cat $cg/cpu.max)" = "max 100000" ]'
run pvctl sched $a --cap 250
check "pvctl sched ID --cap 250 changes only the cap" \
	eval 'status_is 0 && [ "$(cat $cg/cpu.max)" = "250000 100000" ] && [ "$(cat $cg/cpu.weight)" = 100 ]'

online=$(cat /sys/devices/system/cpu/online)
run pvctl vcpu-pin ${P}a 1 0
t1=$(vcpu_tid $a 1)
check "pvctl vcpu-pin NAME 1 0 pins vCPU 1's thread to CPU 0" \
	eval 'status_is 0 && [ -n "$t1" ] && [ "$(allowed $t1)" = 0 ]'
run pvctl vcpu-pin $a 0 all
t0=$(vcpu_tid $a 0)
check "pvctl vcpu-pin ID 0 all: vCPU 0 may run on every CPU ($online)" \
	eval 'status_is 0 && [ -n "$t0" ] && [ "$(allowed $t0)" = "$online" ] && [ "$(allowed $t1)" = 0 ]'
run pvctl vcpu-pin ${P}a 2 0
check "a vCPU the domain has not: exit 1" eval 'status_is 1 && err_has "no vCPU 2"'
run pvctl vcpu-pin ${P}a 1 1000
check "only offline CPUs: exit 1" eval 'status_is 1 && err_has "online"'
run pvctl vcpu-pin ${P}a 1 0-x
check "a bad CPU list: usage error" eval 'status_is 2 && err_has "invalid CPU list"'

run pvctl sched ${P}a --weight 0
check "weight 0: usage error" eval 'status_is 2 && err_has "invalid weight"'
run pvctl sched ${P}a --weight 65536
check "weight 65536: usage error" eval 'status_is 2 && err_has "invalid weight"'
run pvctl sched ${P}a --cap 3201
check "cap 3201: usage error" eval 'status_is 2 && err_has "invalid cap"'
run pvctl sched ${P}a --cap -1
check "cap -1: usage error" eval 'status_is 2 && err_has "invalid cap"'
run pvctl sched ${P}nosuch
check "no such domain: exit 1" eval 'status_is 1 && err_has "no such domain"'
pvctl create --name ${P}b --memory 1M >/dev/null 2>&1
run pvctl sched ${P}b --weight 300
check "a domain without a runner has no cgroup: exit 1" \
	eval 'status_is 1 && err_has "no cgroup"'
run pvctl vcpu-pin ${P}b 0 0
check "... and no vCPU thread to pin: exit 1" \
	eval 'status_is 1 && err_has "has no thread"'

run pvctl create $D/a.cfg name=${P}c cpu_weight=65536
check "a config with cpu_weight 65536 is refused" \
	eval 'status_is 2 && err_has "cpu_weight" && ! pvctl list | grep -q "${P}c "'
run pvctl create $D/a.cfg name=${P}c cap=3201
check "a config with cap 3201 is refused" \
	eval 'status_is 2 && err_has "cap" && ! pvctl list | grep -q "${P}c "'

run pvctl destroy ${P}a
check "pvctl destroy removes the cgroup" eval 'status_is 0 && [ ! -e $cg ]'

# --- pids.max against a guest fork bomb -------------------------------------
# The bomb sleeps 3 s of guest time before its first fork: long enough to
# lower its domain's pids.max to two more than it holds. Each context of
# a 1-vCPU domain is one host process of one thread, so two forks succeed
# and the third meets the limit, well below minnow's own (15 children).
minnow_ramdisk $D/progs.cpio
run pvctl create --name ${P}c --memory 48M --kernel "$MINNOW" \
	--ramdisk $D/progs.cpio --cmdline "run=user_forkbomb.elf,200,3000"
check "a fork-bomb guest starts" status_is 0
c=$(id_of ${P}c)
ccg=$SLICE/dom-$c
held=$(cat $ccg/pids.current 2>/dev/null)
echo $((held + 2)) >$ccg/pids.max 2>/dev/null
check "its pids.max is lowered to pids.current + 2 ($held + 2)" \
	eval '[ "$(cat $ccg/pids.max)" = $((held + 2)) ]'
i=0
while [ $i -lt 1200 ]; do
	case "$(state_of ${P}c)" in shutdown*|crashed*) break ;; esac
	sleep 0.1
	i=$((i + 1))
done
check "the guest powers off once the bomb is over" \
	eval '[ "$(state_of ${P}c)" = "shutdown(poweroff)" ]'
pvctl console ${P}c >$tmp/out 2>&1
children=$(sed -n 's/^@@pvtest ok [0-9]* user_forkbomb: fork stops with -EAGAIN after \([0-9]*\) children.*/\1/p' $tmp/out)
check "the bomb met -EAGAIN after 1 or 2 children, not minnow's 15 (${children:-none})" \
	eval '[ -n "$children" ] && [ "$children" -ge 1 ] && [ "$children" -le 2 ]'
check "... and its own checks passed: it reaped them and forked again" \
	eval 'grep -q "^@@pvtest done 4 0$" $tmp/out'
check "the cgroup counted the refused forks (pids.events max > 0)" \
	eval '[ "$(awk '"'"'$1 == "max" { print $2 }'"'"' $ccg/pids.events)" -gt 0 ]'
run pvctl destroy ${P}c
check "pvctl destroy removes the fork bomb's cgroup" eval 'status_is 0 && [ ! -e $ccg ]'

cleanup
check "the accounting is back to the baseline" accounting_is_baseline
finish
