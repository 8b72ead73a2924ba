#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boots the pvisor test host: Debian's stock kernel under QEMU, with an
# initramfs built fresh from this tree (busybox, pvisor.ko, pvctl, pvrun,
# the guest kernels in /guest, the
# selftests and selftests/qemu/init). `make check` (through check.py) and
# `make run` call it; Documentation/testing.rst is its manual.
#
# usage: run.sh [--mode check|interactive|script] [--script FILE]
#               [--tests "NAME..."] [--kver VERSION] [--ko FILE] [--build DIR]
#               [--kernel IMAGE] [--uml]
#
# --kernel boots IMAGE instead of /boot/vmlinuz-VERSION (the debug kernel
# of `make check KERNEL=debug`); VERSION is then only a name, and the test
# host gets no modules of its own (PVISOR_GUEST_MODULES is ignored).
#
# --uml adds Debian's User-Mode Linux kernel (PVISOR_UML, default
# /usr/bin/linux.uml) and the libraries it links against, for `make
# bench`'s peer column; `make check` goes without its 13 MB.
#
# Exit status
#   check        0 when QEMU ran to its end (check.py judges the results),
#                124 when it ran out of time, anything else when it failed
#   script       the script's own exit status; 124 when QEMU ran out of
#                time, 125 when the guest stopped without reporting one
#   interactive  QEMU's
#
# Everything this script says goes to stderr as "# ..." lines, which read
# as TAP diagnostics inside `make check`; in script mode stdout carries the
# script's output and nothing else.

set -euo pipefail
shopt -s nullglob

export PATH=$PATH:/usr/sbin:/sbin
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

mode=interactive
script=
tests=
tests_given=
kver=${TEST_KVER:-}
ko=
build=$repo/build
image=
uml=

qemu=${PVISOR_QEMU:-qemu-system-x86_64}
busybox=${PVISOR_BUSYBOX:-/bin/busybox}
mem=${PVISOR_QEMU_MEM:-1024}
smp=${PVISOR_QEMU_SMP:-2}
test_timeout=${PVISOR_TEST_TIMEOUT:-900}
guest_modules=${PVISOR_GUEST_MODULES-tun}
probe_limit=${PVISOR_KVM_PROBE_TIMEOUT:-20}

note() {
	echo "# $*" >&2
}

die() {
	echo "run.sh: $*" >&2
	exit 2
}

usage() {
	sed -n 's/^# \{0,1\}//; /^usage:/,/^$/p' "${BASH_SOURCE[0]}" >&2
	exit "${1:-2}"
}

while [ $# -gt 0 ]; do
	case "$1" in
	--mode) mode=${2:?}; shift ;;
	--script) script=${2:?}; shift ;;
	--tests) tests=$2; tests_given=1; shift ;;
	--kver) kver=${2:?}; shift ;;
	--ko) ko=${2:?}; shift ;;
	--build) build=${2:?}; shift ;;
	--kernel) image=${2:?}; shift ;;
	--uml) uml=${PVISOR_UML:-/usr/bin/linux.uml} ;;
	-h|--help) usage 0 ;;
	*) usage ;;
	esac
	shift
done

# The stock build's module (the top-level Makefile's $(KO)).
[ -n "$ko" ] || ko=$build/module/pvisor.ko

case "$mode" in
check|interactive) ;;
script) [ -f "$script" ] || die "--mode script needs --script FILE (got '$script')" ;;
*) die "unknown mode '$mode'" ;;
esac

