#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A real guest, end to end: `pvctl create --kernel` builds minnow
# (guest-port/) into a domain and starts its runner (pvrun); minnow boots,
# runs its self-checks and powers off. Checked here: the boot lines and the
# exact command line on `pvctl console`, each of the guest's own checks
# (its "@@pvtest" lines become TAP lines of this test), the state
# shutdown(poweroff), a ramdisk reaching the guest, and that destroying the
# domains gives every frame back. Then the builder's bad inputs: a missing
# kernel file, a file that is not ELF, an ELF linked outside the guest
# window, too little memory for the image or for the boot layout; each
# must fail with a clear message and exit 1, and leave no domain behind.
#
# Runs in the QEMU test host: busybox sh, pvisor.ko loaded, pvctl and
# pvrun in PATH, the guests in /guest. TAP 13, the plan at the end (the
# number of guest checks is the guest's business). Exits 0 when every
# check passed, 1 otherwise, 4 (skip) when something it needs is missing.

GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
MINNOW=$GUEST_DIR/minnow.elf
OUTSIDE=$GUEST_DIR/outside.elf
# Bounded wait for a guest to finish, in tenths of a second.
WAIT_TENTHS=600

# Names no other test uses, so that leftovers are recognisably ours.
G1=g1
RD=gboot-rd
BAD=gboot-bad

. "$(dirname "$0")/../lib/tap.sh"

cleanup() {
	for d in $G1 $RD $BAD; do
		pvctl destroy "$d" >/dev/null 2>&1
	done
}

echo "TAP version 13"

need_tools pvctl pvrun
if [ ! -f "$MINNOW" ] || [ ! -f "$OUTSIDE" ]; then
	skip_all "no guest kernels in $GUEST_DIR"
fi
need_module

# --- minnow boots, checks itself and powers off ----------------------------

run pvctl create --name $G1 --memory 16M --kernel "$MINNOW" \
	--cmdline "hello world"
check "create $G1 with --kernel starts it" \
	eval 'status_is 0 && out_has "^created domain [0-9]* ($G1): 1 vcpus, 16MiB, 4096 frames$" &&
	      out_has "^started domain [0-9]* ($G1) from $MINNOW$"'

wait_stopped $G1
rc=$?
check "$G1 stops within $((WAIT_TENTHS / 10)) s" status_is 0

run pvctl console $G1
cp "$tmp/out" "$tmp/console"
check "the console shows minnow booting" \
	eval 'status_is 0 && out_has_line "minnow: booting"'
check "the console shows the exact command line" \
	out_has_line "minnow: cmdline: hello world"

# The guest's own checks, one TAP line each.
guest_checks "$tmp/console" guest
cp "$tmp/console" "$tmp/out"
check "the guest ran its checks to the end ($guest_checks reported)" \
	eval '[ $guest_checks -gt 0 ] && out_has_line "@@pvtest done $guest_checks 0"'

run pvctl list
check "list shows $G1 as shutdown(poweroff)" \
	eval 'status_is 0 && out_has "^ *[0-9]*  $G1  *shutdown(poweroff) "'
run pvctl list --json
check "list --json gives the state and the reason" \
	out_has "\"name\": \"$G1\", \"state\": \"shutdown\", \"reason\": \"poweroff\""
run pvctl console --follow $G1
check "console --follow on a stopped domain prints it all and ends" \
	eval 'status_is 0 && cmp -s "$tmp/out" "$tmp/console"'

# --- a ramdisk --------------------------------------------------------------

printf 'pvisor ramdisk 0123456789' >"$tmp/ramdisk"
run pvctl create --name $RD --memory 8M --kernel "$MINNOW" \
	--ramdisk "$tmp/ramdisk"
check "create $RD with a ramdisk and no command line" status_is 0
wait_stopped $RD
run pvctl console $RD
check "the guest sees the ramdisk and an empty command line" \
	eval 'out_has "^minnow: ramdisk: 25 bytes at 0x[0-9a-f]*: pvisor ramdisk 0123456789$" &&
	      out_has_line "minnow: cmdline: " && out_has_line "@@pvtest done ${guest_checks} 0"'

