# SPDX-License-Identifier: GPL-2.0
#
# Initramfs roots for the Linux guest (guest-port/linux) in the
# selftests: busybox, a few of its applets and the guest user programs,
# with a test's own /init. Source it after tap.sh (busybox sh):
#
#	. "$(dirname "$0")/../lib/linux_guest.sh"
#	linux_root $tmp/user $tmp/user-init sh echo ls
#
#	linux_root DIR INIT [APPLET...]
#				DIR with /bin/busybox and a link for each
#				APPLET (LINUX_APPLETS when none is named),
#				the programs of LINUX_PROGS from
#				$GUEST_DIR/user as /bin/NAME, the tree
#				LINUX_TREE (a directory, when set) copied
#				over the top, INIT as /init; packed as
#				DIR.cpio (newc)
#	boot_linux NAME ROOT WHAT
#				boot $LINUX as NAME ($PAGES frames) with
#				$tmp/ROOT.cpio and pvtest=NAME, two checks
#				(created, stopped by itself within
#				$WAIT_TENTHS), its console in $tmp/out

BUSYBOX=${PVISOR_BUSYBOX:-/bin/busybox}
GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
LINUX_APPLETS=${LINUX_APPLETS:-sh echo ls cat true false sleep}
LINUX_PROGS=${LINUX_PROGS:-}
LINUX_TREE=${LINUX_TREE:-}
LINUX=${LINUX:-$GUEST_DIR/linux.elf}

linux_root() {
	root=$1
	init=$2
	shift 2
	[ $# -gt 0 ] || set -- $LINUX_APPLETS
	mkdir -p "$root/bin" "$root/proc" "$root/tmp" "$root/dev"
	cp "$BUSYBOX" "$root/bin/busybox"
	for a in "$@"; do
		ln -s busybox "$root/bin/$a"
	done
	for prog in $LINUX_PROGS; do
		[ -f "$GUEST_DIR/user/$prog.elf" ] &&
			cp "$GUEST_DIR/user/$prog.elf" "$root/bin/$prog"
	done
	[ -z "$LINUX_TREE" ] || cp -a "$LINUX_TREE/." "$root/"
	cp "$init" "$root/init"
	chmod 755 "$root/init"
	(cd "$root" && find . | cpio -o -H newc >"$root.cpio" 2>/dev/null)
}

boot_linux() {
	run pvctl create --name "$1" --memory $((PAGES * 4))K --kernel "$LINUX" \
		--ramdisk "$tmp/$2.cpio" --cmdline "pvtest=$1 loglevel=7"
	check "create $1 with $3" status_is 0
	wait_stopped "$1"
	rc=$?
	check "$1 stops by itself within $((WAIT_TENTHS / 10)) s" status_is 0
	linux_console "$1"
}
