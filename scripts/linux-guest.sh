#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds pvisor's Linux guest: Debian's linux-source-6.1 with the patch
# series guest-port/linux/series applied, configured by
# guest-port/linux/pvisor_defconfig on top of allnoconfig (ARCH=um, the
# pvisor flavour), compiled through ccache. Documentation/linux-port.rst
# explains the port and has the build times.
#
# usage: linux-guest.sh [--build DIR] [--print-image]
#
# The tree is unpacked into DIR/linux/src once per package version; the
# series is applied to it, and when the series changes the old one is
# taken off first (patch -R from DIR/linux/applied/), so that only the
# files the patches touch look new to make, and of those only the ones
# whose content changed. Objects go to DIR/linux/obj;
# the image is DIR/linux/obj/vmlinux, copied to DIR/linux/linux.elf.
# DIR/linux/stamp records what the image was made from: the package
# version, the hashes of the series, the configuration and of this
# script, and the compiler. When it matches, nothing runs at all.
# Progress goes to stderr, make's output to DIR/linux/build.log.
#
# Environment: CCACHE_DIR as ccache reads it (default ~/.cache/ccache);
# PVISOR_KERNEL_JOBS, make's -j (default: the number of CPUs).

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
name=linux-guest
. "$here/kernel-source.sh"
build=$repo/build
print=
port=$repo/guest-port/linux
config=$port/pvisor_defconfig
jobs=${PVISOR_KERNEL_JOBS:-$(nproc)}

while [ $# -gt 0 ]; do
	case "$1" in
	--build) build=${2:?}; shift ;;
	--print-image) print=image ;;
	-h|--help) sed -n 's/^# \{0,1\}//; /^usage:/,/^$/p' "$0" >&2; exit 0 ;;
	*) echo "linux-guest.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done

dir=$build/linux
src=$dir/src
obj=$dir/obj
image=$dir/linux.elf
log=$dir/build.log

if [ "$print" = image ]; then
	echo "$image"
	exit 0
fi

# The series, in order; every name must be a file in patches/.
series=()
while read -r p; do
	case "$p" in ''|'#'*) continue ;; esac
	[ -f "$port/patches/$p" ] || die "series names $p, which is not in ${port#"$repo"/}/patches"
	series+=("$p")
done <"$port/series"

version=$(ksrc_version)
patches_hash=$(cd "$port/patches" && cat "${series[@]}" /dev/null | sha256sum | cut -d' ' -f1)
want="package $ksrc_package $version
series $(printf '%s\n' "${series[@]}" | sha256sum | cut -d' ' -f1) $patches_hash
config $(sha256sum <"$config" | cut -d' ' -f1)
script $(cat "${BASH_SOURCE[0]}" "$here/kernel-source.sh" | sha256sum | cut -d' ' -f1)
compiler $(gcc --version | head -n 1)"

if [ -f "$image" ] && [ "$(cat "$dir/stamp" 2>/dev/null)" = "$want" ]; then
	note "up to date ($image)"
	exit 0
fi
rm -f "$dir/stamp"
mkdir -p "$dir"

# A new package version: a fresh tree, no patches on it, no old objects.
if ! ksrc_unpack "$dir" "$version"; then
	rm -rf "$obj" "$dir/applied"
fi

# The series on the tree is the one in DIR/linux/applied (its order in
# applied/series). Take it off unless it is the one wanted, then put the
# wanted one on. A patch that does not apply leaves the tree as it was.
#
# Taking a series off and putting one on rewrites every file it touches,
# and some of them (asm/pgtable.h) are in nearly every object: a file
# whose content comes out as it was keeps its old time (DIR/linux/times),
# so that make rebuilds only what the change of series really changed.
if [ -d "$dir/applied" ] &&
	[ "$(cat "$dir/applied/hash" 2>/dev/null)" != "$patches_hash" ]; then
	sed -n 's#^+++ b/##p' "$dir"/applied/*.patch | sort -u | while read -r f; do
		[ -f "$src/$f" ] || continue
		echo "$(stat -c %Y "$src/$f") $(sha256sum <"$src/$f" | cut -d' ' -f1) $f"
	done >"$dir/times"
	note "taking the old series off"
	tac "$dir/applied/series" | while read -r p; do
		patch -d "$src" -p1 -R -s -f <"$dir/applied/$p" >/dev/null ||
			die "cannot take $p off $src: delete $dir and build again"
	done
	rm -rf "$dir/applied"
fi
if [ ! -d "$dir/applied" ]; then
	note "applying ${#series[@]} patches"
	mkdir -p "$dir/applying"
	: >"$dir/applying/series"
	for p in "${series[@]}"; do
		if ! patch -d "$src" -p1 -s -f -N <"$port/patches/$p" >"$dir/patch.log" 2>&1; then
			cat "$dir/patch.log" >&2
			tac "$dir/applying/series" | while read -r q; do
				patch -d "$src" -p1 -R -s -f <"$dir/applying/$q" >/dev/null
			done
			rm -rf "$dir/applying"
			die "$p does not apply to $ksrc_package $version"
		fi
		cp "$port/patches/$p" "$dir/applying/"
		echo "$p" >>"$dir/applying/series"
	done
	echo "$patches_hash" >"$dir/applying/hash"
	mv "$dir/applying" "$dir/applied"
fi
if [ -f "$dir/times" ]; then
	kept=0
	while read -r t h f; do
		[ -f "$src/$f" ] &&
			[ "$(sha256sum <"$src/$f" | cut -d' ' -f1)" = "$h" ] || continue
		touch -m -d "@$t" "$src/$f"
		kept=$((kept + 1))
	done <"$dir/times"
	rm -f "$dir/times"
	note "$kept unchanged files keep their times"
fi

ksrc_env "$dir" "$version"
kmake=(make -C "$src" O="$obj" ARCH=um CC="ccache gcc" HOSTCC="ccache gcc"
	PVISOR_UAPI="$repo/uapi" -j"$jobs")

note "configuring (allnoconfig + ${config#"$repo"/})"
mkdir -p "$obj"
"${kmake[@]}" KCONFIG_ALLCONFIG="$config" allnoconfig >"$log" 2>&1 ||
	{ tail -n 20 "$log" >&2; die "configuration failed; see $log"; }
ksrc_check_fragment "$config" "$obj/.config" ||
	die "${config#"$repo"/} does not apply cleanly"

note "building with -j$jobs (log: $log)"
start=$SECONDS
"${kmake[@]}" vmlinux >>"$log" 2>&1 ||
	{ tail -n 30 "$log" >&2; die "build failed; see $log"; }
cp "$obj/vmlinux" "$image.new"
mv "$image.new" "$image"
echo "$want" >"$dir/stamp"
note "built in $((SECONDS - start)) s: $image"
