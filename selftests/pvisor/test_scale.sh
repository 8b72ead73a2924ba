#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Scale: PVISOR_SCALE_DOMAINS domains (1000 under make scale) running at
# once, each a store_idle guest created through pvisord with pvctl
# create, each writing /local/domain/ID/data/alive over its own xenstore
# ring and then blocking idle. All must be listed, alive and have
# answered; then all are destroyed and the module's accounting, the
# runners, the cgroups and the store come back to where they were.
#
# It needs a test host sized for it (about 2 MiB per domain besides the
# guest's own frames; Documentation/testing.rst, "make scale"), so
# without PVISOR_SCALE_DOMAINS, that is in make check's 1 GiB host, it
# skips. Prints the figures Documentation/performance.rst records
# ("Scale") as diagnostics: create and destroy time per domain and host
# memory per idle domain, in total and by part.
#
# Runs in the QEMU test host (busybox sh, pvisor.ko loaded, pvctl,
# pvisord, /guest/store_idle.elf). TAP 13. Helpers: ../lib/tap.sh.

D=/tmp/scale
P=sc-
GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
GUEST=$GUEST_DIR/store_idle.elf
N=${PVISOR_SCALE_DOMAINS:-}
# The guest's frames: store_idle needs its image, tables and the rings.
GUEST_MEMORY=${PVISOR_SCALE_GUEST_MEMORY:-2M}

. "$(dirname "$0")/../lib/tap.sh"

export PVISOR_STORE_SOCKET=$D/sock

cleanup() {
	[ -n "$N" ] || return
	i=1
	while [ $i -le "$N" ]; do
		pvctl destroy $P$i >/dev/null 2>&1
		i=$((i + 1))
	done
	pid=$(cat $D/pid 2>/dev/null)
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
}

# Hundredths of a second since boot.
now_cs() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }

# snapshot NAME: /proc/meminfo into $D/NAME, with what can be dropped
# (page cache, dentries) dropped first, so that only what stays is seen.
snapshot() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	cp /proc/meminfo "$D/$1"
}

# fell KEY FROM TO: how much meminfo's KEY went down from snapshot FROM
# to TO, in KiB; grew: up.
fell() {
	awk -v k="$1:" '$1 == k { v[FILENAME] = $2 }
		END { print v[ARGV[1]] - v[ARGV[2]] }' "$D/$2" "$D/$3"
}
grew() { fell "$1" "$3" "$2"; }

# pss PID...: their proportional set sizes together, in KiB (shared
# pages, such as pvrun's text, divided among those mapping them).
pss() {
	for p in "$@"; do
		awk '$1 == "Pss:" { print $2 }' /proc/$p/smaps_rollup 2>/dev/null
	done | awk '{ s += $1 } END { print s + 0 }'
}

runner_pids() { pidof pvrun; }

# Domains in the slice: the cgroups pvrun made.
cgroups() { ls -d /sys/fs/cgroup/pvisor.slice/dom-* 2>/dev/null | wc -l; }

# answered: every domain has written its key; the count missing in $missing.
answered() {
	missing=0
	for id in $(cat $D/ids); do
		[ "$(pvctl store read /local/domain/$id/data/alive 2>/dev/null)" = 1 ] ||
			missing=$((missing + 1))
	done
	[ $missing -eq 0 ]
}

# live COUNT: pvctl list shows COUNT domains named sc-*, none stopped.
live() {
	pvctl list >$D/list 2>/dev/null || return 1
	[ "$(awk -v p="$P" 'index($2, p) == 1' $D/list | wc -l)" -eq "$1" ] &&
		! awk -v p="$P" 'index($2, p) == 1 { print $3 }' $D/list |
			grep -q -e '^shutdown' -e '^crashed'
}

# per_domain N AMOUNT: AMOUNT spread over N domains, to a tenth.
per_domain() { awk -v n="$1" -v k="$2" 'BEGIN { printf "%.1f", k / n }'; }

echo "TAP version 13"
[ -n "$N" ] || skip_all "PVISOR_SCALE_DOMAINS unset: make scale runs it in a test host sized for it"
case "$N" in
''|*[!0-9]*|0) echo "Bail out! PVISOR_SCALE_DOMAINS must be a number of domains above 0, not '$N'"; exit 1 ;;
esac
need_tools pvctl pvisord pidof
need_module
[ -f "$GUEST" ] || skip_all "no $GUEST"
plan 10

rm -rf $D
mkdir -p $D
pvisord -s $D/sock -S $D/state -p $D/pid 2>$D/log
rc=$?
check "pvisord starts" status_is 0
daemon=$(cat $D/pid)

# The baseline, with pvisord running and no domain of ours.
snapshot before
daemon0=$(pss "$daemon")
cgroups0=$(cgroups)

