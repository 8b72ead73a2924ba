#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The block device end to end (Documentation/block.rst): pvblkback in
# Domain0, minnow's blkfront (guest-port/tests/blk.c) in the guest.
#
#   First, bad pvblkback command lines and bad disk config lines.
#   blk=1   a domain from a config with two disks, whose backends pvisord
#           starts: xvda (8 MiB, its first 128 KiB random, made here)
#           and xvdb (1 MiB random, read-only). The guest copies xvda's
#           first 256 sectors to sector 1024, reads them back, flushes,
#           discards, sends hostile requests (each answered with an
#           error, the ring going on), fills the ring, copies xvdb's
#           first page to xvda sector 3072, is refused every write to
#           xvdb, closes xvdb, and last breaks xvda's producer index.
#           Here: checksums of the image regions, xvdb unchanged, the
#           backends' log lines and xenstore nodes.
#   blk=3   hostile handshakes, one a guest (a ring-ref never granted, a
#           port not offered to Domain0, a ring-ref that is no number),
#           published without waiting for InitWait: each backend writes
#           an error node and Closed and exits with 1.
#   blk=2   numbered writes; the backend is stopped and continued, and
#           pvisord is killed and started again (the backend serves on
#           each time), then the backend is killed with SIGKILL:
#           the guest sees the ring go away, the last acknowledged write
#           is in the image, the host goes on, the domain is destroyed
#           and the accounting is back to baseline.
#
# Runs in the QEMU test host (busybox sh, pvisor.ko loaded, pvctl,
# pvisord and pvblkback in PATH). TAP 13, the plan at the end.

D=/tmp/blkt
P=blkt-
GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
BLK=$GUEST_DIR/blk.elf
XVDA=51712
XVDB=51728
# A hang detector: TCG on a shared machine takes its time.
WAIT_TENTHS=${WAIT_TENTHS:-1200}

. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/blk.sh"
. "$(dirname "$0")/../lib/pvisord.sh"

export PVISOR_STORE_SOCKET=$D/sock

daemon_pid() { cat $D/pid 2>/dev/null; }

cleanup() {
	for d in a h k; do
		pvctl destroy $P$d >/dev/null 2>&1
	done
	for p in $back_k; do
		kill -KILL "$p" 2>/dev/null
	done
	pid=$(daemon_pid)
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
}

# sum FILE SECTOR COUNT: sha256 of COUNT sectors of FILE from SECTOR.
sum() {
	dd if="$1" bs=512 skip="$2" count="$3" 2>/dev/null | sha256sum |
		cut -d' ' -f1
}

node() { blk_node "$@"; }

# ran GUEST MIN: wait for domain $P$GUEST to stop, turn its @@pvtest
# lines into TAP (as "GUEST: ..."), check at least MIN ran and all
# passed; its console stays in $tmp/GUEST.console.
ran() {
	wait_stopped $P$1
	check "$1: stops within $((WAIT_TENTHS / 10)) s" test $? -eq 0
	pvctl console $P$1 >$tmp/$1.console 2>&1
	guest_ran_to_end "$1" "$2"
}

# closed_with_error DOMID DEV...: each backend is Closed and said why.
closed_with_error() {
	d=$1
	shift
	for n in "$@"; do
		[ "$(node $d $n state)" = 6 ] && [ -n "$(node $d $n error)" ] ||
			return 1
	done
}

echo "TAP version 13"
need_tools pvctl pvisord pvblkback sha256sum
need_module
[ -f "$BLK" ] || skip_all "no $BLK"
rm -rf $D
mkdir -p $D

# Bad command lines and images, before anything runs.
run pvblkback --domain 1 --vdev xvda
check "pvblkback: no --image: usage, status 2" \
	eval 'status_is 2 && err_has "Usage: pvblkback"'
run pvblkback --domain 1 --vdev hda --image /dev/null
check "pvblkback: vdev hda: refused by name" \
	eval 'status_is 2 && err_has "invalid vdev .hda.: xvda to xvdz"'
run pvblkback --domain 0 --vdev xvda --image /dev/null
check "pvblkback: domain 0: refused" \
	eval 'status_is 2 && err_has "invalid domain id .0."'
