#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# User space on the Linux guest (guest-port/linux): Debian's
# busybox-static as /init in an initramfs made here, run in user contexts
# (every mm a context, its user code run by RUN_USER). /init is a busybox
# shell script that runs applets and prints what they gave, one
# "@@linux NAME: VALUE" line each, and powers the domain off; the checks
# compare each value with what Linux gives: the script's own pid, mounts
# of proc, tmpfs and sysfs, top, ls /, /proc/version, /proc/self and /proc/meminfo,
# a pipe of three processes, fork+exec of a child, exit codes, a loop of
# 200 fork+exec+exit, /proc/1/wchan and ps, a signal killing a child
# (status 128+SIGUSR1), a signal handler run by trap, arithmetic in awk,
# the static test programs of guest-port/user as natively (user_trap
# killed by Linux's signal for each trap, user_sys's and user_fpu's own
# checks), and
# the power-off reaching Domain0 as shutdown(poweroff). A second boot
# runs an /init that exits: the kernel's "Attempted to kill init!" panic
# with its exit code, as a crash. A third runs an interactive shell on
# the console (hvc0), fed lines through pvctl console --input: the tty
# echoes them, the shell runs them (a background job among them, with
# job control) and powers off. A fourth boots make run's initramfs
# (guest-port/linux/init) and runs commands in its shell, root's login
# shell.
#
# Runs in the QEMU test host: busybox sh and /bin/busybox (static),
# pvisor.ko loaded, pvctl in PATH, the guests in /guest. TAP 13. Exits 0
# when every check passed, 1 otherwise, 4 (skip) when something it needs
# is missing.

WAIT_TENTHS=1800
PAGES=8192

LU=linux-user
LE=linux-initexit
LS=linux-shell
LR=linux-run

. "$(dirname "$0")/../lib/tap.sh"
LINUX_PROGS="user_trap user_sys user_hostile user_fpu"
. "$(dirname "$0")/../lib/linux_guest.sh"

cleanup() {
	pvctl destroy $LU >/dev/null 2>&1
	pvctl destroy $LE >/dev/null 2>&1
	pvctl destroy $LS >/dev/null 2>&1
	pvctl destroy $LR >/dev/null 2>&1
}

echo "TAP version 13"

need_tools pvctl cpio
[ -f "$LINUX" ] || skip_all "no Linux guest at $LINUX (scripts/linux-guest.sh builds it)"
[ -x "$BUSYBOX" ] || skip_all "no busybox at $BUSYBOX"
need_module

# mkroot DIR INIT: a root with the applets these scripts use.
mkroot() {
	linux_root "$1" "$2" sh echo ls cat tr rev wc cut grep awk seq true \
		false kill mount uname poweroff sleep readlink head setsid ps mkdir \
		top
}

cat >"$tmp/user-init" <<'EOF'
#!/bin/sh
export PATH=/bin
echo "@@linux init: pid $$"
mount -t proc proc /proc && echo "@@linux mount proc: ok"
mount -t tmpfs tmpfs /tmp && echo "@@linux mount tmpfs: ok"
echo "@@linux ls /: $(ls / | tr '\n' ' ')"
echo "@@linux uname: $(uname -s -m)"
echo "@@linux /proc/version: $(cut -d' ' -f1-2 /proc/version)"
echo "@@linux /proc/self: $(readlink /proc/self)" | grep -q "@@linux /proc/self: [0-9]" && echo "@@linux /proc/self: a pid"
echo "@@linux meminfo: $(grep -c '^MemTotal: ' /proc/meminfo)"
mkdir /sys && mount -t sysfs sysfs /sys && [ -d /sys/kernel ] && echo "@@linux mount sysfs: ok"
echo "@@linux mount lists: $(mount | awk '{ print $3 "=" $5 }' | grep -c -x -e /proc=proc -e /tmp=tmpfs -e /sys=sysfs)"
top -b -n 1 >/tmp/top && awk '$1 == 1 && /\/init/ { print "@@linux top: pid 1 init" }' /tmp/top
grep -q '^Mem: ' /tmp/top && echo "@@linux top: memory line"
cat /proc/1/wchan >/tmp/wchan && echo "@@linux /proc/1/wchan: readable"
ps | awk '$1 == 1 { print "@@linux ps: pid 1 listed" }'
echo "@@linux pipe: $(echo hello pipe | tr a-z A-Z | rev)"
echo "@@linux child: $(/bin/busybox echo from a child)"
sh -c 'exit 3'; echo "@@linux exit code: $?"
false; echo "@@linux false: $?"
echo data >/tmp/f && echo "@@linux tmpfs: $(cat /tmp/f) $(wc -c </tmp/f)"
i=0; while [ $i -lt 200 ]; do /bin/true || break; i=$((i + 1)); done
echo "@@linux fork+exec loop: $i"
sh -c 'kill -USR1 $$; sleep 5'; echo "@@linux killed child: $?"
trap 'echo "@@linux trap: USR2"' USR2; kill -USR2 $$
echo "@@linux awk: $(seq 1 100 | awk '{ s += $1 } END { print s }')"
if [ -x /bin/user_trap ]; then
	for t in de int3 into bound ud2 hlt cli noncanon kernel unmapped null \
		rocode nxstack ac; do
		/bin/user_trap $t >/tmp/trap 2>&1
		echo "@@linux user_trap $t: $?$(grep -q survived /tmp/trap && echo ' survived')"
	done
