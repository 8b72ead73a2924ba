#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The isolation benchmark (Documentation/performance.rst, "Isolation"):
# how much of the CPU a victim domain keeps beside noisy ones, every
# domain pinned to the same host CPU, each in its cgroup (cpu.weight
# from pvctl sched):
#
#   alone     the victim's CPU-loop throughput by itself (first and
#             last, averaged)
#   noisy     the same beside one domain of each noisy kind (CPU hog,
#             hypercall storm, timer storm, fault storm, console flood),
#             all of equal weight (and beside each kind alone, for
#             which costs what). Its fair share is 1/(N+1) of the
#             alone figure with N noisy domains: what it gets when each
#             of the N+1 takes an equal slice of the one CPU. Target: at
#             least 95% of that share.
#   weighted  two victims side by side, of Xen weights 512 and 256:
#             their throughputs' ratio, target 2 within 5%.
#
# Runs in the QEMU test host (pvisor.ko loaded, pvctl in PATH), from
# build/benchmarks/out (the test host's /benchmarks); make bench calls it
# from run-bench.sh. It prints figures and exits 0 whether or not a
# target is met; 1 only when a figure could not be measured.
# PVISOR_ISO_SECONDS sets each victim's counting window (default 6).

dir=$(cd "$(dirname "$0")" && pwd)
GUEST=$dir/guest/noisy.elf
WINDOW=${PVISOR_ISO_SECONDS:-6}
MEMORY=4M
NOISE="hog hcall timer fault console"
P=iso-
# The victims count after a lead of 2 s; twice the whole as a hang bound.
WAIT_TENTHS=$(( (WINDOW + 2) * 20 + 100 ))

# Every domain on the last CPU, as run-bench.sh pins its figures (the
# runner inherits pvctl's affinity); this script's own polling on CPU 0,
# so that it does not compete. One CPU: nothing to pin.
last=$(( $(grep -c '^processor' /proc/cpuinfo) - 1 ))
PIN=
AUX=
[ "$last" -eq 0 ] || { PIN="taskset $(printf %x $((1 << last)))"; AUX="taskset 1"; }

broken=0

# start NAME CMDLINE: domain iso-NAME running the noisy guest.
start() {
	if ! $PIN pvctl create --name "$P$1" --memory $MEMORY --kernel "$GUEST" \
		--cmdline "$2" >/dev/null 2>/tmp/iso.err; then
		echo "# isolation: cannot start $P$1: $(cat /tmp/iso.err)"
		broken=1
	fi
}

# still_noisy KIND...: each noise domain still runs (one that stopped
# would hand the victim its share and flatter the figure).
still_noisy() {
	for kind in "$@"; do
		state=$($AUX pvctl list 2>/dev/null | awk -v n="$P$kind" '$2 == n { print $3 }')
		[ "$state" = running ] && continue
		echo "# isolation: noise domain $P$kind is not running ($state): $($AUX pvctl console "$P$kind" 2>&1 | tail -n 2)"
		broken=1
	done
}

# usage NAME: the CPU time of domain NAME's cgroup so far, in µs.
usage() {
	id=$($AUX pvctl list 2>/dev/null | awk -v n="$1" '$2 == n { print $1 }')
	awk '$1 == "usage_usec" { print $2 }' \
		"/sys/fs/cgroup/pvisor.slice/dom-$id/cpu.stat" 2>/dev/null
}

# cpu_share VICTIM OTHER...: the victim's part, in percent, of the CPU
# time all of them used over 3 s inside its counting window, from their
# cgroups: unlike the throughput against the alone figure, it does not
# move with the host's own speed.
cpu_share() {
	sleep 3
	for d in "$@"; do usage "$P$d"; done >/tmp/iso.u0
	sleep 3
	for d in "$@"; do usage "$P$d"; done >/tmp/iso.u1
	awk 'NR == FNR { before[FNR] = $1; next }
		{ d = $1 - before[FNR]; if (FNR == 1) v = d; all += d }
		END { if (all > 0) printf "%.1f\n", 100 * v / all }' /tmp/iso.u0 /tmp/iso.u1
}

destroy_all() {
	$AUX pvctl list 2>/dev/null | awk -v p="$P" 'index($2, p) == 1 { print $2 }' |
		while read -r name; do
			pvctl destroy "$name" >/dev/null 2>&1
		done
}