run pvblkback --domain 1 --vdev xvda --image $D/none --mode w
check "pvblkback: a missing image: status 1, saying so" \
	eval 'status_is 1 && err_has "$D/none: No such file"'
run pvblkback --domain 1 --vdev xvda --image $D --mode r
check "pvblkback: a directory: not a raw image" \
	eval 'status_is 1 && err_has "not a regular file"'
printf 'short' >$D/short.img
run pvblkback --domain 1 --vdev xvda --image $D/short.img
check "pvblkback: a 5-byte image: smaller than a sector" \
	eval 'status_is 1 && err_has "smaller than one sector"'
run pvblkback --domain 1 --vdev xvda --image $D/short.img --mode x
check "pvblkback: mode x: refused" \
	eval 'status_is 2 && err_has "invalid mode .x.: r or w"'

pvisord_start $D $D/pvisord.log
rc=$?
check "pvisord starts and serves a socket" eval 'status_is 0 && test -S $D/sock'

# The images, made in Domain0.
dd if=/dev/zero of=$D/a.img bs=1M count=8 2>/dev/null
dd if=/dev/urandom of=$D/a.img bs=512 count=256 conv=notrunc 2>/dev/null
dd if=/dev/urandom of=$D/b.img bs=1M count=1 2>/dev/null
src_sum=$(sum $D/a.img 0 256)
b_sum=$(sum $D/b.img 0 2048)
b_page=$(sum $D/b.img 0 8)

# Bad disk lines: each refused with its reason, nothing created.
GOOD="name = \"${P}a\"\nmemory = 16\nkernel = \"$BLK\"\n"
bad() {
	printf '%b' "${GOOD}disk = [ $2 ]\n" >$D/$1.cfg
	run pvctl create $D/$1.cfg
	want="$1.cfg:4: disk: bad value: $3"
	check "config: $1: refused (exit 2): $3" \
		eval 'status_is 2 && err_has "$want" && accounting_is_baseline'
}
bad two-fields '"/a.img,xvda"' '"/a.img,xvda": expected "PATH,VDEV,MODE"'
bad four-fields '"/a.img,xvda,w,x"' '"/a.img,xvda,w,x": expected "PATH,VDEV,MODE"'
bad hda '"/a.img,hda,w"' '"/a.img,hda,w": vdev "hda": xvda to xvdz'
bad mode '"/a.img,xvda,rwx"' '"/a.img,xvda,rwx": mode "rwx": r (read-only) or w'
bad phy '"phy:/dev/sda,xvda,w"' '"phy:/dev/sda,xvda,w": only raw image files'
bad xl-keys '"target=/a.img,vdev=xvda"' \
	"\"target=/a.img,vdev=xvda\": xl's KEY=VALUE form is not taken"
bad twice '"/a.img,xvda,w", "/b.img,xvda,r"' 'vdev xvda is given twice'
bad five '"/a,xvda,w", "/b,xvdb,w", "/c,xvdc,w", "/d,xvdd,w", "/e,xvde,w"' \
	'5 disks: at most 4'
bad number '7' 'each disk is a string in quotes'
printf '%b' "${GOOD}disk = [ \"$D/none.img,xvda,w\" ]\n" >$D/none.cfg
run pvctl create $D/none.cfg
check "config: a missing image: refused, naming it" \
	eval 'status_is 2 && err_has "none.cfg: disk: cannot find \"$D/none.img\"" && accounting_is_baseline'

# The block test guest, its two backends started by pvisord from the
# config's disk lines (relative paths, taken from the current directory);
# kept when it stops, for the checks.
printf '%b' "${GOOD}cmdline = \"blk=1\"\non_poweroff = \"preserve\"\non_crash = \"preserve\"\ndisk = [ \"a.img,xvda,w\",\n\t\"file:b.img,xvdb,ro\" ]\n" >$D/a.cfg
run sh -c "cd $D && pvctl create a.cfg"
a=$(id_of ${P}a)
check "a config with two disk lines creates the guest" \
	eval 'status_is 0 && [ -n "$a" ]'
run pvctl config ${P}a
check "... the kept config names both disks by absolute path" \
	out_has_line "disk = [ \"$D/a.img,xvda,w\", \"$D/b.img,xvdb,r\" ]"
