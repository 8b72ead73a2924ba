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
build=$repo/build
print=
tarball=/usr/src/linux-source-6.1.tar.xz
package=linux-source-6.1
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

note() {
	echo "debug-kernel: $*" >&2
}

die() {
	note "$*"
	exit 1
}

[ -r "$tarball" ] || die "no $tarball: install $package (scripts/install-deps.sh)"
command -v ccache >/dev/null || die "no ccache: install it (scripts/install-deps.sh)"
version=$(dpkg-query -W -f='${Version}' "$package" 2>/dev/null) ||
	die "$package is not installed as a package"
want="package $package $version
fragment $(sha256sum <"$fragment" | cut -d' ' -f1)
script $(sha256sum <"${BASH_SOURCE[0]}" | cut -d' ' -f1)
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
if [ "$(cat "$dir/src.version" 2>/dev/null)" != "$version" ]; then
	note "unpacking $tarball ($package $version)"
	rm -rf "$src" "$obj" "$dir/src.version" "$dir/unpack"
	mkdir -p "$dir/unpack"
	tar -xJf "$tarball" -C "$dir/unpack"
	mv "$dir/unpack/$package" "$src"
	rmdir "$dir/unpack"
	echo "$version" >"$dir/src.version"
fi

# Fixed build metadata and paths relative to the build directory let
# ccache hit across runs and across clones in other directories.
export KBUILD_BUILD_TIMESTAMP="$package $version"
export KBUILD_BUILD_USER=pvisor KBUILD_BUILD_HOST=pvisor
export CCACHE_BASEDIR=$dir
# A fresh tree's generated headers are newer than the compile's start,
# which would keep ccache from its fast (direct) mode for every file.
export CCACHE_SLOPPINESS=include_file_mtime,include_file_ctime,time_macros
kmake=(make -C "$src" O="$obj" CC="ccache gcc" HOSTCC="ccache gcc" -j"$jobs")

note "configuring (allnoconfig + ${fragment#"$repo"/})"
mkdir -p "$obj"
"${kmake[@]}" KCONFIG_ALLCONFIG="$fragment" allnoconfig >"$log" 2>&1 ||
	{ tail -n 20 "$log" >&2; die "configuration failed; see $log"; }

# Kconfig drops a request whose dependencies are unmet without a word:
# every line of the fragment must be in the result.
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*) grep -qxF -- "$line" "$obj/.config" || { note "not applied: $line"; bad=1; } ;;
	'# CONFIG_'*' is not set')
		sym=${line#\# }
		sym=${sym%% *}
		! grep -q "^$sym=" "$obj/.config" || { note "not applied: $line"; bad=1; }
		;;
	esac
done <"$fragment"
[ "$bad" -eq 0 ] || die "${fragment#"$repo"/} does not apply cleanly"

note "building $(cat "$obj/include/config/kernel.release" 2>/dev/null || echo kernel) with -j$jobs (log: $log)"
start=$SECONDS
"${kmake[@]}" all >>"$log" 2>&1 ||
	{ tail -n 30 "$log" >&2; die "build failed; see $log"; }
echo "$want" >"$dir/stamp"
note "built in $((SECONDS - start)) s: $image"
ccache --show-stats 2>/dev/null | grep -iE 'hits|misses' | sed 's/^/debug-kernel: ccache: /' >&2 || true
