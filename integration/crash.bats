#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Crash consistency: husk killed (SIGKILL) at chosen points of create, and a
# sample of the full fault-injection sweep (tests/fault/sweep.sh; the full
# sweep is `make fault-sweep`).  After each kill, state and list answer,
# delete --force leaves nothing and the id can be created again.

load helpers

setup() {
	husk_setup
	make_bundle
	set_args sleep 1000
	command -v strace >/dev/null || fail "strace is missing (scripts/install-deps.sh installs it)"
	KILLAT=$HUSK_TESTS_BIN/killat
	[ -x "$KILLAT" ] || fail "$KILLAT missing: build it with make check"
}

# syscall_number PATTERN [tail]: the number of the first (last) syscall of a normal
# `create` whose strace line matches PATTERN (extended regexp); strace
# without -f numbers the syscalls of husk alone, as killat counts them.
syscall_number() {
	local trace=$BATS_TEST_TMPDIR/trace n
	strace -o "$trace" -e trace=all "$HUSK" --root "$STATE_ROOT" create --bundle "$BUNDLE" "$ID" \
		</dev/null >/dev/null 2>&1
	husk delete --force "$ID"
	n=$(grep -v '^+++\|^---' "$trace" | grep -nE -- "$1" | cut -d: -f1 | "${2:-head}" -n 1)
	[ -n "$n" ] || return 1
	echo "$n"
}

# create_killed_at N: a create killed just before its Nth syscall.
create_killed_at() {
	"$KILLAT" -n "$1" "$HUSK" --root "$STATE_ROOT" create --bundle "$BUNDLE" "$ID" \
		</dev/null >/dev/null 2>&1 || true
}

