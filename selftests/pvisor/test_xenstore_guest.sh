#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guests' xenstore rings (Documentation/xenstore.rst, "Guest rings"). A
# minnow guest with xenstore=1 talks to pvisord over its ring: a guest
# write seen by pvctl store, a Domain0 write read by the guest, a watch
# firing in the guest, permission denials for Domain0's entries and
# another domain's (peer=ID); then it
# answers pings (data/ping -> data/pong) until told to stop. While it
# does, hostile minnows break the ring protocol (xenstore=2: req_prod far
# ahead; 3: a 1 MiB header; 4: a flood with replies unread; 5: garbage
# headers) and after each pvisord must still serve the first guest and
# the socket; the first two are disconnected, with a log line. A sixth
# keeps its ring full while reading every reply (xenstore=6): pvisord
# serves it, the other guest and the socket, and its state file still
# takes a Domain0 write while the flood goes on. Last,
# pvisord restarts and serves the running guest's ring again.
#
# Runs in the QEMU test host (busybox sh, pvisor.ko loaded, pvctl and
# pvisord in PATH). TAP 13. Helpers: ../lib/tap.sh.

D=/tmp/xsg
P=xsg-
GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
MINNOW=$GUEST_DIR/minnow.elf

. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/pvisord.sh"

export PVISOR_STORE_SOCKET=$D/sock

start() { pvisord_start $D $D/log; }
daemon_pid() { cat $D/pid 2>/dev/null; }

stop() {
	pid=$(daemon_pid)
	[ -n "$pid" ] || return 1
	kill -"$1" "$pid" 2>/dev/null
	wait_for eval '! kill -0 "$pid" 2>/dev/null'
}

cleanup() {
	for d in a peer h2 h3 h4 h5; do
		pvctl destroy $P$d >/dev/null 2>&1
	done
	stop KILL >/dev/null 2>&1
}

# reads PATH VALUE: PATH reads VALUE now.
reads() { [ "$(pvctl store read "$1" 2>/dev/null)" = "$2" ]; }

# ping N: write data/ping=N for guest a, wait for its pong.
ping_a() {
	pvctl store write /local/domain/$a/data/ping "$1" &&
		wait_for reads /local/domain/$a/data/pong "$1"
}

echo "TAP version 13"
need_tools pvctl pvisord
need_module
[ -f "$MINNOW" ] || skip_all "no $MINNOW"
rm -rf $D
mkdir -p $D
cleanup

run start
check "pvisord starts in the foreground" status_is 0

pvctl create --name ${P}peer --memory 1M >/dev/null
peer=$(id_of ${P}peer)
run pvctl create --name ${P}a --memory 16M --kernel "$MINNOW" \
	--cmdline "xenstore=1 peer=$peer"
a=$(id_of ${P}a)
check "a guest with xenstore=1 starts" eval 'status_is 0 && [ -n "$a" ]'
check "the guest says it is ready, over its ring" \
	wait_for reads /local/domain/$a/data/ready 1
run pvctl evtchn-list ${P}a
check "its store port is bound to Domain0 (peer 0:0)" \
	out_has "interdomain  *[0-9]*  *0:0 "
run pvctl store read /local/domain/$a/data/guest-key
check "a guest's write of a relative path is seen by pvctl store read" \
	eval 'status_is 0 && out_has_line from-guest'
run pvctl store read /local/domain/0/data/intruder
check "... its writes to Domain0's entries were refused" \
	eval 'status_is 1 && err_has ENOENT'
run pvctl store read /local/domain/$peer/data/intruder
check "... and to another domain's" eval 'status_is 1 && err_has ENOENT'
run pvctl store write /local/domain/$a/data/host-key from-dom0
check "Domain0 writes a key the guest watches" status_is 0
check "the guest read Domain0's value after its watch fired" \
	wait_for reads /local/domain/$a/data/host-seen from-dom0
check "the guest answers a ping" ping_a 1

