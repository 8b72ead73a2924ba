#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# pvisor's benchmarks, run inside the QEMU test host (busybox sh, pvisor.ko
# loaded, pvctl in PATH): `make bench` at the top of the tree boots the
# test host with this script. The native baselines and the bench guest run
# in the same boot, one after the other, and every guest figure is set
# against its native twin:
#
#   (1) null hypercall            hc.null / sys.getppid          <= 1.3
#   (2) first-touch page fill     fill.first_touch /
#                                 fault.anon_first_touch         <= 1.0
#   (3) CPU-bound loop, as        cpu.loop native / guest        >= 0.99
#       throughput
#   (4) pvctl create to first     boot.create.first_line /
#       console line              boot.create.hello (fork+exec   <= 3
#                                 of a static hello, interleaved)
#   (5) event-channel round trip  evtchn.rtt (two domains) /
#       between two domains       pipe.rtt (two host processes)  <= 1.5
#   (6) timer wake-up lateness    timer.late, guest / host        none
#       (1 ms sleep)              clock_nanosleep
#
# and, for guest processes, with User-Mode Linux as the peer column (the
# same static programs, guest-port/user/progs/bench_*.elf, run natively,
# in Debian's UML booted in this host, and as minnow guest processes):
#
#   (7) getpid loop               user.getpid, minnow / UML      <= 0.5
#   (8) first-touch fault on      user.first_touch, minnow /     <= 1.5
#       anonymous memory          host
#   (9) switch between two        user.switch, minnow / host      none
#       processes (sched_yield)   pipe.rtt / 2
#
# and Figure 3 of the Xen paper (Barham et al., SOSP 2003): the same
# static programs (guest-port/user/progs/bench_*.elf) natively, in the
# Linux guest on pvisor (linux-run.sh, one vCPU, pinned) and in UML,
# ns per operation, ratios pvisor Linux / native and / UML, no targets:
# getpid, fork+exec+exit+wait, first-touch fault, pipe round trip,
# context switch, a CPU-bound loop, 4 KiB written and read on tmpfs,
# and the time from the start (`pvctl create`, the exec of linux.uml)
# to an interactive shell's prompt (native: the exec of that shell).
#
# (1)-(3), (5) and (6) run in ROUNDS rounds (native programs, then the
# guests), pinned to one CPU: both ping-pongs keep their two sides on
# that CPU. Each program reports the median of its repetitions and a
# figure is the median of its rounds. (4) runs once, unpinned (the
# console poller and the runner need a CPU each).
#
# Prints the environment, a table of figures, ratios and verdicts, then
# the raw "@@bench" lines. A benchmark prints figures: a missed target is
# reported, never an error. The exit status is 1 only when a figure could
# not be measured at all. Documentation/performance.rst has the method.
#
# PVISOR_BENCH_DIR     where bin/ and guest/ are (default: this script's
#                      directory, else /benchmarks)
# PVISOR_BENCH_ROUNDS  rounds of (1)-(3), (5)-(9) and Figure 3 (default 5)
# PVISOR_BENCH_BOOTS   boots to the prompt of Figure 3, per column
#                      (default 5, at most 11)
# PVISOR_BENCH_USER    where the bench_*.elf user programs are (default
#                      /guest/user)
#
# In `make bench` the environment does not reach this script; give the
# settings on the test host's command line, which its init exports:
# PVISOR_CMDLINE="PVISOR_BENCH_ROUNDS=1" make bench.

dir=${PVISOR_BENCH_DIR:-}
if [ -z "$dir" ]; then
	dir=$(cd "$(dirname "$0")" && pwd)
	[ -x "$dir/bin/nullsys" ] || dir=/benchmarks
