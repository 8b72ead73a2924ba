#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# pvisord's restart and pvctl store. pvisord runs as a daemon (it returns
# once its socket is up); the tree must survive a SIGTERM and a SIGKILL
# (the state file), and a restart must resync with the module: domains
# destroyed while pvisord was down leave the tree, domains created
# meanwhile enter it, running ones (one really running a guest) keep
# their entries. Also pvctl store's
# actions and exit codes, its watch --count, a second daemon refused, a
# state file of an unknown format version refused.
#
# Runs in the QEMU test host (busybox sh, pvisor.ko loaded, pvctl and
# pvisord in PATH). TAP 13. Helpers: ../lib/tap.sh.

D=/tmp/xsr
P=xsr-
GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}

. "$(dirname "$0")/../lib/tap.sh"

export PVISOR_STORE_SOCKET=$D/sock

start() { pvisord -s $D/sock -S $D/state -p $D/pid "$@"; }
daemon_pid() { cat $D/pid 2>/dev/null; }

# Every wait below is for a condition, $WAIT_TENTHS at most (a hang
# detector): nothing here depends on how fast the machine is.

# stop SIG: send SIG to pvisord and wait until it is gone.
stop() {
	pid=$(daemon_pid)
	[ -n "$pid" ] || return 1
	kill -"$1" "$pid" 2>/dev/null
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt "$WAIT_TENTHS" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	! kill -0 "$pid" 2>/dev/null
}

cleanup() {
	stop KILL >/dev/null 2>&1
	for d in a b c d run; do
		pvctl destroy $P$d >/dev/null 2>&1
	done
}

