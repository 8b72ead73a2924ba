# SPDX-License-Identifier: GPL-2.0
#
# Running guest user programs (guest-port/user/progs/*.elf) in minnow's
# user mode from the test host (Documentation/minnow-user-mode.rst), for
# the selftests and the benchmarks. Source it (busybox sh):
#
#	. /selftests/lib/minnow_user.sh
#	minnow_ramdisk /tmp/progs.cpio
#	minnow_user_run bench1 /tmp/progs.cpio "run=bench_getpid.elf,100000" >out
#
#	minnow_ramdisk OUT [DIR]	a newc cpio of DIR/*.elf (/guest/user)
#	minnow_user_run NAME RAMDISK CMDLINE [VCPUS [MEMORY]]
#				boot minnow as domain NAME (1 vCPU, 48M),
#				wait until it stops (MINNOW_WAIT_TENTHS, 1200
#				tenths of a second at most), print its console
#				on stdout and destroy it; 0 when it powered
#				off, 1 otherwise (a crash, a hang, no start)

MINNOW_ELF=${MINNOW_ELF:-/guest/minnow.elf}
MINNOW_WAIT_TENTHS=${MINNOW_WAIT_TENTHS:-1200}

minnow_ramdisk() {
	(cd "${2:-/guest/user}" && ls -- *.elf | cpio -o -H newc) >"$1" 2>/dev/null
}

minnow_user_run() {
	pvctl create --name "$1" --memory "${5:-48M}" --vcpus "${4:-1}" \
		--kernel "$MINNOW_ELF" ${2:+--ramdisk "$2"} --cmdline "$3" \
		>/dev/null || return 1
	i=0
	state=
	while [ $i -lt "$MINNOW_WAIT_TENTHS" ]; do
		state=$(pvctl list | awk -v n="$1" '$2 == n { print $3 }')
		case "$state" in
		shutdown*|crashed*) break ;;
		esac
		sleep 0.1
		i=$((i + 1))
	done
	pvctl console "$1"
	pvctl destroy "$1" >/dev/null 2>&1
	[ "$state" = "shutdown(poweroff)" ]
}