fi
BIN=$dir/bin
GUEST=$dir/guest
DOMAIN=bench
ROUNDS=${PVISOR_BENCH_ROUNDS:-5}
# Enough for BENCH_REPS * BENCH_TOUCH_PAGES untouched pages (176 MiB).
GUEST_MEMORY=192M
# Bounded wait for the bench guest, in seconds (TCG is slow).
GUEST_WAIT=900
# (7)-(9): the user programs, which the test host has in /guest/user.
USER_DIR=${PVISOR_BENCH_USER:-/guest/user}
USER_PROGS="$USER_DIR/bench_getpid.elf $USER_DIR/bench_fault.elf $USER_DIR/bench_switch.elf"
# Figure 3: those and four more, natively, in the Linux guest and in UML.
FIG3_MORE="$USER_DIR/bench_exec.elf $USER_DIR/bench_pipe.elf $USER_DIR/bench_cpu.elf $USER_DIR/bench_file.elf"
FIG3_PROGS="$USER_PROGS $FIG3_MORE"
BOOTS=${PVISOR_BENCH_BOOTS:-5}
# The shell prompt the boots of Figure 3 wait for: a string no kernel
# message holds.
PROMPT='@@prompt# '
LINUX=${PVISOR_LINUX:-/guest/linux.elf}

# The minnow column of (7)-(9): the same binaries as minnow guest
# processes (Documentation/minnow-user-mode.rst), from a ramdisk of them.
# minnow_user_ready is the one place to turn the column off again (it
# then says "n/a (minnow user mode not merged)").
MINNOW=/guest/minnow.elf
USER_DOMAIN=ubench
USER_RAMDISK=/tmp/bench-user.cpio
# Enough for minnow, the programs and bench_fault's 128 pages.
USER_MEMORY=48M
minnow_user_ready() {
	[ -f "$MINNOW" ]
}

# minnow_user PROG: PROG as the one process of a minnow domain (one
# vCPU, pinned like the native side), its console on stdout once minnow
# powered off; an error on stderr unless PROG exited with status 0.
minnow_user() {
	name=${1##*/}
	pvctl destroy "$USER_DOMAIN" >/dev/null 2>&1
	if [ ! -s "$USER_RAMDISK" ]; then
		(cd "$USER_DIR" && ls bench_*.elf | cpio -o -H newc 2>/dev/null) \
			>"$USER_RAMDISK" || return 1
	fi
	$PIN pvctl create --name "$USER_DOMAIN" --memory "$USER_MEMORY" \
		--kernel "$MINNOW" --ramdisk "$USER_RAMDISK" \
		--cmdline "run=$name" >/dev/null || return 1
	wait_not_running "$USER_DOMAIN" "$GUEST_WAIT"
	pvctl console "$USER_DOMAIN" >/tmp/bench-user.console 2>&1
	pvctl destroy "$USER_DOMAIN" >/dev/null 2>&1
	cat /tmp/bench-user.console
	if ! grep -q "^minnow: pid 1 ($name) exited with status 0" /tmp/bench-user.console; then
		echo "$name did not finish in minnow:" >&2
		tail -n 5 /tmp/bench-user.console >&2
		return 1
	fi
}

. "$dir/bench-lib.sh"

figures=/tmp/bench.figures
err=/tmp/bench.err
: >"$figures"
broken=0

note() {
	echo "# $*"
}

if [ ! -x "$BIN/nullsys" ] || [ ! -f "$GUEST/bench.elf" ]; then
	echo "run-bench.sh: no benchmarks in $dir (build them with" \
		"'make -C benchmarks'; the test host needs them as /benchmarks)" >&2
	exit 1
fi
for prog in $FIG3_PROGS; do
	if [ ! -x "$prog" ]; then
		echo "run-bench.sh: no $prog (guest-port builds the user programs;" \
			"the test host has them in /guest/user)" >&2
		exit 1
	fi
done

case "$BOOTS" in
[1-9]|1[01]) ;;
*) echo "run-bench.sh: PVISOR_BENCH_BOOTS must be 1 to 11, not '$BOOTS'" >&2; exit 1 ;;
esac
case "$ROUNDS" in
''|0|*[!0-9]*) echo "run-bench.sh: PVISOR_BENCH_ROUNDS must be a positive number, not '$ROUNDS'" >&2; exit 1 ;;
esac

