#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The Linux guest (guest-port/linux) booted and destroyed 20 times
# (PVISOR_LINUX_CYCLES; 6 on the debug kernel, testing.rst) beside
# two minnow guests that run on throughout. Each cycle boots the guest to
# its /init, which mounts /proc and /dev, forks a few processes (user contexts) and
# says so on the console; then:
#
#   - cycles 1, 4, 7, ...: /init powers the guest off (poweroff -f), the
#     domain is shutdown(poweroff), and Domain0 destroys it;
#   - cycles 2, 5, 8, ...: /init leaves three processes sleeping, and
#     Domain0 destroys the domain while they and the kernel are running;
#   - cycles 3, 6, 9, ...: /init reboots (reboot -f), the domain is
#     shutdown(reboot) (no toolstack here to restart it), and Domain0
#     destroys it.
#
# After each destroy the module's accounting (domains, frames used) is
# back to what it was with the two minnow guests alone, and no runner of
# the Linux domain is left. The minnow guests each run user_ticker, a
# process that sleeps 10 ms a million times and reports each wake-up:
# after the cycles both are still running, have ticked on, and none of
# their ticks failed. At the end everything is destroyed and the
# accounting is back to the baseline of the test's start.
#
# Runs in the QEMU test host: busybox sh and /bin/busybox (static),
# pvisor.ko loaded, pvctl in PATH, the guests in /guest. TAP 13. Exits 0
# when every check passed, 1 otherwise, 4 (skip) when something it needs
# is missing.

WAIT_TENTHS=1200
PAGES=8192
CYCLES=${PVISOR_LINUX_CYCLES:-20}

LC=linux-cycle
M1=cycle-minnow1
M2=cycle-minnow2

. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/linux_guest.sh"
MINNOW=$GUEST_DIR/minnow.elf
TICKER=$GUEST_DIR/user/user_ticker.elf

cleanup() {
	pvctl destroy $LC >/dev/null 2>&1
	pvctl destroy $M1 >/dev/null 2>&1
	pvctl destroy $M2 >/dev/null 2>&1
}

echo "TAP version 13"

need_tools pvctl cpio
[ -f "$LINUX" ] || skip_all "no Linux guest at $LINUX (scripts/linux-guest.sh builds it)"
[ -x "$BUSYBOX" ] || skip_all "no busybox at $BUSYBOX"
[ -f "$MINNOW" ] && [ -f "$TICKER" ] || skip_all "no $MINNOW or $TICKER"
need_module

# The last tick a minnow guest reported, 0 before the first.
last_tick() {
	pvctl console "$1" 2>/dev/null |
		sed -n 's/^@@pvtest ok [0-9]* user_ticker: tick \([0-9]*\) of .*/\1/p' | tail -n 1 |
		grep . || echo 0
}

mkdir -p "$tmp/rd"
cp "$TICKER" "$tmp/rd/user_ticker.elf"
(cd "$tmp/rd" && echo user_ticker.elf | cpio -o -H newc >"$tmp/ticker.cpio" 2>/dev/null)
for m in $M1 $M2; do
	run pvctl create --name $m --memory 16M --kernel "$MINNOW" \
		--ramdisk "$tmp/ticker.cpio" --cmdline "run=user_ticker.elf,1000000"
	check "create $m (minnow running user_ticker)" status_is 0
done
wait_for eval '[ "$(last_tick $M1)" -gt 0 ] && [ "$(last_tick $M2)" -gt 0 ]'
rc=$?
check "both minnow guests tick" status_is 0
run pvctl info --json
domains1=$(json_field domains)
frames1=$(json_field frames_used)
ticks1_m1=$(last_tick $M1)
ticks1_m2=$(last_tick $M2)

# With the minnow guests alone: the baseline of every cycle.
back_to_minnows() {
	run pvctl info --json
	[ "$(json_field domains)" -eq "$domains1" ] &&
		[ "$(json_field frames_used)" -eq "$frames1" ]
}