cp $D/pvisord.log $tmp/out
check "... and pvisord started a backend for each" \
	eval 'out_has "domain $a: disk xvda: pvblkback started for $D/a.img (read-write)" && out_has "domain $a: disk xvdb: pvblkback started for $D/b.img (read-only)"'
ran a 40
check "a: the guest saw xvda's 16384 sectors" \
	out_has "^@@blk xvda sectors=16384 info=0 flush=1 discard=1"
check "a: ... and xvdb read-only (info 4)" \
	out_has "^@@blk xvdb sectors=2048 info=4 flush=1 discard=0"

check "image: sectors 1024-1279 are the guest's copy of 0-255 (sha256)" \
	eval '[ "$(sum $D/a.img 1024 256)" = "$src_sum" ]'
check "image: sectors 0-255 are as Domain0 made them" \
	eval '[ "$(sum $D/a.img 0 256)" = "$src_sum" ]'
check "image: sector 3072's page is xvdb's first page" \
	eval '[ "$(sum $D/a.img 3072 8)" = "$b_page" ]'
check "image: the discarded page reads as zeros" \
	eval '[ "$(sum $D/a.img 2048 8)" = "$(sum /dev/zero 0 8)" ]'
check "image: the read-only xvdb is unchanged" \
	eval '[ "$(sum $D/b.img 0 2048)" = "$b_sum" ]'

backends_gone() {
	run ps
	! grep -q "[p]vblkback --domain $1 " "$tmp/out"
}
wait_for backends_gone $a
check "both backends have exited" test $? -eq 0
cp $D/pvisord.log $tmp/out
check "xvda's backend shut the ring for the bad producer index" \
	out_has "dom $a xvda: the frontend broke the ring protocol (req_prod claims more requests than the ring holds): ring shut"
check "... after confining itself" \
	out_has "dom $a xvda: confined: uid [0-9]*, seccomp filter on"
check "... and answering hostile requests with errors" \
	out_has "dom $a xvda: [0-9]* requests done, [1-9][0-9]* answered with an error"
check "xvdb's backend ended when the frontend closed" \
	out_has "dom $a xvdb: the frontend is closing"
check "xenstore: sectors, sector-size, info of xvda" \
	eval '[ "$(node $a $XVDA sectors)" = 16384 ] && [ "$(node $a $XVDA sector-size)" = 512 ] && [ "$(node $a $XVDA info)" = 0 ]'
check "xenstore: feature-flush-cache 1, xvdb's mode r" \
	eval '[ "$(node $a $XVDA feature-flush-cache)" = 1 ] && [ "$(node $a $XVDB mode)" = r ]'
check "xenstore: both backends Closed (6), xvda with an error node" \
	eval '[ "$(node $a $XVDA state)" = 6 ] && [ "$(node $a $XVDB state)" = 6 ] && [ -n "$(node $a $XVDA error)" ]'
pvctl destroy ${P}a >/dev/null 2>&1
check "destroying it gives every frame back" accounting_is_baseline

# Hostile handshakes, one a guest: each backend gives up (status 1),
# saying why, and the host goes on.
dd if=/dev/zero of=$D/h.img bs=1M count=1 2>/dev/null
for hs in 1 2 3; do
	case $hs in
	1) what="the ungranted ring-ref"
	   said="cannot map the frontend.s ring-ref 5: Permission denied" ;;
	2) what="the port not offered to Domain0"
	   said="cannot bind the frontend.s event-channel 4000: Invalid argument" ;;
	3) what="the malformed ring-ref"
	   said="frontend.s ring-ref is not a number up to 4294967295: \"12abc\"" ;;
	esac
	run pvctl create --name ${P}h --memory 16M --kernel "$BLK" \
		--cmdline "blk=3 hs=$hs"
	h=$(id_of ${P}h)
	check "hostile handshake $hs: the guest starts" \
		eval 'status_is 0 && [ -n "$h" ]'
	pvblkback --domain "$h" --vdev xvda --image $D/h.img 2>$D/back-h$hs.log &
	p=$!
	ran h 3
	wait_for eval '! kill -0 $p 2>/dev/null'
	if kill -0 $p 2>/dev/null; then
		st=running
	else
		wait $p
		st=$?
	fi
	cp $D/back-h$hs.log $tmp/out
	check "... the backend refused $what (status 1)" \
		eval '[ "$st" = 1 ] && out_has "dom $h xvda: $said"'
	check "... xenstore: the backend is Closed (6), with an error node" \
		closed_with_error $h $XVDA
	pvctl destroy ${P}h >/dev/null 2>&1
	kill -KILL $p 2>/dev/null
	check "... destroying it gives every frame back" accounting_is_baseline