run pvctl destroy $G1
check "destroy $G1" status_is 0
run pvctl destroy $RD
check "destroy $RD" status_is 0
check "accounting is back to where it started" accounting_is_baseline

# --- bad input --------------------------------------------------------------

# bad_kernel DESC MESSAGE ARGS...: create fails with MESSAGE, nothing left.
bad_kernel() {
	what=$1
	msg=$2
	shift 2
	run pvctl create --name $BAD "$@"
	check "$what: exit 1 and a clear message" \
		eval 'status_is 1 && err_has "^pvctl: create: $BAD: cannot start the domain: pvrun: $msg"'
	check "$what: no domain left behind" eval '! exists $BAD'
}

bad_kernel "a missing kernel file" "kernel: cannot open '$tmp/none'" \
	--memory 16M --kernel "$tmp/none"
echo "this is not a kernel" >"$tmp/text"
bad_kernel "a kernel that is not ELF" "kernel: not an ELF file" \
	--memory 16M --kernel "$tmp/text"
head -c 100 "$MINNOW" >"$tmp/short.elf"
bad_kernel "a truncated ELF file" "kernel: truncated file" \
	--memory 16M --kernel "$tmp/short.elf"
bad_kernel "an ELF linked outside the window" \
	"kernel: segment at 0x400000 lies outside the guest window" \
	--memory 16M --kernel "$OUTSIDE"
bad_kernel "memory smaller than the image" \
	"kernel: segment .* does not fit in the domain's 1024 KiB" \
	--memory 1M --kernel "$MINNOW"
# The smallest memory the image fits in (minnow's size changes): from
# 1 MiB up in 4 KiB steps, the first size whose refusal is not about the
# image; there the boot layout must be what does not fit.
layout_kib=1024
while [ $layout_kib -lt 2048 ]; do
	layout_kib=$((layout_kib + 4))
	pvctl create --name $BAD --memory ${layout_kib}K --kernel "$MINNOW" \
		2>&1 | grep -q "does not fit in the domain's" || break
done
pvctl destroy $BAD >/dev/null 2>&1
bad_kernel "memory too small for the boot layout (${layout_kib} KiB)" \
	"too little memory" --memory ${layout_kib}K --kernel "$MINNOW"
# pvctl itself refuses a command line that cannot fit start_info, as a
# usage error, before any domain exists.
run pvctl create --name $BAD --memory 16M --kernel "$MINNOW" \
	--cmdline "$(head -c 1024 /dev/zero | tr '\0' x)"
check "a command line over 1023 bytes: exit 2 and a clear message" \
	eval 'status_is 2 && err_has "^pvctl: create: --cmdline: longer than 1023 characters"'
check "a command line over 1023 bytes: no domain left behind" eval '! exists $BAD'

run pvctl create --name $BAD --memory 16M --cmdline "x"
check "--cmdline without --kernel is a usage error" \
	eval 'status_is 2 && err_has "need --kernel" && ! exists $BAD'

run pvrun
check "pvrun without arguments is a usage error" \
	eval 'status_is 2 && err_has "^pvrun: --domain and --kernel are required"'
run pvrun --domain 32751 --kernel "$MINNOW"
check "pvrun on a domain that does not exist fails" \
	eval 'status_is 1 && err_has "^pvrun: domain 32751: no such domain"'
run pvctl create --name $BAD --memory 4M --kernel "$MINNOW"
wait_stopped $BAD
id=$(pvctl list | awk -v n=$BAD '$2 == n { print $1 }')
run pvrun --domain "${id:-32751}" --kernel "$MINNOW"
check "pvrun refuses a domain that already ran" \
	eval 'status_is 1 && err_has "^pvrun: domain ${id:-x} is shutdown, not created"'
pvctl destroy $BAD >/dev/null 2>&1

check "accounting is still where it started" accounting_is_baseline

finish
