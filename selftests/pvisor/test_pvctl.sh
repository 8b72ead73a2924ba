#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# pvctl end to end, in the QEMU test host (busybox sh, pvisor.ko loaded,
# pvctl in PATH): every subcommand's good path, its output formats, and
# the documented exit codes (Documentation/admin-guide.rst):
#   0 ok, 1 operation failed, 2 usage error, 3 module not loaded,
#   4 permission denied.
# Exit code 3 cannot be produced here without unloading the module under
# the other tests; it is checked on the build host, where there is none.
#
# TAP 13. Exits 0 when every check passed, 1 otherwise, 4 (skip) when
# pvctl or the module is missing. Every domain it creates is destroyed
# again, whatever happens.

PLAN=49

# Names no other test uses, so that leftovers are recognisably ours.
A=pvctlsh-a
B=pvctlsh-b
C=pvctlsh-c

. "$(dirname "$0")/../lib/tap.sh"

cleanup() {
	for d in $A $B $C; do
		pvctl destroy "$d" >/dev/null 2>&1
	done
}

# usage_error: exit 2, the usage on stderr, nothing on stdout.
usage_error() { status_is 2 && err_has '^Usage: pvctl' && out_empty; }

# Does "pvctl list" (already in $tmp/out) show domain $1?
listed() { grep -q -E "^ *[0-9]+  $1 " "$tmp/out"; }

echo "TAP version 13"

need_tools pvctl
need_module
plan $PLAN

# --- help and usage -------------------------------------------------------

run pvctl --help
check "pvctl --help exits 0 with the usage on stdout" \
	eval 'status_is 0 && out_has "^Usage: pvctl"'
run pvctl -h
check "pvctl -h exits 0" status_is 0
run pvctl help
check "pvctl help exits 0" eval 'status_is 0 && out_has create'
for sub in create list destroy info; do
	run pvctl "$sub" --help
	check "pvctl $sub --help exits 0" \
		eval 'status_is 0 && out_has "^Usage: pvctl $sub"'
done
run pvctl help destroy
check "pvctl help destroy shows destroy's usage" \
	eval 'status_is 0 && out_has "^Usage: pvctl destroy"'
run pvctl
check "pvctl without a subcommand is a usage error" usage_error
run pvctl frobnicate
check "an unknown subcommand is a usage error" \
	eval 'usage_error && err_has "frobnicate"'

# --- info -----------------------------------------------------------------

run pvctl info
check "info exits 0" eval 'status_is 0 && out_has "^abi version: 1$"'
run pvctl info --json
check "info --json exits 0 with a JSON object" \
	eval 'status_is 0 && out_has "^{\"abi_version\": 1, .*}$"'
domains0=$(json_field domains)
frames0=$(json_field frames_used)
max_ctx=$(json_field max_contexts)
check "info --json has max_contexts, the module parameter, and contexts" \
	eval '[ "$max_ctx" = "$(cat /sys/module/pvisor/parameters/max_contexts)" ] &&
	      [ "$(json_field contexts)" -ge 0 ]'
run pvctl info
check "info shows the contexts and their per-domain limit" \
	out_has "^contexts:    [0-9]* (at most $max_ctx per domain)$"

# --- create ---------------------------------------------------------------

run pvctl create --name $A --memory 16M --vcpus 2
check "create $A with 16M and 2 vcpus" \
	eval 'status_is 0 && out_has "^created domain [0-9]* ($A): 2 vcpus, 16MiB, 4096 frames$"'
id_a=$(sed -n 's/^created domain \([0-9]*\) .*/\1/p' "$tmp/out")

run pvctl create --name $B --memory 8192
check "create $B with a size in bytes and the default vcpus" \
	eval 'status_is 0 && out_has "($B): 1 vcpus, 8KiB, 2 frames$"'
id_b=$(sed -n 's/^created domain \([0-9]*\) .*/\1/p' "$tmp/out")

run pvctl create --name $A --memory 4K
check "a duplicate name fails with exit 1" status_is 1
check "... naming the domain and the reason" \
	err_has "^pvctl: create: $A: name already in use"
check "... with the kernel's extack message" \
	err_has "(kernel: .*already in use)$"

run pvctl create --name 9lives --memory 4K
check "a name the kernel rejects fails with exit 1 and its reason" \
	eval 'status_is 1 && err_has "(kernel: .*name.*)$"'

run pvctl create --name $C --memory 1T
check "more memory than the module allows fails with exit 1" \
	eval 'status_is 1 && err_has "(kernel: .*)$"'

# --- usage errors create nothing -------------------------------------------

run pvctl create --name $C
check "create without --memory is a usage error" \
	eval 'usage_error && err_has "missing --memory"'
