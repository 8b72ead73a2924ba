#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# usage: module-dir.sh DIR
#
# Makes DIR (absolute) a place kbuild can build pvisor.ko in, out of the
# source tree: kbuild runs with M=DIR and finds there a mirror of the
# module's sources made of symbolic links (Kbuild, uapi/ and each file of
# kmod/), so that the objects, .cmd files and pvisor.ko land in DIR's own
# kmod/ and the tree stays clean. Links rather than copies: an edit is
# seen at once and make judges a source by its own time. Links rather
# than kbuild's `src` override: kernels from 6.12 on find sources beside
# objects, and links work on every kernel pvisor supports. One directory
# per kernel the module is built for keeps their objects apart. Links to
# files that are gone are removed, so a deleted source is not built.

set -eu

[ $# -eq 1 ] || { echo "usage: module-dir.sh DIR" >&2; exit 2; }
case "$1" in
/*) ;;
*) echo "module-dir.sh: DIR must be absolute (kbuild's M=), not '$1'" >&2; exit 2 ;;
esac
dir=$1
tree=$(cd "$(dirname "$0")/.." && pwd)

mkdir -p "$dir/kmod"
ln -sfn "$tree/Kbuild" "$dir/Kbuild"
ln -sfn "$tree/uapi" "$dir/uapi"
for f in "$tree"/kmod/*.[ch]; do
	ln -sfn "$f" "$dir/kmod/${f##*/}"
done
for l in "$dir"/kmod/*.[ch]; do
	[ -L "$l" ] && [ ! -e "$l" ] && rm -f "$l"
done
exit 0
