#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Console input (PVISOR_CMD_CONSOLE_WRITE, CONSOLEIO_READ, VIRQ_CONSOLE)
# through pvctl console, with the echo guest (guest-port/tests/echo.c):
# lines piped to "pvctl console --input" come back upper-cased in its
# output; the guest checks that its bad buffers get EFAULT without
# losing input and that VIRQ_CONSOLE fired. Input for a stopped domain,
# and for one that does not exist, is refused with a clear error.
#
# The interactive mode (a terminal, raw, Ctrl-]) needs a pty, and the
# test host's busybox has neither script nor python3: test_console_tty.c
# drives it on a pty of its own, and the netlink limits too.
#
# Runs in the QEMU test host (busybox sh, pvisor.ko loaded, pvctl and
# pvrun in PATH, the guests in /guest). TAP 13, the plan at the end.

GUEST_DIR=${PVISOR_GUEST_DIR:-/guest}
WAIT_TENTHS=600
PREFIX=gcon
NAME=$PREFIX-echo

. "$(dirname "$0")/../lib/tap.sh"

cleanup() {
	pvctl destroy "$NAME" >/dev/null 2>&1
}

ready() {
	pvctl console --no-follow "$NAME" 2>/dev/null | grep -q "^@@echo ready"
}

echo "TAP version 13"

need_tools pvctl pvrun
[ -f "$GUEST_DIR/echo.elf" ] || skip_all "no $GUEST_DIR/echo.elf"
need_module

run pvctl create --name "$NAME" --memory 16M --kernel "$GUEST_DIR/echo.elf"
check "echo: starts" status_is 0
wait_for ready
rc=$?
check "echo: waits for input" status_is 0

run sh -c "printf 'hello world\nminnow 42\nquit\n' | pvctl console --input '$NAME'"
check "pvctl console --input: exits 0 once the guest stops" status_is 0
check "the first line comes back upper-cased" out_has_line "@@echo HELLO WORLD"
check "the second line too" out_has_line "@@echo MINNOW 42"
cp "$tmp/out" "$tmp/echo.console"
guest_checks "$tmp/echo.console" echo
check "echo: ran its checks to the end" \
	eval 'out_has_line "@@pvtest done $guest_checks 0" && [ $guest_checks -ge 7 ]'

wait_stopped "$NAME"
run sh -c "echo late | pvctl console --input '$NAME'"
check "input for a stopped domain: exit 1" status_is 1
check "... saying it has stopped" err_has "stopped"
run sh -c "echo nobody | pvctl console --input $PREFIX-none"
check "input for no such domain: exit 1" status_is 1
check "... saying so" err_has "no such domain"
run pvctl console --no-follow --input "$NAME"
check "no-follow with input is a usage error" status_is 2

cleanup
runners_gone
check "destroying it gives every frame back" accounting_is_baseline

finish
