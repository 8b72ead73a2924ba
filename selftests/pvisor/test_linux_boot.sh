#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The Linux guest (guest-port/linux, built by scripts/linux-guest.sh) as
# far as the port goes today: the kernel is entered by the domain
# builder, prints the Linux banner on its console through CONSOLE_IO,
# anchors its memory layout in the guest window, builds its own x86-format
# page tables and switches to them (MMUEXT_NEW_BASEPTR), installs its trap
# table (SET_TRAP_TABLE) and brings the memory core up: the zones, the
# buddy allocator with the domain's frames, the slab; its interrupts are
# event channels (an IPI to itself proves the path from a send to a
# handler, and a bad VIRQ is refused), its clock pvclock and its timer
# VIRQ_TIMER (calibrate_delay() needs the tick), its wall clock the
# host's; rest_init() starts kernel_init, and with no root file system
# prepare_namespace() panics, which stops the domain as crashed. Checked here: the domain starts and stops by
# itself, the banner, the command line and the memory it saw (exactly the
# domain's frames, the kernel at pfn 256, the physmap at the window base),
# the kernel's tables live, the trap table's two boot probes (a read of an
# unmapped address and a write to the read-only text, each a page fault
# with the right address and error code, resumed at its exception-table
# fixup), the zone and the allocators' reports, the events, time and
# thread markers, the panic as the last console line and no host-layer
# stop, the state crashed(the guest
# requested a crash), and that destroying it gives every frame back. A
# crash is what this stage ends in; these checks say that it ended where
# the port ends, nothing more. When the port goes further, the expected end
# moves with it.
#
# A third boot gets a ramdisk, a cpio made here: the kernel unpacks it as
# its initramfs and runs /init, a script whose interpreter (/bin/sh) the
# cpio lacks; exec fails (its address space, a user context, is made and
# destroyed on the way), so do the other inits, and the kernel panics
# with no working init (test_linux_user.sh runs a real one). A
# fourth gets a ramdisk that is no cpio: the unpacking fails, and the
# boot goes on to the same panic as without one.
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
# No root file system without a ramdisk: prepare_namespace() panics.
STOP="pvisor: fatal: kernel panic: VFS: Unable to mount root fs on unknown-block(0,0)"
# With one whose /init cannot run, no init works.
ISTOP="pvisor: fatal: kernel panic: No working init found."

LX=linux-boot
LF=linux-fault
LI=linux-initramfs
LB=linux-badramdisk
# The gap between the physmap and vmalloc: the window base + the memory.
HOLE=$(printf '0x%x' $((0x100000000000 + PAGES * 4096)))

. "$(dirname "$0")/../lib/tap.sh"


cleanup() {
	pvctl destroy $LX >/dev/null 2>&1
	pvctl destroy $LF >/dev/null 2>&1
	pvctl destroy $LI >/dev/null 2>&1
	pvctl destroy $LB >/dev/null 2>&1
}

echo "TAP version 13"

need_tools pvctl pvrun
if [ ! -f "$LINUX" ]; then
	skip_all "no Linux guest at $LINUX (scripts/linux-guest.sh builds it)"
fi
need_module

HOST_EPOCH=$(date +%s)
run pvctl create --name $LX --memory $((PAGES * 4))K --kernel "$LINUX" \
	--cmdline "$CMDLINE"
check "create $LX from linux.elf starts it" \
	eval 'status_is 0 && out_has "^created domain [0-9]* ($LX): 1 vcpus, 32MiB, $PAGES frames$"'

wait_stopped $LX
rc=$?
check "$LX stops by itself within $((WAIT_TENTHS / 10)) s" status_is 0

linux_console $LX
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
	out_has "^pvisor: TASK_SIZE 0x100000000000, vmalloc 0x1000[0-9a-f]*-0x10ff[0-9a-f]*, fixmap 0x10ff[0-9a-f]*-0x10ffbfffe000$"
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
check "init_IRQ() registered the event upcall" \
	out_has_line "pvisor: events: 4096 event channels, upcalls at pvisor_event_entry, irqs 1-63"
check "pvclock is registered as a clocksource" \
	out_has "^clocksource: pvclock: mask: 0xffffffffffffffff "
check "time_init() bound VIRQ_TIMER to an irq for the one-shot timer" \
	out_has "^pvisor: time: pvclock at [0-9]* ns, VIRQ_TIMER on port [0-9]* as irq [0-9]*, one-shot$"
