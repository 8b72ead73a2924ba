#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Makes sure everything pvisor's build and test host need is installed.
# `make check` and `make run` call it first; it is quick and silent when
# nothing is missing.
#
# On Debian as root it installs what is missing with apt-get (one update,
# then one install, no recommends, no questions). Anyone else gets the
# command to run and exit status 1.
#
# Debian's linux-source-6.1 and the kernel's build tools (ccache among
# them) are always needed: plain make builds the Linux guest from it
# (scripts/linux-guest.sh). --debug-kernel adds what scripts/debug-kernel.sh
# needs besides to build the debug test kernel (make check KERNEL=debug).

set -euo pipefail

export PATH=$PATH:/usr/sbin:/sbin
libdir=/usr/lib/x86_64-linux-gnu
missing=()	# Debian packages
why=()		# what each one is for
debug_kernel=

case "${1:-}" in
--debug-kernel) debug_kernel=1 ;;
'') ;;
*) echo "usage: install-deps.sh [--debug-kernel]" >&2; exit 2 ;;
esac

need() {
	local pkg=$1 reason=$2 p

	for p in "${missing[@]}"; do
		[ "$p" = "$pkg" ] && return 0
	done
	missing+=("$pkg")
	why+=("$pkg: $reason")
}

have() {
	command -v "$1" >/dev/null 2>&1
}

# True when $1 is a 64-bit ELF file without a program interpreter
# (PT_INTERP), i.e. statically linked.
static_elf() {
	local f=$1 phoff size count i

	[ "$(od -An -t x1 -N 5 "$f" 2>/dev/null | tr -d ' ')" = 7f454c4602 ] || return 1
	phoff=$(od -An -t u8 -j 32 -N 8 "$f")
	size=$(od -An -t u2 -j 54 -N 2 "$f")
	count=$(od -An -t u2 -j 56 -N 2 "$f")
	for ((i = 0; i < count; i++)); do
		[ "$(od -An -t u4 -j $((phoff + i * size)) -N 4 "$f")" -eq 3 ] && return 1
	done
	return 0
}

# A static busybox: the test host has no libc to lend a dynamic one.
static_busybox() {
	[ -x /bin/busybox ] && static_elf /bin/busybox
}

# The newest Debian 6.1 cloud kernel with an image and a matching build
# tree (the Makefile's default test kernel; other series are fetched by
# scripts/host-kernel.sh).
cloud_kernel() {
	local d k

	for d in /lib/modules/6.1.*-cloud-amd64; do
		k=${d##*/}
		[ -f "/boot/vmlinuz-$k" ] && [ -d "$d/build" ] && echo "$k"
	done | sort -V | tail -n 1
}

python_has() {
	have python3 && python3 -c "import $1" 2>/dev/null
}

survey() {
	missing=()
	why=()
	have qemu-system-x86_64 || need qemu-system-x86 "qemu-system-x86_64 runs the test host"
	static_busybox || need busybox-static "a static /bin/busybox for the test host"
	have cpio || need cpio "cpio packs the test host's initramfs"
	have sparse || need sparse "sparse checks the module (make sparse)"
	if [ -z "$(cloud_kernel)" ]; then
		need linux-image-cloud-amd64 "the kernel the test host boots"
		need linux-headers-cloud-amd64 "its build tree, to build pvisor.ko"
	fi
	[ -f $libdir/libnl-3.a ] || need libnl-3-dev "libnl-3.a for the static pvctl"
	[ -f $libdir/libnl-genl-3.a ] || need libnl-genl-3-dev "libnl-genl-3.a for the static pvctl"
	[ -f $libdir/liburing.a ] || need liburing-dev "liburing.a for the static pvblkback (io_uring)"
	have pkg-config || need pkg-config "pkg-config finds libnl"
	python_has yaml || need python3-yaml "python3 and its yaml module (make check, spec tests)"
	python_has docutils || need python3-docutils "docutils, to check Documentation/*.rst"
	have gcc || need gcc "the C compiler"
	have make || need make "make"
	[ -f $libdir/libc.a ] || need libc6-dev "libc.a for static binaries"
	have modinfo || need kmod "modinfo for the test host's modules"
	have depmod || need kmod "depmod for the test host's modules"
	# The Linux guest (scripts/linux-guest.sh), which plain make builds,
	# and the debug kernel come from Debian's kernel source.
	[ -f /usr/src/linux-source-6.1.tar.xz ] ||
		need linux-source-6.1 "the Linux guest's and the debug kernel's source"
	have xz || need xz-utils "xz unpacks the kernel source"
	have ccache || need ccache "ccache keeps kernel rebuilds cheap"
	have patch || need patch "patch applies the Linux guest's series"
	have bc || need bc "bc, for the kernel build"
	have bison || need bison "bison, for the kernel build"
	have flex || need flex "flex, for the kernel build"
	have perl || need perl "perl, for the kernel build"
	[ -x /usr/bin/linux.uml ] || need user-mode-linux "User-Mode Linux, make bench's peer column for guest processes"
	have pahole || need dwarves "pahole, for the BTF of modules built against 6.12 (make check KERNEL=6.12)"
	[ -n "$debug_kernel" ] || return 0
	[ -f /usr/include/libelf.h ] || need libelf-dev "libelf, for objtool"
	[ -f /usr/include/openssl/ssl.h ] || need libssl-dev "openssl headers, for the kernel build"
}

survey
if [ ${#missing[@]} -eq 0 ]; then
	k=$(cloud_kernel)
	if [ ! -r "/boot/vmlinuz-$k" ]; then
		echo "install-deps: /boot/vmlinuz-$k is not readable by you; QEMU must read it:" >&2
		echo "    sudo chmod 0644 /boot/vmlinuz-$k" >&2
		exit 1
	fi
	exit 0
fi

echo "install-deps: missing:" >&2
printf '    %s\n' "${why[@]}" >&2

if [ "$(id -u)" -ne 0 ] || [ ! -f /etc/debian_version ] || ! have apt-get; then
	echo "install-deps: as root on Debian 12, run:" >&2
	echo "    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-deps: apt-get install ${missing[*]}" >&2
apt-get update -q -o Acquire::Retries=3 >&2
apt-get install -y -q -o Acquire::Retries=3 --no-install-recommends "${missing[@]}" >&2

survey
if [ ${#missing[@]} -ne 0 ]; then
	echo "install-deps: still missing after apt-get:" >&2
	printf '    %s\n' "${why[@]}" >&2
	exit 1
fi
echo "install-deps: done" >&2
