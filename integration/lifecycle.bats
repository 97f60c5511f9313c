#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# create / start / run / state / kill / delete / list, as runc and crun do them.

load helpers

setup() {
	husk_setup
	make_bundle
}

# A pid 1 that exits 3 on SIGTERM (pid 1 of a pid namespace ignores signals
# it has no handler for, even from outside).
TERM_AWARE='trap "exit 3" TERM; while :; do sleep 0.05; done'

@test "lifecycle: create -> created, init alive and waiting" {
	update_config '.process.args = ["sleep", "1000"]'
	run husk create --bundle "$BUNDLE" "$ID"
	assert_success
	run husk state "$ID"
	assert_success
	local st=$output
	[ "$(jq -r .status <<<"$st")" = created ]
	[ "$(jq -r .id <<<"$st")" = "$ID" ]
	[ "$(jq -r .bundle <<<"$st")" = "$BUNDLE" ]
	jq -e '.ociVersion | startswith("1.")' <<<"$st"
	local pid
	pid=$(jq -r .pid <<<"$st")
	[ "$pid" -gt 0 ]
	pid_alive "$pid" || fail "init $pid not alive"
	# Not yet the user's program: sleep is busybox.
	local exe
	exe=$(readlink "/proc/$pid/exe")
	[[ "$exe" != *busybox* ]] || fail "process already exec'd: $exe"
	# Waiting: not running on a CPU.
	local s
	s=$(awk '/^State:/ {print $2}' "/proc/$pid/status")
	[ "$s" = S ] || fail "init state $s"
	# Its root is the container's rootfs.
	[ "$(stat -L -c %i "/proc/$pid/root/bin/busybox")" = "$(stat -c %i "$BUNDLE/rootfs/bin/busybox")" ]
}

@test "lifecycle: start -> running the program, exit -> stopped, delete -> nothing left" {
	update_config '.process.args = ["sleep", "1"]'
	husk create --bundle "$BUNDLE" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	run husk start "$ID"
	assert_success
	[ "$(state_field "$ID" status)" = running ]
	[ "$(readlink "/proc/$pid/exe")" = "$BUNDLE/rootfs/bin/busybox" ] ||
		[[ "$(readlink "/proc/$pid/exe")" == */bin/busybox ]]
	wait_for_status "$ID" stopped 500
	run husk delete "$ID"
	assert_success
	assert_no_leftovers "$ID"
	run husk state "$ID"
	assert_failure
}

@test "lifecycle: start twice fails; create with an existing id fails" {
	update_config '.process.args = ["sleep", "1000"]'
	husk create --bundle "$BUNDLE" "$ID"
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial "$ID"
	husk start "$ID"
	run husk start "$ID"
	assert_failure
	[ "$(state_field "$ID" status)" = running ]
}

@test "lifecycle: run prints the process output and leaves nothing" {
	run_in_container echo hello from husk
	assert_success
	assert_output 'hello from husk'
	assert_no_leftovers "$ID"
}

@test "lifecycle: run returns the exit code of the process" {
	for code in 0 1 42 255; do
		run_in_container sh -c "exit $code"
		assert_equal "$status" "$code"
	done
	assert_no_leftovers "$ID"
}

@test "lifecycle: run returns 128+signal when the process is killed" {
	# Without a pid namespace the process is not a namespace init, so it can
	# die of a signal it sends itself.
	remove_namespace pid
	run_in_container sh -c 'kill -KILL $$'
	assert_equal "$status" 137
	run_in_container sh -c 'kill -USR1 $$'
	assert_equal "$status" 138
}

@test "lifecycle: run returns 137 when husk kill KILLs the container" {
	update_config '.process.args = ["sleep", "1000"]'
	"$HUSK" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1 &
	local runner=$!
	wait_for_status "$ID" running
	husk kill "$ID" KILL
	local rc=0
	wait "$runner" || rc=$?
	assert_equal "$rc" 137
	assert_no_leftovers "$ID"
}