run pvctl create --memory 4K
check "create without --name is a usage error" usage_error
run pvctl create --name $C --memory 12Q
check "size 12Q is a usage error" \
	eval "usage_error && err_has \"invalid size '12Q'\""
run pvctl create --name $C --memory 0
check "size 0 is a usage error" usage_error
run pvctl create --name $C --memory 0M
check "size 0M is a usage error" usage_error
run pvctl create --name $C --memory 18446744073709551616
check "a size beyond 64 bits is a usage error" usage_error
run pvctl create --name $C --memory 17179869184G
check "a size that overflows with its unit is a usage error" usage_error
run pvctl create --name $C --memory 4097
check "a size not a multiple of 4 KiB is a usage error" usage_error
run pvctl create --name $C --memory 4K --vcpus 33
check "33 vcpus is a usage error" usage_error
run pvctl create --name $C --memory 4K --frobnicate
check "an unknown option is a usage error" \
	eval "usage_error && err_has \"unknown option '--frobnicate'\""
run pvctl list --json extra
check "an extra operand is a usage error" usage_error
run pvctl destroy 0
check "destroy 0 is a usage error" usage_error

# --- list -------------------------------------------------------------------

run pvctl list
check "list exits 0 with a header" \
	eval 'status_is 0 && out_has "^ *ID  NAME  *STATE  *VCPUS  *MEMORY  *FRAMES  *CONTEXTS$"'
check "list shows $A with its id, state, vcpus, memory, frames and contexts" \
	out_has "^ *$id_a  $A  *created  *2  *16MiB  *4096  *0/$max_ctx$"
check "list shows $B" listed $B
check "list shows no domain that failed to be created" \
	eval '! listed $C && ! listed 9lives'

run pvctl list --json
check "list --json exits 0 with a JSON array" \
	eval 'status_is 0 && [ "$(head -n 1 "$tmp/out")" = "[" ] &&
	      [ "$(tail -n 1 "$tmp/out")" = "]" ]'
check "list --json describes $A" \
	out_has "{\"id\": $id_a, \"name\": \"$A\", \"state\": \"created\", \"vcpus\": 2, \"memory_bytes\": 16777216, \"frames\": 4096, \"contexts\": 0, \"max_contexts\": $max_ctx}"

run pvctl info --json
check "info counts the two new domains and their frames" \
	eval '[ "$(json_field domains)" -eq $((domains0 + 2)) ] &&
	      [ "$(json_field frames_used)" -eq $((frames0 + 4098)) ]'

# --- permission -------------------------------------------------------------

# busybox's setpriv cannot change uid, but start-stop-daemon -c can, given
# a passwd entry (the test host has "nobody"). It must be pointed at pvctl
# itself: with -x it refuses to start a program that already runs, and
# every busybox applet is the same program as this shell. Failing that,
# a new user namespace leaves pvctl without CAP_SYS_ADMIN in the initial
# one, which is what the module checks.
pvctl_path=$(command -v pvctl)
drop=
if start-stop-daemon -S -c nobody -x "$pvctl_path" -- --help \
		>/dev/null 2>&1; then
	drop=uid
elif unshare -U "$pvctl_path" --help >/dev/null 2>&1; then
	drop=userns
fi

unprivileged() {
	case "$drop" in
	uid) start-stop-daemon -S -c nobody -x "$pvctl_path" -- "$@" ;;
	userns) unshare -U "$pvctl_path" "$@" ;;
	esac
}

if [ -z "$drop" ]; then
	for sub in info create destroy; do
		skip "$sub without CAP_SYS_ADMIN exits 4" \
			"no way to drop privileges here"
	done
else
	run unprivileged info
	check "info without CAP_SYS_ADMIN exits 4" \
		eval 'status_is 4 && err_has "permission denied"'
	run unprivileged create --name $C --memory 4K
	check "create without CAP_SYS_ADMIN exits 4" status_is 4
	run unprivileged destroy $A
	check "destroy without CAP_SYS_ADMIN exits 4" status_is 4
fi

# --- destroy ----------------------------------------------------------------

run pvctl destroy $A
check "destroy by name exits 0 silently" eval 'status_is 0 && out_empty'
run pvctl destroy "$id_b"
check "destroy by id exits 0" status_is 0
run pvctl list
check "neither domain is listed any more" \
	eval 'status_is 0 && ! listed $A && ! listed $B'
run pvctl destroy $A
check "destroying an unknown name fails with exit 1" \
	eval 'status_is 1 && err_has "^pvctl: destroy: $A: no such domain"'
run pvctl destroy "$id_b"
check "destroying an unknown id fails with exit 1" \
	eval 'status_is 1 && err_has "^pvctl: destroy: $id_b: no such domain"'

check "info is back to where it started" accounting_is_baseline

finish
