# SPDX-License-Identifier: GPL-2.0
#
# Shell helpers for the selftests that drive pvctl and pvrun (busybox sh
# in the QEMU test host). A test sources this file:
#
#	. "$(dirname "$0")/../lib/tap.sh"
#
# and gets a scratch directory $tmp (removed at exit, after the test's
# own cleanup() has run), the counters $count and $failures, and:
#
#	run CMD...		run CMD; its stdout, stderr and status are
#				kept in $tmp/out, $tmp/err and $rc
#	check DESC CMD...	one TAP line: ok when CMD succeeds; on failure
#				the last run's output follows as diagnostics
#	skip DESC REASON	one "ok ... # SKIP" line
#	status_is N, out_has RE, out_has_line S, err_has RE, out_empty
#				tests on the last run
#	json_field KEY		a number from the last run's JSON (-1: none)
#	state_of NAME		the STATE column of "pvctl list" ("" if none)
#	id_of NAME		the ID column of "pvctl list" ("" if none)
#	exists NAME		is domain NAME listed?
#	wait_stopped NAME	wait until NAME is shut down or crashed
#				($WAIT_TENTHS tenths of a second at most)
#	alive PID		is process PID there? (false for no PID:
#				busybox's kill -0 "" succeeds)
#	wait_for CMD...		wait until CMD succeeds (as long at most);
#				its status is 1 if it never did (set rc=$? to check it)
#	guest_checks FILE LABEL	turn a console's @@pvtest lines into TAP
#	need_tools CMD...	skip the whole test if one is missing
#	runners_gone [ID]	wait until ps lists no pvrun (of domain ID),
#				leaving the last ps in $tmp/out
#	need_module		skip it if pvisor.ko is not loaded, else note
#				the accounting baseline
#	accounting_is_baseline	domains and frames are back to that baseline
#				(waiting for exiting runners to let go)
#	plan N			announce N checks up front (optional)
#	finish			the plan (if not announced) and the summary;
#				exits 0 if every check passed, 1 otherwise
#
# Define cleanup() to destroy what the test creates; it runs at exit.
#
# Every wait is for a condition, bounded by $WAIT_TENTHS (a hang
# detector, not a time limit the machine must meet).

count=0
failures=0
planned=
WAIT_TENTHS=${WAIT_TENTHS:-600}
tmp=$(mktemp -d) || exit 1

cleanup() { :; }
trap 'cleanup; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