fi
if [ -x /bin/user_hostile ]; then
	for t in sysenter vsyscall trampoline kernelcode kernelwrite; do
		/bin/user_hostile $t >/tmp/hostile 2>&1
		echo "@@linux user_hostile $t: $?$(grep -q survived /tmp/hostile && echo ' survived')$(sed -n 's/^user_hostile: [a-z]* returned/ returned/p' /tmp/hostile)"
	done
fi
[ -x /bin/user_sys ] && /bin/user_sys && echo "@@linux user_sys: exit 0"
if [ -x /bin/user_fpu ]; then
	# Its own report, renamed so that user_sys's count stays its own.
	/bin/user_fpu >/tmp/fpu 2>&1
	echo "@@linux user_fpu: exit $?"
	sed 's/^@@pvtest /@@fpu /' /tmp/fpu
fi
echo "@@linux done"
poweroff -f
EOF

mkroot "$tmp/user" "$tmp/user-init"
boot_linux $LU user "busybox as /init"
cp "$tmp/out" "$tmp/uconsole"
sed -n '/Run \/init/,$s/^/# console: /p' "$tmp/uconsole"

line() { out_has_line "@@linux $1"; }
check "the kernel found the user contexts' limits" \
	out_has "^pvisor: user contexts: 0x10000-0x100000000000, [0-9]* at most, XSAVE image [0-9]* bytes (features 0x[0-9a-f]*)$"
check "kernel_init() ran /init from the initramfs" \
	out_has_line "Run /init as init process"
check "/init (busybox sh) runs and prints, as pid 1" line "init: pid 1"
check "mount -t proc" line "mount proc: ok"
check "mount -t tmpfs" line "mount tmpfs: ok"
check "ls / lists the initramfs" line "ls /: bin dev init proc root tmp "
check "uname -s -m" line "uname: Linux x86_64"
check "/proc/version" line "/proc/version: Linux version"
check "/proc/self is a pid" line "/proc/self: a pid"
check "/proc/meminfo has MemTotal" line "meminfo: 1"
check "mount -t sysfs" line "mount sysfs: ok"
check "mount lists proc, tmpfs and sysfs" line "mount lists: 3"
check "top -b lists pid 1 (init)" line "top: pid 1 init"
check "top -b shows memory" line "top: memory line"
check "/proc/1/wchan (a sleeping task's registers)" line "/proc/1/wchan: readable"
check "ps lists pid 1" line "ps: pid 1 listed"
check "a pipe of three processes" line "pipe: EPIP OLLEH"
check "fork+exec of a child and its output" line "child: from a child"
check "a child's exit code" line "exit code: 3"
check "false's exit code" line "false: 1"
check "a file on tmpfs" line "tmpfs: data 5"
check "200 fork+exec+exit in a loop" line "fork+exec loop: 200"
check "a child killed by SIGUSR1 (128+10)" line "killed child: 138"
check "a signal handler (trap) ran" line "trap: USR2"
check "awk sums 1..100" line "awk: 5050"
# The static test programs (guest-port/user) as natively
# (test_user_progs.sh): killed by the signal Linux sends for each trap
# (the shell's 128 + the signal), and user_sys's own checks. nxstack
# jumps to its stack: the flavour's entries carry NX for a mapping
# without PROT_EXEC, and pvisor's walk refuses the fetch.
if [ -f "$GUEST_DIR/user/user_trap.elf" ]; then
	for t in de:136 int3:133 into:132 bound:132 ud2:132 hlt:139 cli:139 \
		noncanon:139 kernel:139 unmapped:139 null:139 rocode:139 nxstack:139; do
		check "user_trap ${t%%:*}: killed by signal $((${t#*:} - 128))" \
			line "user_trap ${t%%:*}: ${t#*:}"
	done
	if out_has_line "@@linux user_trap ac: 1 survived"; then
		skip "user_trap ac: killed by SIGBUS" "this CPU (TCG) does not raise #AC"
	else
		check "user_trap ac: killed by SIGBUS" line "user_trap ac: 135"
	fi
