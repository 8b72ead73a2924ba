# SPDX-License-Identifier: GPL-2.0
#
# Starting pvisord in the tests that run their own (busybox sh). Source it
# after tap.sh:
#
#	pvisord_start DIR LOG	pvisord -f in the background, with its
#				socket, state file and pid file in DIR
#				(sock, state, pid) and its log appended
#				to LOG; waits until LOG has one more
#				"ready" line than before (status 1 if it
#				never came). A pvisord killed with SIGKILL
#				leaves its socket behind, so the socket
#				alone says nothing about the new one.
#	pvisord_readies LOG	how many "ready" lines LOG has

pvisord_readies() {
	pvisord_n=$(grep -c "ready: xenstore on" "$1" 2>/dev/null)
	echo "${pvisord_n:-0}"
}

pvisord_start() {
	# wait_for's eval sees wait_for's own arguments as $1, $2: keep ours.
	pvisord_log=$2
	pvisord_before=$(pvisord_readies "$pvisord_log")
	pvisord -f -s "$1/sock" -S "$1/state" -p "$1/pid" 2>>"$pvisord_log" &
	wait_for eval '[ "$(pvisord_readies "$pvisord_log")" -gt "$pvisord_before" ]'
}
