#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs static Linux x86-64 programs in Debian's User-Mode Linux
# (user-mode-linux, UML 6.1 in its ptrace mode) booted once inside the
# test host, for make bench's peer column of the guest-process figures
# (7)-(9). run-bench.sh calls it; it works in any Linux with busybox.
#
# usage: uml-run.sh ROUNDS PROG...
#
# Each PROG runs ROUNDS times, in order, inside UML; their stdout comes
# out on ours, carriage returns removed, without UML's kernel messages
# (lines that do not start with "@@"). The root UML boots is a hostfs
# directory in /tmp holding busybox, the programs and an init script; its
# memory file is in $TMPDIR (the test host's /tmp, a tmpfs). UML has one
# CPU (Debian builds it without SMP).
#
# Exits 0 when the init ran every program and said so, 1 otherwise (then
# the console's tail goes to stderr). A program's own failure is its
# "@@bench-error" line, passed on, and status 1.
#
# PVISOR_UML          the UML kernel (default /usr/bin/linux.uml)
# PVISOR_UML_MEM      its memory (default 128M)
# PVISOR_UML_TIMEOUT  seconds for the whole run (default 1200; TCG is slow)

UML=${PVISOR_UML:-/usr/bin/linux.uml}
MEM=${PVISOR_UML_MEM:-128M}
LIMIT=${PVISOR_UML_TIMEOUT:-1200}
BUSYBOX=${PVISOR_BUSYBOX:-/bin/busybox}
root=${TMPDIR:-/tmp}/uml-root
console=${TMPDIR:-/tmp}/uml.console
DONE=@@uml-done

rounds=$1
[ $# -ge 2 ] && [ "$rounds" -gt 0 ] 2>/dev/null || {
	echo "usage: uml-run.sh ROUNDS PROG..." >&2
	exit 2
}
shift
[ -x "$UML" ] || { echo "uml-run.sh: no User-Mode Linux at $UML" >&2; exit 1; }

rm -rf "$root"
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/tmp" "$root/progs" || exit 1
cp "$BUSYBOX" "$root/bin/busybox" && ln -s busybox "$root/bin/sh" || exit 1
list=
for prog in "$@"; do
	cp "$prog" "$root/progs/" || exit 1
	list="$list /progs/${prog##*/}"
done
cat >"$root/init" <<INIT
#!/bin/sh
r=0
while [ \$r -lt $rounds ]; do
	for p in$list; do
		\$p || echo "@@bench-error \$p exited with \$?"
	done
	r=\$((r + 1))
done
echo $DONE
exec /bin/busybox poweroff -f
INIT
chmod 0755 "$root/init"

# con0 is UML's console: no input, output on our stdout. quiet keeps
# the kernel's boot messages off it; the rest is filtered out below.
timeout "$LIMIT" "$UML" mem="$MEM" root=/dev/root rootfstype=hostfs \
	rootflags="$root" rw init=/init quiet con0=null,fd:1 con=null \
	ssl=null </dev/null >"$console" 2>&1
rc=$?
tr -d '\r' <"$console" | grep '^@@' | grep -v "^$DONE\$"
if ! tr -d '\r' <"$console" | grep -q "^$DONE\$"; then
	echo "uml-run.sh: UML did not finish (status $rc); its console:" >&2
	tr -d '\r' <"$console" | tail -n 20 >&2
	exit 1
fi
rm -rf "$root"
if tr -d '\r' <"$console" | grep -q '^@@bench-error'; then
	echo "uml-run.sh: a program failed in UML" >&2
	exit 1
fi
exit 0
