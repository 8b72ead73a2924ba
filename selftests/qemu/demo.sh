#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# pvisor-demo: what `make run` starts in the test host before it hands
# over the shell (selftests/qemu/init calls it; run.sh installs it as
# /bin/pvisor-demo). It starts pvisord, the Domain0 daemon, unless one
# already answers on its socket; writes an xl-style config for the Linux
# guest with make run's initramfs (a shell on the guest's console); creates
# the domain from it through pvisord, so the config is kept and
# on_poweroff is acted on; waits for the guest's banner; and says how to
# reach the shell. Run it again with another NAME for a second guest.
#
# usage: pvisor-demo [NAME]     (NAME: the domain's name, "linux")
#
# Environment:
#   PVISOR_DEMO_DIR       the config, pvisord's pid file and log (/run/pvisor)
#   PVISOR_STORE_SOCKET   pvisord's socket, as for pvctl
#                         ($PVISOR_DEMO_DIR/xenstored.socket)
#   PVISOR_DEMO_STATE     pvisord's state file (/var/lib/pvisor/xenstore.state)
#   PVISOR_GUEST_DIR      the guest kernels (/guest)
#   PVISOR_DEMO_MEMORY    the guest's memory in MiB (64)
#   PVISOR_DEMO_WAIT      seconds to wait for pvisord and the banner (120)
#
# Exit status: 0 when the guest printed its banner; 1 when something failed,
# said on stderr with what to look at; 2 for a bad argument.

name=${1:-linux}
dir=${PVISOR_DEMO_DIR:-/run/pvisor}
PVISOR_STORE_SOCKET=${PVISOR_STORE_SOCKET:-$dir/xenstored.socket}
export PVISOR_STORE_SOCKET
state=${PVISOR_DEMO_STATE:-/var/lib/pvisor/xenstore.state}
guests=${PVISOR_GUEST_DIR:-/guest}
memory=${PVISOR_DEMO_MEMORY:-64}
wait_s=${PVISOR_DEMO_WAIT:-120}
kernel=$guests/linux.elf
ramdisk=$guests/linux-initramfs.cpio
cfg=$dir/$name.cfg
log=$dir/pvisord.log
# guest-port/linux/init prints this once its file systems are up, just
# before the shell starts.
banner='^pvisor Linux guest: '

fail() {
	echo "pvisor-demo: $*" >&2
	exit 1
}

case "$name" in
''|-*|*[!A-Za-z0-9_.-]*)
	echo "usage: pvisor-demo [NAME]   (NAME: letters, digits, '_', '.', '-')" >&2
	exit 2 ;;
esac
[ $# -le 1 ] || { echo "usage: pvisor-demo [NAME]" >&2; exit 2; }
[ -f "$kernel" ] || fail "no Linux guest at $kernel (make builds it: scripts/linux-guest.sh)"
[ -f "$ramdisk" ] || fail "no initramfs at $ramdisk (selftests/qemu/run.sh packs it)"

pvisord_answers() {
	pvctl store ls / >/dev/null 2>&1
}

# Waits up to $wait_s for COMMAND to succeed; fails early when the
# optional process PID is gone.
wait_until() {
	pid=$1
	shift
	tenths=0
	until "$@"; do
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
			return 2
		fi
		[ $tenths -ge $((wait_s * 10)) ] && return 1
		sleep 0.1
		tenths=$((tenths + 1))
	done
}

mkdir -p "$dir" "${state%/*}" || fail "cannot make $dir or ${state%/*}"

if pvisord_answers; then
	echo "pvisor-demo: pvisord already serves $PVISOR_STORE_SOCKET"
else
	# In the foreground, so that its log goes to a file rather than to
	# syslog, which the test host does not run; in a session of its
	# own, so the console shell's Ctrl-C and job control never reach it.
	rm -f "$dir/pvisord.pid"
	setsid pvisord --foreground --socket "$PVISOR_STORE_SOCKET" \
		--state "$state" --pid-file "$dir/pvisord.pid" \
		</dev/null >>"$log" 2>&1 &
	wait_until "" test -s "$dir/pvisord.pid"
	pid=$(cat "$dir/pvisord.pid" 2>/dev/null)
	wait_until "$pid" pvisord_answers
	case $? in
	0) echo "pvisor-demo: pvisord (pid $pid) serves $PVISOR_STORE_SOCKET, log in $log" ;;
	*) tail -n 5 "$log" >&2
	   fail "pvisord did not come up (its log: $log)" ;;
	esac
fi

# Before the config is written: the running domain's file stays as it is.
if pvctl list 2>/dev/null | awk -v n="$name" '$2 == n { f = 1 } END { exit !f }'; then
	fail "a domain named $name exists already (pvctl destroy $name, or pvisor-demo OTHERNAME)"
fi

# The file is the domain's description, kept for `pvctl create` again:
# domain-config.rst has every key.
cat >"$cfg" <<EOF || fail "cannot write $cfg"
# The Linux guest that pvisor-demo started (Documentation/domain-config.rst).
name = "$name"
memory = $memory
vcpus = 1
kernel = "$kernel"
ramdisk = "$ramdisk"
# 'poweroff -f' in the guest ends the domain; a crash keeps it to look at.
on_poweroff = "destroy"
on_reboot = "restart"
on_crash = "preserve"
EOF

pvctl create "$cfg" >"$dir/$name.create" 2>&1
st=$?
cat "$dir/$name.create"
[ $st -eq 0 ] || fail "pvctl create $cfg failed (status $st)"

up() {
	pvctl console --no-follow "$name" 2>/dev/null | grep -q "$banner"
}
stopped() {
	case "$(pvctl list 2>/dev/null | awk -v n="$name" '$2 == n { print $3 }')" in
	shutdown*|crashed*|'') return 0 ;;
	esac
	return 1
}
tenths=0
until up; do
	if stopped; then
		pvctl console --no-follow "$name" 2>/dev/null | tail -n 5 >&2
		fail "$name stopped before its shell started (pvctl list; pvctl console $name)"
	fi
	[ $tenths -ge $((wait_s * 10)) ] &&
		fail "no banner from $name in $wait_s s (pvctl console $name shows how far it got)"
	sleep 0.1
	tenths=$((tenths + 1))
done

cat <<EOF
pvisor-demo: $name is up, a Linux guest with a shell on its console.

    pvctl console $name      its shell; Ctrl-] detaches
    pvctl list               the domains; pvctl top watches them
    pvctl config $name       its config, as pvisord keeps it ($cfg)
    pvctl destroy $name      stop it ('poweroff -f' in it does too)
    pvisor-demo NAME         another one
EOF
