#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Races and load: commands on one container at once end either in a clean
# success or a clean error (a `husk: ...` message, never a hang or a
# crash), and the host ends clean; 200 containers from 8 clients with
# `list` polled meanwhile.

load helpers

setup() {
	BG_PIDS=()
	husk_setup
	make_bundle
	set_args sleep 1000
}

# clean_outcome FILE [RC]: rc 0, or an error that husk itself reported
# (RC by default the exit status bg_husk wrote to FILE.rc).
clean_outcome() {
	local out=$1 rc=${2:-$(cat "$1.rc")}
	[ "$rc" -eq 0 ] && return 0
	[ "$rc" -lt 124 ] || fail "exit $rc (timeout or signal): $(cat "$out")"
	grep -q '^husk: ' "$out" || fail "exit $rc without a husk error: $(cat "$out")"
}

# bg_husk OUT ARGS...: husk in the background, its exit status in OUT.rc.
bg_husk() {
	local out=$1
	shift
	(
		rc=0
		husk_bin --root "$STATE_ROOT" "$@" </dev/null >"$out" 2>&1 || rc=$?
		echo "$rc" >"$out.rc"
	) &
	BG_PIDS+=($!)
}

# wait_bg: wait for what bg_husk started.  Never a bare `wait`: bats runs
# its BATS_TEST_TIMEOUT watchdog as a background job of the test's shell,
# so `wait` (or `jobs -r`) would block until the test times out.
any_bg_alive() {
	local p
	for p in "${BG_PIDS[@]}"; do
		kill -0 "$p" 2>/dev/null && return 0
	done
	return 1
}

wait_bg() {
	wait "${BG_PIDS[@]}"
	BG_PIDS=()
}

@test "races: 32 concurrent creates of one id: exactly one wins, the others say it already exists" {
	local i ok=0 exists=0
	for i in $(seq 32); do
		bg_husk "$BATS_TEST_TMPDIR/c$i" create --bundle "$BUNDLE" "$ID"
	done
	wait_bg
	for i in $(seq 32); do
		rc=$(cat "$BATS_TEST_TMPDIR/c$i.rc")
		if [ "$rc" = 0 ]; then
			ok=$((ok + 1))
		elif grep -q "container \`$ID\` already exists" "$BATS_TEST_TMPDIR/c$i"; then
			exists=$((exists + 1))
		else
			fail "create $i: exit $rc: $(cat "$BATS_TEST_TMPDIR/c$i")"
		fi
	done
	[ "$ok" -eq 1 ] && [ "$exists" -eq 31 ] || fail "$ok succeeded, $exists said already exists"
	[ "$(state_field "$ID" status)" = created ]
	pid_alive "$(state_field "$ID" pid)" || fail "the winner's init is gone"
	[ "$(husk list -q)" = "$ID" ]
	# one init, in one cgroup per hierarchy
	local procs
	for cg in $(cgroup_dirs_of "$ID"); do
		procs=$(wc -l <"$cg/cgroup.procs")
		[ "$procs" -le 1 ] || fail "$cg holds $procs processes"
	done
	husk delete --force "$ID"
	assert_no_leftovers "$ID"
}

@test "races: delete --force racing start, 6 rounds: clean outcomes, nothing left" {
	local r
	for r in $(seq 6); do
		husk create --bundle "$BUNDLE" "$ID" >/dev/null
		bg_husk "$BATS_TEST_TMPDIR/out-s" start "$ID"
		bg_husk "$BATS_TEST_TMPDIR/out-d" delete --force "$ID"
		wait_bg
		clean_outcome "$BATS_TEST_TMPDIR/out-s"
		clean_outcome "$BATS_TEST_TMPDIR/out-d"
		# delete may have lost to start only by waiting for its lock: it then
		# deleted the running container
		husk delete --force "$ID" 2>/dev/null || true
		assert_no_leftovers "$ID"
	done
}

@test "races: kill racing create, 6 rounds: clean outcomes, nothing left after delete" {
	local r
	for r in $(seq 6); do
		bg_husk "$BATS_TEST_TMPDIR/c" create --bundle "$BUNDLE" "$ID"
		local cpid=$!
		while kill -0 "$cpid" 2>/dev/null; do
			husk_bin --root "$STATE_ROOT" kill "$ID" KILL >/dev/null 2>&1 || true
		done
		wait_bg
		clean_outcome "$BATS_TEST_TMPDIR/c"
		run husk state "$ID"
		if [ "$status" -eq 0 ]; then
			[[ "$(jq -r .status <<<"$output")" =~ ^(created|stopped)$ ]] || fail "state: $output"
		fi
		husk delete --force "$ID" 2>/dev/null || true
		assert_no_leftovers "$ID"
	done
}

