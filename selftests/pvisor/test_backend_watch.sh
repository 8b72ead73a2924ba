#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# pvisord notices when a backend it started ends (Documentation/block.rst,
# "Lifetimes and failures"; pvisord.rst, "Backends"). The guests are
# minnow's blk.elf (guest-port/tests/blk.c): w2 and w5 write to xvda
# until its backend stops answering (blk=2), w1, w3 and w4 connect xvda
# and idle (blk=4). The backends are pvisord's, from each domain's
# disk = [...] line.
#
#   w1, w2   w1's backend is killed (SIGKILL): pvisord says so, with the
#            signal, and closes the device (state 6, an error node);
#            w2 writes on.
#   restart  pvisord is killed and started again with w2, w3 and w4
#            running: it watches w2's backend again (not its child now)
#            and notices its SIGKILL; w3's backend, killed while pvisord
#            was down, is reported at start; w4's record is given another
#            start time, as if its pid belonged to another process now:
#            that process is not watched.
#   w5       four disks, four backends (three wait for a frontend for
#            ever), one pidfd each; one killed with SIGSYS, as the seccomp
#            filter would: "(seccomp?)".
#   w6       a bad image (5 bytes): the backend exits at once, status 1.
#   destroy  destroying w5 stops its backends with the domain: no error.
#   Then the accounting is back to baseline, no backend is left and
#   pvisord holds no pidfd.
#
# Runs in the QEMU test host (busybox sh, pvisor.ko loaded, pvctl,
# pvisord and pvblkback in PATH). TAP 13, the plan at the end.

D=/tmp/bwt
P=bwt-
GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
BLK=$GUEST_DIR/blk.elf
XVDA=51712
XVDB=51728
XVDD=51760
# A hang detector: TCG on a shared machine takes its time.
WAIT_TENTHS=${WAIT_TENTHS:-1200}
LOG=$D/pvisord.log

. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/blk.sh"
. "$(dirname "$0")/../lib/pvisord.sh"

export PVISOR_STORE_SOCKET=$D/sock

daemon_pid() { cat $D/pid 2>/dev/null; }

cleanup() {
	for d in 1 2 3 4 5 6; do
		pvctl destroy $P$d >/dev/null 2>&1
	done
	pid=$(daemon_pid)
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
}

node() { blk_node "$@"; }

start_pvisord() { pvisord_start $D $LOG; }

log_has() { grep -q -F -e "$1" $LOG; }
wait_log() { wait_for log_has "$1"; }

# backend_pid DOMID VDEV: the pid pvisord's "started" line gives.
backend_pid() {
	sed -n "s/.*domain $1: disk $2: pvblkback started for .*, pid \([0-9]*\)$/\1/p" \
		$LOG | tail -n 1
}

acked_now() { blk_acked "$1"; }

# writes_on NAME: NAME's writes are acknowledged beyond what it has said.
writes_on() {
	writer=$1
	before=$(acked_now $writer)
	wait_for eval '[ "$(acked_now $writer)" -gt "${before:-0}" ]'
}

# make_domain N MODE IMAGE... : domain $P$N (blk=MODE: 2 writes, 4 idles)
# with a disk per image, xvda first; sets $id.
make_domain() {
	n=$1
	mode=$2
	shift 2
	list=
	letter=a
	for img in "$@"; do
		list="$list${list:+, }\"$img,xvd$letter,w\""
		letter=$(echo $letter | tr a-c b-d)
	done
	printf 'name = "%s"\nmemory = 16\nkernel = "%s"\ncmdline = "blk=%s"\non_poweroff = "preserve"\non_crash = "preserve"\ndisk = [ %s ]\n' \
		"$P$n" "$BLK" "$mode" "$list" >$D/$n.cfg
	run pvctl create $D/$n.cfg
	id=$(id_of $P$n)
}

# A sparse image, larger than the writes of a test: the guest stops at
# its end.
image() { dd if=/dev/zero of=$D/$1.img bs=1M seek=64 count=0 2>/dev/null; }

# closed DOMID DEV ERROR: the device is Closed (6), with that error.
closed() {
	[ "$(node $1 $2 state)" = 6 ] && [ "$(node $1 $2 error)" = "$3" ]
}

# pidfds: how many pidfds pvisord holds.
pidfds() {
	ls -l /proc/"$(daemon_pid)"/fd 2>/dev/null | grep -c "anon_inode:\[pidfd\]"
}

echo "TAP version 13"
need_tools pvctl pvisord pvblkback
need_module
[ -f "$BLK" ] || skip_all "no $BLK"
rm -rf $D
mkdir -p $D
: >$LOG

start_pvisord
check "pvisord is ready" test $? -eq 0

