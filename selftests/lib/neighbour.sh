# SPDX-License-Identifier: GPL-2.0
#
# A well-behaved neighbour for tests that run hostile guests: minnow with
# "work=N", which after its self-checks fills a page, yields and checks
# it, N rounds of about a fifth of a second each, printing every round,
# then powers off. A test sources this after ../lib/tap.sh, sets
#
#	NEIGHBOUR		the name prefix (generations are PREFIX-1, -2...)
#	NEIGHBOUR_ROUNDS	N
#
# and gets:
#
#	neighbour_running	make sure one is running, starting a new
#				generation when the last has finished (which
#				is checked as neighbours_finished would, and
#				destroyed: its memory is needed); sets
#				$neighbour (its name) and $neighbour_was (its
#				state)
#	neighbour_unharmed DESC	one check: $neighbour was running and is
#				running still or powered off, never crashed
#	neighbours_finished	per generation not yet checked: all its
#				rounds and every check done, then powered off
#	neighbour_cleanup	destroy every generation (for cleanup())

generations=0
neighbours_checked=0

# neighbour_finished G: generation G did all its work and powered off.
neighbour_finished() {
	wait_stopped "$NEIGHBOUR-$1"
	run pvctl console "$NEIGHBOUR-$1"
	rounds=$(grep -c "^minnow: work: round [0-9]* of $NEIGHBOUR_ROUNDS$" "$tmp/out")
	check "$NEIGHBOUR-$1: all $NEIGHBOUR_ROUNDS rounds of work and every check done ($rounds rounds)" \
		eval '[ "$rounds" -eq $NEIGHBOUR_ROUNDS ] &&
		      out_has "^@@pvtest done [0-9]* 0$" &&
		      ! out_has "^@@pvtest not ok"'
	run pvctl list
	check "$NEIGHBOUR-$1: shutdown(poweroff)" \
		out_has "^ *[0-9]*  $NEIGHBOUR-$1  *shutdown(poweroff) "
	neighbours_checked=$1
}

neighbour_running() {
	# One look at the state: it may finish between two.
	neighbour_was=
	[ $generations -eq 0 ] ||
		neighbour_was=$(state_of "$NEIGHBOUR-$generations")
	if [ "$neighbour_was" != running ]; then
		if [ $generations -gt $neighbours_checked ]; then
			neighbour_finished $generations
			pvctl destroy "$NEIGHBOUR-$generations" >/dev/null 2>&1
		fi
		generations=$((generations + 1))
		run pvctl create --name "$NEIGHBOUR-$generations" --memory 16M \
			--kernel "$GUEST_DIR/minnow.elf" \
			--cmdline "work=$NEIGHBOUR_ROUNDS"
		check "well-behaved $NEIGHBOUR-$generations starts (work=$NEIGHBOUR_ROUNDS)" \
			status_is 0
		# Running means its runner is confined and in the guest.
		i=0
		while [ $i -lt "$WAIT_TENTHS" ] &&
		      [ "$(state_of "$NEIGHBOUR-$generations")" != running ]; do
			sleep 0.1
			i=$((i + 1))
		done
		neighbour_was=$(state_of "$NEIGHBOUR-$generations")
	fi
	neighbour=$NEIGHBOUR-$generations
}

neighbour_unharmed() {
	now=$(state_of "$neighbour")
	run echo "$neighbour was $neighbour_was, is $now"
	check "$1: $neighbour ran alongside and is unharmed ($now)" \
		eval '[ "$neighbour_was" = running ] &&
		      { [ "$now" = running ] || [ "$now" = "shutdown(poweroff)" ]; }'
}

neighbours_finished() {
	g=$((neighbours_checked + 1))
	while [ $g -le $generations ]; do
		neighbour_finished $g
		g=$((g + 1))
	done
}

neighbour_cleanup() {
	g=1
	while [ $g -le $generations ]; do
		pvctl destroy "$NEIGHBOUR-$g" >/dev/null 2>&1
		g=$((g + 1))
	done
}