else
	skip "user_trap in the guest" "no $GUEST_DIR/user/user_trap.elf"
fi
# user_hostile's ways out of a process (the minnow test's, minus its
# minnow-only checks): sysenter, a call into the vsyscall page, jumps to
# the guest kernel's window (the module's trampoline page at its base,
# the kernel's text) and a write to the kernel's data. Each must end the
# process with a signal and leave the kernel running, or be served by the
# guest kernel: SIGSEGV, as a Linux without ia32 emulation or a vsyscall
# page gives; for sysenter SIGILL where the CPU has no sysenter in 64-bit
# mode (#UD: AMD, TCG); for the trampoline, whose code reports a trap to
# the module, the signal of that trap (SIGILL: its code ends in ud2 for a
# report it refuses). The vsyscall page is the host's: where the host
# kernel emulates it (the debug kernel's vsyscall=xonly; Debian's has
# none), the emulation asks the context's seccomp filter first, which
# traps, so the guest kernel gets gettimeofday(NULL, NULL) as a system
# call and the call returns 0, as on a Linux with vsyscall emulation.
if [ -f "$GUEST_DIR/user/user_hostile.elf" ]; then
	for what in sysenter vsyscall trampoline kernelcode kernelwrite; do
		case "$what" in
		sysenter|trampoline)
			check "user_hostile $what: killed by SIGSEGV or SIGILL" \
				eval 'line "user_hostile $what: 139" || line "user_hostile $what: 132"' ;;
		vsyscall)
			check "user_hostile $what: killed by SIGSEGV, or served as gettimeofday (0)" \
				eval 'line "user_hostile $what: 139" || line "user_hostile $what: 1 returned 0"' ;;
		*)
			check "user_hostile $what: killed by SIGSEGV" \
				line "user_hostile $what: 139" ;;
		esac
	done
else
	skip "user_hostile in the guest" "no $GUEST_DIR/user/user_hostile.elf"
fi
if [ -f "$GUEST_DIR/user/user_sys.elf" ]; then
	guest_checks "$tmp/uconsole" "linux user_sys"
	check "user_sys: exits 0 with its checks done ($guest_checks)" \
		eval '[ $guest_checks -gt 0 ] && out_has_line "@@pvtest done $guest_checks 0" && line "user_sys: exit 0"'
else
	skip "user_sys in the guest" "no $GUEST_DIR/user/user_sys.elf"
fi
if [ -f "$GUEST_DIR/user/user_fpu.elf" ]; then
	sed -n 's/^@@fpu /@@pvtest /p' "$tmp/uconsole" >"$tmp/fpu"
	guest_checks "$tmp/fpu" "linux user_fpu"
	check "user_fpu: exits 0 with its checks done ($guest_checks)" \
		eval '[ $guest_checks -gt 0 ] && grep -q -x "@@pvtest done $guest_checks 0" "$tmp/fpu" && line "user_fpu: exit 0"'
else
	skip "user_fpu in the guest" "no $GUEST_DIR/user/user_fpu.elf"
fi
check "the script ran to the end" line "done"
check "poweroff reached the kernel's power-off" out_has_line "pvisor: power off"
check "no host-layer call was reached" \
	eval '! grep -q "not on pvisor yet" "$tmp/uconsole"'
check "the kernel reported no bug and killed no process but user_trap and user_hostile" \
	eval '! grep -v -e "^user_trap\[[0-9]*\]: " -e "^user_hostile\[[0-9]*\]: " "$tmp/uconsole" | grep -q -e BUG -e WARNING -e Oops -e "bad p[tmug]d" -e segfault -e "Kernel panic"'
run pvctl list
check "list shows $LU as shutdown(poweroff)" \
	eval 'status_is 0 && out_has "^ *[0-9]*  $LU  *shutdown(poweroff) "'
run pvctl destroy $LU
check "destroy $LU" status_is 0

# /init that exits: init's death panics the kernel, with its status.
printf '#!/bin/sh\necho "@@linux exiting"\nexit 5\n' >"$tmp/exit-init"
mkroot "$tmp/exit" "$tmp/exit-init"
boot_linux $LE exit "an /init that exits 5"
cp "$tmp/out" "$tmp/econsole"
check "/init ran" out_has_line "@@linux exiting"
check "init's exit 5 panicked the kernel, the stop last" \
	eval '[ "$(tail -n 1 "$tmp/econsole")" = "pvisor: fatal: kernel panic: Attempted to kill init! exitcode=0x00000500" ]'