run() {
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

show_last() {
	echo "# exit status $rc"
	sed 's/^/# stdout: /' "$tmp/out"
	sed 's/^/# stderr: /' "$tmp/err"
}

check() {
	desc=$1
	shift
	count=$((count + 1))
	if "$@"; then
		echo "ok $count $desc"
	else
		echo "not ok $count $desc"
		failures=$((failures + 1))
		show_last
	fi
}

skip() {
	count=$((count + 1))
	echo "ok $count $1 # SKIP $2"
}

status_is() { [ "$rc" -eq "$1" ]; }
out_has() { grep -q -e "$1" "$tmp/out"; }
out_has_line() { grep -q -x -F -e "$1" "$tmp/out"; }
err_has() { grep -q -e "$1" "$tmp/err"; }
out_empty() { [ ! -s "$tmp/out" ]; }

json_field() {
	v=$(sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p" "$tmp/out")
	echo "${v:--1}"
}

state_of() {
	pvctl list 2>/dev/null | awk -v n="$1" '$2 == n { print $3 }'
}

exists() { [ -n "$(state_of "$1")" ]; }

id_of() { pvctl list | awk -v n="$1" '$2 == n { print $1 }'; }

# A domain's runner is killed once its state has changed, and takes a
# moment to exit: wait for it.
runners_gone() {
	i=0
	while :; do
		run ps
		grep -q "[p]vrun${1:+ --domain $1 }" "$tmp/out" || return 0
		[ $i -ge "$WAIT_TENTHS" ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

wait_for() {
	i=0
	until "$@"; do
		[ $i -ge "$WAIT_TENTHS" ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}

wait_stopped() {
	i=0
	while [ $i -lt "$WAIT_TENTHS" ]; do
		case "$(state_of "$1")" in
		shutdown*|crashed*) return 0 ;;
		esac
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# guest_checks FILE LABEL: one TAP line per "@@pvtest ok|not ok N desc"
# in FILE, described as "LABEL: desc". Sets $guest_checks to their number.
guest_checks() {
	guest_checks=0
	while IFS= read -r line; do
		case "$line" in
		"@@pvtest ok "*)
			rest=${line#@@pvtest ok }
			count=$((count + 1))
			guest_checks=$((guest_checks + 1))
			echo "ok $count $2: ${rest#* }"
			;;
		"@@pvtest not ok "*)
			rest=${line#@@pvtest not ok }
			count=$((count + 1))
			guest_checks=$((guest_checks + 1))
			failures=$((failures + 1))
			echo "not ok $count $2: ${rest#* }"
			;;
		esac
	done <"$1"
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 4
}

need_tools() {
	for need in "$@"; do
		command -v "$need" >/dev/null ||
			skip_all "$need is not in PATH"
	done
}

need_module() {
	run pvctl info --json
	[ "$rc" -eq 3 ] && skip_all "pvisor module not loaded"
	domains0=$(json_field domains)
	frames0=$(json_field frames_used)
}

# A domain's frames go with its last reference, which its runner holds
# until it has exited: wait for them.
accounting_is_baseline() {
	i=0
	while :; do
		run pvctl info --json
		[ "$(json_field domains)" -eq "$domains0" ] &&
			[ "$(json_field frames_used)" -eq "$frames0" ] && return 0
		[ $i -ge "$WAIT_TENTHS" ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}

plan() {
	planned=$1
	echo "1..$1"
}

finish() {
	if [ -z "$planned" ]; then
		echo "1..$count"
	elif [ "$count" -ne "$planned" ]; then
		echo "# planned $planned checks but ran $count"
		failures=$((failures + 1))
	fi
	echo "# $((count - failures)) of $count checks passed"
	[ "$failures" -eq 0 ] && exit 0
	exit 1
}

# linux_console NAME: NAME's console in $tmp/out, without the carriage
# returns a tty (the Linux guest's hvc0, the tty layer's onlcr) puts
# before each newline.
linux_console() {
	run pvctl console "$1"
	tr -d '\r' <"$tmp/out" >"$tmp/out.nocr" && mv "$tmp/out.nocr" "$tmp/out"
}

# boot_guest NAME [ARGS...]: start guest $GUEST_DIR/NAME.elf as
# $PREFIX-NAME (16M, plus ARGS for pvctl create), wait up to $WAIT_TENTHS
# for it to stop, and leave its console in $tmp/NAME.console.
boot_guest() {
	name=$1
	shift
	run pvctl create --name "$PREFIX-$name" --memory 16M \
		--kernel "$GUEST_DIR/$name.elf" "$@"
	check "$name: starts" status_is 0
	wait_stopped "$PREFIX-$name"
	rc=$?
	check "$name: stops within $((WAIT_TENTHS / 10)) s" status_is 0
	pvctl console "$PREFIX-$name" >"$tmp/$name.console" 2>&1
}

# guest_ran_to_end NAME MIN: turn NAME's @@pvtest lines into TAP, then
# check that at least MIN ran and the guest reported them all passed.
guest_ran_to_end() {
	guest_checks "$tmp/$1.console" "$1"
	cp "$tmp/$1.console" "$tmp/out"
	check "$1: ran its checks to the end ($guest_checks reported)" \
		eval '[ $guest_checks -ge '"$2"' ] && out_has_line "@@pvtest done $guest_checks 0"'
}

# boot_bad_guest NAME KERNEL CMDLINE LABEL: start KERNEL as NAME (8M)
# with CMDLINE and wait for it to stop (one check), turn its @@pvtest
# lines into TAP described as LABEL, and leave its console in
# $tmp/NAME.console and, after pvctl list's output, in $tmp/out: what a
# hostile-guest case checks its ending against.
boot_bad_guest() {
	run pvctl create --name "$1" --memory 8M --kernel "$2" --cmdline "$3"
	created=$rc
	wait_stopped "$1"
	rc=$((created + $?))
	check "$4: starts and stops" status_is 0
	pvctl console "$1" >"$tmp/$1.console" 2>&1
	guest_checks "$tmp/$1.console" "$4"
	run pvctl list
	cat "$tmp/$1.console" >>"$tmp/out"
}