# after_kill_ok: delete --force removes everything and the id is free.
after_kill_ok() {
	husk delete --force "$ID"
	assert_no_leftovers "$ID"
	run pgrep -f -- "$ID"
	[ -z "$output" ] || fail "processes of $ID left: $(ps -o pid,args -p "${output//$'\n'/,}")"
	husk create --bundle "$BUNDLE" "$ID" >/dev/null
	[ "$(state_field "$ID" status)" = created ]
	husk delete --force "$ID"
	assert_no_leftovers "$ID"
}

@test "crash: create killed after making its cgroups, before the init: delete --force removes them" {
	local n
	n=$(syscall_number "mkdirat\\([0-9]+, \"$ID\", 0755\\) += 0") || fail "create made no cgroup"
	create_killed_at $((n + 1))
	[ -n "$(cgroup_dirs_of "$ID")" ] || fail "the kill came before any cgroup was made"
	run husk state "$ID"
	assert_success
	[ "$(jq -r .status <<<"$output")" = stopped ] || fail "state: $output"
	run husk list -q
	assert_success
	assert_output "$ID"
	after_kill_ok
}

@test "crash: create killed before recording \"created\": state says creating, delete --force kills the init" {
	local n pid
	n=$(syscall_number 'rename(at2?)?\(.*"state.json"' tail) || fail "create never wrote state.json"
	create_killed_at "$n"
	run husk state "$ID"
	assert_success
	[ "$(jq -r .status <<<"$output")" = creating ] || fail "state: $output"
	pid=$(jq -r .pid <<<"$output")
	pid_alive "$pid" || fail "state shows pid $pid, which is gone"
	run husk list --format json
	assert_success
	[ "$(jq -r ".[] | select(.id == \"$ID\") | .status" <<<"$output")" = creating ] || fail "list: $output"
	run husk start "$ID"
	assert_failure
	assert_output --partial "it is creating, not created"
	after_kill_ok
	! pid_alive "$pid" || fail "the init $pid survived delete --force"
}

@test "crash: create killed between making its directory and recording it: list and state still answer" {
	local n
	n=$(syscall_number "mkdirat\\([0-9]+, \"$ID\", 0700\\) += 0") || fail "create made no state directory"
	create_killed_at $((n + 1))
	[ -d "$STATE_ROOT/$ID" ] || fail "no state directory: the kill came too early"
	[ ! -e "$STATE_ROOT/$ID/state.json" ] || fail "state.json exists: the kill came too late"
	run husk state "$ID"
	assert_success
	[ "$(jq -r .status <<<"$output")" = stopped ] || fail "state: $output"
	run husk list --format json
	assert_success
	[ "$(jq -r ".[] | select(.id == \"$ID\") | .status" <<<"$output")" = stopped ] || fail "list: $output"
	# the id is taken until deleted
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial "already exists"
	after_kill_ok
}

@test "crash: a sample of the fault-injection sweep over create, start, run, exec, pause, update, delete" {
	# every 29th syscall from a random start (printed, so a failure can be
	# replayed with tests/fault/sweep.sh -k 29 -s START -b plain)
	local start=$((RANDOM % 29 + 1))
	echo "# sweep.sh -k 29 -s $start -b plain" >&3
	run "$REPO/tests/fault/sweep.sh" -k 29 -s "$start" -b plain "$HUSK" "$KILLAT"
	echo "$output" | sed 's/^/# /' >&3
	assert_success
	assert_output --partial "No leaks or failures."
}

@test "crash: a sample of the sweep over bundles with a terminal, a network device and a seccomp agent" {
	# every 149th syscall from a random start: no pty, console or agent
	# connection, seccomp listener or network device outlives a container
	local start=$((RANDOM % 149 + 1)) kinds="tty netdev seccomp"
	if ! version_at_least 5.0; then
		kinds="tty netdev"
		echo "# no seccomp bundle: SCMP_ACT_NOTIFY needs Linux 5.0, husk has $(husk_kernel)'s" >&3
	fi
	echo "# sweep.sh -k 149 -s $start -b '$kinds'" >&3
	run "$REPO/tests/fault/sweep.sh" -k 149 -s "$start" -b "$kinds" "$HUSK" "$KILLAT"
	echo "$output" | sed 's/^/# /' >&3
	assert_success
	assert_output --partial "No leaks or failures."
}

# start_syscall_number PATTERN: the number of the first syscall of a normal
# `start` whose strace line matches PATTERN (extended regexp).
start_syscall_number() {
	local trace=$BATS_TEST_TMPDIR/trace n
	husk create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null
	strace -o "$trace" -e trace=all "$HUSK" --root "$STATE_ROOT" start "$ID" >/dev/null 2>&1
	husk delete --force "$ID"
	n=$(grep -v '^+++\|^---' "$trace" | grep -nE -- "$1" | cut -d: -f1 | head -n 1)
	[ -n "$n" ] || return 1
	echo "$n"
}

@test "crash: a start that finds the init dead spares the process that reused its pid" {
	# start is held just before it opens exec.fifo (after it checked that the
	# container is created, i.e. its init alive); meanwhile the init is
	# killed and its pid handed to an unrelated sleep through ns_last_pid.
	# All in a new pid namespace of the test's own, where nothing else
	# forks, so the sleep gets exactly that pid.  start must fail and leave
	# the sleep alone: it kills only through a pidfd checked against the
	# stored start time.  delete --force must spare it too.
	local n
	n=$(start_syscall_number 'open(at)?\(.*"exec\.fifo"') || fail "start never opened exec.fifo"
	cat >"$BATS_TEST_TMPDIR/reuse" <<-'SH'
		pid=$1
		kill -9 "$pid"
		for i in $(seq 500); do [ -e "/proc/$pid" ] || break; sleep 0.01; done
		[ ! -e "/proc/$pid" ] || { echo "the init $pid did not go"; exit 1; }
		echo $((pid - 1)) >/proc/sys/kernel/ns_last_pid
		sleep 1000 </dev/null >/dev/null 2>&1 &
		echo $! >"$2"
	SH
	run unshare --pid --fork --mount-proc bash -c '
		H="$1 --root $2"; id=$3; n=$4; killat=$5; tmp=$6
		$H create --bundle "$7" "$id" </dev/null || exit 1
		pid=$($H state "$id" | jq .pid)
		echo "init: $pid"
		$killat -n "$n" -x "bash $tmp/reuse $pid $tmp/reused" $H start "$id" 2>&1
		echo "start: $?"
		echo "reused: $(cat "$tmp/reused")"
		echo "after start: $(tr "\0" " " <"/proc/$(cat "$tmp/reused")/cmdline")"
		$H delete --force "$id" 2>&1
		echo "after delete: $(tr "\0" " " <"/proc/$(cat "$tmp/reused")/cmdline")"
	' sh "$HUSK" "$STATE_ROOT" "$ID" "$n" "$KILLAT" "$BATS_TEST_TMPDIR" "$BUNDLE"
	echo "$output"
	local init
	init=$(sed -n 's/^init: //p' <<<"$output")
	[ -n "$init" ] || fail "no container was created"
	assert_line "reused: $init"
	assert_line --partial "the container's init is gone"
	refute_line "start: 0"
	assert_line "after start: sleep 1000 "
	assert_line "after delete: sleep 1000 "
	assert_no_leftovers "$ID"
}
