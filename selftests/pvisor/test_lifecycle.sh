#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Lifecycle policies (pvisord's lifecycle.c): on_poweroff, on_reboot and
# on_crash = destroy | restart | preserve, applied by pvisord when the
# module says a domain stopped. minnow stops as its command line says:
# a power-off by default, "reboot=1" a reboot, "crash=1" a requested
# crash. Checked:
#
# - poweroff + destroy, crash + destroy: the domain goes; its last stop
#   (with the crash reason) and the action stay in the store under
#   /pvisor/domains/NAME;
# - crash + preserve: the domain stays crashed, with its reason;
# - reboot + restart: a fresh domain of the same name and config, with a
#   new id and a runner of its own; a guest that reboots at once every
#   time is restarted LIFECYCLE_FAST_MAX (5) times and then preserved
#   (the restart window is made huge so that every stop counts);
# - a domain made with options is preserved; one destroyed by pvctl is
#   not restarted; one pvisord keeps no config for is left alone, and a
#   stop while pvisord was down is acted on when it starts again;
# - a bad --restart-window is a usage error.
#
# pvisord runs on a socket of its own; only it (by its pid file) is ever
# signalled. TAP 13; helpers in ../lib/tap.sh.

D=/tmp/lifecycle
P=lc-
GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
MINNOW=$GUEST_DIR/minnow.elf
BUSY="work=1000000"

. "$(dirname "$0")/../lib/tap.sh"

export PVISOR_STORE_SOCKET=$D/sock

start() {
	pvisord -s $D/sock -S $D/state -p $D/pid --restart-window 100000 "$@"
}

# stop: SIGTERM to our pvisord (by its pid file), and wait until it is gone.
stop() {
	pid=$(cat $D/pid 2>/dev/null)
	[ -n "$pid" ] || return 1
	kill -TERM "$pid" 2>/dev/null
	wait_for eval '! kill -0 "$pid" 2>/dev/null'
}

NAMES="poff crash cpres reboot opt run late own"

cleanup() {
	stop >/dev/null 2>&1
	for d in $NAMES; do
		pvctl destroy $P$d >/dev/null 2>&1
	done
}

rd() { pvctl store read "/pvisor/domains/$1/$2" 2>/dev/null; }

acted() { [ -n "$(rd "$1" action)" ]; }
gone() { ! exists "$1"; }

# create NAME CMDLINE [KEY=VALUE...]: from a config file, with overrides.
create() {
	name=$1
	cmdline=$2
	shift 2
	printf 'name = "%s"\nmemory = 16\nkernel = "%s"\ncmdline = "%s"\n' \
		"$P$name" "$MINNOW" "$cmdline" >$D/$name.cfg
	run pvctl create $D/$name.cfg "$@"
}

echo "TAP version 13"

need_tools pvctl pvrun pvisord
[ -f "$MINNOW" ] || skip_all "no $MINNOW"
need_module
plan 28

rm -rf $D
mkdir -p $D
for d in $NAMES; do
	pvctl destroy $P$d >/dev/null 2>&1
done

run pvisord -s $D/sock -S $D/state -p $D/pid --restart-window 0
check "a bad --restart-window: exit 2" eval 'status_is 2 && err_has "bad restart window"'

run start
check "pvisord starts" status_is 0

# --- destroyed by pvctl: never restarted ------------------------------------

create run "$BUSY" on_poweroff=restart on_crash=restart
check "a busy guest that would be restarted starts" status_is 0
run pvctl destroy ${P}run
check "... pvctl destroy removes it" status_is 0

# --- poweroff + destroy -------------------------------------------------------

create poff ""
check "poweroff + destroy: starts" status_is 0
wait_for acted ${P}poff
check "... pvisord acted, destroying it" \
	eval '[ "$(rd ${P}poff action)" = destroy ] && gone ${P}poff'
check "... the stop is recorded" \
	eval 'rd ${P}poff last-stop | grep -q "^domain [0-9]* shut down (poweroff)$"'