@test "lifecycle: run passes stdin through" {
	set_args cat
	run bash -c "echo piped | '$HUSK' --root '$STATE_ROOT' run --bundle '$BUNDLE' '$ID'"
	assert_success
	assert_output piped
}

@test "lifecycle: run -d returns while the container runs" {
	update_config '.process.args = ["sleep", "1000"]'
	run timeout 10 bash -c "'$HUSK' --root '$STATE_ROOT' run -d --bundle '$BUNDLE' '$ID' >/dev/null 2>&1 </dev/null"
	assert_success
	[ "$(state_field "$ID" status)" = running ]
	run husk kill "$ID" KILL
	assert_success
	wait_for_status "$ID" stopped
	run husk delete "$ID"
	assert_success
	assert_no_leftovers "$ID"
}

@test "lifecycle: kill accepts KILL, SIGKILL and 9" {
	update_config '.process.args = ["sleep", "1000"]'
	local sig i=0
	for sig in KILL SIGKILL 9; do
		i=$((i + 1))
		husk run -d --bundle "$BUNDLE" "$ID-$i"
		run husk kill "$ID-$i" "$sig"
		assert_success
		wait_for_status "$ID-$i" stopped
		husk delete "$ID-$i"
		assert_no_leftovers "$ID-$i"
	done
}

@test "lifecycle: kill sends TERM by default, and by name" {
	local sig i=0
	set_args sh -c "$TERM_AWARE"
	for sig in "" TERM SIGTERM 15; do
		i=$((i + 1))
		husk run -d --bundle "$BUNDLE" "$ID-$i"
		run husk kill "$ID-$i" $sig
		assert_success
		wait_for_status "$ID-$i" stopped
		husk delete "$ID-$i"
	done
}

@test "lifecycle: kill with an unknown signal fails naming it" {
	update_config '.process.args = ["sleep", "1000"]'
	husk run -d --bundle "$BUNDLE" "$ID"
	for sig in SIGNOPE NOPE 0x9 -1 65 ''; do
		[ -n "$sig" ] || continue
		run husk kill "$ID" "$sig"
		assert_failure
		assert_output --partial "$sig"
	done
	[ "$(state_field "$ID" status)" = running ]
}

@test "lifecycle: kill --all reaches every process of the container" {
	set_args sh -c 'sleep 1000 & sleep 1000 & echo started; wait'
	husk run -d --bundle "$BUNDLE" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	# Wait until both children exist.
	for _ in $(seq 100); do
		[ "$(pgrep -P "$pid" | wc -l)" -ge 2 ] && break
		sleep 0.02
	done
	local kids
	kids=$(pgrep -P "$pid")
	[ "$(wc -w <<<"$kids")" -ge 2 ] || fail "children not started"
	run husk kill --all "$ID" KILL
	assert_success
	wait_for_status "$ID" stopped
	for k in $kids; do
		for _ in $(seq 100); do pid_alive "$k" || break; sleep 0.02; done
		pid_alive "$k" && fail "process $k survived kill --all"
	done
	husk delete "$ID"
	assert_no_leftovers "$ID"
}

@test "lifecycle: kill of a created container stops it" {
	update_config '.process.args = ["sleep", "1000"]'
	husk create --bundle "$BUNDLE" "$ID"
	run husk kill "$ID" KILL
	assert_success
	wait_for_status "$ID" stopped
	husk delete "$ID"
	assert_no_leftovers "$ID"
}

@test "lifecycle: delete of a running container fails without --force" {
	update_config '.process.args = ["sleep", "1000"]'
	husk run -d --bundle "$BUNDLE" "$ID"
	run husk delete "$ID"
	assert_failure
	assert_output --partial "$ID"
	[ "$(state_field "$ID" status)" = running ]
	run husk delete --force "$ID"
	assert_success
	assert_no_leftovers "$ID"
}

