#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guests that misbehave, and what becomes of them. Each small guest from
# guest-port/tests/ says on its console what it is about to do, then:
#
#   escape.elf  makes a host system call of its own (getpid): the
#               runner's seccomp filter must kill it;
#   fault.elf   reads an address its page tables do not map: with no trap
#               table the domain must crash;
#   assert.elf  fails a GUEST_ASSERT: the guest test library must report
#               "not ok", then "done", and crash the domain.
#
# Every one must end up crashed with a reason, its runner gone, and its
# frames returned on destroy. Same host environment and TAP conventions
# as test_guest_boot.sh.

GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
WAIT_TENTHS=200
PREFIX=gconf

count=0
failures=0
tmp=$(mktemp -d) || exit 1

cleanup() {
	for g in escape fault assert; do
		pvctl destroy "$PREFIX-$g" >/dev/null 2>&1
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
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

status_is() { [ "$rc" -eq "$1" ]; }
out_has() { grep -q -e "$1" "$tmp/out"; }
out_has_line() { grep -q -x -F -e "$1" "$tmp/out"; }

json_field() {
	v=$(sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p" "$tmp/out")
	echo "${v:--1}"
}

state_of() {
	pvctl list 2>/dev/null | awk -v n="$1" '$2 == n { print $3 }'
}

wait_stopped() {
	i=0
	while [ $i -lt $WAIT_TENTHS ]; do
		case "$(state_of "$1")" in
		shutdown*|crashed*) return 0 ;;
		esac
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

echo "TAP version 13"

for need in pvctl pvrun; do
	if ! command -v $need >/dev/null; then
		echo "1..0 # SKIP $need is not in PATH"
		exit 4
	fi
done
for g in escape fault assert; do
	if [ ! -f "$GUEST_DIR/$g.elf" ]; then
		echo "1..0 # SKIP no $GUEST_DIR/$g.elf"
		exit 4
	fi
done
run pvctl info --json
if [ "$rc" -eq 3 ]; then
	echo "1..0 # SKIP pvisor module not loaded"
	exit 4
fi
domains0=$(json_field domains)
frames0=$(json_field frames_used)
echo "1..16"

# guest NAME FIRST-LINE CRASH-REASON: boot it, check the console and state.
guest() {
	name=$PREFIX-$1
	run pvctl create --name "$name" --memory 4M --kernel "$GUEST_DIR/$1.elf"
	check "$1: starts" status_is 0
	wait_stopped "$name"
	rc=$?
	check "$1: stops within $((WAIT_TENTHS / 10)) s" status_is 0
	run pvctl console "$name"
	check "$1: said what it was about to do" out_has_line "$2"
	run pvctl list
	check "$1: is crashed($3...)" \
		eval 'out_has "^ *[0-9]*  $name  *crashed($3"'
}

guest escape "escape: trying getpid" "forbidden host system call"
run pvctl console $PREFIX-escape
check "escape: never got past the system call" \
	eval '! out_has "@@pvtest"'
guest fault "fault: reading an unmapped address" "unhandled page fault at 0x104b00000000"
guest assert "@@pvtest ok 1 a check that passes" "the guest requested a crash"
run pvctl console $PREFIX-assert
check "assert: reported the failed assertion and its end" \
	eval 'out_has "^@@pvtest not ok 2 assertion .1 + 1 == 3. failed (tests/assert.c:[0-9]*)$" &&
	      out_has_line "@@pvtest done 2 1" && ! out_has "never reached"'

run ps
check "no runner is left" eval '! grep -q "[p]vrun" "$tmp/out"'

for g in escape fault assert; do
	pvctl destroy "$PREFIX-$g" >/dev/null 2>&1
done
run pvctl info --json
check "destroying them gives every frame back" \
	eval '[ "$(json_field domains)" -eq "$domains0" ] &&
	      [ "$(json_field frames_used)" -eq "$frames0" ]'

echo "# $((count - failures)) of $count checks passed"
[ "$failures" -eq 0 ]