# Hostile guests, one after the other, the first guest alive throughout.
for m in 2 3 4 5; do
	case $m in
	2) what="a req_prod far beyond req_cons" ;;
	3) what="a header of 1 MiB" ;;
	4) what="a flood, replies unread" ;;
	5) what="garbage headers" ;;
	esac
	run pvctl create --name ${P}h$m --memory 16M --kernel "$MINNOW" \
		--cmdline xenstore=$m
	h=$(id_of ${P}h$m)
	wait_stopped ${P}h$m
	rc=$((rc + $?))
	check "hostile guest ($what) runs and stops" status_is 0
	pvctl console ${P}h$m >$tmp/h$m.console 2>&1
	cp $tmp/h$m.console $tmp/out
	if [ $m -le 3 ]; then
		check "... pvisord disconnected it, saying why" \
			eval 'out_has "hostile mode $m done" && grep -q "ring of domain $h: broke the xenstore ring protocol" $D/log'
	else
		check "... it was served until it stopped (not disconnected)" \
			eval 'out_has "hostile mode $m done" && ! grep -q "ring of domain $h: broke" $D/log'
	fi
	check "... pvisord still serves the other guest's ring" ping_a "after-$m"
	run pvctl store read /local/domain/$a/data/guest-key
	check "... and the socket" eval 'status_is 0 && out_has_line from-guest'
	pvctl destroy ${P}h$m >/dev/null 2>&1
done
# A guest that keeps its ring full and reads every reply always has a
# request waiting when a round ends: pvisord must serve it and still save
# Domain0's changes to its state file, not wait for the ring to go quiet.
flooded() {
	pvctl console ${P}h6 2>/dev/null |
		sed -n 's/^minnow: xenstore: flooding, \([0-9]*\) requests$/\1/p' | tail -n 1
}
run pvctl create --name ${P}h6 --memory 16M --kernel "$MINNOW" --cmdline xenstore=6
check "a guest flooding its ring, every reply read, starts" status_is 0
wait_for eval '[ -n "$(flooded)" ]'
rc=$?
check "... and floods" status_is 0
run pvctl store write /local/domain/$a/data/saved-in-flood yes
check "Domain0 writes a key during the flood" status_is 0
wait_for grep -q "^N /local/domain/$a/data/saved-in-flood " $D/state
rc=$?
check "... the state file has it while the flood goes on" \
	eval 'status_is 0 && [ "$(state_of ${P}h6)" = running ]'
n6=$(flooded)
wait_for eval '[ "$(flooded)" -gt "${n6:-0}" ]'
rc=$?
check "... which pvisord serves on (past $n6 requests)" status_is 0
check "... and the other guest's ring too" ping_a during-flood
pvctl destroy ${P}h6 >/dev/null 2>&1
check "pvisord is still the same process" alive "$(daemon_pid)"

# A restart: the running guest's ring is served again.
run stop TERM
check "pvisord stops" status_is 0
run start
check "pvisord starts again" status_is 0
check "it serves the running guest's ring again" ping_a after-restart
check "... and says so in its log" \
	eval '[ "$(grep -c "ring of domain $a: serving xenstore" $D/log)" -eq 2 ]'

pvctl store write /local/domain/$a/data/ping stop
wait_stopped ${P}a
rc=$?
check "the first guest stops when told" status_is 0
pvctl console ${P}a >$tmp/a.console 2>&1
guest_checks $tmp/a.console "guest"
cp $tmp/a.console $tmp/out
check "the guest ran its checks to the end" \
	eval '[ $guest_checks -ge 18 ] && out_has_line "@@pvtest done $guest_checks 0"'
[ "$failures" -eq 0 ] || sed 's/^/# pvisord: /' $D/log
pvctl destroy ${P}a >/dev/null 2>&1
pvctl destroy ${P}peer >/dev/null 2>&1
check "accounting is back to the baseline" accounting_is_baseline
finish