@test "lifecycle: delete -f of a running and of a created container" {
	update_config '.process.args = ["sleep", "1000"]'
	husk run -d --bundle "$BUNDLE" "$ID-r"
	husk create --bundle "$BUNDLE" "$ID-c"
	local pr pc
	pr=$(state_field "$ID-r" pid)
	pc=$(state_field "$ID-c" pid)
	run husk delete -f "$ID-r"
	assert_success
	run husk delete -f "$ID-c"
	assert_success
	for p in "$pr" "$pc"; do
		for _ in $(seq 100); do pid_alive "$p" || break; sleep 0.02; done
		pid_alive "$p" && fail "process $p survived delete -f"
	done
	assert_no_leftovers "$ID-r"
	assert_no_leftovers "$ID-c"
}

@test "lifecycle: delete -f of an unknown id succeeds, delete without -f fails" {
	run husk delete --force "$ID-none"
	assert_success
	run husk delete "$ID-none"
	assert_failure
	assert_output --partial "$ID-none"
}

@test "lifecycle: state, kill, start of an unknown id fail naming it" {
	for c in state start "kill"; do
		run husk $c "$ID-none"
		assert_failure
		assert_output --partial "$ID-none"
		assert_output --regexp 'not exist|not found|no such|No such|unknown'
	done
}

@test "lifecycle: --pid-file holds the init pid" {
	update_config '.process.args = ["sleep", "1000"]'
	husk create --pid-file "$BATS_TEST_TMPDIR/pid" --bundle "$BUNDLE" "$ID"
	[ "$(cat "$BATS_TEST_TMPDIR/pid")" = "$(state_field "$ID" pid)" ]
	# no trailing newline, as runc writes it
	[ "$(wc -l <"$BATS_TEST_TMPDIR/pid")" -eq 0 ]
	husk run -d --pid-file="$BATS_TEST_TMPDIR/pid2" --bundle "$BUNDLE" "$ID-2"
	[ "$(cat "$BATS_TEST_TMPDIR/pid2")" = "$(state_field "$ID-2" pid)" ]
	# A relative pid file is relative to the working directory.
	cd "$BATS_TEST_TMPDIR"
	husk create --pid-file rel.pid --bundle "$BUNDLE" "$ID-3"
	[ "$(cat "$BATS_TEST_TMPDIR/rel.pid")" = "$(state_field "$ID-3" pid)" ]
}

