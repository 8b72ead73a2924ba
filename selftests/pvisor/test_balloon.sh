#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Ballooning (Documentation/ballooning.rst) from minnow, through the real
# runner (pvrun):
#
#   balloon.elf   the guest side (guest-port/tests/balloon.c): the
#                 reservation queries, bad requests refused with nothing
#                 lost (extent_order, flags, domid, nr_extents, unaligned
#                 and out-of-window lists, pfns out of range, duplicated,
#                 page tables, a grant-table frame), 16 pages down and
#                 up again (each faults while given back and returns
#                 zeroed), 1000 down/up cycles back to the maximum, then
#                 8 pages left given back. Its @@pvtest lines become TAP
#                 lines here.
#
# Here, the host's side: the stopped domain's frames as netlink reports
# them, and the module's frames_used, exact to the frame; destroying it
# returns everything. Then pvctl mem-set, with a pvisord of its own: the
# target lands in xenstore in KiB, and bad targets are refused.
#
# Runs in the QEMU test host (busybox sh, pvisor.ko loaded, pvctl and
# pvrun in PATH, the guests in /guest). TAP 13, the plan at the end.

GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
WAIT_TENTHS=1800
PREFIX=gbal
PAGES=4096	# boot_guest's 16M
KEEP=8

. "$(dirname "$0")/../lib/tap.sh"

D=/tmp/balloon
export PVISOR_STORE_SOCKET=$D/sock

stop_pvisord() {
	pid=$(cat $D/pid 2>/dev/null)
	[ -n "$pid" ] || return 0
	kill -TERM "$pid"
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	rm -f $D/pid
}

cleanup() {
	pvctl destroy "$PREFIX-balloon" >/dev/null 2>&1
	pvctl destroy "$PREFIX-target" >/dev/null 2>&1
	stop_pvisord
	rm -rf $D
}

# The JSON object of domain $1 from "pvctl list --json", alone in $tmp/out.
domain_json() {
	run sh -c "pvctl list --json | tr '{' '\n' | grep '\"name\": \"$1\"'"
}

echo "TAP version 13"

need_tools pvctl pvrun
[ -f "$GUEST_DIR/balloon.elf" ] || skip_all "no $GUEST_DIR/balloon.elf"
need_module

boot_guest balloon --cmdline "balloon=16 cycles=1000 keep=$KEEP"
guest_ran_to_end balloon 29
check "balloon: reports what it kept given back" \
	out_has_line "@@balloon kept $KEEP current=$((PAGES - KEEP)) max=$PAGES"

domain_json "$PREFIX-balloon"
check "netlink: the domain owns $((PAGES - KEEP)) frames now" \
	eval '[ "$(json_field frames)" -eq $((PAGES - KEEP)) ]'
check "netlink: its maximum is still $PAGES frames" \
	eval '[ "$(json_field memory_bytes)" -eq $((PAGES * 4096)) ]'
run pvctl info --json
check "frames_used counts exactly the frames it kept" \
	eval '[ "$(json_field frames_used)" -eq $((frames0 + PAGES - KEEP)) ]'

runners_gone
cleanup
check "destroying it gives every frame back" accounting_is_baseline

need_tools pvisord
mkdir -p $D
run pvisord -s $D/sock -S $D/state -p $D/pid
check "pvisord starts" status_is 0
run pvctl create --name "$PREFIX-target" --memory 8M
id=$(pvctl list | awk -v n="$PREFIX-target" '$2 == n { print $1 }')
run pvctl mem-set "$PREFIX-target" 6M
check "mem-set 6M: exit 0" status_is 0
run pvctl store read /local/domain/$id/memory/target
check "... the target is in xenstore, in KiB" out_has_line 6144
run pvctl mem-set "$PREFIX-target" 9M
check "mem-set above the maximum: exit 1" \
	eval 'status_is 1 && err_has "above its maximum"'
run pvctl store read /local/domain/$id/memory/target
check "... the target stays" out_has_line 6144
run pvctl mem-set "$PREFIX-target" 5000
check "mem-set of no whole number of pages: exit 2" status_is 2
run pvctl mem-set "$PREFIX-none" 4M
check "mem-set of no such domain: exit 1" \
	eval 'status_is 1 && err_has "no such domain"'
cleanup
check "and everything is given back" accounting_is_baseline

finish
