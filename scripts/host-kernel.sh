#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetches another Debian 12 cloud kernel for the test host without
# installing it on this machine: `make check KERNEL=6.12` boots it. The
# packages (image, headers, their common part, kbuild) are downloaded
# with apt-get download and unpacked with dpkg -x under
# DIR/host-kernel/RELEASE/root, so the machine's own kernels, and the
# kernel plain `make check` picks, stay as they are.
#
# usage: host-kernel.sh [--build DIR] SERIES
#        SERIES is a kernel series Debian 12 ships cloud kernels of, e.g.
#        6.12; the newest release of it apt knows is taken.
#
# Prints the release (e.g. 6.12.111+deb12-cloud-amd64) on stdout; the
# image is DIR/host-kernel/RELEASE/root/boot/vmlinuz-RELEASE, the build
# tree DIR/host-kernel/RELEASE/root/usr/src/linux-headers-RELEASE, the
# modules under DIR/host-kernel/RELEASE/root/lib/modules/RELEASE. A
# release already unpacked is not fetched again.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$(cd "$here/.." && pwd)/build
series=

while [ $# -gt 0 ]; do
	case "$1" in
	--build) build=${2:?}; shift ;;
	-h|--help) sed -n 's/^# \{0,1\}//; /^usage:/,/^$/p' "$0" >&2; exit 0 ;;
	-*) echo "host-kernel.sh: unknown option '$1'" >&2; exit 2 ;;
	*) series=$1 ;;
	esac
	shift
done

note() {
	echo "host-kernel: $*" >&2
}

die() {
	note "$*"
	exit 1
}

[[ "$series" =~ ^[0-9]+\.[0-9]+$ ]] || die "name a kernel series such as 6.12, not '$series'"
re="^linux-image-${series//./\\.}\\.[0-9]+\\+deb12-cloud-amd64\$"
release=$(apt-cache search --names-only "$re" 2>/dev/null |
	  sed -n 's/^linux-image-\([^ ]*\) .*/\1/p' | sort -V | tail -n 1)
[ -n "$release" ] || die "apt knows no linux-image-$series.*+deb12-cloud-amd64 (apt-get update?)"
common=${release%-cloud-amd64}
upstream=${common%+deb12}

dir=$build/host-kernel/$release
root=$dir/root
headers=$root/usr/src/linux-headers-$release
if [ -f "$dir/stamp" ]; then
	note "$release: unpacked already"
	echo "$release"
	exit 0
fi

rm -rf "$dir"
mkdir -p "$dir/debs"
note "$release: downloading"
(cd "$dir/debs" && apt-get download -q \
	"linux-image-$release" "linux-headers-$release" \
	"linux-headers-$common-common" "linux-kbuild-$common" >&2) ||
	die "apt-get download failed"
for deb in "$dir"/debs/*.deb; do
	dpkg -x "$deb" "$root"
done
# The headers' Makefile names the common tree by its installed path.
sed -i "s#^include /usr/src/#include $root/usr/src/#" "$headers/Makefile"
[ -f "$root/boot/vmlinuz-$release" ] || die "no image in linux-image-$release"
[ -f "$headers/Module.symvers" ] || die "no build tree in linux-headers-$release"
chmod 0644 "$root/boot/vmlinuz-$release"
rm -rf "$dir/debs"
echo "$upstream" >"$dir/stamp"
note "$release: ready in ${dir#"$build"/}"
echo "$release"