@test "lifecycle: list as a table, as JSON and ids only" {
	update_config '.process.args = ["sleep", "1000"]'
	run husk list
	assert_success
	husk create --bundle "$BUNDLE" "$ID-a"
	husk run -d --bundle "$BUNDLE" "$ID-b"
	run husk list
	assert_success
	assert_line --index 0 --regexp '^ID +PID +STATUS +BUNDLE +CREATED +OWNER'
	assert_line --regexp "^$ID-a +[0-9]+ +created +$BUNDLE "
	assert_line --regexp "^$ID-b +[0-9]+ +running +$BUNDLE "
	run husk list --format json
	assert_success
	[ "$(jq length <<<"$output")" = 2 ]
	[ "$(jq -r ".[] | select(.id == \"$ID-a\") | .status" <<<"$output")" = created ]
	[ "$(jq -r ".[] | select(.id == \"$ID-b\") | .status" <<<"$output")" = running ]
	[ "$(jq -r ".[] | select(.id == \"$ID-b\") | .bundle" <<<"$output")" = "$BUNDLE" ]
	jq -e ".[] | select(.id == \"$ID-b\") | .pid > 0 and (.created | test(\"^[0-9]{4}-\"))" <<<"$output"
	run husk list -f json
	assert_success
	[ "$(jq length <<<"$output")" = 2 ]
	run husk list -q
	assert_success
	assert_equal "$(sort <<<"$output" | tr '\n' ' ')" "$ID-a $ID-b "
	run husk list --quiet
	assert_success
	assert_equal "$(wc -l <<<"$output")" 2
	run husk list --format yaml
	assert_failure
}

@test "lifecycle: list on an empty or missing root" {
	run "$HUSK" --root "$BATS_TEST_TMPDIR/never-made" list --format json
	assert_success
	[ "$(jq length <<<"$output")" = 0 ]
}

@test "lifecycle: the state directory is private (0700)" {
	update_config '.process.args = ["sleep", "1000"]'
	husk create --bundle "$BUNDLE" "$ID"
	[ -d "$STATE_ROOT/$ID" ] || fail "no state dir $STATE_ROOT/$ID"
	assert_equal "$(stat -c %a "$STATE_ROOT/$ID")" 700
	# And nothing inside is writable by others.
	run find "$STATE_ROOT/$ID" -perm /022 ! -type l ! -type s
	assert_output ''
}

@test "lifecycle: 10 concurrent state calls all answer well-formed JSON" {
	update_config '.process.args = ["sleep", "1000"]'
	husk run -d --bundle "$BUNDLE" "$ID"
	local d=$BATS_TEST_TMPDIR/par
	mkdir -p "$d"
	local pids=()
	for i in $(seq 10); do
		(rc=0; "$HUSK" --root "$STATE_ROOT" state "$ID" >"$d/$i.out" 2>"$d/$i.err" || rc=$?; echo $rc >"$d/$i.rc") &
		pids+=($!)
	done
	# only our jobs: bats keeps a timeout watchdog in the background too
	wait "${pids[@]}"
	for i in $(seq 10); do
		assert_equal "$(cat "$d/$i.rc")" 0
		jq -e ".status == \"running\" and .id == \"$ID\"" "$d/$i.out" >/dev/null ||
			fail "state #$i: $(cat "$d/$i.out" "$d/$i.err")"
	done
}

@test "lifecycle: 10 concurrent delete -f: no crash, nothing left" {
	update_config '.process.args = ["sleep", "1000"]'
	husk run -d --bundle "$BUNDLE" "$ID"
	local d=$BATS_TEST_TMPDIR/par
	mkdir -p "$d"
	local pids=()
	for i in $(seq 10); do
		(rc=0; "$HUSK" --root "$STATE_ROOT" delete -f "$ID" >"$d/$i.out" 2>&1 || rc=$?; echo $rc >"$d/$i.rc") &
		pids+=($!)
	done
	# only our jobs: bats keeps a timeout watchdog in the background too
	wait "${pids[@]}"
	local ok=0
	for i in $(seq 10); do
		rc=$(cat "$d/$i.rc")
		[ "$rc" -lt 128 ] || fail "delete #$i died with $rc: $(cat "$d/$i.out")"
		[ "$rc" -ne 0 ] || ok=$((ok + 1))
	done
	[ "$ok" -ge 1 ]
	assert_no_leftovers "$ID"
	run husk list -q
	assert_output ''
}

@test "lifecycle: concurrent create of one id: exactly one wins" {
	update_config '.process.args = ["sleep", "1000"]'
	local d=$BATS_TEST_TMPDIR/par
	mkdir -p "$d"
	local pids=()
	for i in $(seq 5); do
		(rc=0; "$HUSK" --root "$STATE_ROOT" create --bundle "$BUNDLE" "$ID" </dev/null >"$d/$i.out" 2>&1 || rc=$?; echo $rc >"$d/$i.rc") &
		pids+=($!)
	done
	# only our jobs: bats keeps a timeout watchdog in the background too
	wait "${pids[@]}"
	local ok=0
	for i in $(seq 5); do [ "$(cat "$d/$i.rc")" -ne 0 ] || ok=$((ok + 1)); done
	assert_equal "$ok" 1
	[ "$(state_field "$ID" status)" = created ]
	husk delete -f "$ID"
	assert_no_leftovers "$ID"
}

@test "lifecycle: an init killed from outside reads as stopped" {
	update_config '.process.args = ["sleep", "1000"]'
	husk run -d --bundle "$BUNDLE" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	kill -KILL "$pid"
	wait_for_status "$ID" stopped
	run husk delete "$ID"
	assert_success
	assert_no_leftovers "$ID"
}

@test "lifecycle: a reused pid is never taken for the container" {
	update_config '.process.args = ["sleep", "1000"]'
	[ -w /proc/sys/kernel/ns_last_pid ] || skip "no writable /proc/sys/kernel/ns_last_pid to force pid reuse"
	husk run -d --bundle "$BUNDLE" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	kill -KILL "$pid"
	for _ in $(seq 200); do [ -e "/proc/$pid" ] || break; sleep 0.01; done
	[ ! -e "/proc/$pid" ] || skip "the dead init $pid was not reaped by the host's pid 1"
	# Take the same pid for an unrelated process: ns_last_pid makes the
	# next fork get pid; retry if another fork on the machine wins the race.
	local decoy=
	for _ in $(seq 20); do
		echo $((pid - 1)) >/proc/sys/kernel/ns_last_pid
		sleep 1000 &
		if [ "$!" = "$pid" ]; then decoy=$!; break; fi
		kill "$!"
	done
	[ -n "$decoy" ] || skip "could not get pid $pid reused in 20 tries (busy machine)"
	run husk state "$ID"
	assert_success
	[ "$(jq -r .status <<<"$output")" = stopped ] || fail "reused pid taken as the container: $output"
	husk kill "$ID" KILL || true
	husk delete -f "$ID" || true
	sleep 0.1
	pid_alive "$decoy" || fail "husk signalled the unrelated process $decoy that reused the init's pid"
	kill "$decoy"
}

@test "lifecycle: run --keep leaves the stopped container for state and delete" {
	set_args sh -c 'exit 7'
	run husk run --keep --bundle "$BUNDLE" "$ID-k"
	assert_equal "$status" 7
	[ "$(state_field "$ID-k" status)" = stopped ]
	run husk delete "$ID-k"
	assert_success
	assert_no_leftovers "$ID-k"
}

@test "lifecycle: create -f/--config reads another file of the bundle" {
	update_config '.process.args = ["sleep", "1000"]'
	mv "$BUNDLE/config.json" "$BUNDLE/other.json"
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial config.json
	husk create --config other.json --bundle "$BUNDLE" "$ID"
	[ "$(state_field "$ID" status)" = created ]
	husk create -f other.json --bundle "$BUNDLE" "$ID-2"
	[ "$(state_field "$ID-2" status)" = created ]
}

@test "lifecycle: state of a stopped container keeps id, bundle and annotations" {
	update_config '.process.args = ["true"] | .annotations = {"org.example/a": "1"}'
	husk create --bundle "$BUNDLE" "$ID"
	husk start "$ID"
	wait_for_status "$ID" stopped
	run husk state "$ID"
	assert_success
	jq -e ".id == \"$ID\" and .bundle == \"$BUNDLE\" and .annotations[\"org.example/a\"] == \"1\"" <<<"$output"
	# A stopped container has no process to report.
	jq -e '(.pid // 0) == 0' <<<"$output"
}

@test "lifecycle: a create that fails inside the container leaves nothing behind" {
	# Fails after the namespaces and cgroups exist: a bind mount of a missing source.
	update_config ".mounts += [{\"destination\": \"/data\", \"type\": \"bind\",
		\"source\": \"$BATS_TEST_TMPDIR/no-such-source\", \"options\": [\"bind\"]}]"
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial no-such-source
	assert_no_leftovers "$ID"
	run husk list -q
	assert_output ''
	# And the same through run.
	run husk run --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_no_leftovers "$ID"
}

@test "lifecycle: a process that cannot exec fails start or run, and leaves nothing" {
	set_args /bin/no-such-binary
	run husk run --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial no-such-binary
	assert_no_leftovers "$ID"
}

@test "lifecycle: kill and start of a stopped container fail (runtime-spec)" {
	update_config '.process.args = ["true"]'
	husk create --bundle "$BUNDLE" "$ID"
	husk start "$ID"
	wait_for_status "$ID" stopped
	run husk kill "$ID" KILL
	assert_failure
	assert_output --partial "$ID"
	run husk start "$ID"
	assert_failure
	assert_output --partial "$ID"
	run husk delete "$ID"
	assert_success
}