# The newest Debian 6.1 cloud kernel with both an image to boot and a
# build tree to build pvisor.ko against (the top-level Makefile picks the
# same; other kernels come with --kernel).
newest_cloud_kernel() {
	local d k
	for d in /lib/modules/6.1.*-cloud-amd64; do
		k=${d##*/}
		[ -f "/boot/vmlinuz-$k" ] && [ -d "$d/build" ] && echo "$k"
	done | sort -V | tail -n 1
}

if [ -n "$image" ]; then
	[ -n "$kver" ] || die "--kernel needs --kver (the image's release)"
	kernel=$image
	guest_modules=
else
	[ -n "$kver" ] || kver=$(newest_cloud_kernel)
	[ -n "$kver" ] || die "no *-cloud-amd64 kernel with image and headers; run scripts/install-deps.sh"
	kernel=/boot/vmlinuz-$kver
fi
[ -r "$kernel" ] || die "cannot read $kernel (try: sudo chmod 0644 $kernel)"
[ -f "$ko" ] || die "no module at $ko; build it first with 'make'"
command -v "$qemu" >/dev/null || die "$qemu not found; run scripts/install-deps.sh"
[ -x "$busybox" ] || die "$busybox not found; run scripts/install-deps.sh"
[ -z "$uml" ] || [ -x "$uml" ] || die "no User-Mode Linux at $uml; run scripts/install-deps.sh"
[[ "$test_timeout" =~ ^[1-9][0-9]*$ ]] || die "PVISOR_TEST_TIMEOUT must be a positive number of seconds"

qdir=$build/qemu
mkdir -p "$qdir"

if [ "$mode" = interactive ]; then
	qemu_timeout=${PVISOR_QEMU_TIMEOUT:-0}
else
	qemu_timeout=${PVISOR_QEMU_TIMEOUT:-3600}
fi
[[ "$qemu_timeout" =~ ^[0-9]+$ ]] || die "PVISOR_QEMU_TIMEOUT must be a number of seconds"

# --- the initramfs --------------------------------------------------------

# Writes one newc header (Documentation/driver-api/early-userspace/
# buffer-format.rst) for an entry without data. It lets an unprivileged
# build put a device node in the archive, which mknod would not.
newc_entry() {
	local name=$1 mode=$2 major=$3 minor=$4
	local namesize=$((${#name} + 1))

	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		0 "$mode" 0 0 1 0 0 0 0 "$major" "$minor" "$namesize" 0
	printf '%s\0' "$name"
	head -c $(((4 - (110 + namesize) % 4) % 4)) /dev/zero
}

# Packs a directory into an uncompressed initramfs (the kernel unpacks it
# faster than it would inflate a compressed one), then appends a second
# archive holding /dev/console: the kernel opens it for init's stdio before
# anything can mount devtmpfs.
pack() {
	local root=$1 out=$2

	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0) >"$out.tmp"
	{
		newc_entry dev/console $((0020600)) 5 1
		newc_entry 'TRAILER!!!' 0 0 0
	} >>"$out.tmp"
	mv "$out.tmp" "$out"
}

# populate_busybox ROOT INIT: busybox, a link per applet and INIT as /init.
populate_busybox() {
	local root=$1 init=$2 applet

	mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" \
		"$root/dev" "$root/proc" "$root/sys" "$root/tmp" "$root/run" "$root/root"
	cp "$busybox" "$root/bin/busybox"
	for applet in $("$busybox" --list); do
		[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
	done
	install -m 0755 "$init" "$root/init"
}

# True when $1 is a 64-bit ELF file with a program interpreter (PT_INTERP),
# i.e. dynamically linked.
dynamic_elf() {
	local f=$1 phoff size count i

	[ "$(od -An -t x1 -N 5 "$f" | tr -d ' ')" = 7f454c4602 ] || return 1
	phoff=$(od -An -t u8 -j 32 -N 8 "$f")
	size=$(od -An -t u2 -j 54 -N 2 "$f")
	count=$(od -An -t u2 -j 56 -N 2 "$f")
	for ((i = 0; i < count; i++)); do
		[ "$(od -An -t u4 -j $((phoff + i * size)) -N 4 "$f")" -eq 3 ] && return 0
	done
	return 1
}

# Warns about programs that cannot start in the test host: it has busybox
# and nothing else, so binaries must be static and scripts must use sh.
check_runnable() {
	local f=$1 first

	first=$(head -c 64 "$f" | tr -d '\0' | head -n 1)
	case "$first" in
	'#!/bin/sh'*|'#!/bin/busybox'*|'#! /bin/sh'*) ;;
	'#!'*) note "warning: ${f##*/} wants '${first#\#!}', which the test host lacks" ;;
	*) dynamic_elf "$f" && note "warning: ${f##*/} is dynamically linked; the test host has no libc" ;;
	esac
	return 0
}

# Copies the modules the guest may modprobe (PVISOR_GUEST_MODULES, with
# their dependencies) from the booted kernel's tree.
add_guest_modules() {
	local root=$1 queue=() seen=' ' m path dep moddir=/lib/modules/$kver

	read -r -a queue <<<"$guest_modules"
	[ ${#queue[@]} -gt 0 ] || return 0
	command -v modinfo >/dev/null || { note "no modinfo: guest modules skipped"; return 0; }
	while [ ${#queue[@]} -gt 0 ]; do
		m=${queue[0]}
		queue=("${queue[@]:1}")
		[[ "$seen" == *" $m "* ]] && continue
		seen+="$m "
		path=$(modinfo -k "$kver" -n "$m" 2>/dev/null) || {
			note "warning: guest module $m not found in $moddir"
			continue
		}
		[ "$path" = "(builtin)" ] && continue
		mkdir -p "$root${path%/*}"
		cp "$path" "$root$path"
		for dep in $(modinfo -k "$kver" -F depends "$m" | tr ',' ' '); do
			queue+=("$dep")
		done
	done
	mkdir -p "$root$moddir"
	cp "$moddir/modules.builtin" "$moddir/modules.order" "$root$moddir/" 2>/dev/null || true
	depmod -b "$root" "$kver" 2>/dev/null || note "warning: depmod failed; modprobe will not work in the guest"
}

# install_with_libs PROG DEST ROOT: PROG (a dynamic executable) as
# ROOT/DEST, with every library ldd names at its own path under ROOT, so
# that the loader finds them as on the build machine.
install_with_libs() {
	local prog=$1 dest=$2 root=$3 lib

	install -D -m 0755 "$prog" "$root$dest"
	for lib in $(ldd "$prog" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'); do
		install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
	done
}

# User-Mode Linux, at /usr/bin/linux.uml in the test host.
add_uml() {
	install_with_libs "$uml" /usr/bin/linux.uml "$1"
}

# Debian's own dynamically linked programs for the Linux guest, in the
# test host's /guest/debian: a root to copy into a guest's initramfs
# (bash, coreutils' ls and sha256sum, their libraries and loader at the
# paths Debian gives them). The test host itself never runs them.
DEBIAN_DYNAMIC="/usr/bin/bash /usr/bin/ls /usr/bin/sha256sum"
add_debian_dynamic() {
	local root=$1/guest/debian prog

	for prog in $DEBIAN_DYNAMIC; do
		if [ -x "$prog" ]; then
			install_with_libs "$prog" "$prog" "$root"
		else
			note "no $prog: the Linux guest's dynamic-binary tests will fail"
		fi
	done
}

make_initramfs() {
	local root=$qdir/root t name list=()

	rm -rf "$root"
	populate_busybox "$root" "$here/init"
	mkdir -p "$root/etc/pvisor" "$root/lib/modules" "$root/selftests"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
		>"$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
	install -m 0644 "$ko" "$root/lib/modules/pvisor.ko"

	# Domain0's tools: pvctl, and pvrun, which pvctl starts next to itself;
	# pvisord and the block backend it starts.
	for tool in pvctl/pvctl runner/pvrun pvisord/pvisord blkback/pvblkback; do
		if [ -x "$build/userspace/$tool" ]; then
			install -m 0755 "$build/userspace/$tool" "$root/bin/${tool##*/}"
			check_runnable "$root/bin/${tool##*/}"
		else
			note "userspace/$tool not built: the test host has no ${tool##*/}"
		fi
	done

	# make run's guest starter (selftests/qemu/init calls it).
	install -m 0755 "$here/demo.sh" "$root/bin/pvisor-demo"

	# Guest kernels: minnow and the test guests, in /guest.
	mkdir -p "$root/guest"
	for elf in "$build"/guest-port/minnow/*.elf "$build"/guest-port/tests/*.elf; do
		[ -f "$elf" ] && install -m 0644 "$elf" "$root/guest/"
	done
	# Guest user programs (Linux x86-64 ABI, guest-port/user), in
	# /guest/user: minnow's ramdisks and the benchmarks take them there.
	mkdir -p "$root/guest/user"
	for elf in "$build"/guest-port/user/progs/*.elf; do
		[ -f "$elf" ] && install -m 0755 "$elf" "$root/guest/user/"
	done
	# The Linux guest, when make built it (scripts/linux-guest.sh), and
	# an initramfs for it: busybox with a shell on the console
	# (guest-port/linux/init), built in build/linux.
	if [ -f "$build/linux/linux.elf" ]; then
		install -m 0644 "$build/linux/linux.elf" "$root/guest/linux.elf"
		rm -rf "$build/linux/initramfs"
		populate_busybox "$build/linux/initramfs" "$repo/guest-port/linux/init"
		pack "$build/linux/initramfs" "$build/linux/initramfs.cpio"
		install -m 0644 "$build/linux/initramfs.cpio" \
			"$root/guest/linux-initramfs.cpio"
	fi

	# The selftests: the scripts from the tree, the programs from
	# build/selftests (selftests/Makefile).
	mkdir -p "$root/selftests/pvisor" "$root/selftests/lib"
	for t in "$repo"/selftests/pvisor/test_*.* "$repo"/selftests/lib/*.sh; do
		case "$t" in *.c) continue ;; esac
		[ -f "$t" ] && cp -a "$t" "$root/selftests/${t#"$repo"/selftests/}"
	done
	for t in "$build"/selftests/pvisor/test_*; do
		case "$t" in *.d|*.o) continue ;; esac
		[ -f "$t" ] && [ -x "$t" ] && cp -a "$t" "$root/selftests/pvisor/"
	done

	# The benchmarks (make bench): benchmarks/Makefile builds the native
	# programs, the bench guests and run-bench.sh into
	# build/benchmarks/out.
	if [ -d "$build/benchmarks/out" ]; then
		cp -a "$build/benchmarks/out" "$root/benchmarks"
	fi

	if [ -n "$tests_given" ]; then
		read -r -a list <<<"$tests"
	else
		for t in "$root"/selftests/pvisor/test_*; do
			[ -f "$t" ] && [ -x "$t" ] && list+=("${t##*/}")
		done
	fi
	: >"$root/etc/pvisor/tests"
	for name in "${list[@]}"; do
		t=$root/selftests/pvisor/$name
		if [ -f "$t" ] && [ -x "$t" ]; then
			check_runnable "$t"
		else
			note "warning: no executable selftests/pvisor/$name"
		fi
		echo "$name" >>"$root/etc/pvisor/tests"
	done

	if [ "$mode" = script ]; then
		mkdir -p "$root/script"
		install -m 0755 "$script" "$root/script/${script##*/}"
		echo "/script/${script##*/}" >"$root/etc/pvisor/script"
	fi

	[ -z "$uml" ] || add_uml "$root"
	add_debian_dynamic "$root"
	add_guest_modules "$root"
	pack "$root" "$qdir/initramfs.cpio"
}

# --- the accelerator ------------------------------------------------------

# Boots a minimal initramfs under KVM and waits for its init to report on
# the second serial port. Nested KVM can hang the guest before the kernel
# even prints a line (emulation failure), so no "Linux version" on the
# early console within a few seconds counts as failure too.
probe_kvm() {
	local dir=$qdir/probe pid i ok=1 stall=5

	rm -rf "$dir"
	mkdir -p "$dir"
	populate_busybox "$dir/root" "$here/init"
	pack "$dir/root" "$dir/initramfs.cpio"
	: >"$dir/console.log"
	: >"$dir/serial.log"
	"$qemu" -nodefaults -no-user-config -machine pc -accel kvm -cpu host \
		-smp 1 -m 256 -display none -monitor none -no-reboot \
		-kernel "$kernel" -initrd "$dir/initramfs.cpio" \
		-append "console=ttyS0 earlyprintk=ttyS0 panic=-1 pvmode=probe" \
		-serial "file:$dir/console.log" -serial "file:$dir/serial.log" \
		</dev/null >"$dir/qemu.log" 2>&1 &
	pid=$!
	for ((i = 0; i < probe_limit * 10; i++)); do
		if grep -q '@@pvisor@@ probe-ok' "$dir/serial.log"; then
			ok=0
			break
		fi
		kill -0 "$pid" 2>/dev/null || break
		if [ "$i" -ge $((stall * 10)) ] && ! grep -q 'Linux version' "$dir/console.log"; then
			break
		fi
		sleep 0.1
	done
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	return $ok
}

# Prints kvm or tcg. A probe's verdict is cached per kernel in the build
# directory; `make clean` or deleting the file forgets it.
pick_accel() {
	local cache=$qdir/accel-$kver verdict start=$SECONDS

	case "${PVISOR_ACCEL:-}" in
	kvm|tcg)
		note "accelerator $PVISOR_ACCEL (PVISOR_ACCEL)"
		echo "$PVISOR_ACCEL"
		return
		;;
	'') ;;
	*) die "PVISOR_ACCEL must be kvm or tcg" ;;
	esac
	if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
		note "accelerator tcg (/dev/kvm is not usable)"
		echo tcg
		return
	fi
	if [ -s "$cache" ]; then
		verdict=$(cat "$cache")
		note "accelerator $verdict (cached in ${cache#"$repo"/})"
		echo "$verdict"
		return
	fi
	if probe_kvm; then
		verdict=kvm
	else
		verdict=tcg
	fi
	echo "$verdict" >"$cache"
	note "accelerator $verdict (KVM probe took $((SECONDS - start))s)"
	echo "$verdict"
}

# --- the run --------------------------------------------------------------

# Streams the script's output from the channel file until QEMU is gone,
# dropping the framing.
follow_script() {
	local pid=$1

	tail -n +1 -F --pid="$pid" "$qdir/serial.log" 2>/dev/null | awk '
		{ sub(/\r$/, "") }
		/@@pvisor@@ script-begin/ { on = 1; next }
		on && /@@pvisor@@ script-end / {
			i = index($0, "@@pvisor@@")
			if (i > 1) printf "%s", substr($0, 1, i - 1)
			on = 0
			next
		}
		on { print; fflush() }'
}

# Under TCG, QEMU reads the frame of a user-mode iretq or lretq with
# supervisor privilege; with SMAP on, the host kernel takes the fault for a
# kernel bug and oopses, so any guest could take the test host down. The
# TCG CPU has no SMAP (Documentation/testing.rst, "iretq and SMAP"); KVM
# gives the machine's own CPU, SMAP and all.
accel=$(pick_accel)
if [ "$accel" = kvm ]; then
	cpu=host
else
	cpu=max,smap=off
fi

make_initramfs

rm -f "$qdir/console.log" "$qdir/serial.log" "$qdir/script.status"
: >"$qdir/serial.log"
cmdline="console=ttyS0 panic_on_warn=1 panic=-1 oops=panic"
cmdline+=" pvmode=$mode pvtimeout=$test_timeout pvaccel=$accel"
# The fuzzer's settings, test_user_context's cycle count,
# test_linux_stress's forks, test_linux_cycles's boots and test_scale's
# domains reach the tests as the init's environment: the kernel hands
# unknown NAME=VALUE words to init.
for v in PVISOR_FUZZ_SEED PVISOR_FUZZ_CALLS PVISOR_FUZZ_RUN_CALLS \
	PVISOR_FUZZ_VCPUS PVISOR_FUZZ_WILD_RUNS PVISOR_CONTEXT_CYCLES \
	PVISOR_LINUX_FORKS PVISOR_LINUX_CYCLES PVISOR_SCALE_DOMAINS; do
	[ -z "${!v:-}" ] || cmdline+=" $v=${!v}"
done
cmdline+=" ${PVISOR_CMDLINE:-}"
args=(-nodefaults -no-user-config -machine pc -accel "$accel" -cpu "$cpu"
	-smp "$smp" -m "$mem" -display none -no-reboot
	-kernel "$kernel" -initrd "$qdir/initramfs.cpio" -append "$cmdline")
channel=(-chardev "file,id=channel,path=$qdir/serial.log" -serial chardev:channel)

note "test host: kernel $kver, $accel, $smp vCPUs, $mem MiB, mode $mode"
note "console log: ${qdir#"$repo"/}/console.log"

if [ "$mode" = interactive ]; then
	limit=()
	[ "$qemu_timeout" -gt 0 ] && limit=(timeout --foreground "$qemu_timeout")
	exec "${limit[@]}" "$qemu" "${args[@]}" \
		-chardev "stdio,id=console,mux=on,signal=off,logfile=$qdir/console.log" \
		-serial chardev:console -mon chardev=console "${channel[@]}"
fi

limit=()
[ "$qemu_timeout" -gt 0 ] && limit=(timeout -k 10 "$qemu_timeout")
start=$SECONDS
"${limit[@]}" "$qemu" "${args[@]}" -monitor none \
	-chardev "file,id=console,path=$qdir/console.log" -serial chardev:console \
	"${channel[@]}" </dev/null >"$qdir/qemu.log" 2>&1 &
qpid=$!
fpid=
trap 'kill $qpid $fpid 2>/dev/null; exit 130' INT TERM HUP
if [ "$mode" = script ]; then
	follow_script "$qpid" &
	fpid=$!
fi
qrc=0
wait "$qpid" || qrc=$?
[ -z "$fpid" ] || wait "$fpid" || true
trap - INT TERM HUP
elapsed=$((SECONDS - start))

if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
	note "QEMU timed out after ${qemu_timeout}s (PVISOR_QEMU_TIMEOUT)"
	qrc=124
elif [ "$qrc" -ne 0 ]; then
	note "QEMU failed with status $qrc:"
	sed 's/^/#   /' "$qdir/qemu.log" >&2
else
	note "QEMU finished in ${elapsed}s"
fi

if [ "$mode" = check ]; then
	exit "$qrc"
fi

# Script mode: the exit status comes back on the channel.
status=$(tr -d '\r' <"$qdir/serial.log" | sed -n 's/.*@@pvisor@@ script-end \([0-9]*\)$/\1/p' | tail -n 1)
if [ -n "$status" ]; then
	echo "$status" >"$qdir/script.status"
	[ "$status" -eq 0 ] || note "script exited with status $status"
	exit "$status"
fi
insmod=$(tr -d '\r' <"$qdir/serial.log" | sed -n 's/.*@@pvisor@@ insmod \([0-9]*\)$/\1/p')
if [ -n "$insmod" ] && [ "$insmod" -ne 0 ]; then
	note "insmod pvisor.ko failed with status $insmod; the script did not run"
elif [ "$qrc" -ne 124 ]; then
	note "the test host stopped before the script finished"
fi
note "last lines of ${qdir#"$repo"/}/console.log:"
tail -n 40 "$qdir/console.log" 2>/dev/null | tr -d '\r' | sed 's/^/#   /' >&2
if [ "$qrc" -eq 124 ]; then
	exit 124
fi
exit 125
