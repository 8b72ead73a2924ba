#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Domain config files (pvisor.cfg(5)): pvctl create FILE [KEY=VALUE...]
# and pvctl config NAME. Every kind of bad file is refused with a message
# naming the file, the line and the key, and leaves nothing behind; a
# good one creates and starts the domain; with pvisord running the
# effective config is kept (Domain0's alone), printed back in a form
# pvctl create reads again, and survives a restart of pvisord; without
# pvisord the domain is made all the same, and pvctl config says why it
# has nothing to show.
#
# Runs in the QEMU test host (busybox sh, pvisor.ko loaded, pvctl,
# pvisord, /guest/hostile.elf). TAP 13. Helpers: ../lib/tap.sh.

D=/tmp/cfg
P=cfg-
GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
SPIN=$GUEST_DIR/hostile.elf

. "$(dirname "$0")/../lib/tap.sh"

export PVISOR_STORE_SOCKET=$D/sock

start() { pvisord -s $D/sock -S $D/state -p $D/pid; }

stop() {
	pid=$(cat $D/pid 2>/dev/null)
	[ -n "$pid" ] || return 1
	kill -TERM "$pid"
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	! kill -0 "$pid" 2>/dev/null
}

cleanup() {
	stop >/dev/null 2>&1
	for d in a b c d e; do
		pvctl destroy $P$d >/dev/null 2>&1
	done
}