check "the destroyed busy guest was not restarted (its stop is older)" \
	eval 'gone ${P}run && [ -z "$(rd ${P}run action)" ]'

# --- crash + destroy, crash + preserve ---------------------------------------

create crash "crash=1"
check "crash + destroy: starts" status_is 0
wait_for acted ${P}crash
check "... destroyed, its crash reason kept" \
	eval '[ "$(rd ${P}crash action)" = destroy ] && gone ${P}crash &&
	      rd ${P}crash last-stop | grep -q "crashed (the guest requested a crash)"'

create cpres "crash=1" on_crash=preserve
check "crash + preserve: starts" status_is 0
wait_for acted ${P}cpres
check "... preserved: still there, crashed with its reason" \
	eval '[ "$(rd ${P}cpres action)" = preserve ] &&
	      [ "$(state_of ${P}cpres)" = "crashed(the" ] &&
	      pvctl list | grep -q "${P}cpres.*crashed(the guest requested a crash)"'

# --- reboot + restart, until the storm stops it -------------------------------

create reboot "reboot=1"
check "reboot + restart: starts" status_is 0
first=$(sed -n "s/^created domain \([0-9]*\) .*/\1/p" $tmp/out)
wait_for eval '[ "$(rd ${P}reboot restarts)" -ge 1 ] 2>/dev/null'
check "... restarted" eval '[ "$(rd ${P}reboot restarts)" -ge 1 ]'
wait_for eval '[ "$(rd ${P}reboot action)" = "preserve (restart storm)" ]'
check "... 5 quick restarts, then preserved as a restart storm" \
	eval '[ "$(rd ${P}reboot action)" = "preserve (restart storm)" ] &&
	      [ "$(rd ${P}reboot restarts)" = 5 ]'
last=$(id_of ${P}reboot)
check "... the domain there is a new one (id $first, now $last)" \
	eval '[ -n "$last" ] && [ "$last" != "$first" ]'
check "... shut down (reboot), as preserved" \
	eval '[ "$(state_of ${P}reboot)" = "shutdown(reboot)" ]'
run pvctl console ${P}reboot
check "... it booted afresh and rebooted" \
	eval 'out_has_line "minnow: booting" && out_has_line "minnow: self-checks done, rebooting"'
run pvctl config ${P}reboot
check "... with the same config" \
	eval 'status_is 0 && out_has_line "cmdline = \"reboot=1\"" && out_has_line "kernel = \"$MINNOW\""'

# --- options: preserved -------------------------------------------------------

run pvctl create --name ${P}opt --memory 16M --kernel "$MINNOW"
check "a domain made with options starts" status_is 0
wait_for acted ${P}opt
check "... preserved when it powers off" \
	eval '[ "$(rd ${P}opt action)" = preserve ] && [ "$(state_of ${P}opt)" = "shutdown(poweroff)" ]'

# --- stops while pvisord is down; domains that are not pvisord's ------------

create late "$BUSY"
check "a busy guest (poweroff + destroy) starts" status_is 0
run stop
check "pvisord stops" status_is 0
run pvctl create --name ${P}own --memory 16M --kernel "$MINNOW"
check "a domain made while pvisord is down starts (no config kept)" status_is 0
pvctl shutdown ${P}late >/dev/null 2>&1
wait_stopped ${P}late
wait_stopped ${P}own
run start
check "pvisord starts again" status_is 0
wait_for gone ${P}late
check "... and destroys the one that powered off meanwhile" \
	eval 'gone ${P}late && [ "$(rd ${P}late action)" = destroy ]'
check "... but leaves the one it has no config for alone" \
	eval '[ "$(state_of ${P}own)" = "shutdown(poweroff)" ] && [ -z "$(rd ${P}own action)" ]'

cleanup
check "every domain destroyed: the accounting is back to the baseline" \
	accounting_is_baseline
finish