done

acked_now() { blk_acked ${P}k; }

# The backend killed mid-run, after serving on through a restart of
# pvisord.
# 32 MiB, sparse: 65536 writes, so that the guest is still writing when
# the backend is killed, however fast the machine (4 MiB ran out on a
# quiet one, before pvisord's restart).
dd if=/dev/zero of=$D/k.img bs=1M seek=32 count=0 2>/dev/null
run pvctl create --name ${P}k --memory 16M --kernel "$BLK" --cmdline blk=2
k=$(id_of ${P}k)
check "the kill guest starts" eval 'status_is 0 && [ -n "$k" ]'
pvblkback --domain "$k" --vdev xvda --image $D/k.img 2>$D/back-k.log &
back_k=$!
wait_for eval 'pvctl console ${P}k 2>/dev/null | grep -q "^@@blk acked 64"'
check "the guest has 64 writes acknowledged" test $? -eq 0
# Stopped and continued, ten times, at least once inside poll (its
# number, 7, first in /proc/PID/syscall): a poll cut short comes back
# through restart_syscall, which the backend's seccomp filter must let in.
in_poll=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	kill -STOP $back_k
	sleep 0.3
	[ "$(cut -d' ' -f1 /proc/$back_k/syscall 2>/dev/null)" = 7 ] &&
		in_poll=$((in_poll + 1))
	kill -CONT $back_k
	sleep 0.3
done
before=$(acked_now)
wait_for eval '[ "$(acked_now)" -gt "${before:-0}" ]'
served=$?
check "stopped and continued 10 times, $in_poll in poll: the backend serves on ($before, then $(acked_now) writes)" \
	eval '[ "$served" -eq 0 ] && [ "$in_poll" -gt 0 ]'
kill -KILL "$(daemon_pid)"
wait_for eval '! alive "$(daemon_pid)"'
pvisord_start $D $D/pvisord.log
rc=$?
check "pvisord starts again (its ready line)" status_is 0
# Served on: writes acknowledged past what the guest had said by now.
before=$(acked_now)
wait_for eval '[ "$(acked_now)" -gt "${before:-0}" ]'
check "pvisord killed and started again: the backend serves on ($before, then $(acked_now) writes)" test $? -eq 0
cp $D/back-k.log $tmp/out
check "... saying it lost pvisord's xenstore" \
	out_has "lost pvisord's xenstore (.*): serving on until the frontend's port closes"
kill -KILL $back_k
wait $back_k
check "the backend is killed mid-run (SIGKILL)" test $? -eq 137
back_k=
ran k 4
n=$(sed -n 's/^@@blk ring gone after \([0-9]*\) acknowledged writes.*/\1/p' $tmp/k.console)
check "k: the guest counted its acknowledged writes ($n)" \
	eval '[ -n "$n" ] && [ "$n" -ge 64 ]'
last=$((${n:-1} - 1))
check "image: the last acknowledged write (sector $last) is there" \
	eval '[ "$(dd if=$D/k.img bs=512 skip=$last count=1 2>/dev/null | head -c 16)" = "$(printf "blk-seq-%08d" $last)" ]'
check "image: and the first" \
	eval '[ "$(dd if=$D/k.img bs=512 count=1 2>/dev/null | head -c 16)" = "blk-seq-00000000" ]'
run pvctl list
check "the host goes on: pvctl list works" status_is 0
pvctl destroy ${P}k >/dev/null 2>&1
check "destroying it gives every frame back" accounting_is_baseline
run ps
check "no pvblkback is left" eval '! grep -q "[p]vblkback" "$tmp/out"'

# What pvisord and the backends said, when something failed.
[ "$failures" -eq 0 ] || sed 's/^/# log: /' $D/pvisord.log $D/back-*.log
finish