cat >"$tmp/cycle-init" <<'EOF'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t devtmpfs devtmpfs /dev
for i in 1 2 3; do sleep 1000 & done
# A child is "sh" until its exec of sleep: wait for the three (30 s at most).
sleeping() { cat /proc/[0-9]*/comm 2>/dev/null | grep -c -x sleep; }
i=0
until [ "$(sleeping)" -ge 3 ] || [ $i -ge 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
echo "@@cycle up: $(sleeping) sleeping"
case " $(cat /proc/cmdline) " in
*" cycle=poweroff "*) poweroff -f ;;
*" cycle=reboot "*) reboot -f ;;
esac
echo "@@cycle left running"
wait
EOF
linux_root "$tmp/cycle" "$tmp/cycle-init" sh echo cat grep sleep mount poweroff \
	reboot

console_has() {
	pvctl console $LC 2>/dev/null | tr -d '\r' | grep -q -x -F -e "$1"
}

start=$(cut -d. -f1 /proc/uptime)
n=1
while [ $n -le "$CYCLES" ]; do
	case $((n % 3)) in
	1) how=poweroff label="destroyed after poweroff" ;;
	2) how=running label="destroyed while running" ;;
	0) how=reboot label="destroyed after reboot" ;;
	esac
	why=
	pvctl create --name $LC --memory $((PAGES * 4))K --kernel "$LINUX" \
		--ramdisk "$tmp/cycle.cpio" --cmdline "cycle=$how" \
		>"$tmp/create.out" 2>&1 || why="create failed: $(cat "$tmp/create.out")"
	if [ -z "$why" ] && [ $how != running ]; then
		wait_stopped $LC || why="did not stop ($(state_of $LC))"
		[ -n "$why" ] || [ "$(state_of $LC)" = "shutdown($how)" ] ||
			why="ended as $(state_of $LC), not shutdown($how)"
	elif [ -z "$why" ]; then
		wait_for console_has "@@cycle left running" ||
			why="no word from /init ($(state_of $LC))"
		[ -n "$why" ] || [ "$(state_of $LC)" = running ] ||
			why="not running but $(state_of $LC)"
	fi
	[ -n "$why" ] || console_has "@@cycle up: 3 sleeping" ||
		why="/init did not see its processes"
	if [ -n "$why" ]; then
		linux_console $LC
		sed 's/^/# console: /' "$tmp/out" | tail -n 20
	fi
	id=$(id_of $LC)
	pvctl destroy $LC >"$tmp/destroy.out" 2>&1 ||
		why="${why:+$why; }destroy failed: $(cat "$tmp/destroy.out")"
	[ -n "$why" ] || wait_for back_to_minnows ||
		why="accounting not back: $(cat "$tmp/out")"
	[ -n "$why" ] || runners_gone "$id" || why="its runner is still there"
	check "cycle $n: booted, $label, accounting back" \
		eval '[ -z "$why" ] || { echo "# $why"; false; }'
	n=$((n + 1))
done
echo "# $CYCLES cycles in $(($(cut -d. -f1 /proc/uptime) - start)) s"

check "$M1 still runs" eval '[ "$(state_of $M1)" = running ]'
check "$M2 still runs" eval '[ "$(state_of $M2)" = running ]'
check "$M1 ticked on during the cycles ($ticks1_m1 before, $(last_tick $M1) after)" \
	eval '[ "$(last_tick $M1)" -gt "$ticks1_m1" ]'
check "$M2 ticked on during the cycles ($ticks1_m2 before, $(last_tick $M2) after)" \
	eval '[ "$(last_tick $M2)" -gt "$ticks1_m2" ]'
check "no tick of either minnow guest failed" \
	eval '! { pvctl console $M1; pvctl console $M2; } 2>&1 | grep -q "^@@pvtest not ok"'
run pvctl destroy $M1
check "destroy $M1" status_is 0
run pvctl destroy $M2
check "destroy $M2" status_is 0
check "domains and frames are back to the baseline" accounting_is_baseline

finish
