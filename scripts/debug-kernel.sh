#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds the debug test kernel for `make check KERNEL=debug`: Debian's
# linux-source-6.1 with KASAN, lockdep, kmemleak, UBSAN and friends
# (selftests/qemu/debug.config on top of allnoconfig), no debug info,
# compiled through ccache. Documentation/testing.rst has the figures.
#
# usage: debug-kernel.sh [--build DIR] [--print-kdir|--print-image|--print-kver]
#
# The tree is unpacked into DIR/debug-kernel/src and built into
# DIR/debug-kernel/obj (the KDIR to build pvisor.ko against, with
# Module.symvers). DIR/debug-kernel/stamp records what the build was made
# from: the package version, the hashes of the fragment and of this script,
# and the compiler. When it matches, nothing is rebuilt; when only the
# configuration changed, the unpacked source is kept and make rebuilds what
# changed (ccache makes even a full rebuild cheap). Progress goes to stderr,
# make's output to DIR/debug-kernel/build.log.
#
# Environment: CCACHE_DIR as ccache reads it (default ~/.cache/ccache);
# PVISOR_KERNEL_JOBS, make's -j (default: the number of CPUs).

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
name=debug-kernel
. "$here/kernel-source.sh"
build=$repo/build
print=
fragment=$repo/selftests/qemu/debug.config
jobs=${PVISOR_KERNEL_JOBS:-$(nproc)}

while [ $# -gt 0 ]; do
	case "$1" in
	--build) build=${2:?}; shift ;;
	--print-kdir|--print-image|--print-kver) print=${1#--print-} ;;
	-h|--help) sed -n 's/^# \{0,1\}//; /^usage:/,/^$/p' "$0" >&2; exit 0 ;;
	*) echo "debug-kernel.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done

dir=$build/debug-kernel
src=$dir/src
obj=$dir/obj
image=$obj/arch/x86/boot/bzImage
log=$dir/build.log

case "$print" in
kdir) echo "$obj"; exit 0 ;;
image) echo "$image"; exit 0 ;;
kver) cat "$obj/include/config/kernel.release"; exit 0 ;;
esac

version=$(ksrc_version)
want="package $ksrc_package $version
fragment $(sha256sum <"$fragment" | cut -d' ' -f1)
script $(sha256sum <"${BASH_SOURCE[0]}" | cut -d' ' -f1)
lib $(sha256sum <"$here/kernel-source.sh" | cut -d' ' -f1)
compiler $(gcc --version | head -n 1)"

if [ -f "$image" ] && [ -f "$obj/Module.symvers" ] &&
	[ "$(cat "$dir/stamp" 2>/dev/null)" = "$want" ]; then
	note "up to date ($(cat "$obj/include/config/kernel.release"))"
	exit 0
fi
rm -f "$dir/stamp"
mkdir -p "$dir"

# A new package version gets a fresh tree; the object directory goes with
# it, since its dependency files name the old sources.
ksrc_unpack "$dir" "$version" || rm -rf "$obj"
ksrc_env "$dir" "$version"
kmake=(make -C "$src" O="$obj" CC="ccache gcc" HOSTCC="ccache gcc" -j"$jobs")

note "configuring (allnoconfig + ${fragment#"$repo"/})"
mkdir -p "$obj"
"${kmake[@]}" KCONFIG_ALLCONFIG="$fragment" allnoconfig >"$log" 2>&1 ||
	{ tail -n 20 "$log" >&2; die "configuration failed; see $log"; }

ksrc_check_fragment "$fragment" "$obj/.config" ||
	die "${fragment#"$repo"/} does not apply cleanly"

note "building $(cat "$obj/include/config/kernel.release" 2>/dev/null || echo kernel) with -j$jobs (log: $log)"
start=$SECONDS
"${kmake[@]}" all >>"$log" 2>&1 ||
	{ tail -n 30 "$log" >&2; die "build failed; see $log"; }
echo "$want" >"$dir/stamp"
note "built in $((SECONDS - start)) s: $image"
ccache --show-stats 2>/dev/null | grep -iE 'hits|misses' | sed 's/^/debug-kernel: ccache: /' >&2 || true