# --- A backend killed: w1's, while w2 writes on ---------------------------
# w2 writes; w1, w3 and w4 only connect and idle, so that one busy guest,
# not four, shares the test host with the checks.
for n in 1 2 3 4; do
	image w$n
	mode=4
	[ $n -eq 2 ] && mode=2
	make_domain $n $mode $D/w$n.img
	p=$(backend_pid "$id" xvda)
	eval "w$n=\$id p$n=\$p"
	check "w$n: created; pvisord started its backend (pid $p)" \
		eval 'status_is 0 && [ -n "$id" ] && [ -n "$p" ] && kill -0 "$p"'
done
wait_for eval 'pvctl console ${P}2 2>/dev/null | grep -q "^@@blk acked 64"'
check "w2: the guest has 64 writes acknowledged" test $? -eq 0
for n in 1 3 4; do
	wait_for eval 'pvctl console $P$n 2>/dev/null | grep -q "^@@blk connected"'
	check "w$n: the guest's xvda is connected" test $? -eq 0
done
wait_for grep -q "^B $w1 xvda $p1 [0-9][0-9]*$" $D/state
check "the state file records each backend: B DOMID VDEV PID START" \
	eval 'grep -q "^B $w4 xvda $p4 [0-9][0-9]*$" $D/state'
run pidfds
check "pvisord holds one pidfd per backend (4)" out_has_line 4

kill -KILL $p1
wait_log "error: domain $w1: disk xvda: pvblkback (pid $p1) killed by signal SIGKILL; not restarted"
check "w1's backend killed (SIGKILL): pvisord logs it, with the signal" \
	test $? -eq 0
check "... closes the device (state 6) with an error node saying why" \
	closed $w1 $XVDA "pvblkback killed by signal SIGKILL"
wait_for eval '! grep -q "^B $w1 " $D/state'
check "... and drops its record from the state file" test $? -eq 0
writes_on ${P}2
check "w2 writes on ($before, then $(acked_now ${P}2))" test $? -eq 0
check "... its device still Connected (4), with no error" \
	eval '[ "$(node $w2 $XVDA state)" = 4 ] && [ -z "$(node $w2 $XVDA error)" ]'
run pvctl list
check "the host goes on: pvctl list works" status_is 0
pvctl destroy ${P}1 >/dev/null 2>&1

# --- pvisord restarted: its predecessor's backends ------------------------
s4=$(sed -n "s/^B $w4 xvda $p4 \([0-9]*\)$/\1/p" $D/state)
kill -KILL "$(daemon_pid)"
wait_for eval '! alive "$(daemon_pid)"'
kill -KILL $p3
# Its parent gone, init reaps it.
wait_for eval '[ ! -e /proc/$p3 ]'
# w4's backend, as if its pid were another process's now.
sed -i "s/^B $w4 xvda $p4 .*/B $w4 xvda $p4 $((s4 + 1))/" $D/state
start_pvisord
check "pvisord killed and started again" test $? -eq 0
check "it watches w2's backend again" \
	log_has "domain $w2: disk xvda: pvblkback (pid $p2), started by an earlier pvisord: watched again"
check "w3's backend, killed while pvisord was down: reported at start" \
	log_has "error: domain $w3: disk xvda: pvblkback (pid $p3) ended while pvisord was not running; not restarted"
check "... its device closed, saying so" \
	closed $w3 $XVDA "pvblkback ended while pvisord was not running"
check "w4's pid, started at another time: taken for another process" \
	log_has "error: domain $w4: disk xvda: pvblkback (pid $p4) ended while pvisord was not running (pid $p4 is another process now); not restarted"
run pidfds
check "... and not watched: one pidfd (w2's)" out_has_line 1
writes_on ${P}2
check "w2's backend serves on ($before, then $(acked_now ${P}2))" test $? -eq 0

kill -KILL $p4
kill -KILL $p2
wait_log "error: domain $w2: disk xvda: pvblkback (pid $p2) ended; how is not known (an earlier pvisord started it, and only its parent may reap it); not restarted"
check "w2's backend killed: the new pvisord notices (not its child)" \
	test $? -eq 0
check "... and closes the device" \
	closed $w2 $XVDA "pvblkback ended; how is not known (an earlier pvisord started it, and only its parent may reap it)"
check "w4's backend, killed too, was not watched: nothing said of it" \
	eval '[ "$(grep -c "pvblkback (pid $p4)" $LOG)" -eq 1 ]'
for n in 2 3 4; do
	pvctl destroy $P$n >/dev/null 2>&1
done

# --- Four backends, one killed as the seccomp filter kills -----------------
for n in a b c d; do
	image 5$n
done
make_domain 5 2 $D/5a.img $D/5b.img $D/5c.img $D/5d.img
w5=$id
check "w5: created with four disks" eval 'status_is 0 && [ -n "$w5" ]'
for v in a b c d; do
	eval p5$v=\$\(backend_pid \$w5 xvd$v\)
done
check "... four backends started ($p5a $p5b $p5c $p5d)" \
	eval 'kill -0 $p5a && kill -0 $p5b && kill -0 $p5c && kill -0 $p5d'
