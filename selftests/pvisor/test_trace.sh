#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# pvisor's tracepoints (kmod/trace.h; Documentation/control-plane.rst,
# "Counters and tracepoints"), read through tracefs: the four events
# exist in the "pvisor" system with their fields, and a guest that sends
# events to itself (events.elf: 1000 loop-back sends) leaves hypercall,
# send, delivery and fault records naming its domain, with as many send
# records as its EVENTS_SENT counter went up. Skipped where the test
# host has no tracefs.
#
# Runs in the QEMU test host (busybox sh, pvisor.ko loaded, pvctl in
# PATH). TAP 13. Helpers: ../lib/tap.sh.

P=trace-
GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
GUEST=$GUEST_DIR/events.elf

. "$(dirname "$0")/../lib/tap.sh"

T=
for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
	[ -e $d/trace ] && T=$d && break
done
if [ -z "$T" ] && mkdir -p /sys/kernel/tracing 2>/dev/null &&
	mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null; then
	T=/sys/kernel/tracing
fi

cleanup() {
	[ -n "$T" ] && [ -e $T/events/pvisor/enable ] &&
		echo 0 >$T/events/pvisor/enable
	pvctl destroy ${P}g >/dev/null 2>&1
}

echo "TAP version 13"
need_tools pvctl
need_module
[ -n "$T" ] || skip_all "no tracefs in this test host"
[ -f "$GUEST" ] || skip_all "no $GUEST"

for e in pvisor_hypercall pvisor_evtchn_send pvisor_evtchn_deliver pvisor_fault; do
	check "tracefs has pvisor:$e" test -e $T/events/pvisor/$e/enable
done
run cat $T/events/pvisor/pvisor_evtchn_send/format
check "pvisor_evtchn_send's fields: domid, port, remote_domid, remote_port" \
	eval 'out_has "field:u32 domid;" && out_has "field:u32 remote_domid;" && out_has "field:u32 remote_port;"'

echo 0 >$T/tracing_on
echo >$T/trace
echo 1 >$T/events/pvisor/enable
echo 1 >$T/tracing_on
run pvctl create --name ${P}g --memory 16M --kernel "$GUEST"
check "the events guest starts" status_is 0
wait_stopped ${P}g
rc=$?
check "... and stops" status_is 0
echo 0 >$T/tracing_on
echo 0 >$T/events/pvisor/enable
id=$(pvctl list | awk -v n=${P}g '$2 == n { print $1 }')
cat $T/trace >$tmp/trace
cp $tmp/trace $tmp/out

check "hypercall records name its domain" \
	grep -q "pvisor_hypercall: dom=$id vcpu=0 nr=" $tmp/trace
check "event send records name its domain" \
	grep -q "pvisor_evtchn_send: dom=$id port=[0-9]* to dom=$id port=" $tmp/trace
check "delivery records name its domain" \
	grep -q "pvisor_evtchn_deliver: dom=$id port=[0-9]* vcpu=" $tmp/trace
check "fault records name its domain" \
	grep -q "pvisor_fault: dom=$id address=0x1000[0-9a-f]* " $tmp/trace
sends=$(grep -c "pvisor_evtchn_send: dom=$id " $tmp/trace)
run pvctl top --json --iterations 1 --delay 0.1
counted=$(sed -n "s/.*\"name\": \"${P}g\", [^}]*\"events_sent\": \([0-9]*\).*/\1/p" $tmp/out)
check "as many send records ($sends) as its EVENTS_SENT counter ($counted), at least 1000" \
	eval '[ "$sends" -ge 1000 ] && [ "$sends" = "$counted" ]'
cleanup
finish
