#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The Linux guest (guest-port/linux, built by scripts/linux-guest.sh) as
# far as the port goes today: the kernel is entered by the domain
# builder, prints the Linux banner on its console through CONSOLE_IO,
# anchors its memory layout in the guest window, builds its own x86-format
# page tables and switches to them (MMUEXT_NEW_BASEPTR), installs its trap
# table (SET_TRAP_TABLE) and brings the memory core up: the zones, the
# buddy allocator with the domain's frames, the slab. It then stops at the
# first host-layer call not ported yet, in init_IRQ(), as crashed, with
# the reason on the console. Checked here: the domain starts and stops by
# itself, the banner, the command line and the memory it saw (exactly the
# domain's frames, the kernel at pfn 256, the physmap at the window base),
# the kernel's tables live, the trap table's two boot probes (a read of an
# unmapped address and a write to the read-only text, each a page fault
# with the right address and error code, resumed at its exception-table
# fixup), the zone and the allocators' reports, the stop's reason as the
# last console line and no other stop, the state crashed(the guest
# requested a crash), and that destroying it gives every frame back. A
# crash is what this stage ends in; these checks say that it ended where
# the port ends, nothing more. When the port goes further, the expected end
# moves with it.
#
# A second boot with pvisor_test=kernel-fault makes the kernel read an
# unmapped address with no fixup: the trap is reported (vector, address,
# access, where), panic() runs, and its notifier stops the domain as
# crashed with panic's message, rather than leave it spinning.
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
CMDLINE="pvtest=linux-boot loglevel=7"
# init_IRQ() sets up UML's epoll loop; interrupts as event channels are next.
STOP="pvisor: fatal: os_setup_epoll: not on pvisor yet"

LX=linux-boot
LF=linux-fault
# The gap between the physmap and vmalloc: the window base + the memory.
HOLE=$(printf '0x%x' $((0x100000000000 + PAGES * 4096)))

. "$(dirname "$0")/../lib/tap.sh"

cleanup() {
	pvctl destroy $LX >/dev/null 2>&1
	pvctl destroy $LF >/dev/null 2>&1
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
check "the kernel built its page tables for every frame and runs on them" \
	out_has "^pvisor: kernel page tables: $PAGES frames mapped at 0x100000000000 in [0-9]* table pages, swapper_pg_dir at pfn [0-9]* is live$"
check "the one zone spans exactly the domain's frames" \
	out_has_line "  Normal   [mem 0x0000000000000000-$(printf '0x%016x' $((PAGES * 4096 - 1)))]"
check "the trap table is installed" \
	out_has_line "pvisor: traps: handlers for vectors 0-19"
check "a read of an unmapped address faults (not present, read) and resumes at its fixup" \
	out_has_line "pvisor: traps: a read of an unmapped address at $HOLE faulted (page fault, error code 0x0) and resumed at its fixup"
check "a write to the read-only kernel text faults (present, write) and resumes at its fixup" \
	out_has "^pvisor: traps: a write to the kernel's text at 0x100000[0-9a-f]* faulted (page fault, error code 0x3) and resumed at its fixup$"
check "the buddy allocator got the domain's memory" \
	out_has "^Memory: [0-9]*K/$((PAGES * 4))K available ("
check "the slab allocator came up" \
	out_has "^SLUB: HWalign=[0-9]*, Order=0-[0-9]*, MinObjects=0, CPUs=1, Nodes=1$"
check "the kernel went past mm_init() and sched_init() to the IRQ layer" \
	out_has "^NR_IRQS: [0-9]*$"
check "the last console line is where this stage of the port stops" \
	eval '[ "$(tail -n 1 "$tmp/console")" = "$STOP" ]'
check "no other host-layer call was reached" \
	eval '[ "$(grep -c "not on pvisor yet" "$tmp/console")" = 1 ]'
check "the kernel reported no bug on the way" \
	eval '! grep -q -e BUG -e WARNING -e Oops -e "bad p[tmug]d" "$tmp/out"'

run pvctl list
check "list shows $LX as crashed(the guest requested a crash)" \
	eval 'status_is 0 && out_has "^ *[0-9]*  $LX  *crashed(the guest requested a crash) "'

run pvctl destroy $LX
check "destroy $LX" status_is 0

# An unhandled kernel fault: reported, then panic() stops the domain.
FSTOP="pvisor: fatal: kernel panic: pvisor: fatal kernel page fault"
run pvctl create --name $LF --memory $((PAGES * 4))K --kernel "$LINUX" \
	--cmdline "pvtest=linux-fault loglevel=7 pvisor_test=kernel-fault"
check "create $LF (pvisor_test=kernel-fault)" status_is 0
wait_stopped $LF
check "$LF stops by itself within $((WAIT_TENTHS / 10)) s" status_is 0
run pvctl console $LF
cp "$tmp/out" "$tmp/fconsole"
sed -n '/pvisor: traps: pvisor_test/,$s/^/# console: /p' "$tmp/fconsole"
check "the kernel-fault test ran after the probes" \
	out_has_line "pvisor: traps: pvisor_test=kernel-fault: reading $HOLE with no fixup"
check "the fault is reported as a kernel page fault in trap_init" \
	out_has "^pvisor: kernel page fault (vector 14, error code 0x0) at trap_init+0x"
check "the report names the address and the access" \
	out_has_line "pvisor: no page, read at $HOLE"
check "the report has the registers" \
	out_has "^RIP: 00001000[0-9a-f]* RSP: 00001000[0-9a-f]* RFLAGS: "
check "panic() ran with the trap's name" \
	out_has "^Kernel panic - not syncing: pvisor: fatal kernel page fault$"
check "the panic notifier stopped the domain with panic's message, last" \
	eval '[ "$(tail -n 1 "$tmp/fconsole")" = "$FSTOP" ]'
run pvctl list
check "list shows $LF as crashed(the guest requested a crash)" \
	eval 'status_is 0 && out_has "^ *[0-9]*  $LF  *crashed(the guest requested a crash) "'
run pvctl destroy $LF
check "destroy $LF" status_is 0

check "accounting is back to where it started" accounting_is_baseline

finish
