#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# pvisor-demo (selftests/qemu/demo.sh), what `make run` starts before it
# hands over the shell: pvisord, and a Linux guest created from an
# xl-style config through it. Checked here: bad arguments and a missing
# guest kernel are refused before anything starts; a first run starts
# pvisord, writes the config, creates the domain and returns once the
# guest's banner is out, naming `pvctl console`; pvisord keeps the config;
# a line typed at the guest's shell is answered; a second run reuses the
# running pvisord; a name in use is refused and the running domain keeps
# its file; `poweroff -f` in the guest makes pvisord destroy the domain
# (on_poweroff = "destroy"); SIGTERM stops pvisord; the accounting is back
# to where it was.
#
# Runs in the QEMU test host (busybox sh, pvisor.ko loaded, pvctl, pvrun,
# pvisord and pvisor-demo in PATH, the Linux guest in /guest). Its own
# directory for the demo's files, so the test host's /run/pvisor is left
# alone. TAP 13, the plan at the end. Helpers: ../lib/tap.sh.

GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
# A hang detector only: the Linux guest reaches its shell in a few
# seconds under TCG, longer on the debug kernel.
WAIT_TENTHS=1800
A=demo-lx
B=demo-lx2

. "$(dirname "$0")/../lib/tap.sh"

D=$tmp/demo
export PVISOR_DEMO_DIR=$D
export PVISOR_DEMO_STATE=$D/state/xenstore.state
export PVISOR_STORE_SOCKET=$D/xenstored.socket
export PVISOR_DEMO_WAIT=$((WAIT_TENTHS / 10))

pvisord_pid() { cat $D/pvisord.pid 2>/dev/null; }
pvisords() { ps | awk '/[p]visord --foreground/ { n++ } END { print n + 0 }'; }

cleanup() {
	pvctl destroy $A >/dev/null 2>&1
	pvctl destroy $B >/dev/null 2>&1
	pid=$(pvisord_pid)
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
}

echo "TAP version 13"

need_tools pvctl pvrun pvisord pvisor-demo
[ -f "$GUEST_DIR/linux.elf" ] ||
	skip_all "no Linux guest at $GUEST_DIR/linux.elf (scripts/linux-guest.sh builds it)"
[ -f "$GUEST_DIR/linux-initramfs.cpio" ] ||
	skip_all "no initramfs at $GUEST_DIR/linux-initramfs.cpio"
need_module
pvisords0=$(pvisords)

# --- refused before anything starts ---------------------------------------

run pvisor-demo -x
check "an option is refused: exit 2, with the usage" \
	eval 'status_is 2 && err_has "^usage: pvisor-demo \[NAME\]"'
run pvisor-demo 'bad/name'
check "a name with a slash is refused: exit 2" status_is 2
run pvisor-demo one two
check "two names are refused: exit 2" status_is 2
run env PVISOR_GUEST_DIR=$tmp/nowhere pvisor-demo $A
check "no Linux guest: exit 1, naming the missing kernel" \
	eval 'status_is 1 && err_has "no Linux guest at $tmp/nowhere/linux.elf"'
check "... and nothing started: no pvisord, no domain, no config" \
	eval '[ "$(pvisords)" -eq "$pvisords0" ] && ! exists $A && [ ! -e $D/$A.cfg ]'

# --- the first guest --------------------------------------------------------

run pvisor-demo $A
check "pvisor-demo $A: exit 0 once the guest is up" status_is 0
check "... it started pvisord on the demo's socket" \
	eval 'out_has "^pvisor-demo: pvisord (pid [0-9]*) serves $PVISOR_STORE_SOCKET" && alive "$(pvisord_pid)"'
check "... it says how to reach the guest's shell" \
	out_has "pvctl console $A  *its shell; Ctrl-] detaches"
check "$A is running" eval '[ "$(state_of $A)" = running ]'
check "the config file is kept in the demo's directory" \
	eval 'grep -q -x "name = \"$A\"" $D/$A.cfg && grep -q -x "on_poweroff = \"destroy\"" $D/$A.cfg'
run pvctl config $A
check "pvisord keeps the config (pvctl config $A)" \
	eval 'status_is 0 && out_has "on_poweroff = \"destroy\"" && out_has "ramdisk = \"$GUEST_DIR/linux-initramfs.cpio\""'
pid1=$(pvisord_pid)

# --- a second guest, the same pvisord ---------------------------------------

run pvisor-demo $B
check "pvisor-demo $B: exit 0, with the running pvisord" \
	eval 'status_is 0 && out_has "^pvisor-demo: pvisord already serves $PVISOR_STORE_SOCKET"'
check "... still one pvisord, the same" \
	eval '[ "$(pvisords)" -eq $((pvisords0 + 1)) ] && [ "$(pvisord_pid)" = "$pid1" ]'
check "both guests run" \
	eval '[ "$(state_of $A)" = running ] && [ "$(state_of $B)" = running ]'

cp $D/$A.cfg $tmp/a.cfg
run pvisor-demo $A
check "the name in use is refused: exit 1, saying so" \
	eval 'status_is 1 && err_has "a domain named $A exists already"'
check "... $A runs on and its config file is untouched" \
	eval '[ "$(state_of $A)" = running ] && cmp -s $tmp/a.cfg $D/$A.cfg'

# --- the guest's shell --------------------------------------------------------

# The shell opens hvc0 right after the banner: give it a moment to read.
# The line is typed and its answer awaited before the poweroff: pvisord
# destroys the domain as soon as it stops, and its console goes with it.
sleep 2
echo 'echo "@@demo $((6 * 7)) $(cat /proc/self/comm)"' >$tmp/typed
pvctl console --input $A <$tmp/typed >/dev/null 2>&1 &
typist=$!
answered() {
	pvctl console --no-follow $A 2>/dev/null | tr -d '\r' |
		grep -q -x "@@demo 42 cat"
}
wait_for answered
rc=$?
check "a line typed at $A's shell is run there" status_is 0
kill $typist 2>/dev/null
wait $typist 2>/dev/null
echo 'poweroff -f' >$tmp/typed
run sh -c "pvctl console --input $A <$tmp/typed"
check "... and poweroff -f typed next is taken (pvctl console returns)" status_is 0
id_a=$(awk '/created domain/ { print $3 }' $D/$A.create)
wait_for eval '! exists $A'
rc=$?
check "poweroff -f: pvisord destroyed $A (on_poweroff = destroy)" status_is 0
check "... and logged it" \
	grep -q "$A (domain $id_a shut down (poweroff)): destroy" $D/pvisord.log
check "$B runs on" eval '[ "$(state_of $B)" = running ]'
run pvctl destroy $B
check "destroy $B" status_is 0

# --- pvisord's end ------------------------------------------------------------

kill "$pid1"
wait_for eval '! kill -0 $pid1 2>/dev/null'
rc=$?
check "SIGTERM stops pvisord" status_is 0
check "no pvrun is left" runners_gone
check "domains and frames are back to the baseline" accounting_is_baseline

if [ "$failures" -ne 0 ]; then
	sed 's/^/# pvisord: /' $D/pvisord.log
fi
finish