run pvctl list
check "list shows $LE as crashed(the guest requested a crash)" \
	eval 'status_is 0 && out_has "^ *[0-9]*  $LE  *crashed(the guest requested a crash) "'
run pvctl destroy $LE
check "destroy $LE" status_is 0

# An interactive shell on hvc0: lines typed through pvctl console --input,
# echoed by the tty, run by the shell (a background job among them), the
# last one powering off.
cat >"$tmp/shell-init" <<'EOF'
#!/bin/sh
export PATH=/bin
mount -t devtmpfs dev /dev
echo "@@linux shell ready"
exec setsid sh -c 'exec sh -i </dev/hvc0 >/dev/hvc0 2>&1'
EOF
mkroot "$tmp/shell" "$tmp/shell-init"
run pvctl create --name $LS --memory $((PAGES * 4))K --kernel "$LINUX" \
	--ramdisk "$tmp/shell.cpio" --cmdline "pvtest=linux-shell loglevel=7"
check "create $LS with a shell on the console" status_is 0
# ready NAME PATTERN: NAME's console has a line matching PATTERN.
ready() {
	pvctl console --no-follow "$1" 2>/dev/null | grep -q "$2"
}
wait_for ready $LS "^@@linux shell ready"
rc=$?
check "$LS: /init is ready for the shell" status_is 0
# The shell opens hvc0 after the marker: give it time to read the tty.
sleep 3
cat >"$tmp/typed" <<'EOF'
echo "@@linux typed $((6 * 7))"
sleep 1 &
wait; echo "@@linux background job: $?"
poweroff -f
EOF
run sh -c "pvctl console --input $LS <'$tmp/typed'"
check "pvctl console --input fed the shell until the guest stopped" status_is 0
wait_stopped $LS
rc=$?
check "$LS stops by itself" status_is 0
linux_console $LS
cp "$tmp/out" "$tmp/sconsole"
sed -n '/@@linux shell ready/,$s/^/# console: /p' "$tmp/sconsole"
check "the tty echoed the typed line" \
	out_has 'echo "@@linux typed \$((6 \* 7))"'
check "the shell ran it" line "typed 42"
check "a background job ran and was waited for" line "background job: 0"
check "the shell powered the domain off" out_has_line "pvisor: power off"
run pvctl list
check "list shows $LS as shutdown(poweroff)" \
	eval 'status_is 0 && out_has "^ *[0-9]*  $LS  *shutdown(poweroff) "'
run pvctl destroy $LS
check "destroy $LS" status_is 0

# make run's initramfs (selftests/qemu/run.sh packs guest-port/linux/init
# with busybox): the banner, then a shell that runs what is typed.
if [ -f "$GUEST_DIR/linux-initramfs.cpio" ]; then
	run pvctl create --name $LR --memory $((PAGES * 4))K --kernel "$LINUX" \
		--ramdisk "$GUEST_DIR/linux-initramfs.cpio"
	check "create $LR with make run's initramfs" status_is 0
	wait_for ready $LR "^pvisor Linux guest: Linux 6\.1\."
	rc=$?
	check "$LR: its /init printed the banner" status_is 0
	sleep 3
	printf '%s\n' 'echo "@@linux run $(cat /sys/class/tty/console/active)"' \
		'echo "@@linux run login: $0 $(id -u) $HOME $(tty)"' \
		'poweroff -f' >"$tmp/typed-run"
	run sh -c "pvctl console --input $LR <'$tmp/typed-run'"
	check "pvctl console --input fed its shell until it stopped" status_is 0
	wait_stopped $LR
	linux_console $LR
	check "its shell ran on hvc0, the console, with sysfs mounted" \
		line "run hvc0"
	check "it is root's login shell (-sh, uid 0, HOME /root, on /dev/hvc0)" \
		line "run login: -sh 0 /root /dev/hvc0"
	run pvctl list
	check "list shows $LR as shutdown(poweroff)" \
		eval 'status_is 0 && out_has "^ *[0-9]*  $LR  *shutdown(poweroff) "'
	run pvctl destroy $LR
	check "destroy $LR" status_is 0
else
	skip "make run's initramfs" "no $GUEST_DIR/linux-initramfs.cpio"
fi

check "accounting is back to where it started" accounting_is_baseline

finish