# rate NAME: the victim's chunks per second, once it has printed them;
# nothing if it never does (it runs in a command substitution, so the
# caller judges the empty answer).
rate() {
	i=0
	while [ $i -lt $WAIT_TENTHS ]; do
		line=$($AUX pvctl console "$P$1" 2>/dev/null | grep '^@@iso ' | head -n 1)
		if [ -n "$line" ]; then
			echo "$line" | awk '{ printf "%.1f\n", $3 * 1e9 / $5 }'
			return
		fi
		sleep 0.1
		i=$((i + 1))
	done
	echo "# isolation: $P$1 printed no figure (state: $($AUX pvctl list | awk -v n="$P$1" '$2 == n { print $3 }'))" >&2
}

if [ ! -f "$GUEST" ]; then
	echo "isolation.sh: no $GUEST (make -C benchmarks builds it)" >&2
	exit 1
fi
destroy_all

# The alone figure is taken first and last, and averaged: on a shared
# machine the host's own speed drifts over the run.
start alone ""
alone_first=$(rate alone)
destroy_all

n=0
for kind in $NOISE; do
	start "$kind" "$kind=1"
	n=$((n + 1))
done
start victim ""
# shellcheck disable=SC2086 # one kind per word
noisy_cpu=$(cpu_share victim $NOISE)
noisy=$(rate victim)
# shellcheck disable=SC2086 # one kind per word
still_noisy $NOISE
destroy_all

# Which kind costs the victim what: beside each alone, a fair share of
# half. Figures only, "KIND RATE" lines.
: >/tmp/iso.kinds
for kind in $NOISE; do
	start "$kind" "$kind=1"
	start victim ""
	c=$(cpu_share victim "$kind")
	r=$(rate victim)
	[ -n "$r" ] || broken=1
	still_noisy "$kind"
	echo "$kind $r $c" >>/tmp/iso.kinds
	destroy_all
done

start heavy ""
start light ""
pvctl sched "${P}heavy" --weight 512 >/dev/null || broken=1
pvctl sched "${P}light" --weight 256 >/dev/null || broken=1
weighted_cpu=$(cpu_share heavy light)
heavy=$(rate heavy)
light=$(rate light)
destroy_all

start alone ""
alone_last=$(rate alone)
destroy_all
alone=
[ -n "$alone_first" ] && [ -n "$alone_last" ] &&
	alone=$(awk -v a="$alone_first" -v b="$alone_last" 'BEGIN { printf "%.1f\n", (a + b) / 2 }')

if [ $broken -ne 0 ] || [ -z "$alone" ] || [ -z "$noisy" ] ||
   [ -z "$heavy" ] || [ -z "$light" ]; then
	echo "# isolation: some figures were not measured"
	exit 1
fi
awk -v alone="$alone" -v first="$alone_first" -v last="$alone_last" -v noisy="$noisy" -v n="$n" -v heavy="$heavy" \
	-v light="$light" -v noisy_cpu="$noisy_cpu" -v weighted_cpu="$weighted_cpu" -v window="$WINDOW" -v pin="${PIN:-unpinned}" 'BEGIN {
	fair = alone / (n + 1)
	share = 100 * noisy / fair
	ratio = heavy / light
	off = 100 * (ratio / 2 - 1)
	printf "isolation: noisy.elf domains on one CPU (%s), %d s windows, chunks of the CPU loop per second\n", pin, window
	printf "  %-44s %10.1f  (first %.1f, last %.1f)\n", "victim alone", alone, first, last
	printf "  %-44s %10.1f  fair share %.1f (1/%d)\n", "victim beside " n " noisy domains, equal weights", noisy, fair, n + 1
	printf "  %-44s %9.1f%%  target >= 95%%: %s\n", "  of its fair share", share, (share >= 95) ? "met" : "missed"
	printf "  %-44s %9s%%  of the CPU the six used (fair %.1f%%)\n", "  by cpu.stat", noisy_cpu, 100 / (n + 1)
	while ((getline line < "/tmp/iso.kinds") > 0) {
		split(line, f, " ")
		printf "  %-44s %10.1f  %5.1f%% of its fair share (1/2); cpu.stat %s%%\n", "victim beside one " f[1] " domain", f[2], 100 * f[2] / (alone / 2), f[3]
	}
	printf "  %-44s %10.1f\n", "weight 512 victim beside a weight 256 one", heavy
	printf "  %-44s %10.1f\n", "weight 256 victim", light
	printf "  %-44s %10.3f  target 2 +- 5%% (%+.1f%%): %s\n", "  ratio", ratio, off, (off <= 5 && off >= -5) ? "met" : "missed"
	printf "  %-44s %9s%%  of the CPU the pair used (2:1 is 66.7%%)\n", "  weight 512, by cpu.stat", weighted_cpu
}'
