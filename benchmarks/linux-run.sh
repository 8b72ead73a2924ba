#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs static Linux x86-64 programs in the Linux guest on pvisor
# (guest-port/linux, /guest/linux.elf in the test host), for make
# bench's Figure 3: the same programs, the same root and init as
# uml-run.sh gives User-Mode Linux (bench-lib.sh), packed as the guest's
# initramfs. run-bench.sh calls it in the QEMU test host (pvisor.ko
# loaded, pvctl in PATH).
#
# usage: linux-run.sh ROUNDS PROG...
#        linux-run.sh --prompt PROMPT REPS
#
# The guest boots once, with one vCPU, pinned to the last CPU (bench_pin)
# as the native programs are, and runs each PROG ROUNDS times, in order;
# once it has powered off, the @@ lines of its console come out on our
# stdout, carriage returns removed.
#
# --prompt boots the guest REPS times to an interactive shell whose
# prompt is PROMPT and times each boot, from `pvctl create` until PROMPT
# is on the console (bin/boottime guest --until: the line
# boot.prompt.until). Unpinned: boottime polls the console from
# one CPU while the guest boots on the other. boottime bounds each boot
# itself (300 s to the prompt, 60 s more to the power-off).
#
# Exits 0 when the init ran every program and said so, 1 otherwise (then
# the console's tail goes to stderr). A program's own failure is its
# "@@bench-error" line, passed on, and status 1.
#
# PVISOR_LINUX          the guest kernel (default /guest/linux.elf)
# PVISOR_LINUX_MEM      its memory (default 64M)
# PVISOR_LINUX_TIMEOUT  seconds for the whole run (default 1200)

here=$(cd "$(dirname "$0")" && pwd)
. "$here/bench-lib.sh"

LINUX=${PVISOR_LINUX:-/guest/linux.elf}
MEM=${PVISOR_LINUX_MEM:-64M}
LIMIT=${PVISOR_LINUX_TIMEOUT:-1200}
# quiet: the kernel's boot messages would cost console hypercalls, and
# the programs' lines are what is read back.
CMDLINE=quiet
DOMAIN=lxbench
root=${TMPDIR:-/tmp}/linux-root
console=${TMPDIR:-/tmp}/linux.console
DONE=@@linux-done

bench_runner_args linux-run.sh "$@"
[ -f "$LINUX" ] || { echo "linux-run.sh: no Linux guest at $LINUX" >&2; exit 1; }

# pack DIR: DIR.cpio, the guest's initramfs.
pack() {
	(cd "$1" && find . | cpio -o -H newc 2>/dev/null) >"$1.cpio"
}

if [ "$1" = --prompt ]; then
	bench_root "$root" && bench_init_prompt "$root" "$2" && pack "$root" ||
		exit 1
	"$here/bin/boottime" guest --kernel "$LINUX" --ramdisk "$root.cpio" \
		--cmdline "$CMDLINE" --memory "$MEM" --label prompt \
		--until "$2" --reps "$3"
	rc=$?
	[ $rc -ne 0 ] || rm -rf "$root" "$root.cpio"
	exit $rc
fi

rounds=$1
shift
bench_root "$root" "$@" && bench_init_rounds "$root" "$rounds" "$DONE" &&
	pack "$root" || exit 1
bench_pin
pvctl destroy "$DOMAIN" >/dev/null 2>&1
if ! $PIN pvctl create --name "$DOMAIN" --memory "$MEM" --vcpus 1 \
	--kernel "$LINUX" --ramdisk "$root.cpio" --cmdline "$CMDLINE" >/dev/null; then
	echo "linux-run.sh: pvctl create $DOMAIN failed" >&2
	exit 1
fi
wait_not_running "$DOMAIN" "$LIMIT"
state=$(state_of "$DOMAIN")
pvctl console --no-follow "$DOMAIN" >"$console" 2>&1
pvctl destroy "$DOMAIN" >/dev/null 2>&1
bench_console "$console" "$DONE" "linux-run.sh: the Linux guest (state $state)" ||
	exit 1
rm -rf "$root" "$root.cpio"
