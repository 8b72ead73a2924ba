#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The block device end to end (Documentation/block.rst): pvblkback in
# Domain0, minnow's blkfront (guest-port/tests/blk.c) in the guest.
#
#   blk=1   images made here: xvda (8 MiB, its first 128 KiB random) and
#           xvdb (1 MiB random, read-only). The guest copies xvda's first
#           256 sectors to sector 1024, reads them back, flushes,
#           discards, sends hostile requests (each answered with an error,
#           the ring going on), fills the ring, copies xvdb's first page
#           to xvda sector 3072, is refused every write to xvdb, closes
#           xvdb, and last breaks xvda's producer index. Here: checksums
#           of the image regions, xvdb unchanged, the backends' exit
#           statuses (3: ring shut; 0: closed) and their xenstore nodes.
#   blk=2   numbered writes until this script kills the backend with
#           SIGKILL: the guest sees the ring go away, the last
#           acknowledged write is in the image, the host goes on, the
#           domain is destroyed and the accounting is back to baseline.
#
# And pvblkback's refusals of bad command lines and images. Runs in the
# QEMU test host (busybox sh, pvisor.ko loaded, pvctl, pvisord and
# pvblkback in PATH). TAP 13, the plan at the end.

D=/tmp/blkt
P=blkt-
GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
BLK=$GUEST_DIR/blk.elf
XVDA=51712
XVDB=51728

. "$(dirname "$0")/../lib/tap.sh"

export PVISOR_STORE_SOCKET=$D/sock

daemon_pid() { cat $D/pid 2>/dev/null; }

cleanup() {
	for d in a k; do
		pvctl destroy $P$d >/dev/null 2>&1
	done
	for p in $back_a $back_b $back_k; do
		kill -KILL "$p" 2>/dev/null
	done
	pid=$(daemon_pid)
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
}

id_of() { pvctl list | awk -v n="$1" '$2 == n { print $1 }'; }

# sum FILE SECTOR COUNT: sha256 of COUNT sectors of FILE from SECTOR.
sum() {
	dd if="$1" bs=512 skip="$2" count="$3" 2>/dev/null | sha256sum |
		cut -d' ' -f1
}

# node DOMID DEV KEY: the backend's xenstore entry.
node() {
	pvctl store read "/local/domain/0/backend/vbd/$1/$2/$3" 2>/dev/null
}

# exited PID: has that background job ended? Its status in $status.
exited() {
	! kill -0 "$1" 2>/dev/null
}

# ran GUEST MIN: wait for domain $P$GUEST to stop, turn its @@pvtest
# lines into TAP (as "GUEST: ..."), check at least MIN ran and all
# passed; its console stays in $tmp/GUEST.console.
ran() {
	wait_stopped $P$1
	check "$1: stops within $((WAIT_TENTHS / 10)) s" test $? -eq 0
	pvctl console $P$1 >$tmp/$1.console 2>&1
	guest_ran_to_end "$1" "$2"
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
	eval 'status_is 2 && err_has "usage: pvblkback"'
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

pvisord -f -s $D/sock -S $D/state -p $D/pid 2>>$D/pvisord.log &
wait_for test -S $D/sock
check "pvisord serves a socket" test -S $D/sock

# The images, made in Domain0.
dd if=/dev/zero of=$D/a.img bs=1M count=8 2>/dev/null
dd if=/dev/urandom of=$D/a.img bs=512 count=256 conv=notrunc 2>/dev/null
dd if=/dev/urandom of=$D/b.img bs=1M count=1 2>/dev/null
src_sum=$(sum $D/a.img 0 256)
b_sum=$(sum $D/b.img 0 2048)
b_page=$(sum $D/b.img 0 8)

run pvctl create --name ${P}a --memory 16M --kernel "$BLK" --cmdline blk=1
a=$(id_of ${P}a)
check "the block test guest starts" eval 'status_is 0 && [ -n "$a" ]'
pvblkback --domain "$a" --vdev xvda --image $D/a.img --mode w \
	2>$D/back-a.log &
back_a=$!
pvblkback --domain "$a" --vdev xvdb --image $D/b.img --mode r \
	2>$D/back-b.log &
back_b=$!
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

wait_for exited $back_a
wait $back_a
st_a=$?
wait_for exited $back_b
wait $back_b
st_b=$?
back_a=
back_b=
cp $D/back-a.log $tmp/out
check "xvda's backend shut the ring for the bad producer index (status 3)" \
	eval '[ $st_a -eq 3 ] && out_has "broke the ring protocol (req_prod claims more requests than the ring holds): ring shut"'
check "... after confining itself" out_has "confined: uid [0-9]*, seccomp filter on"
check "... and answering hostile requests with errors" \
	out_has "requests done, [1-9][0-9]* answered with an error"
cp $D/back-b.log $tmp/out
check "xvdb's backend ended when the frontend closed (status 0)" \
	eval '[ $st_b -eq 0 ] && out_has "the frontend is closing"'
check "xenstore: sectors, sector-size, info of xvda" \
	eval '[ "$(node $a $XVDA sectors)" = 16384 ] && [ "$(node $a $XVDA sector-size)" = 512 ] && [ "$(node $a $XVDA info)" = 0 ]'
check "xenstore: feature-flush-cache 1, xvdb's mode r" \
	eval '[ "$(node $a $XVDA feature-flush-cache)" = 1 ] && [ "$(node $a $XVDB mode)" = r ]'
check "xenstore: both backends Closed (6), xvda with an error node" \
	eval '[ "$(node $a $XVDA state)" = 6 ] && [ "$(node $a $XVDB state)" = 6 ] && [ -n "$(node $a $XVDA error)" ]'
pvctl destroy ${P}a >/dev/null 2>&1
check "destroying it gives every frame back" accounting_is_baseline

# The backend killed mid-run.
dd if=/dev/zero of=$D/k.img bs=1M count=4 2>/dev/null
run pvctl create --name ${P}k --memory 16M --kernel "$BLK" --cmdline blk=2
k=$(id_of ${P}k)
check "the kill guest starts" eval 'status_is 0 && [ -n "$k" ]'
pvblkback --domain "$k" --vdev xvda --image $D/k.img 2>$D/back-k.log &
back_k=$!
wait_for eval 'pvctl console ${P}k 2>/dev/null | grep -q "^@@blk acked 64"'
check "the guest has 64 writes acknowledged" test $? -eq 0
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

finish
