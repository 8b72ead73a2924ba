#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The Linux guest (guest-port/linux, built by scripts/linux-guest.sh) as
# far as the port goes today, which is the first stage: the kernel is
# entered by the domain builder, prints the Linux banner on its console
# through CONSOLE_IO, anchors its memory layout in the guest window in
# setup_arch() and then stops on purpose, before paging_init(), as
# crashed, with the reason on the console. Checked here: the domain
# starts and stops by itself, the banner, the command line and the
# memory it saw (exactly the domain's frames, the kernel at pfn 256, the
# physmap at the window base), the stop's reason as the last console
# line, the state crashed(the guest requested a crash), and that
# destroying it gives every frame back. A crash is what this stage ends
# in; these checks say that it ended where the port ends, nothing more.
# When the port goes further, the expected end moves with it.
#
# Runs in the QEMU test host: busybox sh, pvisor.ko loaded, pvctl and
# pvrun in PATH, the guests in /guest. TAP 13. Exits 0 when every check
# passed, 1 otherwise, 4 (skip) when something it needs is missing.

GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
LINUX=$GUEST_DIR/linux.elf
# A hang detector only: under TCG the first stage takes a few seconds.
WAIT_TENTHS=1200
# 32 MiB: 8192 frames.
PAGES=8192
CMDLINE="pvtest=linux-boot quiet=no"
STOP="pvisor: fatal: setup_arch: stopping before paging_init: x86-format page tables are not ported yet"

LX=linux-boot

. "$(dirname "$0")/../lib/tap.sh"

cleanup() {
	pvctl destroy $LX >/dev/null 2>&1
}

echo "TAP version 13"

need_tools pvctl pvrun
if [ ! -f "$LINUX" ]; then
	skip_all "no Linux guest at $LINUX (scripts/linux-guest.sh builds it)"
fi
need_module

run pvctl create --name $LX --memory $((PAGES * 4))K --kernel "$LINUX" \
	--cmdline "$CMDLINE"
check "create $LX from linux.elf starts it" \
	eval 'status_is 0 && out_has "^created domain [0-9]* ($LX): 1 vcpus, 32MiB, $PAGES frames$"'

wait_stopped $LX
rc=$?
check "$LX stops by itself within $((WAIT_TENTHS / 10)) s" status_is 0

run pvctl console $LX
cp "$tmp/out" "$tmp/console"
# The whole console in the log: it is short, and it is the port's state.
sed 's/^/# console: /' "$tmp/console"
check "the console shows the Linux banner" \
	out_has "^Linux version 6\.1\.[0-9]* (pvisor@pvisor) "
check "the guest read its command line from start_info" \
	out_has_line "pvisor: command line: $CMDLINE"
check "setup_arch saw the domain's frames, the physmap at the window base and the kernel at pfn 256" \
	out_has "^pvisor: $PAGES pages ($((PAGES * 4)) KiB), physmap at 0x100000000000, kernel at pfn 256, first free pfn [0-9]*$"
check "the kernel's virtual areas lie inside the guest window" \
	out_has "^pvisor: TASK_SIZE 0x10ffc0000000, vmalloc 0x1000[0-9a-f]*-0x10ff[0-9a-f]*, fixmap 0x10ff[0-9a-f]*-0x10ffbfffe000$"
check "memblock holds exactly the domain's memory" \
	out_has "^pvisor: memblock: $((PAGES * 4)) KiB, [0-9]* KiB reserved$"
check "the last console line is where this stage of the port stops" \
	eval '[ "$(tail -n 1 "$tmp/console")" = "$STOP" ]'
check "nothing reached a host-layer call that is not ported" \
	eval '! out_has "not on pvisor yet"'

run pvctl list
check "list shows $LX as crashed(the guest requested a crash)" \
	eval 'status_is 0 && out_has "^ *[0-9]*  $LX  *crashed(the guest requested a crash) "'

run pvctl destroy $LX
check "destroy $LX" status_is 0
check "accounting is back to where it started" accounting_is_baseline

finish
