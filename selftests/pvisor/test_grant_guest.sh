#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Grant tables from minnow, through the real runner (pvrun):
#
#   grant.elf   the guest side (guest-port/tests/grant.c): SETUP_TABLE in
#               pages of its own allocator (and a pfn beyond its memory
#               refused), QUERY_SIZE, rw and ro grants with known
#               contents, GNTTABOP_COPY through its own grant, into a
#               read-only grant and past the table, an idle grant ended
#               with a compare-and-exchange, MAP_GRANT_REF's ENOSYS. Its
#               @@pvtest lines become TAP lines here; it lists its grants
#               in @@grant lines and must power off.
#
# Domain0's side of such grants (map, copy, dying) is test_grants.c.
# Runs in the QEMU test host (busybox sh, pvisor.ko loaded, pvctl and
# pvrun in PATH, the guests in /guest). TAP 13, the plan at the end.

GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
WAIT_TENTHS=600
PREFIX=ggnt

. "$(dirname "$0")/../lib/tap.sh"

cleanup() {
	pvctl destroy "$PREFIX-grant" >/dev/null 2>&1
}

echo "TAP version 13"

need_tools pvctl pvrun
[ -f "$GUEST_DIR/grant.elf" ] || skip_all "no $GUEST_DIR/grant.elf"
need_module

boot_guest grant
guest_ran_to_end grant 9
check "grant: lists its rw grant" out_has "@@grant ref=1 pfn=[0-9]* seed=17 rw"
check "grant: lists its ro grant" out_has "@@grant ref=2 pfn=[0-9]* seed=29 ro"
run pvctl list
check "grant: powered off" out_has "^ *[0-9]*  $PREFIX-grant  *shutdown(poweroff) "

runners_gone
check "no runner is left" eval '! grep -q "[p]vrun" "$tmp/out"'
cleanup
check "destroying it gives every frame back" accounting_is_baseline

finish