t0=$(now_cs)
i=1
failed=0
: >$D/ids
while [ $i -le "$N" ]; do
	if pvctl create --name $P$i --memory "$GUEST_MEMORY" --kernel "$GUEST" \
		>$D/create.out 2>>$D/create.err; then
		sed -n 's/^created domain \([0-9]*\) .*/\1/p' $D/create.out >>$D/ids
	else
		failed=$((failed + 1))
	fi
	# Progress on the console, so that a slow host is seen to move.
	[ $((i % 100)) -eq 0 ] && echo "# $i created ($(( $(now_cs) - t0 )) cs)"
	i=$((i + 1))
done
t1=$(now_cs)
rc=0
[ $failed -eq 0 ] || { rc=1; sed 's/^/# /' $D/create.err | sort | uniq -c | head -n 5; }
check "pvctl create makes $N domains through pvisord ($failed failed)" \
	eval 'status_is 0 && [ "$(wc -l <$D/ids)" -eq "$N" ]'

wait_for answered
rc=$?
check "every domain wrote data/alive over its ring ($missing missing)" status_is 0
t2=$(now_cs)

wait_for live "$N"
rc=$?
check "all $N are listed and none has stopped" status_is 0

# Idle: the guests sleep on SCHEDOP_BLOCK with no timer.
sleep 2
snapshot idle
# shellcheck disable=SC2046 # one PID per word
runners=$(pss $(runner_pids))
daemon1=$(pss "$daemon")
# What each runner's uid claim reads (userspace/runner/uids.c): every
# process's status, once per create; its cost grows with the domains.
s0=$(now_cs)
cat /proc/[0-9]*/status >/dev/null 2>&1
scan=$(( ($(now_cs) - s0) * 10 ))
procs=$(ls -d /proc/[0-9]* | wc -l)
run pvctl info --json
frames=$(( $(json_field frames_used) - frames0 ))
cgroups1=$(cgroups)
check "each has a cgroup of its own ($((cgroups1 - cgroups0)) new)" \
	eval '[ $((cgroups1 - cgroups0)) -eq "$N" ]'

t3=$(now_cs)
i=1
failed=0
while [ $i -le "$N" ]; do
	pvctl destroy $P$i >/dev/null 2>>$D/destroy.err || failed=$((failed + 1))
	i=$((i + 1))
done
t4=$(now_cs)
rc=$failed
check "pvctl destroy removes all $N ($failed failed)" status_is 0

runners_gone
rc=$?
check "their runners exit" status_is 0
accounting_is_baseline
rc=$?
check "domains and frames are back to the baseline" status_is 0
wait_for eval '[ "$(cgroups)" -eq "$cgroups0" ]'
rc=$?
check "pvisord is alive and the cgroups are gone" \
	eval 'status_is 0 && alive "$daemon"'

snapshot after
daemon2=$(pss "$daemon")
# A removed memory cgroup lingers as a dying one while pages are still
# charged to it: counted, in case what stays below the baseline is theirs.
dying=$(awk '$1 == "nr_dying_descendants" { print $2 }' /sys/fs/cgroup/cgroup.stat)

# Back within a bound that does not grow with the domains: runs of 50
# and of 1000 domains left 10 to 45 MiB (pvisord's heap, the kernel's
# per-CPU and slab caches) below the baseline, so a leak of 64 KiB per
# domain at 1000 would show.
below=$(fell MemAvailable before after)
rc=0
[ "$below" -lt $((64 * 1024)) ] || rc=1
check "host memory is back within 64 MiB of the baseline ($below KiB below)" status_is 0

used=$(fell MemAvailable before idle)
grew_per_domain() { per_domain "$N" "$(grew "$1" before idle)"; }
echo "# scale: $N domains of $GUEST_MEMORY (store_idle.elf)"
echo "# scale: create: $(( (t1 - t0) * 10 )) ms in all, $(per_domain "$N" $(( (t1 - t0) * 10 ))) ms per domain; all answered $(( (t2 - t0) * 10 )) ms after the first create"
echo "# scale: destroy: $(( (t4 - t3) * 10 )) ms in all, $(per_domain "$N" $(( (t4 - t3) * 10 ))) ms per domain"
echo "# scale: host memory (MemAvailable): $used KiB in all, $(per_domain "$N" $used) KiB per idle domain"
echo "# scale: of which guest frames $(per_domain "$N" $((frames * 4))), runners' PSS $(per_domain "$N" "$runners"), page tables $(grew_per_domain PageTables), kernel stacks $(grew_per_domain KernelStack), unreclaimable slab $(grew_per_domain SUnreclaim), per-CPU $(grew_per_domain Percpu), pvisord's PSS $(per_domain "$N" $((daemon1 - daemon0))) KiB per domain"
echo "# scale: reading all $procs processes' /proc/PID/status at full load: $scan ms"
echo "# scale: MemAvailable after destroy: $below KiB below the baseline (per-CPU $(grew Percpu before after) KiB, pvisord's PSS $((daemon2 - daemon0)) KiB more; $dying dying cgroups)"
finish