guest_epoch=$(sed -n 's/^pvisor: time: wall clock \([0-9]*\) s since the epoch$/\1/p' "$tmp/console")
check "the wall clock from shared_info is the host's (within 120 s)" \
	eval '[ -n "$guest_epoch" ] && [ $((guest_epoch - HOST_EPOCH)) -ge -5 ] && [ $((guest_epoch - HOST_EPOCH)) -le 120 ]'
check "the delay loop was calibrated on the timer's ticks" \
	out_has "^Calibrating delay loop\.\.\. [0-9]*\.[0-9]* BogoMIPS (lpj=[0-9]*)$"
check "an IPI to itself came as an irq once interrupts were enabled, and a bad VIRQ was refused" \
	out_has "^pvisor: events: an IPI to ourselves on port [0-9]* came as irq [0-9]* once interrupts were enabled; VIRQ 24 refused$"
check "the timekeeping switched to pvclock" \
	out_has_line "clocksource: Switched to clocksource pvclock"
check "the panic came from kernel_init, a thread rest_init() started" \
	out_has "^CPU: 0 PID: 1 Comm: swapper "
check "the last console line is the panic without a root file system" \
	eval '[ "$(tail -n 1 "$tmp/console")" = "$STOP" ]'
check "no host-layer call was reached" \
	eval '! grep -q "not on pvisor yet" "$tmp/console"'
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
rc=$?
check "$LF stops by itself within $((WAIT_TENTHS / 10)) s" status_is 0
linux_console $LF
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

# The initramfs: a cpio with an /init, as the ramdisk.
mkdir -p "$tmp/rootfs"
printf '#!/bin/sh\necho hello from /init\n' >"$tmp/rootfs/init"
chmod 755 "$tmp/rootfs/init"
(cd "$tmp/rootfs" && echo init | cpio -o -H newc >"$tmp/initramfs.cpio" 2>/dev/null)
run pvctl create --name $LI --memory $((PAGES * 4))K --kernel "$LINUX" \
	--ramdisk "$tmp/initramfs.cpio" --cmdline "pvtest=linux-initramfs loglevel=7"
check "create $LI with a cpio as its ramdisk" status_is 0
wait_stopped $LI
rc=$?
check "$LI stops by itself within $((WAIT_TENTHS / 10)) s" status_is 0
linux_console $LI
cp "$tmp/out" "$tmp/iconsole"
sed -n '/pvisor: initramfs/p; /Unpacking initramfs/,$s/^/# console: /p' "$tmp/iconsole"
check "setup_arch() took the ramdisk from start_info" \
	out_has "^pvisor: initramfs: $(wc -c <"$tmp/initramfs.cpio" | tr -d ' ') bytes at 0x1000[0-9a-f]* from start_info$"
check "the kernel unpacked it" \
	eval 'out_has_line "Unpacking initramfs..." && ! out_has "Initramfs unpacking failed"'
check "kernel_init() ran /init from it" \
	out_has_line "Run /init as init process"
check "exec of /init failed for want of its interpreter" \
	out_has_line "Failed to execute /init (error -2)"
check "no init worked, and the panic is the last line" \
	eval 'tail -n 1 "$tmp/iconsole" | grep -q -F -e "$ISTOP"'
check "no host-layer call was reached" \
	eval '! grep -q "not on pvisor yet" "$tmp/iconsole"'
run pvctl destroy $LI
check "destroy $LI" status_is 0

# A ramdisk that is no cpio: refused by the unpacker, not fatal.
dd if=/dev/zero bs=1024 count=4 2>/dev/null | tr '\0' 'x' >"$tmp/garbage"
run pvctl create --name $LB --memory $((PAGES * 4))K --kernel "$LINUX" \
	--ramdisk "$tmp/garbage" --cmdline "pvtest=linux-badramdisk loglevel=7"
check "create $LB with a ramdisk that is no cpio" status_is 0
wait_stopped $LB
rc=$?
check "$LB stops by itself within $((WAIT_TENTHS / 10)) s" status_is 0
linux_console $LB
cp "$tmp/out" "$tmp/bconsole"
check "the unpacker refused it" out_has "^Initramfs unpacking failed: "
check "no /init ran, and the boot ended in the panic without a root file system" \
	eval '! out_has_line "Run /init as init process" && [ "$(tail -n 1 "$tmp/bconsole")" = "$STOP" ]'
run pvctl destroy $LB
check "destroy $LB" status_is 0

check "accounting is back to where it started" accounting_is_baseline

finish
