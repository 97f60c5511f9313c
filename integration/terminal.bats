#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# process.terminal: the pty master over --console-socket (as conmon and
# containerd's shim take it), the foreground proxy of `run` and `exec -t`,
# consoleSize, /dev/console.

load helpers

RECEIVER=

setup() {
	husk_setup
	make_bundle
	RECEIVER=$HUSK_TESTS_BIN/console-receiver
	[ -x "$RECEIVER" ] || fail "no $RECEIVER: run \`make check\` (or make tests/console-receiver) first"
	SOCK=$BATS_TEST_TMPDIR/console.sock
}

# start_receiver MARKER TEXT: a console-receiver in the background that types
# TEXT into the pty it gets on $SOCK and stops once MARKER came back; its
# output goes to $BATS_TEST_TMPDIR/recv.out, its stderr to recv.err.
start_receiver() {
	"$RECEIVER" -p -t 20 -m "$1" "$SOCK" "$2" \
		>"$BATS_TEST_TMPDIR/recv.out" 2>"$BATS_TEST_TMPDIR/recv.err" &
	RECEIVER_PID=$!
	for ((i = 0; i < 500; i++)); do
		[ -S "$SOCK" ] && return 0
		sleep 0.01
	done
	fail "console-receiver did not listen on $SOCK"
}

wait_receiver() {
	local rc=0
	wait "$RECEIVER_PID" || rc=$?
	RECV_OUT=$(tr -d '\r' <"$BATS_TEST_TMPDIR/recv.out")
	[ "$rc" -eq 0 ] || fail "console-receiver exit $rc: $(cat "$BATS_TEST_TMPDIR/recv.err") output: $RECV_OUT"
}

# in_pty CMD...: run CMD under script(1), i.e. with a pty as stdin/stdout,
# sized 40x120; status and output as bats' run leaves them.  script(1)
# types a character into the pty when its own stdin (/dev/null) ends, which
# the container's pty may echo (as ^@), so match lines by their ends.
in_pty() {
	local cmd
	printf -v cmd '%q ' "$@"
	run script -qefc "stty rows 40 cols 120; $cmd" /dev/null </dev/null
	strip_cr
}

# The pty turns \n into \r\n: drop the \r from $output and $lines.
strip_cr() {
	output=$(tr -d '\r' <<<"$output")
	mapfile -t lines <<<"$output"
}

@test "terminal: create --console-socket sends the master; the process has the pty as tty, stdio and /dev/console" {
	update_config '.process.terminal = true
		| .process.consoleSize = {"height": 31, "width": 97}
		| .process.args = ["sh"]'
	# The marker is computed, so the echo of the typed line cannot match it.
	start_receiver MARK-42 'tty; stty size; for f in 0 1 2; do readlink /proc/self/fd/$f; done; stat -c "console=%t:%T" /dev/console; echo MARK-$((40+2)); exit 0'
	run husk create --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
	assert_success
	run husk start "$ID"
	assert_success
	wait_receiver
	grep -qx '/dev/pts/0' <<<"$RECV_OUT" || fail "tty: $RECV_OUT"
	grep -qx '31 97' <<<"$RECV_OUT" || fail "consoleSize not applied: $RECV_OUT"
	[ "$(grep -cx '/dev/pts/0' <<<"$RECV_OUT")" -ge 4 ] || fail "stdio is not the pty: $RECV_OUT"
	# 136 (0x88) is the first pty slave major.
	grep -qx 'console=88:0' <<<"$RECV_OUT" || fail "/dev/console is not the pty: $RECV_OUT"
	# One fd came, with the pty's name as the payload.
	grep -q '^payload: /dev/pts/' "$BATS_TEST_TMPDIR/recv.err"
	wait_for_status "$ID" stopped
	run husk delete "$ID"
	assert_success
	assert_no_leftovers "$ID"
}

