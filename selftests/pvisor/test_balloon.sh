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
# returns everything.
#
# Runs in the QEMU test host (busybox sh, pvisor.ko loaded, pvctl and
# pvrun in PATH, the guests in /guest). TAP 13, the plan at the end.

GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
WAIT_TENTHS=1800
PREFIX=gbal
PAGES=4096	# boot_guest's 16M
KEEP=8

. "$(dirname "$0")/../lib/tap.sh"

cleanup() {
	pvctl destroy "$PREFIX-balloon" >/dev/null 2>&1
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

finish
