# SPDX-License-Identifier: GPL-2.0
#
# What the benchmark scripts share (busybox sh; sourced by run-bench.sh,
# uml-run.sh and linux-run.sh from their own directory):
#
#   bench_pin               sets PIN, the prefix that puts a benchmark
#                           on the last CPU, and AUX, the one that keeps
#                           a poller on CPU 0 (both empty on one CPU)
#   state_of NAME           a domain's state in `pvctl list`
#   wait_not_running NAME SECONDS
#                           waits, polling twice a second, until domain
#                           NAME no longer runs
#
#   bench_root DIR PROG...  a root for a Linux system that runs the
#                           benchmark programs, in DIR: /bin/busybox and
#                           /bin/sh, the PROGs in /progs (their list in
#                           $BENCH_PROGS)
#   bench_init_rounds DIR ROUNDS DONE
#                           DIR/init: every program of $BENCH_PROGS,
#                           ROUNDS times, then the line DONE, power off
#   bench_init_prompt DIR PROMPT
#                           DIR/init: an interactive shell whose prompt
#                           is PROMPT, its input one line, "poweroff -f"
#   bench_runner_args NAME ARG...
#                           checks a runner's arguments, ROUNDS PROG... or
#                           --prompt PROMPT REPS; the usage and exit 2
#                           when they are neither
#   bench_console CONSOLE DONE WHO
#                           the @@ lines of a console log (carriage
#                           returns removed, DONE left out); status 1 and
#                           the log's tail on stderr unless DONE is there
#                           and no program failed
#
# User-Mode Linux and the Linux guest boot the same roots, so that the
# two columns of Figure 3 differ in their kernels only.

BUSYBOX=${PVISOR_BUSYBOX:-/bin/busybox}

bench_pin() {
	PIN=
	AUX=
	ncpu=$(grep -c '^processor' /proc/cpuinfo)
	if [ "$ncpu" -gt 1 ]; then
		PIN="taskset $(printf %x $((1 << (ncpu - 1))))"
		AUX="taskset 1"
	fi
}

state_of() {
	$AUX pvctl list 2>/dev/null | awk -v n="$1" '$2 == n { print $3 }'
}

wait_not_running() {
	i=0
	while [ "$(state_of "$1")" = running ] && [ $i -lt $(($2 * 2)) ]; do
		sleep 0.5
		i=$((i + 1))
	done
}

bench_root() {
	root=$1
	shift
	rm -rf "$root"
	mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/tmp" \
		"$root/progs" || return 1
	cp "$BUSYBOX" "$root/bin/busybox" && ln -s busybox "$root/bin/sh" ||
		return 1
	BENCH_PROGS=
	for prog in "$@"; do
		cp "$prog" "$root/progs/" || return 1
		BENCH_PROGS="$BENCH_PROGS /progs/${prog##*/}"
	done
}

# Both inits start alike: /proc for the programs that look there, and a
# tmpfs on /tmp, where bench_file writes (on UML's hostfs root, /tmp is
# otherwise a directory of the host's).
bench_init_start() {
	cat <<'INIT'
#!/bin/sh
export PATH=/bin
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t tmpfs tmpfs /tmp
INIT
}

bench_init_rounds() {
	{
		bench_init_start
		cat <<INIT
r=0
while [ \$r -lt $2 ]; do
	for p in$BENCH_PROGS; do
		\$p || echo "@@bench-error \$p exited with \$?"
	done
	r=\$((r + 1))
done
echo $3
exec /bin/busybox poweroff -f
INIT
	} >"$1/init" && chmod 0755 "$1/init"
}

# The shell reads its one line from a file: it prints the prompt as on a
# terminal, then powers the system off, so every boot ends by itself.
bench_init_prompt() {
	{
		bench_init_start
		cat <<INIT
echo '/bin/busybox poweroff -f' >/tmp/typed
export PS1='$2'
exec /bin/sh -i </tmp/typed
INIT
	} >"$1/init" && chmod 0755 "$1/init"
}

bench_runner_args() {
	me=$1
	shift
	if [ "$1" = --prompt ]; then
		[ $# -eq 3 ] && [ -n "$2" ] && [ "$3" -gt 0 ] 2>/dev/null &&
			return 0
	else
		[ $# -ge 2 ] && [ "$1" -gt 0 ] 2>/dev/null && return 0
	fi
	echo "usage: $me ROUNDS PROG..." >&2
	echo "       $me --prompt PROMPT REPS" >&2
	exit 2
}

bench_console() {
	tr -d '\r' <"$1" | grep '^@@' | grep -v "^$2\$"
	if ! tr -d '\r' <"$1" | grep -q "^$2\$"; then
		echo "$3 did not finish; its console:" >&2
		tr -d '\r' <"$1" | tail -n 20 >&2
		return 1
	fi
	if tr -d '\r' <"$1" | grep -q '^@@bench-error'; then
		echo "$3: a program failed" >&2
		return 1
	fi
}
