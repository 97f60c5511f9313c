#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# --pidfd-socket (runc 1.2) for create, run and exec: a pidfd of the
# container's process arrives on the unix socket, and it works: it names the
# right pid, signals that very process, and polls readable when it exits.

load helpers

setup() {
	husk_setup
	make_bundle
	update_config '.process.args = ["sleep", "1000"]'
	RECEIVER=$HUSK_TESTS_BIN/console-receiver
	[ -x "$RECEIVER" ] || fail "no $RECEIVER: run \`make check\` (or make tests/console-receiver) first"
	SOCK=$BATS_TEST_TMPDIR/pidfd.sock
}

# start_pidfd_client [-k]: console-receiver -P in the background on $SOCK
# (-k: it kills the process through the pidfd at once).
start_pidfd_client() {
	"$RECEIVER" -t 20 -P "$@" "$SOCK" >"$BATS_TEST_TMPDIR/recv.out" 2>"$BATS_TEST_TMPDIR/recv.err" &
	RECEIVER_PID=$!
	local i
	for ((i = 0; i < 500; i++)); do
		[ -S "$SOCK" ] && return 0
		sleep 0.01
	done
	fail "console-receiver did not listen on $SOCK"
}

# wait_pidfd_client: its exit status 0, and RECV_PID the pid it was sent.
wait_pidfd_client() {
	local rc=0
	wait "$RECEIVER_PID" || rc=$?
	[ "$rc" -eq 0 ] || fail "pidfd client exit $rc: $(cat "$BATS_TEST_TMPDIR/recv.err") $(cat "$BATS_TEST_TMPDIR/recv.out")"
	grep -qx exited "$BATS_TEST_TMPDIR/recv.out" || fail "no exit seen: $(cat "$BATS_TEST_TMPDIR/recv.out")"
	RECV_PID=$(sed -n 's/^pid: //p' "$BATS_TEST_TMPDIR/recv.out")
}

@test "pidfd-socket: create sends a pidfd of the init; killing through it stops the container" {
	kernel_at_least 5.3 "a pidfd (pidfd_open, clone3)"
	start_pidfd_client -k
	husk create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/init.pid" --pidfd-socket "$SOCK" "$ID"
	local init
	init=$(cat "$BATS_TEST_TMPDIR/init.pid")
	wait_pidfd_client
	[ "$RECV_PID" = "$init" ] || fail "pidfd names pid $RECV_PID, the init is $init"
	wait_for_status "$ID" stopped
	husk delete "$ID"
	assert_no_leftovers "$ID"
}

@test "pidfd-socket: run -d sends a pidfd that polls readable when the container is killed" {
	kernel_at_least 5.3 "a pidfd (pidfd_open, clone3)"
	start_pidfd_client
	run husk run -d --bundle "$BUNDLE" --pidfd-socket "$SOCK" "$ID"
	assert_success
	local init
	init=$(state_field "$ID" pid)
	pid_alive "$RECEIVER_PID" || fail "the client saw an exit before the kill: $(cat "$BATS_TEST_TMPDIR/recv.out")"
	husk kill "$ID" KILL
	wait_pidfd_client
	[ "$RECV_PID" = "$init" ] || fail "pidfd names pid $RECV_PID, the init is $init"
}

@test "pidfd-socket: exec sends a pidfd of the exec'd process, not of the init" {
	kernel_at_least 5.3 "a pidfd (pidfd_open, clone3)"
	run husk run -d --bundle "$BUNDLE" "$ID"
	assert_success
	local init
	init=$(state_field "$ID" pid)
	start_pidfd_client -k
	run husk exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" --pidfd-socket "$SOCK" "$ID" sleep 1000
	assert_success
	wait_pidfd_client
	[ "$RECV_PID" = "$(cat "$BATS_TEST_TMPDIR/exec.pid")" ] || fail "pidfd names $RECV_PID, exec's pid file says $(cat "$BATS_TEST_TMPDIR/exec.pid")"
	[ "$RECV_PID" != "$init" ] || fail "exec sent the init's pidfd"
	# Only the exec'd process died.
	[ "$(state_field "$ID" status)" = running ] || fail "the container stopped"
	pid_alive "$init" || fail "the init died"
}

@test "pidfd-socket: without pidfds (before Linux 5.3) create fails saying so, leaving nothing" {
	version_at_least 5.3 && skip "husk runs with Linux $(husk_kernel)'s interfaces, which have pidfds"
	start_pidfd_client
	run husk create --bundle "$BUNDLE" --pidfd-socket "$SOCK" "$ID"
	assert_failure
	assert_output --partial "--pidfd-socket: pidfd_open"
	assert_no_leftovers "$ID"
	kill "$RECEIVER_PID" 2>/dev/null || true
}

@test "pidfd-socket: nobody listening fails create with the option's name, leaving nothing" {
	run husk create --bundle "$BUNDLE" --pidfd-socket "$BATS_TEST_TMPDIR/nobody.sock" "$ID"
	assert_failure
	assert_output --partial "--pidfd-socket: connect to"
	assert_output --partial "nobody.sock"
	assert_no_leftovers "$ID"
	run husk exec --help
	assert_output --partial "--pidfd-socket SOCKET"
	run husk run --help
	assert_output --partial "--pidfd-socket SOCKET"
}
