#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs static Linux x86-64 programs in Debian's User-Mode Linux
# (user-mode-linux, UML 6.1 in its ptrace mode) booted once inside the
# test host, for make bench's UML columns: the guest-process figures
# (7)-(9) and Figure 3. run-bench.sh calls it; it works in any Linux
# with busybox.
#
# usage: uml-run.sh ROUNDS PROG...
#        uml-run.sh --prompt PROMPT REPS
#
# Each PROG runs ROUNDS times, in order, inside UML; their stdout comes
# out on ours, carriage returns removed, without UML's kernel messages
# (lines that do not start with "@@"). The root UML boots is a hostfs
# directory in /tmp holding busybox, the programs and an init script
# (bench-lib.sh, the same root the Linux guest gets in linux-run.sh); its
# memory file is in $TMPDIR (the test host's /tmp, a tmpfs). UML has one
# CPU (Debian builds it without SMP).
#
# --prompt boots UML REPS times to an interactive shell whose prompt is
# PROMPT and times each boot, from the exec of UML until PROMPT is on its
# console (bin/boottime until: the line boot.prompt.until). boottime
# bounds each boot itself (300 s to the prompt, 60 s more to the end).
#
# Exits 0 when the init ran every program and said so, 1 otherwise (then
# the console's tail goes to stderr). A program's own failure is its
# "@@bench-error" line, passed on, and status 1.
#
# PVISOR_UML          the UML kernel (default /usr/bin/linux.uml)
# PVISOR_UML_MEM      its memory (default 128M)
# PVISOR_UML_TIMEOUT  seconds for the whole run (default 1200; TCG is slow)

here=$(cd "$(dirname "$0")" && pwd)
. "$here/bench-lib.sh"

UML=${PVISOR_UML:-/usr/bin/linux.uml}
MEM=${PVISOR_UML_MEM:-128M}
LIMIT=${PVISOR_UML_TIMEOUT:-1200}
root=${TMPDIR:-/tmp}/uml-root
console=${TMPDIR:-/tmp}/uml.console
DONE=@@uml-done

bench_runner_args uml-run.sh "$@"
[ -x "$UML" ] || { echo "uml-run.sh: no User-Mode Linux at $UML" >&2; exit 1; }

# uml CMD...: CMD runs UML (timeout, boottime). con0 is UML's console:
# no input, output on stdout. quiet keeps the kernel's boot messages off
# it; the rest is filtered out.
uml() {
	"$@" "$UML" mem="$MEM" root=/dev/root rootfstype=hostfs \
		rootflags="$root" rw init=/init quiet con0=null,fd:1 con=null \
		ssl=null
}

if [ "$1" = --prompt ]; then
	bench_root "$root" && bench_init_prompt "$root" "$2" || exit 1
	uml "$here/bin/boottime" until --reps "$3" prompt "$2" </dev/null
	rc=$?
	[ $rc -ne 0 ] || rm -rf "$root"
	exit $rc
fi

rounds=$1
shift
bench_root "$root" "$@" && bench_init_rounds "$root" "$rounds" "$DONE" ||
	exit 1
uml timeout "$LIMIT" </dev/null >"$console" 2>&1
rc=$?
bench_console "$console" "$DONE" "uml-run.sh: UML (status $rc)" || exit 1
rm -rf "$root"
