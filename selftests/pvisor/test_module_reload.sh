#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Unloading pvisor.ko with domains present destroys them and gives their
# memory back to the host; loading it again starts from nothing. Also:
# the module cannot be unloaded while /dev/pvisor is open.
#
# Runs in the QEMU test host (busybox sh) with the module loaded,
# $PVISOR_KO naming its file and pvctl in PATH. TAP 13; exits 0 when
# every check passed, 1 otherwise, 4 when a prerequisite is missing.
# The module is left loaded with the parameters it had.

ROUNDS=3
DOMAINS=3
DOMAIN_MIB=32
SLACK_KIB=$((8 * 1024))
PLAN=$((ROUNDS * 8 + 4))

SYSFS=/sys/class/misc/pvisor
PARAMS=/sys/module/pvisor/parameters
PREFIX=reload-

count=0
failures=0

ok() {
	count=$((count + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $count $2"
	else
		echo "not ok $count $2"
		failures=$((failures + 1))
	fi
}

diag() {
	echo "# $*"
}

skip_all() {
	echo "TAP version 13"
	echo "1..0 # SKIP $*"
	exit 4
}

# MemAvailable leaves out the pages parked in the per-cpu free lists, and
# a freshly freed domain's frames can sit there by the tens of MiB: count
# them back in (/proc/zoneinfo, "count:" of every pageset).
mem_available_kib() {
	avail=$(sed -n 's/^MemAvailable: *\([0-9]*\) kB$/\1/p' /proc/meminfo)
	pcp=$(awk '/^ *count:/ { n += $2 } END { print n * 4 }' /proc/zoneinfo)
	echo $((avail + pcp))
}

# MemAvailable after the round, settled: rmmod's frees can finish after
# it returns (RCU callbacks, deferred vfree), and whatever else the test
# host does meanwhile moves the figure by some MiB. Drop clean caches and
# look again for up to 5 s; a real leak stays short whatever the wait.
mem_back_kib() {
	tries=0
	while :; do
		sync
		echo 3 >/proc/sys/vm/drop_caches 2>/dev/null
		now=$(mem_available_kib)
		if [ $((before - now)) -le $SLACK_KIB ] || [ $tries -ge 5 ]; then
			echo "$now"
			return
		fi
		tries=$((tries + 1))
		sleep 1
	done
}

# One number from pvctl info --json.
info_field() {
	pvctl info --json 2>/dev/null |
		sed -n "s/.*\"$1\": *\([0-9]*\).*/\1/p"
}

loaded() {
	[ -d /sys/module/pvisor ]
}

load() {
	insmod "$PVISOR_KO" max_domains="$orig_max_domains" \
		max_memory_mb="$orig_max_memory_mb"
}

cleanup() {
	if ! loaded; then
		load || echo "# could not load the module again"
	fi
	i=0
	while [ $i -lt $DOMAINS ]; do
		pvctl destroy "$PREFIX$i" >/dev/null 2>&1
		i=$((i + 1))
	done
	pvctl destroy "${PREFIX}held" >/dev/null 2>&1
}

if [ -z "$PVISOR_KO" ] || [ ! -r "$PVISOR_KO" ]; then
	skip_all "PVISOR_KO does not name the module file"
fi
command -v pvctl >/dev/null || skip_all "pvctl is not in PATH"
loaded || skip_all "the pvisor module is not loaded"
[ "$(cat $SYSFS/domains)" = 0 ] ||
	skip_all "domains exist; unloading would destroy them"

orig_max_domains=$(cat $PARAMS/max_domains)
orig_max_memory_mb=$(cat $PARAMS/max_memory_mb)
trap cleanup EXIT

echo "TAP version 13"
echo "1..$PLAN"

frames_per_domain=$((DOMAIN_MIB * 1024 / 4))
round=1
while [ $round -le $ROUNDS ]; do
	sync
	echo 3 >/proc/sys/vm/drop_caches 2>/dev/null
	before=$(mem_available_kib)

	status=0
	i=0
	while [ $i -lt $DOMAINS ]; do
		pvctl create --name "$PREFIX$i" --memory "${DOMAIN_MIB}M" \
			>/dev/null || status=1
		i=$((i + 1))
	done
	ok $status "round $round: create $DOMAINS domains of $DOMAIN_MIB MiB"

	domains=$(cat $SYSFS/domains)
	frames=$(cat $SYSFS/frames_used)
	info_domains=$(info_field domains)
	[ "$domains" = $DOMAINS ] && [ "$info_domains" = $DOMAINS ] &&
		[ "$frames" = $((DOMAINS * frames_per_domain)) ]
	ok $? "round $round: sysfs and pvctl info count them ($domains, $info_domains domains, $frames frames)"

	during=$(mem_available_kib)
	[ $((before - during)) -ge $((DOMAINS * DOMAIN_MIB * 1024 - SLACK_KIB)) ]
	ok $? "round $round: MemAvailable fell by $((before - during)) KiB"

	rmmod pvisor
	ok $? "round $round: rmmod pvisor with the domains present"

	! loaded && [ ! -e /dev/pvisor ] && [ ! -e $SYSFS ]
	ok $? "round $round: the module, /dev/pvisor and its sysfs directory are gone"

	after=$(mem_back_kib)
	[ $((before - after)) -le $SLACK_KIB ]
	ok $? "round $round: MemAvailable is back ($before KiB before, $after after)"

	load
	ok $? "round $round: insmod \$PVISOR_KO again"

	info_domains=$(info_field domains)
	info_frames=$(info_field frames_used)
	[ "$info_domains" = 0 ] && [ "$info_frames" = 0 ] &&
		[ "$(cat $SYSFS/domains 2>/dev/null)" = 0 ] &&
		[ "$(cat $SYSFS/frames_used 2>/dev/null)" = 0 ]
	ok $? "round $round: pvctl info shows 0 domains and 0 frames ($info_domains, $info_frames)"

	round=$((round + 1))
done

# An open /dev/pvisor pins the module (and with it the domains).
pvctl create --name "${PREFIX}held" --memory 64K >/dev/null
exec 3</dev/pvisor
rmmod pvisor 2>/dev/null
status=$?
loaded && [ "$(cat $SYSFS/domains)" = 1 ]
still=$?
exec 3<&-
[ $status -ne 0 ]
ok $? "rmmod is refused while /dev/pvisor is open"
ok $still "the module and its domain survive the attempt"
pvctl destroy "${PREFIX}held" >/dev/null

# Grant-table limits out of range refuse the load.
rmmod pvisor
refused=0
for bad in max_grant_frames=0 max_grant_frames=65 max_grant_maps=0 \
	   max_grant_maps=65537; do
	if insmod "$PVISOR_KO" "$bad" 2>/dev/null; then
		echo "# insmod with $bad was accepted"
		rmmod pvisor
	else
		refused=$((refused + 1))
	fi
done
load
[ $refused -eq 4 ] && loaded
ok $? "insmod refuses grant limits out of range ($refused of 4), then loads"

[ "$(cat $PARAMS/max_domains)" = "$orig_max_domains" ] &&
	[ "$(cat $PARAMS/max_memory_mb)" = "$orig_max_memory_mb" ] &&
	[ "$(cat $SYSFS/domains)" = 0 ]
ok $? "the module is loaded with its original parameters and no domains"

echo "# totals: pass:$((count - failures)) fail:$failures"
[ $count -eq $PLAN ] || {
	echo "# planned $PLAN checks but ran $count"
	exit 1
}
[ $failures -eq 0 ]