@test "races: exec racing delete --force, 6 rounds: clean outcomes, nothing left" {
	local r
	for r in $(seq 6); do
		husk run -d --bundle "$BUNDLE" "$ID" >/dev/null
		bg_husk "$BATS_TEST_TMPDIR/e" exec "$ID" sh -c 'sleep 0.2'
		bg_husk "$BATS_TEST_TMPDIR/out-d" delete --force "$ID"
		wait_bg
		local erc
		erc=$(cat "$BATS_TEST_TMPDIR/e.rc")
		# the exec'd process killed by delete exits 137: also clean
		[ "$erc" = 137 ] || clean_outcome "$BATS_TEST_TMPDIR/e" "$erc"
		[ "$(cat "$BATS_TEST_TMPDIR/out-d.rc")" = 0 ] || fail "delete: $(cat "$BATS_TEST_TMPDIR/out-d")"
		assert_no_leftovers "$ID"
	done
}

@test "races: pause racing kill, 6 rounds: delete --force still cleans a frozen container" {
	local r
	for r in $(seq 6); do
		husk run -d --bundle "$BUNDLE" "$ID" >/dev/null
		bg_husk "$BATS_TEST_TMPDIR/p" pause "$ID"
		bg_husk "$BATS_TEST_TMPDIR/k" kill "$ID" KILL
		wait_bg
		clean_outcome "$BATS_TEST_TMPDIR/p"
		clean_outcome "$BATS_TEST_TMPDIR/k"
		run husk state "$ID"
		assert_success
		husk delete --force "$ID"
		assert_no_leftovers "$ID"
	done
}

@test "races: 200 containers by 8 clients (create, start, exec, delete) while list is polled" {
	local c polls=$BATS_TEST_TMPDIR/polls
	client() {
		local c=$1 i id
		for i in $(seq 25); do
			id=$ID-c$c-$i
			husk_bin --root "$STATE_ROOT" create --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/err$c" ||
				{ echo "create $id: $(cat "$BATS_TEST_TMPDIR/err$c")"; continue; }
			husk_bin --root "$STATE_ROOT" start "$id" 2>&1 || echo "start $id failed"
			husk_bin --root "$STATE_ROOT" exec "$id" true 2>&1 || echo "exec $id failed"
			husk_bin --root "$STATE_ROOT" delete --force "$id" 2>&1 || echo "delete $id failed"
		done
	}
	for c in $(seq 8); do
		client "$c" >"$BATS_TEST_TMPDIR/client$c" 2>&1 &
		BG_PIDS+=($!)
	done
	local n=0 bad=0 out
	: >"$polls"
	while any_bg_alive; do
		if ! out=$(husk_bin --root "$STATE_ROOT" list --format json 2>&1); then
			echo "list failed: $out" >>"$polls"
			bad=$((bad + 1))
		elif ! jq -e 'all(.[]; (.id | type == "string") and (.pid | type == "number")
				and (.status | test("^(creating|created|running|stopped|paused)$"))
				and (.bundle | type == "string"))' <<<"$out" >/dev/null; then
			echo "half-written entry: $out" >>"$polls"
			bad=$((bad + 1))
		fi
		n=$((n + 1))
	done
	wait_bg
	echo "# $n list polls" >&3
	[ "$bad" -eq 0 ] || fail "$bad bad polls of $n: $(head -c 2000 "$polls")"
	[ "$n" -gt 10 ] || fail "only $n polls while 200 containers came and went"
	for c in $(seq 8); do
		[ ! -s "$BATS_TEST_TMPDIR/client$c" ] || fail "client $c: $(cat "$BATS_TEST_TMPDIR/client$c")"
	done
	[ -z "$(husk list -q)" ] || fail "left in list: $(husk list -q)"
	for c in $(seq 8); do
		for i in $(seq 25); do
			[ -z "$(cgroup_dirs_of "$ID-c$c-$i")" ] || fail "cgroup of $ID-c$c-$i left"
		done
	done
	assert_no_leftovers "$ID"
}