# wait_gone PATH: until PATH does not exist in the store (5 s at most).
wait_gone() {
	i=0
	while [ $i -lt 50 ]; do
		pvctl store read "$1" >/dev/null 2>&1 || return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# bad NAME TEXT MESSAGE: a config holding TEXT is refused (exit 2) with
# MESSAGE (a grep pattern) on stderr, and creates nothing.
bad() {
	printf '%b' "$2" >$D/$1.cfg
	run pvctl create $D/$1.cfg
	check "$1: refused (exit 2): $3" \
		eval 'status_is 2 && err_has "$3" && accounting_is_baseline'
}

echo "TAP version 13"
need_tools pvctl pvisord
need_module
[ -f "$SPIN" ] || skip_all "no $SPIN"
plan 44
rm -rf $D
mkdir -p $D
cleanup

# A good file: the start of every bad one below.
GOOD="name = \"${P}a\"\nmemory = 8\nkernel = \"$SPIN\"\ncmdline = \"case=spin\"\n"

# --- bad files --------------------------------------------------------------

bad syntax 'name = "x"\nmemory = lots\n' \
	"syntax.cfg:2: syntax error: a value must be"
bad noequals 'name "x"\n' "noequals.cfg:1: syntax error: expected '=' after 'name'"
bad unterminated 'name = "x\nmemory = 8\n' \
	"unterminated.cfg:1: syntax error: a string without its closing"
bad trailing 'memory = 8 9\n' "trailing.cfg:1: syntax error: unexpected '9'"
bad escape 'name = "a\\qb"\n' "escape.cfg:1: syntax error: unknown escape"
bad unknown "${GOOD}builder = \"linux\"\n" \
	"unknown.cfg:5: builder: unknown key"
bad duplicate "${GOOD}memory = 16\n" \
	"duplicate.cfg:5: memory: duplicate key (first set on line 2)"
bad nokernel 'name = "x"\nmemory = 8\n' \
	"nokernel.cfg: missing required key 'kernel'"
bad noname "memory = 8\nkernel = \"$SPIN\"\n" \
	"noname.cfg: missing required key 'name'"
bad vcpus "${GOOD}vcpus = 33\n" 'vcpus.cfg:5: vcpus: bad value "33": 1 to 32'
bad type "${GOOD}type = \"hvm\"\n" \
	'type.cfg:5: type: bad value "hvm": pvisor runs paravirtual guests only'
bad string "${GOOD}vcpus = \"2\"\n" \
	"string.cfg:5: vcpus: bad value: expected a number"
bad number 'name = 12\n' "number.cfg:1: name: bad value: expected a string"
bad zero 'memory = 0\n' 'zero.cfg:1: memory: bad value "0": must not be zero'
bad badname 'name = "1st"\n' 'badname.cfg:1: name: bad value "1st": must start with a letter'
bad policy "${GOOD}on_crash = \"coredump-destroy\"\n" \
	"policy.cfg:5: on_crash: bad value .*not supported"
bad policy2 "${GOOD}on_reboot = \"reboot\"\n" \
	'policy2.cfg:5: on_reboot: bad value "reboot": "destroy", "restart" or "preserve"'
bad maxmem "${GOOD}maxmem = 16\n" "maxmem.cfg: maxmem: must equal memory"
bad disk "${GOOD}disk = [ 'phy:/dev/vg/a,xvda,w',\n        'file:/b.img,xvdb,r' ]\n" \
	'disk.cfg:6: disk: bad value: "phy:/dev/vg/a,xvda,w": only raw image files'
bad vif "${GOOD}vif = [ 'bridge=br0' ]\n" \
	"vif.cfg:5: vif: virtual network interfaces are not supported yet"
bad nofile "name = \"x\"\nmemory = 8\nkernel = \"/no/such.elf\"\n" \
	'nofile.cfg: kernel: cannot find "/no/such.elf"'

printf "$GOOD" >$D/good.cfg
run pvctl create $D/good.cfg memory=lots
check "a bad override: refused, naming the command line and the key" \
	eval 'status_is 2 && err_has "command line: memory: bad value \"lots\"" && accounting_is_baseline'
run pvctl create $D/good.cfg vcpus=2 vcpus=3
check "... a key given twice on the command line: refused" \
	eval 'status_is 2 && err_has "command line: vcpus: duplicate key"'
run pvctl create $D/good.cfg --vcpus 2
check "... an override that is not KEY=VALUE: refused" \
	eval 'status_is 2 && err_has "command line: .--vcpus. is not KEY=VALUE"'
run pvctl create $D/no-such.cfg
check "a file that does not exist: refused, naming it" \
	eval 'status_is 2 && err_has "no-such.cfg: No such file"'

# --- without pvisord --------------------------------------------------------

run pvctl create $D/good.cfg
check "without pvisord: the domain is created and started" \
	eval 'status_is 0 && out_has "^started domain" && [ "$(state_of ${P}a)" = running ]'
check "... with a warning that its config is not kept" \
	err_has "pvisord is not running: the config is not kept"
run pvctl config ${P}a
check "... pvctl config: exit 1, pvisord is needed" \
	eval 'status_is 1 && err_has "cannot reach pvisord"'
pvctl destroy ${P}a

# --- with pvisord -----------------------------------------------------------

run start
check "pvisord starts" status_is 0
cd $GUEST_DIR
printf 'name = "%sb"\nmemory = 8\nkernel = "hostile.elf"\ncmdline = "x"\n' $P >$D/rel.cfg
run pvctl create $D/rel.cfg vcpus=2 'cmdline="case=spin"' on_crash=preserve
cd /
# (On a kernel without cgroup v2 the runner's own warning says so; no
# other line may appear.)
check "a relative kernel path, overrides: created and started, no warning" \
	eval 'status_is 0 && [ "$(state_of ${P}b)" = running ] &&
	      ! grep -v "runs without a cgroup" $tmp/err | grep -q .'
run pvctl config ${P}b
cp $tmp/out $D/b.cfg
check "pvctl config prints the effective config: overrides and defaults" \
	eval 'status_is 0 && out_has_line "name = \"${P}b\"" && out_has_line "vcpus = 2" &&
	      out_has_line "cmdline = \"case=spin\"" && out_has_line "on_crash = \"preserve\"" &&
	      out_has_line "on_poweroff = \"destroy\"" && out_has_line "on_reboot = \"restart\"" &&
	      out_has_line "memory = 8" && out_has_line "cpu_weight = 256"'
check "... the kernel as an absolute path" out_has_line "kernel = \"$SPIN\""
b=$(id_of ${P}b)
vm=$(pvctl store read /local/domain/$b/vm)
run pvctl store --as $b read $vm/config
check "... kept at /vm/UUID/config, which the guest may not read" \
	eval 'status_is 4 && err_has EACCES && [ "$(pvctl store read $vm/config)" = "$(cat $D/b.cfg)" ]'
run pvctl create $D/b.cfg name=${P}c
check "pvctl config's output creates the domain again" \
	eval 'status_is 0 && [ "$(state_of ${P}c)" = running ]'
pvctl config ${P}c | sed "s/${P}c/${P}b/" >$tmp/c.cfg
check "... with the same effective config" cmp -s $tmp/c.cfg $D/b.cfg
run pvctl create --name ${P}d --memory 2M
run pvctl config ${P}d
check "options instead of a file: the config has them and the defaults" \
	eval 'status_is 0 && out_has_line "memory = 2" && out_has_line "vcpus = 1" && ! out_has kernel'

run stop
check "pvisord stops" status_is 0
pvctl create --name ${P}e --memory 1M >/dev/null 2>&1
run start
check "pvisord starts again" status_is 0
run pvctl config ${P}b
check "a kept config survives a restart of pvisord" \
	eval 'status_is 0 && cmp -s $tmp/out $D/b.cfg'
run pvctl config ${P}e
check "a domain created while pvisord was down: no config, says why" \
	eval 'status_is 1 && err_has "created while pvisord was not running"'
run pvctl config ${P}nosuch
check "pvctl config of no such domain: exit 1" \
	eval 'status_is 1 && err_has "no such domain"'
run pvctl config
check "pvctl config without a domain: usage, exit 2" status_is 2

pvctl destroy ${P}b
check "a destroyed domain's config goes with it" wait_gone $vm/config
cleanup
check "accounting is back to the baseline" accounting_is_baseline
finish
