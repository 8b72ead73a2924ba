#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make install, make uninstall and make dkms-install, into scratch
# DESTDIRs on the build machine (TAP 13): every file lands at its FHS
# path for the PREFIX asked, the systemd unit names the installed daemon,
# the installed module says its version, ABI and parameters, the man pages
# render, uninstall leaves nothing behind, and DKMS gets a buildable
# source tree whose version agrees with the module's. Nothing is
# installed on the machine itself and no module is loaded.

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
count=0
failures=0

ok() {
	count=$((count + 1))
	if "${@:2}" >/dev/null 2>&1; then
		echo "ok $count $1"
	else
		failures=$((failures + 1))
		echo "not ok $count $1"
	fi
}

skip() {
	count=$((count + 1))
	echo "ok $count $1 # SKIP $2"
}

echo "TAP version 13"

dest=$tmp/usr-root
ok "make install DESTDIR=... PREFIX=/usr succeeds" \
	make -s install DESTDIR="$dest" PREFIX=/usr
# make install installs the stock build's module (the Makefile's KO),
# whichever kernel the test host boots.
release=$(modinfo -F vermagic "${PVISOR_BUILD:-$top/build}/module/pvisor.ko" | cut -d' ' -f1)
for f in "lib/modules/$release/extra/pvisor.ko" usr/sbin/pvctl usr/sbin/pvrun \
	usr/sbin/pvisord usr/lib/systemd/system/pvisord.service \
	usr/share/man/man8/pvctl.8 usr/share/man/man8/pvrun.8 \
	usr/share/man/man8/pvisord.8 usr/share/man/man4/pvisor.4 \
	usr/share/man/man5/pvisor.cfg.5; do
	ok "installs /$f" test -f "$dest/$f"
done
ok "the tools are executable" test -x "$dest/usr/sbin/pvctl" -a -x "$dest/usr/sbin/pvisord"
ok "the unit starts /usr/sbin/pvisord" \
	grep -qx 'ExecStart=/usr/sbin/pvisord --foreground' \
	"$dest/usr/lib/systemd/system/pvisord.service"

ko=$dest/lib/modules/$release/extra/pvisor.ko
want=$(sed -n 's/^#define PVISOR_VERSION\t"\(.*\)"/\1/p' kmod/version.h)
ok "the installed module's version is kmod/version.h's ($want)" \
	test "$(modinfo -F version "$ko")" = "$want"
ok "dkms.conf's PACKAGE_VERSION agrees" \
	grep -qx "PACKAGE_VERSION=\"$want\"" dkms.conf
abi=$(sed -n 's/^#define PVISOR_ABI_VERSION[ \t]*\([0-9]*\).*/\1/p' uapi/pvisor/device.h)
ok "modinfo shows the ABI version ($abi)" test "$(modinfo -F abi_version "$ko")" = "$abi"
ok "modinfo shows a description, author and licence" \
	test -n "$(modinfo -F description "$ko")" -a -n "$(modinfo -F author "$ko")" \
	-a "$(modinfo -F license "$ko")" = GPL
params=$(grep -ho 'module_param(\w*' kmod/*.c | sed 's/module_param(//' | sort)
described=$(modinfo -F parm "$ko" | sed -n 's/^\([a-z_]*\):..*/\1/p' | sort)
ok "modinfo describes every module parameter ($(echo $params))" \
	test "$params" = "$described"

if command -v man >/dev/null; then
	for page in "$dest"/usr/share/man/man*/*; do
		ok "man renders ${page##*/}" \
			bash -c 'MANWIDTH=80 man -l "$1" 2>&1 | grep -q "^NAME"' _ "$page"
	done
else
	skip "man renders the pages" "no man here"
fi

ok "make uninstall DESTDIR=... PREFIX=/usr succeeds" \
	make -s uninstall DESTDIR="$dest" PREFIX=/usr
ok "uninstall leaves no file behind" test -z "$(find "$dest" -type f)"

opt=$tmp/opt-root
ok "make install PREFIX=/opt/pvisor succeeds" \
	make -s install DESTDIR="$opt" PREFIX=/opt/pvisor
ok "there the unit starts /opt/pvisor/sbin/pvisord" \
	grep -qx 'ExecStart=/opt/pvisor/sbin/pvisord --foreground' \
	"$opt/opt/pvisor/lib/systemd/system/pvisord.service"
ok "and the tools are in /opt/pvisor/sbin" test -x "$opt/opt/pvisor/sbin/pvctl"

dk=$tmp/dkms-root
ok "make dkms-install DESTDIR=... succeeds" make -s dkms-install DESTDIR="$dk"
src=$dk/usr/src/pvisor-$want
ok "DKMS gets dkms.conf, Kbuild, kmod/ and uapi/ in /usr/src/pvisor-$want" \
	test -f "$src/dkms.conf" -a -f "$src/Kbuild" -a -f "$src/kmod/main.c" \
	-a -f "$src/uapi/pvisor/hypercall.h"
ok "the DKMS tree holds every source the Kbuild names" \
	bash -c 'for o in $(sed -n "s/^pvisor-y [:+]= kmod\/\(.*\)\.o/\1/p" "$1/Kbuild"); do
		[ -f "$1/kmod/$o.c" ] || exit 1; done' _ "$src"
ok "and no build output" test -z "$(find "$src" -name '*.o' -o -name '*.ko' -o -name '.*.cmd')"

ok "the build left nothing in the source tree (everything is in build/)" \
	test -z "$(find "$top" \( -path "$top/build" -o -path "$top/.git" \) -prune -o \
		-type f \( -name '*.o' -o -name '*.a' -o -name '*.d' -o -name '*.ko' \
		-o -name '*.mod' -o -name '*.mod.c' -o -name '*.elf' -o -name '.*.cmd' \
		-o -name Module.symvers -o -name modules.order \) -print)"
ok "and no program built beside its source" \
	test -z "$(find "$top/selftests" "$top/userspace" "$top/benchmarks" \
		-type f -perm -u+x ! -name '*.*' ! -path "$top/selftests/qemu/init" -print)"

echo "1..$count"
[ "$failures" -eq 0 ]