# wait_read PATH VALUE: until PATH reads VALUE.
wait_read() {
	i=0
	while [ $i -lt "$WAIT_TENTHS" ]; do
		[ "$(pvctl store read "$1" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# wait_gone PATH: until PATH does not exist.
wait_gone() {
	i=0
	while [ $i -lt "$WAIT_TENTHS" ]; do
		pvctl store read "$1" >/dev/null 2>&1 || return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

lines_in() { [ "$(wc -l <"$1")" -ge "$2" ]; }

echo "TAP version 13"
need_tools pvctl pvisord
need_module
plan 47
rm -rf $D
mkdir -p $D
cleanup

run start -Q perms=2000
check "a permission quota above 1024: usage error, exit 2" \
	eval 'status_is 2 && err_has "bad quota" && [ ! -e $D/pid ]'
run start
check "pvisord starts as a daemon and returns 0 once ready" \
	eval 'status_is 0 && [ -S $D/sock ] && alive "$(daemon_pid)"'
run start
check "a second pvisord is refused (exit 1, says why)" \
	eval 'status_is 1 && err_has "already running"'
run stat -c %a $D/sock
check "the socket is mode 600" out_has_line 600

# --- pvctl store ------------------------------------------------------------

run pvctl store write /xsr/greeting "hello world"
check "store write" eval 'status_is 0 && out_empty'
run pvctl store read /xsr/greeting
check "store read prints the value and a newline" \
	eval 'status_is 0 && out_has_line "hello world"'
pvctl store write /xsr/dir/one 1
pvctl store write /xsr/dir/two 2
run pvctl store ls /xsr/dir
check "store ls prints the children, one a line" \
	eval 'status_is 0 && [ "$(cat $tmp/out | tr "\n" " ")" = "one two " ]'
run pvctl store rm /xsr/dir
check "store rm" status_is 0
run pvctl store read /xsr/dir/one
check "... the subtree is gone: ENOENT, exit 1" \
	eval 'status_is 1 && err_has ENOENT && out_empty'
run pvctl store read /xsr/bad..path
check "a bad path: EINVAL, exit 1" eval 'status_is 1 && err_has EINVAL'
run pvctl store frobnicate /x
check "an unknown action: usage, exit 2" eval 'status_is 2 && err_has "^Usage: pvctl store"'
run pvctl store write /x
check "write without a value: usage, exit 2" status_is 2
run pvctl help store
check "pvctl help store shows its usage" \
	eval 'status_is 0 && out_has "^Usage: pvctl store"'

run pvctl store read /x --count 3
check "--count outside watch: usage, exit 2" status_is 2
run pvctl store --socket $D/nosuch read /x
check "no pvisord at the socket: exit 1, says so" \
	eval 'status_is 1 && err_has "cannot reach pvisord"'

pvctl store watch --count 3 /xsr/w >$tmp/watch 2>&1 &
wpid=$!
# The watch fires once as it is set: from then on it sees every change.
wait_for lines_in $tmp/watch 1
pvctl store write /xsr/w/a 1
pvctl store write /xsr/other 1
pvctl store write /xsr/w 2
wait_for eval '! kill -0 $wpid 2>/dev/null' 
cp $tmp/watch $tmp/out
check "store watch --count 3: the path at once, then each change below it, then exits" \
	eval '! kill -0 $wpid 2>/dev/null && [ "$(tr "\n" " " <$tmp/out)" = "/xsr/w /xsr/w/a /xsr/w " ]'
kill $wpid 2>/dev/null

# --- domains --------------------------------------------------------------

pvctl create --name ${P}a --memory 1M >/dev/null
pvctl create --name ${P}b --memory 1M >/dev/null
a=$(id_of ${P}a)
b=$(id_of ${P}b)
check "a new domain appears in the tree" wait_read /local/domain/$a/name ${P}a
run pvctl store --as "$a" read name
check "store --as reads as the domain (relative path)" \
	eval 'status_is 0 && out_has_line ${P}a'
run pvctl store --as "$a" read /local/domain/$b/name
check "... another domain's entries: EACCES, exit 4" \
	eval 'status_is 4 && err_has EACCES'
run pvctl store --as "$a" write data/mine kept
check "... it writes its own data/" status_is 0
run pvctl store --as 32000 read name
check "--as a domain that does not exist: exit 1" \
	eval 'status_is 1 && err_has ENOENT'
vm_a=$(pvctl store read /local/domain/$a/vm)

# A domain that really runs (a guest vCPU spinning) across the restart.
if [ -f "$GUEST_DIR/hostile.elf" ]; then
	run pvctl create --name ${P}run --memory 8M --kernel "$GUEST_DIR/hostile.elf" \
		--cmdline case=spin
	running=$(id_of ${P}run)
	check "a running guest is in the tree" \
		eval 'status_is 0 && wait_read /local/domain/$running/name ${P}run'
else
	running=
	skip "a running guest is in the tree" "no $GUEST_DIR/hostile.elf"
fi

run stop TERM
check "SIGTERM stops pvisord" status_is 0
check "... it removes its socket and pid file" \
	eval '[ ! -e $D/sock ] && [ ! -e $D/pid ]'
check "... and leaves a versioned state file" \
	eval 'head -n 1 $D/state | grep -q -x "pvisord-xenstore-state 2"'

# While pvisord is down: one domain goes, one comes.
pvctl destroy ${P}b
pvctl create --name ${P}c --memory 1M >/dev/null
c=$(id_of ${P}c)

run start
check "pvisord starts again" status_is 0
run pvctl store read /xsr/greeting
check "the tree survived the restart" out_has_line "hello world"
run pvctl store read /local/domain/$a/data/mine
check "... a running domain's entries kept" out_has_line kept
run pvctl store read /local/domain/$a/vm
check "... with the same vm path" out_has_line "$vm_a"
run pvctl store read /local/domain/$b/name
check "a domain destroyed while pvisord was down is gone" \
	eval 'status_is 1 && err_has ENOENT'
check "a domain created meanwhile is in" \
	eval '[ "$(pvctl store read /local/domain/$c/name)" = ${P}c ]'
if [ -n "$running" ]; then
	check "the running guest still runs, its entries kept" \
		eval '[ "$(state_of ${P}run)" = running ] && [ "$(pvctl store read /local/domain/$running/name)" = ${P}run ]'
	pvctl destroy ${P}run
else
	skip "the running guest still runs, its entries kept" "no $GUEST_DIR/hostile.elf"
fi

# SIGKILL: only what was saved survives; pvisord saves 200 ms after a
# change. Kill it once the change is in the state file.
pvctl store write /xsr/before-kill yes
wait_for grep -q "^N /xsr/before-kill " $D/state
run stop KILL
check "SIGKILL stops pvisord" status_is 0
run start
check "it starts again over the stale socket and pid file" status_is 0
run pvctl store read /xsr/before-kill
check "... a change saved before the kill survived" out_has_line yes

# A domain destroyed while pvisord runs.
pvctl destroy ${P}a
check "a destroyed domain's subtree goes" wait_gone /local/domain/$a
run pvctl store read "$vm_a/name"
check "... and its /vm entry" eval 'status_is 1 && err_has ENOENT'
pvctl create --name ${P}d --memory 1M >/dev/null
d=$(id_of ${P}d)
check "pvisord still follows the module" wait_read /local/domain/$d/name ${P}d

# A state file from the future is refused, not overwritten.
stop TERM
cp $D/state $tmp/state.good
sed -i '1s/.*/pvisord-xenstore-state 99/' $D/state
run start
check "a state file of version 99: pvisord refuses to start (exit 1)" \
	eval 'status_is 1 && err_has "format version 99"'
check "... and leaves the file alone" \
	eval 'head -n 1 $D/state | grep -q "state 99"'
printf 'pvisord-xenstore-state 1\nN / n0 -\nN /a/b n0 -\nend 2\n' >$D/state
run start
check "a state file with a child before its parent is refused" \
	eval 'status_is 1 && err_has "malformed"'
cp $tmp/state.good $D/state
run start
check "the good file loads again" \
	eval 'status_is 0 && [ "$(pvctl store read /xsr/greeting)" = "hello world" ]'

# A save that fails (its directory gone) is logged and retried, slowly.
mkdir -p $D/sub
pvisord -f -n -s $D/sv.sock -S $D/sub/state -p $D/sv.pid 2>$D/sv.log &
svpid=$!
wait_for test -S $D/sv.sock
rm -rf $D/sub
pvctl store --socket $D/sv.sock write /sv/x 1
# The first try comes 200 ms after the write, the next 5 s after it: a
# second look a second after the first failure tells a loop apart.
wait_for grep -q "cannot save the state" $D/sv.log
sleep 1
cp $D/sv.log $tmp/out
check "a failed save is logged once, not retried in a loop" \
	eval '[ "$(grep -c "cannot save the state" $tmp/out)" -eq 1 ]'
mkdir -p $D/sub
wait_for test -f $D/sub/state
check "... and retried: once the directory is back, the state is saved" \
	eval 'grep -q "^N /sv/x " $D/sub/state'
kill $svpid
wait $svpid

# --no-module: the protocol alone, no domains.
run pvisord -n -s $D/nm.sock -S $D/nm.state -p $D/nm.pid
check "pvisord --no-module starts beside the first (its own pid file)" status_is 0
run pvctl store --socket $D/nm.sock write /nm/x 1
check "... serves the store" \
	eval 'status_is 0 && [ "$(pvctl store --socket $D/nm.sock read /nm/x)" = 1 ]'
run pvctl store --socket $D/nm.sock read /local/domain/$d/name
check "... and knows no domain" eval 'status_is 1 && err_has ENOENT'
kill "$(cat $D/nm.pid)"

cleanup
finish
