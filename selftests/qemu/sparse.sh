#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# usage: sparse.sh KDIR LOG
#
# Builds pvisor.ko against the kernel tree KDIR with sparse run over every
# source file (kbuild's C=2), in a module directory of its own beside LOG
# (scripts/module-dir.sh), keeps the whole output in LOG, and reports
# what sparse said about this tree's own files; warnings inside the
# kernel's headers are the kernel's business.
#
# Exit status: 0 clean, 1 sparse had something to say, 2 the build failed.

set -uo pipefail

[ $# -eq 2 ] || { echo "usage: sparse.sh KDIR LOG" >&2; exit 2; }
kdir=$1
log=$2
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
real=$(realpath "$repo")

command -v sparse >/dev/null || { echo "sparse: not installed (scripts/install-deps.sh)"; exit 2; }
[ -d "$kdir" ] || { echo "sparse: no kernel build tree at $kdir"; exit 2; }
mkdir -p "$(dirname "$log")"
out=$(cd "$(dirname "$log")" && pwd)/sparse-module
"$repo/scripts/module-dir.sh" "$out"

# C=2 checks every file, built or not: a fresh directory is not needed.
make -C "$kdir" M="$out" C=2 CHECK=sparse modules >"$log" 2>&1
rc=$?

findings=$(awk -v a="$repo/" -v b="$real/" '
	/: (warning|error): / &&
	(index($0, a) == 1 || index($0, b) == 1 || $0 ~ /^(kmod|uapi)\//)
' "$log")

if [ "$rc" -ne 0 ]; then
	echo "sparse: the build failed with status $rc; last lines of $log:"
	tail -n 25 "$log"
	exit 2
fi
if [ -n "$findings" ]; then
	echo "sparse: $(echo "$findings" | wc -l) finding(s) in this tree (full output: $log):"
	echo "$findings"
	exit 1
fi
echo "sparse: clean (full output: $log)"
