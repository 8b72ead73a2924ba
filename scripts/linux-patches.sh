#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Working on the Linux guest's patch series (Documentation/linux-port.rst,
# "Changing the port").
#
# usage: linux-patches.sh [--build DIR] checkout | export
#
#   checkout  DIR/linux-dev: a git repository holding the pristine files of
#             Debian's linux-source-6.1 that the series touches (arch/um,
#             arch/x86/um and the few others the patches name), one
#             commit for the pristine tree and one per patch (git am).
#             Edit there, commit (git commit --fixup, git rebase -i ...).
#   export    writes the commits back as guest-port/linux/patches/*.patch
#             (git format-patch) and the series file in their order.
#
# make (scripts/linux-guest.sh) then takes the old series off the build
# tree and applies the new one.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
name=linux-patches
. "$here/kernel-source.sh"
build=$repo/build
port=$repo/guest-port/linux
git=(git -c user.name=pvisor -c user.email=pvisor@invalid)

[ "${1:-}" = --build ] && { build=${2:?}; shift 2; }
dev=$build/linux-dev

case "${1:-}" in
checkout)
	[ ! -e "$dev" ] || die "$dev exists: export or delete it first"
	version=$(ksrc_version)
	# Every file the series names, as the package has it.
	mapfile -t files < <(sed -n 's#^--- a/##p; s#^+++ b/##p' "$port"/patches/*.patch |
		sort -u | sed 's#^#linux-source-6.1/#')
	mkdir -p "$dev.tmp"
	tar -xJf "$ksrc_tarball" -C "$dev.tmp" --ignore-failed-read \
		linux-source-6.1/arch/um linux-source-6.1/arch/x86/um "${files[@]}" 2>/dev/null || true
	mv "$dev.tmp/linux-source-6.1" "$dev"
	rmdir "$dev.tmp"
	cd "$dev"
	"${git[@]}" init -q
	"${git[@]}" add -A
	"${git[@]}" commit -q -m "pristine $ksrc_package $version"
	grep -v '^#' "$port/series" | sed '/^$/d; s#^#'"$port"'/patches/#' |
		xargs "${git[@]}" am -q
	note "$dev: $(git rev-list --count HEAD) commits; edit, commit, then export"
	;;
export)
	cd "$dev"
	base=$(git rev-list --max-parents=0 HEAD)
	rm -f "$port"/patches/*.patch
	git format-patch -q --no-signature --zero-commit --no-numbered \
		-o "$port/patches" "$base"
	{
		echo "# The Linux guest's patch series, in order, against Debian's linux-source-6.1"
		echo "# (scripts/linux-guest.sh applies it; Documentation/linux-port.rst)."
		(cd "$port/patches" && ls ./*.patch | sed 's#^\./##')
	} >"$port/series"
	note "exported $(grep -vc '^#' "$port/series") patches"
	;;
*)
	sed -n 's/^# \{0,1\}//; /^usage:/,/^$/p' "$0" >&2
	exit 2
	;;
esac