wait_for eval 'pvctl console ${P}5 2>/dev/null | grep -q "^@@blk acked 64"'
check "w5: 64 writes acknowledged" test $? -eq 0
run pidfds
check "pvisord holds a pidfd for each (4)" out_has_line 4
wait_for eval '[ "$(node $w5 $XVDB state)" = 2 ]'
kill -SYS $p5b
wait_log "error: domain $w5: disk xvdb: pvblkback (pid $p5b) killed by signal SIGSYS (seccomp?); not restarted"
check "xvdb's backend killed with SIGSYS: logged as seccomp's, maybe" \
	test $? -eq 0
check "... xvdb closed with the reason" \
	closed $w5 $XVDB "pvblkback killed by signal SIGSYS (seccomp?)"
writes_on ${P}5
check "... xvda of the same domain serves on" test $? -eq 0

# --- A backend that exits at once: a bad image ------------------------------
printf 'short' >$D/6.img
make_domain 6 2 $D/6.img
w6=$id
check "w6, its image 5 bytes: created (pvisord checks only access)" \
	eval 'status_is 0 && [ -n "$w6" ]'
p6=$(backend_pid $w6 xvda)
wait_log "error: domain $w6: disk xvda: pvblkback (pid $p6) exited with status 1; not restarted"
check "... its backend exits at once: logged with its status" test $? -eq 0
check "... the device closed, saying so" \
	closed $w6 $XVDA "pvblkback exited with status 1"
check "... the backend's own reason is in the log too" \
	log_has "smaller than one sector"
pvctl destroy ${P}6 >/dev/null 2>&1

# --- A normal destroy: the backends stop with their domain ------------------
errors=$(grep -c "error:" $LOG)
pvctl destroy ${P}5 >/dev/null 2>&1
for v in a c d; do
	eval p=\$p5$v
	wait_log "domain $w5: disk xvd$v: pvblkback (pid $p) stopped with its domain: exited with status"
	check "destroying w5: xvd$v's backend stopped with its domain" \
		test $? -eq 0
done
check "... no error logged" eval '[ "$(grep -c "error:" $LOG)" -eq "$errors" ]'
check "... no error node from pvisord: xvda none, xvdd its backend's own" \
	eval '[ -z "$(node $w5 $XVDA error)" ] && [ -n "$(node $w5 $XVDD error)" ] && ! node $w5 $XVDD error | grep -q "^pvblkback "'
check "destroying every domain gives every frame back" accounting_is_baseline
run ps
check "no pvblkback is left" eval '! grep -q "[p]vblkback" "$tmp/out"'
run pidfds
check "pvisord holds no pidfd" out_has_line 0
wait_for eval '! grep -q "^B " $D/state'
check "the state file records no backend" test $? -eq 0
# Its pid kept: pvisord removes the pid file as it stops.
pid=$(daemon_pid)
kill -TERM "$pid"
wait_for eval '! alive "$pid"'
check "pvisord stops cleanly" eval 'log_has "pvisord: stopped"'

# --- Backend records in the state file: checked like any other line ---------
# (timeout: a record wrongly taken would leave pvisord running.)
for rec in "B 0 xvda 100 1" "B 3 hda 100 1" "B 3 xvda 1 1" "B 3 xvda 100 -1" \
	   "B 3 xvda 100" "B 3 xvda 100 1 x" "B 3 xvda 4194305 1"; do
	printf 'pvisord-xenstore-state 2\nN / n0 -\n%s\nend 1\n' "$rec" >$D/state
	run timeout 20 pvisord -f -s $D/sock -S $D/state -p $D/pid
	check "state file: \"$rec\" is refused (exit 1)" \
		eval 'status_is 1 && err_has "line 3 is malformed"'
done
printf 'pvisord-xenstore-state 1\nN / n0 -\nB 3 xvda 100 1\nend 1\n' >$D/state
run timeout 20 pvisord -f -s $D/sock -S $D/state -p $D/pid
check "state file: a backend in a version 1 file is refused" \
	eval 'status_is 1 && err_has "line 3 is malformed"'
printf 'pvisord-xenstore-state 2\nN / n0 -\nB 3 xvda 100 1\nN /a n0 -\nend 2\n' >$D/state
run timeout 20 pvisord -f -s $D/sock -S $D/state -p $D/pid
check "state file: a node after a backend is refused" \
	eval 'status_is 1 && err_has "line 4 is malformed"'
# Good: a record of a domain the module does not have.
printf 'pvisord-xenstore-state 2\nN / n0 -\nB 32000 xvda 100 1\nend 1\n' >$D/state
start_pvisord
check "state file: a backend of a domain gone: pvisord starts" test $? -eq 0
check "... and logs it stopped with its domain" \
	log_has "domain 32000: disk xvda: pvblkback (pid 100) stopped with its domain: ended while pvisord was not running"
wait_for eval '! grep -q "^B " $D/state'
check "... the record dropped" test $? -eq 0

[ "$failures" -eq 0 ] || sed 's/^/# log: /' $LOG
finish