@test "terminal: the process is a session leader with the pty as controlling terminal" {
	update_config '.process.terminal = true | .process.args = ["sh"]'
	start_receiver DONE-7 'ps -o pid,sid,tty,comm; echo DONE-$((3+4)); exit 0'
	husk create --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
	husk start "$ID"
	wait_receiver
	# pid 1 (sh) leads session 1, on pts/0 (busybox ps prints it as 136,0).
	grep -Eq '^ +1 +1 +(pts/0|136,0) +sh' <<<"$RECV_OUT" || fail "no session/ctty: $RECV_OUT"
}

@test "terminal: run in the foreground proxies through our pty and returns the exit status" {
	update_config '.process.terminal = true
		| .process.args = ["sh", "-c", "tty; stty size; test -t 0 && echo stdin-tty; exit 7"]'
	in_pty "$HUSK" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 7 ] || fail "status $status, output: $output"
	assert_line --regexp '/dev/pts/0$'
	# Our window size wins over consoleSize in the foreground.
	assert_line --regexp '40 120$'
	assert_line --regexp 'stdin-tty$'
	assert_no_leftovers "$ID"
}

@test "terminal: foreground run passes our input through and restores our terminal" {
	update_config '.process.terminal = true | .process.args = ["sh", "-c", "read x; echo got-$x"]'
	local cmd
	printf -v cmd '%q ' "$HUSK" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$ID"
	# Typed through script's pty, i.e. through our terminal in raw mode.
	run bash -c "(sleep 1; echo hello; sleep 1) | script -qefc 'stty rows 40 cols 120; before=\$(stty -g); $cmd; rc=\$?; [ \"\$(stty -g)\" = \"\$before\" ] && echo restored; exit \$rc' /dev/null"
	strip_cr
	assert_success
	assert_line --regexp 'got-hello$'
	assert_line --regexp 'restored$'
}

@test "terminal: exec -t in the foreground gets a pty of the container" {
	update_config '.process.args = ["sleep", "1000"]'
	husk run -d --bundle "$BUNDLE" "$ID"
	in_pty "$HUSK" --root "$STATE_ROOT" exec -t "$ID" sh -c 'tty; stty size; exit 3'
	[ "$status" -eq 3 ] || fail "status $status, output: $output"
	assert_line --regexp '/dev/pts/[0-9]+$'
	assert_line --regexp '40 120$'
	# The init's /dev/console is untouched by exec.
	run husk exec "$ID" sh -c 'test -f /dev/console -o ! -e /dev/console && echo untouched'
	assert_success
	assert_output untouched
}

@test "terminal: exec --tty --console-socket --detach hands the pty to the receiver" {
	update_config '.process.args = ["sleep", "1000"]'
	husk run -d --bundle "$BUNDLE" "$ID"
	start_receiver END-9 'tty; echo END-$((4+5)); exit 0'
	run husk exec --tty --console-socket "$SOCK" --detach --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$ID" sh
	assert_success
	wait_receiver
	grep -Eq '^/dev/pts/[0-9]+$' <<<"$RECV_OUT" || fail "receiver: $RECV_OUT"
	[ "$(cat "$BATS_TEST_TMPDIR/exec.pid")" -gt 0 ]
}

@test "terminal: exec --detach --tty without a console socket is refused" {
	update_config '.process.args = ["sleep", "1000"]'
	husk run -d --bundle "$BUNDLE" "$ID"
	run husk exec --detach --tty "$ID" sh
	assert_failure
	assert_output --partial console-socket
	run husk exec --console-socket "$SOCK" "$ID" true
	assert_failure
	assert_output --partial terminal
}

@test "terminal: a console socket that nobody listens on fails create cleanly" {
	update_config '.process.terminal = true | .process.args = ["sh"]'
	run husk create --console-socket "$BATS_TEST_TMPDIR/nobody.sock" --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial nobody.sock
	assert_no_leftovers "$ID"
}