# (1)-(3) on the last CPU, both sides: the runner inherits pvctl's
# affinity through its forks and exec.
# While the bench guest runs, this script polls its state: from CPU 0,
# rarely, so that the poller does not steal time from the guest.
bench_pin

# collect PREFIX CMD...: CMD's @@bench lines, their names prefixed with
# PREFIX. A failing or complaining CMD is a figure not measured.
collect() {
	prefix=$1
	shift
	if "$@" 2>"$err" | sed -n "s/^@@bench /@@bench $prefix./p" >>"$figures" &&
	   [ ! -s "$err" ]; then
		return 0
	fi
	note "$* failed: $(cat "$err")"
	broken=1
}

# One native program: "native.".
native() {
	collect native "$@"
}

# A native program that runs guests and passes on their @@bench lines
# (pingpong guest), or a user program run as a minnow process: "guest.".
relay() {
	collect guest "$@"
}

# The bench guest: create, wait for it to power off, keep its figures.
guest() {
	pvctl destroy "$DOMAIN" >/dev/null 2>&1
	if ! $PIN pvctl create --name "$DOMAIN" --memory "$GUEST_MEMORY" \
		--kernel "$GUEST/bench.elf" >/dev/null 2>"$err"; then
		note "pvctl create $DOMAIN failed: $(cat "$err")"
		broken=1
		return
	fi
	wait_not_running "$DOMAIN" "$GUEST_WAIT"
	pvctl console "$DOMAIN" >/tmp/bench.console 2>&1
	sed -n 's/^@@bench /@@bench guest./p' /tmp/bench.console >>"$figures"
	if ! grep -q '^@@bench-done' /tmp/bench.console; then
		note "the bench guest did not finish (state $(state_of "$DOMAIN")):"
		pvctl list 2>&1 | sed 's/^/#   /'
		sed 's/^/#   console: /' /tmp/bench.console
		broken=1
	fi
	grep '^@@bench-error' /tmp/bench.console | sed 's/^/# /'
	pvctl destroy "$DOMAIN" >/dev/null 2>&1
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
hyp=bare
grep -q '^flags.* hypervisor' /proc/cpuinfo && hyp=virtual
echo "pvisor benchmarks: $(date -u '+%Y-%m-%d %H:%M UTC'), kernel $(uname -r)"
echo "cpu: $cpu ($hyp, $(grep -c '^processor' /proc/cpuinfo) CPUs)"
echo "guests: $GUEST/bench.elf, $GUEST_MEMORY; $GUEST/pingpong.elf, two of 2M; $ROUNDS rounds${PIN:+, pinned with '$PIN'}"
echo "guest processes: $USER_PROGS; peer: User-Mode Linux ${PVISOR_UML:-/usr/bin/linux.uml}, 1 CPU"
echo "Figure 3: $FIG3_PROGS natively, in $LINUX (1 vCPU) and in UML; $BOOTS boots to the prompt each"
echo

native "$BIN/tsc"
round=0
while [ $round -lt "$ROUNDS" ]; do
	native $PIN "$BIN/nullsys"
	native $PIN "$BIN/fault"
	native $PIN "$BIN/cpuloop"
	native $PIN "$BIN/timer"
	native $PIN "$BIN/pingpong" pipe
	guest
	relay $PIN "$BIN/pingpong" guest --kernel "$GUEST/pingpong.elf"
	native $PIN "$BIN/ptrace"
	for prog in $USER_PROGS; do
		native $PIN "$prog"
		if minnow_user_ready; then
			relay minnow_user "$prog"
		fi
	done
	for prog in $FIG3_MORE; do
		native $PIN "$prog"
	done
	round=$((round + 1))
done
# UML boots once (tens of seconds under TCG) and runs every round itself,
# pinned like the rest: its kernel and its processes' host twins share
# the one CPU, as the two sides of the host's ping-pong do. So does the
# Linux guest, with one vCPU (linux-run.sh pins it itself, and polls
# from the other CPU).
collect uml $PIN sh "$dir/uml-run.sh" "$ROUNDS" $FIG3_PROGS
collect linux sh "$dir/linux-run.sh" "$ROUNDS" $FIG3_PROGS
# Figure 3's boots to the prompt, unpinned as (4): the guest boots on
# one CPU while boottime reads its console on the other. The native
# side is the start of the same busybox shell.
echo exit >/tmp/bench.typed
native "$BIN/boottime" until prompt "$PROMPT" /bin/sh -c \
	"PS1='$PROMPT' exec /bin/sh -i </tmp/bench.typed"
collect linux sh "$dir/linux-run.sh" --prompt "$PROMPT" "$BOOTS"
collect uml sh "$dir/uml-run.sh" --prompt "$PROMPT" "$BOOTS"
minnow=0
minnow_user_ready && minnow=1
native "$BIN/boottime" hello "$BIN/hello"
native "$BIN/boottime" cmd pvctl_info /bin/pvctl info
native "$BIN/boottime" guest --memory 2M --label empty
native "$BIN/boottime" guest --memory 16M --label empty_16m
native "$BIN/boottime" guest --kernel "$GUEST/hello.elf" --memory 2M --label create \
	--hello "$BIN/hello"
native "$BIN/boottime" guest --kernel "$GUEST/hello.elf" --memory 16M --label create_16m

awk -v minnow="$minnow" '
	function fig(name) { return (name in med) ? med[name] : "" }
	# A figure for the table: ticks also shown in ns (tsc.khz).
	function show(name,   v) {
		v = fig(name)
		if (v == "")
			return "-"
		if (unit[name] == "ticks" && khz > 0)
			return sprintf("%d ticks (%.0f ns)", v, v * 1e6 / khz)
		if (unit[name] == "ns" && v < 1e6)
			return sprintf("%.1f us", v / 1e3)
		if (unit[name] == "ns")
			return sprintf("%.2f ms", v / 1e6)
		return v " " unit[name]
	}
	# guest / native (inverse: native / guest, a throughput ratio).
	# An empty op: no target, the ratio is reported.
	function row(label, g, n, inverse, op, target,   a, b, r, ok, verdict) {
		a = fig(g); b = fig(n)
		if (op == "")
			target = "-"
		if (a == "" || b == "" || a == 0 || b == 0) {
			printf "%-28s %-24s %-24s %7s %8s  %s\n", label, show(g),
				show(n), "-", op target, "NOT MEASURED"
			return
		}
		r = inverse ? b / a : a / b
		ok = (op == "<=") ? r <= target : r >= target
		verdict = ok ? "meets target" : "MISSES target"
		if (op == "")
			verdict = "no target"
		printf "%-28s %-24s %-24s %7.3f %8s  %s\n", label, show(g), show(n),
			r, op target, verdict
	}
	function info(label, name, ref,   a, b) {
		a = fig(name)
		if (a == "")
			return
		if (ref != "" && fig(ref) != "" && fig(ref) > 0)
			printf "  %-40s %-24s (%.3fx %s)\n", label, show(name),
				a / fig(ref), ref
		else
			printf "  %-40s %s\n", label, show(name)
	}
	# Each round adds a value; the figure is their median.
	function bestratio(label, g, n, inverse,   a, b) {
		if (!(g in best) || !(n in best) || best[g] == 0 || best[n] == 0)
			return
		a = best[g]; b = best[n]
		printf "    %-36s %d / %d ticks: %.3f\n", label, a, b,
			inverse ? b / a : a / b
	}
	# (7)-(9): ns per operation, three columns.
	function ns(name,   v) {
		v = fig(name)
		if (v == "" || unit[name] == "ns")
			return v
		if (unit[name] == "ticks" && khz > 0)
			return v * 1e6 / khz
		return ""
	}
	function cell(v, absent) {
		return v == "" ? absent : sprintf("%.0f ns", v)
	}
	function ratio(a, b) {
		return (a == "" || b == "" || b == 0) ? "-" : sprintf("%.2f", a / b)
	}
	# A target is the minnow figure over the UML or host one.
	function urow(label, m, u, h, ref, target,   absent, r, verdict) {
		absent = minnow ? "-" : "n/a*"
		if ((minnow && m == "") || u == "" || h == "" || u == 0 || h == 0)
			verdict = "NOT MEASURED"
		else if (target == "")
			verdict = "no target"
		else if (m == "")
			verdict = "n/a*"
		else {
			r = m / (ref == "UML" ? u : h)
			verdict = r <= target ? "meets target" : "MISSES target"
		}
		printf "%-24s %-12s %-12s %-12s %7s %8s %7s %-19s %s\n", label,
			cell(m, absent), cell(u, "-"), cell(h, "-"), ratio(m, h),
			ratio(u, h), ratio(m, u),
			target == "" ? "-" : "minnow/" ref " <= " target, verdict
	}
	# Two figures in ns, the fastest repetition of each.
	function ubest(label, a, b) {
		if ((a in best) && (b in best) && best[b] > 0)
			printf "    %-20s %d / %d ns: %.2f\n", label, best[a],
				best[b], best[a] / best[b]
	}
	function uinfo(label, v, ref, refname) {
		if (v == "")
			return
		if (ref != "" && ref > 0)
			printf "  %-48s %-10s (%.2fx %s)\n", label, cell(v),
				v / ref, refname
		else
			printf "  %-48s %s\n", label, cell(v)
	}
	# Figure 3: a time in the unit that reads best.
	function dur(v) {
		if (v == "")
			return "-"
		v += 0	# busybox awk compares an unconverted field as a string
		if (v < 1e4)
			return sprintf("%.0f ns", v)
		if (v < 1e6)
			return sprintf("%.1f us", v / 1e3)
		if (v < 1e9)
			return sprintf("%.2f ms", v / 1e6)
		return sprintf("%.2f s", v / 1e9)
	}
	function frow(label, name,   n, l, u) {
		n = ns("native." name); l = ns("linux." name); u = ns("uml." name)
		printf "%-30s %-11s %-12s %-11s %9s %8s\n", label, dur(n), dur(l),
			dur(u), ratio(l, n), ratio(l, u)
	}
	# Ratios of the fastest repetitions, Linux / native and / UML.
	function fbest(label, name,   n, l, u) {
		n = best["native." name]; l = best["linux." name]
		u = best["uml." name]
		if (l == "")
			return
		printf "    %-26s %9s %8s\n", label, ratio(l, n), ratio(l, u)
	}
	$1 == "@@bench" {
		k = ++cnt[$2]; val[$2, k] = $3; unit[$2] = $4
		if ($5 == "min" && (!($2 in best) || $6 + 0 < best[$2] + 0))
			best[$2] = $6
	}
	END {
		for (name in cnt) {
			n = cnt[name]
			for (i = 2; i <= n; i++)
				for (j = i; j > 1 && val[name, j - 1] > val[name, j]; j--) {
					t = val[name, j]; val[name, j] = val[name, j - 1]
					val[name, j - 1] = t
				}
			med[name] = val[name, int((n + 1) / 2)]
			rounds[name] = n
		}
		khz = fig("native.tsc.khz") + 0
		printf "%-28s %-24s %-24s %7s %8s  %s\n", "benchmark", "guest",
			"native", "ratio", "target", "verdict"
		row("(1) null hypercall", "guest.hc.null", "native.sys.getppid",
			0, "<=", 1.3)
		row("(2) first-touch page fill", "guest.fill.first_touch",
			"native.fault.anon_first_touch", 0, "<=", 1.0)
		row("(3) CPU loop (throughput)", "guest.cpu.loop",
			"native.cpu.loop", 1, ">=", 0.99)
		row("(4) create to first line", "native.boot.create.first_line",
			"native.boot.create.hello", 0, "<=", 3)
		row("(5) evtchn round trip", "guest.evtchn.rtt",
			"native.pipe.rtt", 0, "<=", 1.5)
		row("(6) timer lateness, 1 ms", "guest.timer.late",
			"native.timer.late", 0, "", "")
		print ""
		print "Breakdown (no targets):"
		info("host ioctl, ENOTTY", "native.sys.ioctl_enotty",
			"native.sys.getppid")
		info("host ioctl, ENOTTY, runner-like seccomp",
			"native.sys.ioctl_enotty_seccomp", "native.sys.getppid")
		info("host SIGUSR1 round trip (sigsuspend)",
			"native.sig.rtt", "native.pipe.rtt")
		info("host SIGUSR1 to itself, handler on a sigaltstack",
			"native.sig.self", "native.sys.getppid")
		info("guest SEND, port masked (no delivery)",
			"guest.evtchn.send", "native.sys.getppid")
		info("guest SEND to itself, with its upcall",
			"guest.evtchn.self_upcall", "native.sys.getppid")
		info("host nanosleep lateness, slack 1 ns",
			"native.timer.late_noslack", "native.timer.late")
		info("guest refill after TLB_FLUSH_LOCAL", "guest.fill.refill",
			"native.fault.anon_first_touch")
		info("fork+exec+wait of pvctl info",
			"native.boot.cmd.pvctl_info", "native.boot.fork_exec_hello")
		info("pvctl create, no kernel, 2 MiB",
			"native.boot.empty.ready", "native.boot.fork_exec_hello")
		info("pvctl create, no kernel, 16 MiB",
			"native.boot.empty_16m.ready", "native.boot.fork_exec_hello")
		info("pvctl create returned (runner ready)",
			"native.boot.create.ready", "native.boot.fork_exec_hello")
		info("create to first line, 16 MiB domain",
			"native.boot.create_16m.first_line",
			"native.boot.fork_exec_hello")
		info("pvctl create returned, 16 MiB domain",
			"native.boot.create_16m.ready", "native.boot.fork_exec_hello")
		print "  Ratios of the fastest repetitions (interference only adds time):"
		bestratio("(1) null hypercall", "guest.hc.null", "native.sys.getppid", 0)
		bestratio("(2) first-touch page fill", "guest.fill.first_touch",
			"native.fault.anon_first_touch", 0)
		bestratio("(3) CPU loop (throughput)", "guest.cpu.loop",
			"native.cpu.loop", 1)
		bestratio("(5) evtchn round trip", "guest.evtchn.rtt",
			"native.pipe.rtt", 0)
		if (fig("guest.cpu.checksum") != fig("native.cpu.checksum"))
			print "  WARNING: cpu.loop checksums differ (guest " \
				fig("guest.cpu.checksum") ", native " \
				fig("native.cpu.checksum") ")"
		else
			print "  cpu.loop checksums agree: " fig("native.cpu.checksum")
		printf "  TSC: %.1f MHz\n", khz / 1000
		pipe = ns("native.pipe.rtt")
		if (pipe != "")
			pipe /= 2
		print ""
		print "Guest processes, ns per operation (the same static programs natively,"
		print "in User-Mode Linux and as minnow processes):"
		printf "%-24s %-12s %-12s %-12s %7s %8s %7s %-19s %s\n", "benchmark",
			"minnow", "UML", "host", "m/host", "UML/host", "m/UML",
			"target", "verdict"
		urow("(7) getpid", ns("guest.user.getpid"), ns("uml.user.getpid"),
			ns("native.user.getpid"), "UML", 0.5)
		urow("(8) first-touch fault", ns("guest.user.first_touch"),
			ns("uml.user.first_touch"), ns("native.user.first_touch"),
			"host", 1.5)
		urow("(9) process switch", ns("guest.user.switch"),
			ns("uml.user.switch"), pipe, "host", "")
		if (!minnow)
			print "  * n/a (minnow user mode not merged)"
		print "  Fastest repetitions (interference only adds time):"
		ubest("(7) minnow / UML", "guest.user.getpid", "uml.user.getpid")
		ubest("(7) UML / host", "uml.user.getpid", "native.user.getpid")
		ubest("(8) minnow / host", "guest.user.first_touch",
			"native.user.first_touch")
		ubest("(8) UML / host", "uml.user.first_touch",
			"native.user.first_touch")
		ubest("(9) minnow / UML", "guest.user.switch", "uml.user.switch")
		print "  host (9) is half a pipe round trip (pingpong pipe: two switches)"
		uinfo("host sched_yield switch (bench_switch natively)",
			ns("native.user.switch"), pipe, "half a pipe round trip")
		uinfo("host getppid (nullsys)", ns("native.sys.getppid"),
			ns("native.user.getpid"), "host getpid")
		uinfo("host anonymous fault, 4096 pages (fault)",
			ns("native.fault.anon_first_touch"),
			ns("native.user.first_touch"), "bench_fault natively")
		print "  UML on the host (ptrace):"
		uinfo("host ptrace SYSEMU stop, as UML per system call",
			ns("native.ptrace.sysemu"), ns("uml.user.getpid"),
			"UML getpid")
		uinfo("the same without the xstate transfers",
			ns("native.ptrace.sysemu_gpr"), ns("uml.user.getpid"),
			"UML getpid")
		uinfo("host first touch, shared tmpfs (UML memory)",
			ns("native.fault.shm_first_touch"),
			ns("uml.user.first_touch"), "UML first touch")
		print ""
		print "Figure 3: Linux processes, native / pvisor Linux / UML (the same"
		print "static programs; time per operation; no targets):"
		printf "%-30s %-11s %-12s %-11s %9s %8s\n", "benchmark", "native",
			"pvisor Lx", "UML", "Lx/native", "Lx/UML"
		frow("getpid", "user.getpid")
		frow("fork+exec+exit+wait", "user.fork_exec")
		frow("first-touch fault, per page", "user.first_touch")
		frow("pipe round trip, 1 byte", "user.pipe_rtt")
		frow("context switch (sched_yield)", "user.switch")
		frow("CPU loop, 16 M iterations", "user.cpu_loop")
		frow("tmpfs write+read, per 4 KiB", "user.file_4k")
		frow("start to shell prompt", "boot.prompt.until")
		print "  Fastest repetitions, Lx/native and Lx/UML:"
		fbest("getpid", "user.getpid")
		fbest("fork+exec+exit+wait", "user.fork_exec")
		fbest("first-touch fault", "user.first_touch")
		fbest("pipe round trip", "user.pipe_rtt")
		fbest("context switch", "user.switch")
		fbest("CPU loop", "user.cpu_loop")
		fbest("tmpfs write+read", "user.file_4k")
		fbest("start to shell prompt", "boot.prompt.until")
		print "  start to prompt: native is the exec of the busybox shell alone;"
		print "  pvisor Lx from pvctl create, UML from the exec of linux.uml"
		if (fig("linux.boot.prompt.ready") != "")
			printf "  pvisor Lx: pvctl create returned (runner ready) after %s\n",
				dur(fig("linux.boot.prompt.ready"))
		c = fig("native.user.cpu_checksum")
		if (c != fig("linux.user.cpu_checksum") ||
		    c != fig("uml.user.cpu_checksum"))
			print "  WARNING: bench_cpu checksums differ (native " c \
				", Linux " fig("linux.user.cpu_checksum") ", UML " \
				fig("uml.user.cpu_checksum") ")"
		else
			print "  bench_cpu checksums agree: " c
	}
' "$figures"

echo
echo "Raw figures (NAME MEDIAN UNIT min MIN max MAX n REPS):"
cat "$figures"

# The isolation benchmark: a script of its own, which prints its table.
echo
"$dir/isolation.sh" || broken=1
exit $broken
