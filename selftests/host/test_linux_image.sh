#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Linux guest's image as scripts/linux-guest.sh built it, on the build
# machine (TAP 13): a static x86-64 ELF executable with nothing for a
# loader to do (no PT_INTERP, PT_DYNAMIC or PT_TLS, no undefined symbol,
# none of glibc's start-up code), every PT_LOAD inside pvisor's guest
# window with the first at its base plus 1 MiB (pfn 256, where the
# builder expects the kernel), the entry at os-pvisor's _start in an
# executable segment, and a build that is up to date by its stamp (a
# warm make rebuilds nothing). Booting it is test_linux_boot.sh's job.

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${PVISOR_BUILD:-$top/build}
image=$build/linux/linux.elf
hdr=$top/uapi/pvisor/hypercall.h
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

echo "TAP version 13"
if [ ! -f "$image" ]; then
	echo "1..0 # SKIP no $image: make builds it (scripts/linux-guest.sh)"
	exit 0
fi

# The window, from the ABI header itself.
define() {
	sed -n "s/^#define $1[[:space:]]*\\(0x[0-9a-fA-F]*\\)ULL.*/\\1/p" "$hdr"
}
base=$(($(define PVISOR_WINDOW_BASE)))
size=$(($(define PVISOR_WINDOW_SIZE)))

headers=$(readelf -h "$image")
phdrs=$(readelf -lW "$image")
ok "an ELF64 executable for x86-64" \
	eval 'grep -q "Class: *ELF64" <<<"$headers" &&
	      grep -q "Type: *EXEC" <<<"$headers" &&
	      grep -q "Machine: *Advanced Micro Devices X86-64" <<<"$headers"'
ok "no PT_INTERP, PT_DYNAMIC or PT_TLS (the builder refuses them)" \
	eval '! grep -qE "^ *(INTERP|DYNAMIC|TLS) " <<<"$phdrs"'

loads=$(awk '$1 == "LOAD" { print $3, $6 }' <<<"$phdrs")
first=$(head -n 1 <<<"$loads" | cut -d' ' -f1)
ok "the first PT_LOAD is at the window base plus 1 MiB" \
	eval '[ $((first)) -eq $((base + 0x100000)) ]'
inside() {
	local vaddr memsz

	[ -n "$loads" ] || return 1
	while read -r vaddr memsz; do
		[ $((vaddr)) -ge "$base" ] &&
			[ $((vaddr + memsz)) -le $((base + size)) ] || return 1
	done <<<"$loads"
}
ok "every PT_LOAD lies inside the guest window" inside

entry=$(sed -n 's/^ *Entry point address: *//p' <<<"$headers")
start=$(nm "$image" | awk '$3 == "_start" { print "0x" $1 }')
ok "the entry is os-pvisor's _start" \
	eval '[ -n "$start" ] && [ $((entry)) -eq $((start)) ]'
# readelf -lW: LOAD offset vaddr paddr filesz memsz flags... align; the
# flags may be one field (RWE) or two (R E).
in_exec() {
	local type off vaddr paddr filesz memsz flags

	while read -r type off vaddr paddr filesz memsz flags; do
		[ "$type" = LOAD ] && [[ ${flags% *} == *E* ]] &&
			[ $((entry)) -ge $((vaddr)) ] &&
			[ $((entry)) -lt $((vaddr + memsz)) ] && return 0
	done <<<"$phdrs"
	return 1
}
ok "the entry lies in an executable segment" in_exec

ok "no undefined symbol" eval '[ -z "$(nm -u "$image")" ]'
ok "none of glibc's start-up code or malloc wrappers" \
	eval '! nm "$image" | grep -qwE "__libc_start_main|_dl_relocate_static_pie|__wrap_malloc|__libc_csu_init"'

ok "the build is up to date by its stamp" \
	eval '"$top/scripts/linux-guest.sh" --build "$build" 2>&1 | grep -q "up to date"'

echo "1..$count"
echo "# $((count - failures)) of $count checks passed"
[ "$failures" -eq 0 ]
